"""Redis is killed under a served fanhub (gunicorn with the shipped settings): pages, posts,
the login form's limit and the widget carry on without it, /healthz says "degraded", and
once Redis is back fanhub uses it again by itself (issue 11)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from sqlalchemy import select

from fanhub.extensions import db
from fanhub.forums.models import Post
from tests.outages.conftest import Forum
from tests.outages.servers import Answer, Browser, Gunicorn, PrivateRedis, wait_until

pytestmark = pytest.mark.outage

LOGIN_LIMIT = 3
DURING = "Posted while Redis was down: rate limits counted in memory."
# The proxy in front says who the visitors are (TRUSTED_PROXY_HOPS=1): the script guessing
# passwords and Alice get a login limit each.
GUESSER = {"X-Forwarded-For": "203.0.113.7"}
ALICE = {"X-Forwarded-For": "203.0.113.8"}


@dataclass
class RedisOutage:
    """What the site answered while Redis was gone, and how it came back."""

    forum: Forum
    app: Flask
    answers: dict[str, Answer] = field(default_factory=dict)
    guesses: list[int] = field(default_factory=list)
    recovery_seconds: float = 0.0
    keys_after: list[bytes] = field(default_factory=list)


def _keys(redis_server: PrivateRedis) -> list[bytes]:
    return sorted(redis_server.client().keys("*"))


def _uses_redis_again(
    redis_server: PrivateRedis, forum: Forum, visitor: Browser, guesser: Browser, token: str
) -> list[bytes] | None:
    """Redis's keys once both the page cache and the rate limits write there again."""
    visitor.get(forum.topic)
    guesser.post("/login", {"login": "nobody", "password": "x", "csrf_token": token}, **GUESSER)
    keys = _keys(redis_server)
    cached = any(key.startswith(b"fanhub:") for key in keys)
    limited = any(key.startswith(b"LIMITS") for key in keys)
    return keys if cached and limited else None


@pytest.fixture(scope="module")
def redis_outage(
    redis_server: PrivateRedis,
    serve: Callable[..., Gunicorn],
    served_database: tuple[Flask, Forum],
) -> Iterator[RedisOutage]:
    app, forum = served_database
    # One worker: the in-memory fallback counts per process, and the test counts guesses.
    site = serve(
        {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_server.url,
            "RATELIMIT_LOGIN": f"{LOGIN_LIMIT} per minute",
            "TRUSTED_PROXY_HOPS": "1",
        },
        workers=1,
    )
    record = RedisOutage(forum, app)
    visitor, guesser, alice = site.browser(), site.browser(), site.browser()
    record.answers["topic before"] = visitor.get(forum.topic)
    record.answers["health before"] = visitor.get("/healthz")
    token = guesser.get("/login").form_value("csrf_token")

    redis_server.kill()
    try:
        record.answers["topic"] = visitor.get(forum.topic)
        record.answers["topic again"] = visitor.get(forum.topic)
        record.answers["widget"] = visitor.get(forum.widget_json)
        record.answers["health"] = visitor.get("/healthz")
        alice_token = alice.get("/login").form_value("csrf_token")
        record.answers["alice login"] = alice.post(
            "/login",
            {"login": forum.member, "password": forum.password, "csrf_token": alice_token},
            **ALICE,
        )
        reply_token = alice.get(forum.topic).form_value("csrf_token")
        record.answers["reply"] = alice.post(
            f"{forum.topic}/reply", {"body": DURING, "csrf_token": reply_token}, **ALICE
        )
        for _ in range(LOGIN_LIMIT + 1):
            guess = {"login": forum.member, "password": "wrong guess", "csrf_token": token}
            record.guesses.append(guesser.post("/login", guess, **GUESSER).status)
    finally:
        redis_server.start()
    started = time.monotonic()
    record.keys_after = wait_until(
        lambda: _uses_redis_again(redis_server, forum, visitor, guesser, token),
        45,
        step=0.25,
        what="fanhub to use Redis again",
    )
    record.recovery_seconds = time.monotonic() - started
    record.answers["health after"] = visitor.get("/healthz")
    yield record


def _report(outage: RedisOutage) -> str:
    figures = ", ".join(
        f"{name} {answer.status} in {answer.seconds * 1000:.0f} ms"
        for name, answer in outage.answers.items()
    )
    again = f"Redis used again in {outage.recovery_seconds:.1f}s"
    return f"{figures}; guesses {outage.guesses}; {again}"


def test_the_anonymous_topic_page_serves_without_its_cache(redis_outage):
    print(_report(redis_outage))
    for name in ("topic", "topic again"):
        answer = redis_outage.answers[name]
        assert answer.status == 200, answer.text[:500]
        assert "Opening hours over the holidays" in answer.text
        assert answer.seconds < 1


def test_the_widget_json_serves_with_its_cors_headers(redis_outage):
    answer = redis_outage.answers["widget"]

    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert '"product"' in answer.text


def test_health_says_degraded_while_redis_is_gone_and_ok_once_it_is_back(redis_outage):
    before, during, after = (
        redis_outage.answers[name] for name in ("health before", "health", "health after")
    )

    assert (before.status, during.status, after.status) == (200, 200, 200)
    assert '"redis":"ok"' in before.text and '"status":"ok"' in before.text
    assert '"redis":"unreachable"' in during.text and '"status":"degraded"' in during.text
    assert '"redis":"ok"' in after.text and '"status":"ok"' in after.text


def test_a_member_logs_in_and_posts_while_redis_is_gone(redis_outage):
    assert redis_outage.answers["alice login"].status == 302
    assert redis_outage.answers["reply"].status == 302
    with redis_outage.app.app_context():
        bodies = db.session.scalars(
            select(Post.body).where(Post.topic_id == redis_outage.forum.topic_id)
        ).all()
    assert bodies.count(DURING) == 1


def test_the_login_limit_still_holds_counted_in_memory(redis_outage):
    # Alice's login, from her own address, did not count against the guesser's.
    assert 429 not in redis_outage.guesses[:LOGIN_LIMIT]
    assert redis_outage.guesses[LOGIN_LIMIT] == 429


def test_redis_is_used_again_without_a_restart(redis_outage):
    keys = redis_outage.keys_after

    assert any(key.startswith(b"fanhub:") for key in keys)  # the page cache
    assert any(key.startswith(b"LIMITS") for key in keys)  # the shared rate limits
    assert redis_outage.recovery_seconds < 40
