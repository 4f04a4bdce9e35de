"""Spam signals (issue 5, point 6): a new member's repeated text or link-heavy post waits in
the moderators' queue instead of being published, and approving or rejecting it there does
what posting would have done, or nothing, on the record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.errors import Conflict
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Post, PostStatus, Topic
from fanhub.moderation import services
from fanhub.moderation.models import CaseStatus, Decision, ModerationRule
from fanhub.notifications.models import Notification, NotificationKind
from tests import factories
from tests.moderation.conftest import actions, decide, held_case
from tests.stories import login_as

SAME = "Great kettle, it boils in two minutes and the handle stays cool."


def reply_as(app: Flask, who: Any, topic: Any, body: str, now: Any = None) -> Post:
    with app.app_context():
        post = forums.reply_to_topic(
            db.session.get(User, who.id),
            db.session.get(Topic, topic.id),
            forums.ReplyDraft(body),
            now=now or utcnow(),
        )
        db.session.refresh(post)
        return post


def state(app: Flask, topic: Any) -> dict[str, Any]:
    """Every number a post moves, and who has heard of it."""
    with app.app_context():
        row = db.session.get(Topic, topic.id)
        category = db.session.get(Category, row.category_id)
        return {
            "post_count": row.post_count,
            "last_posted_at": row.last_posted_at,
            "last_poster_id": row.last_poster_id,
            "category_posts": category.post_count,
            "category_topics": category.topic_count,
            "notifications": db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind.in_([NotificationKind.REPLY, NotificationKind.NEW_TOPIC]))
            ),
        }


def _newbie(make_user: Any) -> Any:
    return make_user("newbie", trust_level=0)


def test_the_same_text_again_within_ten_minutes_waits_and_changes_no_counter(app, shop, make_user):
    newbie = _newbie(make_user)
    first = factories.make_topic(app, shop.discussion, shop.member, title="Kettle thoughts")
    second = factories.make_topic(app, shop.support, shop.other_member, title="Kettle advice")
    start = utcnow()
    assert reply_as(app, newbie, first, SAME, now=start).status is PostStatus.VISIBLE
    before = state(app, second)
    # Case and spacing do not make it new text, nor does another topic elsewhere.
    again = "  " + SAME.upper().replace(" ", "  \n", 3) + " "
    post = reply_as(app, newbie, second, again, now=start + timedelta(minutes=2))
    assert post.status is PostStatus.PENDING
    assert post.position < 1  # no place in the thread yet
    assert state(app, second) == before
    case = held_case(app, "post", post.id)
    assert case.status is CaseStatus.OPEN and case.open_flag_count == 0
    assert case.hold_reason == "Posted the same text 2 minutes ago."


def test_the_same_text_after_ten_minutes_is_published(app, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    start = utcnow()
    reply_as(app, newbie, topic, SAME, now=start)
    later = reply_as(app, newbie, topic, SAME, now=start + timedelta(minutes=11))
    assert later.status is PostStatus.VISIBLE and later.position == 3


def test_an_established_member_may_repeat_herself(app, shop):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    reply_as(app, shop.other_member, topic, SAME)
    assert reply_as(app, shop.other_member, topic, SAME).status is PostStatus.VISIBLE


def test_a_link_heavy_post_from_a_new_member_waits(app, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    before = state(app, topic)
    post = reply_as(app, newbie, topic, "Deals: https://a.example and https://b.example today")
    assert post.status is PostStatus.PENDING
    assert state(app, topic) == before
    reason = held_case(app, "post", post.id).hold_reason
    assert reason == "A new member's post that is mostly links (2 links, 3 words of text)."


def test_two_links_among_enough_words_are_published(app, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    body = (
        "I compared the manual at https://a.example with the video at https://b.example and "
        "the descaling steps differ: the manual says vinegar, the video says citric acid only."
    )
    assert reply_as(app, newbie, topic, body).status is PostStatus.VISIBLE


def test_the_author_is_told_her_reply_waits_for_a_moderator(app, client, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    login_as(client, newbie)
    client.post(f"/t/{topic.id}/reply", data={"body": SAME})
    response = client.post(f"/t/{topic.id}/reply", data={"body": SAME}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your reply is waiting for a moderator" in page
    assert factories.load(app, Topic, topic.id).post_count == 2


def test_moderators_see_why_a_post_waits_in_the_queue(app, client, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    start = utcnow()
    reply_as(app, newbie, topic, SAME, now=start - timedelta(minutes=3))
    reply_as(app, newbie, topic, SAME, now=start)
    login_as(client, shop.moderator)
    page = client.get("/mod").get_data(as_text=True)
    assert "Held: Posted the same text 3 minutes ago." in page
    assert "pending" in page


def test_approving_a_held_reply_publishes_it_at_the_end_of_the_thread(app, client, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member, replies=1,
                                 repliers=[shop.other_member])  # fmt: skip
    start = utcnow()
    reply_as(app, newbie, topic, SAME, now=start)
    held = reply_as(app, newbie, topic, SAME, now=start + timedelta(minutes=1))
    reply_as(app, shop.other_member, topic, "Meanwhile, another reply.")
    before = state(app, topic)
    case = held_case(app, "post", held.id)
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide", data={"items": [f"case:{case.id}"], "decision": "approve"},
        follow_redirects=True,
    )  # fmt: skip
    assert "1 item done: Approved the post." in response.get_data(as_text=True)
    post = factories.load(app, Post, held.id)
    assert post.status is PostStatus.VISIBLE
    assert post.position == before["post_count"] + 1 == 5
    after = state(app, topic)
    assert after["post_count"] == before["post_count"] + 1
    assert after["category_posts"] == before["category_posts"] + 1
    assert after["category_topics"] == before["category_topics"]
    assert after["last_poster_id"] == newbie.id
    assert after["last_posted_at"] == post.created_at
    # The topic's watchers (its author and the other replier) hear of it now, once each.
    assert after["notifications"] == before["notifications"] + 2
    assert held_case(app, "post", held.id).status is CaseStatus.CLOSED
    [action] = [a for a in actions(app) if a.action is Decision.APPROVE]
    assert action.item_id == held.id and action.moderator_id == shop.moderator.id
    assert action.state_before["status"] == "pending" and action.state_after["status"] == "visible"
    assert f"post-{post.position}" in client.get(f"/t/{topic.id}").get_data(as_text=True)


def test_rejecting_a_held_reply_leaves_it_removed_and_logged(app, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    held = reply_as(app, newbie, topic, "Cheap: https://a.example https://b.example")
    before = state(app, topic)
    case = held_case(app, "post", held.id)
    decide(app, shop.moderator, case, Decision.REJECT, rule=ModerationRule.SPAM)
    assert factories.load(app, Post, held.id).status is PostStatus.REMOVED
    assert state(app, topic) == before
    [action] = [a for a in actions(app) if a.action is Decision.REJECT]
    assert action.state_after["status"] == "removed" and action.rule is ModerationRule.SPAM
    with app.app_context():
        told = db.session.scalars(
            select(Notification.message).where(Notification.user_id == newbie.id)
        ).all()
    assert told == [
        "A moderator did not publish your post in “A question about my order”: "
        "Spam or advertising. You may appeal once."
    ]
    assert "b.example" not in app.test_client().get(f"/t/{topic.id}").get_data(as_text=True)


def test_a_held_reply_is_approved_or_rejected_not_hidden(app, shop, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    held = reply_as(app, newbie, topic, "Cheap: https://a.example https://b.example")
    case = held_case(app, "post", held.id)
    with pytest.raises(Conflict, match="waiting for a moderator is approved or rejected"):
        decide(app, shop.moderator, case, Decision.HIDE, rule=ModerationRule.SPAM)
    assert factories.load(app, Post, held.id).status is PostStatus.PENDING
    assert actions(app) == []


def test_a_rejected_reply_restored_on_appeal_takes_its_place_at_the_end(app, shop, make_user, now):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    held = reply_as(app, newbie, topic, "Cheap: https://a.example https://b.example")
    decide(app, shop.moderator, held_case(app, "post", held.id), Decision.REJECT,
           rule=ModerationRule.SPAM)  # fmt: skip
    [rejected] = actions(app)
    with app.app_context():
        services.appeal(
            db.session.get(User, newbie.id), rejected.id, "Those are my own shops.", now=now
        )
    before = state(app, topic)
    decide(app, shop.moderator, held_case(app, "post", held.id), Decision.RESTORE)
    post = factories.load(app, Post, held.id)
    assert (post.status, post.position) == (PostStatus.VISIBLE, 2)
    after = state(app, topic)
    assert after["post_count"] == before["post_count"] + 1
    assert after["category_posts"] == before["category_posts"] + 1
    assert [a.action for a in actions(app)] == [Decision.REJECT, Decision.RESTORE]


def test_the_queue_queries_do_not_grow_with_held_posts(app, client, shop, make_user, count_queries):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    start = utcnow()
    reply_as(app, newbie, topic, SAME, now=start)
    reply_as(app, newbie, topic, SAME, now=start)
    login_as(client, shop.moderator)
    with count_queries() as few:
        client.get("/mod")
    for n in range(12):
        reply_as(app, newbie, topic, f"Deals {n}: https://a.example https://b.example", now=start)
    with count_queries() as many:
        page = client.get("/mod").get_data(as_text=True)
    assert page.count('data-testid="hold-reason"') == 13
    assert len(many) == len(few)
