"""Topics and posts as search indexes them (issue 14), through the content registry's
`Searchable` protocol: their words, the live facts search filters and ranks on, and
their visibility, which is the registry's own rule (`content.TOPIC`, `content.POST`).

A topic's document is its title and its first post; each other post (a reply, or one
waiting for a moderator) is a document of its own in the topic's thread. Ideas are topics
in an ideas category.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, join, select
from sqlalchemy.orm import aliased

from fanhub.content import SearchBatch, SearchFacts, SearchLink, SearchScope, SearchText
from fanhub.extensions import db
from fanhub.forums.content import POST, TOPIC, shown_post_clause
from fanhub.forums.models import Category, CategoryKind, Post, Topic
from fanhub.links import site_path
from fanhub.permissions import Actor

# The tables the facts read, under names of their own: the registry's visibility rules
# name `topics` and `posts` in their EXISTS, which must not join these rows by mistake.
_FIRST = aliased(Post, name="search_first_post")
_TOPIC_CATEGORY = aliased(Category, name="search_topic_category")
_THREAD = aliased(Topic, name="search_post_topic")
_POST_CATEGORY = aliased(Category, name="search_post_category")


def _section(category: Any) -> Any:
    return case((category.kind == CategoryKind.IDEAS, "idea"), else_="topic")


def _topic_texts(where: Any, limit: int | None = None) -> list[SearchText]:
    query = (
        select(
            Topic.id,
            Topic.brand_id,
            Topic.title,
            Topic.author_id,
            Topic.created_at,
            Post.body_html,
        )
        .join(Post, and_(Post.topic_id == Topic.id, Post.position == 1))
        .where(where)
        .order_by(Topic.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        SearchText("topic", tid, brand_id, "topic", tid, title, body, author_id, at)
        for tid, brand_id, title, author_id, at, body in db.session.execute(query)
    ]


class TopicSearch:
    """A topic: its title and its first post, one document."""

    search_kind = "topic"
    search_model = Topic
    sections = frozenset({"topic", "idea"})

    def search_texts(self, ids: Collection[int]) -> list[SearchText]:
        """The topics' documents, with their first posts' words."""
        return _topic_texts(Topic.id.in_(ids))

    def search_batch(self, after: int, limit: int) -> SearchBatch:
        """Topics after `after`, by id."""
        texts = _topic_texts(Topic.id > after, limit)
        # A topic always has its first post (written in the same transaction).
        return SearchBatch(texts, texts[-1].item_id if texts else None, len(texts))

    def search_count(self, after: int) -> int:
        """Topics after `after`."""
        return db.session.scalar(select(func.count()).where(Topic.id > after)) or 0

    def search_visible(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """The topic's own rule, and its first post's: a question its author deleted (or
        a moderator hid) leaves only its title on the page, so it is no result."""
        return and_(
            TOPIC.visible_clause(viewer, now=now),
            shown_post_clause(viewer, _FIRST, Topic.brand_id, now=now),
        )

    def search_facts(self) -> SearchFacts:
        """A topic's category, and whether the brand answered it or it is solved."""
        source = join(Topic, _FIRST, and_(_FIRST.topic_id == Topic.id, _FIRST.position == 1)).join(
            _TOPIC_CATEGORY, _TOPIC_CATEGORY.id == Topic.category_id
        )
        return SearchFacts(
            source=source,
            section=_section(_TOPIC_CATEGORY),
            category_id=Topic.category_id,
            answered=Topic.first_official_reply_at.is_not(None),
            solved=Topic.solution_post_id.is_not(None),
        )

    def search_links(self, ids: Collection[int]) -> dict[int, SearchLink]:
        """Each topic by its title, in its category."""
        rows = db.session.execute(
            select(Topic.id, Topic.title, Category.name)
            .join(Category, Category.id == Topic.category_id)
            .where(Topic.id.in_(ids))
        )
        return {
            tid: SearchLink(title, name, site_path("forums.topic", topic_id=tid))
            for tid, title, name in rows
        }

    def search_scopes(self, brand_id: int) -> list[SearchScope]:
        """The brand's categories, in the owners' order."""
        rows = db.session.execute(
            select(Category.id, Category.slug, Category.name)
            .where(Category.brand_id == brand_id)
            .order_by(Category.position, Category.name)
        )
        return [SearchScope("category", cid, slug, name) for cid, slug, name in rows]


def _post_text(
    pid: int, tid: int, brand_id: int, body: str, author: int | None, at: datetime
) -> SearchText:
    return SearchText("post", pid, brand_id, "topic", tid, "", body, author, at)


class PostSearch:
    """A post other than a topic's first: a reply, or one waiting for a moderator."""

    search_kind = "post"
    search_model = Post
    sections = frozenset({"topic", "idea"})

    def search_texts(self, ids: Collection[int]) -> list[SearchText]:
        """The posts' documents; a topic's first post gives its topic's."""
        rows = db.session.execute(
            select(
                Post.id,
                Post.topic_id,
                Post.position,
                Topic.brand_id,
                Post.body_html,
                Post.author_id,
                Post.created_at,
            )
            .join(Topic, Topic.id == Post.topic_id)
            .where(Post.id.in_(ids))
        )
        texts: list[SearchText] = []
        first_of: list[int] = []
        for pid, tid, position, brand_id, body, author, at in rows:
            if position == 1:
                first_of.append(tid)
            else:
                texts.append(_post_text(pid, tid, brand_id, body, author, at))
        return texts + (TOPIC_SEARCH.search_texts(first_of) if first_of else [])

    def search_batch(self, after: int, limit: int) -> SearchBatch:
        """Posts after `after`, by id, leaving out first posts (their topics hold them)."""
        rows = db.session.execute(
            select(
                Post.id,
                Post.topic_id,
                Post.position,
                Topic.brand_id,
                Post.body_html,
                Post.author_id,
                Post.created_at,
            )
            .join(Topic, Topic.id == Post.topic_id)
            .where(Post.id > after)
            .order_by(Post.id)
            .limit(limit)
        ).all()
        texts = [
            _post_text(pid, tid, brand_id, body, author, at)
            for pid, tid, position, brand_id, body, author, at in rows
            if position != 1
        ]
        return SearchBatch(texts, rows[-1][0] if rows else None, len(rows))

    def search_count(self, after: int) -> int:
        """Posts after `after`, first posts included (the batches read them)."""
        return db.session.scalar(select(func.count()).where(Post.id > after)) or 0

    def search_visible(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """The post's own rule (`content.POST`), its topic's included."""
        return POST.visible_clause(viewer, now=now)

    def search_facts(self) -> SearchFacts:
        """Its topic's category, answer and solution, and whether it is the answer."""
        source = join(Post, _THREAD, _THREAD.id == Post.topic_id).join(
            _POST_CATEGORY, _POST_CATEGORY.id == _THREAD.category_id
        )
        return SearchFacts(
            source=source,
            section=_section(_POST_CATEGORY),
            category_id=_THREAD.category_id,
            answered=_THREAD.first_official_reply_at.is_not(None),
            solved=_THREAD.solution_post_id.is_not(None),
            official=Post.is_official,
            solution=and_(
                _THREAD.solution_post_id.is_not(None), _THREAD.solution_post_id == Post.id
            ),
        )

    def search_links(self, ids: Collection[int]) -> dict[int, SearchLink]:
        """Each post at its place in its topic (a waiting one: the topic)."""
        rows = db.session.execute(
            select(Post.id, Post.position, Topic.id, Topic.title, Category.name)
            .join(Topic, Topic.id == Post.topic_id)
            .join(Category, Category.id == Topic.category_id)
            .where(Post.id.in_(ids))
        )
        links: dict[int, SearchLink] = {}
        for pid, position, tid, title, name in rows:
            # A post waiting for a moderator has no place yet (`?post=` counts from 1).
            place = {"post": position} if position > 0 else {}
            links[pid] = SearchLink(title, name, site_path("forums.topic", topic_id=tid, **place))
        return links

    def search_scopes(self, brand_id: int) -> list[SearchScope]:
        """None of its own: its topics' categories."""
        return []


TOPIC_SEARCH = TopicSearch()
POST_SEARCH = PostSearch()
