"""A brand's people: appointing owners, staff and moderators, changing and ending their
roles, the team as listed, and the team's own history of every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import (
    Brand,
    BrandRole,
    InvitationStatus,
    Role,
    TeamChange,
    TeamEvent,
    TeamInvitation,
)
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, forget_roles, require

# The team page shows this many of the latest changes.
TEAM_HISTORY_SHOWN = 30

ROLE_WORDS: dict[Role, str] = {
    Role.OWNER: "owner",
    Role.STAFF: "staff member",
    Role.MODERATOR: "moderator",
}


@dataclass(frozen=True)
class StaffMember:
    """One person on a brand's team, as the fan page lists them."""

    username: str
    name: str
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class Seat:
    """One role one person holds in the brand, as the team page lists it (a person with
    two roles has two seats, each changed or ended on its own)."""

    grant_id: int
    username: str
    name: str
    role: Role
    since: datetime


def add_role(actor: Actor, brand: Brand, member: User, role: Role, *, now: datetime) -> BrandRole:
    """Appoint `member` to `role` in `brand`; on the team's history.

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
        record_team_change(
            brand.id, TeamChange.APPOINTED, role, actor=actor, member_id=member.id, now=now
        )
    forget_roles(member)
    return grant


def change_role(actor: Actor, brand: Brand, grant_id: int, role: Role, *, now: datetime) -> Seat:
    """Give the person in one seat another role instead (staff to moderator, say); on the
    team's history. Nothing changes when it is the role she already has there.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    :raises Conflict: the seat is gone (changed or ended meanwhile), she already holds
        the new role, or it is the brand's last owner (a brand always keeps one).
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id, now=now)
    with transaction():
        grant, member = _lock_seat(brand, grant_id)
        old = grant.role
        if old is not role:
            if old is Role.OWNER:
                _keep_an_owner(brand, grant, member, "change this role")
            holds = db.session.scalar(
                select(BrandRole.id).where(
                    BrandRole.brand_id == brand.id,
                    BrandRole.user_id == member.id,
                    BrandRole.role == role,
                )
            )
            if holds is not None:
                raise Conflict(
                    f"{member.username} is already {a_role(role)} of {brand.name}; "
                    f"remove their {old.value} role instead.",
                    field=f"seat-{grant_id}",
                )
            grant.role = role
            record_team_change(
                brand.id,
                TeamChange.ROLE_CHANGED,
                role,
                old_role=old,
                actor=actor,
                member_id=member.id,
                now=now,
            )
        seat = Seat(grant.id, member.username, member.name, grant.role, grant.created_at)
    forget_roles(member)
    return seat


def remove_role(actor: Actor, brand: Brand, grant_id: int, *, now: datetime) -> Seat:
    """End one role of one person in the brand; on the team's history.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    :raises Conflict: the seat is gone (ended meanwhile), or it is the brand's last owner.
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id, now=now)
    with transaction():
        grant, member = _lock_seat(brand, grant_id)
        if grant.role is Role.OWNER:
            _keep_an_owner(brand, grant, member, "end this one")
        seat = Seat(grant.id, member.username, member.name, grant.role, grant.created_at)
        db.session.delete(grant)
        record_team_change(
            brand.id, TeamChange.REMOVED, seat.role, actor=actor, member_id=member.id, now=now
        )
    forget_roles(member)
    return seat


def _lock_seat(brand: Brand, grant_id: int) -> tuple[BrandRole, User]:
    """The seat and its holder, the brand's row locked until commit.

    Every change to a brand's roles takes the brand's lock first, so two owners demoting
    each other at the same moment are told apart: the second one counts what the first
    left (on SQLite, BEGIN IMMEDIATE already makes writers take turns).

    :raises Conflict: the seat is not (or no longer) one of this brand's.
    """
    db.session.execute(select(Brand.id).where(Brand.id == brand.id).with_for_update())
    row = db.session.execute(
        select(BrandRole, User)
        .join(User, User.id == BrandRole.user_id)
        .where(
            BrandRole.id == grant_id,
            BrandRole.brand_id == brand.id,
            User.status != UserStatus.DELETED,
        )
    ).first()
    if row is None:
        raise Conflict(
            "That role was changed or ended meanwhile: here is the team as it is now.",
            field=f"seat-{grant_id}",
        )
    return row[0], row[1]


def _keep_an_owner(brand: Brand, grant: BrandRole, member: User, what: str) -> None:
    """Refuse to take away the brand's last owner (with the brand's row locked).

    :raises Conflict: no other member with an account holds the owner role.
    """
    owners = db.session.scalar(
        select(func.count())
        .select_from(BrandRole)
        .join(User, User.id == BrandRole.user_id)
        .where(
            BrandRole.brand_id == brand.id,
            BrandRole.role == Role.OWNER,
            User.status != UserStatus.DELETED,
        )
    )
    if (owners or 0) <= 1:
        raise Conflict(
            f"{member.username} is the last owner of {brand.name}, and a brand always keeps "
            f"one: make someone else an owner first, then {what}.",
            field=f"seat-{grant.id}",
        )


def a_role(role: Role) -> str:
    word = ROLE_WORDS[role]
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def record_team_change(
    brand_id: int,
    change: TeamChange,
    role: Role,
    *,
    actor: Actor,
    now: datetime,
    member_id: int | None = None,
    invitation: TeamInvitation | None = None,
    old_role: Role | None = None,
) -> None:
    """Add one line to the team's history, in the caller's transaction (no commit)."""
    db.session.add(
        TeamEvent(
            brand_id=brand_id,
            change=change,
            actor_id=actor.id if getattr(actor, "is_authenticated", False) else None,
            member_id=member_id,
            invitation_id=invitation.id if invitation is not None else None,
            role=role,
            old_role=old_role,
            created_at=now,
        )
    )


def brand_team(brand: Brand) -> list[StaffMember]:
    """The brand's owners, staff and moderators, each once with all their roles."""
    team: dict[int, StaffMember] = {}
    for grant in _grants(brand):
        current = team.get(grant.user_id)
        roles = (*current.roles, grant.role) if current else (grant.role,)
        team[grant.user_id] = StaffMember(grant.user.username, grant.user.name, roles)
    return list(team.values())


def team_seats(brand: Brand) -> list[Seat]:
    """Every role held in the brand, owners first, then staff, then moderators."""
    order = {Role.OWNER: 0, Role.STAFF: 1, Role.MODERATOR: 2}
    seats = [
        Seat(grant.id, grant.user.username, grant.user.name, grant.role, grant.created_at)
        for grant in _grants(brand)
    ]
    return sorted(seats, key=lambda seat: (order[seat.role], seat.username.lower()))


def _grants(brand: Brand) -> list[BrandRole]:
    grants = db.session.scalars(
        select(BrandRole)
        .options(joinedload(BrandRole.user))
        .where(BrandRole.brand_id == brand.id)
        .order_by(BrandRole.id)
    ).all()
    return [grant for grant in grants if grant.user.status is not UserStatus.DELETED]


@dataclass(frozen=True)
class PendingInvitation:
    """An invitation still waiting for its answer, as the team page lists it."""

    id: int
    who: str
    role: Role
    invited_by: str
    created_at: datetime
    expires_at: datetime
    expired: bool


@dataclass(frozen=True)
class TeamHistoryLine:
    when: datetime
    sentence: str


@dataclass(frozen=True)
class TeamPage:
    """The brand's team for its owners: every seat, the invitations waiting, the history."""

    brand: Brand
    seats: list[Seat]
    invitations: list[PendingInvitation]
    history: list[TeamHistoryLine]
    roles: tuple[Role, ...] = (Role.OWNER, Role.STAFF, Role.MODERATOR)


def team_page(actor: Actor, brand: Brand, *, now: datetime) -> TeamPage:
    """What the team page shows its owners, in a fixed number of queries.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id, now=now)
    waiting = db.session.scalars(
        select(TeamInvitation)
        .options(joinedload(TeamInvitation.invitee))
        .where(
            TeamInvitation.brand_id == brand.id, TeamInvitation.status == InvitationStatus.PENDING
        )
        .order_by(TeamInvitation.id.desc())
    ).all()
    inviters = _usernames({row.invited_by_id for row in waiting})
    invitations = [
        PendingInvitation(
            row.id,
            _member_or_address(row.invitee, row.email),
            row.role,
            inviters.get(row.invited_by_id, COMMAND_LINE) if row.invited_by_id else COMMAND_LINE,
            row.created_at,
            row.expires_at,
            not row.is_open(now),
        )
        for row in waiting
    ]
    events = db.session.scalars(
        select(TeamEvent)
        .options(
            joinedload(TeamEvent.actor),
            joinedload(TeamEvent.member),
            joinedload(TeamEvent.invitation),
        )
        .where(TeamEvent.brand_id == brand.id)
        .order_by(TeamEvent.id.desc())
        .limit(TEAM_HISTORY_SHOWN)
    ).all()
    history = [TeamHistoryLine(event.created_at, _sentence(event)) for event in events]
    return TeamPage(brand, team_seats(brand), invitations, history)


# Who made a change that no member made: `flask brand add-role` at the command line.
COMMAND_LINE = "The command line"
DELETED_MEMBER = "a deleted member"


def _usernames(ids: set[int | None]) -> dict[int | None, str]:
    wanted = {user_id for user_id in ids if user_id is not None}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(User.id, User.username, User.status).where(User.id.in_(wanted))
    ).all()
    return {
        user_id: DELETED_MEMBER if status is UserStatus.DELETED else username
        for user_id, username, status in rows
    }


def _member_name(user: User | None) -> str | None:
    if user is None:
        return None
    return DELETED_MEMBER if user.status is UserStatus.DELETED else user.username


def _member_or_address(user: User | None, email: str) -> str:
    return _member_name(user) or email


def _sentence(event: TeamEvent) -> str:
    """One change to the team in words ("sam invited kim as a moderator")."""
    actor = _member_name(event.actor) or COMMAND_LINE
    member = _member_name(event.member)
    if member is None:
        member = event.invitation.email if event.invitation is not None else "someone"
    role = a_role(event.role)
    match event.change:
        case TeamChange.APPOINTED:
            return f"{actor} made {member} {role}."
        case TeamChange.INVITED:
            return f"{actor} invited {member} to join as {role}."
        case TeamChange.INVITATION_REVOKED:
            return f"{actor} withdrew the invitation of {member} as {role}."
        case TeamChange.ACCEPTED:
            return f"{member} accepted the invitation and joined as {role}."
        case TeamChange.DECLINED:
            return f"{member} declined the invitation to join as {role}."
        case TeamChange.ROLE_CHANGED:
            old = a_role(event.old_role) if event.old_role is not None else "another role"
            return f"{actor} changed {member} from {old} to {role}."
        case TeamChange.REMOVED:
            return f"{actor} ended the role of {member} as {role}."
    return f"{actor} changed the team."
