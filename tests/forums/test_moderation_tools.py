"""Staff and moderators pin, lock and move topics; owners manage categories."""

from __future__ import annotations

import pytest

from fanhub.forums.models import Category, CategoryKind, Topic
from tests.factories import load, make_category, make_topic
from tests.stories import login_as


def test_pinned_topics_come_first(app, client, shop):
    old = make_topic(app, shop.discussion, shop.member, title="Old but important")
    make_topic(app, shop.discussion, shop.member, title="Fresh chatter here")
    login_as(client, shop.moderator)
    assert client.post(f"/t/{old.id}/pin").status_code == 302
    page = client.get("/b/northwind/c/discussion").get_data(as_text=True)
    assert page.index("Old but important") < page.index("Fresh chatter here")
    assert load(app, Topic, old.id).is_pinned


def test_moving_a_topic_moves_its_counts(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member, replies=2)
    login_as(client, shop.staff)
    response = client.post(f"/t/{topic.id}/move", data={"category": shop.support.id})
    assert response.status_code == 302
    assert load(app, Topic, topic.id).category_id == shop.support.id
    source, target = load(app, Category, shop.discussion.id), load(app, Category, shop.support.id)
    assert (source.topic_count, source.post_count) == (0, 0)
    assert (target.topic_count, target.post_count) == (1, 3)


def test_a_topic_cannot_move_to_another_brands_category(app, client, shop):
    elsewhere = make_category(app, shop.other_brand, CategoryKind.DISCUSSION)
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.staff)
    assert client.post(f"/t/{topic.id}/move", data={"category": elsewhere.id}).status_code == 400
    assert load(app, Topic, topic.id).category_id == shop.discussion.id


def test_owners_add_and_reorder_categories(app, client, shop):
    login_as(client, shop.owner)
    response = client.post(
        "/b/northwind/categories",
        data={"slug": "news", "name": "Product news", "kind": "announcements", "description": ""},
    )
    assert response.status_code == 302
    client.post("/b/northwind/c/news/up")
    page = client.get("/b/northwind").get_data(as_text=True)
    assert page.index("Product news") < page.index(shop.announcements.name)


def test_a_taken_category_address_is_refused(app, client, shop):
    login_as(client, shop.owner)
    response = client.post(
        "/b/northwind/categories",
        data={"slug": "support", "name": "Again", "kind": "support", "description": ""},
    )
    assert response.status_code == 409
    assert "already has a category at /c/support" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["staff", "moderator", "member", "other_staff"])
def test_only_owners_manage_categories(app, client, shop, who):
    login_as(client, shop.person(who))
    assert client.get("/b/northwind/categories").status_code == 403
    response = client.post(
        "/b/northwind/categories",
        data={"slug": "x", "name": "X", "kind": "discussion", "description": ""},
    )
    assert response.status_code == 403


def test_an_owner_renames_a_category(app, client, shop):
    login_as(client, shop.owner)
    response = client.post(
        "/b/northwind/c/discussion/edit",
        data={"slug": "discussion", "name": "Coffee talk", "kind": "discussion", "description": ""},
    )
    assert response.status_code == 302
    assert load(app, Category, shop.discussion.id).name == "Coffee talk"


def test_the_cli_creates_and_lists_categories(runner, shop):
    result = runner.invoke(
        args=["category", "create", "northwind", "returns", "Returns", "--kind", "support"]
    )
    assert result.exit_code == 0, result.output
    assert "created support category /b/northwind/c/returns" in result.output
    listing = runner.invoke(args=["category", "list", "northwind"])
    assert "returns" in listing.output.splitlines()[-1]


def test_the_cli_explains_a_refused_category(runner, shop):
    result = runner.invoke(args=["category", "create", "northwind", "support", "Again"])
    assert result.exit_code == 1
    assert "already has a category at /c/support" in result.output


def test_the_cli_edits_and_reorders_categories(app, runner, shop):
    result = runner.invoke(args=["category", "edit", "northwind", "ideas", "--name", "Wishlist"])
    assert result.exit_code == 0, result.output
    assert load(app, Category, shop.ideas.id).name == "Wishlist"
    before = load(app, Category, shop.ideas.id).position
    assert runner.invoke(args=["category", "move", "northwind", "ideas", "up"]).exit_code == 0
    assert load(app, Category, shop.ideas.id).position == before - 1
