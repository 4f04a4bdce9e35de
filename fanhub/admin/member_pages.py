"""What the console's member pages show (finding members, one member's record) and the
console's own help for a member: an account made, a confirmation or reset link sent.

Sanctions and trust levels are moderation's services, called as the moderation pages call
them; the console reaches members' content only through the content registry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from fanhub.accounts import services as accounts
from fanhub.accounts.models import SIGN_INS_KEPT, SignIn, User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.content import Authored, Item, ItemKind, content_kind, content_kinds, is_content
from fanhub.cursors import make_cursor, read_cursor
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.inputs import CURSOR_MESSAGE, optional_int
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Case, Decision, Flag, ModerationAction
from fanhub.moderation.services.pages import plain_excerpt
from fanhub.moderation.trust import TRUST_LEVELS
from fanhub.notifications.personal_data import ConsentLine, consent_record
from fanhub.permissions import Action, Actor, ban_ends, require, suspension_ends

MEMBERS_PAGE = 50
# What her page lists of each: enough to see a pattern, never her whole history.
WRITING_SHOWN = 15
FLAGS_SHOWN = 20
SANCTIONS_SHOWN = 20
QUERY_MAX = 100
# The status filter's choices: her account's standing at the moment of asking.
STATUSES = {
    "active": "Active",
    "suspended": "Suspended now",
    "banned": "Banned now",
    "deleted": "Deleted",
}
SANCTIONS = (Decision.SUSPEND, Decision.BAN, Decision.LIFT)


def _suspended(now: datetime) -> Any:
    return User.suspended_until > now


def _not_suspended(now: datetime) -> Any:
    # Spelled out: NOT (NULL > now) is NULL in SQL, which would drop the never-suspended.
    return or_(User.suspended_until.is_(None), User.suspended_until <= now)


def _banned(now: datetime) -> Any:
    return and_(
        User.banned_at.is_not(None), or_(User.banned_until.is_(None), User.banned_until > now)
    )


def standing(member: User, *, now: datetime) -> str:
    """Her account's standing in a word or two: "Deleted", "Banned", "Suspended", "Active"."""
    if member.status is UserStatus.DELETED:
        return "Deleted"
    if ban_ends(member, now=now) is not None:
        return "Banned"
    if suspension_ends(member, now=now) is not None:
        return "Suspended"
    return "Active"


@dataclass(frozen=True)
class MemberFilters:
    """What the members list was asked for, as its query string carries it."""

    q: str = ""
    status: str = ""
    trust: int | None = None
    sanctioned: bool = False

    @property
    def args(self) -> dict[str, str]:
        """The filters as query-string arguments, for the next page's link."""
        args = {"q": self.q, "status": self.status, "sanctioned": "1" if self.sanctioned else ""}
        if self.trust is not None:
            args["trust"] = str(self.trust)
        return {key: value for key, value in args.items() if value}

    @property
    def any(self) -> bool:
        return bool(self.args)


def read_filters(
    q: str = "", status: str = "", trust: str = "", sanctioned: str = ""
) -> MemberFilters:
    """The members list's filters from what the page's form sent.

    :raises Invalid: a status or trust level the form does not offer, or a search too long.
    """
    query = " ".join(q.split())
    if len(query) > QUERY_MAX:
        raise Invalid(f"Search with at most {QUERY_MAX} characters.", field="q")
    if status and status not in STATUSES:
        raise Invalid("Filter by one of the statuses in the list.", field="status")
    level = optional_int(
        trust, lo=min(TRUST_LEVELS), hi=max(TRUST_LEVELS), field="trust",
        message="Filter by a trust level from 0 to 4.",
    )  # fmt: skip
    return MemberFilters(query, status, level, sanctioned not in ("", "0"))


@dataclass
class MemberRow:
    member: User
    standing: str


@dataclass
class MembersPage:
    rows: list[MemberRow]
    filters: MemberFilters
    next_cursor: str | None


def members_page(
    viewer: Actor, filters: MemberFilters, *, cursor: str | None = None, now: datetime
) -> MembersPage:
    """Members matching the filters, newest first, a page at a time by id: one query
    however many rows (her standing is read from her row).

    Search is by username, display name or email, any part of them, in any case.

    :raises Forbidden: the viewer is not a site admin.
    :raises Invalid: a cursor this page did not hand out.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    query = select(User)
    if filters.q:
        needle = filters.q.lower()
        query = query.where(
            or_(
                User.username.contains(needle, autoescape=True),
                User.email.contains(needle, autoescape=True),
                func.lower(User.display_name).contains(needle, autoescape=True),
            )
        )
    live = User.status != UserStatus.DELETED
    if filters.status == "active":
        query = query.where(live, _not_suspended(now), ~_banned(now))
    elif filters.status == "suspended":
        query = query.where(live, _suspended(now))
    elif filters.status == "banned":
        query = query.where(live, _banned(now))
    elif filters.status == "deleted":
        query = query.where(User.status == UserStatus.DELETED)
    if filters.trust is not None:
        query = query.where(User.trust_level == filters.trust)
    if filters.sanctioned:
        query = query.where(live, or_(_suspended(now), _banned(now)))
    if cursor:
        (before,) = read_cursor(cursor, int)
        if before < 1:  # the list hands out ids of members it showed, never 0
            raise Invalid(CURSOR_MESSAGE)
        query = query.where(User.id < before)
    members = list(db.session.scalars(query.order_by(User.id.desc()).limit(MEMBERS_PAGE + 1)))
    next_cursor = None
    if len(members) > MEMBERS_PAGE:
        members = members[:MEMBERS_PAGE]
        next_cursor = make_cursor(members[-1].id)
    rows = [MemberRow(member, standing(member, now=now)) for member in members]
    return MembersPage(rows, filters, next_cursor)


def access_member(viewer: Actor, member_id: int, *, now: datetime) -> User:
    """The member a console page is about, deleted accounts included.

    :raises Forbidden: the viewer is not a site admin.
    :raises NotFound: no such member.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    member = db.session.get(User, member_id)
    if member is None:
        raise NotFound("There is no such member.")
    return member


@dataclass
class Written:
    """One of her posts, reviews or replies, as her record lists it."""

    item: Item
    at: datetime
    excerpt: str


@dataclass
class FlagLine:
    """A flag she raised, or one raised on her words, with the item it is about."""

    flag: Flag
    case: Case
    item: Item | None


@dataclass
class MemberRecord:
    member: User
    standing: str
    roles: list[tuple[Brand, Role]] = field(default_factory=list)
    writing: list[Written] = field(default_factory=list)
    flags_raised: list[FlagLine] = field(default_factory=list)
    flags_on_her: list[FlagLine] = field(default_factory=list)
    sanctions: list[ModerationAction] = field(default_factory=list)
    consent: list[ConsentLine] = field(default_factory=list)
    sign_ins: list[SignIn] = field(default_factory=list)
    # What the console may do for her now (the services decide again on every post).
    can_sanction: bool = False
    can_resend_confirmation: bool = False
    can_reset_password: bool = False


def member_record(viewer: Actor, member: User, *, now: datetime) -> MemberRecord:
    """Everything the console shows of one member: her roles, her newest writing (through
    the content registry), flags she raised and flags on her words, her sanctions now and
    before, her consent record and her last sign-ins. A fixed number of queries.

    :raises Forbidden: the viewer is not a site admin.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    live = member.status is not UserStatus.DELETED
    record = MemberRecord(
        member,
        standing(member, now=now),
        can_sanction=live and not member.is_admin and member.id != getattr(viewer, "id", None),
        can_resend_confirmation=live and not member.is_email_verified,
        can_reset_password=live,
    )
    record.roles = [
        (grant.brand, grant.role)
        for grant in db.session.scalars(
            select(BrandRole)
            .options(joinedload(BrandRole.brand))
            .where(BrandRole.user_id == member.id)
            .order_by(BrandRole.brand_id, BrandRole.id)
        )
    ]
    record.writing = _writing(member.id)
    raised = select(Flag, Case).join(Case, Case.id == Flag.case_id)
    record.flags_raised = _flag_lines(raised.where(Flag.reporter_id == member.id))
    record.flags_on_her = _flag_lines(
        raised.options(joinedload(Flag.reporter)).where(
            Case.subject_id == member.id, Case.item_kind != ItemKind.MEMBER
        )
    )
    record.sanctions = list(
        db.session.scalars(
            select(ModerationAction)
            .options(joinedload(ModerationAction.moderator), joinedload(ModerationAction.brand))
            .where(
                ModerationAction.subject_id == member.id,
                ModerationAction.item_kind == ItemKind.MEMBER,
                ModerationAction.action.in_(SANCTIONS),
            )
            .order_by(ModerationAction.id.desc())
            .limit(SANCTIONS_SHOWN)
        )
    )
    record.consent = consent_record(member.id)
    record.sign_ins = list(
        db.session.scalars(
            select(SignIn)
            .where(SignIn.user_id == member.id)
            .order_by(SignIn.id.desc())
            .limit(SIGN_INS_KEPT)
        )
    )
    return record


def _writing(member_id: int) -> list[Written]:
    """Her newest posts, reviews and replies, of every kind that says who wrote it."""
    found: list[Written] = []
    for kind in content_kinds():
        if not isinstance(kind, Authored):
            continue
        latest = dict(kind.latest_by(member_id, limit=WRITING_SHOWN))
        items = content_kind(kind.kind).load(latest)
        found += [
            Written(item, latest[ident], plain_excerpt(item.excerpt))
            for ident, item in items.items()
        ]
    found.sort(key=lambda written: written.at, reverse=True)
    return found[:WRITING_SHOWN]


def _flag_lines(query: Any) -> list[FlagLine]:
    pairs: list[tuple[Flag, Case]] = [
        (flag, case)
        for flag, case in db.session.execute(query.order_by(Flag.id.desc()).limit(FLAGS_SHOWN))
    ]
    items = _load_items((case.item_kind, case.item_id) for _, case in pairs)
    return [FlagLine(flag, case, items.get((case.item_kind, case.item_id))) for flag, case in pairs]


def _load_items(wanted: Iterable[tuple[ItemKind, int]]) -> dict[tuple[ItemKind, int], Item]:
    """Items by (kind, id), one query per kind."""
    by_kind: dict[ItemKind, set[int]] = {}
    for kind, ident in wanted:
        if is_content(kind):
            by_kind.setdefault(kind, set()).add(ident)
    return {
        (kind, ident): item
        for kind, ids in by_kind.items()
        for ident, item in content_kind(kind).load(ids).items()
    }


def _log_help(actor: Actor, decision: Decision, member: User, *, now: datetime) -> None:
    # The accounts domain sits below the log and cannot write to it: the console's line
    # follows the help it gave, in a transaction of its own.
    with transaction():
        record_action(
            actor,
            decision,
            item_kind=ItemKind.MEMBER,
            item_id=member.id,
            brand_id=None,
            subject_id=member.id,
            before={},
            after={},
            now=now,
        )


def create_member(
    actor: Actor, draft: accounts.RegistrationDraft, *, is_admin: bool, now: datetime
) -> User:
    """`flask create-user` for a site admin: an account with a confirmed address, on the log.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: a field breaks its rule (the error names it).
    :raises Conflict: the username or email is taken.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    member = accounts.register(draft, is_admin=is_admin, verified=True, now=now)
    with transaction():
        record_action(
            actor,
            Decision.CREATE,
            item_kind=ItemKind.MEMBER,
            item_id=member.id,
            brand_id=None,
            subject_id=member.id,
            before={},
            after={"site_admin": is_admin},
            now=now,
        )
    return member


def resend_confirmation(actor: Actor, member: User, *, now: datetime) -> str:
    """Send her a new link to confirm her address (`accounts.resend_verification`).

    :raises Forbidden: the actor is not a site admin.
    :raises Conflict: her address is confirmed already, or her account deleted.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    accounts.resend_verification(actor, member, now=now)
    _log_help(actor, Decision.RESEND_CONFIRMATION, member, now=now)
    return f"A new confirmation link is on its way to {member.email}."


def start_password_reset(actor: Actor, member: User, *, now: datetime) -> str:
    """Send her a link to choose a new password (`accounts.request_password_reset`); her
    password stays as it is until she follows it.

    :raises Forbidden: the actor is not a site admin.
    :raises Conflict: her account is deleted.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    if member.status is UserStatus.DELETED:
        raise Conflict("This account was deleted: it has no password to reset.")
    accounts.request_password_reset(member.email, now=now)
    _log_help(actor, Decision.PASSWORD_RESET, member, now=now)
    return f"A link to choose a new password is on its way to {member.email}."
