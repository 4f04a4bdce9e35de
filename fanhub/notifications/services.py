"""Queue email in the caller's transaction; deliver it later, each row at most once."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template
from sqlalchemy import select, update

from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.notifications.models import EmailStatus, OutboundEmail

log = logging.getLogger(__name__)

# A worker that claimed a row and vanished (killed mid-send) leaves it "sending"; after
# this long we mark it failed rather than retry, because it may already have gone out.
CLAIM_LEASE = timedelta(minutes=10)
SMTP_TIMEOUT_SECONDS = 30


def queue_email(
    *, to: str, kind: str, subject: str, template: str, headers: dict[str, str] | None = None,
    **context: Any,
) -> OutboundEmail:
    """Add an email to the outbox in the current transaction (the caller commits).

    Renders `email/<template>.txt` and `email/<template>.html` with `context`.
    """
    email = OutboundEmail(
        to_address=to,
        kind=kind,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers=dict(headers or {}),
        status=EmailStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(email)
    return email


@dataclass
class DeliveryReport:
    """What one `send-mail` run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class PermanentFailure(Exception):
    """The server refused the message for good; retrying would not help."""


class SmtpTransport:
    """Delivers through one SMTP connection, reopened after a failure."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"}:
            raise ValueError("SMTP_URL must start with smtp:// or smtps://")
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
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
                if self.starttls:
                    conn.starttls(context=context)
            if self.username:
                conn.login(self.username, self.password or "")
            self._connection = conn
        return self._connection

    def send(self, message: EmailMessage) -> None:
        try:
            self._connect().send_message(message)
        except smtplib.SMTPRecipientsRefused as err:
            if all(code >= 500 for code, _ in err.recipients.values()):
                raise PermanentFailure(str(err)) from err
            self.close()
            raise
        except smtplib.SMTPResponseException as err:
            if err.smtp_code >= 500:
                raise PermanentFailure(f"{err.smtp_code} {err.smtp_error!r}") from err
            self.close()
            raise
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.quit()
            except (smtplib.SMTPException, OSError):
                pass  # the connection is already gone; nothing to tidy
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
    return min(timedelta(minutes=2**attempts), timedelta(hours=6))


def deliver_due_mail(
    *, now: datetime | None = None, transport: Transport | None = None, batch: int = 200
) -> DeliveryReport:
    """Send every due outbox row once; safe to run in several workers at the same time.

    Each row is claimed with a conditional UPDATE (pending -> sending) that only one
    worker can win, and the claim is committed before the message leaves, so a row is
    never handed to the mail server twice.
    """
    now = now or utcnow()
    report = DeliveryReport()
    with transaction():
        abandoned = db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.status == EmailStatus.SENDING, OutboundEmail.claimed_until < now)
            .values(status=EmailStatus.FAILED, last_error="delivery interrupted; not retried")
        )
        report.failed += abandoned.rowcount
    due = db.session.scalars(
        select(OutboundEmail.id)
        .where(OutboundEmail.status == EmailStatus.PENDING, OutboundEmail.next_attempt_at <= now)
        .order_by(OutboundEmail.id)
        .limit(batch)
    ).all()
    db.session.rollback()
    if not due:
        return report
    transport = transport or open_transport()
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    try:
        for email_id in due:
            with transaction():
                claim = db.session.execute(
                    update(OutboundEmail)
                    .where(OutboundEmail.id == email_id, OutboundEmail.status == EmailStatus.PENDING)
                    .values(
                        status=EmailStatus.SENDING,
                        claimed_until=now + CLAIM_LEASE,
                        attempts=OutboundEmail.attempts + 1,
                    )
                )
            if claim.rowcount != 1:
                report.skipped += 1  # another worker took it
                continue
            email = db.session.get(OutboundEmail, email_id, populate_existing=True)
            assert email is not None  # noqa: S101 - we hold the claim on this row
            _deliver_one(email, transport, now, max_attempts, report)
    finally:
        transport.close()
    return report


def _deliver_one(
    email: OutboundEmail,
    transport: Transport,
    now: datetime,
    max_attempts: int,
    report: DeliveryReport,
) -> None:
    outcome: dict[str, Any]
    try:
        transport.send(build_message(email, now))
    except PermanentFailure as err:
        outcome = {"status": EmailStatus.FAILED, "last_error": str(err)[:2000]}
        report.failed += 1
    except (smtplib.SMTPException, OSError) as err:
        log.warning("mail %s attempt %s failed: %s", email.id, email.attempts, err)
        if email.attempts >= max_attempts:
            outcome = {"status": EmailStatus.FAILED, "last_error": str(err)[:2000]}
            report.failed += 1
        else:
            outcome = {
                "status": EmailStatus.PENDING,
                "last_error": str(err)[:2000],
                "next_attempt_at": now + retry_delay(email.attempts),
            }
            report.retrying += 1
    else:
        outcome = {"status": EmailStatus.SENT, "sent_at": now, "last_error": None}
        report.sent += 1
    with transaction():
        db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id == email.id)
            .values(claimed_until=None, **outcome)
        )
