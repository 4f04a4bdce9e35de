"""Claims: a staff member says "I'm on it" so two people don't answer the same customer;
and marks: "no reply needed" takes an item off the desk's queue, with the reason kept."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, exists, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanhub.db import UTCDateTime, str_enum, utcnow
from fanhub.extensions import Model
from fanhub.forums.models import Topic
from fanhub.reviews.models import Review

if TYPE_CHECKING:
    from fanhub.accounts.models import User

CLAIM_MINUTES = 60
# Why no reply is needed, in a few words ("a 5-star thank-you").
NO_REPLY_REASON_MAX = 200


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


class NoReplyNeeded(Model):
    """A staff member decided a waiting topic or review needs no answer (issue 13): it
    leaves the desk's queue and the metrics count it apart, until someone undoes it."""

    __tablename__ = "no_reply_marks"
    # One mark per item, as one claim: the second person to mark it finds the first.
    __table_args__ = (
        UniqueConstraint("target_kind", "target_id"),
        Index("ix_no_reply_marks_brand_marked", "brand_id", "marked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    target_kind: Mapped[ClaimTarget] = mapped_column(str_enum(ClaimTarget, "no_reply_target"))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(NO_REPLY_REASON_MAX))
    # Who decided; the mark outlives her account (the decision was the brand's).
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)


def marked_no_reply(kind: ClaimTarget, target_id: Any) -> Any:
    """SQL: the item of `kind` whose id is the column `target_id` is marked "no reply
    needed" (the queue leaves it out, the metrics count it apart)."""
    return exists().where(NoReplyNeeded.target_kind == kind, NoReplyNeeded.target_id == target_id)


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
