"""Every moderation route, tried by every kind of person: who gets through, who is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.moderation.models import Decision
from tests import factories
from tests.moderation.conftest import actions, flag
from tests.stories import login_as

PEOPLE = [
    "anonymous", "member", "author", "suspended", "other_staff", "staff", "moderator", "owner",
    "admin",
]  # fmt: skip


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: str  # formatted with post, case, action, author
    data: dict[str, object]
    allowed: frozenset[str]
    ok: int
    refused: int = 403


ROUTES = [
    Route("queue", "GET", "/mod", {}, frozenset({"moderator", "admin"}), 200),
    Route("log", "GET", "/mod/log", {}, frozenset({"moderator", "admin"}), 200),
    Route(
        "decide",
        "POST",
        "/mod/decide",
        {"items": "case:{case}", "decision": "hide", "rule": "spam"},
        frozenset({"moderator", "admin"}),
        302,
    ),
    Route(
        "flag",
        "POST",
        "/flag/post/{post}",
        {"reason": "abuse"},
        frozenset({"member", "other_staff", "staff", "moderator", "owner", "admin"}),
        302,
    ),
    Route("flag form", "GET", "/flag/post/{post}", {}, frozenset(PEOPLE) - {"anonymous"}, 200),
    Route("appeal page", "GET", "/mod/appeal/{action}", {}, frozenset({"author"}), 200, 404),
    Route(
        "appeal",
        "POST",
        "/mod/appeal/{action}",
        {"body": "Please look again"},
        frozenset({"author"}),
        302,
        404,
    ),  # fmt: skip
    Route(
        "sanction",
        "POST",
        "/mod/members/{author}",
        {"sanction": "suspend", "days": "2", "rule": "spam"},
        frozenset({"admin"}),
        302,
    ),  # fmt: skip
]


@pytest.fixture
def setting(app, shop, spam, make_user):
    """A spam post by `author` (other_member) with one open flag by `reporter`, and a decision
    (a hide) about an earlier post of hers that she may appeal."""
    reporter = make_user("reporter")
    suspended = make_user("suspendedfan")
    with app.app_context():
        row = db.session.get(User, suspended.id)
        row.suspended_until = utcnow() + timedelta(days=5)
        row.sanction_reason = "Spam"
        db.session.commit()
    earlier = factories.reply(
        app,
        factories.load(
            app, __import__("fanhub.forums.models", fromlist=["Topic"]).Topic, spam.topic_id
        ),
        shop.other_member,
        "Earlier spam",
    )
    decided = flag(app, reporter, "post", earlier.id)
    mod = app.test_client()
    login_as(mod, shop.moderator)
    mod.post(
        "/mod/decide", data={"items": f"case:{decided.id}", "decision": "hide", "rule": "spam"}
    )
    [hidden] = [a for a in actions(app) if a.action is Decision.HIDE]
    case = flag(app, reporter, "post", spam.id)
    people = {
        "member": shop.member, "author": shop.other_member, "suspended": suspended,
        "other_staff": shop.other_staff, "staff": shop.staff, "moderator": shop.moderator,
        "owner": shop.owner, "admin": shop.admin,
    }  # fmt: skip
    ids = {
        "post": spam.id,
        "case": case.id,
        "action": hidden.id,
        "author": shop.other_member.username,
    }
    return people, ids


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_each_moderation_route_lets_in_exactly_the_right_people(app, client, setting, route, who):
    people, ids = setting
    login_as(client, people.get(who))
    url = route.url.format(**ids)
    before = len(actions(app))
    if route.method == "GET":
        response = client.get(url)
    else:
        data = {key: str(value).format(**ids) for key, value in route.data.items()}
        response = client.post(url, data=data)
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif who in route.allowed:
        assert response.status_code == route.ok, (route.name, who)
    else:
        assert response.status_code == route.refused, (route.name, who)
        assert len(actions(app)) == before
