"""Inviting people onto a brand's team: an email with a single-use, expiring signed link,
answered by the person it names (signed in, or once she has registered)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.accounts.services import normalise_email, normalise_username
from fanhub.brands.models import (
    Brand,
    BrandRole,
    InvitationStatus,
    Role,
    TeamChange,
    TeamInvitation,
)
from fanhub.brands.services.team import a_role, record_team_change
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.links import absolute_url
from fanhub.notifications.services import queue_email
from fanhub.permissions import (
    Action,
    Actor,
    forget_roles,
    is_restricted,
    require,
    signed_in,
    suspended_message,
)
from fanhub.tokens import NOT_VALID, load_token, serializer, token_id

INVITATION_SALT: Final = "fanhub.team-invitation"
# An invitation's link works this long; after that an owner sends a new one.
INVITATION_DAYS: Final = 7
WHO_MAX: Final = 254

_ENDED: Final[dict[InvitationStatus, str]] = {
    InvitationStatus.ACCEPTED: "This invitation has already been accepted.",
    InvitationStatus.DECLINED: "This invitation was declined, so it can't be used again.",
    InvitationStatus.REVOKED: "The brand's owners withdrew this invitation.",
}


@dataclass(frozen=True)
class InvitationView:
    """An invitation as its link shows it, and whether this reader may answer it."""

    invitation: TeamInvitation
    brand: Brand
    invited_by: str
    # Why she can't answer it (ended, expired, someone else's); None when she may.
    problem: str | None
    # Signed in as the member it names (or with the address it went to).
    is_hers: bool


def invite_to_team(
    actor: Actor, brand: Brand, who: str, role: Role, *, now: datetime
) -> TeamInvitation:
    """Invite a member (by username) or anyone (by email address) to join the brand's team
    in `role`: queues the invitation email and writes the team's history.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    :raises Invalid: no one named, no member by that name, or not an email address.
    :raises Conflict: she already holds the role, or an invitation of hers for it is open.
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id, now=now)
    wanted = who.strip()
    if not wanted:
        raise Invalid("Give their username or email address.", field="who")
    if len(wanted) > WHO_MAX:
        raise Invalid(f"Use at most {WHO_MAX} characters.", field="who")
    invitee: User | None
    if "@" in wanted:
        try:
            email = normalise_email(wanted)
        except Invalid:
            raise Invalid("That is not an email address we can write to.", field="who") from None
        invitee = db.session.scalar(
            select(User).where(User.email == email, User.status != UserStatus.DELETED)
        )
    else:
        invitee = db.session.scalar(
            select(User).where(
                User.username == normalise_username(wanted.removeprefix("@")),
                User.status != UserStatus.DELETED,
            )
        )
        if invitee is None:
            raise Invalid(
                f"No member is called {wanted}. Check the spelling, or invite them by "
                "email address.",
                field="who",
            )
        email = invitee.email
    shown = invitee.username if invitee is not None else email
    if invitee is not None:
        holds = db.session.scalar(
            select(BrandRole.id).where(
                BrandRole.brand_id == brand.id,
                BrandRole.user_id == invitee.id,
                BrandRole.role == role,
            )
        )
        if holds is not None:
            raise Conflict(f"{shown} is already {role.value} of {brand.name}.", field="who")
    waiting = db.session.scalar(
        select(TeamInvitation).where(
            TeamInvitation.brand_id == brand.id,
            TeamInvitation.role == role,
            func.lower(TeamInvitation.email) == email.lower(),
            TeamInvitation.status == InvitationStatus.PENDING,
            TeamInvitation.expires_at > now,
        )
    )
    if waiting is not None:
        raise Conflict(
            f"{shown} was already invited as {role.value} on {waiting.created_at:%d %b %Y}. "
            "Withdraw that invitation to send a new one.",
            field="who",
        )
    inviter = _inviter_name(actor)
    invitation = TeamInvitation(
        brand_id=brand.id,
        role=role,
        email=email,
        invitee_id=invitee.id if invitee is not None else None,
        invited_by_id=actor.id if signed_in(actor) is not None else None,
        status=InvitationStatus.PENDING,
        created_at=now,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    with transaction():
        db.session.add(invitation)
        db.session.flush()  # the link names the invitation's id
        token = serializer(INVITATION_SALT, now=now).dumps({"i": invitation.id})
        queue_email(
            to=email,
            kind="team_invitation",
            subject=f"{inviter} invited you to the {brand.name} team on fanhub"
            if inviter
            else f"You're invited to the {brand.name} team on fanhub",
            template="team_invitation",
            now=now,
            brand=brand,
            inviter=inviter,
            role_phrase=a_role(role),
            name=invitee.name if invitee is not None else None,
            link=absolute_url("brands.invitation", token=token),
            days=INVITATION_DAYS,
            has_account=invitee is not None,
            reason=f"You get this email because an owner of {brand.name} invited this "
            "address to its team on fanhub.",
        )
        record_team_change(
            brand.id,
            TeamChange.INVITED,
            role,
            actor=actor,
            member_id=invitation.invitee_id,
            invitation=invitation,
            now=now,
        )
    return invitation


def revoke_invitation(
    actor: Actor, brand: Brand, invitation_id: int, *, now: datetime
) -> TeamInvitation:
    """Withdraw an invitation that is still waiting; its link then stops working.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    :raises Conflict: it was answered (or withdrawn) meanwhile, or is not this brand's.
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id, now=now)
    with transaction():
        invitation = db.session.scalar(
            select(TeamInvitation)
            .where(TeamInvitation.id == invitation_id, TeamInvitation.brand_id == brand.id)
            .with_for_update()
        )
        if invitation is None or invitation.status is not InvitationStatus.PENDING:
            raise Conflict(
                "That invitation was answered or withdrawn meanwhile.",
                field=f"invitation-{invitation_id}",
            )
        invitation.status = InvitationStatus.REVOKED
        invitation.answered_at = now
        invitation.answered_by_id = actor.id if signed_in(actor) is not None else None
        record_team_change(
            brand.id,
            TeamChange.INVITATION_REVOKED,
            invitation.role,
            actor=actor,
            member_id=invitation.invitee_id,
            invitation=invitation,
            now=now,
        )
    return invitation


def read_invitation(reader: Actor, token: str, *, now: datetime) -> InvitationView:
    """The invitation a link carries, for its page: what it offers and, for this reader,
    whether she may answer it (the page says why not rather than failing).

    :raises Invalid: the link is not one of ours, was tampered with, or is too old to read.
    """
    invitation = _from_token(token, now)
    inviter = db.session.scalar(select(User).where(User.id == invitation.invited_by_id))
    invited_by = inviter.username if inviter is not None else f"The {invitation.brand.name} team"
    problem = None
    try:
        _check_open(invitation, now)
        if signed_in(reader) is not None:
            _check_hers(reader, invitation, now)
    except (Conflict, Forbidden, Invalid) as err:
        problem = err.message
    return InvitationView(
        invitation,
        invitation.brand,
        invited_by,
        problem,
        signed_in(reader) is not None and _is_hers(reader, invitation),
    )


def answer_invitation(actor: Actor, token: str, accept: bool, *, now: datetime) -> TeamInvitation:
    """Accept the invitation (she takes the role) or decline it; either way its link is
    used up. On the team's history.

    :raises Invalid: the link is bad, tampered with or expired.
    :raises Conflict: the invitation was already answered or withdrawn.
    :raises Forbidden: she is not the member it names (nor has the address it went to),
        or her account is suspended.
    """
    invitation = _from_token(token, now)
    _check_open(invitation, now)
    _check_hers(actor, invitation, now)
    with transaction():
        # Read again under a lock: a double click, or the owners withdrawing it meanwhile.
        status = db.session.scalar(
            select(TeamInvitation.status)
            .where(TeamInvitation.id == invitation.id)
            .with_for_update()
        )
        if status is not InvitationStatus.PENDING:
            raise Conflict(_ENDED[status] if status is not None else NOT_VALID)
        if accept:
            holds = db.session.scalar(
                select(BrandRole.id).where(
                    BrandRole.brand_id == invitation.brand_id,
                    BrandRole.user_id == actor.id,
                    BrandRole.role == invitation.role,
                )
            )
            if holds is None:
                db.session.add(
                    BrandRole(
                        user_id=actor.id,
                        brand_id=invitation.brand_id,
                        role=invitation.role,
                        created_at=now,
                    )
                )
        invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        invitation.answered_at = now
        invitation.answered_by_id = actor.id
        record_team_change(
            invitation.brand_id,
            TeamChange.ACCEPTED if accept else TeamChange.DECLINED,
            invitation.role,
            actor=actor,
            member_id=actor.id,
            invitation=invitation,
            now=now,
        )
    forget_roles(actor)
    return invitation


def _from_token(token: str, now: datetime) -> TeamInvitation:
    """The invitation a signed link names, with its brand.

    :raises Invalid: not ours, tampered with, older than INVITATION_DAYS, or its
        invitation is gone (the brand was deleted).
    """
    data = load_token(token, INVITATION_SALT, INVITATION_DAYS * 24 * 60 * 60, now=now)
    invitation = db.session.scalar(
        select(TeamInvitation)
        .options(joinedload(TeamInvitation.brand))
        .where(TeamInvitation.id == token_id(data, "i"))
    )
    if invitation is None:
        raise Invalid("This invitation is not valid any more.")
    return invitation


def _check_open(invitation: TeamInvitation, now: datetime) -> None:
    """:raises Conflict: answered or withdrawn. :raises Invalid: expired."""
    if invitation.status is not InvitationStatus.PENDING:
        raise Conflict(_ENDED[invitation.status])
    if not invitation.is_open(now):
        raise Invalid(
            f"This invitation has expired. Ask an owner of {invitation.brand.name} to send "
            "a new one."
        )


def _is_hers(actor: Actor, invitation: TeamInvitation) -> bool:
    if invitation.invitee_id is not None:
        return actor.id == invitation.invitee_id
    email = getattr(actor, "email", "") or ""
    return email.lower() == invitation.email.lower()


def _check_hers(actor: Actor, invitation: TeamInvitation, now: datetime) -> None:
    """:raises Forbidden: someone else's invitation, or her account is suspended."""
    if not _is_hers(actor, invitation):
        raise Forbidden(
            f"This invitation was sent to {_masked(invitation.email)}. Log in with the "
            "account that uses that address to answer it."
        )
    if is_restricted(actor, now=now) or getattr(actor, "status", None) is UserStatus.SUSPENDED:
        raise Forbidden(suspended_message(actor, now=now))


def _masked(email: str) -> str:
    """An address as a page shows it to someone who may not be its owner: k•••@example.com."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _inviter_name(actor: Actor) -> str | None:
    """The inviter's username; None for the command line."""
    member = signed_in(actor)
    return member.username if isinstance(member, User) else None
