"""What each member asked to hear about, on which channel, how often (issue 6).

The defaults live here and nowhere else: a member without a stored choice gets them, so
a new kind of message or a changed default needs no migration of anyone's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from flask import current_app
from sqlalchemy import select

from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.notifications.models import (
    MESSAGE_KIND_OF,
    Channel,
    ContactPreference,
    Frequency,
    MessageKind,
    NotificationKind,
)
from fanhub.tokens import load_token, serializer

# On the site a message is shown or not: a digest is an email's business.
CHANNEL_FREQUENCIES: Final[dict[Channel, tuple[Frequency, ...]]] = {
    Channel.ONSITE: (Frequency.INSTANT, Frequency.NEVER),
    Channel.EMAIL: (Frequency.INSTANT, Frequency.DAILY, Frequency.WEEKLY, Frequency.NEVER),
}

# On the site, everything; by email at once, what was said to her directly; product news
# and offers by no channel until she opts in.
DEFAULTS: Final[dict[tuple[MessageKind, Channel], Frequency]] = {
    (MessageKind.REPLIES, Channel.ONSITE): Frequency.INSTANT,
    (MessageKind.REPLIES, Channel.EMAIL): Frequency.INSTANT,
    (MessageKind.MENTIONS, Channel.ONSITE): Frequency.INSTANT,
    (MessageKind.MENTIONS, Channel.EMAIL): Frequency.INSTANT,
    (MessageKind.OFFICIAL, Channel.ONSITE): Frequency.INSTANT,
    (MessageKind.OFFICIAL, Channel.EMAIL): Frequency.INSTANT,
    (MessageKind.NEW_TOPICS, Channel.ONSITE): Frequency.INSTANT,
    (MessageKind.NEW_TOPICS, Channel.EMAIL): Frequency.DAILY,
    (MessageKind.ANNOUNCEMENTS, Channel.ONSITE): Frequency.INSTANT,
    (MessageKind.ANNOUNCEMENTS, Channel.EMAIL): Frequency.WEEKLY,
    (MessageKind.OFFERS, Channel.ONSITE): Frequency.NEVER,
    (MessageKind.OFFERS, Channel.EMAIL): Frequency.NEVER,
}

# Needs her recorded consent (a ConsentEvent) for every change: marketing, by law.
CONSENT_KINDS: Final = frozenset({MessageKind.OFFERS})


def message_kind(kind: NotificationKind) -> MessageKind | None:
    """The preference a notification kind follows; None for her account's own news
    (moderation decisions), which she is always told on the site and never by email."""
    return MESSAGE_KIND_OF.get(kind)


def frequencies_for(
    user_ids: Iterable[int], kind: MessageKind
) -> dict[int, dict[Channel, Frequency]]:
    """Each member's frequency per channel for one kind of message, defaults filled in, in
    one query however many members (a post may notify thousands of watchers)."""
    ids = sorted(set(user_ids))
    chosen: dict[int, dict[Channel, Frequency]] = {
        user_id: {channel: DEFAULTS[(kind, channel)] for channel in Channel} for user_id in ids
    }
    if not ids:
        return chosen
    rows = db.session.execute(
        select(
            ContactPreference.user_id, ContactPreference.channel, ContactPreference.frequency
        ).where(ContactPreference.kind == kind, ContactPreference.user_id.in_(ids))
    )
    for user_id, channel, frequency in rows:
        chosen[user_id][channel] = frequency
    return chosen


def preferences_of(user_id: int) -> dict[tuple[MessageKind, Channel], Frequency]:
    """All of one member's choices, defaults filled in (the preference centre)."""
    chosen = dict(DEFAULTS)
    for kind, channel, frequency in db.session.execute(
        select(
            ContactPreference.kind, ContactPreference.channel, ContactPreference.frequency
        ).where(ContactPreference.user_id == user_id)
    ):
        chosen[(kind, channel)] = frequency
    return chosen


UNSUBSCRIBE_SALT = "fanhub.unsubscribe"


def unsubscribe_token(user_id: int, kind: MessageKind) -> str:
    """The token an email's unsubscribe link carries: this member, this kind of message."""
    return serializer(UNSUBSCRIBE_SALT).dumps({"u": user_id, "k": kind.value})


def read_unsubscribe_token(token: str) -> tuple[int, MessageKind]:
    """Whose and which kind of message a link stops.

    :raises Invalid: tampered with, not ours, or older than UNSUBSCRIBE_TOKEN_MAX_AGE.
    """
    data = load_token(token, UNSUBSCRIBE_SALT, int(current_app.config["UNSUBSCRIBE_TOKEN_MAX_AGE"]))
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or kind not in set(MessageKind):
        raise Invalid("This link is not valid. Check that you copied all of it.")
    return user_id, MessageKind(kind)
