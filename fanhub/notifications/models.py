"""In-app notifications, and outgoing email kept as rows so it commits or rolls back with
what caused it."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from fanhub.db import UTCDateTime, append_only, str_enum, utcnow
from fanhub.extensions import Model, db


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboundEmail(Model):
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
    # A new topic in the announcements of a brand she follows.
    ANNOUNCEMENT = "announcement"
    # Product news or an offer a brand sent to the followers who opted in.
    OFFER = "offer"


class MessageKind(enum.StrEnum):
    """What a member chooses to hear about, per channel, in the preference centre: each
    notification kind belongs to one (see `MESSAGE_KIND_OF`), or to none (her account's
    own news, which she is always told on the site)."""

    REPLIES = "replies"
    MENTIONS = "mentions"
    OFFICIAL = "official"
    NEW_TOPICS = "new_topics"
    ANNOUNCEMENTS = "announcements"
    OFFERS = "offers"


MESSAGE_KIND_OF: dict[NotificationKind, MessageKind] = {
    NotificationKind.REPLY: MessageKind.REPLIES,
    NotificationKind.REVIEW_REPLY: MessageKind.REPLIES,
    NotificationKind.MENTION: MessageKind.MENTIONS,
    NotificationKind.OFFICIAL_REPLY: MessageKind.OFFICIAL,
    NotificationKind.REVIEW_ANSWER: MessageKind.OFFICIAL,
    NotificationKind.REVIEW_RESOLVED: MessageKind.OFFICIAL,
    NotificationKind.NEW_TOPIC: MessageKind.NEW_TOPICS,
    NotificationKind.ANNOUNCEMENT: MessageKind.ANNOUNCEMENTS,
    NotificationKind.OFFER: MessageKind.OFFERS,
}


class Channel(enum.StrEnum):
    ONSITE = "onsite"
    EMAIL = "email"


class Frequency(enum.StrEnum):
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class ConsentSource(enum.StrEnum):
    """Where she said yes or no to being contacted."""

    PREFERENCE_CENTRE = "preference_centre"
    SIGNUP_STEP = "signup_step"
    UNSUBSCRIBE_LINK = "unsubscribe_link"
    ACCOUNT_DELETION = "account_deletion"


MESSAGE_MAX = 300
URL_MAX = 500
# Keys are short ("topic:12"), but a notification told no thread is keyed by its link's
# path, which is as long as a link may be.
THREAD_KEY_MAX = URL_MAX
# The brands' own limit on a name (notifications imports no other domain's code).
BRAND_NAME_MAX = 80


# For a notification told no thread: the links that are a topic's or a review's page, and
# the title a message quotes (Sam replied to “Kettle clicks off”). Migration 0010 read the
# rows written before the thread was a column the same way.
_TOPIC_PATH: Final = re.compile(r"/t/(\d+)")
_REVIEW_PATH: Final = re.compile(r"/b/[^/]+/p/[^/]+/r/(\d+)")
_QUOTED_TITLE: Final = re.compile(r"“([^”]+)”")


def thread_key_of(url: str) -> str:
    """The thread a link is in, for a notification told none: "topic:12" for a topic's
    page, "review:45" for a review's, otherwise the link's path (without its query or
    fragment, so every post of one page is one thread)."""
    path = urlsplit(url).path
    if match := _TOPIC_PATH.fullmatch(path):
        return f"topic:{match.group(1)}"
    if match := _REVIEW_PATH.fullmatch(path):
        return f"review:{match.group(1)}"
    return path


def quoted_title(message: str) -> str | None:
    """The title a message quotes in curly quotes, for a notification told none."""
    match = _QUOTED_TITLE.search(message)
    return match.group(1)[:MESSAGE_MAX] if match else None


def _default_thread_key(context: Any) -> str:
    return thread_key_of(context.get_current_parameters()["url"])


def _default_thread_title(context: Any) -> str | None:
    return quoted_title(context.get_current_parameters()["message"])


class Notification(Model):
    """One in-app notification: plain text saying what happened, and where to look.

    Written with plain data by the domain where it happened (notifications never reads
    forums or reviews), so it still reads right after the post or topic is gone.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        # The inbox: one member's notifications, newest first, paged by id.
        Index("ix_notifications_user_id_id", "user_id", "id"),
        # Erasing an account finds what she caused (issue 6, deletion).
        Index("ix_notifications_actor_id", "actor_id"),
        # What still waits to be emailed, by how often: small, whatever the table's size.
        Index(
            "ix_notifications_email_waiting",
            "email_frequency",
            "email_due_at",
            sqlite_where=text("emailed_at IS NULL AND email_frequency IS NOT NULL"),
            postgresql_where=text("emailed_at IS NULL AND email_frequency IS NOT NULL"),
        ),
        # The threads of hers that wait to be emailed: an instant email takes a whole
        # thread's waiting notifications at once. No index on brand_id: a brand is deleted
        # so rarely that its SET NULL may scan, and every fan-out INSERT would pay for one.
        Index(
            "ix_notifications_thread_waiting",
            "user_id",
            "thread_key",
            sqlite_where=text("emailed_at IS NULL AND email_frequency IS NOT NULL"),
            postgresql_where=text("emailed_at IS NULL AND email_frequency IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, "notification_kind"))
    # Who caused it; kept when she deletes her account (the message already names her).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX))
    # A path on this site, e.g. /t/12?post=3 (never another host: the inbox redirects to it).
    url: Mapped[str] = mapped_column(String(URL_MAX))
    # The conversation it belongs to ("topic:12", "review:45"), and that conversation's
    # title as it read then (a topic's title, a product's name): emails group by the key
    # and name the thread by the title, never by reading the message.
    # `notify` always sets them; the defaults serve rows written without it.
    thread_key: Mapped[str] = mapped_column(String(THREAD_KEY_MAX), default=_default_thread_key)
    thread_title: Mapped[str | None] = mapped_column(
        String(MESSAGE_MAX), default=_default_thread_title
    )
    # The brand it happened at, and its name then: digests list each brand's threads
    # under its name. NULL for what belongs to no brand (her account's own news).
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    brand_name: Mapped[str | None] = mapped_column(String(BRAND_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False when she hears of this kind by email only: the row is the email's source.
    in_inbox: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # How she asked to be emailed about it (instant, daily, weekly), or NULL for no email;
    # a change of her preferences moves the notifications still waiting.
    email_frequency: Mapped[Frequency | None] = mapped_column(
        str_enum(Frequency, "notification_email_frequency")
    )
    # Instant emails wait a few minutes, so several about one thread become one email.
    email_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When an email (instant or digest) took it: set once, so nothing is sent twice.
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ContactPreference(Model):
    """How often a member wants to hear about one kind of message on one channel; a
    missing row means the default (`fanhub.notifications.preferences.DEFAULTS`)."""

    __tablename__ = "contact_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "contact_message_kind"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "contact_channel"))
    frequency: Mapped[Frequency] = mapped_column(str_enum(Frequency, "contact_frequency"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsentEvent(Model):
    """One opt-in or opt-out of product news and offers, as it happened: append-only, the
    record of what she agreed to, when and how (shown to her on her privacy page)."""

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[MessageKind] = mapped_column(str_enum(MessageKind, "consent_message_kind"))
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "consent_channel"))
    granted: Mapped[bool] = mapped_column(Boolean)
    # The frequency she chose with it (never, for an opt-out).
    frequency: Mapped[Frequency] = mapped_column(str_enum(Frequency, "consent_frequency"))
    source: Mapped[ConsentSource] = mapped_column(str_enum(ConsentSource, "consent_source"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


append_only(ConsentEvent, "The consent record")
