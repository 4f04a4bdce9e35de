"""Brands themselves: creating one, finding one by its address, the directory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from fanhub.brands.models import NAME_MAX, SLUG_PATTERN, TAGLINE_MAX, Brand
from fanhub.content import ItemKind
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision
from fanhub.permissions import Action, Actor, require


@dataclass(frozen=True)
class BrandDraft:
    slug: str
    name: str
    tagline: str = ""


def create_brand(actor: Actor, draft: BrandDraft, *, now: datetime) -> Brand:
    """Create a brand with its fan page, on the moderation log (issue 13).

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: the slug or name breaks its rule.
    :raises Conflict: the slug is taken.
    """
    require(actor, Action.BRAND_CREATE, now=now)
    slug = draft.slug.strip().lower()
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise Invalid(
            "A brand's address uses 1–50 lower-case letters, digits and inner dashes.",
            field="slug",
        )
    name = clean_brand_name(draft.name)
    if len(draft.tagline) > TAGLINE_MAX:
        raise Invalid(f"Use at most {TAGLINE_MAX} characters.", field="tagline")
    brand = Brand(
        slug=slug, name=name, tagline=draft.tagline.strip(), description="", created_at=now
    )
    with transaction():
        db.session.add(brand)
        try:
            db.session.flush()  # meet the unique slug now, to answer with a message
        except IntegrityError:
            raise Conflict(f"There is already a brand at /b/{slug}.", field="slug") from None
        record_action(
            actor,
            Decision.CREATE,
            item_kind=ItemKind.BRAND,
            item_id=brand.id,
            brand_id=brand.id,
            subject_id=None,
            before={},
            after={"slug": slug, "name": name},
            now=now,
        )
    return brand


def clean_brand_name(raw: str) -> str:
    """A brand's name as stored: its words, single-spaced.

    :raises Invalid: empty, or longer than NAME_MAX.
    """
    name = " ".join(raw.split())
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"A brand needs a name of at most {NAME_MAX} characters.", field="name")
    return name


def access_brand(slug: str) -> Brand:
    """The brand at `/b/<slug>`.

    :raises NotFound: there is no such brand.
    """
    brand = db.session.scalars(select(Brand).where(Brand.slug == slug.lower())).first()
    if brand is None:
        raise NotFound("There is no brand at that address.")
    return brand


def access_brand_as(actor: Actor, slug: str, action: Action, *, now: datetime) -> Brand:
    """The brand at `/b/<slug>`, for an actor who may do `action` there at `now`.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor may not do it.
    """
    brand = access_brand(slug)
    require(actor, action, brand.id, now=now)
    return brand


def list_brands() -> list[Brand]:
    """Every open brand, by name, for the directory (a closed one is off it, issue 13)."""
    return list(
        db.session.scalars(select(Brand).where(Brand.closed_at.is_(None)).order_by(Brand.name))
    )
