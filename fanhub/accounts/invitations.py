"""Who may join (issue 13): anyone while registration is open; while a site admin has made
it invite-only, only someone holding an invitation a site admin sent to her address, a
signed link that works once.

The door is here, in front of `services.register`, so the operator's `create-user` and the
demo make accounts whatever the setting says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from fanhub import site_settings
from fanhub.accounts.models import SiteInvitation, User, UserStatus
from fanhub.accounts.services import (
    INVITATION_USED,
    RegistrationDraft,
    normalise_email,
    register,
)
from fanhub.cursors import make_cursor, read_cursor
from fanhub.db import transaction
from fanhub.errors import Conflict, DomainError, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.links import absolute_url
from fanhub.notifications.services import queue_email
from fanhub.permissions import Action, Actor, require
from fanhub.tokens import NOT_VALID, load_token, serializer, token_id, token_text

INVITE_SALT = "fanhub.site-invitation"
INVITATIONS_PAGE_SIZE = 50
BY_INVITATION = (
    "Registration on fanhub is by invitation only at the moment: "
    "a site admin can send you one by email."
)


def invite(actor: Actor, email: str, *, now: datetime) -> SiteInvitation:
    """Invite someone by email to register: an email with a signed link that opens the
    registration form with her address filled in, and works once, for
    SITE_INVITATION_MAX_AGE seconds. Open registration needs none, but it works then too.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: not an email address.
    :raises Conflict: someone already has an account with this address.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    address = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict("Someone already has an account with this email address.", field="email")
    days = current_app.config["SITE_INVITATION_MAX_AGE"] // 86400
    with transaction():
        invitation = SiteInvitation(
            email=address, invited_by_id=actor.id, created_at=now, used_at=None
        )
        db.session.add(invitation)
        db.session.flush()  # its id goes into the link
        token = serializer(INVITE_SALT, now=now).dumps({"i": invitation.id, "e": address})
        queue_email(
            to=address,
            kind="site_invitation",
            subject="You're invited to join fanhub",
            template="site_invitation",
            now=now,
            link=absolute_url("accounts.register", invitation=token),
            days=days,
            reason="You get this email because a fanhub site admin invited this address.",
        )
    return invitation


def open_invitation(token: str, *, now: datetime) -> SiteInvitation:
    """The unused invitation a link carries.

    :raises Invalid: the link is tampered with or expired.
    :raises Conflict: the invitation was already used.
    """
    data = load_token(token, INVITE_SALT, current_app.config["SITE_INVITATION_MAX_AGE"], now=now)
    invitation = db.session.get(SiteInvitation, token_id(data, "i"))
    if invitation is None:
        raise Invalid(NOT_VALID)
    if invitation.used_at is not None:
        raise Conflict(INVITATION_USED)
    if token_text(data, "e") != invitation.email:
        raise Invalid(NOT_VALID)
    return invitation


@dataclass(frozen=True)
class Door:
    """What /register offers: the form (with the invitation's address when she has one),
    or why not."""

    invite_only: bool
    invitation: SiteInvitation | None = None
    refusal: DomainError | None = None

    @property
    def is_open(self) -> bool:
        return self.refusal is None


def door(token: str | None, *, now: datetime) -> Door:
    """Whether the registration form is open to whoever holds `token` (an invitation's
    link, or None): reads the setting only here, so no other page pays for it."""
    invite_only = site_settings.registration() is site_settings.Registration.INVITE_ONLY
    if not token:
        return Door(invite_only, refusal=Forbidden(BY_INVITATION) if invite_only else None)
    try:
        return Door(invite_only, open_invitation(token, now=now))
    except DomainError as err:
        # While anyone may register, a used or expired invitation is no obstacle.
        return Door(invite_only, refusal=err if invite_only else None)


def join(draft: RegistrationDraft, token: str | None, *, now: datetime) -> User:
    """Register through the site's own form: open to anyone, or, while registration is by
    invitation, to the invited address alone, once. An invitation proves she reads that
    address, so her account starts with it confirmed.

    :raises Forbidden: registration is by invitation and she has none.
    :raises Invalid: a field breaks its rule, the link is bad, or the address is not the
        one invited.
    :raises Conflict: the username or address is taken, or the invitation already used.
    """
    entrance = door(token, now=now)
    if entrance.refusal is not None:
        raise entrance.refusal
    invitation = entrance.invitation
    if invitation is None:
        return register(draft, now=now)
    if normalise_email(draft.email) != invitation.email:
        raise Invalid(
            f"This invitation is for {invitation.email}: register with that address.",
            field="email",
        )
    return register(draft, now=now, verified=True, invitation=invitation)


@dataclass(frozen=True)
class InvitationRow:
    invitation: SiteInvitation
    invited_by: str | None
    used_by: str | None


@dataclass
class InvitationsPage:
    rows: list[InvitationRow]
    next_cursor: str | None
    invite_only: bool
    # How long a link works, in days, and until when it is `now` (for "expired").
    days: int
    now: datetime

    def expired(self, invitation: SiteInvitation) -> bool:
        age = (self.now - invitation.created_at).total_seconds()
        return invitation.used_at is None and age > self.days * 86400


def invitations_page(viewer: Actor, *, cursor: str | None = None, now: datetime) -> InvitationsPage:
    """The invitations sent, newest first, with who sent each and who used it (one query
    for the rows, paged by id).

    :raises Forbidden: the viewer is not a site admin.
    :raises Invalid: a bad cursor.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    inviter, member = aliased(User), aliased(User)
    query = (
        select(SiteInvitation, inviter.username, member.username, member.status)
        .outerjoin(inviter, inviter.id == SiteInvitation.invited_by_id)
        .outerjoin(member, member.id == SiteInvitation.used_by_id)
    )
    if cursor:
        (before,) = read_cursor(cursor, int)
        query = query.where(SiteInvitation.id < before)
    found = db.session.execute(
        query.order_by(SiteInvitation.id.desc()).limit(INVITATIONS_PAGE_SIZE + 1)
    ).all()
    next_cursor = None
    if len(found) > INVITATIONS_PAGE_SIZE:
        found = found[:INVITATIONS_PAGE_SIZE]
        next_cursor = make_cursor(found[-1][0].id)
    rows = [
        InvitationRow(
            invitation,
            by,
            # A deleted account's username is a placeholder: say what it is.
            "a former member" if status is UserStatus.DELETED else used_by,
        )
        for invitation, by, used_by, status in found
    ]
    return InvitationsPage(
        rows,
        next_cursor,
        site_settings.registration() is site_settings.Registration.INVITE_ONLY,
        current_app.config["SITE_INVITATION_MAX_AGE"] // 86400,
        now,
    )
