"""A brand's products: listing, adding and changing them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from fanhub import events
from fanhub.brands.models import Brand
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.inputs import has_control_characters
from fanhub.permissions import Action, Actor, require
from fanhub.reviews.models import (
    IMAGE_URL_MAX,
    PRODUCT_DESCRIPTION_MAX,
    PRODUCT_NAME_MAX,
    PRODUCT_SLUG_PATTERN,
    SKU_PATTERN,
    Product,
    Review,
    ReviewStatus,
)
from fanhub.reviews.services.access import _brand_of
from fanhub.reviews.visibility import PUBLISHED_REVIEW

# One line of plain text: no tabs, newlines or other control characters.


@dataclass(frozen=True)
class ProductDraft:
    slug: str
    sku: str
    name: str
    description: str = ""
    image_url: str = ""


def list_products(brand_id: int) -> list[Product]:
    """A brand's products by name."""
    return list(
        db.session.scalars(
            select(Product).where(Product.brand_id == brand_id).order_by(Product.name, Product.id)
        )
    )


@dataclass
class ProductRow:
    product: Product
    # Reviews waiting for a moderator, and published ones the brand has not answered.
    pending_count: int
    unanswered_count: int


def product_list(actor: Actor, brand: Brand, *, now: datetime) -> list[ProductRow]:
    """The brand's products for its staff, with what waits on each.

    :raises Forbidden: the actor is not the brand's staff.
    """
    require(actor, Action.PRODUCT_MANAGE, brand.id, now=now)
    products = list_products(brand.id)
    waiting: dict[tuple[int, str], int] = {}
    # Two numbers no counter holds, for one brand's products: one grouped query.
    for product_id, kind, count in db.session.execute(
        select(Review.product_id, Review.status, func.count())
        .where(
            Review.brand_id == brand.id,
            or_(
                Review.status == ReviewStatus.PENDING,
                and_(PUBLISHED_REVIEW, Review.answered_at.is_(None)),
            ),
        )
        .group_by(Review.product_id, Review.status)
    ):
        waiting[(product_id, ReviewStatus(kind).value)] = count
    return [
        ProductRow(
            product,
            waiting.get((product.id, ReviewStatus.PENDING.value), 0),
            waiting.get((product.id, ReviewStatus.PUBLISHED.value), 0),
        )
        for product in products
    ]


def create_product(actor: Actor, brand: Brand, draft: ProductDraft, *, now: datetime) -> Product:
    """Add a product to the brand.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Invalid: a field breaks its rule.
    :raises Conflict: the brand already has a product at that address or with that SKU.
    """
    require(actor, Action.PRODUCT_MANAGE, brand.id, now=now)
    clean = _clean_product(draft)
    _check_product_names_free(brand, clean)
    product = Product(
        brand_id=brand.id,
        slug=clean.slug,
        sku=clean.sku,
        name=clean.name,
        description=clean.description,
        image_url=clean.image_url,
        rating_count=0,
        rating_sum=0,
        stars_1=0,
        stars_2=0,
        stars_3=0,
        stars_4=0,
        stars_5=0,
        created_at=now,
        updated_at=now,
    )
    with transaction():
        db.session.add(product)
        try:
            db.session.flush()  # the unique keys answer a race the check above lost
        except IntegrityError:
            raise Conflict(_TAKEN_JUST_NOW, field="slug") from None
        _product_changed(brand, product)
    set_committed_value(product, "brand", brand)
    return product


def update_product(
    actor: Actor, product: Product, draft: ProductDraft, *, now: datetime
) -> Product:
    """Change a product's address, SKU, name, description or image.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Invalid: a field breaks its rule.
    :raises Conflict: another product of the brand has that address or SKU.
    """
    require(actor, Action.PRODUCT_MANAGE, product.brand_id, now=now)
    clean = _clean_product(draft)
    brand = _brand_of(product)
    _check_product_names_free(brand, clean, product.id)
    old_slug, old_sku = product.slug, product.sku
    with transaction():
        product.slug = clean.slug
        product.sku = clean.sku
        product.name = clean.name
        product.description = clean.description
        product.image_url = clean.image_url
        product.updated_at = now
        try:
            db.session.flush()  # the unique keys answer a race the check above lost
        except IntegrityError:
            raise Conflict(_TAKEN_JUST_NOW, field="slug") from None
        # The widget may hold the product under its old names as well as its new ones.
        _product_changed(
            brand,
            product,
            old_slug=old_slug if old_slug != product.slug else None,
            old_sku=old_sku if old_sku != product.sku else None,
        )
    return product


_TAKEN_JUST_NOW = "Another product just took that address or SKU. Please choose another."


def _product_changed(
    brand: Brand, product: Product, *, old_slug: str | None = None, old_sku: str | None = None
) -> None:
    """Say, inside the writing transaction, that what the widget shows of the product
    changed; its cached summary is forgotten after the commit (fanhub.reviews.subscribers)."""
    events.emit(
        events.ProductChanged(
            brand.id, brand.slug, product.slug, product.sku, old_slug=old_slug, old_sku=old_sku
        )
    )


def _clean_product(draft: ProductDraft) -> ProductDraft:
    problems: dict[str, str] = {}
    slug = draft.slug.strip().lower()
    if not re.fullmatch(PRODUCT_SLUG_PATTERN, slug):
        problems["slug"] = (
            "A product's address uses 1–80 lower-case letters, digits and inner dashes."
        )
    sku = draft.sku.strip()
    if not re.fullmatch(SKU_PATTERN, sku):
        problems["sku"] = (
            "A SKU is 1–64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    name = " ".join(draft.name.split())
    if has_control_characters(draft.name.strip(), kind="line"):
        problems["name"] = "A product name is one line of plain text."
    elif not name or len(name) > PRODUCT_NAME_MAX:
        problems["name"] = f"Name the product in 1–{PRODUCT_NAME_MAX} characters."
    description = draft.description.replace("\r\n", "\n").strip()
    if len(description) > PRODUCT_DESCRIPTION_MAX:
        problems["description"] = f"Keep the description to {PRODUCT_DESCRIPTION_MAX:,} characters."
    image_url = draft.image_url.strip()
    if image_url and not _is_https_url(image_url):
        problems["image_url"] = (
            "The image address must start with https:// (shops show it on secure pages)."
        )
    elif len(image_url) > IMAGE_URL_MAX:
        problems["image_url"] = f"Keep the image address to {IMAGE_URL_MAX} characters."
    _raise_first(problems)
    return ProductDraft(slug, sku, name, description, image_url)


def _is_https_url(value: str) -> bool:
    if any(c.isspace() or ord(c) < 0x20 for c in value) or "\\" in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username


def _check_product_names_free(brand: Brand, clean: ProductDraft, product_id: int = 0) -> None:
    problems: dict[str, str] = {}
    for slug, sku in db.session.execute(
        select(Product.slug, Product.sku).where(
            Product.brand_id == brand.id,
            Product.id != product_id,
            or_(Product.slug == clean.slug, Product.sku == clean.sku),
        )
    ):
        if slug == clean.slug:
            problems["slug"] = f"{brand.name} already has a product at /p/{clean.slug}."
        if sku == clean.sku:
            problems["sku"] = f"{brand.name} already has a product with SKU {clean.sku}."
    _raise_first(problems, Conflict)


def _raise_first(problems: dict[str, str], error: type[Invalid | Conflict] = Invalid) -> None:
    """Raise one error naming every field that broke its rule, the first as the main one."""
    if problems:
        first, *rest = problems.items()
        raise error(first[1], field=first[0], also=dict(rest))
