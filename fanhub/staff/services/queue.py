"""The desk's queue: what waits for the brand's answer, with who is on each item."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, load_only

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand
from fanhub.brands.services import customer_questions
from fanhub.extensions import db
from fanhub.forums.models import Category, Post, Topic
from fanhub.permissions import Action, Actor, require
from fanhub.reviews.models import Review
from fanhub.reviews.services import QUEUE_PAGE_SIZE, ReviewQueue, unanswered_reviews
from fanhub.staff.models import Claim, ClaimTarget, marked_no_reply
from fanhub.staff.services.access import name_of
from fanhub.staff.services.claims import ClaimState

QUEUE_TOPICS = 30
QUEUE_REVIEWS = 20
EXCERPT_CHARS = 160


# The author of a waiting topic. Made once: an alias made per call costs more to set up
# (its columns are proxied on first use) than the rest of the query's construction.
_Author = aliased(User, name="author")


@dataclass(frozen=True)
class Customer:
    """Who opened a waiting item, as its row shows them: only what the row prints."""

    username: str
    name: str
    # A deleted account keeps its (anonymised) row; the desk names it "a deleted member".
    is_deleted: bool = False


@dataclass(frozen=True)
class QueueRow:
    """One item waiting for the brand's answer, as a row of the desk."""

    kind: ClaimTarget
    id: int
    title: str
    excerpt: str
    who: Customer | None
    where: str
    opened_at: datetime
    waiting_seconds: int
    # The topic's slug, or the review's product slug: what the row's link needs.
    slug: str
    stars: int | None = None
    claim: ClaimState | None = None
    claimed_by_me: bool = False

    @property
    def claimed_by_other(self) -> bool:
        return self.claim is not None and not self.claimed_by_me

    @property
    def key(self) -> str:
        return f"{self.kind.value}-{self.id}"


@dataclass(frozen=True)
class Queue:
    topics: list[QueueRow]
    topics_waiting: int
    reviews: list[QueueRow]
    more_reviews: bool


def unanswered_queue(actor: Actor, brand: Brand, *, now: datetime) -> Queue:
    """What waits for the brand: customer questions without an official reply (oldest
    first) and published reviews without an answer (lowest rating first, as
    `reviews.services.unanswered_reviews` orders them), each with who is on it. Items
    marked "no reply needed" are not waiting (services.no_reply).

    Items a colleague holds sink below the rest of their list: what the viewer can pick
    up next is on top, and nothing disappears.

    :raises Forbidden: the actor does not answer for the brand.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    waiting = (
        *customer_questions(brand.id),
        Topic.first_official_reply_at.is_(None),
        ~marked_no_reply(ClaimTarget.TOPIC, Topic.id),
    )
    # Only the columns a row shows (building 30 whole topics and their authors cost more
    # than running the query), and how many wait in all as a subquery the database runs
    # once: one round trip instead of two (docs/performance.md, the staff desk).
    topic_rows = db.session.execute(
        select(
            Topic.id,
            Topic.title,
            Topic.slug,
            Topic.created_at,
            _Author,
            Category.name,
            Post.body,
            select(func.count())
            .select_from(Topic)
            .where(*waiting)
            .scalar_subquery()
            .label("waiting_in_all"),
        )
        .options(load_only(_Author.username, _Author.display_name, _Author.status))
        .outerjoin(_Author, _Author.id == Topic.author_id)
        .join(Category, Category.id == Topic.category_id)
        .outerjoin(Post, and_(Post.topic_id == Topic.id, Post.position == 1))
        .where(*waiting)
        .order_by(Topic.created_at, Topic.id)
        .limit(QUEUE_TOPICS)
    ).all()
    # No row: nothing waits, so the count is 0 too.
    topics_waiting = topic_rows[0].waiting_in_all if topic_rows else 0
    review_page = waiting_reviews(actor, brand, now=now, page_size=QUEUE_REVIEWS)
    reviews = review_page.reviews
    more_reviews = review_page.next_cursor is not None
    claims = _claims_on(brand, now) if topic_rows or reviews else {}

    def row(kind: ClaimTarget, ident: int, **values: Any) -> QueueRow:
        held = claims.get((kind, ident))
        return QueueRow(
            kind=kind,
            id=ident,
            claim=held,
            claimed_by_me=held is not None and held.holder_id == actor.id,
            waiting_seconds=max(int((now - values["opened_at"]).total_seconds()), 0),
            **values,
        )

    topics = [
        row(
            ClaimTarget.TOPIC,
            ident,
            title=title,
            excerpt=_excerpt(body or ""),
            who=_customer(author),
            where=category_name,
            opened_at=opened_at,
            slug=slug,
        )
        for ident, title, slug, opened_at, author, category_name, body, _ in topic_rows
    ]
    review_rows = [
        row(
            ClaimTarget.REVIEW,
            review.id,
            title=review.title or f"{review.stars}-star review",
            excerpt=_excerpt(review.body),
            who=_customer(review.author),
            where=review.product.name,
            opened_at=review.published_at or review.created_at,
            slug=review.product.slug,
            stars=review.stars,
        )
        for review in reviews
    ]
    return Queue(
        topics=_colleagues_last(topics),
        topics_waiting=topics_waiting,
        reviews=_colleagues_last(review_rows),
        more_reviews=more_reviews,
    )


def waiting_reviews(
    actor: Actor,
    brand: Brand,
    *,
    cursor: str | None = None,
    now: datetime,
    page_size: int = QUEUE_PAGE_SIZE,
) -> ReviewQueue:
    """The reviews waiting for the brand's answer, in the reviews domain's order, less those
    marked "no reply needed": the desk's list and its "all unanswered reviews" page."""
    return unanswered_reviews(
        actor,
        brand,
        cursor=cursor,
        now=now,
        exclude=marked_no_reply(ClaimTarget.REVIEW, Review.id),
        page_size=page_size,
    )


def _colleagues_last(rows: list[QueueRow]) -> list[QueueRow]:
    # A stable sort: each group keeps its own order (oldest first, or lowest rating first).
    return sorted(rows, key=lambda r: r.claimed_by_other)


def _claims_on(brand: Brand, now: datetime) -> dict[tuple[ClaimTarget, int], ClaimState]:
    """The brand's live claims with their holders, by item, in one query.

    All of them rather than those on the items shown: a claim lasts an hour, so a team
    holds a handful, and the brand's index answers without the fifty-value IN list that
    cost more to build and send than the query took to run.
    """
    rows = db.session.execute(
        select(Claim.target_kind, Claim.target_id, Claim.expires_at, User)
        .options(load_only(User.username, User.display_name))
        .join(User, User.id == Claim.staff_id)
        .where(Claim.brand_id == brand.id, Claim.expires_at > now)
    ).all()
    return {
        (kind, ident): ClaimState(kind, ident, "", name_of(holder), holder.id, until)
        for kind, ident, until, holder in rows
    }


def _customer(author: User | None) -> Customer | None:
    """What a row shows of the item's author; None when it has no author row at all."""
    if author is None:
        return None
    return Customer(author.username, author.name, author.status is UserStatus.DELETED)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"
