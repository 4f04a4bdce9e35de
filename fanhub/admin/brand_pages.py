"""What the console's brand pages show: every brand with its owners, and one brand with its
team and its history on the log. The changes themselves are the brands domain's services
(`fanhub.brands.services`, `fanhub.brands.services.lifecycle`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.accounts.services import normalise_username
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.brands.services import StaffMember, access_brand, brand_team
from fanhub.content import ItemKind
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.moderation.models import ModerationAction
from fanhub.permissions import Action, Actor, require

# The brand's own lines of the log shown on its page (creation, edits, closing, owners).
HISTORY_SHOWN = 20


@dataclass
class BrandRow:
    brand: Brand
    owners: list[str] = field(default_factory=list)


def brand_rows(viewer: Actor, *, now: datetime) -> list[BrandRow]:
    """Every brand, open or closed, by name, with its owners: two queries however many.

    :raises Forbidden: the viewer is not a site admin.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    rows = {
        brand.id: BrandRow(brand)
        for brand in db.session.scalars(select(Brand).order_by(Brand.name, Brand.id))
    }
    if rows:
        for brand_id, username in db.session.execute(
            select(BrandRole.brand_id, User.username)
            .join(User, User.id == BrandRole.user_id)
            .where(BrandRole.role == Role.OWNER, BrandRole.brand_id.in_(rows))
            .order_by(BrandRole.id)
        ):
            rows[brand_id].owners.append(username)
    return list(rows.values())


@dataclass
class BrandAdminPage:
    brand: Brand
    team: list[StaffMember]
    history: list[ModerationAction]


def brand_admin_page(viewer: Actor, slug: str, *, now: datetime) -> BrandAdminPage:
    """One brand as the console shows it: its team and its own lines of the log.

    :raises Forbidden: the viewer is not a site admin.
    :raises NotFound: no such brand.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    brand = access_brand(slug)
    history = list(
        db.session.scalars(
            select(ModerationAction)
            .options(joinedload(ModerationAction.moderator), joinedload(ModerationAction.subject))
            .where(
                ModerationAction.item_kind == ItemKind.BRAND,
                ModerationAction.item_id == brand.id,
            )
            .order_by(ModerationAction.id.desc())
            .limit(HISTORY_SHOWN)
        )
    )
    return BrandAdminPage(brand, brand_team(brand), history)


def member_named(username: str) -> User:
    """The member a console form names by username, for a form field's error.

    :raises Invalid: no such member (or the account is deleted), on the `username` field.
    """
    name = normalise_username(username)
    member = db.session.scalars(select(User).where(User.username == name)).first()
    if member is None or member.status is UserStatus.DELETED:
        raise Invalid(f"There is no member called “{name}”.", field="username")
    return member
