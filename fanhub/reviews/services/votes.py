"""Members' "helpful" votes on reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from fanhub.brands.models import Role
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Forbidden
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, holds, require
from fanhub.reviews.models import Review, ReviewVote
from fanhub.reviews.services.access import _brand_of, _product_of
from fanhub.reviews.services.products import _product_changed
from fanhub.reviews.visibility import is_published


def vote_helpful(actor: Actor, review: Review, *, now: datetime) -> int:
    """Count the member's "helpful" vote for a review (one per member per review); returns
    how many members now find it helpful.

    :raises Forbidden: suspended, her own review, or she is on the brand's team.
    :raises Conflict: the review is not published, or she already voted for it.
    """
    _require_voter(actor, review, now=now)
    already = "You already marked this review as helpful."
    if (
        db.session.scalar(
            select(ReviewVote.id).where(
                ReviewVote.review_id == review.id, ReviewVote.user_id == actor.id
            )
        )
        is not None
    ):
        raise Conflict(already)
    with transaction():
        db.session.add(ReviewVote(review_id=review.id, user_id=actor.id, created_at=now))
        try:
            db.session.flush()  # a double click sends two; the unique key keeps one
        except IntegrityError:
            raise Conflict(already) from None
        count = _move_helpful(review.id, 1)
        _helpful_changed(review)
    return count


def withdraw_helpful(actor: Actor, review: Review, *, now: datetime) -> int:
    """Take back the member's "helpful" vote; returns how many members still find the
    review helpful.

    :raises Forbidden: suspended, her own review, or she is on the brand's team.
    :raises Conflict: the review is not published, or she had not voted for it.
    """
    _require_voter(actor, review, now=now)
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(ReviewVote).where(
                    ReviewVote.review_id == review.id, ReviewVote.user_id == actor.id
                )
            )
        )
        if not removed:
            raise Conflict("You had not marked this review as helpful.")
        count = _move_helpful(review.id, -1)
        _helpful_changed(review)
    return count


def _require_voter(actor: Actor, review: Review, *, now: datetime) -> None:
    require(actor, Action.REVIEW_VOTE, review.brand_id, now=now)
    if actor.id == review.author_id:
        raise Forbidden("You can't vote for your own review.")
    if holds(actor, review.brand_id, Role.OWNER, Role.STAFF):
        # "Most helpful" decides what shoppers read first: not the brand's call.
        raise Forbidden("The brand's team can't vote on reviews of its products.")
    if not is_published(review):
        raise Conflict("Only published reviews can be voted helpful.")


def _move_helpful(review_id: int, delta: int) -> int:
    # In SQL, so two members voting at the same instant both count; the count it returns
    # is the one her own vote left.
    return db.session.execute(
        update(Review)
        .where(Review.id == review_id)
        .values(helpful_count=Review.helpful_count + delta)
        .returning(Review.helpful_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _helpful_changed(review: Review) -> None:
    # The widget shows the most helpful reviews first, with their counts.
    product = _product_of(review)
    _product_changed(_brand_of(product), product)
