"""Products and reviews for the widget's tests (browser tests too), made through the review
services so every counter the widget shows is what the rules would have made it."""

from __future__ import annotations

import itertools
from typing import Any

from flask import Flask

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Product, Review
from tests import factories

_reviewers = itertools.count(1)
BODY = "Keeps coffee hot for hours and never leaks in my bag."


def add_product(
    app: Flask,
    brand: Any,
    staff: Any,
    slug: str = "travel-mug",
    sku: str = "NW-MUG-01",
    name: str = "Travel mug",
    image_url: str = "",
) -> Product:
    """A product of the brand, created by one of its staff."""
    with app.app_context():
        product = reviews.create_product(
            db.session.get(User, staff.id),
            db.session.get(Brand, brand.id),
            reviews.ProductDraft(slug, sku, name, image_url=image_url),
            now=utcnow(),
        )
        return factories.load(app, Product, product.id)


def add_review(
    app: Flask,
    product: Any,
    stars: int = 5,
    title: str = "Great mug",
    body: str = BODY,
    author: Any = None,
    display_name: str | None = None,
) -> Review:
    """A published review by a new member (or `author`)."""
    if author is None:
        n = next(_reviewers)
        author = factories.make_user(
            app, f"reviewer{n}", display_name=display_name or f"Reviewer Number {n}"
        )
    with app.app_context():
        review = reviews.submit_review(
            db.session.get(User, author.id),
            db.session.get(Product, product.id),
            reviews.ReviewDraft(stars, title, body),
            now=utcnow(),
        )
        return factories.load(app, Review, review.id)


def answer(app: Flask, review: Any, staff: Any, body: str = "Thank you for the kind words!") -> Any:
    """The brand's official answer to a review."""
    with app.app_context():
        return reviews.reply_to_review(
            db.session.get(User, staff.id), db.session.get(Review, review.id), body, now=utcnow()
        )


def vote(app: Flask, review: Any, voters: int = 1) -> None:
    """`voters` new members mark the review helpful."""
    for _ in range(voters):
        voter = factories.make_user(app)
        with app.app_context():
            reviews.vote_helpful(
                db.session.get(User, voter.id), db.session.get(Review, review.id), now=utcnow()
            )


def json_url(product: Any, brand: str = "northwind") -> str:
    return f"/embed/v1/{brand}/{product.slug}/reviews.json"
