"""A brand's forum categories: listing, creating, renaming, ordering."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

from fanhub.brands.models import Brand
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.forums.models import (
    CATEGORY_DESCRIPTION_MAX,
    CATEGORY_NAME_MAX,
    Category,
)
from fanhub.forums.services.drafts import CategoryDraft
from fanhub.permissions import Action, Actor, require

CATEGORY_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")


def list_categories(brand_id: int) -> list[Category]:
    """A brand's categories in the order its owners chose."""
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.brand_id == brand_id)
            .order_by(Category.position, Category.id)
        )
    )


def create_category(actor: Actor, brand: Brand, draft: CategoryDraft, *, now: datetime) -> Category:
    """Add a category at the end of the brand's list.

    :raises Forbidden: the actor is not an owner of the brand.
    :raises Invalid: a field breaks its rule.
    :raises Conflict: the brand already has a category at that address.
    """
    require(actor, Action.CATEGORY_MANAGE, brand.id, now=now)
    slug, name, description = _clean_category(draft)
    last = db.session.scalar(
        select(func.max(Category.position)).where(Category.brand_id == brand.id)
    )
    category = Category(
        brand_id=brand.id,
        slug=slug,
        name=name,
        description=description,
        kind=draft.kind,
        created_at=now,
        position=(last or 0) + 1,
        topic_count=0,
        post_count=0,
    )
    taken = f"{brand.name} already has a category at /c/{slug}."
    with transaction():
        db.session.add(category)
        try:
            db.session.flush()  # meet the (brand, slug) unique constraint now, with a message
        except IntegrityError:
            raise Conflict(taken, field="slug") from None
    return category


def update_category(
    actor: Actor, category: Category, draft: CategoryDraft, *, now: datetime
) -> Category:
    """Rename a category or change its description or kind (its address stays).

    :raises Forbidden: the actor is not an owner of the brand.
    :raises Invalid: a field breaks its rule.
    """
    require(actor, Action.CATEGORY_MANAGE, category.brand_id, now=now)
    _, name, description = _clean_category(draft, slug_required=False)
    with transaction():
        category.name = name
        category.description = description
        category.kind = draft.kind
    return category


def move_category(actor: Actor, category: Category, offset: int, *, now: datetime) -> None:
    """Move a category up (-1) or down (+1) in the brand's list.

    :raises Forbidden: the actor is not an owner of the brand.
    """
    require(actor, Action.CATEGORY_MANAGE, category.brand_id, now=now)
    ordered = list_categories(category.brand_id)
    index = next(i for i, c in enumerate(ordered) if c.id == category.id)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered.insert(target, ordered.pop(index))
    with transaction():
        for position, item in enumerate(ordered, start=1):
            item.position = position


def _clean_category(draft: CategoryDraft, slug_required: bool = True) -> tuple[str, str, str]:
    slug = draft.slug.strip().lower()
    if slug_required and not CATEGORY_SLUG.fullmatch(slug):
        raise Invalid(
            "A category's address uses 1–50 lower-case letters, digits and inner dashes.",
            field="slug",
        )
    name = " ".join(draft.name.split())
    if not name or len(name) > CATEGORY_NAME_MAX:
        raise Invalid(f"Name the category in 1–{CATEGORY_NAME_MAX} characters.", field="name")
    description = " ".join(draft.description.split())
    if len(description) > CATEGORY_DESCRIPTION_MAX:
        raise Invalid(f"Use at most {CATEGORY_DESCRIPTION_MAX} characters.", field="description")
    return slug, name, description
