"""The large data set the benchmark reads (`flask seed-demo --scale large`): one busy brand.

The services write one post at a time with every rule and notification, which is right for
members and far too slow for 100,000 posts. This builder plans the whole forum in memory,
renders each distinct body once, and bulk-inserts the rows with every denormalised counter
already equal to what the rows say, in one transaction: the database holds all of it or
none of it.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.orm import aliased
from werkzeug.security import generate_password_hash

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Follow, Role
from fanhub.db import transaction
from fanhub.demo import DEMO_PASSWORD
from fanhub.errors import Conflict, Invalid
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
from fanhub.reviews.models import Product, Review, ReviewReply, ReviewStatus, ReviewVote
from fanhub.text import render_markdown

BRAND_SLUG = "bigbrand"
BRAND_NAME = "Big Brand"
LONG_THREAD_TITLE = "The very long thread"
LONG_THREAD_CATEGORY = "discussion"
BATCH_SIZE = 5_000
# A fixed seed: two runs build the same forum, so two benchmark runs measure the same pages.
SEED = 2026
STAFF = ("bigbrand-owner", "bigbrand-staff1", "bigbrand-staff2", "bigbrand-staff3")
# Tables this builder fills, analysed at the end so the planner knows their sizes at once
# (autovacuum would, minutes later; a benchmark starts straight away).
LOADED_TABLES = (
    "users",
    "brands",
    "brand_roles",
    "follows",
    "categories",
    "topics",
    "posts",
    "reactions",
    "idea_votes",
    "products",
    "reviews",
    "review_replies",
    "review_votes",
)
# The product most reviews are about: the widget benchmark reads its summary.
HOT_PRODUCT_SLUG = "bestseller"
PRODUCT_NAMES = ("Travel mug", "Desk lamp", "Trail backpack", "Wireless earbuds", "Coffee grinder")
# Skewed towards happy customers, as real ratings are: mostly fives and fours.
STAR_WEIGHTS = (5, 4, 8, 25, 58)
REVIEW_BODIES = (
    "Does exactly what it says. Sturdy, well made, and it arrived two days early.",
    "Good value for the money, though the **instructions** could be clearer. "
    "Took me an evening to set up.",
    "Stopped working after three weeks. Support replaced it quickly, but I'd expect it to "
    "last longer than that.",
    "I bought a second one for my sister. We both use it every day:\n\n- light\n- quiet\n"
    "- easy to clean",
    "Not what the photos suggest: the colour is darker and the strap feels cheap.",
)
ANSWER_BODY = (
    "Thank you for taking the time to write this. We've passed it on to the product team, "
    "and our support team will be in touch by email today."
)

# slug, name, kind, share of the topics, description
CATEGORIES = (
    ("support", "Support", CategoryKind.SUPPORT, 40, "Questions about orders and products."),
    ("discussion", "Discussion", CategoryKind.DISCUSSION, 25, "Talk about our products."),
    ("ideas", "Ideas", CategoryKind.IDEAS, 15, "Tell us what to make next, and vote."),
    ("announcements", "Announcements", CategoryKind.ANNOUNCEMENTS, 2, "News from the team."),
    ("off-topic", "Off topic", CategoryKind.DISCUSSION, 18, "Everything else."),
)

QUESTION_BODIES = (
    "My order arrived yesterday but the **lid is cracked**. Order number is in my account.\n\n"
    "What should I do: send it back, or wait for a replacement?",
    "Has anyone managed to pair it with the app on Android 14? I tried:\n\n"
    "1. Resetting the device\n2. Reinstalling the app\n3. Turning Bluetooth off and on\n\n"
    "Nothing works so far.",
    "Quick question: does the *travel edition* fit in the standard case?",
    "I keep getting this error when I sync:\n\n```\nsync failed: code 412 (precondition)\n```\n\n"
    "Any idea what it means? See https://example.com/help/412 which did not help.",
)
REPLY_BODIES = (
    "Same here, following this thread.",
    "I had this last month. Clearing the cache fixed it for me, "
    "see [the help page](https://example.com/help/cache).",
    "+1, would love an answer too.",
    "It fits, but only if you take the strap off first. Works fine otherwise.",
    "> Nothing works so far.\n\nDid you try signing out of the app completely? That was the "
    "missing step for me.",
    "Honestly the old model was better at this. Here's what I compared:\n\n"
    "| | old | new |\n|---|---|---|\n| battery | 12 h | 9 h |\n| weight | 210 g | 180 g |",
)
STAFF_BODIES = (
    "Thanks for reporting this! We've sent you a replacement today; no need to return the "
    "damaged one. You'll get a tracking email within the hour.",
    "Hi all, this is a known issue in app version 3.2. **Version 3.2.1** fixes it and is "
    "rolling out this week. Until then, signing out and in again works around it.",
)
ANNOUNCEMENT_BODIES = (
    "## Spring update\n\nWe're rolling out new colours, a longer warranty and faster shipping. "
    "Details below, and ask us anything in this thread.\n\n- New colours\n- 3-year warranty\n"
    "- Free shipping over 40 €",
)
BODIES = (*QUESTION_BODIES, *REPLY_BODIES, *STAFF_BODIES, *ANNOUNCEMENT_BODIES)
# Where each kind of body starts in BODIES.
_REPLIES = len(QUESTION_BODIES)
_STAFF = _REPLIES + len(REPLY_BODIES)
_ANNOUNCEMENTS = _STAFF + len(STAFF_BODIES)
TITLES = (
    "Order #{n} arrived damaged",
    "App won't pair on Android ({n})",
    "Does the travel edition fit the case? #{n}",
    "Sync error 412 after update ({n})",
    "Favourite setup thread #{n}",
    "Idea: a refill pack, take {n}",
    "Battery life compared, round {n}",
    "What are you using this week? ({n})",
)

_T = TypeVar("_T")


@dataclass(frozen=True)
class Sizes:
    """How much to build: the CLI passes LARGE; tests pass a few dozen rows."""

    topics: int
    posts: int
    long_thread_posts: int
    members: int
    products: int = 1
    # Reviews of the hot product (one per member at most); the rest are spread thinly.
    hot_product_reviews: int = 0
    reviews: int = 0

    def __post_init__(self) -> None:
        if self.topics < 1 or self.members < 2 or self.long_thread_posts < 1:
            raise Invalid("Build at least one topic, one post in it and two members.")
        if self.posts < self.long_thread_posts + self.topics - 1:
            raise Invalid("Every topic needs at least its first post: give more posts.")
        if self.products < 1 or not 0 <= self.hot_product_reviews <= self.members:
            raise Invalid("Build at least one product, and one review per member at most.")
        if self.reviews < self.hot_product_reviews:
            raise Invalid("The hot product's reviews are part of all the reviews.")
        if self.reviews - self.hot_product_reviews > (self.products - 1) * self.members:
            raise Invalid("More reviews than members can write (one per product each).")


LARGE = Sizes(
    topics=10_000,
    posts=100_000,
    long_thread_posts=10_000,
    members=2_000,
    products=200,
    hot_product_reviews=2_000,
    reviews=20_000,
)


@dataclass(frozen=True)
class BenchData:
    """What was built, and where the benchmark's pages are."""

    brand_id: int
    long_topic_id: int
    long_thread_pages: int
    category_slugs: tuple[str, ...]
    members: int
    topics: int
    posts: int
    reactions: int
    votes: int
    products: int
    reviews: int
    seconds: float


@dataclass
class _PlannedTopic:
    category: int  # index into CATEGORIES
    title: str
    author: int  # user id
    created_at: datetime
    # (author id, created_at, body index, is_official) per post, in position order
    posts: list[tuple[int, datetime, int, bool]] = field(default_factory=list)
    voters: list[int] = field(default_factory=list)
    solved: bool = False


def build_bench_data(
    sizes: Sizes = LARGE,
    *,
    echo: Callable[[str], Any] = lambda line: None,
    now: datetime,
) -> BenchData:
    """Fill the database with the `bigbrand` forum at the given size, as it stands at `now`.

    Counters (topics and posts per category, posts, last post and first official reply
    per topic, reactions per post, votes per idea, followers) equal the rows, as the
    services would have left them. Authors do not watch their topics and no
    notifications are sent: the pages measured read neither.

    :raises Conflict: the database already has a brand at /b/bigbrand.
    """
    started = time.monotonic()

    def progress(message: str) -> None:
        echo(f"[{time.monotonic() - started:6.1f}s] {message}")

    if db.session.scalar(select(Brand.id).where(Brand.slug == BRAND_SLUG)) is not None:
        raise Conflict(
            f"This database already has a brand at /b/{BRAND_SLUG}; "
            "build the large data set in a fresh database."
        )
    rng = random.Random(SEED)  # noqa: S311 - a repeatable data set, not a secret
    # Each distinct body is rendered once; 100,000 renders would take minutes.
    rendered = [render_markdown(body) for body in BODIES]

    with transaction():
        brand_id, staff_ids, member_ids = _insert_people(sizes, now, progress)
        category_ids = _insert_categories(brand_id, now)
        plan = _plan_topics(sizes, rng, now, staff_ids, member_ids)
        long_topic = plan[0]
        reactions = _plan_reactions(rng, long_topic, member_ids)
        progress(f"planned {len(plan):,} topics and {sizes.posts:,} posts")
        _update_category_counters(plan, category_ids)
        topic_ids = _insert_topics(plan, brand_id, category_ids)
        progress(f"inserted {len(topic_ids):,} topics")
        _insert_posts(plan, topic_ids, staff_ids, rendered, reactions, progress)
        _link_replies(topic_ids[0])
        _mark_solutions([tid for tid, topic in zip(topic_ids, plan, strict=True) if topic.solved])
        reaction_count = _insert_reactions(topic_ids[0], reactions, now)
        vote_count = _insert_votes(plan, topic_ids, now)
        progress(f"inserted {reaction_count:,} reactions and {vote_count:,} idea votes")
        review_count = _insert_reviews(sizes, rng, brand_id, staff_ids, member_ids, now)
        progress(f"inserted {sizes.products:,} products and {review_count:,} reviews")
    with transaction():
        for table in LOADED_TABLES:
            # Names from the constant above, never from input.
            db.session.execute(text(f"ANALYZE {table}"))
    seconds = time.monotonic() - started
    progress("done")
    return BenchData(
        brand_id=brand_id,
        long_topic_id=topic_ids[0],
        long_thread_pages=-(-sizes.long_thread_posts // POSTS_PER_PAGE),
        category_slugs=tuple(slug for slug, *_ in CATEGORIES),
        members=len(member_ids),
        topics=len(topic_ids),
        posts=sizes.posts,
        reactions=reaction_count,
        votes=vote_count,
        products=sizes.products,
        reviews=review_count,
        seconds=seconds,
    )


def _bulk(model: type[Any]) -> Any:
    """An INSERT for a list of row dicts, sent as one executemany per batch."""
    # Without render_nulls the ORM groups rows by which columns are None and sends one
    # statement per group: thousands for topics, some answered and some not.
    return insert(model).execution_options(render_nulls=True)


def _batches(rows: Iterator[_T] | Sequence[_T], size: int = BATCH_SIZE) -> Iterator[list[_T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _insert_people(
    sizes: Sizes, now: datetime, progress: Callable[[str], None]
) -> tuple[int, list[int], list[int]]:
    """The brand, its owner and staff, and the members; returns their ids."""
    # One hash for everyone: hashing 2,000 passwords with scrypt would take minutes.
    password_hash = generate_password_hash(
        DEMO_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    brand_id = db.session.scalars(
        insert(Brand).returning(Brand.id),
        [
            {
                "slug": BRAND_SLUG,
                "name": BRAND_NAME,
                "tagline": "Everything, for everyone, at scale.",
                "description": "The brand with **the busiest forum** on fanhub.",
                "description_html": render_markdown(
                    "The brand with **the busiest forum** on fanhub."
                ),
                "follower_count": 0,
                "created_at": now - timedelta(days=400),
            }
        ],
    ).one()
    usernames = [*STAFF, *(f"member{n:04d}" for n in range(1, sizes.members + 1))]
    rows = [
        {
            # Lower case, as the users table's CHECK constraints demand.
            "username": username,
            "email": f"{username}@example.com",
            "password_hash": password_hash,
            "display_name": "",
            "bio": "",
            "status": UserStatus.ACTIVE,
            "is_admin": False,
            "trust_level": 1,
            "created_at": now - timedelta(days=400),
            "email_verified_at": now - timedelta(days=400),
            "unread_notification_count": 0,
        }
        for username in usernames
    ]
    for batch in _batches(rows):
        db.session.execute(_bulk(User), batch)
    # Looked up by name rather than returned: RETURNING in order makes SQLAlchemy send
    # one row per statement on SQLite.
    by_name = dict(
        db.session.execute(select(User.username, User.id).where(User.username.in_(usernames))).all()
    )
    user_ids = [by_name[username] for username in usernames]
    staff_ids, member_ids = user_ids[: len(STAFF)], user_ids[len(STAFF) :]
    roles = [Role.OWNER] + [Role.STAFF] * (len(STAFF) - 1)
    db.session.execute(
        insert(BrandRole),
        [
            {"user_id": uid, "brand_id": brand_id, "role": role, "created_at": now}
            for uid, role in zip(staff_ids, roles, strict=True)
        ],
    )
    # Three members in five are fans of the brand.
    fans = member_ids[: len(member_ids) * 3 // 5]
    if fans:
        db.session.execute(
            insert(Follow),
            [{"user_id": uid, "brand_id": brand_id, "created_at": now} for uid in fans],
        )
    db.session.execute(update(Brand).where(Brand.id == brand_id).values(follower_count=len(fans)))
    progress(f"inserted brand /b/{BRAND_SLUG}, {len(staff_ids)} staff, {len(member_ids):,} members")
    return brand_id, staff_ids, member_ids


def _insert_categories(brand_id: int, now: datetime) -> list[int]:
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


def _plan_topics(
    sizes: Sizes, rng: random.Random, now: datetime, staff_ids: list[int], member_ids: list[int]
) -> list[_PlannedTopic]:
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
    plan: list[_PlannedTopic] = []
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
            _plan_posts(rng, index, category, title, created, count, now, staff_ids, member_ids)
        )
    return plan


def _plan_posts(
    rng: random.Random,
    index: int,
    category: int,
    title: str,
    created: datetime,
    count: int,
    now: datetime,
    staff_ids: list[int],
    member_ids: list[int],
) -> _PlannedTopic:
    kind = CATEGORIES[category][2]
    is_announcement = kind is CategoryKind.ANNOUNCEMENTS
    author = rng.choice(staff_ids if is_announcement else member_ids)
    topic = _PlannedTopic(category, title, author, created)
    # Evenly spaced replies that end before now, a few minutes to a few hours apart.
    span = (now - created).total_seconds() - 60
    step = min(rng.uniform(120, 8 * 3_600), span / max(count, 1))
    staff_answers = kind is CategoryKind.SUPPORT and count > 1 and rng.random() < 0.65
    for position in range(1, count + 1):
        at = created + timedelta(seconds=step * (position - 1))
        if position == 1:
            poster = author
            body = _ANNOUNCEMENTS if is_announcement else index % len(QUESTION_BODIES)
        elif (position == 2 and staff_answers) or rng.random() < 0.04:
            poster = rng.choice(staff_ids)
            body = _STAFF + rng.randrange(len(STAFF_BODIES))
        else:
            poster = rng.choice(member_ids)
            body = _REPLIES + rng.randrange(len(REPLY_BODIES))
        # A post is official when its author is the brand's owner or staff, as in the services.
        topic.posts.append((poster, at, body, poster in staff_ids))
    topic.solved = staff_answers and rng.random() < 0.5
    if kind is CategoryKind.IDEAS:
        topic.voters = rng.sample(member_ids, rng.randrange(min(40, len(member_ids)) + 1))
    return topic


def _plan_reactions(
    rng: random.Random, long_topic: _PlannedTopic, member_ids: list[int]
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


def _update_category_counters(plan: list[_PlannedTopic], category_ids: list[int]) -> None:
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


def _insert_topics(plan: list[_PlannedTopic], brand_id: int, category_ids: list[int]) -> list[int]:
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
    for batch in _batches(rows):
        db.session.execute(_bulk(Topic), batch)
    # Every title is unique in the brand (it carries the topic's number), so the ids are
    # found by title rather than returned in order (see _insert_people).
    by_title = dict(
        db.session.execute(select(Topic.title, Topic.id).where(Topic.brand_id == brand_id)).all()
    )
    return [by_title[row["title"]] for row in rows]


def _insert_posts(
    plan: list[_PlannedTopic],
    topic_ids: list[int],
    staff_ids: list[int],
    rendered: Sequence[str],
    reactions: dict[int, list[tuple[int, ReactionKind]]],
    progress: Callable[[str], None],
) -> None:
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
    for batch in _batches(rows()):
        db.session.execute(_bulk(Post), batch)
        done += len(batch)
        progress(f"inserted {done:,} posts")


def _link_replies(long_topic_id: int) -> None:
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


def _mark_solutions(topic_ids: list[int]) -> None:
    """The first official reply solves the question, in half the answered support topics."""
    for batch in _batches(topic_ids, 1_000):
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


def _insert_reactions(
    long_topic_id: int, reactions: dict[int, list[tuple[int, ReactionKind]]], now: datetime
) -> int:
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
    for batch in _batches(rows):
        db.session.execute(_bulk(Reaction), batch)
    return len(rows)


def _insert_votes(plan: list[_PlannedTopic], topic_ids: list[int], now: datetime) -> int:
    rows = [
        {"topic_id": topic_id, "user_id": voter, "created_at": now}
        for topic_id, topic in zip(topic_ids, plan, strict=True)
        for voter in topic.voters
    ]
    for batch in _batches(rows):
        db.session.execute(_bulk(IdeaVote), batch)
    return len(rows)


def _insert_reviews(
    sizes: Sizes,
    rng: random.Random,
    brand_id: int,
    staff_ids: list[int],
    member_ids: list[int],
    now: datetime,
) -> int:
    """Products, their published reviews, helpful votes and the brand's answers to a third
    of them, with every counter (ratings, histogram, helpful, replies) equal to the rows."""
    product_rows = [
        {
            "brand_id": brand_id,
            "slug": HOT_PRODUCT_SLUG if n == 0 else f"product-{n:04d}",
            "sku": "BB-HOT" if n == 0 else f"BB-{n:04d}",
            "name": "The Bestseller" if n == 0 else f"{PRODUCT_NAMES[n % len(PRODUCT_NAMES)]} {n}",
            "description": "What everyone buys.",
            "image_url": "",
            "rating_count": 0,
            "rating_sum": 0,
            **{f"stars_{stars}": 0 for stars in range(1, 6)},
            "created_at": now - timedelta(days=365),
            "updated_at": now - timedelta(days=365),
        }
        for n in range(sizes.products)
    ]
    db.session.execute(_bulk(Product), product_rows)
    product_ids = list(
        db.session.scalars(
            select(Product.id).where(Product.brand_id == brand_id).order_by(Product.id)
        )
    )
    # Who reviews what: every pair distinct, so one review per member per product holds.
    pairs = [(product_ids[0], member) for member in member_ids[: sizes.hot_product_reviews]]
    others = sizes.reviews - sizes.hot_product_reviews
    seen: set[tuple[int, int]] = set()
    while len(seen) < others:
        seen.add((rng.choice(product_ids[1:]), rng.choice(member_ids)))
    pairs += sorted(seen)
    rendered = [render_markdown(body) for body in REVIEW_BODIES]
    totals: dict[int, Counter[int]] = {pid: Counter() for pid in product_ids}
    review_rows = []
    for product_id, author_id in pairs:
        stars = rng.choices(range(1, 6), weights=STAR_WEIGHTS)[0]
        body = rng.randrange(len(REVIEW_BODIES))
        written = now - timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
        totals[product_id][stars] += 1
        review_rows.append(
            {
                "product_id": product_id,
                "brand_id": brand_id,
                "author_id": author_id,
                "stars": stars,
                "title": f"{stars} stars from a customer" if stars > 1 else "Disappointed",
                "body": REVIEW_BODIES[body],
                "body_html": rendered[body],
                "status": ReviewStatus.PUBLISHED,
                "is_verified_purchase": rng.random() < 0.6,
                "helpful_count": 0,
                "reply_count": 0,
                "edit_count": 0,
                "created_at": written,
                "edited_at": None,
                "published_at": written,
                "answered_at": None,
                "latest_answer_id": None,
                "resolved_at": None,
                "previous_stars": None,
                "stars_changed_at": None,
                "stars_changed_after_answer": False,
                "moderation_rule": None,
                "moderation_note": "",
                "moderated_at": None,
            }
        )
    for batch in _batches(review_rows):
        db.session.execute(_bulk(Review), batch)
    for product_id, counts in totals.items():
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(
                rating_count=sum(counts.values()),
                rating_sum=sum(stars * n for stars, n in counts.items()),
                **{f"stars_{stars}": counts[stars] for stars in range(1, 6)},
            )
        )
    reviews = db.session.execute(
        select(Review.id, Review.author_id, Review.created_at)
        .where(Review.brand_id == brand_id)
        .order_by(Review.id)
    ).all()
    # Helpful votes: a few members each on one review in four, never the author.
    vote_rows = []
    for review_id, reviewer_id, _ in reviews[::4]:
        voters = set(rng.sample(member_ids, min(len(member_ids), rng.randrange(1, 6))))
        vote_rows += [
            {"review_id": review_id, "user_id": voter, "created_at": now}
            for voter in sorted(voters - {reviewer_id})
        ]
    for batch in _batches(vote_rows):
        db.session.execute(_bulk(ReviewVote), batch)
    # The brand answers one review in three, a day after it was written.
    answer_html = render_markdown(ANSWER_BODY)
    answer_rows: list[dict[str, object]] = [
        {
            "review_id": review_id,
            "author_id": staff_ids[1 + n % (len(staff_ids) - 1)] if len(staff_ids) > 1 else None,
            "body": ANSWER_BODY,
            "body_html": answer_html,
            "is_official": True,
            "created_at": written + timedelta(days=1),
        }
        for n, (review_id, _, written) in enumerate(reviews[::3])
    ]
    for batch in _batches(answer_rows):
        db.session.execute(_bulk(ReviewReply), batch)
    helpful = (
        select(func.count())
        .where(ReviewVote.review_id == Review.id)
        .correlate(Review)
        .scalar_subquery()
    )
    replies = (
        select(func.count())
        .where(ReviewReply.review_id == Review.id)
        .correlate(Review)
        .scalar_subquery()
    )
    first_answer = (
        select(func.min(ReviewReply.created_at))
        .where(ReviewReply.review_id == Review.id, ReviewReply.is_official.is_(True))
        .correlate(Review)
        .scalar_subquery()
    )
    latest_answer = (
        select(func.max(ReviewReply.id))
        .where(ReviewReply.review_id == Review.id, ReviewReply.is_official.is_(True))
        .correlate(Review)
        .scalar_subquery()
    )
    db.session.execute(
        update(Review)
        .where(Review.brand_id == brand_id)
        .values(
            helpful_count=helpful,
            reply_count=replies,
            answered_at=first_answer,
            latest_answer_id=latest_answer,
        )
        .execution_options(synchronize_session=False)
    )
    return len(review_rows)
