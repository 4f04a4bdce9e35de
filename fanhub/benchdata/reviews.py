"""The products and their reviews, helpful votes and the brand's answers."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from fanhub.benchdata.bulk import batches, bulk
from fanhub.benchdata.catalogue import (
    ANSWER_BODY,
    HOT_PRODUCT_SLUG,
    PRODUCT_NAMES,
    REVIEW_BODIES,
    STAR_WEIGHTS,
)
from fanhub.benchdata.sizes import Sizes
from fanhub.extensions import db
from fanhub.reviews.models import Product, Review, ReviewReply, ReviewStatus, ReviewVote
from fanhub.text import render_markdown


def insert_reviews(
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
    db.session.execute(bulk(Product), product_rows)
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
    for batch in batches(review_rows):
        db.session.execute(bulk(Review), batch)
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
    for batch in batches(vote_rows):
        db.session.execute(bulk(ReviewVote), batch)
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
    for batch in batches(answer_rows):
        db.session.execute(bulk(ReviewReply), batch)
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
