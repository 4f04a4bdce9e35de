"""When the mail server says no: retry later with backoff, give up for good, or move on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.smtp import AuthResult

from fanhub.db import transaction, utcnow
from fanhub.notifications.models import EmailStatus
from fanhub.notifications.services import (
    CLAIM_LEASE,
    deliver_due_mail,
    open_transport,
    queue_email,
)
from tests.factories import sent_emails

TEMPORARY = "451 4.3.0 Mailbox busy, try again later"
PERMANENT = "550 5.1.1 No such user here"
# The test's clock and the service's agree to within a run's run time.
SLACK = timedelta(seconds=5)


def _deliver(app, now):
    with app.app_context():
        return deliver_due_mail(now=now)


def _row(app, email_id):
    [row] = [email for email in sent_emails(app) if email.id == email_id]
    return row


@pytest.fixture
def smtp(app, mail_server, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    return mail_server


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_a_temporary_refusal_leaves_the_email_pending_for_two_minutes(
    app, smtp, queue_emails, stage
):
    smtp.handler.refusals[stage] = TEMPORARY
    [email_id] = queue_emails(app)
    now = utcnow()

    report = _deliver(app, now)

    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    row = _row(app, email_id)
    assert row.status is EmailStatus.PENDING
    assert row.attempts == 1
    assert now + timedelta(minutes=2) <= row.next_attempt_at < now + timedelta(minutes=2) + SLACK
    assert "451" in row.last_error
    assert smtp.received == []


def test_an_email_waits_out_its_backoff_and_then_is_delivered(app, smtp, queue_emails):
    smtp.handler.refusals["RCPT"] = TEMPORARY
    [email_id] = queue_emails(app)
    now = utcnow()
    _deliver(app, now)
    smtp.handler.refusals.clear()

    too_soon = _deliver(app, now + timedelta(minutes=1))
    assert (too_soon.sent, too_soon.retrying) == (0, 0)
    assert smtp.received == []

    later = _deliver(app, now + timedelta(minutes=3))
    assert later.sent == 1
    [arrival] = smtp.received
    assert arrival.message["X-Fanhub-Outbox-Id"] == str(email_id)
    row = _row(app, email_id)
    assert row.status is EmailStatus.SENT
    assert row.attempts == 2
    assert row.last_error is None


def test_an_email_refused_at_every_attempt_fails_after_mail_max_attempts(app, smtp, queue_emails):
    smtp.handler.refusals["RCPT"] = TEMPORARY
    [email_id] = queue_emails(app)
    max_attempts = app.config["MAIL_MAX_ATTEMPTS"]
    now = utcnow()
    # Each run is later than the longest backoff, so every run retries.
    runs = [now + timedelta(hours=7 * n) for n in range(max_attempts + 1)]

    for attempt, at in enumerate(runs[:-1], start=1):
        _deliver(app, at)
        row = _row(app, email_id)
        assert row.attempts == attempt
        expected = EmailStatus.FAILED if attempt == max_attempts else EmailStatus.PENDING
        assert row.status is expected

    after_giving_up = _deliver(app, runs[-1])
    assert (after_giving_up.sent, after_giving_up.retrying, after_giving_up.failed) == (0, 0, 0)
    assert _row(app, email_id).attempts == max_attempts
    assert smtp.received == []


@pytest.mark.parametrize("stage", ["RCPT", "DATA"])
def test_a_permanent_refusal_fails_the_email_at_once(app, smtp, queue_emails, stage):
    smtp.handler.refusals[stage] = PERMANENT
    [email_id] = queue_emails(app)
    now = utcnow()

    report = _deliver(app, now)

    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    row = _row(app, email_id)
    assert row.status is EmailStatus.FAILED
    assert row.attempts == 1
    assert "550" in row.last_error
    assert _deliver(app, now + timedelta(days=1)).failed == 0
    assert smtp.received == []


def test_a_mail_server_that_is_not_listening_is_a_temporary_failure(
    app, queue_emails, unused_smtp_url, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", unused_smtp_url)
    [email_id] = queue_emails(app)
    now = utcnow()

    report = _deliver(app, now)

    assert report.retrying == 1
    row = _row(app, email_id)
    assert row.status is EmailStatus.PENDING
    assert row.attempts == 1
    assert row.next_attempt_at >= now + timedelta(minutes=2)
    assert "refused" in row.last_error.lower()


def test_a_mail_server_that_refuses_our_login_leaves_the_email_to_retry(
    app, start_mail_server, queue_emails, monkeypatch
):
    # A wrong password in SMTP_URL is our settings' fault, not the email's: failing
    # every email for good over it would empty the outbox.
    server = start_mail_server(
        authenticator=lambda *args: AuthResult(success=False, handled=False),
        auth_require_tls=False,
    )
    url = server.url.replace("smtp://", "smtp://fanhub:wrong-password@")
    monkeypatch.setitem(app.config, "SMTP_URL", url)
    [email_id] = queue_emails(app)

    report = _deliver(app, utcnow())

    assert report.retrying == 1
    row = _row(app, email_id)
    assert row.status is EmailStatus.PENDING
    assert "535" in row.last_error


def test_an_email_with_a_line_break_in_a_header_fails_at_once_and_the_run_goes_on(
    app, smtp, queue_emails, now
):
    with app.app_context(), transaction():
        queue_email(
            to="fan@example.com",
            kind="verify_email",
            subject="Hello\nBcc: everyone@example.com",
            template="verify_email",
            user={"username": "fan"},
            link="http://localhost/verify/token",
            now=now,
        )
    queue_emails(app)

    report = _deliver(app, utcnow())

    assert (report.sent, report.failed) == (1, 1)
    [broken, fine] = sent_emails(app)
    assert broken.status is EmailStatus.FAILED
    assert "unsendable" in broken.last_error
    assert fine.status is EmailStatus.SENT
    assert [arrival.recipients for arrival in smtp.received] == [["fan0@example.com"]]


@pytest.mark.parametrize(
    ("stage", "reply"),
    [("RCPT", TEMPORARY), ("DATA", PERMANENT)],
    ids=["temporary-at-RCPT", "permanent-at-DATA"],
)
def test_one_refused_email_does_not_hold_up_the_rest_of_the_run(
    app, smtp, queue_emails, stage, reply
):
    smtp.handler.refusals[stage] = reply
    smtp.handler.refused_only = "fan0@example.com"
    queue_emails(app, 3)

    report = _deliver(app, utcnow())

    assert report.sent == 2
    assert report.retrying + report.failed == 1
    assert sorted(arrival.recipients[0] for arrival in smtp.received) == [
        "fan1@example.com",
        "fan2@example.com",
    ]


class WorkerKilled(BaseException):
    """Stands in for the worker process dying (killed, out of memory) in mid-send."""


class DyingTransport:
    """The edge we fake: a send that never returns, as when the process is killed."""

    def send(self, message):
        raise WorkerKilled

    def close(self):
        pass


def _crash_while_sending(app, queue_emails):
    [email_id] = queue_emails(app)
    now = utcnow()
    with app.app_context(), pytest.raises(WorkerKilled):
        deliver_due_mail(now=now, transport=DyingTransport())
    assert _row(app, email_id).status is EmailStatus.SENDING
    return email_id, now


def test_an_email_a_crashed_worker_was_sending_is_left_alone_during_its_lease(
    app, smtp, queue_emails
):
    email_id, crashed_at = _crash_while_sending(app, queue_emails)

    report = _deliver(app, crashed_at + CLAIM_LEASE - timedelta(seconds=1))

    assert (report.sent, report.failed) == (0, 0)
    assert _row(app, email_id).status is EmailStatus.SENDING
    assert smtp.received == []


def test_an_email_a_crashed_worker_was_sending_is_sent_again_after_its_lease_and_only_once(
    app, smtp, queue_emails
):
    email_id, crashed_at = _crash_while_sending(app, queue_emails)

    report = _deliver(app, crashed_at + CLAIM_LEASE + timedelta(minutes=1))

    assert (report.interrupted, report.sent, report.failed) == (1, 1, 0)
    row = _row(app, email_id)
    assert row.status is EmailStatus.SENT
    assert row.attempts == 2  # the dead worker's try counts
    assert _deliver(app, crashed_at + timedelta(days=1)).sent == 0
    [arrival] = smtp.received
    assert arrival.message["X-Fanhub-Outbox-Id"] == str(email_id)


def test_an_email_interrupted_on_its_last_attempt_fails_for_good(
    app, smtp, queue_emails, monkeypatch
):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    email_id, crashed_at = _crash_while_sending(app, queue_emails)

    report = _deliver(app, crashed_at + CLAIM_LEASE + timedelta(minutes=1))

    assert (report.interrupted, report.sent, report.failed) == (1, 0, 1)
    row = _row(app, email_id)
    assert row.status is EmailStatus.FAILED
    assert "interrupted" in row.last_error
    assert smtp.received == []


class OutlivesItsLease:
    """A sender so slow that, while its message is on its way, its lease runs out and
    another run takes the row up (and is turned away by the mail server for now)."""

    def __init__(self, app, smtp, later):
        self.app, self.smtp, self.later = app, smtp, later
        self.real = open_transport()
        self.other_run = None

    def send(self, message):
        self.smtp.handler.refusals["RCPT"] = TEMPORARY
        self.other_run = deliver_due_mail(now=self.later)
        self.smtp.handler.refusals.clear()
        self.real.send(message)  # then the slow send does arrive

    def close(self):
        self.real.close()


def test_a_send_that_finished_after_its_lease_is_recorded_and_never_repeated(
    app, smtp, queue_emails
):
    [email_id] = queue_emails(app)
    now = utcnow()
    later = now + CLAIM_LEASE + timedelta(minutes=1)
    with app.app_context():
        slow = OutlivesItsLease(app, smtp, later)
        report = deliver_due_mail(now=now, transport=slow)

    assert (slow.other_run.interrupted, slow.other_run.retrying) == (1, 1)
    assert report.sent == 1
    assert _row(app, email_id).status is EmailStatus.SENT
    assert _deliver(app, later + timedelta(hours=1)).sent == 0
    assert len(smtp.received) == 1
