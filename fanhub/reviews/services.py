"""Review rules: products, writing and editing reviews, exact rating aggregates, helpful
votes, the conversation under a review, moderation of reviews, and the product page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fanhub.brands.models import Brand
from fanhub.errors import NotFound
from fanhub.extensions import db
from fanhub.permissions import Action, require
from fanhub.reviews.models import Product, Review


def access_product(brand_slug: str, product_slug: str) -> Product:
    """The product at `/b/<brand>/p/<product>`, with its brand.

    :raises NotFound: no such brand or product.
    """
    product = db.session.scalars(
        select(Product)
        .join(Brand, Brand.id == Product.brand_id)
        .options(joinedload(Product.brand))
        .where(Brand.slug == brand_slug.lower(), Product.slug == product_slug.lower())
    ).first()
    if product is None:
        raise NotFound("There is no such product.")
    return product


def access_product_as(actor: Any, brand_slug: str, product_slug: str, action: Action) -> Product:
    """The product at `/b/<brand>/p/<product>`, for an actor who may do `action` there.

    :raises NotFound: no such brand or product.
    :raises Forbidden: the actor may not do it.
    """
    product = access_product(brand_slug, product_slug)
    require(actor, action, product.brand_id)
    return product


def access_review(review_id: int) -> Review:
    """A review with its product, brand and author (whatever its status: callers decide
    who may see a review that is not published).

    :raises NotFound: no such review.
    """
    review = db.session.scalars(
        select(Review)
        .options(
            joinedload(Review.product).joinedload(Product.brand),
            joinedload(Review.author),
        )
        .where(Review.id == review_id)
    ).first()
    if review is None:
        raise NotFound("There is no such review.")
    return review
