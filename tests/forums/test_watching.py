"""Watching and muting: who is told of a new topic, a reply, a mention or an official answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fanhub.accounts.models import User, UserStatus
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, IdeaStatus, Topic, TopicWatch, WatchLevel
from fanhub.notifications.models import Notification, NotificationKind
from tests.factories import load, make_topic, make_user, reply
from tests.stories import login_as


def notifications_of(app, person) -> list[Notification]:
    """Everything the person was told, oldest first."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == person.id)
                .order_by(Notification.id)
            )
        )


def watch_topic(app, person, topic, level: WatchLevel | None) -> None:
    with app.app_context():
        forums.set_topic_watch(
            db.session.get(User, person.id), db.session.get(Topic, topic.id), level
        )


def watch_category(app, person, category, level: WatchLevel | None) -> None:
    with app.app_context():
        forums.set_category_watch(
            db.session.get(User, person.id), db.session.get(Category, category.id), level
        )


def test_a_reply_notifies_the_topics_watchers_but_not_its_author(app, shop):
    topic = make_topic(app, shop.discussion, shop.member, title="My grinder broke")
    post = reply(app, topic, shop.other_member)
    [told] = notifications_of(app, shop.member)
    assert told.kind is NotificationKind.REPLY
    assert told.message == "other_member replied to “My grinder broke”"
    assert told.url == f"/t/{topic.id}?post={post.position}"
    assert told.actor_id == shop.other_member.id
    assert notifications_of(app, shop.other_member) == []


def test_the_message_names_the_author_by_her_display_name(app, shop):
    sam = make_user(app, "sam", display_name="Sam Ortiz")
    topic = make_topic(app, shop.discussion, shop.member, title="My grinder broke")
    reply(app, topic, sam)
    [told] = notifications_of(app, shop.member)
    assert told.message == "Sam Ortiz replied to “My grinder broke”"


def test_a_member_who_muted_the_topic_hears_nothing_of_its_replies(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    reply(app, topic, shop.other_member)  # she now watches it, as every replier does
    watch_topic(app, shop.other_member, topic, WatchLevel.MUTED)
    reply(app, topic, shop.member)
    assert notifications_of(app, shop.other_member) == []


def test_a_member_who_stopped_watching_hears_nothing_more(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    watch_topic(app, shop.member, topic, None)
    reply(app, topic, shop.other_member)
    assert notifications_of(app, shop.member) == []


def test_category_watchers_hear_of_new_topics(app, shop):
    watch_category(app, shop.owner, shop.discussion, WatchLevel.WATCHING)
    topic = make_topic(app, shop.discussion, shop.member, title="Hello from Oslo")
    [told] = notifications_of(app, shop.owner)
    assert told.kind is NotificationKind.NEW_TOPIC
    assert told.message == f"member started “Hello from Oslo” in {shop.discussion.name}"
    assert told.url == f"/t/{topic.id}"
    assert notifications_of(app, shop.member) == []


def test_new_topics_in_other_categories_stay_quiet(app, shop):
    watch_category(app, shop.owner, shop.support, WatchLevel.WATCHING)
    make_topic(app, shop.discussion, shop.member)
    assert notifications_of(app, shop.owner) == []


def test_category_watchers_hear_of_replies_unless_they_muted_the_topic(app, shop):
    loud = make_topic(app, shop.discussion, shop.member)
    quiet = make_topic(app, shop.discussion, shop.member)
    watch_category(app, shop.owner, shop.discussion, WatchLevel.WATCHING)
    watch_topic(app, shop.owner, quiet, WatchLevel.MUTED)
    reply(app, loud, shop.other_member)
    reply(app, quiet, shop.other_member)
    told = notifications_of(app, shop.owner)
    assert [(n.kind, n.url) for n in told] == [(NotificationKind.REPLY, f"/t/{loud.id}?post=2")]


def test_a_mention_notifies_a_member_who_watches_nothing(app, shop):
    topic = make_topic(app, shop.discussion, shop.member, title="Which beans?")
    reply(app, topic, shop.member, body="What do you think, @Other_Member?")
    [told] = notifications_of(app, shop.other_member)
    assert told.kind is NotificationKind.MENTION
    assert told.message == "member mentioned you in “Which beans?”"


def test_a_mention_notifies_a_watcher_once_as_a_mention(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    reply(app, topic, shop.other_member)
    watch_category(app, shop.other_member, shop.discussion, WatchLevel.WATCHING)
    reply(app, topic, shop.member, body="@other_member and again @other_member: see above.")
    told = notifications_of(app, shop.other_member)
    assert [n.kind for n in told] == [NotificationKind.MENTION]


def test_a_mention_in_a_topic_she_muted_stays_silent(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    watch_topic(app, shop.other_member, topic, WatchLevel.MUTED)
    reply(app, topic, shop.member, body="@other_member what do you think?")
    assert notifications_of(app, shop.other_member) == []


def test_mentions_in_code_or_of_strangers_notify_no_one(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    reply(app, topic, shop.member, body="Run `@other_member` or ask @nobody_here.")
    assert notifications_of(app, shop.other_member) == []


def test_mentioning_herself_tells_her_nothing(app, shop):
    topic = make_topic(app, shop.discussion, shop.other_member)
    reply(app, topic, shop.member, body="Note to self, @member: check again.")
    assert notifications_of(app, shop.member) == []


def test_a_muted_category_silences_mentions_in_topics_she_does_not_watch(app, shop):
    watch_category(app, shop.other_member, shop.discussion, WatchLevel.MUTED)
    ignored = make_topic(app, shop.discussion, shop.member)
    reply(app, ignored, shop.member, body="@other_member are you there?")
    assert notifications_of(app, shop.other_member) == []
    # Her own topic in that category she watches herself, so she still hears of it.
    own = make_topic(app, shop.discussion, shop.other_member)
    reply(app, own, shop.member, body="@other_member here is the answer.")
    assert [n.kind for n in notifications_of(app, shop.other_member)] == [NotificationKind.MENTION]


def test_an_official_reply_notifies_the_asker_as_official_reply(app, shop):
    question = make_topic(app, shop.support, shop.member, title="Refund for a cracked mug")
    reply(app, question, shop.staff, body="We have sent a new one.")
    [told] = notifications_of(app, shop.member)
    assert told.kind is NotificationKind.OFFICIAL_REPLY
    assert told.message == "staff of Northwind answered “Refund for a cracked mug”"
    assert told.url == f"/t/{question.id}?post=2"


def test_the_asker_hears_of_an_official_reply_even_when_not_watching(app, shop):
    question = make_topic(app, shop.support, shop.member)
    watch_topic(app, shop.member, question, None)
    reply(app, question, shop.staff)
    assert [n.kind for n in notifications_of(app, shop.member)] == [NotificationKind.OFFICIAL_REPLY]


def test_a_reply_by_a_moderator_is_an_ordinary_reply(app, shop):
    question = make_topic(app, shop.support, shop.member)
    reply(app, question, shop.moderator)
    assert [n.kind for n in notifications_of(app, shop.member)] == [NotificationKind.REPLY]


def test_each_person_hears_once_per_post_and_the_most_specific_reason_wins(app, shop):
    question = make_topic(app, shop.support, shop.member)
    reply(app, question, shop.other_member)
    watch_category(app, shop.member, shop.support, WatchLevel.WATCHING)
    watch_category(app, shop.other_member, shop.support, WatchLevel.WATCHING)
    before = {p: len(notifications_of(app, p)) for p in (shop.member, shop.other_member)}
    # The asker watches and is mentioned; other_member watches twice over and is mentioned.
    reply(app, question, shop.staff, body="@member @other_member: fixed in today's update.")
    asker = notifications_of(app, shop.member)[before[shop.member] :]
    helper = notifications_of(app, shop.other_member)[before[shop.other_member] :]
    assert [n.kind for n in asker] == [NotificationKind.OFFICIAL_REPLY]
    assert [n.kind for n in helper] == [NotificationKind.MENTION]


def test_a_reply_moves_each_recipients_unread_count(app, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    reply(app, topic, shop.other_member)
    reply(app, topic, shop.other_member)
    assert load(app, User, shop.member.id).unread_notification_count == 2
    assert load(app, User, shop.other_member.id).unread_notification_count == 0


def test_an_idea_status_tells_the_ideas_author(app, shop, now):
    idea = make_topic(app, shop.ideas, shop.member, title="Oat milk, please")
    with app.app_context():
        forums.set_idea_status(
            db.session.get(User, shop.staff.id),
            forums.access_topic(idea.id),
            IdeaStatus.PLANNED,
            "Coming in spring.",
            now=now,
        )
    [told] = notifications_of(app, shop.member)
    assert told.kind is NotificationKind.OFFICIAL_REPLY


def _reply_with_watchers(app, shop, count_queries, watchers: int) -> list[str]:
    topic = make_topic(app, shop.discussion, shop.member)
    people = [make_user(app) for _ in range(watchers)]
    for n, person in enumerate(people):
        if n % 2:
            watch_topic(app, person, topic, WatchLevel.WATCHING)
        else:
            watch_category(app, person, shop.discussion, WatchLevel.WATCHING)
    with app.app_context():
        author = db.session.get(User, shop.other_member.id)
        target = forums.access_topic(topic.id)
        with count_queries() as statements:
            forums.reply_to_topic(
                author, target, forums.ReplyDraft("@owner: see this."), now=utcnow()
            )
    for person in people:
        assert len(notifications_of(app, person)) == 1
    return statements


def test_a_replys_queries_do_not_grow_with_its_watchers(app, shop, count_queries):
    few = _reply_with_watchers(app, shop, count_queries, watchers=2)
    many = _reply_with_watchers(app, shop, count_queries, watchers=30)
    assert len(many) == len(few)


def test_a_page_shows_the_viewers_watch_level(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.other_member)
    login_as(client, shop.member)
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert 'data-level="none"' in page
    watch_topic(app, shop.member, topic, WatchLevel.MUTED)
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert 'data-level="muted"' in page
    assert ">Unmute<" in page


def test_the_topic_watch_button_sets_and_clears_the_level(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.other_member)
    login_as(client, shop.member)
    response = client.post(f"/t/{topic.id}/watch", data={"level": "watching"})
    assert response.status_code == 302
    assert f"/t/{topic.id}" in response.headers["Location"]
    assert 'data-level="watching"' in client.get(f"/t/{topic.id}").get_data(as_text=True)
    client.post(f"/t/{topic.id}/watch", data={"level": "none"})
    assert 'data-level="none"' in client.get(f"/t/{topic.id}").get_data(as_text=True)


def test_the_category_watch_button_sets_the_level(app, client, shop):
    login_as(client, shop.member)
    response = client.post("/b/northwind/c/discussion/watch", data={"level": "muted"})
    assert response.status_code == 302
    page = client.get("/b/northwind/c/discussion").get_data(as_text=True)
    assert 'data-level="muted"' in page


def test_watching_twice_keeps_one_row(app, shop):
    topic = make_topic(app, shop.discussion, shop.other_member)
    watch_topic(app, shop.member, topic, WatchLevel.WATCHING)
    watch_topic(app, shop.member, topic, WatchLevel.MUTED)
    watch_topic(app, shop.member, topic, WatchLevel.MUTED)
    with app.app_context():
        levels = db.session.scalars(
            select(TopicWatch.level).where(
                TopicWatch.topic_id == topic.id,
                TopicWatch.user_id == shop.member.id,
            )
        ).all()
    assert levels == [WatchLevel.MUTED]


@pytest.mark.parametrize("who", ["anonymous", "member", "suspended"])
@pytest.mark.parametrize("target", ["topic", "category"])
def test_only_signed_in_members_watch(app, client, shop, who, target):
    topic = make_topic(app, shop.discussion, shop.other_member)
    url = f"/t/{topic.id}/watch" if target == "topic" else "/b/northwind/c/discussion/watch"
    if who == "suspended":
        person = make_user(app, "quiet_one")
        with app.app_context():
            db.session.get(User, person.id).status = UserStatus.SUSPENDED
            db.session.commit()
        login_as(client, person)
    else:
        login_as(client, None if who == "anonymous" else shop.member)
    response = client.post(url, data={"level": "muted"})
    assert response.status_code == 302
    if who == "anonymous":
        assert "/login" in response.headers["Location"]
    else:
        # Suspended members can still choose what they hear.
        assert "/login" not in response.headers["Location"]


@pytest.mark.parametrize("level", ["", "loud", "WATCHING"])
def test_an_unknown_watch_level_is_refused(app, client, shop, level):
    topic = make_topic(app, shop.discussion, shop.other_member)
    login_as(client, shop.member)
    assert client.post(f"/t/{topic.id}/watch", data={"level": level}).status_code == 400


def test_watching_a_missing_topic_or_category_is_not_found(client, shop):
    login_as(client, shop.member)
    assert client.post("/t/999999/watch", data={"level": "watching"}).status_code == 404
    assert (
        client.post("/b/northwind/c/nowhere/watch", data={"level": "watching"}).status_code == 404
    )


def test_watching_changes_nothing_on_get(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.other_member)
    login_as(client, shop.member)
    client.get(f"/t/{topic.id}/watch")  # only the topic page (its slug is free text)
    assert client.get("/b/northwind/c/discussion/watch").status_code == 405
    assert 'data-level="none"' in client.get(f"/t/{topic.id}").get_data(as_text=True)
