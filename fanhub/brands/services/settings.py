"""A brand's settings: its fan page's words and colour, pre-moderation, the widget's sites."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from fanhub import events
from fanhub.brands.models import DESCRIPTION_MAX, TAGLINE_MAX, Brand
from fanhub.db import transaction
from fanhub.errors import Invalid
from fanhub.inputs import parse_colour
from fanhub.permissions import Action, Actor, require
from fanhub.text import render_markdown

WIDGET_ORIGINS_MAX = 20
ORIGIN_MAX = 200


@dataclass(frozen=True)
class BrandPageDraft:
    tagline: str
    description: str
    accent_color: str
    premoderate_new_members: bool = False
    # Origins that may frame the review widget, one per line (or separated by spaces).
    widget_origins: str = ""


def clean_widget_origins(raw: str) -> str:
    """The origins allowed to frame the widget, normalised and space separated.

    Each is what a browser sends as an origin (`https://shop.example`, with a port if it
    is not the usual one; `https://*.shop.example` for every subdomain, as CSP allows): a
    path, query or user name would never match, so it is refused, not silently dropped.

    :raises Invalid: an entry is not an origin, or there are too many.
    """
    origins: list[str] = []
    for entry in re.split(r"[\s,]+", raw.strip()):
        if not entry:
            continue
        origin = _origin(entry)
        if origin is None:
            raise Invalid(
                f"“{entry[:ORIGIN_MAX]}” is not a web origin: write it as "
                "https://shop.example.com (no path), one per line.",
                field="widget_origins",
            )
        if origin not in origins:
            origins.append(origin)
    if len(origins) > WIDGET_ORIGINS_MAX:
        raise Invalid(
            f"List at most {WIDGET_ORIGINS_MAX} sites; ask us if you need more.",
            field="widget_origins",
        )
    return " ".join(origins)


def _origin(entry: str) -> str | None:
    if len(entry) > ORIGIN_MAX:
        return None
    parts = urlsplit(entry.rstrip("/"))
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if (
        parts.scheme.lower() not in ("http", "https")
        or not host
        or not re.fullmatch(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*|[0-9a-f.]*:[0-9a-f:.]*", host)
        or parts.username is not None
        or parts.path
        or parts.query
        or parts.fragment
    ):
        return None
    default_port = {"http": 80, "https": 443}[parts.scheme.lower()]
    suffix = f":{port}" if port is not None and port != default_port else ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}{suffix}"


def update_brand_page(actor: Actor, brand: Brand, draft: BrandPageDraft, *, now: datetime) -> Brand:
    """Change the fan page (tagline, Markdown description, accent colour) and the brand's
    review settings (pre-moderation of new members, sites allowed to frame the widget).

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Invalid: a field breaks its rule.
    """
    require(actor, Action.BRAND_EDIT, brand.id, now=now)
    page = clean_brand_page(draft)
    with transaction():
        apply_brand_page(brand, page)
    return brand


def clean_brand_page(draft: BrandPageDraft) -> BrandPageDraft:
    """The page's settings as stored: trimmed, the colour and origins normalised.

    :raises Invalid: a field breaks its rule.
    """
    tagline = " ".join(draft.tagline.split())
    description = draft.description.strip()
    color = parse_colour(draft.accent_color)
    if len(tagline) > TAGLINE_MAX:
        raise Invalid(f"Use at most {TAGLINE_MAX} characters.", field="tagline")
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(f"Use at most {DESCRIPTION_MAX:,} characters.", field="description")
    if color is None:
        raise Invalid("Give the colour as #rrggbb, e.g. #5b3df5.", field="accent_color")
    origins = clean_widget_origins(draft.widget_origins)
    return BrandPageDraft(tagline, description, color, draft.premoderate_new_members, origins)


def apply_brand_page(brand: Brand, page: BrandPageDraft) -> None:
    """Write settings `clean_brand_page` returned onto the brand (no commit)."""
    brand.tagline = page.tagline
    brand.description = page.description
    brand.description_html = render_markdown(page.description)
    brand.accent_color = page.accent_color
    brand.premoderate_new_members = page.premoderate_new_members
    brand.widget_origins = page.widget_origins
    # The widget shows the brand's name and colour, and its frame the allowed origins.
    events.emit(events.BrandChanged(brand_id=brand.id, brand_slug=brand.slug))
