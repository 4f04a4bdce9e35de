"""Northwind's desk with known numbers: every reply time, rating and vote chosen by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Post, Topic
from fanhub.reviews import services as reviews
from tests import factories
from tests.reviews.conftest import make_product, write_review

FRIDAY = 4  # datetime.weekday()
HOUR = 3600
DAY = 86_400
# Seconds to the first official reply, per answered question (sorted, by hand):
# support A–D, discussion E–J. Two more questions (one of each kind) wait unanswered.
SUPPORT_TIMES = (600, 1_800, 3_600, 7_200)
DISCUSSION_TIMES = (14_400, 43_200, 86_400, 90_000, 172_800, 345_600)
# Ten answered of twelve: the median is the mean of the 5th and 6th, (14,400 + 43,200) / 2;
# the 90th percentile (nearest rank) is the ceil(0.9 × 10) = 9th, 172,800 s (2 days).
MEDIAN = 28_800
P90 = 172_800
QUESTIONS = 12
WITHIN_DAY = 7  # 600 … 86,400 inclusive
SUPPORT_QUESTIONS = 5
SOLVED = 2


@dataclass
class DeskData:
    shop: Any
    topics: dict[str, Topic]
    reviews: dict[str, Any]
    products: dict[str, Any]


def _topic(app, category, author, title, opened, answer_after=None, answerer=None) -> Topic:
    topic = factories.make_topic(
        app, category, author, title=title, body=f"{title}: please help.", now=opened
    )
    if answer_after is not None:
        factories.reply(
            app, topic, answerer, body="We're on it.", now=opened + timedelta(seconds=answer_after)
        )
    return factories.load(app, Topic, topic.id)


def _solve(app, topic: Topic, solver: Any, now: datetime) -> None:
    post = factories.reply(
        app, topic, solver, body="This fixed it for me.", now=now - timedelta(hours=1)
    )
    with app.app_context():
        forums.mark_solution(
            db.session.get(User, topic.author_id),
            db.session.get(Topic, topic.id),
            db.session.get(Post, post.id),
            now=now,
        )


@pytest.fixture(autouse=True)
def desk_now(now: datetime, time_machine: Any) -> datetime:
    """The last Friday noon, the moment the desk's figures were worked out for by hand.

    Every staff desk test runs there: the run's clock moves to it (and ticks on) before any
    data or session is made, so the pages are drawn at it too. (Moving the clock back after
    a login would void the session: a cookie signed in the future is refused.)

    From a Friday noon the 30-day window starts on a Wednesday noon, so its weeks start
    that Wednesday (clipped) and on the Mondays 25, 18, 11 and 4 days before the Friday.
    """
    friday = now - timedelta(days=(now.weekday() - FRIDAY) % 7)
    friday = friday.replace(hour=12, minute=0, second=0, microsecond=0)
    time_machine.move_to(friday, tick=True)
    return friday


@pytest.fixture
def desk_data(app, shop, desk_now) -> DeskData:
    """Twelve customer questions in the window (ten answered), and some that must not count:
    one opened by staff, one answered 40 days ago; four reviews in the window (two
    answered), one older; helpful votes and accepted solutions from members."""
    start = desk_now - timedelta(days=20)
    topics: dict[str, Topic] = {}
    for n, seconds in enumerate(SUPPORT_TIMES):
        topics["ABCD"[n]] = _topic(
            app, shop.support, shop.member, f"Support question {'ABCD'[n]}",
            start + timedelta(hours=n), seconds, shop.staff,
        )  # fmt: skip
    for n, seconds in enumerate(DISCUSSION_TIMES):
        topics["EFGHIJ"[n]] = _topic(
            app, shop.discussion, shop.other_member, f"Discussion topic {'EFGHIJ'[n]}",
            start + timedelta(hours=10 + n), seconds, shop.owner,
        )  # fmt: skip
    topics["U1"] = _topic(
        app, shop.support, shop.member, "Still waiting on support", desk_now - timedelta(days=3)
    )
    topics["U2"] = _topic(
        app,
        shop.discussion,
        shop.member,
        "Still waiting in discussion",
        desk_now - timedelta(days=1),
    )
    # Not customer questions, or not in the window.
    topics["staff"] = _topic(
        app, shop.support, shop.staff, "A note from the team", desk_now - timedelta(days=2)
    )
    topics["old"] = _topic(
        app,
        shop.support,
        shop.member,
        "An old question",
        desk_now - timedelta(days=40),
        120,
        shop.staff,
    )
    topics["idea"] = _topic(
        app, shop.ideas, shop.member, "An idea, not a question", desk_now - timedelta(days=4)
    )
    # A is solved by a member's reply, B by the staff's own answer (the team is not a helper).
    _solve(app, topics["A"], shop.other_member, desk_now)
    with app.app_context():
        answer = db.session.scalars(
            db.select(Post).where(Post.topic_id == topics["B"].id, Post.position == 2)
        ).one()
        forums.mark_solution(
            db.session.get(User, shop.member.id),
            db.session.get(Topic, topics["B"].id),
            answer,
            now=desk_now,
        )

    products = {
        "kettle": make_product(app, shop.brand, "kettle", "Northwind Kettle", sku="NW-KETTLE"),
        "toaster": make_product(app, shop.brand, "toaster", "Northwind Toaster", sku="NW-TOAST"),
    }
    reviewers = [factories.make_user(app, f"reviewer{n}") for n in range(3)]
    days_ago = {"r1": 2, "r2": 3, "r3": 10, "r4": 29, "old": 40}
    # The last week (from Monday): 5 and 1 stars -> 3.0; the week 10 days ago: 4.0; the
    # first, clipped week (29 days ago): 2.0.
    plan = {
        "r1": (products["kettle"], shop.member, 5, "Lovely"),
        "r2": (products["kettle"], reviewers[0], 1, '=HYPERLINK("x")'),
        "r3": (products["toaster"], reviewers[1], 4, "Good toast"),
        "r4": (products["toaster"], reviewers[2], 2, "Burns the edges"),
        "old": (products["toaster"], shop.member, 3, "Old news"),
    }
    written = {
        key: write_review(
            app, product, author, stars, title=title, now=desk_now - timedelta(days=days_ago[key])
        )
        for key, (product, author, stars, title) in plan.items()
    }
    for key in ("r1", "r3"):
        with app.app_context():
            reviews.reply_to_review(
                db.session.get(User, shop.staff.id),
                reviews.access_review(written[key].id),
                "Thank you for telling us.",
                now=written[key].created_at + timedelta(hours=5),
            )
    # The member's review gets two helpful votes (cast now, inside any window).
    for voter in (reviewers[0], shop.other_member):
        with app.app_context():
            reviews.vote_helpful(
                db.session.get(User, voter.id),
                reviews.access_review(written["r1"].id),
                now=desk_now,
            )
    return DeskData(shop, topics, written, products)
