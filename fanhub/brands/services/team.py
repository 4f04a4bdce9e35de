"""A brand's people: appointing owners, staff and moderators, and the team as listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, forget_roles, require


@dataclass(frozen=True)
class StaffMember:
    """One person on a brand's team, as the fan page lists them."""

    username: str
    name: str
    roles: tuple[Role, ...]


def add_role(actor: Actor, brand: Brand, member: User, role: Role, *, now: datetime) -> BrandRole:
    """Appoint `member` to `role` in `brand`.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    :raises Invalid: the member's account is deleted.
    :raises Conflict: she already holds that role there.
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id, now=now)
    if member.status is UserStatus.DELETED:
        raise Invalid("Deleted accounts cannot hold a role.")
    grant = BrandRole(user_id=member.id, brand_id=brand.id, role=role, created_at=now)
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
