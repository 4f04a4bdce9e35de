"""A brand's life on the site, in a site admin's hands (issue 13): its name and page, closing
and reopening it, handing it to a new owner. Each change goes on the moderation log.

A closed brand stays readable at its address but is off the directory, and nobody but site
admins may post, reply, review or follow there: every service where members write asks
`require_open` (or `closed_refusal`, for a page deciding whether to show its form).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from fanhub import events
from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.brands.services.directory import clean_brand_name
from fanhub.brands.services.settings import BrandPageDraft, apply_brand_page, clean_brand_page
from fanhub.content import ItemKind
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import REASON_MAX, Decision
from fanhub.permissions import Action, Actor, forget_roles, is_restricted, require

# How much of a description the log keeps of each version: enough to tell them apart.
LOGGED_DESCRIPTION = 60


def closed_refusal(actor: Actor, brand_id: int) -> str | None:
    """Why `actor` may not take part in the brand because it is closed, or None.

    Site admins (and the command line) still may: they close brands and tidy them up.
    Costs no query when the brand is already loaded in this session, as pages load it.
    """
    if getattr(actor, "is_admin", False):
        return None
    brand = db.session.get(Brand, brand_id)
    if brand is None or brand.closed_at is None:
        return None
    return (
        f"{brand.name} is closed: you can read what is here, but nobody can post, "
        "review or follow it any more."
    )


def require_open(actor: Actor, brand_id: int) -> None:
    """Refuse a member's writing in a closed brand: the one check every writer asks.

    :raises Forbidden: the brand is closed and the actor is not a site admin.
    """
    refusal = closed_refusal(actor, brand_id)
    if refusal is not None:
        raise Forbidden(refusal)


def _reason(raw: str) -> str:
    reason = " ".join(raw.split())
    if len(reason) > REASON_MAX:
        raise Invalid(f"Keep the reason to {REASON_MAX} characters.", field="reason")
    return reason


def _page_state(brand: Brand) -> dict[str, Any]:
    description = brand.description
    if len(description) > LOGGED_DESCRIPTION:
        description = description[: LOGGED_DESCRIPTION - 1] + "…"
    return {
        "name": brand.name,
        "tagline": brand.tagline,
        "description": description,
        "accent_color": brand.accent_color,
    }


def edit_brand(
    actor: Actor, brand: Brand, name: str, draft: BrandPageDraft, *, now: datetime
) -> bool:
    """Change a brand's name and its fan page's words and colour, as a site admin; False
    when nothing changed (and nothing is logged).

    Pre-moderation and the widget's sites are the brand's own settings: `draft` carries
    them through as they are.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: a field breaks its rule (the error names it).
    """
    require(actor, Action.SITE_ADMIN, now=now)
    clean_name = clean_brand_name(name)
    page = clean_brand_page(draft)
    before = _page_state(brand)
    with transaction():
        apply_brand_page(brand, page)
        brand.name = clean_name
        after = _page_state(brand)
        if after == before:
            return False
        record_action(
            actor,
            Decision.EDIT,
            item_kind=ItemKind.BRAND,
            item_id=brand.id,
            brand_id=brand.id,
            subject_id=None,
            before=before,
            after=after,
            now=now,
        )
    return True


def close_brand(actor: Actor, brand: Brand, reason: str = "", *, now: datetime) -> None:
    """Close a brand: off the directory, its fan page says so, and nobody but site admins
    may post, reply, review or follow there. Everything stays, to read and to reopen.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: the reason is too long.
    :raises Conflict: it is already closed.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    why = _reason(reason)
    if brand.closed_at is not None:
        raise Conflict(f"{brand.name} is already closed.")
    _set_closed(actor, brand, now, why, now=now)


def reopen_brand(actor: Actor, brand: Brand, reason: str = "", *, now: datetime) -> None:
    """Open a closed brand again, as it was.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: the reason is too long.
    :raises Conflict: it is open.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    why = _reason(reason)
    if brand.closed_at is None:
        raise Conflict(f"{brand.name} is open already.")
    _set_closed(actor, brand, None, why, now=now)


def _set_closed(
    actor: Actor, brand: Brand, closed_at: datetime | None, reason: str, *, now: datetime
) -> None:
    with transaction():
        was_closed = brand.closed_at is not None
        brand.closed_at = closed_at
        record_action(
            actor,
            Decision.CLOSE if closed_at is not None else Decision.REOPEN,
            item_kind=ItemKind.BRAND,
            item_id=brand.id,
            brand_id=brand.id,
            subject_id=None,
            before={"closed": was_closed},
            after={"closed": closed_at is not None},
            reason=reason,
            now=now,
        )
        events.emit(events.BrandChanged(brand_id=brand.id, brand_slug=brand.slug))


def transfer_ownership(
    actor: Actor, brand: Brand, new_owner: User, *, keep_as_staff: bool, now: datetime
) -> str:
    """Hand the brand to `new_owner`: she becomes its one owner, and the owners before her
    stay on as staff (`keep_as_staff`) or leave its team. Her appointment and their step
    down happen in one transaction, so the brand never stands without an owner.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: her account is deleted.
    :raises Conflict: she is suspended or banned, or already its only owner.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    if new_owner.status is UserStatus.DELETED:
        raise Invalid("Deleted accounts cannot hold a role.", field="username")
    if is_restricted(new_owner, now=now):
        raise Conflict(
            f"{new_owner.username} is suspended or banned: lift that first, or choose "
            "someone else.",
            field="username",
        )
    grants = list(
        db.session.scalars(
            select(BrandRole)
            .options(joinedload(BrandRole.user))
            .where(BrandRole.brand_id == brand.id, BrandRole.role.in_((Role.OWNER, Role.STAFF)))
            .order_by(BrandRole.id)
        )
    )
    owners = [grant for grant in grants if grant.role is Role.OWNER]
    staff = {grant.user_id for grant in grants if grant.role is Role.STAFF}
    if [grant.user_id for grant in owners] == [new_owner.id]:
        raise Conflict(f"{new_owner.username} is already the owner of {brand.name}.")
    before = {"owners": ", ".join(grant.user.username for grant in owners)}
    stepping_down = [grant for grant in owners if grant.user_id != new_owner.id]
    leaving = [grant.user for grant in stepping_down]
    handover = _handover([person.username for person in leaving], keep_as_staff)
    with transaction():
        if len(stepping_down) == len(owners):  # she is not an owner yet
            db.session.add(
                BrandRole(user_id=new_owner.id, brand_id=brand.id, role=Role.OWNER, created_at=now)
            )
            # Her ownership is in the database before theirs goes: never a moment without.
            db.session.flush()
        for grant in stepping_down:
            db.session.delete(grant)
            if keep_as_staff and grant.user_id not in staff:
                db.session.add(
                    BrandRole(
                        user_id=grant.user_id, brand_id=brand.id, role=Role.STAFF, created_at=now
                    )
                )
        record_action(
            actor,
            Decision.TRANSFER,
            item_kind=ItemKind.BRAND,
            item_id=brand.id,
            brand_id=brand.id,
            subject_id=new_owner.id,
            before=before,
            after={"owners": new_owner.username},
            reason=handover,
            now=now,
        )
    for person in (new_owner, *leaving):
        forget_roles(person)
    return f"{new_owner.username} is now the owner of {brand.name}. {handover}".strip()


def _handover(names: list[str], keep_as_staff: bool) -> str:
    """What became of the owners before her, in words ("ann stays on as staff.")."""
    if not names:
        return ""
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if keep_as_staff:
        return f"{who} {'stays' if len(names) == 1 else 'stay'} on as staff."
    return f"{who} {'is' if len(names) == 1 else 'are'} no longer an owner."
