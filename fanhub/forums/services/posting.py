"""Publishing a post in a thread: its position, counters, badge and notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    select,
    update,
)

from fanhub import events
from fanhub.accounts.models import User
from fanhub.brands.models import Role
from fanhub.extensions import db
from fanhub.forums.models import (
    AuthorBadge,
    Category,
    Post,
    PostStatus,
    Topic,
    TopicStatus,
)
from fanhub.forums.services.drafts import render_post
from fanhub.forums.services.notices import _notify_for_post
from fanhub.forums.services.watching import _watch
from fanhub.moderation import trust
from fanhub.permissions import holds


def _badge(author: User, brand_id: int) -> AuthorBadge:
    # What the author *is* in this brand, not what she may do: site admins are not staff.
    if holds(author, brand_id, Role.OWNER, Role.STAFF):
        return AuthorBadge.STAFF
    if holds(author, brand_id, Role.MODERATOR):
        return AuthorBadge.MODERATOR
    return AuthorBadge.MEMBER


def _append_post(
    topic: Topic, author: User, body: str, now: datetime, reply_to_id: int | None = None
) -> Post:
    """Write the next post of a topic and move every counter it touches (no commit)."""
    position = _next_position(topic, author.id, now)
    rendered = render_post(body)
    badge = _badge(author, topic.brand_id)
    post = Post(
        topic_id=topic.id,
        author_id=author.id,
        position=position,
        reply_to_id=reply_to_id,
        body=body,
        body_html=rendered.html,
        status=PostStatus.VISIBLE,
        is_official=badge is AuthorBadge.STAFF,
        author_badge=badge,
        like_count=0,
        helpful_count=0,
        thanks_count=0,
        edit_count=0,
        created_at=now,
    )
    db.session.add(post)
    _announce(topic, post, author, rendered.mentioned, now)
    _emit_reply(topic, post)
    return post


def _next_position(topic: Topic, author_id: int | None, now: datetime) -> int:
    """Take the topic's next position for a post published now (no commit)."""
    # In SQL, so two replies at the same instant get two different positions: the UPDATE
    # locks the topic row until the transaction ends.
    return db.session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(post_count=Topic.post_count + 1, last_posted_at=now, last_poster_id=author_id)
        .returning(Topic.post_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _announce(
    topic: Topic, post: Post, author: User | None, mentioned: frozenset[str], now: datetime
) -> None:
    """What publishing a positioned post does beyond the topic's own count: the category's
    count, the first official answer, the author's watch and trust, notifications (no commit).
    """
    # A category counts the posts of the topics it lists: a reply to a topic that waits
    # or was hidden counts when the topic is shown (publish_held_topic, moderation).
    db.session.execute(
        update(Category)
        .where(
            Category.id == topic.category_id,
            select(Topic.id)
            .where(Topic.id == topic.id, Topic.status == TopicStatus.VISIBLE)
            .exists(),
        )
        .values(post_count=Category.post_count + 1)
    )
    if post.is_official and post.position > 1:
        elapsed = max(int((now - topic.created_at).total_seconds()), 0)
        db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id, Topic.first_official_reply_at.is_(None))
            .values(first_official_reply_at=now, first_response_seconds=elapsed)
            .execution_options(synchronize_session=False)
        )
    trust.count_published(post.author_id, now)
    if author is None:  # her account was deleted while the post waited for a moderator
        db.session.flush()
        return
    _watch(author.id, topic.id)
    db.session.flush()  # give the post its id for the caller (links, solutions)
    _notify_for_post(topic, post, author, mentioned, is_new_topic=post.position == 1, now=now)


def _emit_reply(topic: Topic, post: Post) -> None:
    """Tell, after the commit, that a reply took its place in the thread, and whether the
    brand answered (no commit). A topic's first post is the topic itself: TopicStarted."""
    if post.position == 1:
        return
    events.emit(
        events.ReplyPosted(
            brand_id=topic.brand_id,
            topic_id=topic.id,
            post_id=post.id,
            position=post.position,
            author_id=post.author_id,
        )
    )
    if post.is_official and post.author_id is not None:
        events.emit(
            events.OfficialAnswerGiven(
                brand_id=topic.brand_id, topic_id=topic.id, post_id=post.id, staff_id=post.author_id
            )
        )
