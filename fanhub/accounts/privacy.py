"""A member's data rights (issue 6): her privacy page, the export of her data, and the
deletion of her account.

Each domain answers for its own part of her data through the personal-data registry
(`fanhub/personal_data.py`); this module holds what is the account's own and the order of
things.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import delete, select
from werkzeug.security import check_password_hash

from fanhub import personal_data
from fanhub.accounts.models import SignIn, User, UserStatus
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.notifications.personal_data import ConsentLine, consent_record
from fanhub.permissions import OWN_DATA, Actor, forget_roles, require_self
from fanhub.personal_data import Erasure, Records, iso

NOT_HERS = "That password is not right."
# Matches no password (werkzeug hashes always hold "$"), so nobody can log in as her.
LOCKED_HASH = "!"
PROFILE = "profile.json"
# The account's own: her last sign-ins (issue 13).
SIGN_INS = "sign_ins.json"
# The order her export's files have always come in (README.txt lists them so); a file a
# domain adds later follows them, in the registry's order.
FILE_ORDER = (
    PROFILE,
    "topics.json",
    "posts.json",
    "reviews.json",
    "review_replies.json",
    "votes.json",
    "reactions.json",
    "follows.json",
    "watches.json",
    "preferences.json",
    "consent_events.json",
    "notifications.json",
    "flags.json",
    "moderation_decisions.json",
    SIGN_INS,
)


@dataclass(frozen=True)
class DeletionPlan:
    """What deleting her account would do, counted now, shown before she confirms.

    Each domain's part of the registry fills in its own fields (`PersonalData.plan`).
    """

    # Brands where she is owner or moderator: refused until handed over.
    blocking_brands: list[str] = field(default_factory=list)
    staff_brands: list[str] = field(default_factory=list)  # whose staff she leaves
    topics: int = 0
    posts: int = 0
    reviews: int = 0
    review_replies: int = 0
    follows: int = 0

    @property
    def allowed(self) -> bool:
        return not self.blocking_brands


@dataclass
class PrivacyPage:
    user: User
    consent: list[ConsentLine] = field(default_factory=list)
    plan: DeletionPlan | None = None


def privacy_page(actor: Actor, user: User) -> PrivacyPage:
    """Her privacy page: her consent record (newest first) and what deletion would do.

    :raises Forbidden: the actor is not the member.
    """
    require_self(actor, user, OWN_DATA)
    return PrivacyPage(user=user, consent=consent_record(user.id), plan=deletion_plan(user))


def deletion_plan(user: User) -> DeletionPlan:
    """What deleting this account would do, in a few counting queries."""
    fields: dict[str, Any] = {}
    for part in personal_data.parts():
        fields.update(part.plan(user.id))
    return DeletionPlan(**fields)


def export_filename(user: User, *, now: datetime) -> str:
    """The name her download is saved under."""
    return f"fanhub-{user.username}-{now.date().isoformat()}.zip"


def export_member_data(actor: Actor, user: User) -> bytes:
    """Everything fanhub holds about her, as a zip of JSON files (one per kind of data).

    Only her own rows: another member's words never appear (a topic she replied in is named
    by its id and title only). Each table is read with one query, in batches.

    :raises Forbidden: the actor is not the member (not even a site admin may take it).
    :raises Conflict: the account was deleted.
    """
    require_self(actor, user, OWN_DATA)
    files = export_files()
    # Each part's records are read only as they are written, file after file.
    contributions: dict[str, list[Records]] = {SIGN_INS: [_sign_in_records(user.id)]}
    for part in personal_data.parts():
        for name, rows in part.export(user.id):
            contributions.setdefault(name, []).append(rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _readme(files))
        archive.writestr(PROFILE, _dumps(_profile(user)))
        for name in files:
            if name != PROFILE:
                with archive.open(name, "w") as out:
                    _write_array(out, chain.from_iterable(contributions.get(name, ())))
    return buffer.getvalue()


def export_files() -> dict[str, str]:
    """Her export's JSON files in the order they are written, each with what it holds."""
    described: dict[str, list[str]] = {
        PROFILE: ["your account (never your password)"],
        SIGN_INS: ["your last sign-ins: when, from which address, with which browser"],
    }
    for part in personal_data.parts():
        for name, what in part.files.items():
            described.setdefault(name, []).append(what)
    return {name: " and ".join(described[name]) for name in sorted(described, key=_place)}


def _place(name: str) -> int:
    return FILE_ORDER.index(name) if name in FILE_ORDER else len(FILE_ORDER)


def _readme(files: dict[str, str]) -> str:
    lines = "".join(f"{name:<25} {what}\n" for name, what in files.items())
    return f"This is everything fanhub holds about you, as JSON files:\n\n{lines}"


def _profile(user: User) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "email_verified_at": iso(user.email_verified_at),
        "display_name": user.display_name,
        "bio": user.bio,
        "status": user.status.value,
        "is_admin": user.is_admin,
        "trust_level": user.trust_level,
        "created_at": iso(user.created_at),
        "last_login_at": iso(user.last_login_at),
        "suspended_until": iso(user.suspended_until),
        "banned_at": iso(user.banned_at),
        "banned_until": iso(user.banned_until),
        "sanction_reason": user.sanction_reason,
    }
    for part in personal_data.parts():
        profile.update(part.profile(user.id))
    return profile


def _sign_in_records(user_id: int) -> Records:
    return personal_data.records(
        select(SignIn.signed_in_at.label("at"), SignIn.ip, SignIn.user_agent)
        .where(SignIn.user_id == user_id)
        .order_by(SignIn.id)
    )


def _write_array(out: Any, rows: Iterable[dict[str, Any]]) -> None:
    """Write rows as one JSON array, a row at a time (never the whole list in memory)."""
    out.write(b"[")
    for index, row in enumerate(rows):
        out.write(b"," if index else b"")
        out.write(b"\n  " + _dumps(row, indent=None))
    out.write(b"\n]\n")


def _dumps(value: Any, indent: int | None = 2) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=indent).encode()


@dataclass(frozen=True)
class DeletionReport:
    """What deleting her account did, for the goodbye page."""

    removed_content: bool
    posts: int
    reviews: int
    review_replies: int
    follows: int
    staff_brands: list[str]


def delete_account(
    actor: Actor, user: User, password: str, remove_content: bool, *, now: datetime
) -> DeletionReport:
    """Erase her personal data and close her account, in one transaction.

    Her name, email, bio and password go; so do her preferences, follows (each brand's
    fan count moves), watches, notifications, sign-ins and the emails waiting for her.
    A staff role ends with the account. Her posts and reviews stay, shown as by a deleted member, or
    with `remove_content` are removed as she would remove each one, every counter and
    rating moving with them. Her consent record stays, closed by a last opt-out; her flags
    and the moderation log stay, as the community's record. Each domain's part of the
    registry erases its own (`PersonalData.erase`).

    :raises Forbidden: the actor is not the member.
    :raises Conflict: already deleted, or she is the owner or a moderator of a brand.
    :raises Invalid: the password is not hers.
    """
    require_self(actor, user, OWN_DATA)
    if not check_password_hash(user.password_hash, password):
        raise Invalid(NOT_HERS, field="password")
    plan = deletion_plan(user)
    if not plan.allowed:
        raise Conflict(
            f"You are the owner or a moderator of {_names(plan.blocking_brands)}: "
            "hand the role over to someone else first, then delete your account."
        )
    uid = user.id
    erasure = Erasure(user=user, remove_content=remove_content, now=now)
    with transaction():
        for part in personal_data.parts():
            part.erase(erasure)
        db.session.execute(delete(SignIn).where(SignIn.user_id == uid))
        user.username = f"deleted.{uid}"  # the dot keeps it out of any registrable name
        user.email = f"deleted-{uid}@deleted.invalid"  # .invalid: never a real address
        user.display_name = ""
        user.bio = ""
        # The session fingerprint changes with the hash: every session and remember-me
        # cookie of hers ends.
        user.password_hash = LOCKED_HASH
        user.is_admin = False
        user.status = UserStatus.DELETED
        user.deleted_at = now
        user.email_verified_at = None
        user.last_login_at = None
        user.sanction_reason = ""
        user.unread_notification_count = 0
    forget_roles(user)
    erasure.committed()
    return DeletionReport(
        removed_content=remove_content,
        posts=plan.posts,
        reviews=plan.reviews,
        review_replies=plan.review_replies,
        follows=plan.follows,
        staff_brands=plan.staff_brands,
    )


def _names(brands: list[str]) -> str:
    return brands[0] if len(brands) == 1 else ", ".join(brands[:-1]) + " and " + brands[-1]


def access_profile_as(viewer: Actor, username: str) -> User:
    """The member `/u/<username>` shows to this viewer: a deleted account only to site
    admins, who see that it was deleted and when, nothing it held.

    :raises NotFound: no such member, or a deleted one and the viewer is not a site admin.
    """
    user = db.session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None or (
        user.status is UserStatus.DELETED and not getattr(viewer, "is_admin", False)
    ):
        raise NotFound("There is no member with that name.")
    return user
