"""The notifications' part of a member's data: how she wants to hear from us, her consent
record and what we told her, in her export and as her account is deleted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, literal, select, update

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.notifications.models import (
    MESSAGE_MAX,
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    EmailStatus,
    Frequency,
    Notification,
    OutboundEmail,
)
from fanhub.notifications.preferences import CONSENT_KINDS, preferences_of
from fanhub.personal_data import Erasure, Records, records

# What others now read where her name was.
DELETED_MEMBER = "A deleted member"

SOURCE_LABELS: dict[ConsentSource, str] = {
    ConsentSource.PREFERENCE_CENTRE: "in your settings, under How we contact you",
    ConsentSource.SIGNUP_STEP: "when you signed up",
    ConsentSource.UNSUBSCRIBE_LINK: "with the unsubscribe link in an email",
    ConsentSource.ACCOUNT_DELETION: "when you deleted your account",
}
CHANNEL_LABELS: dict[Channel, str] = {Channel.ONSITE: "on fanhub", Channel.EMAIL: "by email"}


@dataclass(frozen=True)
class ConsentLine:
    """One ConsentEvent as her privacy page tells it."""

    what: str
    granted: bool
    at: datetime
    how: str


def consent_record(user_id: int) -> list[ConsentLine]:
    """Her consent record as her privacy page tells it, newest first, in one query."""
    events = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.user_id == user_id).order_by(ConsentEvent.id.desc())
    )
    return [
        ConsentLine(
            what=f"Product news and offers {CHANNEL_LABELS[event.channel]}",
            granted=event.granted,
            at=event.created_at,
            how=SOURCE_LABELS.get(event.source, event.source.value.replace("_", " ")),
        )
        for event in events
    ]


class NotificationsData:
    """The notifications' part of a member's data."""

    name = "notifications"
    files = {
        "preferences.json": "how you want to hear from us, per kind of message and channel",
        "consent_events.json": "each time you said yes or no to product news and offers",
        "notifications.json": "the notifications we sent you",
    }

    def export(self, user_id: int) -> Iterator[tuple[str, Records]]:
        yield "preferences.json", preference_records(user_id)
        yield "consent_events.json", consent_records(user_id)
        yield "notifications.json", notification_records(user_id)

    def profile(self, user_id: int) -> dict[str, Any]:
        return {}

    def plan(self, user_id: int) -> dict[str, Any]:
        return {}

    def erase(self, erasure: Erasure) -> None:
        """Her preferences, notifications and the emails waiting for her go; her consent
        record stays, closed by a last opt-out; what others were told of her no longer
        names her."""
        user = erasure.user
        uid = user.id
        _close_consent(uid, erasure.now)
        db.session.execute(delete(ContactPreference).where(ContactPreference.user_id == uid))
        db.session.execute(delete(Notification).where(Notification.user_id == uid))
        _unname_notices(user)
        # Mail to her address: what waits, and the copies of what went. One being handed
        # to the mail server at this instant (SENDING) is left to finish.
        db.session.execute(
            delete(OutboundEmail).where(
                OutboundEmail.to_address == user.email,
                OutboundEmail.status != EmailStatus.SENDING,
            )
        )


def _close_consent(user_id: int, now: datetime) -> None:
    """Record a last opt-out of every kind needing consent that she had on (no commit)."""
    chosen = preferences_of(user_id)
    for (kind, channel), frequency in sorted(chosen.items()):
        if kind in CONSENT_KINDS and frequency is not Frequency.NEVER:
            db.session.add(
                ConsentEvent(
                    user_id=user_id,
                    kind=kind,
                    channel=channel,
                    granted=False,
                    frequency=Frequency.NEVER,
                    source=ConsentSource.ACCOUNT_DELETION,
                    created_at=now,
                )
            )


def _unname_notices(user: User) -> None:
    """Take her name out of what others were told of her doing (no commit).

    Every notice a member causes opens with her name ("maria replied to …"), under her
    display name or, without one, her username, so those two prefixes are all there is.
    """
    for name in dict.fromkeys((user.name, user.username)):
        rest = func.substr(Notification.message, len(name) + 1)
        db.session.execute(
            update(Notification)
            .where(
                Notification.actor_id == user.id,
                Notification.message.startswith(f"{name} ", autoescape=True),
            )
            .values(message=func.substr(literal(DELETED_MEMBER) + rest, 1, MESSAGE_MAX))
            .execution_options(synchronize_session=False)
        )


def preference_records(user_id: int) -> Iterator[dict[str, Any]]:
    """How she wants to hear from us, defaults filled in, as her export's records."""
    for (kind, channel), frequency in preferences_of(user_id).items():
        yield {"kind": kind.value, "channel": channel.value, "frequency": frequency.value}


def consent_records(user_id: int) -> Iterator[dict[str, Any]]:
    """Each time she said yes or no to product news and offers, as her export's records."""
    return records(
        select(
            ConsentEvent.kind,
            ConsentEvent.channel,
            ConsentEvent.granted,
            ConsentEvent.frequency,
            ConsentEvent.source,
            ConsentEvent.created_at.label("at"),
        )
        .where(ConsentEvent.user_id == user_id)
        .order_by(ConsentEvent.id)
    )


def notification_records(user_id: int) -> Iterator[dict[str, Any]]:
    """The notifications we sent her, as her export's records."""
    return records(
        select(
            Notification.kind,
            Notification.message,
            Notification.url,
            Notification.created_at,
            Notification.read_at,
        )
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
    )


PART = NotificationsData()
