"""Command-line delivery of the email outbox and of notification emails and digests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import click
from flask import Flask

from fanhub.command_errors import domain_errors
from fanhub.db import utcnow
from fanhub.notifications import emails, services
from fanhub.notifications.models import Frequency

# A step `send-mail` runs before it delivers (another domain's mail that waits for a time,
# as scheduled product news): given the time, it returns a line to print, or None.
MailStep = Callable[[datetime], str | None]


def register(app: Flask, *, before_mail: Sequence[MailStep] = ()) -> None:
    """Add `flask send-mail` and `flask send-digests` to the app's CLI; `send-mail` runs
    each of `before_mail` first, so what they queue goes out in the same run."""

    @app.cli.command("send-mail")
    @click.option("--batch", default=200, show_default=True, help="Most emails to send in one run.")
    @domain_errors
    def send_mail(batch: int) -> None:
        """Queue the instant notification emails now due, then deliver pending outbox
        emails (SMTP_URL, or .eml files under instance/mail/); run it every minute."""
        for step in before_mail:
            said = step(utcnow())
            if said:  # a quiet minute logs what it always did
                click.echo(said)
        queued = emails.queue_instant_emails(now=utcnow())
        try:
            report = services.deliver_due_mail(batch=batch, now=utcnow())
        except services.MailSettingsError as err:
            raise click.ClickException(str(err)) from err
        # Said only when there were some, so a quiet minute logs what it always did.
        prefix = f"queued {queued.emails} notification emails; " if queued.emails else ""
        # Likewise: a dead sender's rows taken up again are news only when there were some.
        suffix = f" ({report.interrupted} interrupted sends taken up)" if report.interrupted else ""
        click.echo(
            f"{prefix}sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
            f"skipped {report.skipped}{suffix}"
        )

    @app.cli.command("send-digests")
    @click.option(
        "--period",
        type=click.Choice([Frequency.DAILY.value, Frequency.WEEKLY.value]),
        required=True,
        help="Which members' digests: those who chose daily, or weekly.",
    )
    @domain_errors
    def send_digests(period: str) -> None:
        """Queue the daily or weekly digests of everything waiting until now (cron it once a
        day or a week; `send-mail` delivers them). Safe to run twice."""
        report = emails.send_digests(Frequency(period), now=utcnow())
        click.echo(
            f"{period} digests: queued {report.emails} emails to {report.members} members "
            f"({report.notifications} notifications), withheld {report.withheld}, "
            f"contended {report.contended}"
        )
