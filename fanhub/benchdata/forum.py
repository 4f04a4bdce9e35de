"""The forum: categories, topics planned in memory, their posts, reactions and idea votes,
with every counter equal to the rows."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import aliased

from fanhub.benchdata.bulk import batches, bulk
from fanhub.benchdata.catalogue import (
    ANNOUNCEMENT_BODIES_START,
    BODIES,
    CATEGORIES,
    LONG_THREAD_CATEGORY,
    LONG_THREAD_TITLE,
    QUESTION_BODIES,
    REPLY_BODIES,
    REPLY_BODIES_START,
    STAFF_BODIES,
    STAFF_BODIES_START,
    TITLES,
)
from fanhub.benchdata.sizes import Sizes
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.forums.models import (
    POSTS_PER_PAGE,
    AuthorBadge,
    Category,
    CategoryKind,
    IdeaVote,
    Post,
    PostStatus,
    Reaction,
    ReactionKind,
    Topic,
)
from fanhub.forums.services import slugify


@dataclass
class PlannedTopic:
    """One topic as planned in memory, before any row is written."""

    category: int  # index into CATEGORIES
    title: str
    author: int  # user id
    created_at: datetime
    # (author id, created_at, body index, is_official) per post, in position order
    posts: list[tuple[int, datetime, int, bool]] = field(default_factory=list)
    voters: list[int] = field(default_factory=list)
    solved: bool = False


def insert_categories(brand_id: int, now: datetime) -> list[int]:
    """The brand's categories (CATEGORIES, in order); returns their ids."""
    return list(
        db.session.scalars(
            insert(Category).returning(Category.id, sort_by_parameter_order=True),
            [
                {
                    "brand_id": brand_id,
                    "slug": slug,
                    "name": name,
                    "description": description,
                    "kind": kind,
                    "position": position,
                    "topic_count": 0,
                    "post_count": 0,
                    "created_at": now - timedelta(days=400),
                }
                for position, (slug, name, kind, _, description) in enumerate(CATEGORIES, 1)
            ],
        )
    )


def plan_topics(
    sizes: Sizes, rng: random.Random, now: datetime, staff_ids: list[int], member_ids: list[int]
) -> list[PlannedTopic]:
    """Every topic and post, in memory: topic 0 is the very long thread."""
    long_index = next(i for i, c in enumerate(CATEGORIES) if c[0] == LONG_THREAD_CATEGORY)
    counts = [sizes.long_thread_posts] + [1] * (sizes.topics - 1)
    extra = sizes.posts - sum(counts)
    if extra and sizes.topics > 1:
        # Few busy topics and many quiet ones, as in a real forum, none near the long one.
        weights = [min(rng.paretovariate(1.2), 40.0) for _ in range(sizes.topics - 1)]
        for index, added in Counter(rng.choices(range(1, sizes.topics), weights, k=extra)).items():
            counts[index] += added
    elif extra:
        raise Invalid("With one topic, give exactly as many posts as the long thread has.")
    shares = [c[3] for c in CATEGORIES]
    plan: list[PlannedTopic] = []
    for index, count in enumerate(counts):
        if index == 0:
            category, title = long_index, LONG_THREAD_TITLE
            created = now - timedelta(days=300)
        else:
            # The first few topics go one to each category, so even a small build has all.
            category = (
                index - 1
                if index <= len(CATEGORIES)
                else rng.choices(range(len(CATEGORIES)), shares)[0]
            )
            title = rng.choice(TITLES).format(n=index)
            created = now - timedelta(seconds=rng.uniform(3_600, 365 * 86_400))
        plan.append(
            plan_posts(rng, index, category, title, created, count, now, staff_ids, member_ids)
        )
    return plan


def plan_posts(
    rng: random.Random,
    index: int,
    category: int,
    title: str,
    created: datetime,
    count: int,
    now: datetime,
    staff_ids: list[int],
    member_ids: list[int],
) -> PlannedTopic:
    """One topic planned with its posts: who wrote which body when, staff answers included."""
    kind = CATEGORIES[category][2]
    is_announcement = kind is CategoryKind.ANNOUNCEMENTS
    author = rng.choice(staff_ids if is_announcement else member_ids)
    topic = PlannedTopic(category, title, author, created)
    # Evenly spaced replies that end before now, a few minutes to a few hours apart.
    span = (now - created).total_seconds() - 60
    step = min(rng.uniform(120, 8 * 3_600), span / max(count, 1))
    staff_answers = kind is CategoryKind.SUPPORT and count > 1 and rng.random() < 0.65
    for position in range(1, count + 1):
        at = created + timedelta(seconds=step * (position - 1))
        if position == 1:
            poster = author
            body = ANNOUNCEMENT_BODIES_START if is_announcement else index % len(QUESTION_BODIES)
        elif (position == 2 and staff_answers) or rng.random() < 0.04:
            poster = rng.choice(staff_ids)
            body = STAFF_BODIES_START + rng.randrange(len(STAFF_BODIES))
        else:
            poster = rng.choice(member_ids)
            body = REPLY_BODIES_START + rng.randrange(len(REPLY_BODIES))
        # A post is official when its author is the brand's owner or staff, as in the services.
        topic.posts.append((poster, at, body, poster in staff_ids))
    topic.solved = staff_answers and rng.random() < 0.5
    if kind is CategoryKind.IDEAS:
        topic.voters = rng.sample(member_ids, rng.randrange(min(40, len(member_ids)) + 1))
    return topic


def plan_reactions(
    rng: random.Random, long_topic: PlannedTopic, member_ids: list[int]
) -> dict[int, list[tuple[int, ReactionKind]]]:
    """Reactions on the long thread's first and last pages: position -> (member, kind)."""
    count = len(long_topic.posts)
    last_page_start = (count - 1) // POSTS_PER_PAGE * POSTS_PER_PAGE + 1
    positions = sorted(
        {*range(1, min(POSTS_PER_PAGE, count) + 1), *range(last_page_start, count + 1)}
    )
    planned: dict[int, list[tuple[int, ReactionKind]]] = {}
    for position in positions:
        author = long_topic.posts[position - 1][0]
        # Nobody reacts to her own post (the services refuse it).
        others = [m for m in rng.sample(member_ids, min(13, len(member_ids))) if m != author]
        planned[position] = [
            (member, kind)
            for member in others[: rng.randrange(len(others) + 1)]
            for kind in rng.sample(list(ReactionKind), rng.randrange(1, 3))
        ]
    return planned


def update_category_counters(plan: list[PlannedTopic], category_ids: list[int]) -> None:
    """Each category's topic and post counts, equal to the planned rows."""
    topics = Counter(topic.category for topic in plan)
    posts: Counter[int] = Counter()
    for topic in plan:
        posts[topic.category] += len(topic.posts)
    for index, category_id in enumerate(category_ids):
        db.session.execute(
            update(Category)
            .where(Category.id == category_id)
            .values(topic_count=topics[index], post_count=posts[index])
        )


def insert_topics(plan: list[PlannedTopic], brand_id: int, category_ids: list[int]) -> list[int]:
    """The planned topics with their counters and last posts; returns their ids in order."""
    rows: list[dict[str, Any]] = []
    for topic in plan:
        last_author, last_at, _, _ = topic.posts[-1]
        official = next(((at for _, at, _, o in topic.posts[1:] if o)), None)
        rows.append(
            {
                "brand_id": brand_id,
                "category_id": category_ids[topic.category],
                "author_id": topic.author,
                "title": topic.title,
                "slug": slugify(topic.title),
                "created_at": topic.created_at,
                "last_posted_at": last_at,
                "last_poster_id": last_author,
                "post_count": len(topic.posts),
                # Views are not rows anywhere; any plausible number will do.
                "view_count": len(topic.posts) * 7,
                "is_pinned": False,
                "is_locked": False,
                "vote_count": len(topic.voters),
                "first_official_reply_at": official,
                "first_response_seconds": (
                    None if official is None else int((official - topic.created_at).total_seconds())
                ),
            }
        )
    for batch in batches(rows):
        db.session.execute(bulk(Topic), batch)
    # Every title is unique in the brand (it carries the topic's number), so the ids are
    # found by title rather than returned in order (see insert_people).
    by_title = dict(
        db.session.execute(select(Topic.title, Topic.id).where(Topic.brand_id == brand_id)).all()
    )
    return [by_title[row["title"]] for row in rows]


def insert_posts(
    plan: list[PlannedTopic],
    topic_ids: list[int],
    staff_ids: list[int],
    rendered: Sequence[str],
    reactions: dict[int, list[tuple[int, ReactionKind]]],
    progress: Callable[[str], None],
) -> None:
    """Every planned post, rendered bodies and reaction counts included, in batches."""

    def rows() -> Iterator[dict[str, Any]]:
        for index, (topic_id, topic) in enumerate(zip(topic_ids, plan, strict=True)):
            # Only the long thread (topic 0) has reactions.
            given = reactions if index == 0 else {}
            for position, (author, at, body, official) in enumerate(topic.posts, 1):
                counts = Counter(kind for _, kind in given.get(position, ()))
                yield {
                    "topic_id": topic_id,
                    "author_id": author,
                    "position": position,
                    "reply_to_id": None,
                    "body": BODIES[body],
                    "body_html": rendered[body],
                    "status": PostStatus.VISIBLE,
                    "is_official": official,
                    "author_badge": AuthorBadge.STAFF
                    if author in staff_ids
                    else AuthorBadge.MEMBER,
                    "like_count": counts[ReactionKind.LIKE],
                    "helpful_count": counts[ReactionKind.HELPFUL],
                    "thanks_count": counts[ReactionKind.THANKS],
                    "edit_count": 0,
                    "created_at": at,
                    "edited_at": None,
                }

    done = 0
    for batch in batches(rows()):
        db.session.execute(bulk(Post), batch)
        done += len(batch)
        progress(f"inserted {done:,} posts")


def link_replies(long_topic_id: int) -> None:
    """Every seventh post of the long thread answers the one before it (shown on the page)."""
    earlier = aliased(Post)
    db.session.execute(
        update(Post)
        .where(Post.topic_id == long_topic_id, Post.position % 7 == 0)
        .values(
            reply_to_id=select(earlier.id)
            .where(earlier.topic_id == Post.topic_id, earlier.position == Post.position - 1)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )


def mark_solutions(topic_ids: list[int]) -> None:
    """The first official reply solves the question, in half the answered support topics."""
    for batch in batches(topic_ids, 1_000):
        db.session.execute(
            update(Topic)
            .where(Topic.id.in_(batch))
            .values(
                solution_post_id=select(Post.id)
                .where(Post.topic_id == Topic.id, Post.is_official.is_(True), Post.position > 1)
                .order_by(Post.position)
                .limit(1)
                .scalar_subquery()
            )
            .execution_options(synchronize_session=False)
        )


def insert_reactions(
    long_topic_id: int, reactions: dict[int, list[tuple[int, ReactionKind]]], now: datetime
) -> int:
    """The planned reactions on the long thread's posts; returns how many."""
    post_ids = dict(
        db.session.execute(
            select(Post.position, Post.id).where(
                Post.topic_id == long_topic_id, Post.position.in_(list(reactions))
            )
        ).all()
    )
    rows = [
        {"post_id": post_ids[position], "user_id": member, "kind": kind, "created_at": now}
        for position, given in reactions.items()
        for member, kind in given
    ]
    for batch in batches(rows):
        db.session.execute(bulk(Reaction), batch)
    return len(rows)


def insert_votes(plan: list[PlannedTopic], topic_ids: list[int], now: datetime) -> int:
    """The planned idea votes; returns how many."""
    rows = [
        {"topic_id": topic_id, "user_id": voter, "created_at": now}
        for topic_id, topic in zip(topic_ids, plan, strict=True)
        for voter in topic.voters
    ]
    for batch in batches(rows):
        db.session.execute(bulk(IdeaVote), batch)
    return len(rows)
