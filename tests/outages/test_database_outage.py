"""The database stops for a while under a served fanhub (gunicorn with the shipped settings,
on a private PostgreSQL cluster): every answer is a clean 503 that says to come back, her
reply and review come back in their forms, and the site serves again as soon as the
database does, without a restart, having lost and doubled nothing (issue 11)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from sqlalchemy import func, select

from fanhub.extensions import db
from fanhub.forums.models import Post, Topic
from fanhub.reviews.models import Product, Review
from tests.conftest import BACKEND, dispose_engines
from tests.outages.conftest import Forum, migrated_app, seed_forum
from tests.outages.servers import Answer, Gunicorn, PrivatePostgres, wait_until

pytestmark = pytest.mark.outage

if BACKEND != "postgresql":
    pytest.skip(
        "stops a private PostgreSQL: runs in the PostgreSQL pass of make test",
        allow_module_level=True,
    )

BEFORE = "Before the outage: the shop opens at nine."
DURING = "Written while the database was down <and> it must not be lost."
REVIEW = "Keeps my coffee hot all morning, and it survived a database outage."
WIDGET_ORIGIN = "https://shop.example"


@dataclass
class Outage:
    """What the site answered before, during and after one stop of the database."""

    forum: Forum
    app: Flask
    answers: dict[str, Answer] = field(default_factory=dict)
    recovery_seconds: float = 0.0
    resent: dict[str, Answer] = field(default_factory=dict)


@pytest.fixture(scope="module")
def outage(postgres: PrivatePostgres, serve: Callable[..., Gunicorn]) -> Iterator[Outage]:
    app = migrated_app(postgres.url)
    forum = seed_forum(app)
    dispose_engines(app)
    site = serve({"DATABASE_URL": postgres.url})
    record = Outage(forum, app)
    visitor, alice = site.browser(), site.browser()
    alice.log_in(forum.member, forum.password)
    token = alice.get(forum.topic).form_value("csrf_token")
    login_token = visitor.get("/login").form_value("csrf_token")
    record.answers["reply before"] = alice.post(
        f"{forum.topic}/reply", {"body": BEFORE, "csrf_token": token}
    )

    postgres.stop()
    try:
        record.answers["front page"] = visitor.get("/")
        record.answers["fan page"] = visitor.get(f"/b/{forum.brand}")
        record.answers["login"] = visitor.post(
            "/login",
            {"login": forum.member, "password": forum.password, "csrf_token": login_token},
        )
        record.answers["member topic"] = alice.get(forum.topic)
        record.answers["widget"] = visitor.get(forum.widget_json, {"Origin": WIDGET_ORIGIN})
        record.answers["widget frame"] = visitor.get(forum.widget_frame)
        record.answers["health"] = visitor.get("/healthz")
        record.answers["reply"] = alice.post(
            f"{forum.topic}/reply", {"body": DURING, "csrf_token": token}
        )
        record.answers["review"] = alice.post(
            forum.review_form,
            {"stars": "5", "title": "Hot for hours", "body": REVIEW, "csrf_token": token},
        )
    finally:
        postgres.start()
    started = time.monotonic()
    wait_until(lambda: visitor.get("/").status == 200, 30, what="the front page to answer")
    record.recovery_seconds = time.monotonic() - started

    # She sends both again from the forms the outage gave back.
    for name, path in (("reply", f"{forum.topic}/reply"), ("review", forum.review_form)):
        page = record.answers[name]
        fields = {"csrf_token": page.form_value("csrf_token"), "body": page.form_value("body")}
        if name == "review":
            fields |= {"stars": "5", "title": page.form_value("title")}
        record.resent[name] = alice.post(path, fields)
    yield record
    dispose_engines(app)


def _report(outage: Outage) -> str:
    figures = ", ".join(
        f"{name} {answer.status} in {answer.seconds * 1000:.0f} ms"
        for name, answer in outage.answers.items()
    )
    return f"{figures}; pages again {outage.recovery_seconds:.2f}s after the restart"


@pytest.mark.parametrize("page", ["front page", "fan page", "login", "member topic"])
def test_pages_answer_503_with_retry_after_and_a_page_saying_come_back(outage, page):
    answer = outage.answers[page]
    print(_report(outage))

    assert answer.status == 503, answer.text[:500]
    assert answer.headers["retry-after"] == "30"
    assert answer.headers["content-type"].startswith("text/html")
    assert "fanhub is briefly unavailable" in answer.text
    assert answer.seconds < 1


def test_a_signed_in_member_gets_the_friendly_page_not_a_bare_error(outage):
    answer = outage.answers["member topic"]

    assert 'data-testid="unavailable"' in answer.text
    assert "Internal Server Error" not in answer.text
    assert "Traceback" not in answer.text and "psycopg" not in answer.text


def test_the_widget_gets_json_with_its_cors_headers(outage):
    answer = outage.answers["widget"]

    assert answer.status == 503
    assert answer.headers["retry-after"] == "30"
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["content-type"] == "application/json"
    assert '"error":"unavailable"' in answer.text


def test_the_widget_frame_is_the_small_empty_frame_saying_so_not_json(outage):
    """A shop's iframe must never show JSON or the site's whole page: the same small frame
    as for an unknown product, saying the reviews are briefly unavailable."""
    answer = outage.answers["widget frame"]

    assert answer.status == 503
    assert answer.headers["retry-after"] == "30"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-type"].startswith("text/html")
    assert "fh--problem" in answer.text
    assert "<header" not in answer.text  # not the site's page with its navigation
    assert "briefly unavailable" in answer.text


def test_health_reports_the_database_unreachable(outage):
    answer = outage.answers["health"]

    assert answer.status == 503
    assert answer.headers["retry-after"] == "30"
    assert '"database":"unreachable"' in answer.text
    assert '"status":"error"' in answer.text


@pytest.mark.parametrize(("name", "text"), [("reply", DURING), ("review", REVIEW)])
def test_what_she_posted_comes_back_in_its_form_with_her_text(outage, name, text):
    answer = outage.answers[name]

    assert answer.status == 503
    assert answer.headers["retry-after"] == "30"
    assert 'data-testid="unsaved"' in answer.text
    assert f"We couldn't save your {name}" in answer.text
    assert answer.form_value("body") == text
    assert answer.form_value("csrf_token")


def test_pages_serve_again_as_soon_as_the_database_is_back(outage):
    # Without a restart of fanhub: the pool's pre-ping replaces the dead connections.
    assert outage.recovery_seconds < 5


@pytest.mark.parametrize("name", ["reply", "review"])
def test_the_form_given_back_saves_once_the_database_is_back(outage, name):
    assert outage.resent[name].status == 302, outage.resent[name].text[:500]


def test_no_acknowledged_reply_is_lost_and_none_refused_is_half_written(outage):
    assert outage.answers["reply before"].status == 302
    with outage.app.app_context():
        bodies = db.session.scalars(
            select(Post.body).where(Post.topic_id == outage.forum.topic_id).order_by(Post.position)
        ).all()
        topic = db.session.get(Topic, outage.forum.topic_id)

        # The opening post, the reply from before, and the one refused then sent again.
        assert bodies[1:] == [BEFORE, DURING]
        assert topic.post_count == len(bodies)


def test_the_review_refused_during_the_outage_counts_once_it_is_sent_again(outage):
    with outage.app.app_context():
        product = db.session.scalars(
            select(Product).where(Product.slug == outage.forum.product)
        ).one()
        reviews = db.session.scalar(
            select(func.count()).select_from(Review).where(Review.product_id == product.id)
        )

        assert reviews == 1
        assert (product.rating_count, product.stars_5) == (1, 1)
