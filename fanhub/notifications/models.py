"""In-app notifications, and outgoing email kept as rows so it commits or rolls back with
what caused it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fanhub.db import UTCDateTime, str_enum, utcnow
from fanhub.extensions import db


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboundEmail(db.Model):
    """One email waiting for, in, or past delivery by `flask send-mail`."""

    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Why the email exists (e.g. "password_reset"), for the outbox view and for tests.
    kind: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[EmailStatus] = mapped_column(
        str_enum(EmailStatus, "email_status"), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (db.Index("ix_outbound_emails_due", "status", "next_attempt_at"),)


class NotificationKind(enum.StrEnum):
    """Why a member is told: most specific first (a post gives each person one kind)."""

    OFFICIAL_REPLY = "official_reply"
    MENTION = "mention"
    REPLY = "reply"
    NEW_TOPIC = "new_topic"
    REVIEW_ANSWER = "review_answer"
    REVIEW_REPLY = "review_reply"
    REVIEW_RESOLVED = "review_resolved"
    REVIEW_MODERATED = "review_moderated"
    # A moderator acted on her content or account (what, which rule, why).
    MODERATION = "moderation"


MESSAGE_MAX = 300
URL_MAX = 500


class Notification(db.Model):
    """One in-app notification: plain text saying what happened, and where to look.

    Written with plain data by the domain where it happened (notifications never reads
    forums or reviews), so it still reads right after the post or topic is gone.
    """

    __tablename__ = "notifications"
    # The inbox: one member's notifications, newest first, paged by id.
    __table_args__ = (Index("ix_notifications_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    # Who caused it; kept when she deletes her account (the message already names her).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX))
    # A path on this site, e.g. /t/12?post=3 (never another host: the inbox redirects to it).
    url: Mapped[str] = mapped_column(String(URL_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
