"""Command-line delivery of the email outbox."""

from __future__ import annotations

import click
from flask import Flask

from fanhub.notifications import services


def register(app: Flask) -> None:
    """Add `flask send-mail` to the app's CLI."""

    @app.cli.command("send-mail")
    @click.option("--batch", default=200, show_default=True, help="Most emails to send in one run.")
    def send_mail(batch: int) -> None:
        """Deliver pending outbox emails (SMTP_URL, or .eml files under instance/mail/)."""
        try:
            report = services.deliver_due_mail(batch=batch)
        except services.MailSettingsError as err:
            raise click.ClickException(str(err)) from err
        click.echo(
            f"sent {report.sent}, retrying {report.retrying}, failed {report.failed}, "
            f"skipped {report.skipped}"
        )
