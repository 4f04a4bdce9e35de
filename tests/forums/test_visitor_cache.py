"""Visitors are served a page rendered moments ago until anything it shows changes."""

from __future__ import annotations

from tests.factories import make_topic, reply
from tests.stories import login_as


def test_a_visitor_is_served_the_page_again_for_one_query(app, client, shop, count_queries):
    topic = make_topic(app, shop.support, shop.member, replies=25, repliers=[shop.staff])
    first = client.get(f"/t/{topic.id}?page=2").get_data(as_text=True)
    with count_queries() as statements:
        again = client.get(f"/t/{topic.id}?page=2").get_data(as_text=True)
    assert again == first
    assert len(statements) == 1  # the topic itself, whose state is the cache key


def test_a_new_reply_shows_to_visitors_at_once(app, client, shop):
    topic = make_topic(app, shop.support, shop.member)
    client.get(f"/t/{topic.id}")
    reply(app, topic, shop.staff, body="Fresh official answer.")
    assert "Fresh official answer." in client.get(f"/t/{topic.id}").get_data(as_text=True)


def test_members_always_get_a_page_of_their_own(app, client, shop):
    topic = make_topic(app, shop.support, shop.member)
    post = reply(app, topic, shop.staff)
    client.get(f"/t/{topic.id}")  # a visitor's copy is cached
    member = app.test_client()
    login_as(member, shop.other_member)
    member.post(f"/p/{post.id}/react/thanks")
    page = member.get(f"/t/{topic.id}").get_data(as_text=True)
    assert 'aria-pressed="true">Thanks' in page
    assert "signed-in-as" in page
    assert "signed-in-as" not in client.get(f"/t/{topic.id}").get_data(as_text=True)


def test_pages_that_do_not_exist_are_never_cached(app, client, shop):
    topic = make_topic(app, shop.support, shop.member)
    assert client.get(f"/t/{topic.id}?page=2").status_code == 404
    assert client.get(f"/t/{topic.id}?page=2").status_code == 404
