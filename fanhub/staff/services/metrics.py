"""The desk's metrics: how well the brand answered over a window, in a fixed number of
aggregate queries (they read the forums' and reviews' tables directly, by design)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.brands.services import customer_questions
from fanhub.clock import cached_at
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.forums.models import Category, CategoryKind, Post, Topic
from fanhub.permissions import Action, Actor, require
from fanhub.reviews.models import Review, ReviewStatus, ReviewVote
from fanhub.search.suggestions import SuggestionWeek, suggestion_weeks
from fanhub.staff.models import ClaimTarget, marked_no_reply
from fanhub.staff.services.access import WINDOWS, name_of

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
    window; reviews are those published in it. Those still unanswered and marked "no
    reply needed" count apart (`*_no_reply`), in neither answered nor unanswered.
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
    questions_no_reply: int = 0
    reviews_no_reply: int = 0
    # Answers before asking (issue 14): the new-topic composers that showed suggestions,
    # by the week they first did; those that opened one; those that then did not post.
    suggestions_by_week: list[SuggestionWeek] = field(default_factory=list)
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
    def reviews_published(self) -> int:
        """Every review published in the window, those needing no reply included."""
        return self.reviews + self.reviews_no_reply

    @property
    def answered_before_asking(self) -> int:
        return sum(w.answered for w in self.suggestions_by_week)

    @property
    def average_rating(self) -> float | None:
        rated = [w for w in self.ratings_by_week if w.reviews]
        total = sum(w.reviews for w in rated)
        if not total:
            return None
        return sum((w.average or 0) * w.reviews for w in rated) / total


def desk_metrics(actor: Actor, brand: Brand, days: int, *, now: datetime) -> Metrics:
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
    opened = (*customer_questions(brand_id), Topic.created_at >= since)
    topic_marked = and_(
        Topic.first_response_seconds.is_(None), marked_no_reply(ClaimTarget.TOPIC, Topic.id)
    )
    questions = (*opened, ~topic_marked)
    support = select(Category.id).where(
        Category.brand_id == brand_id, Category.kind == CategoryKind.SUPPORT
    )
    is_support = Topic.category_id.in_(support)
    # Over every question opened, in one query: those marked "no reply needed" (and not
    # answered since) count apart, in neither the total nor the support questions.
    opened_total, answered, within_day, support_total, solved, marked = db.session.execute(
        select(
            func.count(),
            func.count(Topic.first_response_seconds),
            func.coalesce(
                func.sum(case((Topic.first_response_seconds <= DAY_SECONDS, 1), else_=0)), 0
            ),
            _count_if(and_(is_support, ~topic_marked)),
            _count_if(and_(is_support, Topic.solution_post_id.is_not(None))),
            _count_if(topic_marked),
        ).where(*opened)
    ).one()
    questions_no_reply = int(marked)
    total = opened_total - questions_no_reply
    answered_questions = (*questions, Topic.first_response_seconds.is_not(None))
    median = p90 = None
    if answered:
        median = _median(answered_questions, answered)
        p90 = _nth_response(answered_questions, _rank(answered, 0.9))
    review_marked = and_(
        Review.answered_at.is_(None), marked_no_reply(ClaimTarget.REVIEW, Review.id)
    )
    published, reviews_answered, reviews_no_reply = db.session.execute(
        select(func.count(), func.count(Review.answered_at), _count_if(review_marked)).where(
            *_published_since(brand_id, since)
        )
    ).one()
    # The answer rate is over the reviews that wanted an answer.
    reviews_total = published - int(reviews_no_reply)
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
        questions_no_reply=questions_no_reply,
        reviews_no_reply=int(reviews_no_reply),
        suggestions_by_week=suggestion_weeks(brand_id, week_starts(since, now), now=now),
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
        Helper(people[i].username, name_of(people[i]), solved.get(i, 0), voted.get(i, 0))
        for i in ids
        if i in people
    ]
    # An accepted solution answers a question; it counts as much as five helpful votes.
    helpers.sort(key=lambda h: (-(h.solutions * 5 + h.helpful_votes), h.username))
    return helpers[:HELPERS_SHOWN]
