"""Tell members what happened (in-app notifications), and queue email in the caller's
transaction to deliver later, each row at most once."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template
from sqlalchemy import insert, select, update
from werkzeug.routing import BuildError

from fanhub.accounts.models import User
from fanhub.db import rows_changed, transaction
from fanhub.errors import Forbidden, NotFound
from fanhub.extensions import db
from fanhub.links import absolute_url
from fanhub.notifications.models import (
    MESSAGE_MAX,
    URL_MAX,
    Channel,
    EmailStatus,
    Frequency,
    MessageKind,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from fanhub.notifications.preferences import (
    email_due_at,
    frequencies_by_kind,
    message_kind,
    unsubscribe_token,
)

log = logging.getLogger(__name__)

# A worker that claimed a row and vanished (killed mid-send) leaves it "sending"; after
# this long the row is sent again: delivery is at least once (issue 11), since a message
# that may have gone out twice beats one that never arrives. The lease is many times the
# longest a live sender can take over one message (SMTP_TIMEOUT_SECONDS per step), so a
# slow sender records its send long before anyone else may take the row.
CLAIM_LEASE = timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30


def queue_email(
    *,
    to: str,
    kind: str,
    subject: str,
    template: str,
    now: datetime,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> OutboundEmail:
    """Add an email to the outbox in the current transaction (the caller commits), due `now`.

    Renders `email/<template>.txt` and `email/<template>.html` with `context`, plus
    `preferences_url` for the footer every email carries.
    """
    context.setdefault("preferences_url", preferences_link())
    email = OutboundEmail(
        to_address=to,
        kind=kind,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers=dict(headers or {}),
        status=EmailStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(email)
    return email


def preferences_link() -> str:
    """The absolute URL of the preference centre, for the footer of every email."""
    return _public_link("notifications.preference_centre", "/settings/notifications")


def unsubscribe_link(user_id: int, kind: MessageKind, *, now: datetime) -> str:
    """The absolute one-click unsubscribe URL that stops `kind` of email for this member."""
    token = unsubscribe_token(user_id, kind, now=now)
    return _public_link("notifications.unsubscribe", f"/unsubscribe/{token}", token=token)


def unsubscribe_headers(user_id: int, kind: MessageKind, *, now: datetime) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) with its one-click POST (RFC 8058) for a notification
    email: mail programs show an "unsubscribe" button that stops exactly `kind`."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_link(user_id, kind, now=now)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _public_link(endpoint: str, path: str, **values: Any) -> str:
    # The public paths are stable (DESIGN.md): while the preference centre's views are
    # not registered, the documented path still reaches them once they are.
    try:
        return absolute_url(endpoint, **values)
    except BuildError:
        return current_app.config["BASE_URL"] + path


@dataclass
class DeliveryReport:
    """What one `send-mail` run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    # Rows whose sender died mid-send, taken up again once their lease ran out.
    interrupted: int = 0


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class PermanentFailure(Exception):
    """The server refused the message for good; retrying would not help."""


class MailSettingsError(Exception):
    """SMTP_URL cannot be used; the message says how to fix it."""


class SmtpTransport:
    """Delivers through one SMTP connection, reopened after a failure."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"}:
            raise MailSettingsError("SMTP_URL must start with smtp:// or smtps://")
        try:
            port = parts.port
        except ValueError:
            raise MailSettingsError("SMTP_URL has a port that is not a number.") from None
        self.host = parts.hostname or "localhost"
        self.port = port or (465 if parts.scheme == "smtps" else 25)
        self.implicit_tls = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        self.starttls = query.get("starttls", ["false"])[0].lower() in {"1", "true", "yes"}
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self._connection is None:
            context = ssl.create_default_context()
            if self.implicit_tls:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=context
                )
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
            self._connection = conn  # from here on, close() tidies it up if we fail
            if self.starttls:
                conn.starttls(context=context)
            if self.username:
                conn.login(self.username, self.password or "")
        return self._connection

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server.

        :raises PermanentFailure: the server refused this message with a 5xx reply.
        :raises smtplib.SMTPException, OSError: anything worth retrying later, including
            failing to connect or log in at all (even with a 5xx reply: that is our
            settings or the server, not this email, and must not fail the whole outbox).
        """
        try:
            connection = self._connect()
        except (smtplib.SMTPException, OSError):
            self.close()
            raise
        try:
            connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as err:
            # The connection may be mid-transaction after any refusal: start afresh.
            self.close()
            if all(code >= 500 for code, _ in err.recipients.values()):
                raise PermanentFailure(str(err)) from err
            raise
        except smtplib.SMTPResponseException as err:
            self.close()
            if err.smtp_code >= 500:
                raise PermanentFailure(f"{err.smtp_code} {err.smtp_error!r}") from err
            raise
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            # If the connection is already gone there is nothing to tidy.
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
            self._connection = None


class FileTransport:
    """Development delivery: each email becomes an .eml file a person can open."""

    def __init__(self, folder: str) -> None:
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{message['X-Fanhub-Outbox-Id']:0>8}.eml"
        (self.folder / name).write_bytes(bytes(message))

    def close(self) -> None:
        pass


def open_transport() -> Transport:
    """SMTP when SMTP_URL is set, otherwise .eml files under the instance folder."""
    url = current_app.config.get("SMTP_URL")
    if url:
        return SmtpTransport(url)
    return FileTransport(current_app.config["MAIL_DIR"])


def build_message(email: OutboundEmail, now: datetime) -> EmailMessage:
    """The MIME message for one outbox row: plain text, plus HTML when there is some."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now)
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"outbox{email.id}", domain=host)
    message["X-Fanhub-Outbox-Id"] = str(email.id)
    for name, value in (email.headers or {}).items():
        message[name] = value
    message.set_content(email.body_text)
    if email.body_html:
        message.add_alternative(email.body_html, subtype="html")
    return message


def retry_delay(attempts: int) -> timedelta:
    """Back off 2, 4, 8 … minutes after each failed attempt, capped at six hours."""
    # Cap the exponent first: a large MAIL_MAX_ATTEMPTS must not overflow timedelta.
    return min(timedelta(minutes=2 ** min(attempts, 9)), timedelta(hours=6))


@dataclass(frozen=True)
class _Claim:
    """What a worker needs to send a row it holds, read while it took the claim."""

    email_id: int
    attempts: int
    message: EmailMessage | None
    unsendable: str | None = None


def deliver_due_mail(
    *, now: datetime, transport: Transport | None = None, batch: int = 200
) -> DeliveryReport:
    """Send every due outbox row once; safe to run in several workers at the same time.

    Each row is claimed with a conditional UPDATE (pending and due -> sending) that only
    one worker can win, and the claim is committed before the message leaves, so a row
    is never handed to the mail server twice. No transaction stays open while a message
    is on its way: on SQLite every transaction holds the write lock (BEGIN IMMEDIATE),
    and on PostgreSQL an idle transaction would hold back the whole database.

    A row still `sending` after its lease belonged to a worker that died mid-send; it is
    sent again in this run (the dead worker's try counts as an attempt), or marked failed
    if that was its last attempt. A sender that did finish marks its row sent whatever
    happened to its claim meanwhile, so a finished send is never repeated.

    `now` is when the run starts (the worker reads the clock; tests choose it); later steps
    of the run add the time elapsed since on the monotonic clock, so the leases of a long
    run do not start out expired.

    :raises MailSettingsError: SMTP_URL cannot be used; nothing was claimed.
    """
    started_at, started = now, time.monotonic()

    def clock() -> datetime:
        return started_at + timedelta(seconds=time.monotonic() - started)

    report = DeliveryReport()
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    with transaction():
        abandoned = (
            OutboundEmail.status == EmailStatus.SENDING,
            OutboundEmail.claimed_until < started_at,
        )
        given_up = db.session.execute(
            update(OutboundEmail)
            .where(*abandoned, OutboundEmail.attempts >= max_attempts)
            .values(
                status=EmailStatus.FAILED,
                claimed_until=None,
                last_error="delivery interrupted on the last attempt",
            )
        )
        # Due at once, so this very run sends them (the claim below counts the attempt).
        taken_up = db.session.execute(
            update(OutboundEmail)
            .where(*abandoned)
            .values(
                status=EmailStatus.PENDING,
                claimed_until=None,
                next_attempt_at=started_at,
                last_error="delivery interrupted; sent again",
            )
        )
        report.failed += rows_changed(given_up)
        report.interrupted += rows_changed(given_up) + rows_changed(taken_up)
        due = db.session.scalars(
            select(OutboundEmail.id)
            .where(
                OutboundEmail.status == EmailStatus.PENDING,
                OutboundEmail.next_attempt_at <= started_at,
            )
            .order_by(OutboundEmail.id)
            .limit(batch)
        ).all()
    if not due:
        return report
    transport = transport or open_transport()
    try:
        for email_id in due:
            claim = _claim(email_id, clock())
            if claim is None:
                report.skipped += 1  # another worker sent it, or put it back to wait
                continue
            outcome = _send(claim, transport, max_attempts, report)
            _record(claim, outcome, clock())
    finally:
        transport.close()
    return report


def _claim(email_id: int, now: datetime) -> _Claim | None:
    """Take the row for this worker, or return None if it is no longer ours to send."""
    with transaction():
        claimed = db.session.execute(
            update(OutboundEmail)
            .where(
                OutboundEmail.id == email_id,
                OutboundEmail.status == EmailStatus.PENDING,
                # Between our SELECT and now, another worker may have tried this row
                # and set it to wait: its backoff holds for us too.
                OutboundEmail.next_attempt_at <= now,
            )
            .values(
                status=EmailStatus.SENDING,
                claimed_until=now + CLAIM_LEASE,
                attempts=OutboundEmail.attempts + 1,
            )
        )
        if rows_changed(claimed) != 1:
            return None
        email = db.session.get(OutboundEmail, email_id, populate_existing=True)
        if email is None:  # deleted between the claim and the read: nothing to send
            return None
        # Build the message inside the claim: after the commit the row is expired, and
        # reading it again would open a transaction for the whole of the send.
        try:
            return _Claim(email_id, email.attempts, build_message(email, now))
        except ValueError as err:  # e.g. a line break in a header: no server would take it
            return _Claim(email_id, email.attempts, None, unsendable=str(err))


@dataclass(frozen=True)
class _Outcome:
    """How one attempt ended."""

    status: EmailStatus
    error: str | None = None
    retry_after: timedelta | None = None


def _send(
    claim: _Claim, transport: Transport, max_attempts: int, report: DeliveryReport
) -> _Outcome:
    """Hand a claimed message to the transport and say how it went."""
    if claim.message is None:
        report.failed += 1
        return _Outcome(EmailStatus.FAILED, f"unsendable: {claim.unsendable}")
    try:
        transport.send(claim.message)
    except PermanentFailure as err:
        log.warning("mail %s refused for good: %s", claim.email_id, err)
        report.failed += 1
        return _Outcome(EmailStatus.FAILED, str(err))
    except (smtplib.SMTPException, OSError) as err:
        log.warning("mail %s attempt %s failed: %s", claim.email_id, claim.attempts, err)
        if claim.attempts >= max_attempts:
            report.failed += 1
            return _Outcome(EmailStatus.FAILED, str(err))
        report.retrying += 1
        return _Outcome(EmailStatus.PENDING, str(err), retry_delay(claim.attempts))
    report.sent += 1
    return _Outcome(EmailStatus.SENT)


def _record(claim: _Claim, outcome: _Outcome, now: datetime) -> None:
    """Write how an attempt ended and release the claim.

    A send that went out is recorded whatever became of the claim (had this worker
    outlived its lease, the row may be waiting to go again: it must not). Any other
    outcome only while the claim is still this worker's, or it would overwrite the
    state of the worker that took the row up after the lease.
    """
    values: dict[str, Any] = {
        "status": outcome.status,
        "claimed_until": None,
        "last_error": outcome.error[:2000] if outcome.error else None,
    }
    if outcome.status is EmailStatus.SENT:
        values["sent_at"] = now
    if outcome.retry_after is not None:
        values["next_attempt_at"] = now + outcome.retry_after
    ours = OutboundEmail.id == claim.email_id
    if outcome.status is not EmailStatus.SENT:
        ours = (
            ours
            & (OutboundEmail.status == EmailStatus.SENDING)
            & (OutboundEmail.attempts == claim.attempts)
        )
    with transaction():
        db.session.execute(update(OutboundEmail).where(ours).values(**values))


# ------------------------------------------------------------ in-app notifications

NOTIFICATIONS_PER_PAGE = 30


@dataclass(frozen=True)
class Notice:
    """What to tell some members about one event (a post, a review)."""

    recipient_ids: frozenset[int]
    kind: NotificationKind
    message: str
    url: str


def notify(
    recipient_ids: Iterable[int],
    *,
    kind: NotificationKind,
    message: str,
    url: str,
    actor_id: int | None,
    now: datetime,
) -> int:
    """Tell each member once, never the actor, as she asked, in the caller's transaction
    (no commit); see `notify_each`.

    Returns how many members were told. The unread counter of each one who sees it on
    the site moves in SQL in the same transaction, so the header shows it without a
    query and two notifications at the same instant both count.

    :raises ValueError: `url` is not a path on this site (the inbox redirects to it).
    """
    return notify_each(
        [Notice(frozenset(recipient_ids), kind, message, url)], actor_id=actor_id, now=now
    )


def notify_each(notices: Iterable[Notice], *, actor_id: int | None, now: datetime) -> int:
    """Tell members about one event at `now`, each at most once, never the actor, as each asked.

    A member named by several notices gets only the first, so callers list the most
    specific reason first. Her preferences for the notice's kind of message decide the
    rest: on the site never, and the notification skips her inbox and unread count; by
    email at once, and it waits EMAIL_COALESCE_MINUTES (so a lively thread makes one
    email, `emails.queue_instant_emails`); daily or weekly, and it waits for her digest.
    If she wants this kind by no channel at all she gets no row, and a later, less
    specific notice may still tell her (muted official answers, but watching the topic:
    she hears of the reply). Her account's own news (no message kind) always reaches her
    inbox and is never emailed.

    Writes in the caller's transaction (no commit); returns how many members were told.

    :raises ValueError: a notice's `url` is not a path on this site.
    """
    told: set[int] = set() if actor_id is None else {actor_id}
    rows: list[dict[str, Any]] = []
    instant_due_at = email_due_at(Frequency.INSTANT, now)
    notices = list(notices)
    # Everyone's choices for every kind these notices are about, in one query.
    choices = frequencies_by_kind(
        {user_id for notice in notices for user_id in notice.recipient_ids} - told,
        {kind for notice in notices if (kind := message_kind(notice.kind)) is not None},
    )
    for notice in notices:
        if not _is_site_path(notice.url) or len(notice.url) > URL_MAX:
            raise ValueError(f"a notification links to a path on this site, not {notice.url!r}")
        message = notice.message
        if len(message) > MESSAGE_MAX:
            message = message[: MESSAGE_MAX - 1] + "…"
        candidates = notice.recipient_ids - told
        if not candidates:
            continue
        kind = message_kind(notice.kind)
        chosen = choices[kind] if kind is not None else {}
        for user_id in sorted(candidates):
            onsite, email = (
                (chosen[user_id][Channel.ONSITE], chosen[user_id][Channel.EMAIL])
                if kind is not None
                else (Frequency.INSTANT, Frequency.NEVER)
            )
            if onsite is Frequency.NEVER and email is Frequency.NEVER:
                continue
            told.add(user_id)
            rows.append(
                {
                    "user_id": user_id,
                    "kind": notice.kind,
                    "actor_id": actor_id,
                    "message": message,
                    "url": notice.url,
                    "created_at": now,
                    "in_inbox": onsite is not Frequency.NEVER,
                    "email_frequency": None if email is Frequency.NEVER else email,
                    "email_due_at": instant_due_at if email is Frequency.INSTANT else None,
                }
            )
    if not rows:
        return 0
    # One INSERT for everyone and one UPDATE for every counter: a post watched by
    # thousands costs what a post watched by two does. A single UPDATE also takes the
    # members' row locks in one (index) order, so two posts notifying the same people
    # at the same moment wait for each other instead of deadlocking.
    db.session.execute(insert(Notification), rows)
    # Only what reaches her inbox counts as unread: an email-only row never shows there.
    counted = sorted(row["user_id"] for row in rows if row["in_inbox"])
    if counted:
        db.session.execute(
            update(User)
            .where(User.id.in_(counted))
            .values(unread_notification_count=User.unread_notification_count + 1)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def _is_site_path(url: str) -> bool:
    # "//host" and "/\host" are other sites to a browser (it reads a backslash as a slash).
    return url.startswith("/") and not url.startswith(("//", "/\\"))


@dataclass
class NotificationsPage:
    """One page of a member's notifications, newest first."""

    notifications: list[Notification]
    unread_count: int
    # Pass as `before` for the next (older) page; None on the last page.
    next_before: int | None


def notifications_page(viewer: Any, before_id: int | None = None) -> NotificationsPage:
    """The viewer's notifications, 30 at a time, older pages by id (never OFFSET).

    :raises Forbidden: the viewer is not signed in.
    """
    user_id = _member_id(viewer)
    query = select(Notification).where(
        Notification.user_id == user_id, Notification.in_inbox.is_(True)
    )
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = list(
        db.session.scalars(query.order_by(Notification.id.desc()).limit(NOTIFICATIONS_PER_PAGE + 1))
    )
    next_before = None
    if len(rows) > NOTIFICATIONS_PER_PAGE:
        rows = rows[:NOTIFICATIONS_PER_PAGE]
        next_before = rows[-1].id
    # The counter in the member's row, not COUNT(*): it is already loaded.
    return NotificationsPage(rows, viewer.unread_notification_count, next_before)


def mark_read(actor: Any, notification_id: int, *, now: datetime) -> Notification:
    """Mark one of the actor's notifications read and return it (to follow its link).

    Reading it again changes nothing.

    :raises Forbidden: the actor is not signed in.
    :raises NotFound: no such notification in her inbox (someone else's, or email only).
    """
    user_id = _member_id(actor)
    notification = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id,
            Notification.user_id == user_id,
            # An email-only notification never showed in her inbox, nor counted there.
            Notification.in_inbox.is_(True),
        )
    )
    if notification is None:
        raise NotFound("There is no such notification.")
    if notification.read_at is not None:
        return notification
    with transaction():
        # Only the request that flips it from unread takes one off the counter, so a
        # double click does not count it twice.
        marked = rows_changed(
            db.session.execute(
                update(Notification)
                .where(Notification.id == notification.id, Notification.read_at.is_(None))
                .values(read_at=now)
            )
        )
        if marked:
            db.session.execute(
                update(User)
                .where(User.id == user_id, User.unread_notification_count > 0)
                .values(unread_notification_count=User.unread_notification_count - 1)
            )
    return notification


def mark_all_read(actor: Any, *, now: datetime) -> int:
    """Mark all the actor's notifications read and zero her unread count; returns how many.

    :raises Forbidden: the actor is not signed in.
    """
    user_id = _member_id(actor)
    with transaction():
        # The counter first: that locks the member's row, so a notification being
        # written at this moment waits for us and then counts as unread, instead of
        # being marked read here while its count survives (or the other way round).
        db.session.execute(
            update(User).where(User.id == user_id).values(unread_notification_count=0)
        )
        marked = rows_changed(
            db.session.execute(
                update(Notification)
                .where(
                    Notification.user_id == user_id,
                    Notification.in_inbox.is_(True),
                    Notification.read_at.is_(None),
                )
                .values(read_at=now)
                .execution_options(synchronize_session=False)
            )
        )
    return marked


def _member_id(actor: Any) -> int:
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden("Log in to see your notifications.")
    return int(actor.id)
