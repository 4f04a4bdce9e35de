"""Sending the outbox (`flask send-mail`): claim each due row once, hand it to SMTP or to
files, record how it went, retry with backoff."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import select, update

from fanhub.db import rows_changed, transaction
from fanhub.extensions import db
from fanhub.notifications.models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)

# A worker that claimed a row and vanished (killed mid-send) leaves it "sending"; after
# this long the row is sent again: delivery is at least once (issue 11), since a message
# that may have gone out twice beats one that never arrives. The lease is many times the
# longest a live sender can take over one message (SMTP_TIMEOUT_SECONDS per step), so a
# slow sender records its send long before anyone else may take the row.
CLAIM_LEASE = timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30


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
