"""`flask send-mail`: delivers the outbox through SMTP_URL, or as .eml files without one."""

from __future__ import annotations

from email import message_from_bytes, policy

from fanhub.notifications.models import EmailStatus
from tests.factories import link_in, sent_emails


def test_send_mail_delivers_a_new_members_email_through_the_smtp_server(
    app, runner, make_user, mail_server, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    make_user("newfan", verified=False)
    [queued] = sent_emails(app)
    link = "http://localhost" + link_in(queued)

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert result.output == "sent 1, retrying 0, failed 0, skipped 0\n"
    [arrival] = mail_server.received
    assert arrival.recipients == ["newfan@example.com"]
    assert arrival.mail_from == "no-reply@localhost"
    message = arrival.message
    assert message["From"] == app.config["MAIL_FROM"]
    assert message["To"] == "newfan@example.com"
    assert message["Subject"] == "Confirm your email address for fanhub"
    assert message["X-Fanhub-Outbox-Id"] == str(queued.id)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert link in text.get_content()
    assert f'href="{link}"' in html.get_content()
    [row] = sent_emails(app)
    assert row.status is EmailStatus.SENT
    assert row.sent_at is not None
    assert row.attempts == 1


def test_send_mail_does_not_send_an_email_a_second_time(
    app, runner, make_user, mail_server, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    make_user("newfan", verified=False)
    runner.invoke(args=["send-mail"])

    result = runner.invoke(args=["send-mail"])

    assert result.output == "sent 0, retrying 0, failed 0, skipped 0\n"
    assert len(mail_server.received) == 1


def test_send_mail_without_smtp_url_writes_each_email_as_an_eml_file(
    app, runner, make_user, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", None)
    monkeypatch.setitem(app.config, "MAIL_DIR", str(tmp_path / "mail"))
    make_user("newfan", verified=False)
    [queued] = sent_emails(app)

    result = runner.invoke(args=["send-mail"])

    assert result.output == "sent 1, retrying 0, failed 0, skipped 0\n"
    [path] = (tmp_path / "mail").iterdir()
    assert path.suffix == ".eml"
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == "newfan@example.com"
    assert message["Subject"] == "Confirm your email address for fanhub"
    text = message.get_body(preferencelist=("plain",))
    assert text is not None
    assert "http://localhost" + link_in(queued) in text.get_content()
    assert sent_emails(app)[0].status is EmailStatus.SENT


def test_a_malformed_smtp_url_stops_send_mail_with_a_message_and_keeps_the_email(
    app, runner, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", "http://mail.example.com")
    make_user("newfan", verified=False)

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 1, result.output
    assert "SMTP_URL must start with smtp:// or smtps://" in result.output
    [row] = sent_emails(app)
    assert row.status is EmailStatus.PENDING
    assert row.attempts == 0
