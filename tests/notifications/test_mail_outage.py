"""The mail server is down: pages that send mail answer as usual (no request talks to
SMTP), the email waits in the outbox, and goes out once, after the server is back
(issue 11)."""

from __future__ import annotations

from datetime import timedelta

from fanhub.db import utcnow
from fanhub.notifications.models import EmailStatus
from fanhub.notifications.services import deliver_due_mail
from tests.factories import sent_emails


def test_asking_for_a_reset_link_answers_while_the_mail_server_is_down(
    app, client, make_user, unused_smtp_url, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", unused_smtp_url)
    make_user("mailless")

    response = client.post("/password/reset", data={"email": "mailless@example.com"})

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [email] = sent_emails(app, "password_reset")
    assert (email.status, email.attempts) == (EmailStatus.PENDING, 0)


def test_an_email_queued_while_the_server_was_down_goes_out_once_when_it_is_back(
    app, client, make_user, unused_smtp_url, mail_server, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", unused_smtp_url)
    make_user("patient")
    client.post("/password/reset", data={"email": "patient@example.com"})
    now = utcnow()
    with app.app_context():
        down = deliver_due_mail(now=now)

    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    with app.app_context():
        back = deliver_due_mail(now=now + timedelta(minutes=3))
        again = deliver_due_mail(now=now + timedelta(hours=1))

    assert (down.sent, down.retrying, back.sent, again.sent) == (0, 1, 1, 0)
    [arrival] = mail_server.received
    assert arrival.recipients == ["patient@example.com"]
    [email] = sent_emails(app, "password_reset")
    assert (email.status, email.attempts) == (EmailStatus.SENT, 2)
