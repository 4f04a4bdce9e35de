"""`flask brand …`: create brands and appoint their people from the command line; and
`flask send-scheduled-news`, also run by `flask send-mail`."""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask

from fanhub.accounts.services import access_profile
from fanhub.brands import services
from fanhub.brands.models import Role
from fanhub.command_errors import domain_errors
from fanhub.db import utcnow
from fanhub.permissions import SYSTEM


def register(app: Flask) -> None:
    """Add the `brand` command group to the app's CLI."""

    @app.cli.group("brand")
    def brand_group() -> None:
        """Manage brands and their staff."""

    @brand_group.command("create")
    @click.argument("slug")
    @click.argument("name")
    @click.option("--tagline", default="", help="One line under the brand's name.")
    @domain_errors
    def create(slug: str, name: str, tagline: str) -> None:
        """Create a brand at /b/SLUG called NAME."""
        brand = services.create_brand(
            SYSTEM, services.BrandDraft(slug, name, tagline), now=utcnow()
        )
        click.echo(f"created brand {brand.slug} ({brand.name})")

    @brand_group.command("add-role")
    @click.argument("slug")
    @click.argument("username")
    @click.argument("role", type=click.Choice([r.value for r in Role]))
    @domain_errors
    def add_role(slug: str, username: str, role: str) -> None:
        """Make USERNAME an owner, staff member or moderator of brand SLUG."""
        brand = services.access_brand(slug)
        member = access_profile(username)
        services.add_role(SYSTEM, brand, member, Role(role), now=utcnow())
        click.echo(f"{member.username} is now {role} of {brand.name}")

    @app.cli.command("send-scheduled-news")
    @domain_errors
    def send_scheduled_news() -> None:
        """Send the product news scheduled for now or earlier, each once (`send-mail` runs
        this too; safe to run twice, or in two workers at once)."""
        click.echo(send_due_news(utcnow()) or "no scheduled news is due")


def send_due_news(now: datetime) -> str | None:
    """Send the scheduled news due at `now`; a line saying what went, or None if nothing."""
    report = services.send_scheduled_news(now=now)
    if not (report.sent or report.held):
        return None
    line = (
        f"sent {report.sent} scheduled news to {report.recipients} "
        f"follower{'s' if report.recipients != 1 else ''}"
    )
    if report.held:
        line += f"; {report.held} back to drafts (their senders may no longer send news)"
    return line
