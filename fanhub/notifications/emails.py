"""Notification emails (issue 6): instant ones, coalesced per conversation, and daily or
weekly digests; each notification is emailed at most once, however many runs overlap."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from flask import current_app
from sqlalchemy import ColumnElement, and_, case, func, or_, select, update

from fanhub.accounts.models import User, UserStatus
from fanhub.db import rows_changed, transaction
from fanhub.extensions import db
from fanhub.links import absolute_url
from fanhub.notifications.models import (
    MESSAGE_KIND_OF,
    Frequency,
    MessageKind,
    Notification,
    NotificationKind,
)
from fanhub.notifications.services import (
    queue_email,
    unsubscribe_headers,
    unsubscribe_link,
)

# A digest lists this many notifications, newest first, and links to the inbox for the rest.
DIGEST_ITEMS: Final = 50
# Another run may take some of a member's notifications between our read and our claim;
# we then read again, a few times, before leaving her for the next run.
CLAIM_TRIES: Final = 3
SUBJECT_MAX: Final = 200

# "3 new replies in …": what several notifications of one kind are, in a subject line.
_KIND_NOUNS: Final[dict[NotificationKind, str]] = {
    NotificationKind.REPLY: "replies",
    NotificationKind.REVIEW_REPLY: "replies",
    NotificationKind.MENTION: "mentions",
    NotificationKind.OFFICIAL_REPLY: "answers",
    NotificationKind.REVIEW_ANSWER: "answers",
    NotificationKind.NEW_TOPIC: "new topics",
    NotificationKind.ANNOUNCEMENT: "announcements",
    NotificationKind.OFFER: "offers",
}

# (one, several) of a kind of message, for digests and "stop these" links.
MESSAGE_KIND_LABELS: Final[dict[MessageKind, tuple[str, str]]] = {
    MessageKind.REPLIES: ("reply", "replies"),
    MessageKind.MENTIONS: ("mention", "mentions"),
    MessageKind.OFFICIAL: ("answer from a brand", "answers from brands"),
    MessageKind.NEW_TOPICS: ("new topic", "new topics"),
    MessageKind.ANNOUNCEMENTS: ("announcement", "announcements"),
    MessageKind.OFFERS: ("offer or product news", "offers and product news"),
}

_NOTIFICATION_KINDS_OF: Final[dict[MessageKind, tuple[NotificationKind, ...]]] = {
    message: tuple(kind for kind, of in MESSAGE_KIND_OF.items() if of is message)
    for message in MessageKind
}

# A digest lists what belongs to no brand (her account's news) last, under this heading.
ELSEWHERE: Final = "Elsewhere on fanhub"


@dataclass
class MailingReport:
    """What one run of instant emails or digests did."""

    members: int = 0
    emails: int = 0
    notifications: int = 0
    # Waiting for members who cannot be emailed (deleted, no confirmed address): dropped.
    withheld: int = 0
    # Members another run kept taking from under us: left for the next run.
    contended: int = 0
    # Instant ones she read on the site before their email was due: not emailed.
    seen: int = 0


@dataclass(frozen=True)
class EmailItem:
    """One notification as an email lists it."""

    message: str
    link: str
    when: str


@dataclass(frozen=True)
class Conversation:
    """The notifications of one thread (a topic, a review) in an email, newest first."""

    title: str | None
    link: str
    items: list[EmailItem]


@dataclass(frozen=True)
class BrandSection:
    """A digest's conversations at one brand (or at none), the most recent first."""

    heading: str | None
    conversations: list[Conversation]


@dataclass(frozen=True)
class StopLink:
    """A link in the footer that stops one kind of email."""

    label: str
    url: str


class _TakenMeanwhile(Exception):
    """Another run emailed some of these notifications first: roll back and read again."""


def queue_instant_emails(*, now: datetime) -> MailingReport:
    """Queue one email per member and conversation for the instant notifications now due.

    A notification asked for at once waits EMAIL_COALESCE_MINUTES (`notify_each` set its
    due time); when the oldest of a conversation's waiting notifications is due, all of
    them go in one email ("3 new replies in “Kettle clicks off”"), and are marked
    emailed in the transaction that queues it. Safe to run in several workers at once:
    each claim is an UPDATE … WHERE emailed_at IS NULL, and a member whose claim finds
    fewer rows than it read is rolled back and read again, so nothing is sent twice.
    Members deleted, or without a confirmed address, get nothing: their waiting
    notifications leave the queue, as do those she read on the site meanwhile.
    """
    due = _waiting(Frequency.INSTANT) + [Notification.email_due_at <= now]
    with transaction():
        # What she already read on the site in the minutes it waited needs no email.
        seen = rows_changed(
            db.session.execute(
                update(Notification)
                .where(*_waiting(Frequency.INSTANT), Notification.read_at.is_not(None))
                .values(email_frequency=None, email_due_at=None)
                .execution_options(synchronize_session=False)
            )
        )
    report = _mail_members(due, Frequency.INSTANT, now, _queue_instant)
    report.seen = seen
    return report


def send_digests(period: Frequency, *, now: datetime) -> MailingReport:
    """Queue each member's daily or weekly digests of everything waiting for one until `now`.

    One digest per member and kind of message, so its List-Unsubscribe header stops
    exactly what it is about (the token names that `MessageKind`, which the unsubscribe
    page already understands). It lists the newest DIGEST_ITEMS notifications grouped by
    conversation, links to the inbox for the rest, and marks every one of them emailed
    in the transaction that queues it. Running it twice, or twice at once, sends nothing
    twice and leaves nothing waiting up to `now`.

    :raises ValueError: `period` is not daily or weekly.
    """
    if period not in (Frequency.DAILY, Frequency.WEEKLY):
        raise ValueError(f"digests are daily or weekly, not {period}")
    waiting = _waiting(period) + [Notification.created_at <= now]
    return _mail_members(waiting, period, now, _queue_digests)


def _waiting(frequency: Frequency) -> list[ColumnElement[bool]]:
    # The partial index ix_notifications_email_waiting holds exactly these rows.
    return [
        Notification.email_frequency == frequency,
        Notification.emailed_at.is_(None),
    ]


def _reachable() -> ColumnElement[bool]:
    """Members we may email: not deleted, with an address she confirmed is hers."""
    return and_(
        User.status != UserStatus.DELETED,
        User.email != "",
        User.email_verified_at.is_not(None),
    )


_Composer = Callable[[User, list[ColumnElement[bool]], Frequency, datetime], tuple[int, int]]


def _mail_members(
    conditions: list[ColumnElement[bool]],
    frequency: Frequency,
    now: datetime,
    compose: _Composer,
) -> MailingReport:
    """Find the members with mail waiting in one aggregate query, then mail each one in a
    transaction of her own (a clash with another run rolls back that member only)."""
    report = MailingReport()
    reachable = _reachable()
    with transaction():
        members = db.session.execute(
            select(Notification.user_id, func.min(case((reachable, 1), else_=0)))
            .join(User, User.id == Notification.user_id)
            .where(*conditions)
            .group_by(Notification.user_id)
            .order_by(Notification.user_id)
        ).all()
        unreachable = [user_id for user_id, ok in members if not ok]
        if unreachable:
            report.withheld = rows_changed(
                db.session.execute(
                    update(Notification)
                    .where(Notification.user_id.in_(unreachable), *_waiting(frequency))
                    .values(email_frequency=None, email_due_at=None)
                    .execution_options(synchronize_session=False)
                )
            )
    for user_id, ok in members:
        if not ok:
            continue
        for _ in range(CLAIM_TRIES):
            try:
                with transaction():
                    user = db.session.scalar(select(User).where(User.id == user_id, reachable))
                    if user is None:  # deleted since: the next run drops what waits
                        break
                    emails, taken = compose(user, conditions, frequency, now)
            except _TakenMeanwhile:
                continue
            if taken:
                report.members += 1
                report.emails += emails
                report.notifications += taken
            break
        else:
            report.contended += 1
    return report


def _claim(
    user_id: int, conditions: Sequence[ColumnElement[bool]], expected: int, now: datetime
) -> None:
    """Mark what we read as emailed, unless another run got to some of it first.

    :raises _TakenMeanwhile: the UPDATE found fewer (or more) rows than we read.
    """
    taken = rows_changed(
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.emailed_at.is_(None), *conditions)
            .values(emailed_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if taken != expected:
        raise _TakenMeanwhile


def _queue_instant(
    user: User, _due: list[ColumnElement[bool]], frequency: Frequency, now: datetime
) -> tuple[int, int]:
    """Queue her instant emails, one per conversation with something due; returns
    (emails, notifications)."""
    mine = [Notification.user_id == user.id, *_waiting(frequency)]
    # The threads with something due (ix_notifications_thread_waiting finds them) …
    due_threads = (
        select(Notification.thread_key)
        .where(
            *mine,
            or_(Notification.email_due_at.is_(None), Notification.email_due_at <= now),
        )
        .scalar_subquery()
    )
    # … and all their waiting notifications, due or not: when one of a conversation's is
    # due, the later ones ride along rather than making an email each.
    ready_rows = db.session.scalars(
        select(Notification)
        .where(*mine, Notification.thread_key.in_(due_threads))
        .order_by(Notification.id)
    )
    threads: dict[str, list[Notification]] = {}
    for notification in ready_rows:
        threads.setdefault(notification.thread_key, []).append(notification)
    ready = list(threads.values())
    ids = [row.id for rows in ready for row in rows]
    if not ids:
        return 0, 0
    _claim(user.id, [Notification.id.in_(ids)], len(ids), now)
    for rows in ready:
        kinds = _message_kinds(rows)
        queue_email(
            to=user.email,
            kind="notification",
            subject=_instant_subject(rows),
            template="notification",
            headers=unsubscribe_headers(user.id, _main_kind(kinds), now=now),
            user=user,
            conversation=_conversation(rows),
            # Read on from the first new post.
            link=_site_link(rows[0].url),
            reason=_reason(kinds, "at once"),
            stop_links=_stop_links(user.id, kinds, now=now),
            now=now,
        )
    return len(ready), len(ids)


def _queue_digests(
    user: User, waiting: list[ColumnElement[bool]], frequency: Frequency, now: datetime
) -> tuple[int, int]:
    """Queue her digests for one period, one per kind of message; returns
    (emails, notifications)."""
    counts: Counter[MessageKind] = Counter()
    for kind, count in db.session.execute(
        select(Notification.kind, func.count())
        .where(Notification.user_id == user.id, *waiting)
        .group_by(Notification.kind)
    ):
        message = MESSAGE_KIND_OF.get(kind)
        if message is not None:  # account news is never emailed, so never waits here
            counts[message] += count
    total = sum(counts.values())
    if not total:
        return 0, 0
    newest: dict[MessageKind, list[Notification]] = {}
    for message in MessageKind:
        if counts[message]:
            newest[message] = list(
                db.session.scalars(
                    select(Notification)
                    .where(
                        Notification.user_id == user.id,
                        Notification.kind.in_(_NOTIFICATION_KINDS_OF[message]),
                        *waiting,
                    )
                    .order_by(Notification.id.desc())
                    .limit(DIGEST_ITEMS)
                )
            )
    _claim(user.id, waiting, total, now)
    period = "daily" if frequency is Frequency.DAILY else "weekly"
    for message, rows in newest.items():
        count = counts[message]
        one, several = MESSAGE_KIND_LABELS[message]
        queue_email(
            to=user.email,
            kind=f"digest_{period}",
            subject=f"Your {period} fanhub digest: {count} {one if count == 1 else several}",
            template="digest",
            headers=unsubscribe_headers(user.id, message, now=now),
            user=user,
            period=period,
            label=several,
            total=count,
            sections=_sections(rows),
            more=count - len(rows),
            inbox_url=absolute_url("notifications.inbox"),
            reason=_reason([message], f"in a {period} digest"),
            stop_links=_stop_links(user.id, [message], now=now),
            now=now,
        )
    return len(newest), total


def _title_of(oldest_first: Sequence[Notification]) -> str | None:
    """A thread's title as its most recent notification that knows one gave it."""
    return next((row.thread_title for row in reversed(oldest_first) if row.thread_title), None)


def _site_link(path: str) -> str:
    # Notification links are paths on this site (notify refuses anything else).
    return current_app.config["BASE_URL"] + path


def _item(row: Notification) -> EmailItem:
    return EmailItem(row.message, _site_link(row.url), f"{row.created_at:%d %b %Y, %H:%M} UTC")


def _conversation(oldest_first: list[Notification]) -> Conversation:
    """One conversation's notifications as an email shows them: newest first, its link
    to the first of them (read on from there)."""
    return Conversation(
        _title_of(oldest_first),
        _site_link(oldest_first[0].url),
        [_item(row) for row in reversed(oldest_first)],
    )


def _conversations(newest_first: list[Notification]) -> list[Conversation]:
    """Group notifications by conversation, the most recent conversation first."""
    threads: dict[str, list[Notification]] = {}
    for row in newest_first:
        threads.setdefault(row.thread_key, []).append(row)
    return [_conversation(list(reversed(rows))) for rows in threads.values()]


def _sections(newest_first: list[Notification]) -> list[BrandSection]:
    """Group a digest's notifications by brand, then by conversation: the brand with the
    most recent news first, what belongs to no brand last. A digest with nothing from
    any brand has one section and no heading, as before brands had sections."""
    brands: dict[int | None, list[Notification]] = {}
    for row in newest_first:
        brands.setdefault(row.brand_id, []).append(row)
    elsewhere = brands.pop(None, [])
    sections = [
        # Its name as the most recent of them gave it: a renamed brand reads as it is now.
        BrandSection(
            next((r.brand_name for r in rows if r.brand_name), ELSEWHERE), _conversations(rows)
        )
        for rows in brands.values()
    ]
    if elsewhere:
        sections.append(BrandSection(ELSEWHERE if sections else None, _conversations(elsewhere)))
    return sections


def _message_kinds(rows: Sequence[Notification]) -> list[MessageKind]:
    return [MESSAGE_KIND_OF[row.kind] for row in rows if row.kind in MESSAGE_KIND_OF]


def _main_kind(kinds: Sequence[MessageKind]) -> MessageKind:
    """The kind an instant email's List-Unsubscribe stops: most of its notifications are of
    it (ties go to the kind listed first in MessageKind); the footer offers the others."""
    counts = Counter(kinds)
    return max(MessageKind, key=lambda kind: (counts[kind], -list(MessageKind).index(kind)))


def _stop_links(user_id: int, kinds: Sequence[MessageKind], *, now: datetime) -> list[StopLink]:
    return [
        StopLink(MESSAGE_KIND_LABELS[kind][1], unsubscribe_link(user_id, kind, now=now))
        for kind in dict.fromkeys(kinds)
    ]


def _reason(kinds: Sequence[MessageKind], how: str) -> str:
    labels = [MESSAGE_KIND_LABELS[kind][1] for kind in dict.fromkeys(kinds)]
    return f"You get this email because you asked to hear of {' and '.join(labels)} {how}."


def _instant_subject(rows: list[Notification]) -> str:
    """ "Sam replied to “Kettle”" for one; "3 new replies in “Kettle”" for several."""
    if len(rows) == 1:
        subject = rows[0].message
    else:
        nouns = {_KIND_NOUNS.get(row.kind, "notifications") for row in rows}
        noun = nouns.pop() if len(nouns) == 1 else "notifications"
        title = _title_of(rows)
        if title is not None:
            subject = f"{len(rows)} new {noun} in “{title}”"
        else:
            subject = f"{len(rows)} new {noun}: {rows[-1].message}"
    # A subject is one header line, whatever a title holds.
    subject = " ".join(subject.split())
    return subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"
