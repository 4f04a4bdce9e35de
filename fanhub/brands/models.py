"""Brands and who holds which role in them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanhub.accounts.models import EMAIL_MAX
from fanhub.db import UTCDateTime, append_only, str_enum, utcnow
from fanhub.extensions import Model

if TYPE_CHECKING:
    from fanhub.accounts.models import User

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$"
SLUG_MAX = 50
NAME_MAX = 80
TAGLINE_MAX = 160
DESCRIPTION_MAX = 10_000
COLOR_PATTERN = r"^#[0-9a-f]{6}$"
DEFAULT_ACCENT = "#5b3df5"


class Role(enum.StrEnum):
    OWNER = "owner"
    STAFF = "staff"
    MODERATOR = "moderator"


class Brand(Model):
    """A brand's home on fanhub: its fan page, forums and products hang off it."""

    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    tagline: Mapped[str] = mapped_column(String(TAGLINE_MAX), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    # Checked against COLOR_PATTERN on write, so templates may put it in a style sheet.
    accent_color: Mapped[str] = mapped_column(String(7), default=DEFAULT_ACCENT)
    follower_count: Mapped[int] = mapped_column(Integer, default=0)
    # When on, reviews by members at trust level 0 wait for a moderator before they count.
    premoderate_new_members: Mapped[bool] = mapped_column(Boolean, default=False)
    # Origins (scheme://host[:port], space separated) that may frame the review widget;
    # empty means any site may.
    widget_origins: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Closed by a site admin (issue 13): off the directory, read-only for everyone but site
    # admins (fanhub.brands.services.lifecycle.require_open); NULL while open.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    roles: Mapped[list[BrandRole]] = relationship(
        back_populates="brand", cascade="all, delete-orphan", lazy="raise"
    )

    @property
    def accent_text_color(self) -> str:
        """Black or white, whichever reads better on the accent colour (WCAG luminance)."""
        channels = [int(self.accent_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        # Contrast with white is 1.05 / (L + 0.05); with black, (L + 0.05) / 0.05.
        return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def __repr__(self) -> str:
        return f"<Brand {self.slug}>"


class BrandRole(Model):
    """One role one person holds in one brand (a person may hold several)."""

    __tablename__ = "brand_roles"
    __table_args__ = (UniqueConstraint("user_id", "brand_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "brand_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship("User", back_populates="brand_roles", lazy="raise")
    brand: Mapped[Brand] = relationship(back_populates="roles", lazy="raise")


class Follow(Model):
    """A member is a fan of a brand (counted in Brand.follower_count)."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "brand_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Product news and offers: a title and a line of text (issue 6), sent or scheduled (issue 13).
NEWS_TITLE_MAX = 80
NEWS_BODY_MAX = 200
# The zone a scheduled send was written in (an IANA name such as "Europe/Paris").
TIME_ZONE_MAX = 64


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


class TeamInvitation(Model):
    """An owner's invitation to join the brand's team in a role, sent by email with a
    single-use signed link; it ends accepted, declined or revoked, or it expires."""

    __tablename__ = "team_invitations"
    __table_args__ = (Index("ix_team_invitations_brand_id_status", "brand_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(str_enum(Role, "team_invitation_role"))
    # The address the link went to: only the account with it (or the member named) accepts.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX))
    # The member it names, when she had an account as it was sent (by username or address).
    invitee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[InvitationStatus] = mapped_column(
        str_enum(InvitationStatus, "team_invitation_status"), default=InvitationStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When, and by whom, it was accepted, declined or revoked.
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    brand: Mapped[Brand] = relationship(lazy="raise")
    invitee: Mapped[User | None] = relationship("User", foreign_keys=[invitee_id], lazy="raise")

    def is_open(self, now: datetime) -> bool:
        """Still waiting for an answer at `now`: pending and not expired."""
        return self.status is InvitationStatus.PENDING and now < self.expires_at


class TeamChange(enum.StrEnum):
    """What happened to a brand's team, as its history lists it."""

    APPOINTED = "appointed"
    INVITED = "invited"
    INVITATION_REVOKED = "revoked"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ROLE_CHANGED = "role_changed"
    REMOVED = "removed"


class TeamEvent(Model):
    """One change to a brand's team, who made it and when: append-only, shown on the team
    page (the site's moderation log sits above the brands, so the team keeps its own)."""

    __tablename__ = "team_events"
    __table_args__ = (Index("ix_team_events_brand_id_id", "brand_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    change: Mapped[TeamChange] = mapped_column(str_enum(TeamChange, "team_change"))
    # Who did it: NULL for the command line (or an account since gone).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Whom it concerned, when that is a member; an invitation by address names its invitation.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("team_invitations.id", ondelete="SET NULL")
    )
    # The role concerned (the new one, for a change), and the one it replaced.
    role: Mapped[Role] = mapped_column(str_enum(Role, "team_event_role"))
    old_role: Mapped[Role | None] = mapped_column(str_enum(Role, "team_event_old_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship("User", foreign_keys=[actor_id], lazy="raise")
    member: Mapped[User | None] = relationship("User", foreign_keys=[member_id], lazy="raise")
    invitation: Mapped[TeamInvitation | None] = relationship(lazy="raise")


append_only(TeamEvent, "The team's history")


class NewsStatus(enum.StrEnum):
    """A draft, until it is sent or scheduled; a cancelled schedule makes it a draft again."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENT = "sent"


class BrandNews(Model):
    """One piece of product news or an offer: a draft, then sent at once or scheduled (and
    then sent by `flask send-scheduled-news`, unless cancelled before it goes)."""

    __tablename__ = "brand_news"
    __table_args__ = (
        Index("ix_brand_news_brand_id_id", "brand_id", "id"),
        # The worker's question: what scheduled news is due.
        Index("ix_brand_news_status_send_at", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Who sent it, or scheduled it (the one its followers hear it from).
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(NEWS_TITLE_MAX))
    body: Mapped[str] = mapped_column(String(NEWS_BODY_MAX), default="")
    # The product it links to; NULL for the fan page (or a product since deleted).
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    status: Mapped[NewsStatus] = mapped_column(
        str_enum(NewsStatus, "brand_news_status"), default=NewsStatus.DRAFT
    )
    # A scheduled send: when (UTC), and the zone she wrote the time in.
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    time_zone: Mapped[str | None] = mapped_column(String(TIME_ZONE_MAX))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Followers told (on the site, by email or in a digest), and of them emailed at once.
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    emailed_count: Mapped[int] = mapped_column(Integer, default=0)
    # Test sends to the author herself, counted against TEST_SENDS_MAX.
    test_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sender: Mapped[User | None] = relationship("User", foreign_keys=[sender_id], lazy="raise")

    @property
    def local_send_at(self) -> datetime | None:
        """A scheduled send's time on the clocks of the zone it was written in."""
        if self.send_at is None:
            return None
        return self.send_at.astimezone(ZoneInfo(self.time_zone or "UTC"))


class BrandNewsEmail(Model):
    """An outbox email that carried one send of news: the history's delivery counts."""

    __tablename__ = "brand_news_emails"

    email_id: Mapped[int] = mapped_column(
        ForeignKey("outbound_emails.id", ondelete="CASCADE"), primary_key=True
    )
    news_id: Mapped[int] = mapped_column(
        ForeignKey("brand_news.id", ondelete="CASCADE"), index=True
    )
