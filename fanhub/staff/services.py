"""The staff desk's rules: who may open it, the unanswered queue, claims, and the metrics."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, load_only

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.brands.services import access_brand_as, customer_questions
from fanhub.clock import cached_at
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forums.models import Category, CategoryKind, Post, Topic
from fanhub.inputs import optional_int
from fanhub.permissions import Action, require
from fanhub.reviews.models import Product, Review, ReviewStatus, ReviewVote
from fanhub.reviews.services import unanswered_reviews
from fanhub.staff.charts import BarChart, bar_chart
from fanhub.staff.models import CLAIM_MINUTES, Claim, ClaimTarget

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30
QUEUE_TOPICS = 30
EXCERPT_CHARS = 160
HELPERS_SHOWN = 10
DAY_SECONDS = 86_400
# A desk is reloaded after every claim; the metrics move slowly, the queue must not.
METRICS_CACHE_SECONDS = 60
# The response-time histogram: upper bounds in seconds, with the label each bucket shows.
RESPONSE_BUCKETS: tuple[tuple[int, str], ...] = (
    (3_600, "under 1 h"),
    (4 * 3_600, "1–4 h"),
    (DAY_SECONDS, "4–24 h"),
    (3 * DAY_SECONDS, "1–3 days"),
)
SLOWEST_BUCKET = "over 3 days"
UNANSWERED_BUCKET = "not answered yet"
CSV_TABLES = ("queue", "summary", "response-times", "ratings", "helpers")


# ------------------------------------------------------------------ access


def access_desk(actor: Any, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose desk the actor works at: its owners and staff, and site admins.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor does not answer for the brand.
    """
    return access_brand_as(actor, brand_slug, Action.BRAND_STAFF_ANSWER, now=now)


def parse_window(raw: str | None) -> int:
    """The metrics window in days from `?days=`: 7, 30 or 90 (30 when absent).

    :raises Invalid: anything else.
    """
    message = "Choose a window of 7, 30 or 90 days."
    days = optional_int(raw, lo=1, hi=max(WINDOWS), field="days", message=message)
    if days is None:
        return DEFAULT_WINDOW
    if days not in WINDOWS:
        raise Invalid(message, field="days")
    return days


def parse_target(raw: str) -> ClaimTarget:
    """A claim's kind from the URL.

    :raises NotFound: not a kind of item the desk knows.
    """
    try:
        return ClaimTarget(raw)
    except ValueError:
        raise NotFound("There is no such item on the desk.") from None


# ------------------------------------------------------------------ claims


@dataclass(frozen=True)
class ClaimState:
    """Who is on an item and until when, as the desk shows it."""

    kind: ClaimTarget
    target_id: int
    title: str
    holder: str
    holder_id: int
    until: datetime

    @property
    def until_label(self) -> str:
        return f"{self.until:%H:%M} UTC"


def claim(
    actor: Any, brand: Brand, kind: ClaimTarget, target_id: int, *, now: datetime
) -> ClaimState:
    """Say "I'm on it" for one waiting topic or review, for CLAIM_MINUTES.

    Claiming again extends one's own claim; an expired claim is taken over in the same
    row. Two people claiming at the same instant: exactly one wins.

    :raises Forbidden: the actor does not answer for the brand.
    :raises NotFound: the item is not the brand's.
    :raises Conflict: the item is already answered, or a colleague holds it.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    title = _waiting_item_title(brand, kind, target_id)
    until = now + timedelta(minutes=CLAIM_MINUTES)
    with transaction():
        # Take over an expired claim (or extend one's own) in one UPDATE: on PostgreSQL a
        # second claimer waits on the row lock and re-checks the condition, so only one of
        # two people taking over the same expired claim gets the row.
        taken = rows_changed(
            db.session.execute(
                update(Claim)
                .where(
                    Claim.target_kind == kind,
                    Claim.target_id == target_id,
                    or_(Claim.expires_at <= now, Claim.staff_id == actor.id),
                )
                .values(staff_id=actor.id, brand_id=brand.id, claimed_at=now, expires_at=until)
                .execution_options(synchronize_session=False)
            )
        )
        if not taken:
            try:
                with db.session.begin_nested():
                    db.session.add(
                        Claim(
                            brand_id=brand.id,
                            target_kind=kind,
                            target_id=target_id,
                            staff_id=actor.id,
                            claimed_at=now,
                            expires_at=until,
                        )
                    )
            except IntegrityError:
                # The unique (kind, target) key answered: a colleague holds it.
                holder = _holder(kind, target_id)
                raise Conflict(
                    f"{holder.holder} is already answering this (until {holder.until_label})."
                    if holder
                    else "Someone else just claimed this; reload the desk."
                ) from None
    return ClaimState(kind, target_id, title, _name(actor), actor.id, until)


def release(actor: Any, brand: Brand, kind: ClaimTarget, target_id: int, *, now: datetime) -> str:
    """Give up one's claim so a colleague can take the item; returns the item's title.

    Releasing an item nobody holds changes nothing. A colleague's claim is hers to
    release, until it expires.

    :raises Forbidden: the actor does not answer for the brand.
    :raises NotFound: the item is not the brand's.
    :raises Conflict: a colleague holds the item.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    title = _item_title(brand, kind, target_id)
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(Claim)
                .where(
                    Claim.target_kind == kind,
                    Claim.target_id == target_id,
                    or_(Claim.staff_id == actor.id, Claim.expires_at <= now),
                )
                .execution_options(synchronize_session=False)
            )
        )
        if not removed:
            holder = _holder(kind, target_id)
            if holder is not None and holder.holder_id != actor.id:
                raise Conflict(
                    f"{holder.holder} is on this until {holder.until_label}; "
                    "only they can release it before then."
                )
    return title


def _holder(kind: ClaimTarget, target_id: int) -> ClaimState | None:
    row = db.session.execute(
        select(Claim, User)
        .join(User, User.id == Claim.staff_id)
        .where(Claim.target_kind == kind, Claim.target_id == target_id)
    ).first()
    if row is None:
        return None
    held, person = row
    return ClaimState(kind, target_id, "", _name(person), person.id, held.expires_at)


def _item_title(brand: Brand, kind: ClaimTarget, target_id: int) -> str:
    """The topic's or review's title, if it is the brand's.

    :raises NotFound: it is not.
    """
    row = _item(brand, kind, target_id)
    if row is None:
        raise NotFound("There is no such item on this desk.")
    return row[0]


def _waiting_item_title(brand: Brand, kind: ClaimTarget, target_id: int) -> str:
    """The item's title, if it still waits for the brand's answer.

    :raises NotFound: it is not the brand's.
    :raises Conflict: it has an official answer already.
    """
    row = _item(brand, kind, target_id)
    if row is None:
        raise NotFound("There is no such item on this desk.")
    title, answered = row
    if answered is not None:
        raise Conflict(f"“{title}” already has an official answer.")
    return title


def _item(brand: Brand, kind: ClaimTarget, target_id: int) -> Any:
    if kind is ClaimTarget.TOPIC:
        query = select(Topic.title, Topic.first_official_reply_at).where(
            Topic.id == target_id, Topic.brand_id == brand.id
        )
    else:
        query = (
            select(func.coalesce(func.nullif(Review.title, ""), Product.name), Review.answered_at)
            .join(Product, Product.id == Review.product_id)
            .where(
                Review.id == target_id,
                Review.brand_id == brand.id,
                Review.status == ReviewStatus.PUBLISHED,
            )
        )
    return db.session.execute(query).first()


def _name(person: Any) -> str:
    return getattr(person, "name", None) or person.username


# ------------------------------------------------------------------- queue


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


def unanswered_queue(actor: Any, brand: Brand, *, now: datetime) -> Queue:
    """What waits for the brand: customer questions without an official reply (oldest
    first) and published reviews without an answer (lowest rating first, as
    `reviews.services.unanswered_reviews` orders them), each with who is on it.

    Items a colleague holds sink below the rest of their list: what the viewer can pick
    up next is on top, and nothing disappears.

    :raises Forbidden: the actor does not answer for the brand.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    waiting = (*customer_questions(brand.id), Topic.first_official_reply_at.is_(None))
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
    reviews = unanswered_reviews(actor, brand, now=now)
    claims = _claims_on(brand, now) if topic_rows or reviews.reviews else {}

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
        for review in reviews.reviews
    ]
    return Queue(
        topics=_colleagues_last(topics),
        topics_waiting=topics_waiting,
        reviews=_colleagues_last(review_rows),
        more_reviews=reviews.next_cursor is not None,
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
        (kind, ident): ClaimState(kind, ident, "", _name(holder), holder.id, until)
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


# ----------------------------------------------------------------- metrics


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int


@dataclass(frozen=True)
class WeekRating:
    starts: datetime
    reviews: int
    average: float | None


@dataclass(frozen=True)
class Helper:
    username: str
    name: str
    solutions: int
    helpful_votes: int


@dataclass(frozen=True)
class Metrics:
    """How well the brand answered over the last `days` days.

    Questions are the brand's customer questions (`customer_questions`) opened in the
    window; reviews are those published in it.
    """

    days: int
    since: datetime
    questions: int
    answered: int
    answered_within_day: int
    median_seconds: int | None
    p90_seconds: int | None
    support_questions: int
    solved: int
    reviews: int
    reviews_answered: int
    response_times: list[Bucket]
    ratings_by_week: list[WeekRating]
    helpers: list[Helper] = field(default_factory=list)
    # Names this computation of the figures: the page's rendered copy of them is cached
    # under it, so a recomputation (or a dropped cache entry) can never show an old copy.
    version: str = field(default_factory=lambda: secrets.token_hex(8), compare=False)

    @property
    def within_day_share(self) -> float | None:
        return self.answered_within_day / self.questions if self.questions else None

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def solved_share(self) -> float | None:
        return self.solved / self.support_questions if self.support_questions else None

    @property
    def review_answer_rate(self) -> float | None:
        return self.reviews_answered / self.reviews if self.reviews else None

    @property
    def average_rating(self) -> float | None:
        rated = [w for w in self.ratings_by_week if w.reviews]
        total = sum(w.reviews for w in rated)
        if not total:
            return None
        return sum((w.average or 0) * w.reviews for w in rated) / total


def desk_metrics(actor: Any, brand: Brand, days: int, *, now: datetime) -> Metrics:
    """The desk's figures over the last `days` days (7, 30 or 90), in a fixed number of
    aggregate queries whatever the brand's size. Cached for a minute per brand and window:
    figures computed less than METRICS_CACHE_SECONDS before `now` are reused.

    :raises Forbidden: the actor does not answer for the brand.
    :raises Invalid: the window is not one of 7, 30 or 90 days.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    if days not in WINDOWS:
        raise Invalid("Choose a window of 7, 30 or 90 days.", field="days")
    return cached_at(
        metrics_cache_key(brand.id, days),
        now,
        METRICS_CACHE_SECONDS,
        lambda: _metrics(brand.id, days, now),
    )


def metrics_cache_key(brand_id: int, days: int) -> str:
    """Where a brand's figures for one window are cached (for METRICS_CACHE_SECONDS)."""
    return f"staff-metrics:{brand_id}:{days}"


def _metrics(brand_id: int, days: int, now: datetime) -> Metrics:
    since = now - timedelta(days=days)
    questions = (*customer_questions(brand_id), Topic.created_at >= since)
    support = select(Category.id).where(
        Category.brand_id == brand_id, Category.kind == CategoryKind.SUPPORT
    )
    is_support = Topic.category_id.in_(support)
    total, answered, within_day, support_total, solved = db.session.execute(
        select(
            func.count(),
            func.count(Topic.first_response_seconds),
            func.coalesce(
                func.sum(case((Topic.first_response_seconds <= DAY_SECONDS, 1), else_=0)), 0
            ),
            _count_if(is_support),
            _count_if(and_(is_support, Topic.solution_post_id.is_not(None))),
        ).where(*questions)
    ).one()
    answered_questions = (*questions, Topic.first_response_seconds.is_not(None))
    median = p90 = None
    if answered:
        median = _median(answered_questions, answered)
        p90 = _nth_response(answered_questions, _rank(answered, 0.9))
    reviews_total, reviews_answered = db.session.execute(
        select(func.count(), func.count(Review.answered_at)).where(
            *_published_since(brand_id, since)
        )
    ).one()
    return Metrics(
        days=days,
        since=since,
        questions=total,
        answered=answered,
        answered_within_day=int(within_day),
        median_seconds=median,
        p90_seconds=p90,
        support_questions=int(support_total),
        solved=int(solved),
        reviews=reviews_total,
        reviews_answered=reviews_answered,
        response_times=_response_times(questions),
        ratings_by_week=_ratings_by_week(brand_id, since, now),
        helpers=_helpers(brand_id, since),
    )


def _count_if(condition: Any) -> Any:
    """How many rows meet `condition`, as an aggregate (0, not NULL, on no rows)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _rank(count: int, share: float) -> int:
    """The 0-based position of the `share` percentile by the nearest-rank method."""
    position = -(-count * round(share * 100) // 100)  # ceil(count * share), in integers
    return max(position, 1) - 1


def _median(conditions: tuple[Any, ...], count: int) -> int:
    # The middle one or two of the sorted response times, as brands.services.responsiveness.
    middle = db.session.scalars(
        select(Topic.first_response_seconds)
        .where(*conditions)
        .order_by(Topic.first_response_seconds)
        .offset((count - 1) // 2)
        .limit(2 if count % 2 == 0 else 1)
    ).all()
    return sum(filter(None, middle)) // len(middle)  # every one is set: answered questions


def _nth_response(conditions: tuple[Any, ...], position: int) -> int:
    # ORDER BY … OFFSET: one query on any database, no dialect's percentile function.
    found = db.session.scalars(
        select(Topic.first_response_seconds)
        .where(*conditions)
        .order_by(Topic.first_response_seconds)
        .offset(position)
        .limit(1)
    ).one()
    return found or 0  # callers ask only among answered questions, whose time is set


def _response_times(questions: tuple[Any, ...]) -> list[Bucket]:
    seconds = Topic.first_response_seconds
    whens: list[tuple[ColumnElement[bool], int]] = [(seconds.is_(None), len(RESPONSE_BUCKETS) + 1)]
    whens += [(seconds <= bound, index) for index, (bound, _) in enumerate(RESPONSE_BUCKETS)]
    bucket = case(*whens, else_=len(RESPONSE_BUCKETS)).label("bucket")
    counts: dict[int, int] = dict(
        db.session.execute(select(bucket, func.count()).where(*questions).group_by(bucket)).all()
    )
    labels = [label for _, label in RESPONSE_BUCKETS] + [SLOWEST_BUCKET, UNANSWERED_BUCKET]
    return [Bucket(label, counts.get(index, 0)) for index, label in enumerate(labels)]


def _published_since(brand_id: int, since: datetime) -> tuple[Any, ...]:
    return (
        Review.brand_id == brand_id,
        Review.status == ReviewStatus.PUBLISHED,
        Review.published_at >= since,
    )


def week_starts(since: datetime, now: datetime) -> list[datetime]:
    """The start of each calendar week (Monday 00:00 UTC) in the window, the first one
    clipped to the window's start."""
    monday = (since - timedelta(days=since.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    starts = [since]
    while (monday := monday + timedelta(days=7)) < now:
        starts.append(monday)
    return starts


def _ratings_by_week(brand_id: int, since: datetime, now: datetime) -> list[WeekRating]:
    starts = week_starts(since, now)
    # Weeks as a CASE over bounds computed here: portable, where date_trunc and strftime
    # are each one dialect's. Latest week first, so each review lands in the first match.
    week = case(
        *(
            (Review.published_at >= start, index)
            for index, start in reversed(list(enumerate(starts)))
        ),
        else_=0,
    ).label("week")
    rows = {
        index: (count, total)
        for index, count, total in db.session.execute(
            select(week, func.count(), func.sum(Review.stars))
            .where(*_published_since(brand_id, since))
            .group_by(week)
        ).all()
    }
    weeks = []
    for index, start in enumerate(starts):
        count, total = rows.get(index, (0, 0))
        weeks.append(WeekRating(start, count, round(total / count, 2) if count else None))
    return weeks


def _helpers(brand_id: int, since: datetime) -> list[Helper]:
    """Members (not the brand's team) whose replies solved questions opened in the window,
    and whose reviews got helpful votes cast in it: the most helpful first."""
    team = select(BrandRole.user_id).where(
        BrandRole.brand_id == brand_id, BrandRole.role.in_((Role.OWNER, Role.STAFF))
    )
    solutions = db.session.execute(
        select(Post.author_id, func.count().label("n"))
        .join(Topic, Topic.solution_post_id == Post.id)
        .where(
            Topic.brand_id == brand_id,
            Topic.created_at >= since,
            Post.author_id.is_not(None),
            Post.author_id.not_in(team),
        )
        .group_by(Post.author_id)
        .order_by(func.count().desc(), Post.author_id)
        .limit(HELPERS_SHOWN)
    ).all()
    votes = db.session.execute(
        select(Review.author_id, func.count().label("n"))
        .join(ReviewVote, ReviewVote.review_id == Review.id)
        .where(
            Review.brand_id == brand_id,
            ReviewVote.created_at >= since,
            Review.author_id.is_not(None),
            Review.author_id.not_in(team),
        )
        .group_by(Review.author_id)
        .order_by(func.count().desc(), Review.author_id)
        .limit(HELPERS_SHOWN)
    ).all()
    solved = dict(solutions)
    voted = dict(votes)
    ids = set(solved) | set(voted)
    if not ids:
        return []
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    helpers = [
        Helper(people[i].username, _name(people[i]), solved.get(i, 0), voted.get(i, 0))
        for i in ids
        if i in people
    ]
    # An accepted solution answers a question; it counts as much as five helpful votes.
    helpers.sort(key=lambda h: (-(h.solutions * 5 + h.helpful_votes), h.username))
    return helpers[:HELPERS_SHOWN]


# -------------------------------------------------------------------- page


@dataclass(frozen=True)
class Desk:
    brand: Brand
    days: int
    queue: Queue
    metrics: Metrics
    now: datetime
    rating_chart: BarChart
    response_chart: BarChart

    # The metrics half of the page is the same for every colleague until the figures are
    # computed again, so the page keeps its rendered HTML for as long as the figures
    # (docs/performance.md, the staff desk). The queue half is per viewer and never cached.
    @property
    def metrics_fragment_key(self) -> str:
        return f"staff-desk-metrics:{self.brand.id}:{self.days}:{self.metrics.version}"

    @property
    def metrics_fragment_seconds(self) -> int:
        return METRICS_CACHE_SECONDS


def desk_page(actor: Any, brand: Brand, days: int, *, now: datetime) -> Desk:
    """Everything the desk shows: the queue with its claims, and the window's metrics.

    :raises Forbidden: the actor does not answer for the brand.
    :raises Invalid: the window is not one of 7, 30 or 90 days.
    """
    metrics = desk_metrics(actor, brand, days, now=now)
    rating_chart = bar_chart(
        [
            (f"{w.starts:%-d %b}", w.average, "–" if w.average is None else f"{w.average:.1f}")
            for w in metrics.ratings_by_week
        ],
        top_value=5,
        guide=(5, "5 ★"),
    )
    response_chart = bar_chart(
        [(b.label, b.count, str(b.count)) for b in metrics.response_times],
        tones=["good", "good", "ok", "slow", "slow", "waiting"],
    )
    return Desk(
        brand,
        days,
        unanswered_queue(actor, brand, now=now),
        metrics,
        now,
        rating_chart,
        response_chart,
    )


# --------------------------------------------------------------------- CSV


def desk_table(
    actor: Any, brand: Brand, table: str, days: int, *, now: datetime
) -> list[list[Any]]:
    """One of the desk's tables as rows (a header row first), for a CSV download.

    :raises Forbidden: the actor does not answer for the brand.
    :raises NotFound: no such table.
    :raises Invalid: the window is not one of 7, 30 or 90 days.
    """
    if table not in CSV_TABLES:
        raise NotFound("The desk has no such table.")
    if table == "queue":
        queue = unanswered_queue(actor, brand, now=now)
        rows: list[list[Any]] = [
            ["kind", "id", "title", "from", "where", "stars", "opened_at", "waiting_hours",
             "claimed_by", "claimed_until"]
        ]  # fmt: skip
        for item in (*queue.topics, *queue.reviews):
            rows.append(
                [
                    item.kind.value,
                    item.id,
                    item.title,
                    item.who.username if item.who else "",
                    item.where,
                    item.stars if item.stars is not None else "",
                    item.opened_at.isoformat(timespec="seconds"),
                    round(item.waiting_seconds / 3600, 1),
                    item.claim.holder if item.claim else "",
                    item.claim.until.isoformat(timespec="seconds") if item.claim else "",
                ]
            )
        return rows
    metrics = desk_metrics(actor, brand, days, now=now)
    if table == "summary":
        return [["metric", "value"], *summary_rows(metrics)]
    if table == "response-times":
        return [["time to first official reply", "questions"]] + [
            [b.label, b.count] for b in metrics.response_times
        ]
    if table == "ratings":
        return [["week starting", "reviews", "average rating"]] + [
            [w.starts.date().isoformat(), w.reviews, "" if w.average is None else w.average]
            for w in metrics.ratings_by_week
        ]
    return [["username", "name", "accepted solutions", "helpful votes on reviews"]] + [
        [h.username, h.name, h.solutions, h.helpful_votes] for h in metrics.helpers
    ]


def summary_rows(metrics: Metrics) -> list[list[Any]]:
    """The headline figures, as label and value (seconds and shares stay raw numbers)."""

    def share(value: float | None) -> Any:
        return "" if value is None else round(value, 4)

    return [
        ["window_days", metrics.days],
        ["questions", metrics.questions],
        ["answered", metrics.answered],
        ["median_seconds_to_first_official_reply", _blank(metrics.median_seconds)],
        ["p90_seconds_to_first_official_reply", _blank(metrics.p90_seconds)],
        ["share_answered_within_24h", share(metrics.within_day_share)],
        ["support_questions", metrics.support_questions],
        ["solved_share_of_support_questions", share(metrics.solved_share)],
        ["reviews_published", metrics.reviews],
        ["review_answer_rate", share(metrics.review_answer_rate)],
    ]


def _blank(value: Any) -> Any:
    return "" if value is None else value


def to_csv(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text, every cell safe to open in a spreadsheet.

    A text cell starting with = + - @ (or a tab or carriage return) would run as a formula
    in Excel or LibreOffice (CSV injection): it gets a leading apostrophe. Numbers stay numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
    return out.getvalue()


def _safe_cell(cell: Any) -> Any:
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
