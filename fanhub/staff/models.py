"""Claims: a staff member says "I'm on it" so two people don't answer the same customer."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanhub.db import UTCDateTime, str_enum, utcnow
from fanhub.extensions import Model
from fanhub.forums.models import Topic
from fanhub.reviews.models import Review

if TYPE_CHECKING:
    from fanhub.accounts.models import User

CLAIM_MINUTES = 60


class ClaimTarget(enum.StrEnum):
    TOPIC = "topic"
    REVIEW = "review"


class Claim(Model):
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


# The desk's queue reads the oldest waiting questions and the lowest-rated unanswered
# reviews of one brand. Partial indexes hold only what waits (SQLite and PostgreSQL both
# have them), in the order the desk lists it, so a page is an index range that stops after
# 30 rows instead of sorting the thousands waiting in a big brand (12.7 ms -> 0.3 ms for
# the reviews on the large data set, see docs/performance.md).
WAITING_TOPIC = "first_official_reply_at IS NULL"
WAITING_REVIEW = "status = 'published' AND answered_at IS NULL"
Index(
    "ix_topics_brand_waiting",
    Topic.brand_id,
    Topic.created_at,
    Topic.id,
    sqlite_where=text(WAITING_TOPIC),
    postgresql_where=text(WAITING_TOPIC),
)
Index(
    "ix_reviews_brand_waiting",
    Review.brand_id,
    Review.stars,
    Review.created_at,
    Review.id,
    sqlite_where=text(WAITING_REVIEW),
    postgresql_where=text(WAITING_REVIEW),
)
