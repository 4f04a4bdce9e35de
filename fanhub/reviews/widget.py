"""A product's public rating summary, as the embeddable widget and search engines see it,
and the cache that serves it without touching the database."""

from __future__ import annotations

from sqlalchemy import select

from fanhub.extensions import cache, db
from fanhub.reviews.models import Product

# Entries also expire on their own, which bounds how long a summary built from data read
# just before a concurrent change can outlive that change.
SUMMARY_SECONDS = 300


def summary_key(brand_slug: str, reference: str, by_sku: bool = False) -> str:
    """The cache key of one product's summary, looked up by slug or by SKU."""
    kind = "sku" if by_sku else "slug"
    return f"embed:v1:{brand_slug.lower()}:{kind}:{reference}"


def forget_summary(brand_slug: str, product_slug: str, sku: str) -> None:
    """Drop a product's cached summary under both of its names; call after commit."""
    cache.delete_many(
        summary_key(brand_slug, product_slug), summary_key(brand_slug, sku, by_sku=True)
    )


def forget_brand(brand_id: int, brand_slug: str) -> None:
    """Drop every cached summary of a brand (its name, colour or allowed origins changed)."""
    keys: list[str] = []
    for slug, sku in db.session.execute(
        select(Product.slug, Product.sku).where(Product.brand_id == brand_id)
    ):
        keys += [summary_key(brand_slug, slug), summary_key(brand_slug, sku, by_sku=True)]
    if keys:
        cache.delete_many(*keys)
