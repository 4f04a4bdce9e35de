"""Several `send-mail` workers at once: each email reaches the mail server exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from fanhub.db import utcnow
from fanhub.notifications.models import EmailStatus
from fanhub.notifications.services import SmtpTransport, deliver_due_mail
from tests.factories import sent_emails

pytestmark = pytest.mark.concurrency

EMAILS = 40


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_running_at_once_send_every_email_exactly_once(
    isolated_app, mail_server, queue_emails, monkeypatch, workers
):
    app = isolated_app
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    # A mail server that takes a moment per message keeps the workers overlapping.
    mail_server.handler.delay = 0.005
    queued = queue_emails(app, EMAILS)
    now = utcnow()
    start = threading.Barrier(workers)

    def worker():
        with app.app_context():
            start.wait(timeout=10)
            return deliver_due_mail(now=now)

    with ThreadPoolExecutor(workers) as pool:
        futures = [pool.submit(worker) for _ in range(workers)]
        reports = [future.result(timeout=60) for future in futures]

    arrived = Counter(arrival.message["X-Fanhub-Outbox-Id"] for arrival in mail_server.received)
    assert arrived == Counter({str(email_id): 1 for email_id in queued})
    assert len({arrival.message["Message-ID"] for arrival in mail_server.received}) == EMAILS
    assert sum(report.sent for report in reports) == EMAILS
    assert sum(report.failed + report.retrying for report in reports) == 0
    assert {email.status for email in sent_emails(app)} == {EmailStatus.SENT}


class PausingTransport(SmtpTransport):
    """SMTP that, before its first send, lets another worker run to the end."""

    def __init__(self, url, meanwhile):
        super().__init__(url)
        self.meanwhile = meanwhile

    def send(self, message):
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            with ThreadPoolExecutor(1) as pool:
                pool.submit(meanwhile).result(timeout=30)
        super().send(message)


def test_an_email_another_worker_just_put_back_to_wait_is_not_retried_early(
    isolated_app, mail_server, queue_emails, monkeypatch
):
    app = isolated_app
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    mail_server.handler.refusals["RCPT"] = "451 4.3.0 Mailbox busy, try again later"
    mail_server.handler.refused_only = "fan1@example.com"
    first, second = queue_emails(app, 2)
    now = utcnow()
    others = []

    def other_worker():
        # Runs while the first worker is about to send `first`, with `second` still in
        # its list of due emails: this worker tries `second` and is told to wait.
        with app.app_context():
            others.append(deliver_due_mail(now=now))

    with app.app_context():
        report = deliver_due_mail(
            now=now, transport=PausingTransport(mail_server.url, other_worker)
        )

    [other] = others
    assert (other.sent, other.retrying) == (0, 1)
    assert (report.sent, report.retrying, report.skipped) == (1, 0, 1)
    rows = {email.id: email for email in sent_emails(app)}
    assert rows[first].status is EmailStatus.SENT
    assert rows[second].status is EmailStatus.PENDING
    assert rows[second].attempts == 1
