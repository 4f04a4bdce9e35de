"""Reviews, their replies and products as search indexes them (issue 14), through the
content registry's `Searchable` protocol: their words, the live facts search filters and
ranks on, and their visibility, which is the registry's own rule (`content.REVIEW`,
`content.REVIEW_REPLY`; a product is public).

A review is a conversation of its own: its replies are documents in its thread, so a
brand's answer that matches is the passage a result shows.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, join, literal, select, true
from sqlalchemy.orm import aliased

from fanhub.brands.models import Brand
from fanhub.content import SearchBatch, SearchFacts, SearchLink, SearchScope, SearchText
from fanhub.extensions import db
from fanhub.links import site_path
from fanhub.permissions import Actor
from fanhub.reviews.content import REVIEW, REVIEW_REPLY
from fanhub.reviews.models import Product, Review, ReviewReply

# The review a reply's facts read, under a name of its own: the registry's reply rule
# names `reviews` in its EXISTS, which must not join this row by mistake.
_PARENT = aliased(Review, name="search_parent_review")


def _batch(texts: list[SearchText]) -> SearchBatch:
    return SearchBatch(texts, texts[-1].item_id if texts else None, len(texts))


def _review_title(title: str, product: str) -> str:
    return title or f"Review of {product}"


class ReviewSearch:
    """A review: its title and words."""

    search_kind = "review"
    search_model = Review
    sections = frozenset({"review"})

    def _texts(self, where: Any, limit: int | None = None) -> list[SearchText]:
        query = (
            select(
                Review.id,
                Review.brand_id,
                Review.title,
                Review.body_html,
                Review.author_id,
                Review.created_at,
            )
            .where(where)
            .order_by(Review.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return [
            SearchText("review", rid, brand_id, "review", rid, title, body, author, at)
            for rid, brand_id, title, body, author, at in db.session.execute(query)
        ]

    def search_texts(self, ids: Collection[int]) -> list[SearchText]:
        """The reviews' documents."""
        return self._texts(Review.id.in_(ids))

    def search_batch(self, after: int, limit: int) -> SearchBatch:
        """Reviews after `after`, by id."""
        return _batch(self._texts(Review.id > after, limit))

    def search_count(self, after: int) -> int:
        """Reviews after `after`."""
        return db.session.scalar(select(func.count()).where(Review.id > after)) or 0

    def search_visible(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """The review's own rule (`content.REVIEW`)."""
        return REVIEW.visible_clause(viewer, now=now)

    def search_facts(self) -> SearchFacts:
        """Its product, stars, the brand's answer and the verified-purchase mark."""
        return SearchFacts(
            source=Review.__table__,
            section=literal("review"),
            product_id=Review.product_id,
            stars=Review.stars,
            answered=Review.answered_at.is_not(None),
            verified=Review.is_verified_purchase,
        )

    def search_links(self, ids: Collection[int]) -> dict[int, SearchLink]:
        """Each review by its title (or its product's name), on its own page."""
        rows = db.session.execute(
            select(Review.id, Review.title, Product.name, Product.slug, Brand.slug)
            .join(Product, Product.id == Review.product_id)
            .join(Brand, Brand.id == Review.brand_id)
            .where(Review.id.in_(ids))
        )
        return {
            rid: SearchLink(
                _review_title(title, name),
                f"Reviews of {name}",
                site_path("reviews.review", brand=brand, product=product, review_id=rid),
            )
            for rid, title, name, product, brand in rows
        }

    def search_scopes(self, brand_id: int) -> list[SearchScope]:
        """None of its own: the products (`PRODUCT_SEARCH`)."""
        return []


class ReviewReplySearch:
    """A reply under a review: the brand's (official) answer or a member's."""

    search_kind = "review_reply"
    search_model = ReviewReply
    sections = frozenset({"review"})

    def _texts(self, where: Any, limit: int | None = None) -> list[SearchText]:
        query = (
            select(
                ReviewReply.id,
                Review.brand_id,
                ReviewReply.review_id,
                ReviewReply.body_html,
                ReviewReply.author_id,
                ReviewReply.created_at,
            )
            .join(Review, Review.id == ReviewReply.review_id)
            .where(where)
            .order_by(ReviewReply.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return [
            SearchText("review_reply", rid, brand_id, "review", review_id, "", body, author, at)
            for rid, brand_id, review_id, body, author, at in db.session.execute(query)
        ]

    def search_texts(self, ids: Collection[int]) -> list[SearchText]:
        """The replies' documents."""
        return self._texts(ReviewReply.id.in_(ids))

    def search_batch(self, after: int, limit: int) -> SearchBatch:
        """Replies after `after`, by id."""
        return _batch(self._texts(ReviewReply.id > after, limit))

    def search_count(self, after: int) -> int:
        """Replies after `after`."""
        return db.session.scalar(select(func.count()).where(ReviewReply.id > after)) or 0

    def search_visible(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """The reply's own rule (`content.REVIEW_REPLY`), its review's included."""
        return REVIEW_REPLY.visible_clause(viewer, now=now)

    def search_facts(self) -> SearchFacts:
        """Its review's product, stars and answer, and whether it is the brand's."""
        return SearchFacts(
            source=join(ReviewReply, _PARENT, _PARENT.id == ReviewReply.review_id),
            section=literal("review"),
            product_id=_PARENT.product_id,
            stars=_PARENT.stars,
            answered=_PARENT.answered_at.is_not(None),
            official=ReviewReply.is_official,
        )

    def search_links(self, ids: Collection[int]) -> dict[int, SearchLink]:
        """Each reply in place under its review."""
        rows = db.session.execute(
            select(ReviewReply.id, Review.id, Review.title, Product.name, Product.slug, Brand.slug)
            .join(Review, Review.id == ReviewReply.review_id)
            .join(Product, Product.id == Review.product_id)
            .join(Brand, Brand.id == Review.brand_id)
            .where(ReviewReply.id.in_(ids))
        )
        return {
            reply_id: SearchLink(
                _review_title(title, name),
                f"Reviews of {name}",
                site_path("reviews.review", brand=brand, product=product, review_id=review_id)
                + f"#reply-{reply_id}",
            )
            for reply_id, review_id, title, name, product, brand in rows
        }

    def search_scopes(self, brand_id: int) -> list[SearchScope]:
        """None of its own: the products (`PRODUCT_SEARCH`)."""
        return []


class ProductSearch:
    """A product: its name and description (no member's content: always public)."""

    search_kind = "product"
    search_model = Product
    sections = frozenset({"product"})

    def _texts(self, where: Any, limit: int | None = None) -> list[SearchText]:
        query = (
            select(
                Product.id, Product.brand_id, Product.name, Product.description, Product.created_at
            )
            .where(where)
            .order_by(Product.id)
        )
        if limit is not None:
            query = query.limit(limit)
        return [
            SearchText("product", pid, brand_id, "product", pid, name, text, None, at, html=False)
            for pid, brand_id, name, text, at in db.session.execute(query)
        ]

    def search_texts(self, ids: Collection[int]) -> list[SearchText]:
        """The products' documents."""
        return self._texts(Product.id.in_(ids))

    def search_batch(self, after: int, limit: int) -> SearchBatch:
        """Products after `after`, by id."""
        return _batch(self._texts(Product.id > after, limit))

    def search_count(self, after: int) -> int:
        """Products after `after`."""
        return db.session.scalar(select(func.count()).where(Product.id > after)) or 0

    def search_visible(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """Everyone sees every product page."""
        return true()

    def search_facts(self) -> SearchFacts:
        """It is its own product."""
        return SearchFacts(
            source=Product.__table__, section=literal("product"), product_id=Product.id
        )

    def search_links(self, ids: Collection[int]) -> dict[int, SearchLink]:
        """Each product's page."""
        rows = db.session.execute(
            select(Product.id, Product.name, Product.slug, Brand.slug)
            .join(Brand, Brand.id == Product.brand_id)
            .where(Product.id.in_(ids))
        )
        return {
            pid: SearchLink(
                name, "Products", site_path("reviews.product", brand=brand, product=slug)
            )
            for pid, name, slug, brand in rows
        }

    def search_scopes(self, brand_id: int) -> list[SearchScope]:
        """The brand's products, by name."""
        rows = db.session.execute(
            select(Product.id, Product.slug, Product.name)
            .where(Product.brand_id == brand_id)
            .order_by(Product.name)
        )
        return [SearchScope("product", pid, slug, name) for pid, slug, name in rows]


REVIEW_SEARCH = ReviewSearch()
REVIEW_REPLY_SEARCH = ReviewReplySearch()
PRODUCT_SEARCH = ProductSearch()
