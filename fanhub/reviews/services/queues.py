"""The staff's review queues: unanswered reviews and reviews waiting for a moderator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload

from fanhub.brands.models import Brand
from fanhub.cursors import make_cursor, read_cursor
from fanhub.extensions import db
from fanhub.moderation import trust
from fanhub.moderation.models import ItemKind
from fanhub.permissions import Action, Actor, require
from fanhub.reviews.models import Review, ReviewStatus
from fanhub.reviews.visibility import PUBLISHED_REVIEW

QUEUE_PAGE_SIZE = 20


@dataclass
class ReviewQueue:
    """A page of a brand's reviews waiting on someone, and where the next page starts."""

    brand: Brand
    reviews: list[Review]
    next_cursor: str | None
    # Why the trust rules held a pending review (fanhub.moderation.trust), by review id.
    hold_reasons: dict[int, str] = field(default_factory=dict)


def unanswered_reviews(
    actor: Actor,
    brand: Brand,
    *,
    cursor: str | None = None,
    now: datetime,
    exclude: ColumnElement[bool] | None = None,
    page_size: int = QUEUE_PAGE_SIZE,
) -> ReviewQueue:
    """Published reviews the brand has not answered: lowest rating first, then oldest.

    `exclude` is a condition on `Review` naming reviews that wait on nobody although
    unanswered (the staff desk passes its "no reply needed" marks, which this domain
    doesn't know about); `page_size` how many a page holds.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Invalid: the cursor is not one this page handed out.
    """
    require(actor, Action.REVIEW_ANSWER, brand.id, now=now)
    query = _queue_query(brand).where(PUBLISHED_REVIEW, Review.answered_at.is_(None))
    if exclude is not None:
        query = query.where(~exclude)
    if cursor is not None:
        stars, written, last_id = read_cursor(cursor, int, datetime, int)
        query = query.where(
            or_(
                Review.stars > stars,
                and_(Review.stars == stars, Review.created_at > written),
                and_(Review.stars == stars, Review.created_at == written, Review.id > last_id),
            )
        )
    reviews = list(
        db.session.scalars(
            query.order_by(Review.stars, Review.created_at, Review.id).limit(page_size + 1)
        )
    )
    next_cursor = None
    if len(reviews) > page_size:
        reviews = reviews[:page_size]
        last = reviews[-1]
        next_cursor = make_cursor(last.stars, last.created_at, last.id)
    return ReviewQueue(brand, reviews, next_cursor)


def pending_reviews(
    actor: Actor, brand: Brand, *, cursor: str | None = None, now: datetime
) -> ReviewQueue:
    """Reviews waiting for a moderator, oldest first.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Invalid: the cursor is not one this page handed out.
    """
    require(actor, Action.REVIEW_MODERATE, brand.id, now=now)
    query = _queue_query(brand).where(Review.status == ReviewStatus.PENDING)
    if cursor is not None:
        query = query.where(Review.id > read_cursor(cursor, int)[0])
    reviews = list(db.session.scalars(query.order_by(Review.id).limit(QUEUE_PAGE_SIZE + 1)))
    next_cursor = None
    if len(reviews) > QUEUE_PAGE_SIZE:
        reviews = reviews[:QUEUE_PAGE_SIZE]
        next_cursor = make_cursor(reviews[-1].id)
    reasons = trust.hold_reasons(ItemKind.REVIEW, [review.id for review in reviews])
    return ReviewQueue(brand, reviews, next_cursor, reasons)


def _queue_query(brand: Brand) -> Any:
    return (
        select(Review)
        .options(joinedload(Review.author), joinedload(Review.product))
        .where(Review.brand_id == brand.id)
    )
