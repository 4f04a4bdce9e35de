"""The widget's options and the iframe page built from a cached summary: what it shows,
the style it needs, and who may frame it."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import escape

from fanhub.embed.replay import ARGUMENTS
from fanhub.errors import DomainError, Invalid
from fanhub.inputs import optional_int, parse_colour
from fanhub.reviews.widget import MOST_HELPFUL, CachedSummary

THEMES = ("light", "dark")
DEFAULT_COUNT = 3
# What a browser sends as an origin (see brands.services.clean_widget_origins, which
# checks them on write); anything else is left out of the policy, never pasted into it.
_ORIGIN = re.compile(
    r"https?://(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?|https?://\[[0-9a-fA-F:.]+\](:\d{1,5})?"
)


@dataclass(frozen=True)
class WidgetOptions:
    """How one embed looks: the same choices the script reads from data attributes."""

    theme: str = "light"
    accent: str | None = None  # "#rrggbb", or None for the brand's own colour
    count: int = DEFAULT_COUNT

    @property
    def key(self) -> str:
        return f"{self.theme}:{self.accent or ''}:{self.count}"


# Where the served script gets the frame's stylesheet (see static/embed/widget.js).
CSS_PLACEHOLDER = '"__FRAME_CSS__"'


@functools.cache
def widget_script(folder: str) -> bytes:
    """The widget script as served: static/embed/widget.js with the frame's stylesheet
    written into it as a JavaScript string (built once per process; the files ship with
    the code and change only with a deploy)."""
    source = (Path(folder) / "widget.js").read_text(encoding="utf-8")
    css = (Path(folder) / "frame.css").read_text(encoding="utf-8")
    if source.count(CSS_PLACEHOLDER) != 1:
        raise RuntimeError("static/embed/widget.js must name its stylesheet exactly once")
    # json.dumps makes a valid JS string; "</" is escaped so no reader sees a closing tag.
    return source.replace(CSS_PLACEHOLDER, json.dumps(css).replace("</", "<\\/")).encode()


def widget_options(theme: str | None, accent: str | None, count: str | None) -> WidgetOptions:
    """The frame's options from its query string; missing ones take their defaults.

    :raises Invalid: a value the widget does not understand (so a brand sees its typo at
        once rather than a widget that silently ignores it).
    """
    chosen_theme = (theme or "light").strip().lower()
    if chosen_theme not in THEMES:
        raise Invalid("theme must be light or dark.", field="theme")
    chosen_accent = None
    if accent:
        chosen_accent = parse_colour(accent, hash_optional=True)
        if chosen_accent is None:
            raise Invalid("accent must be a colour written as #rrggbb, e.g. #1a73e8.", "accent")
    chosen_count = optional_int(count, lo=0, hi=MOST_HELPFUL, default=DEFAULT_COUNT, field="count")
    return WidgetOptions(chosen_theme, chosen_accent, chosen_count)


def check_frame_arguments(arguments: Mapping[str, Sequence[str]]) -> None:
    """Refuse a frame address whose query string has a name the frame does not read, or a
    name given twice (its values are checked by `widget_options`).

    :raises Invalid: an unknown option (a misspelling such as `thme`) or a repeated one, so
        whoever pasted the iframe sees the typo rather than a widget ignoring it.
    """
    # The frame reads the same arguments the replay layer keys its answers by.
    unknown = sorted(name for name in arguments if name not in ARGUMENTS)
    if unknown:
        known = ", ".join(sorted(ARGUMENTS))
        name = _shortened(unknown[0])
        raise Invalid(f"Unknown option {name}: the frame takes {known}.", field="options")
    repeated = sorted(name for name, values in arguments.items() if len(values) > 1)
    if repeated:
        raise Invalid(f"{repeated[0]} is given more than once.", field=repeated[0])


def _shortened(name: str, limit: int = 40) -> str:
    # The name is shown back in the frame (escaped): enough to spot a typo, not a page of it.
    return name if len(name) <= limit else name[: limit - 1] + "…"


@dataclass(frozen=True)
class FrameProblem:
    """What the iframe shows instead of the widget: a small empty frame saying why."""

    status: int
    message: str
    theme: str


def frame_problem(error: DomainError, theme: str | None) -> FrameProblem:
    """The empty frame for a request the widget cannot answer (an unknown product, a bad
    option), with the error's status; dark when the address asks for dark and that much
    of it is right."""
    chosen = (theme or "").strip().lower()
    return FrameProblem(error.status, error.message, chosen if chosen in THEMES else THEMES[0])


@dataclass(frozen=True)
class Snippets:
    """The code a brand pastes into its pages, as plain text (the page escapes it)."""

    script: str
    script_by_sku: str
    frame: str


def snippets(
    brand_slug: str, product_slug: str, sku: str, product_name: str, script_url: str, frame_url: str
) -> Snippets:
    """Copy-paste code for the script embed (by product and by SKU) and the iframe embed."""
    tag = f'<script async src="{escape(script_url)}"></script>'
    brand = escape(brand_slug)
    return Snippets(
        script=f'<div data-fanhub-reviews="{brand}/{escape(product_slug)}"></div>\n{tag}',
        script_by_sku=f'<div data-fanhub-reviews="{brand}" data-sku="{escape(sku)}"></div>\n{tag}',
        # An iframe cannot size itself to its content: 720px fits the summary and three
        # reviews in a column about 400px wide; a shop showing more or fewer sets its own.
        frame=(
            f'<iframe src="{escape(frame_url)}" title="Reviews of {escape(product_name)}" '
            'width="100%" height="720" style="border:0" loading="lazy"></iframe>'
        ),
    )


@dataclass(frozen=True)
class FramePage:
    """Everything the iframe template shows, plus the one <style> it needs and its hash."""

    summary: dict[str, Any]
    options: WidgetOptions
    reviews: list[dict[str, Any]]
    bars: list[tuple[int, int, int]]  # (stars, reviews, percent of the largest bar)
    stars_percent: int
    style: str
    style_hash: str
    frame_ancestors: str
    etag: str


def frame_page(cached: CachedSummary, options: WidgetOptions) -> FramePage:
    """The iframe page for a cached summary, shown the way `options` say.

    The widths of the star row and the histogram bars and the accent colour go in one
    small <style> whose hash the page's CSP lists: deterministic for a summary and its
    options, so the page stays cacheable, and no inline style attribute is needed.
    """
    payload = json.loads(cached.body)
    rating = payload["rating"]
    histogram = rating["histogram"]
    largest = max(histogram.values(), default=0) or 1
    bars = [(stars, histogram[str(stars)], round(100 * histogram[str(stars)] / largest))
            for stars in (5, 4, 3, 2, 1)]  # fmt: skip
    stars_percent = round(100 * (rating["average"] or 0) / 5)
    accent = options.accent or payload["brand"]["accent"]
    rules = [
        f".fh{{--accent:{accent}}}",
        f".fh-stars--summary .fh-stars__fill{{width:{stars_percent}%}}",
    ]
    rules += [f".fh-bar--{stars} .fh-bar__fill{{width:{percent}%}}" for stars, _, percent in bars]
    style = "".join(rules)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    reviews = [
        {**review, "date": _date(review["created_at"]), "answer_date": _answer_date(review)}
        for review in payload["reviews"][: options.count]
    ]
    etag_source = f"{cached.etag}|{options.key}|{cached.widget_origins}"
    return FramePage(
        summary=payload,
        options=options,
        reviews=reviews,
        bars=bars,
        stars_percent=stars_percent,
        style=style,
        style_hash=f"sha256-{digest}",
        frame_ancestors=frame_ancestors(cached.widget_origins),
        etag=hashlib.sha256(etag_source.encode()).hexdigest()[:32],
    )


def frame_ancestors(widget_origins: str) -> str:
    """The CSP frame-ancestors sources: fanhub itself (the staff preview) and the brand's
    allowed origins, or any site when the brand lists none."""
    origins = [origin for origin in widget_origins.split() if _ORIGIN.fullmatch(origin)]
    if not origins:
        return "*"
    return " ".join(["'self'", *origins])


def frame_policy(page: FramePage | None) -> str:
    """The iframe page's Content-Security-Policy: its own stylesheet and one hashed <style>,
    https images (an http one is upgraded), nothing else loads, nothing submits, framed only
    where the brand allows.

    With no page (the empty frame of an unknown product or a bad option) there is no
    <style> to allow, and no brand whose list applies: any site may frame it, so a shop
    sees the empty frame and its reason rather than the browser's "refused to connect".
    """
    styles = f"'self' '{page.style_hash}'" if page else "'self'"
    ancestors = page.frame_ancestors if page else "*"
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src {styles}",
            "img-src https: 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
            "upgrade-insecure-requests",
        ]
    )


def _date(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return f"{moment.day} {moment:%b %Y}"


def _answer_date(review: dict[str, Any]) -> str | None:
    answer = review.get("answer")
    return _date(answer["created_at"]) if answer else None
