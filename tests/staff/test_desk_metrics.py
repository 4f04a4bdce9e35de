"""The desk's metrics against a fixture whose every number was worked out by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.staff import services
from tests.staff.conftest import (
    MEDIAN,
    P90,
    QUESTIONS,
    SOLVED,
    SUPPORT_QUESTIONS,
    WITHIN_DAY,
)


def _metrics(app, desk_data, now, days=30):
    with app.app_context():
        return services.desk_metrics(
            db.session.get(User, desk_data.shop.staff.id),
            db.session.get(Brand, desk_data.shop.brand.id),
            days,
            now=now,
        )


def _day(moment: datetime, days_before: int) -> str:
    return (moment - timedelta(days=days_before)).date().isoformat()


def test_median_and_90th_percentile_match_the_hand_computed_reply_times(app, desk_data, desk_now):
    metrics = _metrics(app, desk_data, desk_now)
    assert (metrics.questions, metrics.answered) == (QUESTIONS, 10)
    assert metrics.median_seconds == MEDIAN
    assert metrics.p90_seconds == P90


def test_share_answered_within_24_hours_counts_unanswered_questions_too(app, desk_data, desk_now):
    metrics = _metrics(app, desk_data, desk_now)
    assert metrics.answered_within_day == WITHIN_DAY
    assert metrics.within_day_share == pytest.approx(7 / 12)


def test_solved_share_counts_support_questions_only(app, desk_data, desk_now):
    metrics = _metrics(app, desk_data, desk_now)
    assert (metrics.solved, metrics.support_questions) == (SOLVED, SUPPORT_QUESTIONS)
    assert metrics.solved_share == pytest.approx(0.4)


def test_review_answer_rate_counts_reviews_published_in_the_window(app, desk_data, desk_now):
    metrics = _metrics(app, desk_data, desk_now)
    assert (metrics.reviews_answered, metrics.reviews) == (2, 4)
    assert metrics.review_answer_rate == pytest.approx(0.5)


def test_average_rating_is_grouped_by_calendar_week(app, desk_data, desk_now):
    weeks = _metrics(app, desk_data, desk_now).ratings_by_week
    # From Friday noon: the window's own first day (a Wednesday), then every Monday.
    assert [(w.starts.date().isoformat(), w.reviews, w.average) for w in weeks] == [
        (_day(desk_now, 30), 1, 2.0),
        (_day(desk_now, 25), 0, None),
        (_day(desk_now, 18), 0, None),
        (_day(desk_now, 11), 1, 4.0),
        (_day(desk_now, 4), 2, 3.0),
    ]


def test_response_times_fall_into_their_buckets(app, desk_data, desk_now):
    buckets = _metrics(app, desk_data, desk_now).response_times
    assert [(b.label, b.count) for b in buckets] == [
        ("under 1 h", 3),  # 600, 1,800, 3,600 (a bucket includes its upper bound)
        ("1–4 h", 2),  # 7,200, 14,400
        ("4–24 h", 2),  # 43,200, 86,400
        ("1–3 days", 2),  # 90,000, 172,800
        ("over 3 days", 1),  # 345,600
        ("not answered yet", 2),
    ]


def test_helpers_are_members_ranked_by_solutions_then_helpful_votes(app, desk_data, desk_now):
    helpers = _metrics(app, desk_data, desk_now).helpers
    shop = desk_data.shop
    # other_member: one accepted solution (counts as 5); member: two helpful votes on her
    # review. The staff member whose answer solved B is the team, not a helper.
    assert [(h.username, h.solutions, h.helpful_votes) for h in helpers] == [
        (shop.other_member.username, 1, 0),
        (shop.member.username, 0, 2),
    ]


def test_a_seven_day_window_leaves_older_questions_out(app, desk_data, desk_now):
    metrics = _metrics(app, desk_data, desk_now, days=7)
    # Only the two unanswered questions were opened in the last week.
    assert (metrics.questions, metrics.answered, metrics.median_seconds) == (2, 0, None)
    assert metrics.within_day_share == 0
    assert [w.starts.date().isoformat() for w in metrics.ratings_by_week] == [
        _day(desk_now, 7),
        _day(desk_now, 4),
    ]


def test_a_ninety_day_window_takes_in_the_old_question(app, desk_data, desk_now):
    metrics = _metrics(app, desk_data, desk_now, days=90)
    assert (metrics.questions, metrics.answered) == (QUESTIONS + 1, 11)
    assert metrics.reviews == 5


def test_an_empty_brand_has_no_figures_rather_than_zeroes(app, shop, now):
    with app.app_context():
        metrics = services.desk_metrics(
            db.session.get(User, shop.staff.id), db.session.get(Brand, shop.brand.id), 30, now=now
        )
    assert metrics.questions == 0
    assert metrics.median_seconds is metrics.p90_seconds is None
    assert metrics.within_day_share is metrics.solved_share is metrics.review_answer_rate is None
    assert metrics.average_rating is None
    assert metrics.helpers == []


@pytest.mark.parametrize("raw", ["14", "0", "-7", "abc", "30.0", "9" * 30])
def test_a_window_other_than_7_30_or_90_days_is_refused(raw):
    with pytest.raises(Invalid, match="7, 30 or 90 days"):
        services.parse_window(raw)


def test_the_percentile_rank_is_the_nearest_rank():
    assert [services._rank(n, 0.9) for n in (1, 2, 9, 10, 11, 100)] == [0, 1, 8, 8, 9, 89]


def test_metrics_are_kept_for_a_minute_from_the_moment_they_were_computed(app, desk_data, desk_now):
    first = _metrics(app, desk_data, desk_now)
    # The same computation (its version names it) until its minute is up...
    assert _metrics(app, desk_data, desk_now + timedelta(seconds=59)).version == first.version
    assert _metrics(app, desk_data, desk_now + timedelta(seconds=60)).version != first.version
    # ...and never for a moment before it was computed, nor one far past it.
    assert _metrics(app, desk_data, desk_now - timedelta(seconds=1)).version != first.version
    assert _metrics(app, desk_data, desk_now + timedelta(days=60)).questions == 0
