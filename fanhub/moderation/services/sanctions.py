"""Suspending and banning members, and lifting either: site-wide, by the clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from fanhub import events
from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import BrandRole
from fanhub.content import Item, ItemKind
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.links import site_path
from fanhub.moderation.models import Decision
from fanhub.moderation.services.items import DecisionDraft, check_draft
from fanhub.moderation.services.record import log, tell, with_rule
from fanhub.permissions import Action, Actor, require


def sanction_author(moderator: Actor, target: Item, draft: DecisionDraft, now: datetime) -> str:
    """Suspend, ban or lift the item's author (no commit).

    :raises Conflict: her account is gone.
    """
    if target.author_id is None:
        raise Conflict("Its author's account is gone: there is no one to suspend.")
    member = db.session.get(User, target.author_id)
    if member is None:
        raise Conflict("Its author's account is gone: there is no one to suspend.")
    return sanction_member(
        moderator, member, draft, brand_id=target.brand_id, now=now, commit=False, item=target
    )


def sanction_member(
    moderator: Actor,
    member: User,
    draft: DecisionDraft,
    *,
    brand_id: int | None = None,
    now: datetime,
    commit: bool = True,
    item: Item | None = None,
) -> str:
    """Suspend (for days), ban (for days, or for good) or lift either, site-wide.

    Who may: site admins, anyone but another admin or themselves; a brand's moderators,
    the authors of items in their brand's queue (`brand_id`), unless the author holds a
    role in that brand. The member is told what, until when and why; it ends by the
    clock alone.

    :raises Forbidden: the moderator may not sanction this member.
    :raises Invalid: no sanction, bad days, or no rule.
    :raises Conflict: nothing to lift.
    """
    if commit:
        check_draft(draft)
    sanction = draft.sanction
    if sanction is None:
        raise Invalid("Choose suspend, ban or lift.", field="sanction")
    require(moderator, Action.MEMBER_SANCTION, brand_id, now=now)
    if member.id == getattr(moderator, "id", None):
        raise Forbidden("You can't suspend or ban yourself.")
    if member.is_admin or member.status is UserStatus.DELETED:
        raise Forbidden("Site admins and deleted accounts can't be suspended or banned.")
    if not getattr(moderator, "is_admin", False) and brand_id is not None:
        has_role = db.session.scalar(
            select(BrandRole.id).where(
                BrandRole.user_id == member.id, BrandRole.brand_id == brand_id
            )
        )
        if has_role is not None:
            raise Forbidden("The brand's own team is suspended by a site admin, not a moderator.")

    def work() -> str:
        before = _member_state(member)
        reason = " ".join(draft.reason.split()) or (draft.rule.label if draft.rule else "")
        if sanction is Decision.SUSPEND:
            member.suspended_until = now + timedelta(days=draft.days or 1)
            member.sanction_reason = reason
            until = member.suspended_until
            message = with_rule(
                f"Your account is suspended until {until.day} {until:%b %Y}: "
                "you can read but not take part",
                draft,
            )
            done = f"Suspended {member.username} until {until.day} {until:%b %Y}."
        elif sanction is Decision.BAN:
            member.banned_at = now
            member.banned_until = now + timedelta(days=draft.days) if draft.days else None
            member.sanction_reason = reason
            ends = member.banned_until
            when = f" until {ends.day} {ends:%b %Y}" if ends else ""
            message = with_rule(f"Your account is banned{when}", draft)
            done = f"Banned {member.username}{when or ' for good'}."
        else:
            if member.suspended_until is None and member.banned_at is None:
                raise Conflict(f"{member.username} is neither suspended nor banned.")
            member.suspended_until = None
            member.banned_at = None
            member.banned_until = None
            member.sanction_reason = ""
            message = "A moderator lifted your suspension or ban: welcome back."
            done = f"Lifted the suspension or ban of {member.username}."
        subject = Item(ItemKind.MEMBER, member.id, brand_id or 0, member.id, "", "",
                       member.username, site_path("accounts.profile", username=member.username),
                       member)  # fmt: skip
        after = _member_state(member)
        if item is not None:
            before["item"] = after["item"] = f"{item.kind.value}:{item.id}"
        action = log(moderator, sanction, subject, draft.rule, draft.reason, before, after, now,
                     brand_id)  # fmt: skip
        tell(member.id, action, subject, message, now=now)
        events.emit(
            events.MemberSanctioned(
                brand_id=brand_id or 0, member_id=member.id, decision=sanction.value
            )
        )
        return done

    if not commit:
        return work()
    with transaction():
        return work()


def _member_state(member: User) -> dict[str, Any]:
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "suspended_until": moment(member.suspended_until),
        "banned": member.banned_at is not None,
        "banned_until": moment(member.banned_until),
        "reason": member.sanction_reason,
    }
