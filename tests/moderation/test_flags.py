"""Members flag topics, posts, reviews and replies; enough flags hide an item until a
moderator decides."""

from __future__ import annotations

from fanhub.forums.models import Category, Post, PostStatus, Topic, TopicStatus
from fanhub.moderation.models import Flag
from fanhub.notifications.models import Notification, NotificationKind
from fanhub.reviews.models import Product, Review, ReviewStatus
from tests import factories
from tests.moderation.conftest import actions, case_of, count, flag, flags
from tests.reviews.conftest import make_product, write_review
from tests.stories import login_as


def test_a_member_flags_a_post_and_it_waits_in_the_queue(app, client, shop, spam):
    login_as(client, shop.member)
    response = client.post(f"/flag/post/{spam.id}", data={"reason": "spam"})
    assert response.status_code == 302
    case = case_of(app, "post", spam.id)
    assert case.open_flag_count == 1
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE


def test_a_second_flag_on_the_same_item_is_refused_and_changes_nothing(app, client, shop, spam):
    login_as(client, shop.member)
    client.post(f"/flag/post/{spam.id}", data={"reason": "spam"})
    again = client.post(f"/flag/post/{spam.id}", data={"reason": "abuse"})
    assert again.status_code == 409
    assert "already flagged" in again.get_data(as_text=True)
    assert count(app, Flag) == 1
    assert case_of(app, "post", spam.id).open_flag_count == 1


def test_flagging_a_missing_item_is_404(client, shop):
    login_as(client, shop.member)
    assert client.post("/flag/post/999999", data={"reason": "spam"}).status_code == 404
    assert client.post("/flag/nonsense/1", data={"reason": "spam"}).status_code == 404


def test_flagging_a_post_its_author_removed_is_refused(app, client, shop, spam):
    author = app.test_client()
    login_as(author, shop.other_member)
    author.post(f"/p/{spam.id}/delete")
    login_as(client, shop.member)
    response = client.post(f"/flag/post/{spam.id}", data={"reason": "spam"})
    assert response.status_code == 409
    assert "already removed" in response.get_data(as_text=True)
    assert count(app, Flag) == 0


def test_a_member_cannot_flag_her_own_post(app, client, shop, spam):
    login_as(client, shop.other_member)
    response = client.post(f"/flag/post/{spam.id}", data={"reason": "spam"})
    assert response.status_code == 403
    assert count(app, Flag) == 0


def test_something_else_needs_a_note(app, client, shop, spam):
    login_as(client, shop.member)
    response = client.post(f"/flag/post/{spam.id}", data={"reason": "other"})
    assert response.status_code == 400
    assert "Tell the moderators" in response.get_data(as_text=True)
    ok = client.post(f"/flag/post/{spam.id}", data={"reason": "other", "note": "Odd links"})
    assert ok.status_code == 302


def test_three_members_flags_hide_a_post_from_visitors_only(app, client, shop, spam, reporters):
    for who in reporters:
        flag(app, who, "post", spam.id)
    assert factories.load(app, Post, spam.id).status is PostStatus.HIDDEN
    visitor = client.get(f"/t/{spam.topic_id}").get_data(as_text=True)
    assert "hidden pending review" in visitor
    assert "spam.example" not in visitor
    login_as(client, shop.other_member)  # the author still sees her post, marked
    mine = client.get(f"/t/{spam.topic_id}").get_data(as_text=True)
    assert "spam.example" in mine and "only its author and the moderators" in mine
    [auto] = actions(app)
    assert auto.action.value == "auto_hide" and auto.moderator_id is None
    with app.app_context():
        from sqlalchemy import select

        from fanhub.extensions import db

        told = db.session.scalars(
            select(Notification).where(Notification.user_id == shop.other_member.id)
        ).all()
    assert [n.kind for n in told] == [NotificationKind.MODERATION]


def test_two_flags_do_not_hide_with_the_default_threshold(app, shop, spam, reporters):
    for who in reporters[:2]:
        flag(app, who, "post", spam.id)
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE
    assert actions(app) == []


def test_a_hidden_topic_leaves_its_category_and_its_counts(app, client, shop, reporters):
    topic = factories.make_topic(
        app, shop.discussion, shop.other_member, title="Cheap watches here"
    )
    before = factories.load(app, Category, shop.discussion.id)
    for who in reporters:
        flag(app, who, "topic", topic.id)
    assert factories.load(app, Topic, topic.id).status is TopicStatus.HIDDEN
    after = factories.load(app, Category, shop.discussion.id)
    assert after.topic_count == before.topic_count - 1
    page = client.get("/b/northwind/c/discussion").get_data(as_text=True)
    assert "Cheap watches here" not in page
    assert client.get(f"/t/{topic.id}").status_code == 404
    assert "Cheap watches here" not in client.get("/b/northwind").get_data(as_text=True)
    feed = client.get("/b/northwind/c/discussion/feed.atom").get_data(as_text=True)
    assert "Cheap watches here" not in feed
    assert client.get(f"/t/{topic.id}/feed.atom").status_code == 404


def test_a_hidden_review_leaves_the_product_page_and_its_rating(app, client, shop, reporters):
    kettle = make_product(app, shop.brand, "kettle")
    review = write_review(
        app, kettle, shop.other_member, 1, title="Spammy", body="Visit spam.example for deals now!"
    )
    assert factories.load(app, Product, kettle.id).rating_count == 1
    for who in reporters:
        flag(app, who, "review", review.id)
    assert factories.load(app, Review, review.id).status is ReviewStatus.HIDDEN
    product = factories.load(app, Product, kettle.id)
    assert (product.rating_count, product.rating_sum, product.stars_1) == (0, 0, 0)
    assert "Spammy" not in client.get("/b/northwind/p/kettle").get_data(as_text=True)


def test_a_review_reply_can_be_flagged(app, client, shop):
    kettle = make_product(app, shop.brand, "kettle")
    review = write_review(app, kettle, shop.member, 4)
    author = app.test_client()
    login_as(author, shop.other_member)
    author.post(f"/b/northwind/p/kettle/r/{review.id}/reply", data={"body": "Spam reply here"})
    from fanhub.reviews.models import ReviewReply

    with app.app_context():
        from sqlalchemy import select

        from fanhub.extensions import db

        reply_id = db.session.scalar(select(ReviewReply.id))
    login_as(client, shop.member)
    assert client.post(f"/flag/review_reply/{reply_id}", data={"reason": "spam"}).status_code == 302
    assert case_of(app, "review_reply", reply_id).open_flag_count == 1


def test_flagging_is_rate_limited_per_member(app, client, shop, spam, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_FLAG", "2 per minute")
    login_as(client, shop.member)
    codes = [
        client.post(f"/flag/post/{spam.id}", data={"reason": "spam"}).status_code for _ in range(3)
    ]
    assert codes == [302, 409, 429]


def test_a_suspended_member_cannot_flag_and_is_told_until_when(app, client, shop, spam):
    from datetime import timedelta

    from fanhub.accounts.models import User
    from fanhub.db import utcnow
    from fanhub.extensions import db

    with app.app_context():
        user = db.session.get(User, shop.member.id)
        user.suspended_until = utcnow() + timedelta(days=3)
        user.sanction_reason = "Spamming"
        db.session.commit()
    login_as(client, shop.member)
    response = client.post(f"/flag/post/{spam.id}", data={"reason": "spam"})
    assert response.status_code == 403
    assert "Your account is suspended until" in response.get_data(as_text=True)
    assert "Spamming." in response.get_data(as_text=True)
    assert count(app, Flag) == 0
    assert actions(app) == []
    assert flags(app) == []


def test_the_queue_form_offers_every_decision_the_services_know():
    from fanhub.moderation.forms import DECISION_CHOICES, DECISION_VALUES

    assert {value for value, _ in DECISION_CHOICES if value} == DECISION_VALUES
