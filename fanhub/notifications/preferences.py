"""What each member asked to hear about, on which channel, how often (issue 6).

The defaults live here and nowhere else: a member without a stored choice gets them, so
a new kind of message or a changed default needs no migration of anyone's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final, cast

from flask import current_app
from sqlalchemy import ColumnElement, Table, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute

from fanhub.accounts.models import User, UserStatus
from fanhub.db import transaction
from fanhub.errors import Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.notifications.models import (
    MESSAGE_KIND_OF,
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    Frequency,
    MessageKind,
    Notification,
    NotificationKind,
)
from fanhub.permissions import OWN_CONTACT_CHOICES, Actor, require_self
from fanhub.tokens import NOT_VALID, load_token, serializer, token_id, token_text

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


def frequencies_by_kind(
    user_ids: Iterable[int], kinds: Iterable[MessageKind]
) -> dict[MessageKind, dict[int, dict[Channel, Frequency]]]:
    """For each kind, each member's frequency per channel, defaults filled in: one query
    however many members and kinds (one post may notify thousands, for several reasons)."""
    ids = sorted(set(user_ids))
    wanted = set(kinds)
    chosen = {
        kind: {user_id: {channel: DEFAULTS[(kind, channel)] for channel in Channel}
               for user_id in ids}
        for kind in wanted
    }  # fmt: skip
    if not ids or not wanted:
        return chosen
    rows = db.session.execute(
        select(
            ContactPreference.kind,
            ContactPreference.user_id,
            ContactPreference.channel,
            ContactPreference.frequency,
        ).where(ContactPreference.kind.in_(wanted), ContactPreference.user_id.in_(ids))
    )
    for kind, user_id, channel, frequency in rows:
        chosen[kind][user_id][channel] = frequency
    return chosen


def wants(
    kind: MessageKind, user_id: ColumnElement[int] | InstrumentedAttribute[int]
) -> ColumnElement[bool]:
    """A condition, for any query with a member's id in `user_id`: she gets `kind` on at
    least one channel, her stored choice or else the default.

    For choosing recipients in SQL (a brand's followers who opted into offers), in the
    same query as the rest, however many there are.
    """

    def stored(channel: Channel, *condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(
            ContactPreference.user_id == user_id,
            ContactPreference.kind == kind,
            ContactPreference.channel == channel,
            *condition,
        )

    per_channel = [
        # Off by default: only her own yes turns it on; on by default: only her no turns it off.
        stored(channel, ContactPreference.frequency != Frequency.NEVER)
        if DEFAULTS[(kind, channel)] is Frequency.NEVER
        else ~stored(channel, ContactPreference.frequency == Frequency.NEVER)
        for channel in Channel
    ]
    return or_(*per_channel)


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


def unsubscribe_token(user_id: int, kind: MessageKind, *, now: datetime) -> str:
    """The token an email's unsubscribe link carries: this member, this kind of message."""
    return serializer(UNSUBSCRIBE_SALT, now=now).dumps({"u": user_id, "k": kind.value})


def read_unsubscribe_token(token: str, *, now: datetime) -> tuple[int, MessageKind]:
    """Whose and which kind of message a link stops.

    :raises Invalid: tampered with, not ours, or older than UNSUBSCRIBE_TOKEN_MAX_AGE.
    """
    data = load_token(
        token, UNSUBSCRIBE_SALT, int(current_app.config["UNSUBSCRIBE_TOKEN_MAX_AGE"]), now=now
    )
    user_id, kind = token_id(data, "u"), token_text(data, "k")
    try:
        return user_id, MessageKind(kind)
    except ValueError:
        raise Invalid(NOT_VALID) from None


# ------------------------------------------------------------ choosing (issue 6)

# What each kind of message is, in her words: the preference centre's rows, the
# unsubscribe page and the confirmation all say the same thing.
KIND_LABELS: Final[dict[MessageKind, tuple[str, str]]] = {
    MessageKind.REPLIES: (
        "Replies",
        "Replies in topics I follow, including my own, and replies to my reviews.",
    ),
    MessageKind.MENTIONS: ("Mentions", "Mentions of me, wherever someone writes @my-name."),
    MessageKind.OFFICIAL: (
        "Official answers",
        "Official answers to my questions and reviews from the brand's staff.",
    ),
    MessageKind.NEW_TOPICS: ("New topics", "New topics in categories I watch."),
    MessageKind.ANNOUNCEMENTS: ("Announcements", "Announcements from brands I follow."),
    MessageKind.OFFERS: (
        "Product news and offers",
        "Product news and offers from brands I follow. Never without my yes.",
    ),
}
CHANNEL_LABELS: Final[dict[Channel, str]] = {
    Channel.ONSITE: "On the site",
    Channel.EMAIL: "By email",
}
FREQUENCY_LABELS: Final[dict[Channel, dict[Frequency, str]]] = {
    Channel.ONSITE: {Frequency.INSTANT: "Show me", Frequency.NEVER: "Don't show"},
    Channel.EMAIL: {
        Frequency.INSTANT: "Instantly",
        Frequency.DAILY: "Daily digest",
        Frequency.WEEKLY: "Weekly digest",
        Frequency.NEVER: "Never",
    },
}


def field_name(kind: MessageKind, channel: Channel) -> str:
    """The form field (and error field) for one choice, e.g. `new_topics__email`."""
    return f"{kind.value}__{channel.value}"


def email_due_at(frequency: Frequency | None, now: datetime) -> datetime | None:
    """When an email about a notification may leave, for one frequency, from `now`.

    Instant emails wait EMAIL_COALESCE_MINUTES, so several about one thread become one
    (as notify_each sets them); a digest takes whatever waits when its run comes, so
    it needs no time of its own (None), and neither does no email at all.
    """
    if frequency is not Frequency.INSTANT:
        return None
    return now + timedelta(minutes=int(current_app.config["EMAIL_COALESCE_MINUTES"]))


@dataclass(frozen=True)
class PreferenceChange:
    """One choice she changed: for her confirmation, and for the consent record."""

    kind: MessageKind
    channel: Channel
    old: Frequency
    new: Frequency

    @property
    def description(self) -> str:
        label = KIND_LABELS[self.kind][0]
        how = FREQUENCY_LABELS[self.channel][self.new].lower()
        return f"{label} {CHANNEL_LABELS[self.channel].lower()}: {how}"


def set_preferences(
    actor: Actor,
    user: User,
    choices: Mapping[tuple[str, str], str],
    source: ConsentSource,
    *,
    now: datetime,
) -> list[PreferenceChange]:
    """Record how often a member wants each kind of message on each channel.

    `choices` maps (kind, channel) to a frequency, as enum members or their values. Every
    choice is checked before anything is written: one bad choice saves none. Only what
    differs from her current choice (default included) is written, so saving an
    unchanged form writes nothing. Every change of product news and offers adds a
    ConsentEvent naming `source`; her notifications still waiting for an email of a
    changed kind move to the new frequency (none, for never). Returns what changed.

    :raises Forbidden: the actor is not the member herself (or the operator).
    :raises NotFound: the member's account is deleted.
    :raises Invalid: an unknown kind, channel or frequency, or a digest on the site.
    """
    require_self(actor, user, OWN_CONTACT_CHOICES)
    wanted = _checked(choices)
    current = preferences_of(user.id)
    changes: list[PreferenceChange] = []
    with transaction():
        for (kind, channel), frequency in wanted.items():
            if current[(kind, channel)] is frequency:
                continue
            # The conditional upsert says whether *this* request changed the row: two
            # unsubscribes at once record one change and one consent event, not two.
            if _upsert(user.id, kind, channel, frequency, now):
                changes.append(PreferenceChange(kind, channel, current[(kind, channel)], frequency))
        for change in changes:
            if change.kind in CONSENT_KINDS:
                db.session.add(
                    ConsentEvent(
                        user_id=user.id,
                        kind=change.kind,
                        channel=change.channel,
                        granted=change.new is not Frequency.NEVER,
                        frequency=change.new,
                        source=source,
                        created_at=now,
                    )
                )
            if change.channel is Channel.EMAIL:
                _move_waiting_email(user.id, change.kind, change.new, now)
    return changes


def _checked(
    choices: Mapping[tuple[str, str], str],
) -> dict[tuple[MessageKind, Channel], Frequency]:
    """The choices as enums, or Invalid for the first one that breaks a rule."""
    checked: dict[tuple[MessageKind, Channel], Frequency] = {}
    for (raw_kind, raw_channel), raw_frequency in choices.items():
        if raw_kind not in set(MessageKind):
            raise Invalid(f"“{raw_kind}” is not a kind of message you can choose.")
        if raw_channel not in set(Channel):
            raise Invalid(f"“{raw_channel}” is not a way we contact you: on the site or by email.")
        kind, channel = MessageKind(raw_kind), Channel(raw_channel)
        field = field_name(kind, channel)
        if raw_frequency not in set(Frequency):
            raise Invalid(
                f"“{raw_frequency}” is not a choice: pick instantly, a daily or weekly "
                "digest, or never.",
                field=field,
            )
        frequency = Frequency(raw_frequency)
        if frequency not in CHANNEL_FREQUENCIES[channel]:
            raise Invalid(
                "On the site a message is shown at once or not at all: digests are for email.",
                field=field,
            )
        checked[(kind, channel)] = frequency
    return checked


def _upsert(
    user_id: int, kind: MessageKind, channel: Channel, frequency: Frequency, now: datetime
) -> bool:
    """Write one choice unless the row already holds it; True when this call changed it.

    INSERT … ON CONFLICT on the (user, kind, channel) key, as both databases spell it:
    two saves at once never fail on the unique key, and the later one wins.
    """
    dialect = db.session.get_bind().dialect.name
    build = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = cast(Table, ContactPreference.__table__)
    statement = build(table).values(
        user_id=user_id, kind=kind, channel=channel, frequency=frequency, updated_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id", "kind", "channel"],
        set_={
            "frequency": statement.excluded.frequency,
            "updated_at": statement.excluded.updated_at,
        },
        where=table.c.frequency != statement.excluded.frequency,
    )
    # RETURNING, not rowcount: a row comes back only if this statement wrote one.
    return db.session.execute(statement.returning(table.c.id)).first() is not None


def _move_waiting_email(
    user_id: int, kind: MessageKind, frequency: Frequency, now: datetime
) -> None:
    """Her notifications of `kind` still waiting for an email follow her new choice.

    Only those waiting (a frequency, not yet emailed): switching to instant must not
    email her months of notifications she was never going to be emailed about.
    """
    kinds = sorted(k for k, message in MESSAGE_KIND_OF.items() if message is kind)
    new = None if frequency is Frequency.NEVER else frequency
    db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.kind.in_(kinds),
            Notification.emailed_at.is_(None),
            Notification.email_frequency.is_not(None),
        )
        .values(email_frequency=new, email_due_at=email_due_at(new, now))
        .execution_options(synchronize_session=False)
    )


# ------------------------------------------------------------ the preference centre


@dataclass(frozen=True)
class PreferenceRow:
    """One kind of message in the preference centre, with her choice per channel."""

    kind: MessageKind
    label: str
    explanation: str
    chosen: dict[Channel, Frequency]


def preference_centre(viewer: User) -> list[PreferenceRow]:
    """Her choices, one row per kind of message, defaults filled in.

    :raises Forbidden: the viewer is not signed in.
    """
    if not getattr(viewer, "is_authenticated", False):
        raise Forbidden("Log in to choose how we contact you.")
    chosen = preferences_of(viewer.id)
    return [
        PreferenceRow(
            kind,
            *KIND_LABELS[kind],
            {channel: chosen[(kind, channel)] for channel in Channel},
        )
        for kind in MessageKind
    ]


# ------------------------------------------------------------ the signup step

# "Email me about replies and answers" on the signup step covers what was said to her.
CONVERSATION_KINDS: Final = (MessageKind.REPLIES, MessageKind.MENTIONS, MessageKind.OFFICIAL)


@dataclass(frozen=True)
class WelcomeChoices:
    """The two questions of the signup step."""

    conversation_email: str
    offers_email: bool


def welcome_choices(user_id: int) -> WelcomeChoices:
    """What the signup step shows first: her current choices (the defaults, for a new member)."""
    chosen = preferences_of(user_id)
    return WelcomeChoices(
        chosen[(MessageKind.REPLIES, Channel.EMAIL)].value,
        chosen[(MessageKind.OFFERS, Channel.EMAIL)] is not Frequency.NEVER,
    )


def answer_welcome(
    actor: Actor, user: User, answers: WelcomeChoices, *, now: datetime
) -> list[PreferenceChange]:
    """Save the signup step's answers as her preferences (source: the signup step).

    Saying no to offers when she never said yes writes no consent event: nothing changed.

    :raises Forbidden, NotFound, Invalid: as `set_preferences`.
    """
    choices: dict[tuple[str, str], str] = {
        (kind, Channel.EMAIL): answers.conversation_email for kind in CONVERSATION_KINDS
    }
    offers = Frequency.INSTANT if answers.offers_email else Frequency.NEVER
    choices[(MessageKind.OFFERS, Channel.EMAIL)] = offers
    return set_preferences(actor, user, choices, ConsentSource.SIGNUP_STEP, now=now)


# ------------------------------------------------------------ unsubscribe links


@dataclass(frozen=True)
class Unsubscription:
    """What an unsubscribe link stops: whose emails, about what, and whether it already has."""

    user: User
    kind: MessageKind
    masked_email: str
    already: bool

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind][0].lower()


def check_unsubscribe(token: str, *, now: datetime) -> Unsubscription:
    """Whose and which emails a link would stop, changing nothing (GET, link scanners).

    :raises Invalid: tampered with, not ours, or expired.
    :raises NotFound: the member's account is gone.
    """
    user_id, kind = read_unsubscribe_token(token, now=now)
    user = db.session.get(User, user_id)
    if user is None or user.status is UserStatus.DELETED:
        raise NotFound("This account no longer exists, so it gets no email from us.")
    already = preferences_of(user.id)[(kind, Channel.EMAIL)] is Frequency.NEVER
    return Unsubscription(user, kind, mask_email(user.email), already)


def unsubscribe(token: str, *, now: datetime) -> Unsubscription:
    """Stop emails of the link's kind to the link's member (RFC 8058 one-click too).

    The signed token is the proof, so no login or CSRF token is needed. Using a link
    again writes nothing: `already` says she was unsubscribed before.

    :raises Invalid: tampered with, not ours, or expired.
    :raises NotFound: the member's account is gone.
    """
    target = check_unsubscribe(token, now=now)
    if target.already:
        return target
    changes = set_preferences(
        target.user,
        target.user,
        {(target.kind, Channel.EMAIL): Frequency.NEVER},
        ConsentSource.UNSUBSCRIBE_LINK,
        now=now,
    )
    # A link used at the same instant elsewhere may have made the change first.
    return replace(target, already=not changes)


def mask_email(email: str) -> str:
    """Enough of an address to recognise it, not to harvest it: j***@example.com."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
