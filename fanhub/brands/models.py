"""Brands and who holds which role in them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanhub.db import UTCDateTime, str_enum, utcnow
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
