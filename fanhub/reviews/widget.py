"""A product's public rating summary, as the embeddable widget and search engines see it,
and the cache that serves it without touching the database."""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import datetime
from typing import Any, NamedTuple, TypeGuard

import bleach
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import SLUG_PATTERN as BRAND_SLUG_PATTERN
from fanhub.brands.models import Brand
from fanhub.errors import NotFound
from fanhub.extensions import cache, db
from fanhub.links import absolute_url
from fanhub.reviews.models import (
    PRODUCT_SLUG_PATTERN,
    SKU_PATTERN,
    Product,
    Review,
    ReviewReply,
)
from fanhub.reviews.visibility import PUBLISHED_REVIEW

# Entries also expire on their own, which bounds how long a summary built from data read
# just before a concurrent change can outlive that change.
SUMMARY_SECONDS = 300
# The most helpful reviews a summary carries; the widget shows 3 of them unless told more.
MOST_HELPFUL = 10
# Reviews in the schema.org block: enough for a rich result, little enough to stay small.
SCHEMA_REVIEWS = 3
# Characters of a review's (or an answer's) text the widget shows before "…".
TEXT_MAX = 600
# What the product page calls the author of a review whose account was deleted.
FORMER_MEMBER = "A former member"

_BRAND_SLUG = re.compile(BRAND_SLUG_PATTERN)
_PRODUCT_SLUG = re.compile(PRODUCT_SLUG_PATTERN)
_SKU = re.compile(SKU_PATTERN)
# Where one block of rendered Markdown ends, so its text doesn't run into the next one's.
_BLOCK_END = re.compile(
    r"</(?:p|li|h[1-6]|blockquote|pre|tr|ul|ol|table)\s*>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE
)
# Characters that could end a <script> block or start a comment when a shop pastes the
# JSON (or its schema_org part) straight into its HTML; JSON lets us write them as \u00XX.
_HTML_SENSITIVE = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


class CachedSummary(NamedTuple):
    """A summary as served: its JSON bytes, their strong ETag (unquoted), and the origins
    the brand allows to frame the widget (space separated; empty means any)."""

    body: bytes
    etag: str
    widget_origins: str


def summary_key(brand_slug: str, reference: str, by_sku: bool = False) -> str:
    """The cache key of one product's summary, looked up by slug or by SKU."""
    # Slugs are case-insensitive in URLs (stored lower case); SKUs are what the shop says.
    kind, name = ("sku", reference) if by_sku else ("slug", reference.lower())
    return f"embed:v1:{brand_slug.lower()}:{kind}:{name}"


def forget_summary(brand_slug: str, product_slug: str, sku: str | None) -> None:
    """Drop a product's cached summary under both of its names; call after commit (the
    reviews' own writes do, through `fanhub.reviews.subscribers`)."""
    keys = [summary_key(brand_slug, product_slug)]
    if sku is not None:
        keys.append(summary_key(brand_slug, sku, by_sku=True))
    cache.delete_many(*keys)


def forget_brand(brand_id: int, brand_slug: str) -> None:
    """Drop every cached summary of a brand (its name, colour or allowed origins changed)."""
    keys: list[str] = []
    for slug, sku in db.session.execute(
        select(Product.slug, Product.sku).where(Product.brand_id == brand_id)
    ):
        keys += [summary_key(brand_slug, slug), summary_key(brand_slug, sku, by_sku=True)]
    if keys:
        cache.delete_many(*keys)


def cached_summary(brand_slug: str, reference: str, by_sku: bool = False) -> CachedSummary:
    """The product's summary from the cache, built and stored first on a miss.

    A hit runs no SQL and no serialisation: the entry holds the finished JSON bytes and
    their ETag. Every write that changes what a summary shows has `forget_summary` (or
    `forget_brand`) called after its commit (a reviews write by emitting ProductChanged).

    :raises NotFound: no such brand, product or SKU.
    """
    key = summary_key(brand_slug, reference, by_sku)
    entry = cache.get(key)
    if entry is None:
        product, reviews = _load(brand_slug, reference, by_sku)
        body = serialize(_payload(product, reviews))
        # A plain tuple: what Redis holds outlives a deploy that renames this class.
        entry = (body, hashlib.sha256(body).hexdigest()[:32], product.brand.widget_origins)
        cache.set(key, entry, timeout=SUMMARY_SECONDS)
    return CachedSummary(*entry)


def summary(brand_slug: str, reference: str, by_sku: bool = False) -> dict[str, Any]:
    """The public summary of a product from published reviews only: brand, product, rating,
    the most helpful reviews with the brand's latest answer, and a schema.org block.

    Nothing personal beyond display names: no user ids, usernames or emails.

    :raises NotFound: no such brand, product or SKU.
    """
    return _payload(*_load(brand_slug, reference, by_sku))


def serialize(payload: dict[str, Any]) -> bytes:
    """Compact JSON that is also safe to paste inside an HTML <script> element."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_HTML_SENSITIVE).encode()


def plain_text(fragment_html: str, limit: int = TEXT_MAX) -> tuple[str, bool]:
    """Sanitised HTML as plain text (paragraphs on their own lines), cut at `limit`
    characters on a word boundary; and whether it was cut."""
    marked = _BLOCK_END.sub("\n", fragment_html)
    text = html.unescape(bleach.clean(marked, tags=set(), strip=True))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    if not (text[limit].isspace() or cut[-1].isspace()) and len(cut.split()) > 1:
        cut = cut.rsplit(maxsplit=1)[0]  # the last word was cut in two: leave it out
    return cut.rstrip(" .,;:-\n") + "…", True


def _load(brand_slug: str, reference: str, by_sku: bool) -> tuple[Product, list[Review]]:
    """The product with its brand, and its most helpful published reviews: two queries."""
    brand_slug = brand_slug.lower()
    pattern, value = (_SKU, reference) if by_sku else (_PRODUCT_SLUG, reference.lower())
    # A name no product can have needs no query (and says nothing about which exist).
    if not (_BRAND_SLUG.fullmatch(brand_slug) and pattern.fullmatch(value)):
        raise NotFound(_not_found_message(by_sku))
    column = Product.sku if by_sku else Product.slug
    product = db.session.scalars(
        select(Product)
        .join(Product.brand)
        .options(contains_eager(Product.brand))
        .where(Brand.slug == brand_slug, column == value)
    ).first()
    if product is None:
        raise NotFound(_not_found_message(by_sku))
    reviews = list(
        db.session.scalars(
            select(Review)
            .options(
                joinedload(Review.author),
                joinedload(Review.latest_answer).joinedload(ReviewReply.author),
            )
            .where(Review.product_id == product.id, PUBLISHED_REVIEW)
            .order_by(Review.helpful_count.desc(), Review.id.desc())
            .limit(MOST_HELPFUL)
        )
    )
    return product, reviews


def _not_found_message(by_sku: bool) -> str:
    if by_sku:
        return "There is no product with that SKU at this brand."
    return "There is no such product."


def _payload(product: Product, reviews: list[Review]) -> dict[str, Any]:
    brand = product.brand
    product_url = absolute_url("reviews.product", brand=brand.slug, product=product.slug)
    items = [_review(review, product, brand) for review in reviews]
    return {
        "brand": {"slug": brand.slug, "name": brand.name, "accent": brand.accent_color},
        "product": {
            "slug": product.slug,
            "sku": product.sku,
            "name": product.name,
            "url": product_url,
            "image": product.image_url or None,
        },
        "rating": {
            "average": product.average,
            "count": product.rating_count,
            "histogram": {str(stars): n for stars, n in product.histogram.items()},
        },
        "reviews": items,
        "schema_org": schema_org(product, brand, product_url, items),
    }


def _review(review: Review, product: Product, brand: Brand) -> dict[str, Any]:
    body, truncated = plain_text(review.body_html)
    answer = review.latest_answer
    return {
        "id": review.id,
        "stars": review.stars,
        "title": review.title,
        "body": body,
        "truncated": truncated,
        "author": _name(review.author),
        "verified_purchase": review.is_verified_purchase,
        "helpful": review.helpful_count,
        "created_at": _iso(review.published_at or review.created_at),
        "url": absolute_url(
            "reviews.review",
            brand=brand.slug,
            product=product.slug,
            review_id=review.id,
        ),
        # "Updated from 2 to 4 stars": the last change of rating, and whether it came
        # after the brand answered (closing the loop).
        "rating_updated_from": review.previous_stars,
        "rating_updated_after_answer": bool(
            review.previous_stars and review.stars_changed_after_answer
        ),
        "answer": _answer(answer, brand) if answer is not None and answer.is_official else None,
    }


def _answer(reply: ReviewReply, brand: Brand) -> dict[str, Any]:
    body, truncated = plain_text(reply.body_html)
    author = reply.author
    return {
        "brand": brand.name,
        # A departed staff member's answer is still the brand's.
        "author": author.name if _is_present(author) else brand.name,
        "body": body,
        "truncated": truncated,
        "created_at": _iso(reply.created_at),
    }


def schema_org(
    product: Product,
    brand: Brand,
    product_url: str,
    items: list[dict[str, Any]],
    *,
    most: int = SCHEMA_REVIEWS,
) -> dict[str, Any] | None:
    """schema.org Product + AggregateRating (+ up to `most` Reviews, given as the widget's
    review items) for the host page or the product page, or None before the first
    published review (Google wants no rating markup without ratings).

    Only ever a Product: a brand's ratings of itself (Organization, LocalBusiness) earn no
    stars and are against Google's review-snippet rules, so fanhub never emits them.
    """
    if not product.rating_count:
        return None
    block: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "sku": product.sku,
        "url": product_url,
        "brand": {"@type": "Brand", "name": brand.name},
        "aggregateRating": {
            "@type": "AggregateRating",
            "ratingValue": product.average,
            "ratingCount": product.rating_count,
            "reviewCount": product.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        },
    }
    if product.image_url:
        block["image"] = product.image_url
    if items:
        block["review"] = [
            {
                "@type": "Review",
                "name": item["title"] or None,
                "reviewBody": item["body"],
                "datePublished": item["created_at"][:10],
                "author": {"@type": "Person", "name": item["author"]},
                "reviewRating": {
                    "@type": "Rating",
                    "ratingValue": item["stars"],
                    "bestRating": 5,
                    "worstRating": 1,
                },
            }
            for item in items[:most]
        ]
        for review in block["review"]:
            if review["name"] is None:
                del review["name"]
    return block


def _name(user: User | None) -> str:
    return user.name if _is_present(user) else FORMER_MEMBER


def _is_present(user: User | None) -> TypeGuard[User]:
    return user is not None and user.status is not UserStatus.DELETED


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
