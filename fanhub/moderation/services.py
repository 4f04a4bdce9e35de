"""Moderation rules: flagging, hiding at the threshold, the queue and its decisions,
appeals, suspensions and bans, and the append-only log every action writes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Post, PostStatus, Topic, TopicStatus
from fanhub.inputs import (
    CURSOR_MESSAGE,
    MAX_ID,
    MAX_INT64,
    optional_int,
    parse_int,
    parse_moment,
)
from fanhub.links import site_path
from fanhub.moderation import trust
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import (
    APPEAL_MAX,
    FLAG_NOTE_MAX,
    REASON_MAX,
    Appeal,
    Case,
    CaseStatus,
    Decision,
    Flag,
    FlagReason,
    FlagStatus,
    ItemKind,
    ModerationAction,
    ModerationRule,
    opened_stamp,
)
from fanhub.notifications.models import MESSAGE_MAX, NotificationKind
from fanhub.notifications.services import notify
from fanhub.permissions import Action, brands_where, can, moderated_brands, require
from fanhub.reviews import services as reviews
from fanhub.reviews.models import (
    Product,
    ReplyStatus,
    Review,
    ReviewReply,
    ReviewRule,
    ReviewStatus,
)

PAGE_SIZE = 25
LOG_PAGE_SIZE = 50
MAX_SUSPENSION_DAYS = 365
FLAGGABLE = (ItemKind.TOPIC, ItemKind.POST, ItemKind.REVIEW, ItemKind.REVIEW_REPLY)
# Decisions about an item in the queue, and what they do to it.
ITEM_DECISIONS = (Decision.DISMISS, Decision.HIDE, Decision.REMOVE, Decision.RESTORE, Decision.LOCK)
REVIEW_DECISIONS = (Decision.APPROVE, Decision.REJECT)
SANCTIONS = (Decision.SUSPEND, Decision.BAN, Decision.LIFT)
# Decisions that say the member broke a rule: they need one, and she may appeal them.
NEEDS_RULE = frozenset(
    {Decision.HIDE, Decision.REMOVE, Decision.REJECT, Decision.LOCK, Decision.SUSPEND, Decision.BAN}
)
APPEALABLE = NEEDS_RULE | {Decision.AUTO_HIDE}

# The one vocabulary of an item's state, whatever its own column calls it.
VISIBLE, HIDDEN, REMOVED, PENDING, GONE = "visible", "hidden", "removed", "pending", "gone"
_REVIEW_STATES = {
    ReviewStatus.PUBLISHED: VISIBLE,
    ReviewStatus.HIDDEN: HIDDEN,
    ReviewStatus.REMOVED: REMOVED,
    ReviewStatus.PENDING: PENDING,
    ReviewStatus.REJECTED: GONE,
}
_REVIEW_TARGETS = {
    VISIBLE: ReviewStatus.PUBLISHED,
    HIDDEN: ReviewStatus.HIDDEN,
    REMOVED: ReviewStatus.REMOVED,
}
_REVIEW_RULES = {
    ModerationRule.SPAM: ReviewRule.SPAM,
    ModerationRule.ABUSE: ReviewRule.ABUSE,
    ModerationRule.PERSONAL_DATA: ReviewRule.PERSONAL_DATA,
    ModerationRule.NOT_ABOUT_PRODUCT: ReviewRule.NOT_ABOUT_PRODUCT,
    ModerationRule.OFF_TOPIC: ReviewRule.NOT_ABOUT_PRODUCT,
    ModerationRule.OTHER: ReviewRule.OTHER,
}


@dataclass(frozen=True)
class FlagDraft:
    reason: FlagReason
    note: str = ""


@dataclass(frozen=True)
class DecisionDraft:
    """What a moderator chose in the queue: a decision about the items, a sanction for
    their authors, or both; the rule and her reason go to the member and the log."""

    decision: Decision | None
    rule: ModerationRule | None = None
    reason: str = ""
    sanction: Decision | None = None
    days: int | None = None


@dataclass
class Target:
    """A flaggable item, whatever its kind, as moderation sees it."""

    kind: ItemKind
    id: int
    brand_id: int
    author_id: int | None
    state: str
    excerpt: str
    context: str
    url: str
    row: Any
    topic: Topic | None = None

    @property
    def noun(self) -> str:
        return {"review_reply": "reply"}.get(self.kind.value, self.kind.value)


# ------------------------------------------------------------------ items


def _load_targets(kind: ItemKind, ids: set[int]) -> dict[int, Target]:
    """Items of one kind with their context, in one query however many."""
    if not ids:
        return {}
    found: dict[int, Target] = {}
    if kind is ItemKind.TOPIC:
        rows = db.session.execute(
            select(Topic, Post.body)
            .join(Post, and_(Post.topic_id == Topic.id, Post.position == 1))
            .where(Topic.id.in_(ids))
        )
        for topic, body in rows:
            found[topic.id] = Target(
                kind, topic.id, topic.brand_id, topic.author_id, topic.status.value,
                f"{topic.title}: {body}", topic.title,
                site_path("forums.topic", topic_id=topic.id), topic, topic,
            )  # fmt: skip
    elif kind is ItemKind.POST:
        for post, topic in db.session.execute(
            select(Post, Topic).join(Topic, Topic.id == Post.topic_id).where(Post.id.in_(ids))
        ):
            state = {PostStatus.VISIBLE: VISIBLE, PostStatus.DELETED_BY_AUTHOR: GONE}.get(
                post.status, post.status.value
            )
            found[post.id] = Target(
                kind, post.id, topic.brand_id, post.author_id, state, post.body, topic.title,
                site_path("forums.topic", topic_id=topic.id, post=post.position), post, topic,
            )  # fmt: skip
    elif kind is ItemKind.REVIEW:
        for review, product, brand_slug in db.session.execute(
            select(Review, Product, Brand.slug)
            .join(Product, Product.id == Review.product_id)
            .join(Brand, Brand.id == Review.brand_id)
            .where(Review.id.in_(ids))
        ):
            found[review.id] = Target(
                kind, review.id, review.brand_id, review.author_id,
                _REVIEW_STATES[review.status], f"{review.title}: {review.body}".lstrip(": "),
                product.name,
                site_path("reviews.review", brand=brand_slug, product=product.slug,
                          review_id=review.id), review,
            )  # fmt: skip
    elif kind is ItemKind.REVIEW_REPLY:
        for reply, review, product, brand_slug in db.session.execute(
            select(ReviewReply, Review, Product, Brand.slug)
            .join(Review, Review.id == ReviewReply.review_id)
            .join(Product, Product.id == Review.product_id)
            .join(Brand, Brand.id == Review.brand_id)
            .where(ReviewReply.id.in_(ids))
        ):
            path = site_path(
                "reviews.review", brand=brand_slug, product=product.slug, review_id=review.id
            )
            found[reply.id] = Target(
                kind, reply.id, review.brand_id, reply.author_id, reply.status.value,
                reply.body, f"a review of {product.name}", f"{path}#reply-{reply.id}", reply,
            )  # fmt: skip
    return found


def access_target(kind: str, item_id: int) -> Target:
    """A flaggable item by kind and id.

    :raises NotFound: no such kind or item.
    """
    try:
        chosen = ItemKind(kind)
    except ValueError:
        raise NotFound("There is nothing like that to flag.") from None
    if chosen not in FLAGGABLE:
        raise NotFound("There is nothing like that to flag.")
    target = _load_targets(chosen, {item_id}).get(item_id)
    if target is None:
        raise NotFound(f"There is no such {chosen.label}. It may have been deleted.")
    return target


def _set_state(
    target: Target, state: str, rule: ModerationRule | None, reason: str, *, now: datetime
) -> None:
    """Show, hide or remove an item at `now`, moving what counts it (no commit)."""
    if target.state == state:
        return
    row = target.row
    if target.kind is ItemKind.POST:
        if state == VISIBLE and row.position < 1:
            # A held reply rejected and restored on appeal: it takes its place now.
            forums.publish_held_post(row, now)
        else:
            row.status = {VISIBLE: PostStatus.VISIBLE, HIDDEN: PostStatus.HIDDEN}.get(
                state, PostStatus.REMOVED
            )
    elif target.kind is ItemKind.TOPIC:
        was_listed = target.state == VISIBLE
        row.status = TopicStatus(state)
        if was_listed != (state == VISIBLE):
            # In SQL, as a topic moving category does: the list and its counts agree.
            delta = 1 if state == VISIBLE else -1
            db.session.execute(
                update(Category)
                .where(Category.id == row.category_id)
                .values(
                    topic_count=Category.topic_count + delta,
                    post_count=Category.post_count + delta * row.post_count,
                )
            )
    elif target.kind is ItemKind.REVIEW:
        reviews.move_review_status(
            row,
            _REVIEW_TARGETS[state],
            rule=_REVIEW_RULES.get(rule) if rule and state != VISIBLE else None,
            note=reason,
            now=now,
        )
    elif state == VISIBLE and target.state == REMOVED and reviews.was_rejected_while_held(row):
        # A held reply rejected and restored on appeal: it counts and is told now.
        reviews.publish_held_reply(row, now, waiting=ReplyStatus.REMOVED)
    else:
        row.status = ReplyStatus(state)
    target.state = state


def _after_commit(target: Target) -> None:
    """Forget the cached copies visitors are served of what just changed."""
    if target.kind is ItemKind.REVIEW:
        reviews.forget_review_summary(target.row)
    elif target.kind is ItemKind.POST and target.topic is not None:
        forums.forget_visitor_page(target.topic, target.row.position)


# ----------------------------------------------------------------- flags


def flag_item(reporter: Any, target: Target, draft: FlagDraft, *, now: datetime) -> Case:
    """Report an item; once FLAG_HIDE_THRESHOLD members have open flags on it, it hides
    until a moderator decides (logged, and its author is told).

    :raises Forbidden: the reporter is suspended, or wrote the item.
    :raises Invalid: "other" without a note, or the note is too long.
    :raises Conflict: the item is already removed or hidden, or she already flagged it.
    """
    require(reporter, Action.CONTENT_FLAG, target.brand_id, now=now)
    if target.author_id == reporter.id:
        raise Forbidden(f"You can't flag your own {target.noun}.")
    if target.state in (REMOVED, GONE):
        raise Conflict(f"This {target.noun} was already removed.")
    if target.state != VISIBLE:
        raise Conflict(f"This {target.noun} is already waiting for a moderator.")
    note = " ".join(draft.note.split())
    if draft.reason is FlagReason.OTHER and not note:
        raise Invalid("Tell the moderators what is wrong with it.", field="note")
    if len(note) > FLAG_NOTE_MAX:
        raise Invalid(f"Keep the note to {FLAG_NOTE_MAX} characters.", field="note")
    threshold = int(current_app.config["FLAG_HIDE_THRESHOLD"])
    with transaction():
        case = _open_case(target, now)
        try:
            with db.session.begin_nested():  # two clicks at once: the unique index keeps one
                db.session.add(
                    Flag(case_id=case.id, reporter_id=reporter.id, reason=draft.reason,
                         note=note, status=FlagStatus.OPEN, created_at=now)
                )  # fmt: skip
        except IntegrityError:
            raise Conflict(
                f"You have already flagged this {target.noun}: a moderator will look at it."
            ) from None
        # In SQL, so flags at the same instant all count; one open flag per member, so
        # this is the number of distinct members.
        count = db.session.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(open_flag_count=Case.open_flag_count + 1)
            .returning(Case.open_flag_count)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        hidden = count >= threshold
        if hidden:
            before = _snapshot(target, count - 1)
            _set_state(target, HIDDEN, None, "", now=now)
            after = _snapshot(target, count)
            reason = f"{count} members flagged it."
            action = _log(None, Decision.AUTO_HIDE, target, None, reason, before, after, now)
            _tell(target.author_id, action, target,
                  f"Your {target.noun} in “{target.context}” is hidden: {count} members "
                  "reported it. A moderator will decide; you may appeal.", now=now)  # fmt: skip
    if hidden:
        _after_commit(target)
    return case


def _open_case(target: Target, now: datetime) -> Case:
    """The item's case, opened (or reopened) and locked until commit (no commit)."""
    query = (
        select(Case)
        .where(Case.item_kind == target.kind, Case.item_id == target.id)
        .with_for_update()
    )
    case = db.session.scalars(query).first()
    if case is None:
        try:
            with db.session.begin_nested():  # the first two flags at once: one case
                case = Case(
                    brand_id=target.brand_id, item_kind=target.kind, item_id=target.id,
                    subject_id=target.author_id, status=CaseStatus.OPEN, open_flag_count=0,
                    opened_at=now,
                )  # fmt: skip
                db.session.add(case)
        except IntegrityError:
            case = db.session.scalars(query).one()
    if case.status is CaseStatus.CLOSED:
        case.status = CaseStatus.OPEN
        case.opened_at = now
        case.closed_at = None
    return case


# ------------------------------------------------------------- decisions


@dataclass
class Outcome:
    """What happened to one item of a batch: done, or why nothing changed."""

    ref: str
    done: bool
    message: str


def decide(
    moderator: Any, refs: list[str], draft: DecisionDraft, *, now: datetime
) -> list[Outcome]:
    """Apply one decision (and/or a sanction of their authors) to several queue items.

    Each item is its own unit of work: an item someone else handled meanwhile is
    reported and left alone, the others go through.

    :raises Invalid: no items, no decision, or a rule missing where the member must be told one.
    :raises NotFound: an item does not exist.
    :raises Forbidden: an item is outside the moderator's brands (nothing changes).
    :raises Conflict: every item was already handled (nothing changes).
    """
    _check_draft(draft)
    if not refs:
        raise Invalid("Choose at least one item.")
    parsed = [_parse_ref(ref) for ref in dict.fromkeys(refs)]
    items = list(dict.fromkeys((kind, ident) for kind, ident, _ in parsed))
    # When the queue showed each case open: one closed and reported again since is new.
    shown_open = {ident: opened for kind, ident, opened in parsed if kind == "case"}
    cases = {
        case.id: case
        for case in db.session.scalars(
            select(Case).where(Case.id.in_([i for k, i in items if k == "case"]))
        )
    }
    pending = {
        review.id: review
        for review in db.session.scalars(
            select(Review).where(Review.id.in_([i for k, i in items if k == "review"]))
        )
    }
    # Authorise every item before touching any: outside her brands, nothing changes.
    for kind, ident in items:
        found = (cases if kind == "case" else pending).get(ident)
        if found is None:
            raise NotFound("One of those items no longer exists.")
        require(moderator, Action.CONTENT_MODERATE, found.brand_id, now=now)
    outcomes = []
    for kind, ident in items:
        ref = f"{kind}:{ident}"
        try:
            if kind == "case":
                message = _decide_case(moderator, cases[ident], draft, now, shown_open.get(ident))
            else:
                message = _decide_review(moderator, pending[ident], draft, now)
        except Conflict as err:
            outcomes.append(Outcome(ref, False, err.message))
        else:
            outcomes.append(Outcome(ref, True, message))
    if not any(outcome.done for outcome in outcomes):
        raise Conflict(" ".join(dict.fromkeys(outcome.message for outcome in outcomes)))
    return outcomes


def _check_draft(draft: DecisionDraft) -> None:
    if draft.decision is None and draft.sanction is None:
        raise Invalid("Choose what to do.", field="decision")
    if draft.decision is not None and draft.decision not in ITEM_DECISIONS + REVIEW_DECISIONS:
        raise Invalid("Choose what to do.", field="decision")
    if draft.sanction is not None and draft.sanction not in SANCTIONS:
        raise Invalid("Choose suspend, ban or lift.", field="sanction")
    if draft.rule is None and (draft.decision in NEEDS_RULE or draft.sanction in NEEDS_RULE):
        raise Invalid("Choose the rule it breaks: the member is told.", field="rule")
    if len(draft.reason) > REASON_MAX:
        raise Invalid(f"Keep the reason to {REASON_MAX} characters.", field="reason")
    if draft.sanction is Decision.SUSPEND and not (
        draft.days and 1 <= draft.days <= MAX_SUSPENSION_DAYS
    ):
        raise Invalid(f"Suspend for 1 to {MAX_SUSPENSION_DAYS} days.", field="days")
    if draft.sanction is Decision.BAN and draft.days is not None and draft.days < 1:
        raise Invalid("Ban for at least a day, or leave the days empty for good.", field="days")


def _parse_ref(ref: str) -> tuple[str, int, int | None]:
    """A queue item's reference: "case:<id>[:<opened>]" or "review:<id>"."""
    kind, _, rest = ref.partition(":")
    ident, _, opened = rest.partition(":")
    unknown = "That item is not one the queue showed."
    if kind not in ("case", "review") or (opened and kind != "case"):
        raise Invalid(unknown)
    return (
        kind,
        parse_int(ident, lo=1, hi=MAX_ID, message=unknown),
        optional_int(opened, lo=0, hi=MAX_INT64, message=unknown),  # microseconds
    )


def _decide_case(
    moderator: Any, case: Case, draft: DecisionDraft, now: datetime, shown_open: int | None = None
) -> str:
    with transaction():
        # Locked and read again: someone else may have decided since the page was shown.
        fresh = db.session.scalars(
            select(Case)
            .where(Case.id == case.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if fresh.status is not CaseStatus.OPEN:
            raise Conflict(_handled_message(fresh))
        if shown_open is not None and shown_open != opened_stamp(fresh.opened_at):
            raise Conflict(
                "Handled and reported again since you loaded the queue: "
                "reload it to see the new reports. Nothing changed."
            )
        target = _load_targets(fresh.item_kind, {fresh.item_id}).get(fresh.item_id)
        if target is None:
            raise Conflict("That item was deleted meanwhile: nothing to do.")
        done = []
        if draft.decision is not None:
            done.append(_apply(moderator, fresh, target, draft, now))
            _close(fresh, moderator, draft.decision, now)
        if draft.sanction is not None:
            done.append(_sanction(moderator, fresh, target, draft, now))
    if draft.decision is not None:
        _after_commit(target)
    return " ".join(done)


def _author_deleted(target: Target) -> bool:
    author = db.session.get(User, target.author_id) if target.author_id is not None else None
    return author is not None and author.status is UserStatus.DELETED


def _handled_message(case: Case) -> str:
    who = db.session.get(User, case.closed_by_id) if case.closed_by_id else None
    what = case.last_decision.label.lower() if case.last_decision else "decided on"
    by = f" by {who.name}" if who else ""
    return f"Already handled{by} ({what} it): nothing changed."


def _apply(moderator: Any, case: Case, target: Target, draft: DecisionDraft, now: datetime) -> str:
    decision = draft.decision
    if decision is None:
        raise Invalid("Choose what to do.", field="decision")
    flags = case.open_flag_count
    before = _snapshot(target, flags)
    if target.state == PENDING:
        return _decide_held(moderator, case, target, draft, now)
    if decision in (Decision.APPROVE, Decision.REJECT):
        raise Conflict("Approve and reject are for items waiting for a moderator.")
    if target.state in (GONE, PENDING):
        raise Conflict(f"This {target.noun} is no longer up for a decision.")
    if decision is Decision.DISMISS:
        _set_state(target, VISIBLE, None, "", now=now)
        message = (
            f"A moderator reviewed the reports about your {target.noun} "
            f"in “{target.context}”: it stays up."
        )
    elif decision is Decision.HIDE:
        if target.state == REMOVED:
            raise Conflict(f"This {target.noun} is already removed.")
        _set_state(target, HIDDEN, draft.rule, draft.reason, now=now)
        message = f"A moderator hid your {target.noun} in “{target.context}”"
    elif decision is Decision.REMOVE:
        _set_state(target, REMOVED, draft.rule, draft.reason, now=now)
        message = f"A moderator removed your {target.noun} in “{target.context}”"
    elif decision is Decision.RESTORE:
        if target.state == REMOVED and _author_deleted(target):
            # She deleted her account and took her words with her: that is hers to decide.
            raise Conflict(f"This {target.noun}'s author deleted her account: it stays removed.")
        _set_state(target, VISIBLE, None, "", now=now)
        message = f"A moderator restored your {target.noun} in “{target.context}”."
    else:  # LOCK
        if target.topic is None:
            raise Conflict("Only forum topics and posts have a topic to lock.")
        if target.topic.is_locked:
            raise Conflict("This topic is already locked.")
        target.topic.is_locked = True
        message = f"A moderator locked the topic “{target.context}” after your {target.noun}"
    after = _snapshot(target, 0)
    if decision is Decision.LOCK:
        before["locked"], after["locked"] = False, True
    action = _log(
        moderator, decision, target, draft.rule, draft.reason, before, after, now, case.brand_id
    )
    if decision in NEEDS_RULE:
        message = _with_rule(message, draft)
    _tell(target.author_id, action, target, message, now=now)
    return f"{decision.label} the {target.noun}."


def _decide_held(
    moderator: Any, case: Case, target: Target, draft: DecisionDraft, now: datetime
) -> str:
    """Approve a held topic, post, review or reply under a review (published as if
    written now, counted and told as publishing it does) or reject it (it stays out of
    sight), logged and told to its author (no commit)."""
    if draft.decision not in REVIEW_DECISIONS:
        raise Conflict(f"A {target.noun} waiting for a moderator is approved or rejected.")
    before = _snapshot(target, 0)
    if case.hold_reason:
        before["held_because"] = case.hold_reason
    where = {
        ItemKind.POST: f"in “{target.context}”",
        ItemKind.REVIEW: f"of {target.context}",
        ItemKind.REVIEW_REPLY: f"under {target.context}",
    }.get(target.kind, f"“{target.context}”")
    if draft.decision is Decision.APPROVE:
        if target.kind is ItemKind.TOPIC:
            forums.publish_held_topic(target.row, now)
        elif target.kind is ItemKind.POST:
            forums.publish_held_post(target.row, now)
        elif target.kind is ItemKind.REVIEW:
            _move_held_review(target, ReviewStatus.PUBLISHED, None, "", now)
        else:
            reviews.publish_held_reply(target.row, now)
        target.state = VISIBLE
        message = f"A moderator approved your {target.noun} {where}: it is published."
    else:
        if target.kind is ItemKind.TOPIC:
            target.row.status = TopicStatus.REMOVED
        elif target.kind is ItemKind.POST:
            target.row.status = PostStatus.REMOVED
        elif target.kind is ItemKind.REVIEW:
            _move_held_review(target, ReviewStatus.REJECTED, draft.rule, draft.reason, now)
        else:
            target.row.status = ReplyStatus.REMOVED
        target.state = GONE if target.kind is ItemKind.REVIEW else REMOVED
        message = _with_rule(f"A moderator did not publish your {target.noun} {where}", draft)
    action = _log(moderator, draft.decision, target, draft.rule, draft.reason, before,
                  _snapshot(target, 0), now, case.brand_id)  # fmt: skip
    _tell(target.author_id, action, target, message, now=now)
    return f"{draft.decision.label} the {target.noun}."


def _move_held_review(
    target: Target, want: ReviewStatus, rule: ModerationRule | None, reason: str, now: datetime
) -> None:
    """Publish or reject a held review, keeping the product's rating exact (no commit).

    :raises Conflict: it is not pending any more (decided on the brand's own pages).
    """
    chosen = _REVIEW_RULES.get(rule) if rule and want is ReviewStatus.REJECTED else None
    was = reviews.move_review_status(target.row, want, rule=chosen, note=reason, now=now)
    if was is not ReviewStatus.PENDING:
        raise Conflict("This review was already decided on by someone else: nothing changed.")


def _with_rule(message: str, draft: DecisionDraft) -> str:
    rule = draft.rule.label if draft.rule else "it breaks the guidelines"
    reason = " ".join(draft.reason.split())
    text = f"{message}: {rule}."
    if reason:
        text += f" “{reason}”"
    return text + " You may appeal once."


def _close(case: Case, moderator: Any, decision: Decision, now: datetime) -> None:
    status = (
        FlagStatus.DISMISSED
        if decision in (Decision.DISMISS, Decision.RESTORE)
        else FlagStatus.UPHELD
    )
    db.session.execute(
        update(Flag)
        .where(Flag.case_id == case.id, Flag.status == FlagStatus.OPEN)
        .values(status=status, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    case.status = CaseStatus.CLOSED
    case.open_flag_count = 0
    case.closed_at = now
    case.closed_by_id = moderator.id
    case.last_decision = decision


def _decide_review(moderator: Any, review: Review, draft: DecisionDraft, now: datetime) -> str:
    if draft.decision not in REVIEW_DECISIONS:
        raise Conflict("A review waiting for a moderator is approved or rejected.")
    target = _load_targets(ItemKind.REVIEW, {review.id})[review.id]
    with transaction():
        before = _snapshot(target, 0)
        want = (
            ReviewStatus.PUBLISHED if draft.decision is Decision.APPROVE else ReviewStatus.REJECTED
        )
        rule = (
            _REVIEW_RULES.get(draft.rule) if draft.rule and want is ReviewStatus.REJECTED else None
        )
        was = reviews.move_review_status(target.row, want, rule=rule, note=draft.reason, now=now)
        if was is not ReviewStatus.PENDING:
            raise Conflict("This review was already decided on by someone else: nothing changed.")
        trust.release(ItemKind.REVIEW, review.id, moderator.id, draft.decision, now)
        target.state = _REVIEW_STATES[want]
        action = _log(moderator, draft.decision, target, draft.rule, draft.reason, before,
                      _snapshot(target, 0), now)  # fmt: skip
        if draft.decision is Decision.APPROVE:
            message = f"Your review of {target.context} is published."
        else:
            message = _with_rule(f"Your review of {target.context} was not published", draft)
        _tell(target.author_id, action, target, message, now=now)
        done = [f"{draft.decision.label} the review."]
        if draft.sanction is not None:
            done.append(_sanction(moderator, None, target, draft, now))
    reviews.forget_review_summary(target.row)
    return " ".join(done)


# -------------------------------------------------------------- sanctions


def _sanction(
    moderator: Any, case: Case | None, target: Target, draft: DecisionDraft, now: datetime
) -> str:
    """Suspend, ban or lift the item's author (no commit)."""
    if target.author_id is None:
        raise Conflict("Its author's account is gone: there is no one to suspend.")
    member = db.session.get(User, target.author_id)
    if member is None:
        raise Conflict("Its author's account is gone: there is no one to suspend.")
    return sanction_member(
        moderator, member, draft, brand_id=target.brand_id, now=now, commit=False, item=target
    )


def sanction_member(
    moderator: Any,
    member: User,
    draft: DecisionDraft,
    *,
    brand_id: int | None = None,
    now: datetime,
    commit: bool = True,
    item: Target | None = None,
) -> str:
    """Suspend (for days), ban (for days, or for good) or lift either, site-wide.

    Who may: site admins, anyone but another admin or themselves; a brand's moderators,
    the authors of items in their brand's queue (`brand_id`), unless the author holds a
    role in that brand. The member is told what, until when and why; it ends by the
    clock alone.

    :raises Forbidden: the moderator may not sanction this member.
    :raises Invalid: no sanction, bad days, or no rule.
    :raises Conflict: nothing to lift.
    """
    if commit:
        _check_draft(draft)
    sanction = draft.sanction
    if sanction is None:
        raise Invalid("Choose suspend, ban or lift.", field="sanction")
    require(moderator, Action.MEMBER_SANCTION, brand_id, now=now)
    if member.id == getattr(moderator, "id", None):
        raise Forbidden("You can't suspend or ban yourself.")
    if member.is_admin or member.status is UserStatus.DELETED:
        raise Forbidden("Site admins and deleted accounts can't be suspended or banned.")
    if not getattr(moderator, "is_admin", False) and brand_id is not None:
        has_role = db.session.scalar(
            select(BrandRole.id).where(
                BrandRole.user_id == member.id, BrandRole.brand_id == brand_id
            )
        )
        if has_role is not None:
            raise Forbidden("The brand's own team is suspended by a site admin, not a moderator.")

    def work() -> str:
        before = _member_state(member)
        reason = " ".join(draft.reason.split()) or (draft.rule.label if draft.rule else "")
        if sanction is Decision.SUSPEND:
            member.suspended_until = now + timedelta(days=draft.days or 1)
            member.sanction_reason = reason
            until = member.suspended_until
            message = _with_rule(
                f"Your account is suspended until {until.day} {until:%b %Y}: "
                "you can read but not take part",
                draft,
            )
            done = f"Suspended {member.username} until {until.day} {until:%b %Y}."
        elif sanction is Decision.BAN:
            member.banned_at = now
            member.banned_until = now + timedelta(days=draft.days) if draft.days else None
            member.sanction_reason = reason
            ends = member.banned_until
            when = f" until {ends.day} {ends:%b %Y}" if ends else ""
            message = _with_rule(f"Your account is banned{when}", draft)
            done = f"Banned {member.username}{when or ' for good'}."
        else:
            if member.suspended_until is None and member.banned_at is None:
                raise Conflict(f"{member.username} is neither suspended nor banned.")
            member.suspended_until = None
            member.banned_at = None
            member.banned_until = None
            member.sanction_reason = ""
            message = "A moderator lifted your suspension or ban: welcome back."
            done = f"Lifted the suspension or ban of {member.username}."
        subject = Target(ItemKind.MEMBER, member.id, brand_id or 0, member.id, "", "",
                         member.username, site_path("accounts.profile", username=member.username),
                         member)  # fmt: skip
        after = _member_state(member)
        if item is not None:
            before["item"] = after["item"] = f"{item.kind.value}:{item.id}"
        action = _log(moderator, sanction, subject, draft.rule, draft.reason, before, after, now,
                      brand_id)  # fmt: skip
        _tell(member.id, action, subject, message, now=now)
        return done

    if not commit:
        return work()
    with transaction():
        return work()


def _member_state(member: User) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "suspended_until": moment(member.suspended_until),
        "banned": member.banned_at is not None,
        "banned_until": moment(member.banned_until),
        "reason": member.sanction_reason,
    }


# ------------------------------------------------------------------ log


def _snapshot(target: Target, flags: int) -> dict[str, Any]:
    return {"status": target.state, "open_flags": flags}


def _log(
    moderator: Any,
    decision: Decision,
    target: Target,
    rule: ModerationRule | None,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
    now: datetime,
    brand_id: int | None = None,
) -> ModerationAction:
    """Write the one audit row of an action (no commit)."""
    return record_action(
        moderator,
        decision,
        item_kind=target.kind,
        item_id=target.id,
        brand_id=brand_id if brand_id is not None else (target.brand_id or None),
        subject_id=target.author_id,
        rule=rule,
        reason=reason,
        before=before,
        after=after,
        now=now,
    )


def _tell(
    member_id: int | None, action: ModerationAction, target: Target, message: str, *, now: datetime
) -> None:
    if member_id is None:
        return
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 1] + "…"
    notify(
        [member_id],
        kind=NotificationKind.MODERATION,
        message=message,
        url=site_path("moderation.appeal", action_id=action.id),
        actor_id=action.moderator_id,
        now=now,
    )


# ---------------------------------------------------------------- appeals


@dataclass
class AppealPage:
    action: ModerationAction
    target_url: str | None
    appeal: Appeal | None
    can_appeal: bool


def appeal_page(member: Any, action_id: int) -> AppealPage:
    """A decision about the member, and whether she may still appeal it.

    :raises NotFound: no such action, or it was not about her.
    """
    action = _access_own_action(member, action_id)
    case = _case_for(action)
    appeal = (
        db.session.scalars(select(Appeal).where(Appeal.case_id == case.id)).first()
        if case
        else None
    )
    url = None
    if action.item_kind is not ItemKind.MEMBER:
        target = _load_targets(action.item_kind, {action.item_id}).get(action.item_id)
        url = target.url if target else None
    return AppealPage(action, url, appeal, action.action in APPEALABLE and appeal is None)


def _access_own_action(member: Any, action_id: int) -> ModerationAction:
    action = db.session.scalars(
        select(ModerationAction)
        .options(joinedload(ModerationAction.brand))
        .where(ModerationAction.id == action_id)
    ).first()
    if action is None or action.subject_id != getattr(member, "id", None):
        raise NotFound("There is no such decision about you.")
    return action


def _case_for(action: ModerationAction) -> Case | None:
    return db.session.scalars(
        select(Case).where(Case.item_kind == action.item_kind, Case.item_id == action.item_id)
    ).first()


def appeal(member: Any, action_id: int, body: str, *, now: datetime) -> Appeal:
    """Ask the moderators to look again, once per item: the item (or her account) goes
    back in the queue with her words.

    :raises NotFound: no such decision about her.
    :raises Invalid: nothing to appeal in this decision, or no words, or too many.
    :raises Conflict: she already appealed.
    """
    action = _access_own_action(member, action_id)
    if action.action not in APPEALABLE:
        raise Invalid("There is nothing to appeal in this decision.")
    words = body.strip()
    if not words:
        raise Invalid("Tell the moderators why they should look again.", field="body")
    if len(words) > APPEAL_MAX:
        raise Invalid(f"Keep your appeal to {APPEAL_MAX} characters.", field="body")
    if action.brand_id is None:
        raise Invalid("Write to the site admins about this decision.")
    with transaction():
        case = _case_for(action)
        if case is None:
            case = Case(brand_id=action.brand_id, item_kind=action.item_kind,
                        item_id=action.item_id, subject_id=member.id,
                        status=CaseStatus.OPEN, open_flag_count=0, opened_at=now)  # fmt: skip
            db.session.add(case)
            db.session.flush()
        row = Appeal(case_id=case.id, action_id=action.id, member_id=member.id, body=words,
                     created_at=now)  # fmt: skip
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            raise Conflict("You have already appealed: a moderator will answer once.") from None
        if case.status is CaseStatus.CLOSED:
            case.status = CaseStatus.OPEN
            case.opened_at = now
            case.closed_at = None
    return row


# ---------------------------------------------------------------- pages


@dataclass
class QueueRow:
    """One item in the queue, with everything said about it."""

    case: Case
    target: Target | None
    reasons: Counter[FlagReason]
    notes: list[tuple[str, str]]
    appeal: Appeal | None


@dataclass
class QueuePage:
    rows: list[QueueRow]
    pending: list[Review]
    next_cursor: str | None
    next_pending: str | None
    brands: list[Brand] = field(default_factory=list)
    is_admin: bool = False


def _brands_of(viewer: Any, *, now: datetime) -> frozenset[int] | None:
    brands = moderated_brands(viewer, now=now)
    if brands is not None and not brands:
        raise Forbidden("Only moderators and site admins can see the moderation queue.")
    return brands


def queue_page(
    viewer: Any, *, cursor: str | None = None, pending_cursor: str | None = None, now: datetime
) -> QueuePage:
    """Open cases (flags and appeals) and reviews waiting for approval, oldest first,
    for the brands the viewer moderates (every brand for admins); a fixed number of
    queries however many flags wait.

    :raises Forbidden: the viewer moderates no brand.
    :raises Invalid: a cursor this page did not hand out.
    """
    brands = _brands_of(viewer, now=now)
    query = (
        select(Case)
        .options(joinedload(Case.subject), joinedload(Case.brand))
        .where(Case.status == CaseStatus.OPEN)
    )
    # A review the trust rules held is in the cases above, with its reason: not twice.
    held = select(Case.id).where(
        Case.item_kind == ItemKind.REVIEW, Case.item_id == Review.id, Case.status == CaseStatus.OPEN
    )
    pending_query = (
        select(Review)
        .options(joinedload(Review.author), joinedload(Review.product))
        .where(Review.status == ReviewStatus.PENDING, ~held.exists())
    )
    if brands is not None:
        query = query.where(Case.brand_id.in_(brands))
        pending_query = pending_query.where(Review.brand_id.in_(brands))
    if cursor:
        moment, last_id = _parse_cursor(cursor)
        query = query.where(
            or_(Case.opened_at > moment, and_(Case.opened_at == moment, Case.id > last_id))
        )
    cases = list(
        db.session.scalars(query.order_by(Case.opened_at, Case.id).limit(PAGE_SIZE + 1)).unique()
    )
    next_cursor = None
    if len(cases) > PAGE_SIZE:
        cases = cases[:PAGE_SIZE]
        next_cursor = f"{cases[-1].opened_at.timestamp():.6f}_{cases[-1].id}"
    if pending_cursor:
        pending_query = pending_query.where(Review.id > _parse_cursor(f"0_{pending_cursor}")[1])
    pending = list(
        db.session.scalars(pending_query.order_by(Review.id).limit(PAGE_SIZE + 1)).unique()
    )
    next_pending = None
    if len(pending) > PAGE_SIZE:
        pending = pending[:PAGE_SIZE]
        next_pending = str(pending[-1].id)
    rows = _rows(cases)
    return QueuePage(rows, pending, next_cursor, next_pending, is_admin=brands is None)


def _rows(cases: list[Case]) -> list[QueueRow]:
    if not cases:
        return []
    ids = [case.id for case in cases]
    flags: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(
        select(Flag)
        .options(joinedload(Flag.reporter))
        .where(Flag.case_id.in_(ids), Flag.status == FlagStatus.OPEN)
        .order_by(Flag.id)
    ):
        flags.setdefault(flag.case_id, []).append(flag)
    appeals = {
        appeal.case_id: appeal
        for appeal in db.session.scalars(select(Appeal).where(Appeal.case_id.in_(ids)))
    }
    wanted: dict[ItemKind, set[int]] = {}
    for case in cases:
        wanted.setdefault(case.item_kind, set()).add(case.item_id)
    targets: dict[tuple[ItemKind, int], Target] = {}
    for kind, item_ids in wanted.items():
        if kind is ItemKind.MEMBER:
            continue
        for ident, target in _load_targets(kind, item_ids).items():
            targets[(kind, ident)] = target
    rows = []
    for case in cases:
        mine = flags.get(case.id, [])
        rows.append(
            QueueRow(
                case,
                targets.get((case.item_kind, case.item_id)),
                Counter(flag.reason for flag in mine),
                [
                    (flag.reporter.username if flag.reporter else "a former member", flag.note)
                    for flag in mine
                    if flag.note
                ],
                appeals.get(case.id),
            )  # fmt: skip
        )
    return rows


def _parse_cursor(cursor: str) -> tuple[datetime, int]:
    moment, _, last_id = cursor.partition("_")
    return (
        parse_moment(moment, message=CURSOR_MESSAGE),
        parse_int(last_id, lo=0, hi=MAX_ID, message=CURSOR_MESSAGE),
    )


@dataclass
class LogPage:
    actions: list[ModerationAction]
    next_cursor: str | None
    filters: dict[str, str]


def log_page(
    viewer: Any,
    *,
    moderator: str = "",
    member: str = "",
    action: str = "",
    cursor: str | None = None,
    now: datetime,
) -> LogPage:
    """The moderation log, newest first, for the viewer's brands (all for admins),
    filtered by moderator, member (usernames) or action; paged by id.

    :raises Forbidden: the viewer moderates no brand.
    :raises Invalid: an unknown action or a bad cursor.
    """
    brands = _brands_of(viewer, now=now)
    query = select(ModerationAction).options(
        joinedload(ModerationAction.moderator),
        joinedload(ModerationAction.subject),
        joinedload(ModerationAction.brand),
    )
    if brands is not None:
        query = query.where(ModerationAction.brand_id.in_(brands))
    filters = {"moderator": moderator.strip().lower(), "member": member.strip().lower(),
               "action": action.strip()}  # fmt: skip
    if filters["moderator"]:
        query = query.where(
            ModerationAction.moderator_id.in_(
                select(User.id).where(User.username == filters["moderator"])
            )
        )
    if filters["member"]:
        query = query.where(
            ModerationAction.subject_id.in_(
                select(User.id).where(User.username == filters["member"])
            )
        )
    if filters["action"]:
        try:
            query = query.where(ModerationAction.action == Decision(filters["action"]))
        except ValueError:
            raise Invalid("Filter by one of the actions in the list.") from None
    if cursor:
        before = parse_int(cursor, lo=1, hi=MAX_ID, message=CURSOR_MESSAGE)
        query = query.where(ModerationAction.id < before)
    actions = list(
        db.session.scalars(query.order_by(ModerationAction.id.desc()).limit(LOG_PAGE_SIZE + 1))
    )
    next_cursor = None
    if len(actions) > LOG_PAGE_SIZE:
        actions = actions[:LOG_PAGE_SIZE]
        next_cursor = str(actions[-1].id)
    return LogPage(actions, next_cursor, filters)


def access_member(actor: Any, username: str, *, now: datetime) -> User:
    """The member whose page a site admin (to suspend, ban or set her trust level) or a
    brand's team (to set her trust level, when she takes part in their brand) opens.

    :raises Forbidden: the actor is neither.
    :raises NotFound: no such member.
    """
    if not can(actor, Action.MEMBER_SANCTION, now=now):
        trusting = brands_where(actor, Action.MEMBER_TRUST_SET, now=now)
        if not trusting:
            require(actor, Action.MEMBER_SANCTION, now=now)  # raises, saying why
    member = db.session.scalars(select(User).where(User.username == username.lower())).first()
    if member is None:
        raise NotFound("There is no member with that name.")
    if not can(actor, Action.MEMBER_SANCTION, now=now):
        trust.trust_brand(actor, member, now=now)
    return member


def can_moderate(viewer: Any, *, now: datetime) -> bool:
    """Whether the header shows the viewer the way to the queue."""
    return (
        can(viewer, Action.CONTENT_FLAG, now=now)
        and moderated_brands(viewer, now=now) != frozenset()
    )
