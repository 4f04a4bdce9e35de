"""Editing with history, deleting your own post, and reactions."""

from __future__ import annotations

import pytest

from fanhub.forums.models import Post, PostStatus, Topic
from tests.factories import load, make_topic, reply
from tests.stories import login_as


def test_editing_keeps_a_revision_anyone_can_read(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member, body="The first version.")
    login_as(client, shop.other_member)
    response = client.post(f"/p/{post.id}/edit", data={"body": "The better version."})
    assert response.status_code == 302
    stored = load(app, Post, post.id)
    assert (stored.body, stored.edit_count) == ("The better version.", 1)
    visitor = app.test_client()
    page = visitor.get(f"/t/{topic.id}").get_data(as_text=True)
    assert f'href="/p/{post.id}/history">edited<' in page
    history = visitor.get(f"/p/{post.id}/history").get_data(as_text=True)
    assert "The first version." in history
    assert "The better version." in history


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("staff", 403), ("owner", 302)])
def test_only_the_author_or_the_brands_moderators_edit(app, client, shop, who, status):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member, body="Original words.")
    login_as(client, shop.person(who))
    assert client.post(f"/p/{post.id}/edit", data={"body": "Changed!"}).status_code == status


def test_deleting_your_post_leaves_a_marker_and_keeps_positions(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member, body="Something I regret.")
    later = reply(app, topic, shop.member, body="A later reply.")
    login_as(client, shop.other_member)
    assert client.post(f"/p/{post.id}/delete").status_code == 302
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert "This post was removed by its author." in page
    assert "Something I regret." not in page
    assert load(app, Post, post.id).status is PostStatus.DELETED_BY_AUTHOR
    assert load(app, Post, later.id).position == 3


def test_nobody_deletes_someone_elses_post(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member)
    login_as(client, shop.member)
    assert client.post(f"/p/{post.id}/delete").status_code == 403
    assert load(app, Post, post.id).status is PostStatus.VISIBLE


def test_deleting_the_solution_clears_it(app, client, shop):
    topic = make_topic(app, shop.support, shop.member)
    answer = reply(app, topic, shop.other_member)
    login_as(client, shop.member)
    client.post(f"/p/{answer.id}/solution")
    other = app.test_client()
    login_as(other, shop.other_member)
    other.post(f"/p/{answer.id}/delete")
    assert not load(app, Topic, topic.id).is_solved


def test_reactions_toggle_and_count_one_of_each_kind_per_member(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.staff)
    login_as(client, shop.member)
    client.post(f"/p/{post.id}/react/helpful")
    client.post(f"/p/{post.id}/react/thanks")
    other = app.test_client()
    login_as(other, shop.other_member)
    other.post(f"/p/{post.id}/react/helpful")
    stored = load(app, Post, post.id)
    assert (stored.like_count, stored.helpful_count, stored.thanks_count) == (0, 2, 1)
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert 'aria-pressed="true">Helpful <span class="reaction__count" data-inplace-count>2<' in page
    client.post(f"/p/{post.id}/react/helpful")
    assert load(app, Post, post.id).helpful_count == 1


def test_members_cannot_react_to_their_own_posts(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member)
    login_as(client, shop.other_member)
    assert client.post(f"/p/{post.id}/react/like").status_code == 403
    assert load(app, Post, post.id).like_count == 0


def test_an_unknown_reaction_is_not_found(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member)
    login_as(client, shop.member)
    assert client.post(f"/p/{post.id}/react/love").status_code == 404


def test_posting_is_rate_limited_per_member_and_says_so(app, client, shop, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_POST", "2 per minute")
    topic = make_topic(app, shop.support, shop.other_member)
    login_as(client, shop.member)
    responses = [client.post(f"/t/{topic.id}/reply", data={"body": f"Reply {n}"}) for n in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 429]
    assert "Slow down" in responses[-1].get_data(as_text=True)
    assert load(app, Topic, topic.id).post_count == 3
    other = app.test_client()
    login_as(other, shop.other_member)
    assert other.post(f"/t/{topic.id}/reply", data={"body": "Mine"}).status_code == 302
