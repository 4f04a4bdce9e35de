"""The brands' part of a member's data: the brands she follows and her roles in them, in
her export and as her account is deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from fanhub.brands.models import Brand, BrandRole, Follow, Role, TeamInvitation
from fanhub.extensions import db
from fanhub.personal_data import Erasure, Records, iso, records

# Roles another person must hold before she goes: a brand must keep its owner and the
# people who moderate it. A staff role simply ends with the account.
BLOCKING_ROLES = (Role.OWNER, Role.MODERATOR)


class BrandsData:
    """The brands' part of a member's data."""

    name = "brands"
    files = {"follows.json": "the brands you follow"}

    def export(self, user_id: int) -> Iterator[tuple[str, Records]]:
        yield "follows.json", follow_records(user_id)

    def profile(self, user_id: int) -> dict[str, Any]:
        roles = db.session.execute(
            select(Brand.slug, BrandRole.role, BrandRole.created_at)
            .join(Brand, Brand.id == BrandRole.brand_id)
            .where(BrandRole.user_id == user_id)
            .order_by(BrandRole.id)
        )
        return {
            "brand_roles": [
                {"brand": slug, "role": role.value, "since": iso(since)}
                for slug, role, since in roles
            ]
        }

    def plan(self, user_id: int) -> dict[str, Any]:
        roles = db.session.execute(
            select(Brand.name, BrandRole.role)
            .join(Brand, Brand.id == BrandRole.brand_id)
            .where(BrandRole.user_id == user_id)
            .order_by(Brand.name)
        ).all()
        blocking = sorted({name for name, role in roles if role in BLOCKING_ROLES})
        staff = sorted({name for name, role in roles if role is Role.STAFF} - set(blocking))
        follows = db.session.scalar(
            select(func.count()).select_from(Follow).where(Follow.user_id == user_id)
        )
        return {"blocking_brands": blocking, "staff_brands": staff, "follows": follows or 0}

    def erase(self, erasure: Erasure) -> None:
        """Her follows go, each brand's fan count moving; a staff role ends with her, and
        so do the team invitations addressed to her."""
        uid = erasure.user.id
        # In SQL, so a fan arriving at the same instant still counts: she follows a brand
        # at most once, so each brand she follows loses exactly one.
        db.session.execute(
            update(Brand)
            .where(Brand.id.in_(select(Follow.brand_id).where(Follow.user_id == uid)))
            .values(follower_count=Brand.follower_count - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(delete(Follow).where(Follow.user_id == uid))
        db.session.execute(delete(BrandRole).where(BrandRole.user_id == uid))
        # Invitations to a team that name her, or went to her address, go with her
        # address (the team's history keeps that someone was invited, not who).
        db.session.execute(
            delete(TeamInvitation).where(
                or_(
                    TeamInvitation.invitee_id == uid,
                    func.lower(TeamInvitation.email) == erasure.user.email.lower(),
                )
            )
        )


def follow_records(user_id: int) -> Iterator[dict[str, Any]]:
    """The brands she follows, as her export's records."""
    return records(
        select(
            Brand.slug.label("brand"),
            Brand.name.label("brand_name"),
            Follow.created_at.label("since"),
        )
        .join(Brand, Brand.id == Follow.brand_id)
        .where(Follow.user_id == user_id)
        .order_by(Follow.id)
    )


PART = BrandsData()
