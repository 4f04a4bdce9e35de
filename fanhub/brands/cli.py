"""`flask brand …`: create brands and appoint their people from the command line."""

from __future__ import annotations

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
