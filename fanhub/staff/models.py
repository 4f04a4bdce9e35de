"""Claims: a staff member says "I'm on it" so two people don't answer the same customer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanhub.db import UTCDateTime, str_enum, utcnow
from fanhub.extensions import db

if TYPE_CHECKING:
    from fanhub.accounts.models import User

CLAIM_MINUTES = 60


class ClaimTarget(enum.StrEnum):
    TOPIC = "topic"
    REVIEW = "review"


class Claim(db.Model):
    """One staff member is answering one topic or review, until `expires_at`."""

    __tablename__ = "claims"
    # One claim per item: a second person claiming finds the first (or takes it over once
    # it has expired, in the same row).
    __table_args__ = (
        UniqueConstraint("target_kind", "target_id"),
        Index("ix_claims_brand_expires", "brand_id", "expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    target_kind: Mapped[ClaimTarget] = mapped_column(str_enum(ClaimTarget, "claim_target"))
    target_id: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    staff: Mapped[User] = relationship("User", lazy="raise")
