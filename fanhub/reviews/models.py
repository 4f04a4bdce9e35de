"""Products, reviews, helpful votes, review replies and the history of every edit."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fanhub.db import UTCDateTime, str_enum, utcnow
from fanhub.extensions import Model

if TYPE_CHECKING:
    from fanhub.accounts.models import User
    from fanhub.brands.models import Brand

PRODUCT_NAME_MAX = 120
PRODUCT_DESCRIPTION_MAX = 5_000
PRODUCT_SLUG_MAX = 80
PRODUCT_SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$"
# What shops use as product ids: letters, digits and . _ - (so it sits in a URL as is).
SKU_MAX = 64
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
IMAGE_URL_MAX = 500
REVIEW_TITLE_MAX = 120
REVIEW_BODY_MIN = 20
REVIEW_BODY_MAX = 10_000
REPLY_BODY_MAX = 5_000
MODERATION_NOTE_MAX = 500
REVIEWS_PER_PAGE = 10
STARS = (1, 2, 3, 4, 5)


class ReviewStatus(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    REMOVED = "removed"
    # Flagged by enough members, or hidden by a moderator, until one decides (issue 5).
    HIDDEN = "hidden"


class ReplyStatus(enum.StrEnum):
    """Whether a reply under a review shows; moderation moves it (fanhub.moderation)."""

    VISIBLE = "visible"
    PENDING = "pending"
    HIDDEN = "hidden"
    REMOVED = "removed"


class ReviewRule(enum.StrEnum):
    """Why a review was rejected or removed, told to its author."""

    NOT_ABOUT_PRODUCT = "not_about_product"
    ABUSE = "abuse"
    SPAM = "spam"
    PERSONAL_DATA = "personal_data"
    CONFLICT_OF_INTEREST = "conflict_of_interest"
    OTHER = "other"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS: dict[ReviewRule, str] = {
    ReviewRule.NOT_ABOUT_PRODUCT: "Not about the product or an experience with it",
    ReviewRule.ABUSE: "Abusive, hateful or threatening",
    ReviewRule.SPAM: "Spam or advertising",
    ReviewRule.PERSONAL_DATA: "Shares someone's personal data",
    ReviewRule.CONFLICT_OF_INTEREST: "Written by someone with a stake in the brand",
    ReviewRule.OTHER: "Breaks the community guidelines",
}


class Product(Model):
    """Something a brand sells, with its rating kept as exact counters in the row."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("brand_id", "slug"),
        UniqueConstraint("brand_id", "sku"),
        CheckConstraint(
            "rating_count = stars_1 + stars_2 + stars_3 + stars_4 + stars_5",
            name="rating_count_is_histogram_total",
        ),
        CheckConstraint(
            "rating_sum = stars_1 + 2 * stars_2 + 3 * stars_3 + 4 * stars_4 + 5 * stars_5",
            name="rating_sum_is_histogram_total",
        ),
        CheckConstraint(
            "stars_1 >= 0 AND stars_2 >= 0 AND stars_3 >= 0 AND stars_4 >= 0 AND stars_5 >= 0",
            name="histogram_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(PRODUCT_SLUG_MAX))
    sku: Mapped[str] = mapped_column(String(SKU_MAX))
    name: Mapped[str] = mapped_column(String(PRODUCT_NAME_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    # https only, checked on write: the widget shows it on shops served over https.
    image_url: Mapped[str] = mapped_column(String(IMAGE_URL_MAX), default="")
    # Published reviews only, moved in SQL with every publish, edit, rejection and removal.
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    stars_1: Mapped[int] = mapped_column(Integer, default=0)
    stars_2: Mapped[int] = mapped_column(Integer, default=0)
    stars_3: Mapped[int] = mapped_column(Integer, default=0)
    stars_4: Mapped[int] = mapped_column(Integer, default=0)
    stars_5: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    brand: Mapped[Brand] = relationship("Brand", lazy="raise")

    @property
    def average(self) -> float | None:
        """The mean rating to one decimal, or None before the first published review."""
        if not self.rating_count:
            return None
        return round(self.rating_sum / self.rating_count + 1e-9, 1)

    @property
    def histogram(self) -> dict[int, int]:
        """Published reviews per star, five stars first."""
        return {stars: getattr(self, f"stars_{stars}") for stars in reversed(STARS)}


class Review(Model):
    """One member's rating and words about one product (one per member per product)."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("product_id", "author_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        CheckConstraint("helpful_count >= 0", name="helpful_count_positive"),
        # The product page's sorts: most helpful, newest, and by stars (both ways).
        Index("ix_reviews_product_helpful", "product_id", "status", "helpful_count", "id"),
        Index("ix_reviews_product_stars", "product_id", "status", "stars", "id"),
        Index("ix_reviews_product_newest", "product_id", "status", "id"),
        # Staff's queue of reviews without an answer, lowest rating first.
        Index("ix_reviews_brand_unanswered", "brand_id", "status", "answered_at", "stars"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    # Copied from the product so the brand's queues need no join.
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    # NULL once the author's account is deleted with her reviews kept.
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    stars: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(REVIEW_TITLE_MAX), default="")
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[ReviewStatus] = mapped_column(str_enum(ReviewStatus, "review_status"))
    is_verified_purchase: Mapped[bool] = mapped_column(Boolean, default=False)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    edit_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The brand's answer: when it first came, and the latest one (shown under the review).
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    latest_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_replies.id", ondelete="SET NULL", use_alter=True)
    )
    # Closing the loop: staff mark the conversation resolved and invite a new rating.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last change of rating, shown on the review ("updated from 2 to 4 stars").
    previous_stars: Mapped[int | None] = mapped_column(Integer)
    stars_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stars_changed_after_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why a moderator rejected or removed it, told to the author.
    moderation_rule: Mapped[ReviewRule | None] = mapped_column(str_enum(ReviewRule, "review_rule"))
    moderation_note: Mapped[str] = mapped_column(String(MODERATION_NOTE_MAX), default="")
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    product: Mapped[Product] = relationship(lazy="raise")
    author: Mapped[User | None] = relationship("User", lazy="raise")
    latest_answer: Mapped[ReviewReply | None] = relationship(
        foreign_keys=[latest_answer_id], lazy="raise", post_update=True
    )

    @property
    def is_published(self) -> bool:
        return self.status is ReviewStatus.PUBLISHED


class ReviewRevision(Model):
    """What a review said before one edit; its history is public, like a post's."""

    __tablename__ = "review_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(REVIEW_TITLE_MAX), default="")
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # When this version was replaced by the next one.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewVote(Model):
    """One member found one review helpful (counted in Review.helpful_count)."""

    __tablename__ = "review_votes"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReviewReply(Model):
    """A message under a review: the brand's official answer, or a member's reply."""

    __tablename__ = "review_replies"
    __table_args__ = (Index("ix_review_replies_review", "review_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ReplyStatus] = mapped_column(
        str_enum(ReplyStatus, "reply_status"), default=ReplyStatus.VISIBLE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship("User", lazy="raise")
