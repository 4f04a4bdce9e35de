""" "No reply needed": a waiting topic or review the team decides not to answer (a 5-star
thank-you is not work, issue 13) leaves the desk's queue, with the reason kept, until undone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, load_only

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import cache, db
from fanhub.forums.models import Topic
from fanhub.inputs import has_control_characters
from fanhub.permissions import Action, Actor, require
from fanhub.reviews.models import Product, Review
from fanhub.staff.models import NO_REPLY_REASON_MAX, Claim, ClaimTarget, NoReplyNeeded
from fanhub.staff.services.access import WINDOWS, name_of
from fanhub.staff.services.claims import _holder, _item_title, _waiting_item_title
from fanhub.staff.services.metrics import metrics_cache_key

# The desk lists the latest marks so any of them can be undone; older ones stay marked.
MARKS_SHOWN = 20

_Staff = aliased(User, name="marked_by")


@dataclass(frozen=True)
class MarkedRow:
    """An item marked "no reply needed", as the desk lists it (with its undo button)."""

    kind: ClaimTarget
    id: int
    title: str
    reason: str
    by: str
    marked_at: datetime
    # The topic's slug, or the review's product slug: what the row's link needs.
    slug: str

    @property
    def key(self) -> str:
        return f"no-reply-{self.kind.value}-{self.id}"


def check_reason(reason: str) -> str:
    """The reason as kept: trimmed, required, one line of at most NO_REPLY_REASON_MAX.

    :raises Invalid: it is empty, too long or not one line of plain text.
    """
    if has_control_characters(reason):
        raise Invalid("The reason is plain text, without control characters.", field="reason")
    reason = " ".join(reason.split())  # one line: line breaks and runs of spaces fold
    if not reason:
        raise Invalid("Say why no reply is needed, e.g. “a 5-star thank-you”.", field="reason")
    if len(reason) > NO_REPLY_REASON_MAX:
        raise Invalid(
            f"Keep the reason to {NO_REPLY_REASON_MAX} characters or fewer.", field="reason"
        )
    return reason


def mark_no_reply(
    actor: User, brand: Brand, kind: ClaimTarget, target_id: int, reason: str, *, now: datetime
) -> str:
    """Mark a waiting topic or review "no reply needed", keeping why; returns its title.

    It leaves the queue (and any claim on it goes: nobody is answering it now), and the
    metrics count it apart from answered and unanswered.

    :raises Forbidden: the actor does not answer for the brand.
    :raises Invalid: the reason is missing, too long or not plain text.
    :raises NotFound: the item is not the brand's.
    :raises Conflict: it has an official answer already, a colleague is answering it, or
        it is marked already.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    reason = check_reason(reason)
    title = _waiting_item_title(brand, kind, target_id)
    with transaction():
        # A colleague who claimed it is writing an answer: hers to finish or release.
        holder = _holder(kind, target_id)
        if holder is not None and holder.holder_id != actor.id and holder.until > now:
            raise Conflict(f"{holder.holder} is answering this (until {holder.until_label}).")
        try:
            with db.session.begin_nested():
                db.session.add(
                    NoReplyNeeded(
                        brand_id=brand.id,
                        target_kind=kind,
                        target_id=target_id,
                        reason=reason,
                        staff_id=actor.id,
                        marked_at=now,
                    )
                )
        except IntegrityError:
            # The unique (kind, target) key answered: a colleague marked it first.
            raise Conflict(f"“{title}” is already marked “no reply needed”.") from None
        db.session.execute(
            delete(Claim)
            .where(Claim.target_kind == kind, Claim.target_id == target_id)
            .execution_options(synchronize_session=False)
        )
    _forget_metrics(brand)
    return title


def undo_no_reply(
    actor: Actor, brand: Brand, kind: ClaimTarget, target_id: int, *, now: datetime
) -> str:
    """Put a marked item back in the queue; returns its title.

    Undoing an item nobody marked (a colleague undid it first) changes nothing, as
    releasing an item nobody holds.

    :raises Forbidden: the actor does not answer for the brand.
    :raises NotFound: the item is not the brand's.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    title = _item_title(brand, kind, target_id)
    with transaction():
        db.session.execute(
            delete(NoReplyNeeded)
            .where(
                NoReplyNeeded.brand_id == brand.id,
                NoReplyNeeded.target_kind == kind,
                NoReplyNeeded.target_id == target_id,
            )
            .execution_options(synchronize_session=False)
        )
    _forget_metrics(brand)
    return title


def marked_items(actor: Actor, brand: Brand, *, now: datetime) -> tuple[list[MarkedRow], int]:
    """The brand's latest marks on still-unanswered items (newest first), and how many
    there are in all, in one query.

    :raises Forbidden: the actor does not answer for the brand.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    is_topic = NoReplyNeeded.target_kind == ClaimTarget.TOPIC
    is_review = NoReplyNeeded.target_kind == ClaimTarget.REVIEW
    # A mark on an item answered since counts as answered, not as "no reply needed".
    still_unanswered = or_(
        and_(is_topic, Topic.first_official_reply_at.is_(None)),
        and_(is_review, Review.answered_at.is_(None)),
    )
    joined = (
        select(NoReplyNeeded.id)
        .outerjoin(Topic, and_(is_topic, Topic.id == NoReplyNeeded.target_id))
        .outerjoin(Review, and_(is_review, Review.id == NoReplyNeeded.target_id))
        .where(NoReplyNeeded.brand_id == brand.id, still_unanswered)
    )
    rows = db.session.execute(
        select(
            NoReplyNeeded.target_kind,
            NoReplyNeeded.target_id,
            NoReplyNeeded.reason,
            NoReplyNeeded.marked_at,
            _Staff,
            Topic.title,
            Topic.slug,
            Review.title,
            Review.stars,
            Product.slug,
            select(func.count()).select_from(joined.subquery()).scalar_subquery(),
        )
        .options(load_only(_Staff.username, _Staff.display_name))
        .outerjoin(_Staff, _Staff.id == NoReplyNeeded.staff_id)
        .outerjoin(Topic, and_(is_topic, Topic.id == NoReplyNeeded.target_id))
        .outerjoin(Review, and_(is_review, Review.id == NoReplyNeeded.target_id))
        .outerjoin(Product, Product.id == Review.product_id)
        .where(NoReplyNeeded.brand_id == brand.id, still_unanswered)
        .order_by(NoReplyNeeded.marked_at.desc(), NoReplyNeeded.id.desc())
        .limit(MARKS_SHOWN)
    ).all()
    total = int(rows[0][-1]) if rows else 0
    marks = [
        MarkedRow(
            kind=kind,
            id=ident,
            title=(topic_title or "")
            if kind is ClaimTarget.TOPIC
            else (review_title or f"{stars}-star review"),
            reason=reason,
            by=name_of(staff) if staff is not None else "a former colleague",
            marked_at=marked_at,
            slug=(topic_slug if kind is ClaimTarget.TOPIC else product_slug) or "",
        )
        for (kind, ident, reason, marked_at, staff, topic_title, topic_slug, review_title,
             stars, product_slug, _) in rows
    ]  # fmt: skip
    return marks, total


def _forget_metrics(brand: Brand) -> None:
    # The figures count marked items apart: the next desk computes them again rather than
    # showing a minute-old count.
    for days in WINDOWS:
        cache.delete(metrics_cache_key(brand.id, days))
