"""The product page and the review page: what a viewer sees and may do there."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload

from fanhub.brands.models import Role
from fanhub.brands.services.lifecycle import closed_refusal
from fanhub.cursors import make_cursor, read_cursor
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, can, holds, participation_refusal
from fanhub.reviews.models import (
    REVIEWS_PER_PAGE,
    Product,
    ReplyStatus,
    Review,
    ReviewReply,
    ReviewVote,
)
from fanhub.reviews.services.access import _brand_of, own_review
from fanhub.reviews.services.schema import product_schema
from fanhub.reviews.services.writing import parse_stars, writing_refusal
from fanhub.reviews.visibility import (
    PUBLISHED_REVIEW,
    is_published,
    reply_listed_clause,
    reply_visible,
)

SORTS = ("helpful", "newest", "highest", "lowest")


@dataclass
class ProductPage:
    """Everything the product page shows, and what this viewer may do there."""

    product: Product
    reviews: list[Review]
    sort: str
    stars: int | None
    cursor: str | None
    next_cursor: str | None
    # The viewer's own review, whatever its status (shown to her with why, if hidden).
    my_review: Review | None = None
    # Reviews on this page the viewer found helpful.
    my_votes: set[int] = field(default_factory=set)
    viewer_id: int | None = None
    # The brand marked her review resolved and she has not changed her rating since.
    invite_update: bool = False
    can_write: bool = False
    write_refusal: str | None = None
    can_vote: bool = False
    can_answer: bool = False
    can_moderate: bool = False
    can_verify: bool = False
    can_manage: bool = False
    can_flag: bool = False
    # schema.org Product + AggregateRating + Review, or None without published reviews.
    schema: dict[str, Any] | None = None


def product_page(
    viewer: Actor,
    product: Product,
    *,
    sort: str = "helpful",
    stars: str | int | None = None,
    cursor: str | None = None,
    url: str | None = None,
    now: datetime,
) -> ProductPage:
    """One page of a product's published reviews, 10 at a time, paged by a cursor.

    `sort` is helpful (most helpful first), newest, highest or lowest; `stars` keeps
    only reviews with that many stars. `url` is the page's public address for the
    schema.org block.

    :raises Invalid: the star filter or the cursor is not one this page handed out.
    """
    if sort not in SORTS:
        sort = "helpful"
    wanted = None
    if stars not in (None, ""):
        try:
            wanted = parse_stars(stars)
        except Invalid:
            raise Invalid("Filter by 1 to 5 stars.") from None
    query = (
        select(Review)
        .options(
            joinedload(Review.author),
            joinedload(Review.latest_answer).joinedload(ReviewReply.author),
        )
        .where(Review.product_id == product.id, PUBLISHED_REVIEW)
    )
    if wanted is not None:
        query = query.where(Review.stars == wanted)
    query = _keyset(query, sort, cursor)
    reviews = list(db.session.scalars(query.limit(REVIEWS_PER_PAGE + 1)).unique())
    next_cursor = None
    if len(reviews) > REVIEWS_PER_PAGE:
        reviews = reviews[:REVIEWS_PER_PAGE]
        next_cursor = _make_cursor(reviews[-1], sort)
    page = ProductPage(product, reviews, sort, wanted, cursor, next_cursor)
    brand = _brand_of(product)
    if product.rating_count:
        page.schema = product_schema(product, brand, reviews, url=url)
    refusal = writing_refusal(viewer, product, now=now)
    page.can_write = refusal is None
    if getattr(viewer, "is_authenticated", False):
        page.viewer_id = viewer.id
        page.write_refusal = refusal
        page.my_review = mine = own_review(viewer, product)
        page.invite_update = bool(
            mine
            and mine.resolved_at
            and (mine.stars_changed_at is None or mine.stars_changed_at < mine.resolved_at)
        )
        page.can_vote = can(viewer, Action.REVIEW_VOTE, brand.id, now=now) and not holds(
            viewer, brand.id, Role.OWNER, Role.STAFF
        )
        if page.can_vote and reviews:
            page.my_votes = set(
                db.session.scalars(
                    select(ReviewVote.review_id).where(
                        ReviewVote.user_id == viewer.id,
                        ReviewVote.review_id.in_([r.id for r in reviews]),
                    )
                )
            )
        page.can_answer = can(viewer, Action.REVIEW_ANSWER, brand.id, now=now)
        page.can_moderate = can(viewer, Action.REVIEW_MODERATE, brand.id, now=now)
        page.can_verify = can(viewer, Action.REVIEW_VERIFY, brand.id, now=now)
        page.can_manage = can(viewer, Action.PRODUCT_MANAGE, brand.id, now=now)
        page.can_flag = can(viewer, Action.CONTENT_FLAG, brand.id, now=now)
    return page


# Each sort's column and whether it runs high to low; ties go newest first.
_SORT_COLUMNS = {
    "helpful": (Review.helpful_count, True),
    "highest": (Review.stars, True),
    "lowest": (Review.stars, False),
}


def _keyset(query: Any, sort: str, cursor: str | None) -> Any:
    """Order by the sort's column, then newest first, resuming after `cursor`.

    A range on an indexed column, never OFFSET: page 500 costs what page 1 does.
    """
    if sort == "newest":
        if cursor is not None:
            query = query.where(Review.id < read_cursor(cursor, int)[0])
        return query.order_by(Review.id.desc())
    column, descending = _SORT_COLUMNS[sort]
    if cursor is not None:
        value, last_id = read_cursor(cursor, int, int)
        beyond = column < value if descending else column > value
        query = query.where(or_(beyond, and_(column == value, Review.id < last_id)))
    return query.order_by(column.desc() if descending else column.asc(), Review.id.desc())


def _make_cursor(review: Review, sort: str) -> str:
    if sort == "newest":
        return make_cursor(review.id)
    value = review.helpful_count if sort == "helpful" else review.stars
    return make_cursor(value, review.id)


@dataclass
class ReviewPage:
    """A review and the whole conversation under it, and what this viewer may do there."""

    review: Review
    replies: list[ReviewReply]
    viewer_id: int | None = None
    is_author: bool = False
    has_voted: bool = False
    can_reply: bool = False
    # Why a signed-in viewer may not reply (suspended), said where the form would be.
    reply_refusal: str | None = None
    can_vote: bool = False
    can_answer: bool = False
    can_resolve: bool = False
    can_moderate: bool = False
    can_verify: bool = False
    can_edit: bool = False
    can_flag: bool = False
    # Replies moderation hid that this viewer still sees: her own, or all for moderators.
    sees_hidden_of: set[int] = field(default_factory=set)


def review_page(viewer: Actor, review: Review, *, now: datetime) -> ReviewPage:
    """A review with every reply under it, oldest first; a reply waiting for a moderator
    only for its author and the moderators (nobody else knows of it yet)."""
    signed_in = getattr(viewer, "is_authenticated", False)
    brand_id = review.brand_id
    moderator = signed_in and can(viewer, Action.CONTENT_MODERATE, brand_id, now=now)
    query = (
        select(ReviewReply)
        .options(joinedload(ReviewReply.author))
        .where(ReviewReply.review_id == review.id)
        .order_by(ReviewReply.id)
    )
    if not moderator:
        query = query.where(reply_listed_clause(viewer, moderator=False))
    replies = list(db.session.scalars(query))
    page = ReviewPage(review, replies)
    if not signed_in:
        return page
    published = is_published(review)
    page.viewer_id = viewer.id
    page.is_author = viewer.id == review.author_id
    closed = closed_refusal(viewer, brand_id)
    page.can_reply = (
        published and can(viewer, Action.REVIEW_REPLY, brand_id, now=now) and closed is None
    )
    if published and not page.can_reply:
        page.reply_refusal = closed or participation_refusal(viewer, now=now)
    page.can_vote = (
        published
        and not page.is_author
        and can(viewer, Action.REVIEW_VOTE, brand_id, now=now)
        and not holds(viewer, brand_id, Role.OWNER, Role.STAFF)
    )
    if page.can_vote:
        page.has_voted = (
            db.session.scalar(
                select(ReviewVote.id).where(
                    ReviewVote.review_id == review.id, ReviewVote.user_id == viewer.id
                )
            )
            is not None
        )
    page.can_answer = published and can(viewer, Action.REVIEW_ANSWER, brand_id, now=now)
    page.can_resolve = page.can_answer and review.resolved_at is None
    page.can_moderate = can(viewer, Action.REVIEW_MODERATE, brand_id, now=now)
    page.can_verify = can(viewer, Action.REVIEW_VERIFY, brand_id, now=now)
    page.can_edit = page.is_author and writing_refusal(viewer, review.product, now=now) is None
    page.can_flag = published and can(viewer, Action.CONTENT_FLAG, brand_id, now=now)
    page.sees_hidden_of = {
        reply.id
        for reply in replies
        if reply.status is not ReplyStatus.VISIBLE
        and reply_visible(viewer, reply, moderator=moderator)
    }
    return page
