"""Atom feeds of the forums: a category's newest topics and a topic's newest posts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.extensions import db
from fanhub.forums.models import Category, Post, PostStatus, Topic, TopicStatus
from fanhub.links import absolute_url

FEED_SIZE = 20
# Characters XML 1.0 forbids even escaped; one of them in a post would break the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedEntry:
    """One entry: a topic in a category's feed, or a post in a topic's."""

    id: str
    title: str
    url: str
    author: str
    published: datetime
    updated: datetime
    # Stored, sanitised body_html: the template escapes it into <content type="html">.
    # Empty when the post was removed by its author.
    html: str


@dataclass(frozen=True)
class Feed:
    """What the Atom template needs; every link in it is absolute.

    A feed's id is its own address, so it never equals the id of an entry elsewhere
    (a topic is an entry of its category's feed).
    """

    id: str
    title: str
    subtitle: str
    url: str
    self_url: str
    updated: datetime
    entries: list[FeedEntry]


def category_feed(category: Category) -> Feed:
    """The category's 20 newest topics, each with its first post unless it was removed.

    `category.brand` must be loaded (as `access_category` does).
    """
    rows = db.session.execute(
        select(Topic, Post)
        .join(
            Post,
            and_(
                Post.topic_id == Topic.id,
                Post.position == 1,
                Post.status == PostStatus.VISIBLE,
            ),
            isouter=True,
        )
        .options(joinedload(Topic.author))
        .where(Topic.category_id == category.id, Topic.status == TopicStatus.VISIBLE)
        .order_by(Topic.created_at.desc(), Topic.id.desc())
        .limit(FEED_SIZE)
    ).all()
    entries = [
        FeedEntry(
            id=absolute_url("forums.topic", topic_id=topic.id),
            title=_text(topic.title),
            url=absolute_url("forums.topic", topic_id=topic.id, slug=topic.slug),
            author=_author_name(topic.author),
            published=topic.created_at,
            updated=(first.edited_at if first else None) or topic.created_at,
            html=_text(first.body_html) if first else "",
        )
        for topic, first in rows
    ]
    self_url = absolute_url(
        "forums.category_feed", brand=category.brand.slug, category=category.slug
    )
    return Feed(
        id=self_url,
        title=_text(f"{category.name} · {category.brand.name}"),
        subtitle=_text(category.description),
        url=absolute_url("forums.category", brand=category.brand.slug, category=category.slug),
        self_url=self_url,
        updated=max((e.updated for e in entries), default=category.created_at),
        entries=entries,
    )


def topic_feed(topic: Topic) -> Feed:
    """The topic's 20 newest posts, newest first; posts removed by their authors are left out.

    `topic.brand` must be loaded (as `access_topic` does).
    """
    posts = db.session.scalars(
        select(Post)
        .options(joinedload(Post.author))
        .where(Post.topic_id == topic.id, Post.status == PostStatus.VISIBLE)
        .order_by(Post.position.desc())
        .limit(FEED_SIZE)
    ).all()
    entries = [
        FeedEntry(
            # The permalink: a post keeps its position for good.
            id=absolute_url("forums.topic", topic_id=topic.id, post=post.position),
            title=_text(topic.title if post.position == 1 else f"Re: {topic.title}"),
            url=absolute_url("forums.topic", topic_id=topic.id, post=post.position),
            author=_author_name(post.author),
            published=post.created_at,
            updated=post.edited_at or post.created_at,
            html=_text(post.body_html),
        )
        for post in posts
    ]
    self_url = absolute_url("forums.topic_feed", topic_id=topic.id)
    return Feed(
        id=self_url,
        title=_text(f"{topic.title} · {topic.brand.name}"),
        subtitle="",
        url=absolute_url("forums.topic", topic_id=topic.id, slug=topic.slug),
        self_url=self_url,
        updated=max((e.updated for e in entries), default=topic.created_at),
        entries=entries,
    )


def _author_name(user: User | None) -> str:
    if user is None or user.status is UserStatus.DELETED:
        return "A deleted member"
    return _text(user.name)


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)
