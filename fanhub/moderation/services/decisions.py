"""A moderator's decisions in the queue: several items at once, each its own unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from fanhub.accounts.models import User, UserStatus
from fanhub.content import GONE, HIDDEN, PENDING, REMOVED, VISIBLE, Item, content_kind
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.inputs import MAX_ID, MAX_INT64, optional_int, parse_int
from fanhub.moderation.models import Case, CaseStatus, Decision, Flag, FlagStatus, opened_stamp
from fanhub.moderation.services.held import decide_held, decide_waiting
from fanhub.moderation.services.items import (
    NEEDS_RULE,
    DecisionDraft,
    check_draft,
    load_item,
    waiting_lists,
)
from fanhub.moderation.services.record import did, log, moderated, snapshot, tell, with_rule
from fanhub.moderation.services.sanctions import sanction_author
from fanhub.permissions import Action, Actor, require


@dataclass
class Outcome:
    """What happened to one item of a batch: done, or why nothing changed."""

    ref: str
    done: bool
    message: str


class NothingDone(Conflict):
    """Every item of a batch was handled meanwhile; `outcomes` says why, item by item."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__(" ".join(dict.fromkeys(outcome.message for outcome in outcomes)))
        self.outcomes = outcomes


def decide(
    moderator: Actor, refs: list[str], draft: DecisionDraft, *, now: datetime
) -> list[Outcome]:
    """Apply one decision (and/or a sanction of their authors) to several queue items.

    Each item is its own unit of work: an item someone else handled meanwhile is
    reported and left alone, the others go through.

    :raises Invalid: no items, no decision, or a rule missing where the member must be told one.
    :raises NotFound: an item does not exist.
    :raises Forbidden: an item is outside the moderator's brands (nothing changes).
    :raises NothingDone: every item was already handled (a Conflict; nothing changes).
    """
    check_draft(draft)
    if not refs:
        raise Invalid("Tick at least one item.", field="items")
    waiting = {kind.kind.value: kind for kind in waiting_lists()}
    parsed = [_parse_ref(ref, waiting) for ref in dict.fromkeys(refs)]
    items = list(dict.fromkeys((kind, ident) for kind, ident, _ in parsed))
    # When the queue showed each case open: one closed and reported again since is new.
    shown_open = {ident: opened for kind, ident, opened in parsed if kind == "case"}
    cases = {
        case.id: case
        for case in db.session.scalars(
            select(Case).where(Case.id.in_([i for k, i in items if k == "case"]))
        )
    }
    # Items waiting outside the cases (a pending review), by their kind's name.
    loaded: dict[str, dict[int, Item]] = {
        name: content_kind(kind.kind).load({i for k, i in items if k == name})
        for name, kind in waiting.items()
        if any(k == name for k, _ in items)
    }
    # Authorise every item before touching any: outside her brands, nothing changes.
    for kind, ident in items:
        found = cases.get(ident) if kind == "case" else loaded.get(kind, {}).get(ident)
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
                message = decide_waiting(moderator, loaded[kind][ident], draft, now)
        except Conflict as err:
            outcomes.append(Outcome(ref, False, err.message))
        else:
            outcomes.append(Outcome(ref, True, message))
    if not any(outcome.done for outcome in outcomes):
        raise NothingDone(outcomes)
    return outcomes


def _parse_ref(ref: str, waiting: dict[str, Any]) -> tuple[str, int, int | None]:
    """A queue item's reference: "case:<id>[:<opened>]" or "<kind>:<id>" for an item
    waiting outside the cases ("review:<id>")."""
    kind, _, rest = ref.partition(":")
    ident, _, opened = rest.partition(":")
    unknown = "That item is not one the queue showed."
    if (kind != "case" and kind not in waiting) or (opened and kind != "case"):
        raise Invalid(unknown)
    return (
        kind,
        parse_int(ident, lo=1, hi=MAX_ID, message=unknown),
        optional_int(opened, lo=0, hi=MAX_INT64, message=unknown),  # microseconds
    )


def _decide_case(
    moderator: Actor, case: Case, draft: DecisionDraft, now: datetime, shown_open: int | None = None
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
        target = load_item(fresh.item_kind, fresh.item_id)
        if target is None:
            raise Conflict("That item was deleted meanwhile: nothing to do.")
        done = []
        if draft.decision is not None:
            done.append(_apply(moderator, fresh, target, draft, now))
            _close(fresh, moderator, draft.decision, now)
        if draft.sanction is not None:
            done.append(sanction_author(moderator, target, draft, now))
    if draft.decision is not None:
        content_kind(target.kind).after_commit(target)
    return " ".join(done)


def _author_deleted(target: Item) -> bool:
    author = db.session.get(User, target.author_id) if target.author_id is not None else None
    return author is not None and author.status is UserStatus.DELETED


def _handled_message(case: Case) -> str:
    who = db.session.get(User, case.closed_by_id) if case.closed_by_id else None
    what = did(case.last_decision, "it").lower() if case.last_decision else "decided on it"
    by = f" by {who.name}" if who else ""
    return f"Already handled{by} ({what}): nothing changed."


def _apply(moderator: Actor, case: Case, target: Item, draft: DecisionDraft, now: datetime) -> str:
    decision = draft.decision
    if decision is None:
        raise Invalid("Choose what to do.", field="decision")
    flags = case.open_flag_count
    before = snapshot(target, flags)
    if target.state == PENDING:
        return decide_held(moderator, case, target, draft, now)
    if decision in (Decision.APPROVE, Decision.REJECT):
        raise Conflict("Approve and reject are for items waiting for a moderator.")
    if target.state in (GONE, PENDING):
        raise Conflict(f"This {target.noun} is no longer up for a decision.")
    kind = content_kind(target.kind)
    if decision is Decision.DISMISS:
        kind.set_state(target, VISIBLE, rule=None, reason="", now=now)
        message = (
            f"A moderator reviewed the reports about your {target.noun} "
            f"in “{target.context}”: it stays up."
        )
    elif decision is Decision.HIDE:
        if target.state == REMOVED:
            raise Conflict(f"This {target.noun} is already removed.")
        kind.set_state(target, HIDDEN, rule=draft.rule, reason=draft.reason, now=now)
        message = f"A moderator hid your {target.noun} in “{target.context}”"
    elif decision is Decision.REMOVE:
        kind.set_state(target, REMOVED, rule=draft.rule, reason=draft.reason, now=now)
        message = f"A moderator removed your {target.noun} in “{target.context}”"
    elif decision is Decision.RESTORE:
        if target.state == REMOVED and _author_deleted(target):
            # She deleted her account and took her words with her: that is hers to decide.
            raise Conflict(f"This {target.noun}'s author deleted their account: it stays removed.")
        kind.set_state(target, VISIBLE, rule=None, reason="", now=now)
        message = f"A moderator restored your {target.noun} in “{target.context}”."
    else:  # LOCK: the thread the item stands in, for a kind that has one
        if target.thread is None:
            raise Conflict("Only forum topics and posts have a topic to lock.")
        if target.thread.is_locked:
            raise Conflict("This topic is already locked.")
        target.thread.is_locked = True
        message = f"A moderator locked the topic “{target.context}” after your {target.noun}"
    moderated(target)
    after = snapshot(target, 0)
    if decision is Decision.LOCK:
        before["locked"], after["locked"] = False, True
    action = log(
        moderator, decision, target, draft.rule, draft.reason, before, after, now, case.brand_id
    )
    if decision in NEEDS_RULE:
        message = with_rule(message, draft)
    tell(target.author_id, action, target, message, now=now)
    return did(decision, f"the {target.noun}") + "."


def _close(case: Case, moderator: Actor, decision: Decision, now: datetime) -> None:
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
