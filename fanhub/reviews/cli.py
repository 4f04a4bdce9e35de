"""`flask product …`: a brand's products from the command line."""

from __future__ import annotations

import click
from flask import Flask

from fanhub.brands.services import access_brand
from fanhub.command_errors import domain_errors
from fanhub.db import utcnow
from fanhub.permissions import SYSTEM
from fanhub.reviews import services


def register(app: Flask) -> None:
    """Add the `product` command group to the app's CLI."""

    @app.cli.group("product")
    def product_group() -> None:
        """Manage a brand's products."""

    @product_group.command("create")
    @click.argument("brand")
    @click.argument("slug")
    @click.argument("sku")
    @click.argument("name")
    @click.option("--description", default="", help="What the product is.")
    @click.option("--image-url", default="", help="An https:// picture of the product.")
    @domain_errors
    def create(
        brand: str, slug: str, sku: str, name: str, description: str, image_url: str
    ) -> None:
        """Add product SLUG (shop id SKU) called NAME to BRAND."""
        target = access_brand(brand)
        product = services.create_product(
            SYSTEM,
            target,
            services.ProductDraft(slug, sku, name, description, image_url),
            now=utcnow(),
        )
        click.echo(f"created /b/{target.slug}/p/{product.slug} (SKU {product.sku}): {product.name}")

    @product_group.command("edit")
    @click.argument("brand")
    @click.argument("slug")
    @click.option("--slug", "new_slug", help="A new address.")
    @click.option("--sku", help="A new SKU.")
    @click.option("--name", help="A new name.")
    @click.option("--description", help="A new description.")
    @click.option("--image-url", help="A new https:// picture ('' for none).")
    @domain_errors
    def edit(
        brand: str,
        slug: str,
        new_slug: str | None,
        sku: str | None,
        name: str | None,
        description: str | None,
        image_url: str | None,
    ) -> None:
        """Change product SLUG of BRAND; options not given stay as they are."""
        product = services.access_product(brand, slug)
        draft = services.ProductDraft(
            new_slug if new_slug is not None else product.slug,
            sku if sku is not None else product.sku,
            name if name is not None else product.name,
            description if description is not None else product.description,
            image_url if image_url is not None else product.image_url,
        )
        services.update_product(SYSTEM, product, draft, now=utcnow())
        click.echo(f"saved /b/{brand}/p/{product.slug} (SKU {product.sku}): {product.name}")

    @product_group.command("list")
    @click.argument("brand")
    @domain_errors
    def list_products(brand: str) -> None:
        """Show BRAND's products with their ratings."""
        target = access_brand(brand)
        products = services.list_products(target.id)
        if not products:
            click.echo(f"{target.name} has no products yet.")
        for product in products:
            rating = (
                f"{product.average:.1f} from {product.rating_count} reviews"
                if product.rating_count
                else "no reviews"
            )
            click.echo(f"{product.slug:<24} {product.sku:<16} {product.name}  ({rating})")
