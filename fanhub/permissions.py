"""Who may do what: the one place that answers it, from site admin and per-brand roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol, cast

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import BrandRole, Role
from fanhub.errors import Conflict, DomainError, Forbidden, NotFound
from fanhub.extensions import db


class Action(enum.StrEnum):
    """Everything a role can be allowed to do, named resource first, then verb."""

    BRAND_CREATE = "brand:create"
    BRAND_EDIT = "brand:edit"
    BRAND_ROLE_ASSIGN = "brand:role-assign"
    BRAND_STAFF_ANSWER = "brand:staff-answer"
    BRAND_NEWS_SEND = "brand:news-send"
    BRAND_MODERATE = "brand:moderate"
    BRAND_FOLLOW = "brand:follow"
    ACCOUNT_EDIT_ANY = "account:edit-any"
    CATEGORY_MANAGE = "category:manage"
    TOPIC_START = "topic:start"
    ANNOUNCEMENT_START = "announcement:start"
    TOPIC_MODERATE = "topic:moderate"
    TOPIC_SOLVE_ANY = "topic:solve-any"
    IDEA_VOTE = "idea:vote"
    IDEA_STATUS_SET = "idea:status-set"
    POST_REPLY = "post:reply"
    POST_REPLY_LOCKED = "post:reply-locked"
    POST_REACT = "post:react"
    POST_EDIT_ANY = "post:edit-any"
    PRODUCT_MANAGE = "product:manage"
    REVIEW_WRITE = "review:write"
    REVIEW_VOTE = "review:vote"
    REVIEW_REPLY = "review:reply"
    REVIEW_ANSWER = "review:answer"
    REVIEW_VERIFY = "review:verify"
    REVIEW_MODERATE = "review:moderate"
    CONTENT_FLAG = "content:flag"
    CONTENT_MODERATE = "content:moderate"
    MEMBER_SANCTION = "member:sanction"
    MEMBER_TRUST_SET = "member:trust-set"
    # The site admin console at /admin: brands, members, the outbox, site settings.
    SITE_ADMIN = "site:admin"


# Any active member may do these anywhere; a suspension takes them away.
MEMBER_ACTIONS: Final = frozenset(
    {Action.BRAND_FOLLOW, Action.TOPIC_START, Action.IDEA_VOTE, Action.POST_REPLY,
     Action.POST_REACT, Action.REVIEW_WRITE, Action.REVIEW_VOTE, Action.REVIEW_REPLY,
     Action.CONTENT_FLAG}
)  # fmt: skip

_TEAM = frozenset({Role.OWNER, Role.STAFF})
_KEEPERS = frozenset({Role.OWNER, Role.STAFF, Role.MODERATOR})

# Site admins may do everything; anyone else needs one of these roles in the brand.
ALLOWED_ROLES: Final[dict[Action, frozenset[Role]]] = {
    **{action: frozenset() for action in MEMBER_ACTIONS},
    Action.CATEGORY_MANAGE: frozenset({Role.OWNER}),
    Action.ANNOUNCEMENT_START: _TEAM,
    Action.TOPIC_MODERATE: _KEEPERS,
    Action.TOPIC_SOLVE_ANY: _TEAM,
    Action.IDEA_STATUS_SET: _TEAM,
    Action.POST_REPLY_LOCKED: _KEEPERS,
    Action.POST_EDIT_ANY: frozenset({Role.OWNER, Role.MODERATOR}),
    Action.BRAND_CREATE: frozenset(),
    Action.BRAND_EDIT: frozenset({Role.OWNER, Role.STAFF}),
    Action.BRAND_ROLE_ASSIGN: frozenset({Role.OWNER}),
    Action.BRAND_STAFF_ANSWER: frozenset({Role.OWNER, Role.STAFF}),
    # Product news and offers to the followers who opted in (issue 6): the brand's voice.
    Action.BRAND_NEWS_SEND: _TEAM,
    Action.BRAND_MODERATE: frozenset({Role.OWNER, Role.MODERATOR}),
    Action.ACCOUNT_EDIT_ANY: frozenset(),
    Action.PRODUCT_MANAGE: _TEAM,
    Action.REVIEW_ANSWER: _TEAM,
    Action.REVIEW_VERIFY: _TEAM,
    # Not the brand's owners or staff: a brand never decides which reviews of itself stand.
    Action.REVIEW_MODERATE: frozenset({Role.MODERATOR}),
    # The moderation queue and log, and suspending or banning the authors in it: the
    # brand's moderators (site admins everywhere), not its owners or staff.
    Action.CONTENT_MODERATE: frozenset({Role.MODERATOR}),
    Action.MEMBER_SANCTION: frozenset({Role.MODERATOR}),
    # Trust is site-wide: a brand's team moves the members who take part in it between
    # levels 0 and 1 (fanhub.moderation.trust.trust_brand); site admins set any level.
    Action.MEMBER_TRUST_SET: _KEEPERS,
    Action.SITE_ADMIN: frozenset(),
}

DENIED_MESSAGES: Final[dict[Action, str]] = {
    Action.MEMBER_TRUST_SET: (
        "Only site admins, and the team of a brand the member takes part in, can change "
        "a member's trust level."
    ),
    Action.BRAND_CREATE: "Only site admins can create brands.",
    Action.SITE_ADMIN: "Only site admins can use the admin console.",
    Action.BRAND_ROLE_ASSIGN: "Only the brand's owners can appoint staff and moderators.",
    Action.BRAND_MODERATE: "Only the brand's moderators can do that.",
    Action.BRAND_NEWS_SEND: "Only the brand's staff can send product news and offers.",
    Action.CATEGORY_MANAGE: "Only the brand's owners can manage its categories.",
    Action.ANNOUNCEMENT_START: "Only the brand's staff can post announcements.",
    Action.TOPIC_MODERATE: "Only the brand's staff and moderators can do that.",
    Action.IDEA_STATUS_SET: "Only the brand's staff can set an idea's status.",
    Action.POST_REPLY_LOCKED: "This topic is locked: no new replies.",
    Action.PRODUCT_MANAGE: "Only the brand's staff can manage its products.",
    Action.REVIEW_ANSWER: "Only the brand's staff can answer for the brand.",
    Action.REVIEW_VERIFY: "Only the brand's staff can mark a verified purchase.",
    Action.REVIEW_MODERATE: "Only the brand's moderators can approve, reject or remove reviews.",
    Action.CONTENT_MODERATE: "Only the brand's moderators can do that.",
    Action.MEMBER_SANCTION: "Only the brand's moderators can suspend or ban its members.",
}
SUSPENDED_MESSAGE = "Your account is suspended, so you can read but not take part."

_CACHE_ATTRIBUTE = "_fanhub_brand_roles"


class Actor(Protocol):
    """Whoever a service acts for or shows something to: a member (`User`), a visitor who
    is not signed in (`Visitor`) or the operator at the command line (`SYSTEM`).

    Only what all three answer is here; a rule that needs more (her trust level, her
    suspension) asks `is_authenticated` first, or takes a `User`.
    """

    @property
    def id(self) -> int | None: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_admin(self) -> bool: ...


class Visitor(AnonymousUserMixin):
    """Someone reading without signing in, as `current_user` is then: no id, no roles."""

    id = None
    is_admin = False


class SystemActor:
    """The operator at the command line: may do everything, belongs to no brand."""

    id = None
    username = "system"
    is_admin = True
    is_authenticated = True
    status = UserStatus.ACTIVE


SYSTEM: Final = SystemActor()


def signed_in(actor: Actor) -> User | SystemActor | None:
    """The actor as a signed-in member or the command line; None for a visitor."""
    # Only a User or SYSTEM says it is authenticated (flask-login's anonymous user doesn't).
    return cast("User | SystemActor", actor) if getattr(actor, "is_authenticated", False) else None


def roles_in(user: Actor, brand_id: int) -> frozenset[Role]:
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


def forget_roles(user: Actor) -> None:
    """Drop the cached roles after they change, so the next check reads them again."""
    if hasattr(user, "__dict__"):
        user.__dict__.pop(_CACHE_ATTRIBUTE, None)


def suspension_ends(user: Actor, *, now: datetime) -> datetime | None:
    """When the member's suspension ends, or None when she is not suspended at `now`.

    Compared with the time, never written: a suspension is over the moment its time is,
    without anyone (or any job) acting.
    """
    until = getattr(user, "suspended_until", None)
    if until is None or until <= now:
        return None
    return until


def ban_ends(user: Actor, *, now: datetime) -> datetime | bool | None:
    """None when the member is not banned at `now`; else when the ban ends, or True for good."""
    if getattr(user, "banned_at", None) is None:
        return None
    until = getattr(user, "banned_until", None)
    if until is None:
        return True
    return until if until > now else None


def is_restricted(user: Actor, *, now: datetime) -> bool:
    """Whether the member may only read: suspended (or banned) at `now`."""
    return suspension_ends(user, now=now) is not None or ban_ends(user, now=now) is not None


def suspended_message(user: Actor, *, now: datetime) -> str:
    """What a suspended member is told when she tries to take part."""
    until = suspension_ends(user, now=now)
    if until is None:
        return SUSPENDED_MESSAGE
    reason = (getattr(user, "sanction_reason", "") or "").strip().rstrip(".")
    text = f"Your account is suspended until {until.day} {until:%b %Y}"
    return f"{text}: {reason}." if reason else f"{text}."


def participation_refusal(user: Actor, *, now: datetime) -> str:
    """Why a signed-in member may not post, react or review here, in her words."""
    if getattr(user, "status", None) is UserStatus.SUSPENDED or is_restricted(user, now=now):
        return suspended_message(user, now=now)
    return "Your account can't post right now."


def banned_message(user: Actor, *, now: datetime) -> str:
    """What a banned member is told when she tries to log in."""
    ends = ban_ends(user, now=now)
    reason = (getattr(user, "sanction_reason", "") or "").strip().rstrip(".")
    text = "Your account is banned"
    if isinstance(ends, datetime):
        text += f" until {ends.day} {ends:%b %Y}"
    return f"{text}: {reason}." if reason else f"{text}."


def can(user: Actor, action: Action, brand_id: int | None = None, *, now: datetime) -> bool:
    """May `user` (a User, the anonymous user or SYSTEM) do `action` in `brand_id` at `now`?

    `now` matters because suspensions and bans end by the clock alone.
    """
    member = signed_in(user)
    if member is None:
        return False
    if member.status is not UserStatus.ACTIVE or is_restricted(member, now=now):
        return False
    if member.is_admin or action in MEMBER_ACTIONS:
        return True
    if brand_id is None:
        return False
    return bool(roles_in(user, brand_id) & ALLOWED_ROLES[action])


def require(user: Actor, action: Action, brand_id: int | None = None, *, now: datetime) -> None:
    """Raise Forbidden unless `can(user, action, brand_id, now=now)`.

    :raises Forbidden: with a message saying who may do it, or until when she is suspended.
    """
    if can(user, action, brand_id, now=now):
        return
    member = signed_in(user)
    if member is not None and (
        member.status is UserStatus.SUSPENDED or is_restricted(member, now=now)
    ):
        raise Forbidden(suspended_message(user, now=now))
    raise Forbidden(DENIED_MESSAGES.get(action, "You don't have permission to do that."))


def moderated_brands(user: Actor, *, now: datetime) -> frozenset[int] | None:
    """The brands whose queue and log `user` may work: None means every brand (admins)."""
    return brands_where(user, Action.CONTENT_MODERATE, now=now)


def brands_where(user: Actor, action: Action, *, now: datetime) -> frozenset[int] | None:
    """The brands where `user` may do `action` through a role: None means every brand
    (site admins); empty when she may not act at all (signed out, suspended, banned)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.is_admin and can(user, action, now=now):
        return None
    if not can(user, Action.CONTENT_FLAG, now=now):  # suspended, banned or deleted
        return frozenset()
    roles_in(user, 0)  # load (and cache) her roles in every brand, in one query
    cached: dict[int, frozenset[Role]] = user.__dict__.get(_CACHE_ATTRIBUTE, {})
    allowed = ALLOWED_ROLES[action]
    return frozenset(brand for brand, roles in cached.items() if roles & allowed)


def holds(user: Actor, brand_id: int, *roles: Role) -> bool:
    """Whether `user` really holds one of `roles` in the brand (admins do not count).

    For what a role *marks* rather than allows: a reply is official because its author
    is the brand's staff, not because a site admin could have written it.
    """
    return bool(roles_in(user, brand_id) & set(roles))


@dataclass(frozen=True)
class OnlyHerself:
    """Who besides the member may act on her account, and what each refusal says.

    One rule ("only the member herself") with the words and exceptions of each place that
    applies it; the cases are the constants below, so a new page picks one rather than
    writing the check again.
    """

    # Forbidden, to anyone else (and to nobody signed in, unless `signed_out` says more).
    refusal: str
    # Forbidden, to a visitor who is not signed in; None: the refusal.
    signed_out: str | None = None
    # Raised when her account is already deleted; None: not checked.
    deleted: tuple[type[DomainError], str] | None = None
    # A site admin may act for her (Action.ACCOUNT_EDIT_ANY).
    admin: bool = False
    # The operator at the command line (SYSTEM) may act for her.
    operator: bool = False


# Her profile: she or a site admin.
OWN_ACCOUNT: Final = OnlyHerself("You can only change your own account.", admin=True)
# Her password: she alone, even against an admin.
OWN_PASSWORD: Final = OnlyHerself("You can only change your own password.")
# Her email address's confirmation link: she, or a site admin sending her a new one.
OWN_ADDRESS: Final = OnlyHerself("You can only confirm your own address.", admin=True)
# Her data: the privacy page, the export, deleting the account (a second deletion is a 409).
OWN_DATA: Final = OnlyHerself(
    "You can only do this for your own account.",
    deleted=(Conflict, "This account was already deleted."),
)
# Her contact choices: she, or the operator (recording an opt-out as an account is erased);
# a deleted member has none (404).
OWN_CONTACT_CHOICES: Final = OnlyHerself(
    "Only the member can change how they are contacted.",
    signed_out="Log in to choose how we contact you.",
    deleted=(NotFound, "There is no such member."),
    operator=True,
)


def require_self(
    actor: Actor, member: User, rule: OnlyHerself, *, now: datetime | None = None
) -> None:
    """Refuse anyone but `member` herself, and those `rule` lets act for her.

    `now` is needed by a rule that lets a site admin act for her (a suspended admin may
    not); the others never read it.

    :raises Forbidden: the actor is someone else (or nobody), with the rule's words.
    :raises DomainError: the rule's `deleted` error, when her account is deleted.
    """
    if rule.admin and now is None:
        raise TypeError("require_self needs now= for a rule that lets a site admin act")
    if rule.operator and actor is SYSTEM:
        pass
    elif rule.signed_out is not None and not getattr(actor, "is_authenticated", False):
        raise Forbidden(rule.signed_out)
    elif getattr(actor, "id", None) != member.id and not (
        rule.admin and now is not None and can(actor, Action.ACCOUNT_EDIT_ANY, now=now)
    ):
        raise Forbidden(rule.refusal)
    if rule.deleted is not None and member.status is UserStatus.DELETED:
        error, message = rule.deleted
        raise error(message)
