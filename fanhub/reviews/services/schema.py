"""schema.org markup for the product page."""

from __future__ import annotations

from typing import Any

from fanhub.brands.models import Brand
from fanhub.reviews import widget
from fanhub.reviews.models import (
    REVIEW_BODY_MAX,
    Product,
    Review,
)
from fanhub.reviews.visibility import is_published


def product_schema(
    product: Product, brand: Brand, reviews: list[Review], *, url: str | None = None
) -> dict[str, Any] | None:
    """schema.org Product + AggregateRating (+ Review) built from published reviews only,
    by the same builder as the widget's block, so a shop and fanhub say the same thing.

    None before the first published review. Never Organization or LocalBusiness
    ratings: search engines ignore a business's ratings of itself, and so do we.
    """
    published = [r for r in reviews if is_published(r)]
    items = [
        {
            "title": r.title,
            "body": widget.plain_text(r.body_html, limit=REVIEW_BODY_MAX)[0],
            "created_at": (r.published_at or r.created_at).isoformat(),
            "author": _author_name(r),
            "stars": r.stars,
        }
        for r in published
    ]
    block = widget.schema_org(product, brand, url or "", items, most=len(items))
    if block is not None:
        if not url:
            del block["url"]
        if product.description:
            block["description"] = product.description
    return block


def _author_name(review: Review) -> str:
    author = review.author
    if author is None or author.status.value == "deleted":
        return "A former member"
    return author.name
