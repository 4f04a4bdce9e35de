"""The forum's own tools are on the moderation record: pin, lock, move and a moderator's edit
of someone else's post each write exactly one ModerationAction (issue 5, point 3)."""

from __future__ import annotations

import pytest

from fanhub.forums.models import Post, Topic
from tests import factories
from tests.moderation.conftest import actions
from tests.stories import login_as


@pytest.fixture
def topic(app, shop):
    return factories.make_topic(app, shop.discussion, shop.member, title="Kettle lid sticks")


@pytest.mark.parametrize(
    ("first", "change", "what", "before", "after"),
    [
        (None, "pin", "pinned", False, True),
        ("pin", "unpin", "pinned", True, False),
        (None, "lock", "locked", False, True),
        ("lock", "unlock", "locked", True, False),
    ],
)
def test_each_topic_tool_writes_one_row_with_the_state_before_and_after(
    app, client, shop, topic, first, change, what, before, after
):
    login_as(client, shop.moderator)
    if first:
        client.post(f"/t/{topic.id}/{first}")
    already = len(actions(app))

    response = client.post(f"/t/{topic.id}/{change}")

    assert response.status_code == 302
    rows = actions(app)[already:]
    assert len(rows) == 1
    [row] = rows
    assert (row.action.value, row.item_kind.value, row.item_id) == (change, "topic", topic.id)
    assert (row.moderator_id, row.subject_id, row.brand_id) == (
        shop.moderator.id,
        shop.member.id,
        shop.brand.id,
    )
    assert row.state_before == {what: before}
    assert row.state_after == {what: after}


def test_a_tool_that_changes_nothing_writes_nothing(app, client, shop, topic):
    login_as(client, shop.staff)
    client.post(f"/t/{topic.id}/pin")

    client.post(f"/t/{topic.id}/pin")

    assert [row.action.value for row in actions(app)] == ["pin"]


def test_moving_a_topic_writes_one_row_naming_both_categories(app, client, shop, topic):
    login_as(client, shop.staff)

    response = client.post(f"/t/{topic.id}/move", data={"category": shop.support.id})

    assert response.status_code == 302
    assert factories.load(app, Topic, topic.id).category_id == shop.support.id
    [row] = actions(app)
    assert (row.action.value, row.item_id, row.moderator_id) == ("move", topic.id, shop.staff.id)
    assert row.state_before == {"category": "discussion"}
    assert row.state_after == {"category": "support"}


def test_a_moderator_editing_someone_else_s_post_writes_one_row(app, client, shop, topic):
    post = factories.reply(app, topic, shop.other_member, "Call me on 555-0100 any time")
    login_as(client, shop.moderator)

    response = client.post(f"/p/{post.id}/edit", data={"body": "Call me (number removed)"})

    assert response.status_code == 302
    assert factories.load(app, Post, post.id).body == "Call me (number removed)"
    [row] = actions(app)
    assert (row.action.value, row.item_kind.value, row.item_id) == ("edit", "post", post.id)
    assert (row.moderator_id, row.subject_id) == (shop.moderator.id, shop.other_member.id)
    assert row.state_before == {"body": "Call me on 555-0100 any time"}
    assert row.state_after == {"body": "Call me (number removed)"}


def test_an_author_editing_her_own_post_is_not_a_moderation_action(app, client, shop, topic):
    post = factories.reply(app, topic, shop.other_member, "Helpful answer with a typo")
    login_as(client, shop.other_member)

    client.post(f"/p/{post.id}/edit", data={"body": "Helpful answer, typo fixed"})

    assert actions(app) == []


def test_a_refused_tool_writes_nothing(app, client, shop, topic):
    login_as(client, shop.other_member)

    assert client.post(f"/t/{topic.id}/lock").status_code == 403

    assert actions(app) == []


def test_the_log_shows_the_forum_tools(app, client, shop, topic):
    login_as(client, shop.moderator)
    client.post(f"/t/{topic.id}/pin")
    client.post(f"/t/{topic.id}/lock")
    client.post(f"/t/{topic.id}/move", data={"category": shop.support.id})

    page = client.get("/mod/log").get_data(as_text=True)

    for action in ("pin", "lock", "move"):
        assert f'data-action="{action}"' in page
    assert "discussion → <strong>support</strong>" in page
    assert 'data-action="pin"' in client.get("/mod/log?action=pin").get_data(as_text=True)
    assert 'data-action="lock"' not in client.get("/mod/log?action=pin").get_data(as_text=True)
