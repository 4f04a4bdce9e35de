"""Every desk route, tried by every kind of person: the brand's owners, staff and site
admins get through; everyone else is refused, and visitors are sent to log in."""

from __future__ import annotations

import pytest

from tests import factories
from tests.stories import login_as

PEOPLE = [
    "anonymous", "member", "other_member", "other_staff", "moderator", "staff", "owner", "admin"
]  # fmt: skip
TEAM = {"staff", "owner", "admin"}
ROUTES = [
    ("GET", "/b/northwind/staff", 200),
    ("GET", "/b/northwind/staff?days=90", 200),
    ("GET", "/b/northwind/staff/queue.csv", 200),
    ("GET", "/b/northwind/staff/summary.csv?days=7", 200),
    ("GET", "/b/northwind/staff/response-times.csv", 200),
    ("GET", "/b/northwind/staff/ratings.csv", 200),
    ("GET", "/b/northwind/staff/helpers.csv", 200),
    ("POST", "/b/northwind/staff/claim/topic/{topic}", 302),
    ("POST", "/b/northwind/staff/release/topic/{topic}", 302),
]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize(("method", "url", "allowed_status"), ROUTES)
def test_desk_routes_answer_each_person_as_their_role_allows(
    app, client, shop, who, method, url, allowed_status
):
    topic = factories.make_topic(app, shop.support, shop.member)
    login_as(client, None if who == "anonymous" else shop.person(who))
    response = client.open(url.format(topic=topic.id), method=method)
    if who == "anonymous":
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
    elif who in TEAM:
        assert response.status_code == allowed_status
    else:
        assert response.status_code == 403


def test_the_desk_of_a_missing_brand_is_not_found(client, shop):
    login_as(client, shop.admin)
    assert client.get("/b/nowhere/staff").status_code == 404


def test_the_fan_page_links_the_desk_for_the_team_only(client, shop):
    login_as(client, shop.staff)
    assert 'href="/b/northwind/staff"' in client.get("/b/northwind").get_data(as_text=True)
    other = client.application.test_client()
    login_as(other, shop.member)
    assert 'href="/b/northwind/staff"' not in other.get("/b/northwind").get_data(as_text=True)
