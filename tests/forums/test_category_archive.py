"""Categories an owner archives or deletes, and topics moved in bulk (issue 13, point 4)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Topic, TopicStatus
from fanhub.moderation.models import Decision, ModerationAction
from fanhub.permissions import SYSTEM
from tests import factories
from tests.stories import login_as

CATEGORIES = "/b/northwind/categories"


def counts(app, category) -> tuple[int, int]:
    row = factories.load(app, Category, category.id)
    return row.topic_count, row.post_count


def recount(app, category) -> tuple[int, int]:
    """What the counters should say: the listed topics, and their posts."""
    with app.app_context():
        topics, posts = db.session.execute(
            select(func.count(), func.coalesce(func.sum(Topic.post_count), 0)).where(
                Topic.category_id == category.id, Topic.status == TopicStatus.VISIBLE
            )
        ).one()
        return topics, posts


def archive(app, category, now) -> None:
    with app.app_context():
        forums.set_archived(SYSTEM, db.session.get(Category, category.id), True, now=now)


def test_an_archived_category_takes_no_new_topics_or_replies(app, client, shop, now):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.owner)
    assert client.post("/b/northwind/c/discussion/archive").status_code == 302
    for who in (shop.member, shop.staff):  # read-only for everyone, the team included
        client.post("/logout")
        login_as(client, who)
        started = client.post(
            "/b/northwind/c/discussion/new", data={"title": "One more thing", "body": "Hi"}
        )
        assert started.status_code == 409
        assert "This category is archived" in started.get_data(as_text=True)
        replied = client.post(f"/t/{topic.id}/reply", data={"body": "Me too"})
        assert replied.status_code == 409
        page = client.get(f"/t/{topic.id}").get_data(as_text=True)
        assert "This category is archived: it takes no new topics or replies." in page
    with app.app_context(), pytest.raises(Conflict, match="archived"):
        forums.start_topic(
            db.session.get(User, shop.member.id),
            db.session.get(Category, shop.discussion.id),
            forums.TopicDraft("Another question", "Hello?"),
            now=now,
        )
    assert counts(app, shop.discussion) == (1, 1)


def test_an_archived_category_leaves_the_lists_but_keeps_its_address(app, client, shop, now):
    topic = factories.make_topic(app, shop.discussion, shop.member, title="Old kettle talk")
    archive(app, shop.discussion, now)
    fan_page = client.get("/b/northwind").get_data(as_text=True)
    assert "/b/northwind/c/discussion" not in fan_page
    assert "Old kettle talk" not in fan_page  # nor its topics in the recent activity
    assert "/b/northwind/c/support" in fan_page
    page = client.get("/b/northwind/c/discussion")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-testid="archived-notice"' in text and "Old kettle talk" in text
    assert "/b/northwind/c/discussion/new" not in text
    assert client.get(f"/t/{topic.id}").status_code == 200
    # Its owners still see it, marked, where they manage categories.
    login_as(client, shop.owner)
    managed = client.get(CATEGORIES).get_data(as_text=True)
    assert "Archived</span>" in managed and "Unarchive" in managed


def test_unarchiving_opens_it_again(app, client, shop, now):
    archive(app, shop.discussion, now)
    login_as(client, shop.owner)
    assert client.post("/b/northwind/c/discussion/unarchive").status_code == 302
    assert factories.load(app, Category, shop.discussion.id).archived_at is None
    client.post("/logout")
    login_as(client, shop.member)
    started = client.post(
        "/b/northwind/c/discussion/new", data={"title": "One more thing", "body": "Hi"}
    )
    assert started.status_code == 302


def test_an_empty_category_is_deleted(app, client, shop):
    empty = factories.make_category(app, shop.brand, slug="empty")
    login_as(client, shop.owner)
    assert client.post("/b/northwind/c/empty/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Category, empty.id) is None


@pytest.mark.parametrize("state", [TopicStatus.VISIBLE, TopicStatus.HIDDEN])
def test_a_category_with_topics_is_not_deleted(app, client, shop, state):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    if state is not TopicStatus.VISIBLE:  # not in its counters, but still in it
        with app.app_context():
            db.session.get(Topic, topic.id).status = state
            db.session.commit()
    login_as(client, shop.owner)
    response = client.post("/b/northwind/c/discussion/delete")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    name = factories.load(app, Category, shop.discussion.id).name
    assert f'id="delete-discussion-error" role="alert">{name} still holds 1 topic: move it' in page
    assert 'aria-describedby="delete-discussion-error"' in page
    assert factories.load(app, Topic, topic.id).category_id == shop.discussion.id


def test_topics_move_in_bulk_and_both_counters_stay_right(app, client, shop):
    first = factories.make_topic(app, shop.discussion, shop.member, replies=2)
    second = factories.make_topic(app, shop.discussion, shop.other_member, replies=1)
    stays = factories.make_topic(app, shop.discussion, shop.member)
    factories.make_topic(app, shop.support, shop.member, replies=3)
    before = counts(app, shop.discussion), counts(app, shop.support)
    login_as(client, shop.moderator)
    page = client.get("/b/northwind/c/discussion").get_data(as_text=True)
    assert f'value="{first.id}" id="tick-{first.id}" form="bulk-move"' in page

    response = client.post(
        "/b/northwind/c/discussion/move-topics",
        data={"topics": [str(first.id), str(second.id)], "category": str(shop.support.id)},
    )
    assert response.status_code == 302
    assert "Moved 2 topics to" in client.get(response.headers["Location"]).get_data(as_text=True)
    for topic in (first, second):
        assert factories.load(app, Topic, topic.id).category_id == shop.support.id
    assert factories.load(app, Topic, stays.id).category_id == shop.discussion.id
    (source_topics, source_posts), (target_topics, target_posts) = before
    assert counts(app, shop.discussion) == (source_topics - 2, source_posts - 5)
    assert counts(app, shop.support) == (target_topics + 2, target_posts + 5)
    assert counts(app, shop.discussion) == recount(app, shop.discussion)
    assert counts(app, shop.support) == recount(app, shop.support)
    with app.app_context():
        logged = db.session.scalars(
            select(ModerationAction).where(ModerationAction.action == Decision.MOVE)
        ).all()
    assert sorted(row.item_id for row in logged) == sorted([first.id, second.id])
    assert all(row.state_after == {"category": "support"} for row in logged)


def test_a_hidden_topic_moves_without_touching_the_counters(app, shop, now):
    hidden = factories.make_topic(app, shop.discussion, shop.member, replies=1)
    with app.app_context():
        db.session.get(Topic, hidden.id).status = TopicStatus.HIDDEN
        db.session.execute(
            Category.__table__.update()
            .where(Category.id == shop.discussion.id)
            .values(topic_count=0, post_count=0)
        )
        db.session.commit()
        done = forums.move_topics(
            db.session.get(User, shop.moderator.id),
            db.session.get(Category, shop.discussion.id),
            [hidden.id],
            db.session.get(Category, shop.support.id),
            now=now,
        )
    assert done.moved == 1
    assert counts(app, shop.discussion) == (0, 0) == counts(app, shop.support)


def test_a_move_with_nothing_ticked_keeps_her_choice_and_says_why(app, client, shop):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/c/discussion/move-topics", data={"category": str(shop.support.id)}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="bulk-topics-error" role="alert">Tick the topics to move.' in page
    assert f'<option selected value="{shop.support.id}">' in page
    # Ticked but no destination: the tick stays, the problem is beside the choice.
    response = client.post(
        "/b/northwind/c/discussion/move-topics", data={"topics": str(topic.id), "category": ""}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="bulk-category-error">Choose the category to move them to.' in page
    assert f'value="{topic.id}" id="tick-{topic.id}" form="bulk-move" checked' in page
    assert factories.load(app, Topic, topic.id).category_id == shop.discussion.id


def test_topics_move_only_within_their_brand(app, shop, now):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    elsewhere = factories.make_category(app, shop.other_brand, slug="elsewhere")
    with app.app_context(), pytest.raises(Invalid, match="within their brand"):
        forums.move_topics(
            db.session.get(User, shop.moderator.id),
            db.session.get(Category, shop.discussion.id),
            [topic.id],
            db.session.get(Category, elsewhere.id),
            now=now,
        )
    assert factories.load(app, Topic, topic.id).category_id == shop.discussion.id


def test_topics_moved_meanwhile_are_skipped_and_said_so(app, client, shop, now):
    moved = factories.make_topic(app, shop.discussion, shop.member)
    still = factories.make_topic(app, shop.discussion, shop.member)
    with app.app_context():
        forums.move_topic(
            db.session.get(User, shop.moderator.id),
            db.session.get(Topic, moved.id),
            db.session.get(Category, shop.ideas.id),
            now=now,
        )
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/c/discussion/move-topics",
        data={"topics": [str(moved.id), str(still.id)], "category": str(shop.support.id)},
        follow_redirects=True,
    )
    assert "Moved 1 topic to" in response.get_data(as_text=True)
    assert "1 had already left" in response.get_data(as_text=True)
    assert factories.load(app, Topic, moved.id).category_id == shop.ideas.id
    assert counts(app, shop.ideas) == recount(app, shop.ideas)


def test_members_see_no_tick_boxes(app, client, shop):
    factories.make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.member)
    page = client.get("/b/northwind/c/discussion").get_data(as_text=True)
    assert 'form="bulk-move"' not in page and 'id="bulk-move"' not in page


def test_the_category_page_costs_the_same_queries_with_the_move_controls(
    app, client, shop, count_queries
):
    factories.make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.moderator)
    with count_queries() as few:
        client.get("/b/northwind/c/discussion")
    for n in range(5):
        factories.make_topic(app, shop.discussion, shop.member, title=f"Topic number {n}")
        factories.make_category(app, shop.brand)
    with count_queries() as many:
        client.get("/b/northwind/c/discussion")
    assert len(many) == len(few)


def test_archiving_is_for_owners(app, shop, now):
    with app.app_context():
        brand = db.session.get(Brand, shop.brand.id)
        assert brand is not None
        with pytest.raises(Forbidden, match="Only the brand's owners"):
            forums.set_archived(
                db.session.get(User, shop.staff.id),
                db.session.get(Category, shop.discussion.id),
                True,
                now=now,
            )


def test_a_move_whose_topics_all_left_meanwhile_is_shown_again(app, client, shop, now):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    with app.app_context():
        forums.move_topic(
            db.session.get(User, shop.moderator.id),
            db.session.get(Topic, topic.id),
            db.session.get(Category, shop.ideas.id),
            now=now,
        )
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/c/discussion/move-topics",
        data={"topics": str(topic.id), "category": str(shop.support.id)},
    )
    assert response.status_code == 409
    assert "someone moved them meanwhile" in response.get_data(as_text=True)
    assert factories.load(app, Topic, topic.id).category_id == shop.ideas.id
