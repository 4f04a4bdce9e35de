"""A reply that waits for a moderator (issue 5): its author sees it, marked as waiting, at
the end of the thread; nobody else does until it is approved."""

from __future__ import annotations

from typing import Any

from flask import Flask

from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.forums.models import Topic
from tests import factories
from tests.stories import login_as

WAITING = "My order #4411 never arrived, can someone from the shop check?"


def _premoderated_topic(app: Flask, shop: Any) -> Topic:
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    return factories.make_topic(app, shop.support, shop.member, replies=25,
                                repliers=[shop.other_member])  # fmt: skip


def test_her_waiting_reply_shows_to_her_at_the_end_of_the_thread(app, client, shop, make_user):
    topic = _premoderated_topic(app, shop)
    newbie = make_user("newbie", trust_level=0)
    login_as(client, newbie)
    response = client.post(f"/t/{topic.id}/reply", data={"body": WAITING})
    assert response.status_code == 302
    # Sent to the last page, to the waiting reply itself.
    assert "page=2" in response.location and "#waiting-" in response.location
    last = client.get(response.location).get_data(as_text=True)
    assert 'data-testid="my-waiting"' in last and WAITING in last
    assert "Only you and the moderators see this reply until it is approved" in last
    # Not on the first page, and not in the thread's count.
    assert WAITING not in client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert factories.load(app, Topic, topic.id).post_count == 26


def test_nobody_else_sees_a_waiting_reply(app, client, shop, make_user):
    topic = _premoderated_topic(app, shop)
    newbie = make_user("newbie", trust_level=0)
    login_as(client, newbie)
    client.post(f"/t/{topic.id}/reply", data={"body": WAITING})
    for who in (shop.other_member, shop.staff, None):
        other = app.test_client()
        login_as(other, who)
        page = other.get(f"/t/{topic.id}?page=2").get_data(as_text=True)
        assert WAITING not in page and 'data-testid="my-waiting"' not in page


def test_an_approved_reply_leaves_the_waiting_list_for_the_thread(app, client, shop, make_user):
    topic = _premoderated_topic(app, shop)
    newbie = make_user("newbie", trust_level=0)
    login_as(client, newbie)
    client.post(f"/t/{topic.id}/reply", data={"body": WAITING})
    moderator = app.test_client()
    login_as(moderator, shop.moderator)
    queue = moderator.get("/mod").get_data(as_text=True)
    case_id = queue.split('name="items" value="case:', 1)[1].split('"', 1)[0]
    moderator.post("/mod/decide", data={"items": [f"case:{case_id}"], "decision": "approve"})
    page = client.get(f"/t/{topic.id}?page=2").get_data(as_text=True)
    assert 'data-testid="my-waiting"' not in page
    assert WAITING in page and 'id="post-27"' in page


def test_the_waiting_list_costs_one_query_whatever_she_has_waiting(
    app, client, shop, make_user, count_queries
):
    topic = _premoderated_topic(app, shop)
    newbie = make_user("newbie", trust_level=0)
    login_as(client, newbie)
    client.post(f"/t/{topic.id}/reply", data={"body": WAITING})
    with count_queries() as one:
        client.get(f"/t/{topic.id}?page=2")
    for n in range(2):  # a new member's stricter post rate allows three in a row
        response = client.post(f"/t/{topic.id}/reply", data={"body": f"Still waiting, day {n}."})
        assert response.status_code == 302
    with count_queries() as three:
        page = client.get(f"/t/{topic.id}?page=2").get_data(as_text=True)
    assert page.count('class="post post--waiting"') == 3
    assert len(three) == len(one)
