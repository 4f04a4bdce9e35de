"""Starting topics and replying: the rules, the counters and positions, and bad input."""

from __future__ import annotations

import pytest

from fanhub.forums.models import Category, Topic
from tests.factories import load, make_topic, reply
from tests.stories import login_as


def test_a_member_starts_a_topic_and_lands_on_it(client, shop):
    login_as(client, shop.member)
    response = client.post(
        "/b/northwind/c/support/new",
        data={"title": "My grinder makes a noise", "body": "A loud *click* every second."},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "My grinder makes a noise" in page
    assert "<em>click</em>" in page


def test_starting_a_topic_moves_the_category_counters(app, shop):
    make_topic(app, shop.support, shop.member, replies=2)
    category = load(app, Category, shop.support.id)
    assert (category.topic_count, category.post_count) == (1, 3)


def test_replies_take_the_next_position_and_count(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    first = reply(app, topic, shop.other_member)
    second = reply(app, topic, shop.member)
    assert (first.position, second.position) == (2, 3)
    assert load(app, Topic, topic.id).reply_count == 2


def test_a_reply_to_a_post_shows_who_and_a_short_quote(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member, body="Which beans for espresso?")
    first = reply(app, topic, shop.other_member, body="Try the Huila single origin.")
    reply(app, topic, shop.member, body="Thanks, ordering now.", reply_to_id=first.id)
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert "In reply to @other_member" in page
    assert "<q>Try the Huila single origin.</q>" in page
    assert f'href="/t/{topic.id}?post=2"' in page


def test_a_reply_to_a_post_of_another_topic_is_not_found(app, client, shop):
    one = make_topic(app, shop.discussion, shop.member)
    other = make_topic(app, shop.discussion, shop.member)
    stranger = reply(app, other, shop.staff)
    login_as(client, shop.other_member)
    response = client.post(f"/t/{one.id}/reply", data={"body": "Hi", "reply_to": stranger.id})
    assert response.status_code == 404
    assert load(app, Topic, one.id).post_count == 1


def test_mentions_link_to_existing_members_only(app, client, shop):
    topic = make_topic(
        app, shop.discussion, shop.member, body="Hey @staff and @nobody-here, any news?"
    )
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert '<a href="/u/staff" class="mention"' in page
    assert "@nobody-here" in page
    assert 'href="/u/nobody-here"' not in page


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("Hey", "A fine body", "at least 5 characters"),
        ("x" * 151, "A fine body", "Keep the title to 150 characters"),
        ("Tab\tin title", "A fine body", "one line of plain text"),
        ("Null\x00byte", "A fine body", "one line of plain text"),
        ("A fine title", "   \n  ", "This field is required."),
        ("A fine title", "x" * 50_001, "Field cannot be longer than 50000 characters."),
    ],
)
def test_bad_topics_are_refused_at_the_field_and_nothing_is_written(
    app, client, shop, title, body, message
):
    login_as(client, shop.member)
    response = client.post("/b/northwind/c/support/new", data={"title": title, "body": body})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert load(app, Category, shop.support.id).topic_count == 0


def test_a_whitespace_reply_is_refused_and_nothing_is_written(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.other_member)
    response = client.post(f"/t/{topic.id}/reply", data={"body": " \n\t "})
    assert response.status_code == 400
    assert load(app, Topic, topic.id).post_count == 1


@pytest.mark.parametrize(
    "path",
    ["/b/nowhere/c/support", "/b/northwind/c/nothing", "/t/999999", "/p/999999/history"],
)
def test_unknown_things_are_not_found(client, shop, path):
    assert client.get(path).status_code == 404


def test_members_cannot_start_announcements(app, client, shop):
    login_as(client, shop.member)
    response = client.post(
        "/b/northwind/c/announcements/new", data={"title": "Big news everyone", "body": "Hi"}
    )
    assert response.status_code == 403
    assert "staff can post announcements." in response.get_data(as_text=True)
    assert load(app, Category, shop.announcements.id).topic_count == 0


def test_staff_post_announcements_and_members_reply_to_them(app, client, shop):
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/c/announcements/new",
        data={"title": "Our winter blend is here", "body": "Order now."},
    )
    assert response.status_code == 302
    topic_path = response.headers["Location"].split("#")[0]
    member = client.application.test_client()
    login_as(member, shop.member)
    topic_id = int(topic_path.split("/")[2])
    assert member.post(f"/t/{topic_id}/reply", data={"body": "Yum!"}).status_code == 302


def test_a_locked_topic_refuses_member_replies_but_not_staff(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.moderator)
    client.post(f"/t/{topic.id}/lock")
    member = client.application.test_client()
    login_as(member, shop.other_member)
    page = member.get(f"/t/{topic.id}").get_data(as_text=True)
    assert "This topic is locked" in page
    response = member.post(f"/t/{topic.id}/reply", data={"body": "Let me in"})
    assert response.status_code == 403
    assert "This topic is locked" in response.get_data(as_text=True)
    staff = client.application.test_client()
    login_as(staff, shop.staff)
    assert staff.post(f"/t/{topic.id}/reply", data={"body": "Closing note."}).status_code == 302
    assert load(app, Topic, topic.id).post_count == 2


def test_the_post_parameter_jumps_to_its_page_and_anchor(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member, replies=44)
    response = client.get(f"/t/{topic.id}?post=42")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{topic.id}/{topic.slug}?page=3#post-42")
    page = client.get(f"/t/{topic.id}?page=3").get_data(as_text=True)
    assert 'id="post-42"' in page
    assert 'id="post-40"' not in page


@pytest.mark.parametrize("query", ["page=0", "page=99", "post=0", "post=500"])
def test_pages_past_the_end_are_not_found(app, client, shop, query):
    topic = make_topic(app, shop.discussion, shop.member, replies=3)
    assert client.get(f"/t/{topic.id}?{query}").status_code == 404


def test_a_non_numeric_post_parameter_is_a_bad_request(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    assert client.get(f"/t/{topic.id}?post=abc").status_code == 400


def test_the_preview_uses_the_server_renderer(client, shop):
    login_as(client, shop.member)
    response = client.post(
        "/preview",
        data={"body": "**bold** <script>alert(1)</script> @staff"},
        headers={"Accept": "application/json"},
    )
    html = response.get_json()["html"]
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html
    assert 'href="/u/staff"' in html
