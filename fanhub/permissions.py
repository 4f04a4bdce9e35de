"""Who may do what: the one place that answers it, from site admin and per-brand roles."""

from __future__ import annotations

import enum
from typing import Any, Final

from sqlalchemy import select

from fanhub.accounts.models import UserStatus
from fanhub.brands.models import BrandRole, Role
from fanhub.errors import Forbidden
from fanhub.extensions import db


class Action(enum.StrEnum):
    """Everything a role can be allowed to do, named resource first, then verb."""

    BRAND_CREATE = "brand:create"
    BRAND_EDIT = "brand:edit"
    BRAND_ROLE_ASSIGN = "brand:role-assign"
    BRAND_STAFF_ANSWER = "brand:staff-answer"
    BRAND_MODERATE = "brand:moderate"
    ACCOUNT_EDIT_ANY = "account:edit-any"


# Site admins may do everything; anyone else needs one of these roles in the brand.
ALLOWED_ROLES: Final[dict[Action, frozenset[Role]]] = {
    Action.BRAND_CREATE: frozenset(),
    Action.BRAND_EDIT: frozenset({Role.OWNER, Role.STAFF}),
    Action.BRAND_ROLE_ASSIGN: frozenset({Role.OWNER}),
    Action.BRAND_STAFF_ANSWER: frozenset({Role.OWNER, Role.STAFF}),
    Action.BRAND_MODERATE: frozenset({Role.OWNER, Role.MODERATOR}),
    Action.ACCOUNT_EDIT_ANY: frozenset(),
}

DENIED_MESSAGES: Final[dict[Action, str]] = {
    Action.BRAND_CREATE: "Only site admins can create brands.",
    Action.BRAND_ROLE_ASSIGN: "Only the brand's owners can appoint staff and moderators.",
    Action.BRAND_MODERATE: "Only the brand's moderators can do that.",
}

_CACHE_ATTRIBUTE = "_fanhub_brand_roles"


class SystemActor:
    """The operator at the command line: may do everything, belongs to no brand."""

    id = None
    username = "system"
    is_admin = True
    is_authenticated = True
    status = UserStatus.ACTIVE


SYSTEM: Final = SystemActor()


def roles_in(user: Any, brand_id: int) -> frozenset[Role]:
    """The roles `user` holds in one brand, loaded once per user object (one request)."""
    if not getattr(user, "is_authenticated", False) or user.id is None:
        return frozenset()
    cached: dict[int, frozenset[Role]] | None = user.__dict__.get(_CACHE_ATTRIBUTE)
    if cached is None:
        rows = db.session.execute(
            select(BrandRole.brand_id, BrandRole.role).where(BrandRole.user_id == user.id)
        ).all()
        grouped: dict[int, set[Role]] = {}
        for row_brand, role in rows:
            grouped.setdefault(row_brand, set()).add(role)
        cached = {key: frozenset(value) for key, value in grouped.items()}
        user.__dict__[_CACHE_ATTRIBUTE] = cached
    return cached.get(brand_id, frozenset())


def forget_roles(user: Any) -> None:
    """Drop the cached roles after they change, so the next check reads them again."""
    if hasattr(user, "__dict__"):
        user.__dict__.pop(_CACHE_ATTRIBUTE, None)


def can(user: Any, action: Action, brand_id: int | None = None) -> bool:
    """May `user` (a User, the anonymous user or SYSTEM) do `action` in `brand_id`?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.status is not UserStatus.ACTIVE:
        return False
    if user.is_admin:
        return True
    if brand_id is None:
        return False
    return bool(roles_in(user, brand_id) & ALLOWED_ROLES[action])


def require(user: Any, action: Action, brand_id: int | None = None) -> None:
    """Raise Forbidden unless `can(user, action, brand_id)`.

    :raises Forbidden: with a message saying who may do it.
    """
    if not can(user, action, brand_id):
        raise Forbidden(DENIED_MESSAGES.get(action, "You don't have permission to do that."))
