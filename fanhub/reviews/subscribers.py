"""What the reviews domain does after a write commits (its own, or a brand's): forget the
widget's cached summaries that showed what changed."""

from __future__ import annotations

from fanhub import events
from fanhub.reviews import widget


def forget_product_summary(event: events.ProductChanged) -> None:
    """Drop the widget's cached summary of the product, under its old names too if it was
    renamed (a shop may still ask by the old slug or SKU)."""
    widget.forget_summary(event.brand_slug, event.product_slug, event.sku)
    if event.old_slug is not None or event.old_sku is not None:
        widget.forget_summary(
            event.brand_slug, event.old_slug or event.product_slug, event.old_sku or event.sku
        )


def forget_brand_summaries(event: events.BrandChanged) -> None:
    """Drop the widget's cached summaries of the brand's products: they show its name and
    colour, and its frame the sites allowed to show it."""
    widget.forget_brand(event.brand_id, event.brand_slug)


SUBSCRIPTIONS: tuple[tuple[type[events.Event], events.Subscriber], ...] = (
    (events.ProductChanged, forget_product_summary),
    (events.BrandChanged, forget_brand_summaries),
)
