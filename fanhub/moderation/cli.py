"""`flask settings …`: the site settings from the command line, through the same service as
the admin console's settings page (and logged the same way)."""

from __future__ import annotations

import click
from flask import Flask

from fanhub.command_errors import domain_errors
from fanhub.db import utcnow
from fanhub.moderation.services import settings
from fanhub.permissions import SYSTEM


def register(app: Flask) -> None:
    """Add the `settings` command group to the app's CLI."""

    @app.cli.group("settings")
    def settings_group() -> None:
        """Show or change the site settings (flag threshold, trust, rate limits, registration)."""

    @settings_group.command("show")
    @domain_errors
    def show() -> None:
        """Print every setting with its value, and whether it is the configured default."""
        for row in settings.settings_page(SYSTEM, now=utcnow()):
            if row.is_default:
                where = "default"
            else:
                who = row.changed_by or "the command line"
                when = f"{row.changed_at:%Y-%m-%d %H:%M} UTC" if row.changed_at else ""
                where = f"set by {who} {when}; default {row.default}"
            click.echo(f"{row.setting.key} = {row.value}  ({where})")

    @settings_group.command("set")
    @click.argument("key")
    @click.argument("value")
    @domain_errors
    def set_value(key: str, value: str) -> None:
        """Set the setting KEY (e.g. FLAG_HIDE_THRESHOLD) to VALUE."""
        changed = settings.change_settings(SYSTEM, {key: value}, now=utcnow())
        click.echo(changed[0] if changed else f"{key.upper()} already has that value.")
