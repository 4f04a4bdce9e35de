"""What members write, as the forum keeps it: drafts, titles, bodies, rendering."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from fanhub.accounts.services import render_member_text
from fanhub.errors import Invalid
from fanhub.forums.models import (
    BODY_MAX,
    TITLE_MAX,
    TITLE_MIN,
    CategoryKind,
)
from fanhub.inputs import has_control_characters
from fanhub.text import RenderedText

# Tabs, newlines and other control characters have no place in a one-line title.


@dataclass(frozen=True)
class TopicDraft:
    title: str
    body: str


@dataclass(frozen=True)
class ReplyDraft:
    body: str
    reply_to_id: int | None = None


@dataclass(frozen=True)
class CategoryDraft:
    slug: str
    name: str
    kind: CategoryKind
    description: str = ""


def clean_title(raw: str) -> str:
    """A topic title as stored: one line, single spaces, 5 to 150 characters.

    :raises Invalid: control characters, or too short or long.
    """
    if has_control_characters(raw.strip(), kind="line"):
        raise Invalid("A title is one line of plain text.", field="title")
    title = " ".join(raw.split())
    if len(title) < TITLE_MIN:
        raise Invalid(f"Give the topic a title of at least {TITLE_MIN} characters.", field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(f"Keep the title to {TITLE_MAX} characters.", field="title")
    return title


def clean_body(raw: str) -> str:
    """A post body as stored.

    :raises Invalid: empty, whitespace only, or over 50,000 characters.
    """
    body = raw.strip("\r\n").rstrip()
    if not body.strip():
        raise Invalid("Write something before you post.", field="body")
    if len(body) > BODY_MAX:
        raise Invalid(f"Posts are limited to {BODY_MAX:,} characters.", field="body")
    return body


def slugify(title: str) -> str:
    """The readable part of a topic's URL (`/t/42/<slug>`); never used to look it up."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].rstrip("-") or "topic"


def render_post(body: str) -> RenderedText:
    """Render a post's Markdown, linking @mentions of members who exist."""
    return render_member_text(body)


def preview(body: str) -> str:
    """The HTML a body would be shown as, from the same renderer the server stores."""
    if len(body) > BODY_MAX:
        raise Invalid(f"Posts are limited to {BODY_MAX:,} characters.", field="body")
    return render_post(body).html
