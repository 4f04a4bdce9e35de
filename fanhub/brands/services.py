"""Brand rules: creating brands, appointing owners, staff and moderators, reading them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import NAME_MAX, SLUG_PATTERN, TAGLINE_MAX, Brand, BrandRole, Role
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forums.models import Category, Topic
from fanhub.permissions import Action, forget_roles, require


@dataclass(frozen=True)
class BrandDraft:
    slug: str
    name: str
    tagline: str = ""


@dataclass(frozen=True)
class StaffMember:
    """One person on a brand's team, as the fan page lists them."""

    username: str
    name: str
    roles: tuple[Role, ...]


def create_brand(actor: Any, draft: BrandDraft) -> Brand:
    """Create a brand with its fan page.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: the slug or name breaks its rule.
    :raises Conflict: the slug is taken.
    """
    require(actor, Action.BRAND_CREATE)
    slug = draft.slug.strip().lower()
    name = " ".join(draft.name.split())
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise Invalid(
            "A brand's address uses 1–50 lower-case letters, digits and inner dashes.",
            field="slug",
        )
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"A brand needs a name of at most {NAME_MAX} characters.", field="name")
    if len(draft.tagline) > TAGLINE_MAX:
        raise Invalid(f"Use at most {TAGLINE_MAX} characters.", field="tagline")
    brand = Brand(slug=slug, name=name, tagline=draft.tagline.strip(), description="")
    with transaction():
        db.session.add(brand)
        try:
            db.session.flush()  # meet the unique slug now, to answer with a message
        except IntegrityError:
            raise Conflict(f"There is already a brand at /b/{slug}.", field="slug") from None
    return brand


def access_brand(slug: str) -> Brand:
    """The brand at `/b/<slug>`.

    :raises NotFound: there is no such brand.
    """
    brand = db.session.scalars(select(Brand).where(Brand.slug == slug.lower())).first()
    if brand is None:
        raise NotFound("There is no brand at that address.")
    return brand


def list_brands() -> list[Brand]:
    """Every brand, by name, for the directory."""
    return list(db.session.scalars(select(Brand).order_by(Brand.name)))


def add_role(actor: Any, brand: Brand, member: User, role: Role) -> BrandRole:
    """Appoint `member` to `role` in `brand`.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    :raises Invalid: the member's account is deleted.
    :raises Conflict: she already holds that role there.
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id)
    if member.status is UserStatus.DELETED:
        raise Invalid("Deleted accounts cannot hold a role.")
    grant = BrandRole(user_id=member.id, brand_id=brand.id, role=role)
    # Written before the flush: after a failed flush the session cannot load attributes.
    duplicate = f"{member.username} is already {role.value} of {brand.name}."
    with transaction():
        db.session.add(grant)
        try:
            db.session.flush()  # meet (user, brand, role) uniqueness now, with a message
        except IntegrityError:
            raise Conflict(duplicate) from None
    forget_roles(member)
    return grant


def brand_team(brand: Brand) -> list[StaffMember]:
    """The brand's owners, staff and moderators, each once with all their roles."""
    grants = db.session.scalars(
        select(BrandRole)
        .options(joinedload(BrandRole.user))
        .where(BrandRole.brand_id == brand.id)
        .order_by(BrandRole.id)
    ).all()
    team: dict[int, StaffMember] = {}
    for grant in grants:
        if grant.user.status is UserStatus.DELETED:
            continue
        current = team.get(grant.user_id)
        roles = (*current.roles, grant.role) if current else (grant.role,)
        team[grant.user_id] = StaffMember(grant.user.username, grant.user.name, roles)
    return list(team.values())
