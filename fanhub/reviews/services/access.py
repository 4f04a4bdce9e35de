"""Finding products, brands and reviews for an actor, and who may see a review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fanhub.brands.models import Brand
from fanhub.brands.services import access_brand_as
from fanhub.db import related
from fanhub.errors import NotFound
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, require
from fanhub.reviews.models import Product, Review, ReviewReply
from fanhub.reviews.visibility import review_visible


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


def access_product_as(
    actor: Actor, brand_slug: str, product_slug: str, action: Action, *, now: datetime
) -> Product:
    """The product at `/b/<brand>/p/<product>`, for an actor who may do `action` there.

    :raises NotFound: no such brand or product.
    :raises Forbidden: the actor may not do it.
    """
    product = access_product(brand_slug, product_slug)
    require(actor, action, product.brand_id, now=now)
    return product


def access_brand_for_products(actor: Actor, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose products the actor manages.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's staff.
    """
    return access_brand_as(actor, brand_slug, Action.PRODUCT_MANAGE, now=now)


def access_product_for_management(
    actor: Actor, brand_slug: str, product_slug: str, *, now: datetime
) -> Product:
    """A product the actor may edit.

    :raises NotFound: no such brand or product.
    :raises Forbidden: the actor is not the brand's staff.
    """
    return access_product_as(actor, brand_slug, product_slug, Action.PRODUCT_MANAGE, now=now)


def access_brand_for_answering(actor: Actor, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose unanswered reviews the actor works through.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's staff.
    """
    return access_brand_as(actor, brand_slug, Action.REVIEW_ANSWER, now=now)


def access_brand_for_moderation(actor: Actor, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose pending reviews the actor decides on.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's moderator.
    """
    return access_brand_as(actor, brand_slug, Action.REVIEW_MODERATE, now=now)


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


def can_see(viewer: Actor, review: Review, *, now: datetime) -> bool:
    """Published reviews are public; any other only to its author and the moderators."""
    return review_visible(viewer, review, now=now)


def access_visible_review(
    viewer: Actor, brand_slug: str, product_slug: str, review_id: int, *, now: datetime
) -> Review:
    """The review at `/b/<brand>/p/<product>/r/<id>`, if this viewer may see it.

    :raises NotFound: no such review under that product, or it is hidden from the viewer.
    """
    review = access_review(review_id)
    product = review.product
    if (
        product.slug != product_slug.lower()
        or product.brand.slug != brand_slug.lower()
        or not can_see(viewer, review, now=now)
    ):
        raise NotFound("There is no such review.")
    return review


def own_review(author: Actor, product: Product) -> Review | None:
    """The viewer's own review of the product, whatever its status, or None."""
    if not getattr(author, "is_authenticated", False) or getattr(author, "id", None) is None:
        return None
    return db.session.scalars(
        select(Review)
        .options(
            joinedload(Review.author),
            joinedload(Review.latest_answer).joinedload(ReviewReply.author),
        )
        .where(Review.product_id == product.id, Review.author_id == author.id)
    ).first()


def _brand_of(product: Product) -> Brand:
    """The product's brand, loaded if the caller did not load it with the product."""
    return related(product, "brand", "There is no such brand.")


def _product_of(review: Review) -> Product:
    """The review's product, loaded if the caller did not load it with the review."""
    return related(review, "product", "There is no such product.")
