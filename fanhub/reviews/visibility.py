"""Who may see a review or a reply: the one rule, in Python for one row and in SQL for lists.

A review is public once published; until then, and after a moderator takes it down, only
its author and the brand's moderators see it. A reply is listed under its review unless it
was never published (waiting for a moderator, or refused while it waited), which only its
author and the moderators know of; a reply hidden or removed after it was published keeps
its place, its words shown only to its author and the moderators.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from fanhub.moderation.models import Case, Decision, ItemKind
from fanhub.permissions import Action, Actor, brands_where, can
from fanhub.reviews.models import ReplyStatus, Review, ReviewReply, ReviewStatus

# The reviews everyone sees: the product page, the widget, the schema.org block, the ratings.
PUBLISHED_REVIEW: ColumnElement[bool] = Review.status == ReviewStatus.PUBLISHED


def is_published(review: Review) -> bool:
    """Whether everyone sees the review (the same rule as `PUBLISHED_REVIEW`)."""
    return review.status is ReviewStatus.PUBLISHED


def _signed_in(viewer: Actor) -> bool:
    return bool(getattr(viewer, "is_authenticated", False))


def review_visible(viewer: Actor, review: Review, *, now: datetime) -> bool:
    """Published reviews are public; any other only to its author and the moderators."""
    if is_published(review):
        return True
    if _signed_in(viewer) and viewer.id == review.author_id:
        return True
    return can(viewer, Action.REVIEW_MODERATE, review.brand_id, now=now)


def review_visible_clause(viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
    """The SQL filter for the reviews the viewer may see (the rule of `review_visible`)."""
    if not _signed_in(viewer):
        return PUBLISHED_REVIEW
    moderated = brands_where(viewer, Action.REVIEW_MODERATE, now=now)
    if moderated is None:  # a site admin
        return true()
    return or_(PUBLISHED_REVIEW, Review.author_id == viewer.id, Review.brand_id.in_(moderated))


def rejected_while_held(reply_id: Any) -> Any:
    """The reply's case, if its last decision was a rejection: a decision only ever made
    about items waiting for a moderator (fanhub.moderation)."""
    return select(Case.id).where(
        Case.item_kind == ItemKind.REVIEW_REPLY,
        Case.item_id == reply_id,
        Case.last_decision == Decision.REJECT,
    )


def reply_listed_clause(viewer: Actor, *, moderator: bool) -> ColumnElement[bool]:
    """The SQL filter for the replies listed under a review for this viewer; `moderator`
    says whether she moderates the review's brand (she then sees every reply)."""
    if moderator:
        return true()
    # Never published: waiting for a moderator, or refused while it waited.
    unpublished = or_(
        ReviewReply.status == ReplyStatus.PENDING,
        and_(
            ReviewReply.status == ReplyStatus.REMOVED,
            rejected_while_held(ReviewReply.id).exists(),
        ),
    )
    if _signed_in(viewer):
        unpublished = and_(unpublished, ReviewReply.author_id != viewer.id)
    return ~unpublished


def reply_visible(viewer: Actor, reply: ReviewReply, *, moderator: bool) -> bool:
    """Whether the viewer may read the reply's words: shown ones to everyone, any other
    to its author and (`moderator`) the moderators of its review's brand."""
    if reply.status is ReplyStatus.VISIBLE or moderator:
        return True
    return _signed_in(viewer) and reply.author_id == viewer.id


def reply_visible_clause(viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
    """The SQL filter for the replies whose words the viewer may read, under reviews she
    may see (the rule of `reply_visible`, for any brand)."""
    under_visible = ReviewReply.review_id.in_(
        select(Review.id).where(review_visible_clause(viewer, now=now))
    )
    shown = ReviewReply.status == ReplyStatus.VISIBLE
    if not _signed_in(viewer):
        return and_(shown, under_visible)
    moderated = brands_where(viewer, Action.CONTENT_MODERATE, now=now)
    if moderated is None:  # a site admin
        return true()
    in_moderated = (
        ReviewReply.review_id.in_(select(Review.id).where(Review.brand_id.in_(moderated)))
        if moderated
        else false()
    )
    return or_(in_moderated, and_(or_(shown, ReviewReply.author_id == viewer.id), under_visible))
