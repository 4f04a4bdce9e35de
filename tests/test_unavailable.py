"""A database fanhub cannot reach answers 503 with Retry-After, a page built without the
database, JSON with CORS for the widget, and her text back in its form (issue 11).

These run in-process against a SQLite file that cannot be opened; tests/outages/ stops a
real PostgreSQL under gunicorn."""

from __future__ import annotations

import re
import sqlite3

import psycopg
import psycopg.errors
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import IntegrityError, OperationalError

from fanhub import create_app
from fanhub.errors import Unavailable, is_outage

REVIEW = "The lid squeaks, the rest is great."


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory):
    """An app whose database file sits in a folder that does not exist."""
    folder = tmp_path_factory.mktemp("unreachable")
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'missing' / 'fanhub.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
        }
    )


@pytest.fixture
def member(unreachable):
    """A browser whose session says a member is signed in (her row is out of reach)."""
    client = unreachable.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:fingerprint"
    return client


@pytest.mark.parametrize("path", ["/", "/b/northwind", "/t/1", "/u/alice"])
def test_a_visitor_gets_503_with_retry_after_and_the_come_back_page(unreachable, path):
    response = unreachable.test_client().get(path)

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert "fanhub is briefly unavailable" in response.get_data(as_text=True)


def test_a_signed_in_member_gets_the_same_page_without_her_name_in_it(member):
    response = member.get("/t/1")

    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert 'data-testid="unavailable"' in page
    assert "Log out" not in page and "Log in" not in page


def test_the_widget_gets_json_with_its_cors_headers(unreachable):
    response = unreachable.test_client().get("/embed/v1/northwind/travel-mug/reviews.json")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.get_json()["error"] == "unavailable"


def test_a_reply_comes_back_in_its_form_with_her_text(member):
    text = "Try the **blue** kettle <3"
    response = member.post("/t/7/reply", data={"body": text, "reply_to": "12"})

    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "We couldn't save your reply" in page
    assert 'action="/t/7/reply"' in page
    assert "Try the **blue** kettle &lt;3</textarea>" in page
    assert 'name="reply_to" type="hidden" value="12"' in page


def test_a_review_comes_back_with_her_stars_title_and_text(member):
    response = member.post(
        "/b/northwind/p/travel-mug/review",
        data={"stars": "4", "title": "Nearly perfect", "body": REVIEW},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert re.findall(r'<input checked[^>]*name="stars"[^>]*value="(\d)"', page) == ["4"]
    assert 'value="Nearly perfect"' in page
    assert f"{REVIEW}</textarea>" in page


def test_a_button_without_a_form_to_give_back_gets_the_come_back_page(member):
    response = member.post("/t/7/solution/clear")

    assert response.status_code == 503
    assert 'data-testid="unavailable"' in response.get_data(as_text=True)


def _wrapped(original: Exception) -> OperationalError:
    return OperationalError("SELECT 1", {}, original)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(sqlite3.OperationalError("unable to open database file")),
        _wrapped(sqlite3.OperationalError("disk I/O error")),
        _wrapped(psycopg.OperationalError("connection failed: Connection refused")),
        _wrapped(psycopg.errors.AdminShutdown("terminating connection")),
        _wrapped(psycopg.errors.CannotConnectNow("the database system is starting up")),
        RedisConnectionError("Error 111 connecting to 127.0.0.1:6379"),
        Unavailable("The database is being restored."),
    ],
    ids=lambda err: str(err)[:40],
)
def test_unreachable_servers_are_outages(error):
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(sqlite3.OperationalError("database is locked")),
        _wrapped(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")),
        IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
        ValueError("a bug of ours"),
    ],
    ids=lambda err: str(err)[:40],
)
def test_our_own_failures_are_not_outages(error):
    assert not is_outage(error)


def test_an_outage_raised_from_another_error_is_still_an_outage():
    try:
        try:
            raise _wrapped(psycopg.OperationalError("server closed the connection"))
        except OperationalError as err:
            raise RuntimeError("while loading the topic") from err
    except RuntimeError as err:
        assert is_outage(err)
