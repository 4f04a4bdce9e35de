"""The people who use fanhub."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanhub.db import UTCDateTime, str_enum, utcnow
from fanhub.extensions import Model

if TYPE_CHECKING:
    from fanhub.brands.models import BrandRole

USERNAME_MIN = 3
USERNAME_MAX = 30
USERNAME_PATTERN = r"^[a-z0-9_-]{3,30}$"
EMAIL_MAX = 254
DISPLAY_NAME_MAX = 60
BIO_MAX = 2000
PASSWORD_MIN = 10
PASSWORD_MAX = 200
SANCTION_REASON_MAX = 500
# A sign-in keeps the address and browser it came from, trimmed to these lengths (an IPv6
# address is at most 45 characters as text).
SIGN_IN_IP_MAX = 45
SIGN_IN_AGENT_MAX = 200
# Her last sign-ins kept, for her and the site admins to spot one that wasn't her.
SIGN_INS_KEPT = 20


# How pages, messages and the avatar name an account its member deleted.
DELETED_NAME = "Deleted member"


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DELETED = "deleted"


class User(Model):
    """A member; site admins are members with `is_admin`. Brand roles live in BrandRole."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("trust_level BETWEEN 0 AND 4", name="trust_level_range"),
        CheckConstraint("username = lower(username)", name="username_lowercase"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased (the allowed characters are lower-case), so the unique index
    # is also a case-insensitive one.
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[UserStatus] = mapped_column(
        str_enum(UserStatus, "user_status"),
        default=UserStatus.ACTIVE,
    )
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    trust_level: Mapped[int] = mapped_column(Integer, default=0)
    # Her forum posts anyone can read (published, or approved from the queue), moved in
    # SQL as each is published: level 1 comes with enough of them (fanhub.moderation.trust).
    approved_post_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept in the row (moved in SQL with each notification) so the header costs no query.
    unread_notification_count: Mapped[int] = mapped_column(Integer, default=0)
    # Suspended: may read, not take part, until then. Banned: may not log in, until
    # banned_until (NULL: for good). Both end by the clock alone (fanhub.permissions).
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    banned_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sanction_reason: Mapped[str] = mapped_column(String(SANCTION_REASON_MAX), default="")
    # When she deleted her account (her personal data is erased then; admins see the date).
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    brand_roles: Mapped[list[BrandRole]] = relationship(
        "BrandRole", back_populates="user", cascade="all, delete-orphan", lazy="raise"
    )

    # Flask-Login's protocol, written out so no mixin decides who counts as active.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def is_active(self) -> bool:
        return self.status is not UserStatus.DELETED

    def get_id(self) -> str:
        # The session remembers which password it was opened with: changing or
        # resetting the password signs out every other session and remember-me cookie.
        return f"{self.id}:{self.session_fingerprint}"

    @property
    def session_fingerprint(self) -> str:
        """A short digest of the password hash; never the hash itself in a cookie."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def name(self) -> str:
        """What to call this member on a page: never the placeholder a deletion left."""
        if self.status is UserStatus.DELETED:
            return DELETED_NAME
        return self.display_name or self.username

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class SignIn(Model):
    """One successful sign-in: when, from which address (as the app sees it, behind its
    trusted proxies) and with which browser. Only her last SIGN_INS_KEPT are kept."""

    __tablename__ = "sign_ins"
    __table_args__ = (Index("ix_sign_ins_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(String(SIGN_IN_IP_MAX), default="")
    user_agent: Mapped[str] = mapped_column(String(SIGN_IN_AGENT_MAX), default="")


class SiteInvitation(Model):
    """A site admin's emailed invitation to register while registration is by invitation
    (issue 13): who invited whom and when, and when it was used and by which account. The
    link it sends works once; the address is cleared when it is used (the account holds it
    from then on, and deleting the account must not leave it here)."""

    __tablename__ = "site_invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
