"""`flask category …`: a brand's forum categories from the command line."""

from __future__ import annotations

import click
from flask import Flask

from fanhub.brands.services import access_brand
from fanhub.command_errors import domain_errors
from fanhub.db import utcnow
from fanhub.forums import services
from fanhub.forums.models import CategoryKind
from fanhub.permissions import SYSTEM


def register(app: Flask) -> None:
    """Add the `category` command group to the app's CLI."""

    @app.cli.group("category")
    def category_group() -> None:
        """Manage a brand's forum categories."""

    @category_group.command("create")
    @click.argument("brand")
    @click.argument("slug")
    @click.argument("name")
    @click.option(
        "--kind",
        type=click.Choice([kind.value for kind in CategoryKind]),
        default=CategoryKind.DISCUSSION.value,
        show_default=True,
    )
    @click.option("--description", default="", help="One line shown under the name.")
    @domain_errors
    def create(brand: str, slug: str, name: str, kind: str, description: str) -> None:
        """Add category SLUG called NAME at the end of BRAND's list."""
        target = access_brand(brand)
        category = services.create_category(
            SYSTEM,
            target,
            services.CategoryDraft(slug, name, CategoryKind(kind), description),
            now=utcnow(),
        )
        click.echo(f"created {category.kind.value} category /b/{target.slug}/c/{category.slug}")

    @category_group.command("edit")
    @click.argument("brand")
    @click.argument("slug")
    @click.option("--name", help="A new name.")
    @click.option("--kind", type=click.Choice([kind.value for kind in CategoryKind]))
    @click.option("--description", help="A new description.")
    @domain_errors
    def edit(
        brand: str, slug: str, name: str | None, kind: str | None, description: str | None
    ) -> None:
        """Rename category SLUG of BRAND, or change its kind or description."""
        category = services.access_category(brand, slug)
        draft = services.CategoryDraft(
            category.slug,
            name if name is not None else category.name,
            CategoryKind(kind) if kind else category.kind,
            description if description is not None else category.description,
        )
        services.update_category(SYSTEM, category, draft, now=utcnow())
        click.echo(f"saved /b/{brand}/c/{category.slug}: {category.name} ({category.kind.value})")

    @category_group.command("move")
    @click.argument("brand")
    @click.argument("slug")
    @click.argument("direction", type=click.Choice(["up", "down"]))
    @domain_errors
    def move(brand: str, slug: str, direction: str) -> None:
        """Move category SLUG one place up or down in BRAND's list."""
        category = services.access_category(brand, slug)
        services.move_category(SYSTEM, category, -1 if direction == "up" else 1, now=utcnow())
        click.echo(f"moved {slug} {direction}")

    @category_group.command("list")
    @click.argument("brand")
    @domain_errors
    def list_categories(brand: str) -> None:
        """Show BRAND's categories in order, with their counts."""
        target = access_brand(brand)
        for category in services.list_categories(target.id):
            click.echo(
                f"{category.position:>3}  {category.slug:<20} {category.kind.value:<13} "
                f"{category.topic_count} topics, {category.post_count} posts"
            )
