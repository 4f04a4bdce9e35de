"""Forum events: emitted by the write that did it, heard after its commit, never after a
write that failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy.orm import Session

from fanhub import events
from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import IdeaStatus, Post, Topic
from tests.factories import load, make_topic, reply
from tests.stories import login_as

FORUM_EVENTS = (
    events.TopicStarted,
    events.ReplyPosted,
    events.OfficialAnswerGiven,
    events.PostChanged,
    events.TopicChanged,
    events.IdeaStatusChanged,
)


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every forum event a subscriber heard, in order, with "commit" where each commit was."""
    timeline: list[Any] = []

    def on_commit(session: Session) -> None:
        timeline.append("commit")

    for event_type in FORUM_EVENTS:
        subscribers = [*events._SUBSCRIBERS.get(event_type, []), timeline.append]
        monkeypatch.setitem(events._SUBSCRIBERS, event_type, subscribers)
    sql_event.listen(Session, "after_commit", on_commit)
    yield timeline
    sql_event.remove(Session, "after_commit", on_commit)


def _as_of_now(timeline: list[Any]) -> Callable[[], list[Any]]:
    """What the timeline gains from here on."""
    start = len(timeline)
    return lambda: timeline[start:]


def test_a_reply_is_heard_once_after_its_commit(app, shop, heard):
    topic = make_topic(app, shop.discussion, shop.member)
    since = _as_of_now(heard)
    post = reply(app, topic, shop.other_member)
    assert since() == [
        "commit",
        events.ReplyPosted(
            brand_id=shop.brand.id,
            topic_id=topic.id,
            post_id=post.id,
            position=2,
            author_id=shop.other_member.id,
        ),
    ]


def test_a_reply_whose_commit_fails_is_never_heard(app, shop, heard, monkeypatch):
    topic = make_topic(app, shop.discussion, shop.member)
    since = _as_of_now(heard)

    def refused() -> None:
        raise RuntimeError("the database refused the commit")

    with monkeypatch.context() as patched:
        patched.setattr(db.session, "commit", refused)
        with pytest.raises(RuntimeError):
            reply(app, topic, shop.other_member, body="Lost with its transaction.")
    assert since() == []
    assert load(app, Topic, topic.id).post_count == 1
    # The next write is heard alone: the failed one's event was dropped, not kept for it.
    post = reply(app, topic, shop.other_member)
    assert [e for e in since() if e != "commit"] == [
        events.ReplyPosted(
            brand_id=shop.brand.id,
            topic_id=topic.id,
            post_id=post.id,
            position=2,
            author_id=shop.other_member.id,
        )
    ]


def test_a_refused_reply_is_never_heard(app, shop, heard):
    topic = make_topic(app, shop.discussion, shop.member)
    since = _as_of_now(heard)
    with app.app_context(), pytest.raises(Invalid):
        forums.reply_to_topic(
            db.session.get(User, shop.other_member.id),
            db.session.get(Topic, topic.id),
            forums.ReplyDraft("   "),
            now=utcnow(),
        )
    assert since() == []


def test_a_visitor_sees_a_reply_posted_after_her_copy_was_cached(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    visitor = app.test_client()
    assert "Seen at once." not in visitor.get(f"/t/{topic.id}").get_data(as_text=True)
    member = app.test_client()
    login_as(member, shop.other_member)
    assert member.post(f"/t/{topic.id}/reply", data={"body": "Seen at once."}).status_code == 302
    assert "Seen at once." in visitor.get(f"/t/{topic.id}").get_data(as_text=True)


def test_starting_a_topic_is_heard(app, shop, heard):
    since = _as_of_now(heard)
    topic = make_topic(app, shop.discussion, shop.member)
    assert since() == [
        "commit",
        events.TopicStarted(brand_id=shop.brand.id, topic_id=topic.id, author_id=shop.member.id),
    ]


def test_an_official_reply_is_heard_as_an_answer(app, shop, heard):
    topic = make_topic(app, shop.support, shop.member)
    since = _as_of_now(heard)
    post = reply(app, topic, shop.staff)
    assert (
        events.OfficialAnswerGiven(
            brand_id=shop.brand.id, topic_id=topic.id, post_id=post.id, staff_id=shop.staff.id
        )
        in since()
    )


def test_editing_a_post_is_heard_as_a_change(app, shop, heard):
    topic = make_topic(app, shop.discussion, shop.member)
    post = reply(app, topic, shop.other_member)
    since = _as_of_now(heard)
    with app.app_context():
        forums.edit_post(
            db.session.get(User, shop.other_member.id),
            forums.access_post(post.id),
            "Better words.",
            now=utcnow(),
        )
    assert since() == [
        "commit",
        events.PostChanged(brand_id=shop.brand.id, topic_id=topic.id, position=2),
    ]


def test_marking_a_solution_is_heard_for_the_topic_and_its_post(app, shop, heard):
    topic = make_topic(app, shop.support, shop.member)
    post = reply(app, topic, shop.other_member)
    since = _as_of_now(heard)
    with app.app_context():
        forums.mark_solution(
            db.session.get(User, shop.member.id),
            forums.access_topic(topic.id),
            db.session.get(Post, post.id),
            now=utcnow(),
        )
    assert since() == [
        "commit",
        events.TopicChanged(brand_id=shop.brand.id, topic_id=topic.id),
        events.PostChanged(brand_id=shop.brand.id, topic_id=topic.id, position=2),
    ]


def test_locking_a_topic_is_heard(app, shop, heard):
    topic = make_topic(app, shop.discussion, shop.member)
    since = _as_of_now(heard)
    with app.app_context():
        forums.set_locked(
            db.session.get(User, shop.moderator.id),
            forums.access_topic(topic.id),
            True,
            now=utcnow(),
        )
    assert since() == ["commit", events.TopicChanged(brand_id=shop.brand.id, topic_id=topic.id)]


def test_an_idea_status_is_heard_with_its_comment(app, shop, heard):
    topic = make_topic(app, shop.ideas, shop.member)
    since = _as_of_now(heard)
    with app.app_context():
        comment = forums.set_idea_status(
            db.session.get(User, shop.staff.id),
            forums.access_topic(topic.id),
            IdeaStatus.PLANNED,
            "On the roadmap.",
            now=utcnow(),
        )
        comment_id = comment.id
    heard_now = since()
    assert heard_now[0] == "commit"
    assert (
        events.IdeaStatusChanged(
            brand_id=shop.brand.id, topic_id=topic.id, status=IdeaStatus.PLANNED.value
        )
        in heard_now
    )
    assert (
        events.ReplyPosted(
            brand_id=shop.brand.id,
            topic_id=topic.id,
            post_id=comment_id,
            position=2,
            author_id=shop.staff.id,
        )
        in heard_now
    )
