"""The reviews' part of a member's data: her reviews, replies and helpful votes in her
export, and what deleting her account does to them."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from sqlalchemy import func, literal, select

from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.personal_data import Erasure, Records, earlier_versions, records
from fanhub.reviews import widget
from fanhub.reviews.models import Product, Review, ReviewReply, ReviewRevision, ReviewVote
from fanhub.reviews.services import remove_reviews_of


class ReviewsData:
    """The reviews' part of a member's data."""

    name = "reviews"
    files = {
        "reviews.json": "your reviews, with their earlier versions",
        "review_replies.json": "what you wrote under reviews",
        "votes.json": "the reviews you found helpful",
    }

    def export(self, user_id: int) -> Iterator[tuple[str, Records]]:
        yield "reviews.json", review_records(user_id)
        yield "review_replies.json", review_reply_records(user_id)
        yield "votes.json", helpful_vote_records(user_id)

    def profile(self, user_id: int) -> dict[str, Any]:
        return {}

    def plan(self, user_id: int) -> dict[str, Any]:
        return {
            "reviews": _count(Review, Review.author_id == user_id),
            "review_replies": _count(ReviewReply, ReviewReply.author_id == user_id),
        }

    def erase(self, erasure: Erasure) -> None:
        """With her content, her reviews and replies are removed, leaving every rating and
        reply count exact. Either way the widget's cached summaries that name her are
        forgotten after commit."""
        uid = erasure.user.id
        # Read before anything changes: the products whose widget shows her name.
        products = _products_naming(uid)
        if erasure.remove_content:
            remove_reviews_of(uid, erasure.now)
        for brand_slug, product_slug, sku in products:
            erasure.after_commit(partial(widget.forget_summary, brand_slug, product_slug, sku))


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _products_naming(user_id: int) -> list[tuple[str, str, str]]:
    """(brand slug, product slug, sku) of the products whose widget shows her name."""
    reviewed = select(Review.product_id).where(Review.author_id == user_id)
    answered = (
        select(Review.product_id)
        .join(ReviewReply, ReviewReply.review_id == Review.id)
        .where(ReviewReply.author_id == user_id)
    )
    return [
        (brand, slug, sku)
        for brand, slug, sku in db.session.execute(
            select(Brand.slug, Product.slug, Product.sku)
            .join(Brand, Brand.id == Product.brand_id)
            .where(Product.id.in_(reviewed.union(answered)))
        )
    ]


def review_records(user_id: int) -> Iterator[dict[str, Any]]:
    """Her reviews with their earlier versions, as her export's records."""
    earlier = earlier_versions(
        select(
            ReviewRevision.review_id,
            ReviewRevision.stars,
            ReviewRevision.title,
            ReviewRevision.body,
            ReviewRevision.replaced_at,
        )
        .join(Review, Review.id == ReviewRevision.review_id)
        .where(Review.author_id == user_id)
        .order_by(ReviewRevision.id),
        "review_id",
    )
    for record in records(
        select(
            Review.id,
            Brand.slug.label("brand"),
            Product.slug.label("product"),
            Product.name.label("product_name"),
            Review.stars,
            Review.title,
            Review.body,
            Review.status,
            Review.is_verified_purchase.label("verified_purchase"),
            Review.helpful_count.label("helpful_votes"),
            Review.created_at,
            Review.edited_at,
            Review.published_at,
        )
        .join(Product, Product.id == Review.product_id)
        .join(Brand, Brand.id == Review.brand_id)
        .where(Review.author_id == user_id)
        .order_by(Review.id)
    ):
        yield {**record, "earlier_versions": earlier.get(record["id"], [])}


def review_reply_records(user_id: int) -> Iterator[dict[str, Any]]:
    """What she wrote under reviews, as her export's records."""
    return records(
        select(
            ReviewReply.id,
            ReviewReply.review_id,
            ReviewReply.body,
            ReviewReply.status,
            ReviewReply.is_official,
            ReviewReply.created_at,
        )
        .where(ReviewReply.author_id == user_id)
        .order_by(ReviewReply.id)
    )


def helpful_vote_records(user_id: int) -> Iterator[dict[str, Any]]:
    """The reviews she found helpful, as her export's records."""
    return records(
        select(
            literal("review_helpful").label("kind"),
            ReviewVote.review_id,
            Product.name.label("product_name"),
            ReviewVote.created_at,
        )
        .join(Review, Review.id == ReviewVote.review_id)
        .join(Product, Product.id == Review.product_id)
        .where(ReviewVote.user_id == user_id)
        .order_by(ReviewVote.id)
    )


PART = ReviewsData()
