"""Building the whole data set in one transaction, and telling the planner its size."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from fanhub.benchdata.catalogue import BODIES, BRAND_SLUG, CATEGORIES
from fanhub.benchdata.forum import (
    insert_categories,
    insert_posts,
    insert_reactions,
    insert_topics,
    insert_votes,
    link_replies,
    mark_solutions,
    plan_reactions,
    plan_topics,
    update_category_counters,
)
from fanhub.benchdata.people import insert_people
from fanhub.benchdata.reviews import insert_reviews
from fanhub.benchdata.sizes import LARGE, BenchData, Sizes
from fanhub.brands.models import Brand
from fanhub.db import transaction
from fanhub.errors import Conflict
from fanhub.extensions import db
from fanhub.forums.models import POSTS_PER_PAGE
from fanhub.text import render_markdown

# A fixed seed: two runs build the same forum, so two benchmark runs measure the same pages.
SEED = 2026
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
        brand_id, staff_ids, member_ids = insert_people(sizes, now, progress)
        category_ids = insert_categories(brand_id, now)
        plan = plan_topics(sizes, rng, now, staff_ids, member_ids)
        long_topic = plan[0]
        reactions = plan_reactions(rng, long_topic, member_ids)
        progress(f"planned {len(plan):,} topics and {sizes.posts:,} posts")
        update_category_counters(plan, category_ids)
        topic_ids = insert_topics(plan, brand_id, category_ids)
        progress(f"inserted {len(topic_ids):,} topics")
        insert_posts(plan, topic_ids, staff_ids, rendered, reactions, progress)
        link_replies(topic_ids[0])
        mark_solutions([tid for tid, topic in zip(topic_ids, plan, strict=True) if topic.solved])
        reaction_count = insert_reactions(topic_ids[0], reactions, now)
        vote_count = insert_votes(plan, topic_ids, now)
        progress(f"inserted {reaction_count:,} reactions and {vote_count:,} idea votes")
        review_count = insert_reviews(sizes, rng, brand_id, staff_ids, member_ids, now)
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
