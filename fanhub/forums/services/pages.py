"""The topic and category pages, and the visitors' cached copy of a topic page."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    and_,
    or_,
    select,
)
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User
from fanhub.brands.services.lifecycle import closed_refusal
from fanhub.cursors import make_cursor, read_cursor
from fanhub.errors import NotFound
from fanhub.extensions import cache, db
from fanhub.forums.models import (
    POSTS_PER_PAGE,
    TOPICS_PER_PAGE,
    Category,
    CategoryKind,
    CategoryWatch,
    IdeaVote,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    Topic,
    TopicStatus,
    TopicWatch,
    WatchLevel,
)
from fanhub.forums.services.access import sees_hidden
from fanhub.forums.services.categories import ARCHIVED_MESSAGE, list_categories
from fanhub.permissions import Action, Actor, can, participation_refusal


def visitor_page_key(topic: Topic, page: int) -> str:
    """The cache key of a topic page as visitors see it: it changes with what the page shows."""
    state = (
        topic.post_count,
        topic.solution_post_id,
        topic.idea_status,
        topic.vote_count,
        topic.is_locked,
        topic.is_pinned,
        topic.status,
    )
    return f"topic:{topic.id}:{page}:" + ":".join(str(part) for part in state)


def forget_visitor_page(topic: Topic, position: int) -> None:
    """Drop the visitors' copy of the page showing the post at `position` (after commit),
    so a post moderation hid is gone for them at once."""
    cache.delete(visitor_page_key(topic, page_of(position)))


@dataclass
class TopicPage:
    """Everything the topic page shows, and what this viewer may do there."""

    topic: Topic
    posts: list[Post]
    page: int
    page_count: int
    my_reactions: set[tuple[int, ReactionKind]] = field(default_factory=set)
    solution: Post | None = None
    status_post: Post | None = None
    can_reply: bool = False
    reply_refusal: str | None = None
    can_moderate: bool = False
    can_mark_solution: bool = False
    can_set_status: bool = False
    # Posts moderation hid show in full to their authors and the moderators.
    sees_hidden_of: set[int] = field(default_factory=set)
    can_flag: bool = False
    has_voted: bool = False
    viewer_id: int | None = None
    # The viewer's own choice for this topic (None: she has not chosen, or is signed out).
    watch_level: WatchLevel | None = None
    # Her own replies waiting for a moderator, shown (to her alone) after the last page.
    my_waiting: list[Post] = field(default_factory=list)


# How many of her waiting replies the last page shows; posting is rate-limited anyway.
WAITING_SHOWN = 10


def page_of(position: int) -> int:
    """The page of a topic that shows the post at `position`."""
    return max(math.ceil(position / POSTS_PER_PAGE), 1)


def topic_page(viewer: Actor, topic: Topic, page: int = 1, *, now: datetime) -> TopicPage:
    """One page of a topic: a range of positions, so page 5,000 costs what page 1 does.

    :raises NotFound: the page is past the end.
    """
    page_count = page_of(topic.post_count)
    if page < 1 or page > page_count:
        raise NotFound("That page of the topic does not exist.")
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = list(
        db.session.scalars(
            select(Post)
            .options(joinedload(Post.author), joinedload(Post.reply_to).joinedload(Post.author))
            .where(
                Post.topic_id == topic.id, Post.position.between(first, first + POSTS_PER_PAGE - 1)
            )
            .order_by(Post.position)
            # The range already says 20 rows, but PostgreSQL guesses from how common low
            # positions are across all topics; the LIMIT keeps it on the index.
            .limit(POSTS_PER_PAGE)
        )
    )
    result = TopicPage(topic=topic, posts=posts, page=page, page_count=page_count)
    on_page = {post.id: post for post in posts}
    extra_ids = {
        post_id
        for post_id in (topic.solution_post_id, topic.idea_status_post_id)
        if post_id is not None and post_id not in on_page
    }
    if extra_ids:
        for post in db.session.scalars(
            select(Post).options(joinedload(Post.author)).where(Post.id.in_(extra_ids))
        ):
            on_page[post.id] = post
    if topic.solution_post_id:
        result.solution = on_page.get(topic.solution_post_id)
    if topic.idea_status_post_id:
        result.status_post = on_page.get(topic.idea_status_post_id)
    if getattr(viewer, "is_authenticated", False):
        result.viewer_id = viewer.id
        _viewer_state(viewer, topic, posts, result, now=now)
    return result


def _viewer_state(
    viewer: Actor, topic: Topic, posts: list[Post], page: TopicPage, *, now: datetime
) -> None:
    if posts:
        page.my_reactions = {
            (post_id, kind)
            for post_id, kind in db.session.execute(
                select(Reaction.post_id, Reaction.kind).where(
                    Reaction.user_id == viewer.id, Reaction.post_id.in_([p.id for p in posts])
                )
            )
        }
    if topic.category.kind is CategoryKind.IDEAS:
        page.has_voted = (
            db.session.scalar(
                select(IdeaVote.id).where(
                    IdeaVote.topic_id == topic.id, IdeaVote.user_id == viewer.id
                )
            )
            is not None
        )
    page.watch_level = db.session.scalar(
        select(TopicWatch.level).where(
            TopicWatch.topic_id == topic.id, TopicWatch.user_id == viewer.id
        )
    )
    # Only level 0 is ever held (trust.screen_text), so nobody else pays for the query.
    if page.page == page.page_count and isinstance(viewer, User) and viewer.trust_level == 0:
        page.my_waiting = list(
            db.session.scalars(
                select(Post)
                .options(joinedload(Post.author))
                .where(
                    Post.topic_id == topic.id,
                    # Waiting replies sit below position 0 (-id): the topic's index finds them.
                    Post.position < 0,
                    Post.author_id == viewer.id,
                    Post.status == PostStatus.PENDING,
                )
                .order_by(Post.id)
                .limit(WAITING_SHOWN)
            )
        )
    closed = closed_refusal(viewer, topic.brand_id)
    archived = ARCHIVED_MESSAGE if topic.category.is_archived else None
    page.can_reply = (
        can(viewer, Action.POST_REPLY, topic.brand_id, now=now)
        and closed is None
        and archived is None
        and (not topic.is_locked or can(viewer, Action.POST_REPLY_LOCKED, topic.brand_id, now=now))
    )
    if not page.can_reply:
        page.reply_refusal = (
            closed
            or archived
            or (
                "This topic is locked: no new replies."
                if topic.is_locked
                else participation_refusal(viewer, now=now)
            )
        )
    page.can_moderate = can(viewer, Action.TOPIC_MODERATE, topic.brand_id, now=now)
    page.can_flag = can(viewer, Action.CONTENT_FLAG, topic.brand_id, now=now)
    page.sees_hidden_of = {
        post.id for post in posts if sees_hidden(viewer, post.author_id, topic.brand_id, now=now)
    }
    page.can_mark_solution = topic.category.kind is CategoryKind.SUPPORT and (
        viewer.id == topic.author_id or can(viewer, Action.TOPIC_SOLVE_ANY, topic.brand_id, now=now)
    )
    page.can_set_status = topic.category.kind is CategoryKind.IDEAS and can(
        viewer, Action.IDEA_STATUS_SET, topic.brand_id, now=now
    )


@dataclass
class CategoryPage:
    category: Category
    pinned: list[Topic]
    topics: list[Topic]
    sort: str
    next_cursor: str | None
    can_start: bool
    # The viewer's own choice for this category (None: not chosen, or signed out).
    watch_level: WatchLevel | None = None
    # Staff and moderators tick topics and move them in bulk to one of these.
    can_move: bool = False
    move_targets: list[Category] = field(default_factory=list)


def category_page(
    viewer: Actor,
    category: Category,
    *,
    sort: str = "activity",
    cursor: str | None = None,
    now: datetime,
) -> CategoryPage:
    """A page of a category's topics: pinned first, then by last activity (or, for ideas,
    by votes or newest), 30 at a time, paged by a cursor rather than OFFSET.

    :raises Invalid: the cursor is not one this page handed out.
    """
    if sort not in ("activity", "votes", "new"):
        sort = "activity"
    key_columns = {
        "activity": (Topic.last_posted_at, Topic.id),
        "votes": (Topic.vote_count, Topic.id),
        "new": (Topic.created_at, Topic.id),
    }[sort]
    base = (
        select(Topic)
        .options(joinedload(Topic.author), joinedload(Topic.last_poster))
        # Hidden or removed by moderation: gone from the list until a moderator decides.
        .where(Topic.category_id == category.id, Topic.status == TopicStatus.VISIBLE)
    )
    pinned: list[Topic] = []
    query = base.where(Topic.is_pinned.is_(False))
    if cursor is None:
        pinned = list(
            db.session.scalars(
                base.where(Topic.is_pinned.is_(True)).order_by(*(c.desc() for c in key_columns))
            )
        )
    else:
        first, last_id = read_cursor(cursor, int if sort == "votes" else datetime, int)
        query = query.where(
            or_(key_columns[0] < first, and_(key_columns[0] == first, Topic.id < last_id))
        )
    topics = list(
        db.session.scalars(
            query.order_by(*(c.desc() for c in key_columns)).limit(TOPICS_PER_PAGE + 1)
        )
    )
    next_cursor = None
    if len(topics) > TOPICS_PER_PAGE:
        topics = topics[:TOPICS_PER_PAGE]
        last = topics[-1]
        next_cursor = make_cursor(getattr(last, key_columns[0].key), last.id)
    can_start = (
        can(viewer, Action.TOPIC_START, category.brand_id, now=now)
        and closed_refusal(viewer, category.brand_id) is None
        and not category.is_archived
        and (
            category.kind is not CategoryKind.ANNOUNCEMENTS
            or can(viewer, Action.ANNOUNCEMENT_START, category.brand_id, now=now)
        )
    )
    watch_level = None
    if getattr(viewer, "is_authenticated", False):
        watch_level = db.session.scalar(
            select(CategoryWatch.level).where(
                CategoryWatch.category_id == category.id, CategoryWatch.user_id == viewer.id
            )
        )
    can_move = can(viewer, Action.TOPIC_MODERATE, category.brand_id, now=now)
    targets = (
        [other for other in list_categories(category.brand_id) if other.id != category.id]
        if can_move
        else []
    )
    return CategoryPage(
        category, pinned, topics, sort, next_cursor, can_start, watch_level, can_move, targets
    )
