"""Categories, topics, posts and what members attach to them (reactions, votes, watches)."""

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

TITLE_MIN = 5
TITLE_MAX = 150
BODY_MAX = 50_000
CATEGORY_NAME_MAX = 60
CATEGORY_DESCRIPTION_MAX = 300
POSTS_PER_PAGE = 20
TOPICS_PER_PAGE = 30


class CategoryKind(enum.StrEnum):
    DISCUSSION = "discussion"
    SUPPORT = "support"
    IDEAS = "ideas"
    ANNOUNCEMENTS = "announcements"


class IdeaStatus(enum.StrEnum):
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class AuthorBadge(enum.StrEnum):
    """What the author was in the topic's brand when she wrote the post."""

    MEMBER = "member"
    STAFF = "staff"
    MODERATOR = "moderator"


class PostStatus(enum.StrEnum):
    VISIBLE = "visible"
    DELETED_BY_AUTHOR = "deleted_by_author"
    # Waiting for a moderator before anyone else sees it (pre-moderation, issue 5).
    PENDING = "pending"
    # Flagged or hidden by a moderator: its author and the moderators still see it.
    HIDDEN = "hidden"
    # Removed by a moderator; reversible, and logged (fanhub.moderation).
    REMOVED = "removed"


class TopicStatus(enum.StrEnum):
    """Whether a topic shows in its category; moderation moves it (fanhub.moderation)."""

    VISIBLE = "visible"
    PENDING = "pending"
    HIDDEN = "hidden"
    REMOVED = "removed"


class ReactionKind(enum.StrEnum):
    LIKE = "like"
    HELPFUL = "helpful"
    THANKS = "thanks"


class WatchLevel(enum.StrEnum):
    WATCHING = "watching"
    MUTED = "muted"


class Category(Model):
    """A brand's forum section; its kind decides what topics in it can do."""

    __tablename__ = "categories"
    __table_args__ = (UniqueConstraint("brand_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(CATEGORY_NAME_MAX))
    description: Mapped[str] = mapped_column(String(CATEGORY_DESCRIPTION_MAX), default="")
    kind: Mapped[CategoryKind] = mapped_column(str_enum(CategoryKind, "category_kind"))
    # Owners order categories on the fan page; lower comes first.
    position: Mapped[int] = mapped_column(Integer, default=0)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Archived: read-only (no new topics or replies), left out of the brand's lists, still
    # at its address with a notice; NULL while it is open.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    brand: Mapped[Brand] = relationship("Brand", lazy="raise")

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Topic(Model):
    """A conversation: its first post is the question, the rest are replies."""

    __tablename__ = "topics"
    __table_args__ = (
        CheckConstraint("post_count >= 0", name="post_count_positive"),
        # The category page: pinned first, then by last activity.
        Index("ix_topics_category_listing", "category_id", "is_pinned", "last_posted_at"),
        Index("ix_topics_brand_created", "brand_id", "created_at"),
        # The fan page's recent activity: newest activity of one brand.
        Index("ix_topics_brand_activity", "brand_id", "last_posted_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    slug: Mapped[str] = mapped_column(String(TITLE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Positions handed out so far: the next post gets post_count + 1, in one UPDATE.
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[TopicStatus] = mapped_column(
        str_enum(TopicStatus, "topic_status"), default=TopicStatus.VISIBLE
    )
    solution_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True)
    )
    idea_status: Mapped[IdeaStatus | None] = mapped_column(str_enum(IdeaStatus, "idea_status"))
    idea_status_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL", use_alter=True)
    )
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    first_official_reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seconds from the question to the first official reply, kept so the median response
    # time is one indexed query on any database (no dialect-specific date arithmetic).
    first_response_seconds: Mapped[int | None] = mapped_column(Integer)

    author: Mapped[User | None] = relationship("User", foreign_keys=[author_id], lazy="raise")
    last_poster: Mapped[User | None] = relationship(
        "User", foreign_keys=[last_poster_id], lazy="raise"
    )
    category: Mapped[Category] = relationship(lazy="raise")
    brand: Mapped[Brand] = relationship("Brand", lazy="raise")

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    @property
    def is_answered(self) -> bool:
        return self.first_official_reply_at is not None

    @property
    def is_solved(self) -> bool:
        return self.solution_post_id is not None

    @property
    def is_visible(self) -> bool:
        return self.status is TopicStatus.VISIBLE


class Post(Model):
    """One message in a topic, at a fixed position, with its source and rendered HTML."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("topic_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[PostStatus] = mapped_column(
        str_enum(PostStatus, "post_status"), default=PostStatus.VISIBLE
    )
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    author_badge: Mapped[AuthorBadge] = mapped_column(
        str_enum(AuthorBadge, "author_badge"), default=AuthorBadge.MEMBER
    )
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    thanks_count: Mapped[int] = mapped_column(Integer, default=0)
    edit_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship("User", lazy="raise")
    topic: Mapped[Topic] = relationship(foreign_keys=[topic_id], lazy="raise")
    reply_to: Mapped[Post | None] = relationship(remote_side=[id], lazy="raise")


class PostRevision(Model):
    """The text a post had before one edit; anyone may read a post's history."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # When this text was replaced by the next one.
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    editor: Mapped[User | None] = relationship("User", lazy="raise")


class Reaction(Model):
    """One member's like, helpful or thanks on one post (counted on the post)."""

    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("post_id", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ReactionKind] = mapped_column(str_enum(ReactionKind, "reaction_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaVote(Model):
    """One member's vote for an idea (counted in Topic.vote_count)."""

    __tablename__ = "idea_votes"
    __table_args__ = (UniqueConstraint("topic_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TopicWatch(Model):
    """A member watches (is notified of replies in) or mutes a topic."""

    __tablename__ = "topic_watches"
    __table_args__ = (UniqueConstraint("topic_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    level: Mapped[WatchLevel] = mapped_column(str_enum(WatchLevel, "watch_level"))


class CategoryWatch(Model):
    """A member watches (every new topic and reply) or mutes a whole category."""

    __tablename__ = "category_watches"
    __table_args__ = (UniqueConstraint("category_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    level: Mapped[WatchLevel] = mapped_column(str_enum(WatchLevel, "category_watch_level"))
