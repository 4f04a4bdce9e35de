"""Every mutating forum route, tried by every kind of person: who gets through, who is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import make_topic, reply
from tests.stories import login_as

PEOPLE = [
    "anonymous", "member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"
]  # fmt: skip
OK = 302  # every successful form post redirects


@dataclass(frozen=True)
class Route:
    name: str
    url: str  # formatted with topic, post, idea, question, answer ids
    data: dict[str, Any]
    allowed: frozenset[str]


# "member" wrote the topic, the question and the idea; "other_member" wrote `post`.
ROUTES = [
    Route(
        "start topic",
        "/b/northwind/c/discussion/new",
        {"title": "A new topic here", "body": "Hi"},
        frozenset(
            {"member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"}
        ),
    ),
    Route(
        "start announcement",
        "/b/northwind/c/announcements/new",
        {"title": "Some big news", "body": "Hi"},
        frozenset({"staff", "owner", "admin"}),
    ),
    Route(
        "reply",
        "/t/{topic}/reply",
        {"body": "Me too"},
        frozenset(
            {"member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"}
        ),
    ),
    Route(
        "edit post",
        "/p/{post}/edit",
        {"body": "Changed"},
        frozenset({"other_member", "moderator", "owner", "admin"}),
    ),
    Route("delete post", "/p/{post}/delete", {}, frozenset({"other_member"})),
    Route(
        "react",
        "/p/{post}/react/like",
        {},
        frozenset({"member", "other_staff", "staff", "moderator", "owner", "admin"}),
    ),
    Route(
        "mark solution",
        "/p/{answer}/solution",
        {},
        frozenset({"member", "staff", "owner", "admin"}),
    ),
    Route(
        "vote",
        "/t/{idea}/vote",
        {},
        frozenset(
            {"member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"}
        ),
    ),
    Route(
        "set idea status",
        "/t/{idea}/status",
        {"status": "planned", "comment": "Soon"},
        frozenset({"staff", "owner", "admin"}),
    ),
    Route("pin", "/t/{topic}/pin", {}, frozenset({"staff", "moderator", "owner", "admin"})),
    Route("lock", "/t/{topic}/lock", {}, frozenset({"staff", "moderator", "owner", "admin"})),
    Route(
        "move",
        "/t/{topic}/move",
        {"category": "{support}"},
        frozenset({"staff", "moderator", "owner", "admin"}),
    ),
    Route(
        "add category",
        "/b/northwind/categories",
        {"slug": "extra", "name": "Extra", "kind": "discussion", "description": ""},
        frozenset({"owner", "admin"}),
    ),
    Route(
        "follow",
        "/b/northwind/follow",
        {},
        frozenset(
            {"member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"}
        ),
    ),
    Route(
        "edit fan page",
        "/b/northwind/edit",
        {"tagline": "x", "description": "", "accent_color": "#123456"},
        frozenset({"staff", "owner", "admin"}),
    ),
    Route("unpin", "/t/{topic}/unpin", {}, frozenset({"staff", "moderator", "owner", "admin"})),
    Route("unlock", "/t/{topic}/unlock", {}, frozenset({"staff", "moderator", "owner", "admin"})),
    Route(
        "clear solution",
        "/t/{question}/solution/clear",
        {},
        frozenset({"member", "staff", "owner", "admin"}),
    ),
    Route(
        "edit category",
        "/b/northwind/c/discussion/edit",
        {"slug": "discussion", "name": "Talk", "kind": "discussion", "description": ""},
        frozenset({"owner", "admin"}),
    ),
    Route("move category", "/b/northwind/c/ideas/up", {}, frozenset({"owner", "admin"})),
    Route(
        "unfollow",
        "/b/northwind/unfollow",
        {},
        frozenset(
            {"member", "other_member", "other_staff", "staff", "moderator", "owner", "admin"}
        ),
    ),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_each_route_lets_in_exactly_the_right_people(app, client, shop, route, who):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member)
    question = make_topic(app, shop.support, shop.member)
    answer = reply(app, question, shop.other_member)
    idea = make_topic(app, shop.ideas, shop.member)
    ids = {
        "topic": topic.id,
        "post": post.id,
        "answer": answer.id,
        "question": question.id,
        "idea": idea.id,
        "support": shop.support.id,
    }
    login_as(client, None if who == "anonymous" else shop.person(who))
    data = {key: str(value).format(**ids) for key, value in route.data.items()}
    response = client.post(route.url.format(**ids), data=data)
    if who == "anonymous":
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    elif who in route.allowed:
        assert response.status_code == OK, response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403
