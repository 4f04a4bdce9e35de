"""Posts and topics the trust rules hold for a moderator, and their publication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    select,
    update,
)

from fanhub import events
from fanhub.accounts.models import User, UserStatus
from fanhub.extensions import db
from fanhub.forums.models import (
    Category,
    Post,
    PostStatus,
    Topic,
    TopicStatus,
)
from fanhub.forums.services.access import _topic_of
from fanhub.forums.services.drafts import render_post
from fanhub.forums.services.notices import _notify_for_post
from fanhub.forums.services.posting import _announce, _badge, _emit_reply, _next_position
from fanhub.forums.services.watching import _watch
from fanhub.moderation import trust
from fanhub.moderation.models import ItemKind


def _hold_reply(
    topic: Topic, author: User, body: str, now: datetime, reply_to_id: int | None, reason: str
) -> Post:
    """Write a reply that waits for a moderator: outside the thread, counted nowhere, told
    to nobody until it is approved (no commit)."""
    rendered = render_post(body)
    badge = _badge(author, topic.brand_id)
    post = Post(
        topic_id=topic.id,
        author_id=author.id,
        # No place in the thread yet: positions 1, 2, 3 … are what readers page through.
        position=0,
        reply_to_id=reply_to_id,
        body=body,
        body_html=rendered.html,
        status=PostStatus.PENDING,
        is_official=False,
        author_badge=badge,
        like_count=0,
        helpful_count=0,
        thanks_count=0,
        edit_count=0,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()  # its id keeps it apart from other waiting replies: position -id
    post.position = -post.id
    trust.hold(ItemKind.POST, post.id, topic.brand_id, author.id, reason, now)
    return post


def _active_author(author_id: int | None) -> User | None:
    """The author of an item a moderator approves, or None when her account is gone (or
    deleted while it waited): it is published without watching or telling anyone as her."""
    author = db.session.get(User, author_id) if author_id is not None else None
    return author if author is not None and author.status is not UserStatus.DELETED else None


def publish_held_post(post: Post, now: datetime) -> None:
    """Publish a reply a moderator approved, as if posted now: the next position, the
    counters, the author's watch and trust, notifications (no commit)."""
    topic = _topic_of(post)
    author = _active_author(post.author_id)
    post.position = _next_position(topic, post.author_id, now)
    post.status = PostStatus.VISIBLE
    post.created_at = now
    mentioned = render_post(post.body).mentioned if author is not None else frozenset()
    _announce(topic, post, author, mentioned, now)
    _emit_reply(topic, post)


def publish_held_topic(topic: Topic, now: datetime) -> None:
    """Publish a topic a moderator approved, as if started now: listed and counted in its
    category, its author watching it, its category's watchers told (no commit)."""
    first = db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.position == 1)
    ).one()
    author = _active_author(topic.author_id)
    topic.status = TopicStatus.VISIBLE
    topic.created_at = topic.last_posted_at = first.created_at = now
    posts = db.session.scalar(select(Topic.post_count).where(Topic.id == topic.id)) or 0
    db.session.execute(
        update(Category)
        .where(Category.id == topic.category_id)
        # Its first post and any replies its author wrote while it waited.
        .values(topic_count=Category.topic_count + 1, post_count=Category.post_count + posts)
    )
    trust.count_published(topic.author_id, now)
    events.emit(
        events.TopicStarted(brand_id=topic.brand_id, topic_id=topic.id, author_id=topic.author_id)
    )
    if author is not None:
        _watch(author.id, topic.id)
        db.session.flush()
        _notify_for_post(
            topic, first, author, render_post(first.body).mentioned, is_new_topic=True, now=now
        )


def _hold_topic(topic: Topic, author: User, body: str, now: datetime, reason: str) -> None:
    """Write a topic that waits for a moderator: shown only to its author and moderators,
    counted in no category and told to nobody until it is approved (no commit)."""
    topic.status = TopicStatus.PENDING
    topic.post_count = 1
    db.session.flush()  # the first post needs the topic's id
    rendered = render_post(body)
    db.session.add(
        Post(
            topic_id=topic.id,
            author_id=author.id,
            position=1,
            body=body,
            body_html=rendered.html,
            status=PostStatus.VISIBLE,
            is_official=False,
            author_badge=_badge(author, topic.brand_id),
            like_count=0,
            helpful_count=0,
            thanks_count=0,
            edit_count=0,
            created_at=now,
        )
    )
    trust.hold(ItemKind.TOPIC, topic.id, topic.brand_id, author.id, reason, now)
