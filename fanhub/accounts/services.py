"""Account rules: who may register with what, logging in, tokens, profiles, passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from fanhub.accounts.models import (
    BIO_MAX,
    DISPLAY_NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    SIGN_IN_AGENT_MAX,
    SIGN_IN_IP_MAX,
    SIGN_INS_KEPT,
    USERNAME_PATTERN,
    SignIn,
    SiteInvitation,
    User,
    UserStatus,
)
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.inputs import MAX_ID, parse_int
from fanhub.links import absolute_url, site_path
from fanhub.notifications.services import queue_email
from fanhub.permissions import (
    OWN_ACCOUNT,
    OWN_ADDRESS,
    OWN_PASSWORD,
    Actor,
    ban_ends,
    banned_message,
    is_restricted,
    require_self,
    suspended_message,
)
from fanhub.text import RenderedText, mention_candidates, render_text
from fanhub.tokens import load_token, serializer, token_id, token_text

LOGIN_FAILED = "Invalid login or password."
INVITATION_USED = "This invitation has already been used. If it was you, log in instead."
VERIFY_SALT = "fanhub.verify-email"
RESET_SALT = "fanhub.password-reset"
# zxcvbn scores 0-4; below 2 means guessable in well under a day of online guessing.
MIN_PASSWORD_SCORE = 2


@dataclass(frozen=True)
class RegistrationDraft:
    username: str
    email: str
    password: str


@dataclass(frozen=True)
class ProfileDraft:
    display_name: str
    bio: str


def normalise_username(raw: str) -> str:
    """Usernames are compared and stored lower-case."""
    return raw.strip().lower()


def normalise_email(raw: str) -> str:
    """Return the address in the one form we store and compare.

    :raises Invalid: the address is not a valid email address.
    """
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise Invalid("Enter a valid email address.", field="email") from None
    return checked.normalized.lower()


def check_username(username: str) -> None:
    """:raises Invalid: the username breaks the format rule."""
    if not re.fullmatch(USERNAME_PATTERN, username):
        raise Invalid(
            "Usernames are 3–30 characters: lower-case letters, digits, '_' and '-'.",
            field="username",
        )


def check_password(
    password: str, *, related: tuple[str, ...] = (), field: str = "password"
) -> None:
    """:raises Invalid: the password is too short, too long or too easy to guess."""
    if len(password) < PASSWORD_MIN:
        raise Invalid(f"Use at least {PASSWORD_MIN} characters.", field=field)
    if len(password) > PASSWORD_MAX:
        raise Invalid(f"Use at most {PASSWORD_MAX} characters.", field=field)
    verdict = zxcvbn(password, user_inputs=[value for value in related if value])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        hint = verdict["feedback"].get("warning") or "It is too easy to guess."
        raise Invalid(f"Choose a less common password. {hint}".strip(), field=field)


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_registration(draft: RegistrationDraft) -> tuple[str, str]:
    """The normalised username and email of a registration whose fields all keep their rules.

    :raises Invalid: naming the first field that breaks its rule, with the others in `also`.
    """
    problems: dict[str, str] = {}
    username = normalise_username(draft.username)
    email = ""
    try:
        check_username(username)
    except Invalid as err:
        problems["username"] = err.message
    try:
        email = normalise_email(draft.email)
    except Invalid as err:
        problems["email"] = err.message
    try:
        check_password(draft.password, related=(username, email, email.split("@")[0]))
    except Invalid as err:
        problems["password"] = err.message
    if problems:
        (field, message), *rest = problems.items()
        raise Invalid(message, field=field, also=dict(rest))
    return username, email


def register(
    draft: RegistrationDraft,
    *,
    now: datetime,
    is_admin: bool = False,
    verified: bool = False,
    invitation: SiteInvitation | None = None,
) -> User:
    """Create a member account and queue the email that confirms her address.

    Whether she may register at all (open registration, or by invitation) is the door's
    rule, `fanhub.accounts.invitations.join`; the operator's `create-user` needs none.
    `invitation`, when she came with one, is used up in the same transaction.

    :raises Invalid: a field breaks its rule (the error names the field).
    :raises Conflict: the username or email is taken, even by someone registering
        at the same instant; or the invitation was used meanwhile.
    """
    username, email = check_registration(draft)
    taken = db.session.execute(
        select(User.username, User.email).where(or_(User.username == username, User.email == email))
    ).first()
    if taken is not None:
        raise _taken_error("username" if taken.username == username else "email")
    user = User(
        username=username,
        email=email,
        password_hash=_hash(draft.password),
        display_name="",
        bio="",
        status=UserStatus.ACTIVE,
        is_admin=is_admin,
        trust_level=0,
        created_at=now,
        email_verified_at=now if verified else None,
    )
    with transaction():
        db.session.add(user)
        try:
            # Meet the unique indexes now: the pre-check above can lose a race.
            db.session.flush()
        except IntegrityError as err:
            raise _taken_error(
                "email" if "email" in str(err.orig).lower() else "username"
            ) from None
        if invitation is not None:
            _use_invitation(invitation, user, now=now)
        if not verified:
            _queue_verification(user, now=now)
    return user


def _use_invitation(invitation: SiteInvitation, user: User, *, now: datetime) -> None:
    # In SQL, and only while unused: the same link posted twice at once makes one account.
    used = db.session.execute(
        update(SiteInvitation)
        .where(SiteInvitation.id == invitation.id, SiteInvitation.used_at.is_(None))
        .values(used_at=now, used_by_id=user.id, email="")
        .execution_options(synchronize_session=False)
    )
    if rows_changed(used) != 1:
        raise Conflict(INVITATION_USED)


def _taken_error(field: str) -> Conflict:
    if field == "email":
        return Conflict("An account with this email already exists. Try logging in.", field="email")
    return Conflict("That username is taken. Please choose another.", field="username")


def authenticate(
    login: str, password: str, *, now: datetime, ip: str = "", user_agent: str = ""
) -> User:
    """Return the member whose username or email and password match, and record the
    sign-in (when, from which address and browser, as the caller saw them): her last
    SIGN_INS_KEPT are kept, for her and the site admins to spot one that wasn't her.

    :raises Invalid: no such member, wrong password, or a deleted account: the same
        message for each, so the form does not reveal which accounts exist.
    :raises Forbidden: the member is banned (the message says until when, and why).
    """
    key = login.strip().lower()
    user = db.session.scalars(
        select(User).where(or_(User.username == key, User.email == key))
    ).first()
    if user is None or user.status is UserStatus.DELETED:
        # Spend the same time as a real check, so timing does not reveal members.
        check_password_hash(_dummy_hash(), password)
        raise Invalid(LOGIN_FAILED)
    if not check_password_hash(user.password_hash, password):
        raise Invalid(LOGIN_FAILED)
    # Only after the password matched: the ban is hers to know, not anyone's who guesses.
    if ban_ends(user, now=now) is not None:
        raise Forbidden(banned_message(user, now=now))
    with transaction():
        user.last_login_at = now
        db.session.add(
            SignIn(
                user_id=user.id,
                signed_in_at=now,
                ip=ip[:SIGN_IN_IP_MAX],
                user_agent=" ".join(user_agent.split())[:SIGN_IN_AGENT_MAX],
            )
        )
        db.session.flush()  # the new one counts among the kept, so it is never pruned
        kept = (
            select(SignIn.id)
            .where(SignIn.user_id == user.id)
            .order_by(SignIn.id.desc())
            .limit(SIGN_INS_KEPT)
        )
        db.session.execute(
            delete(SignIn).where(
                SignIn.user_id == user.id, SignIn.id.not_in(kept.scalar_subquery())
            )
        )
    return user


def _dummy_hash() -> str:
    cached = current_app.extensions.get("fanhub.dummy_hash")
    if cached is None:
        cached = _hash("not-a-real-password-just-timing")
        current_app.extensions["fanhub.dummy_hash"] = cached
    return cached


def load_session_user(session_id: str, *, now: datetime) -> User | None:
    """The member behind a session id, if it is still valid at `now` (Flask-Login's loader)."""
    if not isinstance(session_id, str):
        return None  # signed by us, but not a shape we ever wrote
    raw_id, _, fingerprint = session_id.partition(":")
    try:
        user_id = parse_int(raw_id, lo=1, hi=MAX_ID)
    except Invalid:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or user.session_fingerprint != fingerprint:
        return None
    # A ban ends her open sessions too, on their next request.
    if ban_ends(user, now=now) is not None:
        return None
    return user


def access_profile(username: str) -> User:
    """The member whose profile `/u/<username>` shows.

    :raises NotFound: no such member, or the account was deleted.
    """
    user = db.session.scalars(
        select(User).where(User.username == normalise_username(username))
    ).first()
    if user is None or user.status is UserStatus.DELETED:
        raise NotFound("There is no member with that name.")
    return user


def update_profile(actor: Actor, user: User, draft: ProfileDraft, *, now: datetime) -> User:
    """Change a member's display name and bio.

    :raises Forbidden: the actor is neither the member nor a site admin, or is the member
        while suspended (her name and bio are public words, like a post).
    :raises Invalid: a field is too long.
    """
    require_self(actor, user, OWN_ACCOUNT, now=now)
    if getattr(actor, "id", None) == user.id and is_restricted(actor, now=now):
        raise Forbidden(suspended_message(actor, now=now))
    display_name = " ".join(draft.display_name.split())
    bio = draft.bio.strip()
    if len(display_name) > DISPLAY_NAME_MAX:
        raise Invalid(f"Use at most {DISPLAY_NAME_MAX} characters.", field="display_name")
    if len(bio) > BIO_MAX:
        raise Invalid(f"Use at most {BIO_MAX} characters.", field="bio")
    with transaction():
        user.display_name = display_name
        user.bio = bio
    return user


def change_password(actor: Actor, user: User, current: str, new: str) -> User:
    """Replace a member's password after checking the current one.

    Signs out her other sessions, because the session id carries a fingerprint of
    the password hash.

    :raises Forbidden: the actor is not the member.
    :raises Invalid: the current password is wrong or the new one breaks the rules.
    """
    require_self(actor, user, OWN_PASSWORD)
    if not check_password_hash(user.password_hash, current):
        raise Invalid("That is not your current password.", field="current_password")
    check_password(new, related=(user.username, user.email), field="new_password")
    with transaction():
        user.password_hash = _hash(new)
    return user


def _token_user(data: dict[str, Any]) -> User:
    user = db.session.get(User, token_id(data, "u"))
    if user is None or user.status is UserStatus.DELETED:
        raise Invalid("This link is not valid any more.")
    return user


def _queue_verification(user: User, *, now: datetime) -> None:
    token = serializer(VERIFY_SALT, now=now).dumps({"u": user.id, "e": user.email})
    link = absolute_url("accounts.verify_email", token=token)
    queue_email(
        to=user.email,
        kind="verify_email",
        subject="Confirm your email address for fanhub",
        template="verify_email",
        now=now,
        user=user,
        link=link,
    )


def resend_verification(actor: Actor, user: User, *, now: datetime) -> None:
    """Queue a fresh confirmation email, at her asking or a site admin's (issue 13).

    :raises Forbidden: the actor is neither the member nor a site admin.
    :raises Conflict: the address is already confirmed, or the account deleted.
    """
    require_self(actor, user, OWN_ADDRESS, now=now)
    if user.status is UserStatus.DELETED:
        raise Conflict("This account was deleted.")
    if user.is_email_verified:
        raise Conflict(
            "Your email address is already confirmed."
            if getattr(actor, "id", None) == user.id
            else f"{user.username}'s email address is already confirmed."
        )
    with transaction():
        _queue_verification(user, now=now)


def check_verification_token(token: str, *, now: datetime) -> User:
    """The member a confirmation link belongs to.

    :raises Invalid: the link is tampered, expired, or for an address she no longer has.
    :raises Conflict: the link was already used.
    """
    data = load_token(token, VERIFY_SALT, current_app.config["EMAIL_TOKEN_MAX_AGE"], now=now)
    user = _token_user(data)
    if token_text(data, "e") != user.email:
        raise Invalid("This link was for an email address you no longer use.")
    if user.is_email_verified:
        raise Conflict("This link has already been used: your address is confirmed.")
    return user


def confirm_email(token: str, *, now: datetime) -> User:
    """Mark the address in a confirmation link as verified (the link then stops working).

    :raises Invalid: see check_verification_token.
    :raises Conflict: the link was already used.
    """
    user = check_verification_token(token, now=now)
    with transaction():
        user.email_verified_at = now
    return user


def request_password_reset(email: str, *, now: datetime) -> None:
    """Email a reset link if an active account has this address; say nothing otherwise.

    The answer is the same either way, so the form cannot be used to find members.
    """
    try:
        address = normalise_email(email)
    except Invalid:
        return
    user = db.session.scalars(select(User).where(User.email == address)).first()
    if user is None or user.status is UserStatus.DELETED:
        return
    token = serializer(RESET_SALT, now=now).dumps({"u": user.id, "p": user.session_fingerprint})
    link = absolute_url("accounts.reset_password", token=token)
    with transaction():
        queue_email(
            to=user.email,
            kind="password_reset",
            subject="Reset your fanhub password",
            template="password_reset",
            now=now,
            user=user,
            link=link,
            minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
        )


def check_reset_token(token: str, *, now: datetime) -> User:
    """The member a reset link belongs to.

    :raises Invalid: the link is tampered, expired, or already used (the password it
        was issued for has changed since).
    """
    data = load_token(token, RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"], now=now)
    user = _token_user(data)
    if token_text(data, "p") != user.session_fingerprint:
        raise Invalid("This link has already been used. Ask for a new one if you need it.")
    return user


def reset_password(token: str, new_password: str, *, now: datetime) -> User:
    """Set a new password through a reset link; the link cannot be used again.

    :raises Invalid: the link is bad (see check_reset_token) or the password breaks a rule.
    """
    user = check_reset_token(token, now=now)
    check_password(new_password, related=(user.username, user.email))
    with transaction():
        user.password_hash = _hash(new_password)
        # Whoever can read her inbox has proved they own the address.
        if user.email_verified_at is None:
            user.email_verified_at = now
    return user


def count_members() -> int:
    """How many accounts exist (for the demo seeder: seed only an empty database)."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0


def render_member_text(body: str) -> RenderedText:
    """Render a member's Markdown (a post, a reply under a review), linking the @mentions
    of members who exist; `mentioned` names them, for notifications."""
    names = mention_candidates(body)
    known: dict[str, str] = {}
    if names:
        for username in db.session.scalars(
            select(User.username).where(User.username.in_(names), User.status != UserStatus.DELETED)
        ):
            known[username] = site_path("accounts.profile", username=username)
    return render_text(body, known)
