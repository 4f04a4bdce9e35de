"""Fixtures for reviews: Northwind's products, and reviews written through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.permissions import SYSTEM
from fanhub.reviews import services
from fanhub.reviews.models import Product, Review, ReviewStatus
from tests.factories import load

LONG_ENOUGH = "It does what it says and it does it well."


@dataclass
class Catalog:
    kettle: Product
    toaster: Product


def make_product(
    app: Flask, brand: Any, slug: str, name: str | None = None, **extra: Any
) -> Product:
    """A product of the brand, added through the service."""
    with app.app_context():
        draft = services.ProductDraft(
            slug, extra.pop("sku", slug.upper()), name or slug.capitalize(), **extra
        )
        product = services.create_product(
            SYSTEM, db.session.get(Brand, brand.id), draft, now=utcnow()
        )
        db.session.refresh(product)
        return product


def write_review(
    app: Flask,
    product: Any,
    author: Any,
    stars: int | str = 4,
    *,
    title: str = "",
    body: str = LONG_ENOUGH,
    now: datetime | None = None,
) -> Review:
    """A review through the service, as the member would write it."""
    with app.app_context():
        review = services.submit_review(
            db.session.get(User, author.id),
            db.session.get(Product, product.id),
            services.ReviewDraft(stars, title, body),
            now=now or utcnow(),
        )
        db.session.refresh(review)
        return review


def answer(app: Flask, review: Any, author: Any, body: str = "Thank you for telling us.") -> Any:
    """A reply under a review (official when the author is the brand's staff)."""
    with app.app_context():
        reply = services.reply_to_review(
            db.session.get(User, author.id), services.access_review(review.id), body, now=utcnow()
        )
        db.session.refresh(reply)
        return reply


def counters(app: Flask, product: Any) -> tuple[int, int, dict[int, int]]:
    """A product's stored count, sum and histogram."""
    stored = load(app, Product, product.id)
    return stored.rating_count, stored.rating_sum, dict(stored.histogram)


def recount(app: Flask, product: Any) -> tuple[int, int, dict[int, int]]:
    """The same three numbers counted from the published reviews."""
    with app.app_context():
        rows = dict(
            db.session.execute(
                select(Review.stars, func.count())
                .where(Review.product_id == product.id, Review.status == ReviewStatus.PUBLISHED)
                .group_by(Review.stars)
            ).all()
        )
    histogram = {n: rows.get(n, 0) for n in (5, 4, 3, 2, 1)}
    return sum(histogram.values()), sum(n * c for n, c in histogram.items()), histogram


@pytest.fixture
def catalog(app, shop) -> Catalog:
    return Catalog(
        kettle=make_product(app, shop.brand, "kettle", "Northwind Kettle", sku="NW-KETTLE"),
        toaster=make_product(app, shop.brand, "toaster", "Northwind Toaster", sku="NW-TOAST"),
    )
