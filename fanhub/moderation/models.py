"""Flags members raise, the queue's cases, appeals, and the append-only moderation log."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

# Declared by the content registry; moderation stores it, so its models name it too.
from fanhub.content import ItemKind as ItemKind
from fanhub.db import UTCDateTime, append_only, str_enum, utcnow
from fanhub.extensions import Model

if TYPE_CHECKING:
    from fanhub.accounts.models import User
    from fanhub.brands.models import Brand

FLAG_NOTE_MAX = 500
REASON_MAX = 500
APPEAL_MAX = 2000
HOLD_REASON_MAX = 200


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    OTHER = "other"

    @property
    def label(self) -> str:
        return FLAG_REASON_LABELS[self]


FLAG_REASON_LABELS: dict[FlagReason, str] = {
    FlagReason.SPAM: "Spam or advertising",
    FlagReason.ABUSE: "Abusive, hateful or threatening",
    FlagReason.OFF_TOPIC: "Off-topic",
    FlagReason.OTHER: "Something else",
}


class FlagStatus(enum.StrEnum):
    OPEN = "open"
    # A moderator looked and left the item up.
    DISMISSED = "dismissed"
    # A moderator agreed and acted (hid, removed, locked, sanctioned).
    UPHELD = "upheld"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Decision(enum.StrEnum):
    """What a moderator did; the audit log's `action` column."""

    DISMISS = "dismiss"
    HIDE = "hide"
    REMOVE = "remove"
    RESTORE = "restore"
    APPROVE = "approve"
    REJECT = "reject"
    LOCK = "lock"
    SUSPEND = "suspend"
    BAN = "ban"
    LIFT = "lift"
    # Not a moderator's: enough members flagged the item and it hid itself.
    AUTO_HIDE = "auto_hide"
    # The forum's own topic tools and a moderator's edit of someone else's post: on the
    # record too, though no flag or queue is involved (issue 5, point 3).
    UNLOCK = "unlock"
    PIN = "pin"
    UNPIN = "unpin"
    MOVE = "move"
    EDIT = "edit"
    # A member's trust level changed, by an admin's hand or by reaching level 1 (point 5).
    TRUST = "trust"
    # The site admin console (issue 13): a brand created, closed, reopened or handed to a
    # new owner (its edits are EDIT); a member's account made, or sent a new confirmation
    # or password reset link by a site admin.
    CREATE = "create"
    CLOSE = "close"
    REOPEN = "reopen"
    TRANSFER = "transfer"
    RESEND_CONFIRMATION = "resend_confirmation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a log action's name, not a password
    # A site admin changed a site setting, or sent a failed email again (issue 13).
    SETTING = "setting"
    RETRY_EMAIL = "retry_email"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS: dict[Decision, str] = {
    Decision.DISMISS: "Dismissed the flags",
    Decision.HIDE: "Hid",
    Decision.REMOVE: "Removed",
    Decision.RESTORE: "Restored",
    Decision.APPROVE: "Approved",
    Decision.REJECT: "Rejected",
    Decision.LOCK: "Locked the topic of",
    Decision.SUSPEND: "Suspended",
    Decision.BAN: "Banned",
    Decision.LIFT: "Lifted the suspension or ban of",
    Decision.AUTO_HIDE: "Hidden by flags",
    Decision.UNLOCK: "Unlocked",
    Decision.PIN: "Pinned",
    Decision.UNPIN: "Unpinned",
    Decision.MOVE: "Moved",
    Decision.EDIT: "Edited",
    Decision.TRUST: "Changed the trust level of",
    Decision.CREATE: "Created",
    Decision.CLOSE: "Closed",
    Decision.REOPEN: "Reopened",
    Decision.TRANSFER: "Handed over the ownership of",
    Decision.RESEND_CONFIRMATION: "Sent a new confirmation link to",
    Decision.PASSWORD_RESET: "Sent a password reset link to",
    Decision.SETTING: "Changed the site setting",
    Decision.RETRY_EMAIL: "Retried the failed email",
}


class ModerationRule(enum.StrEnum):
    """The community rule a decision rests on, told to the member."""

    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"
    NOT_ABOUT_PRODUCT = "not_about_product"
    OTHER = "other"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS: dict[ModerationRule, str] = {
    ModerationRule.SPAM: "Spam or advertising",
    ModerationRule.ABUSE: "Abusive, hateful or threatening",
    ModerationRule.OFF_TOPIC: "Off-topic for this community",
    ModerationRule.PERSONAL_DATA: "Shares someone's personal data",
    ModerationRule.NOT_ABOUT_PRODUCT: "Not about the product or an experience with it",
    ModerationRule.OTHER: "Breaks the community guidelines",
}


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def opened_stamp(moment: datetime) -> int:
    """A case's opening moment as a whole number (microseconds), for the queue's forms."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)


class Case(Model):
    """One item in the moderators' queue: open while flags or an appeal wait on it.

    One row per item, ever: new flags after a decision open it again. The flag count
    is kept in the row (moved in SQL), so the queue never counts flags.
    """

    __tablename__ = "moderation_cases"
    __table_args__ = (
        UniqueConstraint("item_kind", "item_id"),
        # The queue: a brand's open cases, oldest first, paged by (opened_at, id).
        Index("ix_moderation_cases_queue", "status", "brand_id", "opened_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    item_kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "moderation_item_kind"))
    item_id: Mapped[int] = mapped_column(Integer)
    # Who wrote the item (NULL once her account is deleted).
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus, "moderation_case_status"), default=CaseStatus.OPEN
    )
    open_flag_count: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The last decision, shown to whoever finds the case already handled.
    last_decision: Mapped[Decision | None] = mapped_column(
        str_enum(Decision, "moderation_case_decision")
    )
    # Why the item waits though nobody flagged it: pre-moderation or a spam signal
    # (fanhub.moderation.trust), shown to the moderators.
    hold_reason: Mapped[str] = mapped_column(String(HOLD_REASON_MAX), default="", server_default="")

    brand: Mapped[Brand] = relationship("Brand", lazy="raise")
    subject: Mapped[User | None] = relationship("User", foreign_keys=[subject_id], lazy="raise")
    closed_by: Mapped[User | None] = relationship("User", foreign_keys=[closed_by_id], lazy="raise")

    @property
    def queue_ref(self) -> str:
        """How the queue names the case, with the moment it (re)opened: a decision made on a
        page loaded before the case was closed and reported again must not apply."""
        return f"case:{self.id}:{opened_stamp(self.opened_at)}"


class Flag(Model):
    """One member's report that one item breaks the rules."""

    __tablename__ = "flags"
    __table_args__ = (
        # One open flag per member per item, enforced by the database as well: two clicks
        # at the same instant both pass the service's check, and only one row may stand.
        Index(
            "uq_flags_open_per_reporter",
            "case_id",
            "reporter_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_flags_case_status", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason, "flag_reason"))
    note: Mapped[str] = mapped_column(String(FLAG_NOTE_MAX), default="")
    status: Mapped[FlagStatus] = mapped_column(
        str_enum(FlagStatus, "flag_status"), default=FlagStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporter: Mapped[User | None] = relationship("User", lazy="raise")


class Appeal(Model):
    """A member's one appeal against a decision about her item, in her words."""

    __tablename__ = "moderation_appeals"
    # Once per item: a second appeal is refused (the unique key holds under a race too).
    __table_args__ = (UniqueConstraint("case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_cases.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_actions.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ModerationAction(Model):
    """One moderation action, as it happened: append-only, never updated or deleted.

    The states are plain JSON snapshots, so the log still reads after the item, the
    moderator or the member is gone.
    """

    __tablename__ = "moderation_actions"
    __table_args__ = (
        # The log page: a brand's actions, newest first, paged by id.
        Index("ix_moderation_actions_brand_id", "brand_id", "id"),
        Index("ix_moderation_actions_moderator", "moderator_id", "id"),
        Index("ix_moderation_actions_subject", "subject_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # NULL for the site-wide log of an admin's action on a member outside any brand.
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id", ondelete="SET NULL"))
    # NULL when the flags themselves hid an item (no moderator acted).
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[Decision] = mapped_column(str_enum(Decision, "moderation_decision"))
    item_kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "moderation_action_item"))
    item_id: Mapped[int] = mapped_column(Integer)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rule: Mapped[ModerationRule | None] = mapped_column(str_enum(ModerationRule, "moderation_rule"))
    reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    state_before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state_after: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderator: Mapped[User | None] = relationship("User", foreign_keys=[moderator_id], lazy="raise")
    subject: Mapped[User | None] = relationship("User", foreign_keys=[subject_id], lazy="raise")
    brand: Mapped[Brand | None] = relationship("Brand", lazy="raise")

    @property
    def changes(self) -> list[tuple[str, str, str]]:
        """What the action changed, as (what, before, after), for people to read."""

        def shown(value: Any) -> str:
            if value is None or value == "":
                return "—"
            text = str(value).lower() if isinstance(value, bool) else str(value)
            return text[:10] if len(text) > 19 and text[4:5] == "-" else text  # a date

        keys = dict.fromkeys([*self.state_before, *self.state_after])
        return [
            (
                key.replace("_", " "),
                shown(self.state_before.get(key)),
                shown(self.state_after.get(key)),
            )
            for key in keys
            if key != "item" and self.state_before.get(key) != self.state_after.get(key)
        ]


append_only(ModerationAction, "The moderation log")
