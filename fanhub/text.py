"""Markdown to sanitised HTML: the only way member text becomes markup."""

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from bleach import html5lib_shim
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
LINK_PROTOCOLS = frozenset({"http", "https", "mailto"})
IMAGE_PROTOCOLS = frozenset({"http", "https"})
LINK_REL = "nofollow ugc noopener"

_CELL_ALIGNMENTS = frozenset({"left", "center", "right"})
_CODE_LANGUAGE = re.compile(r"language-[a-z0-9+#-]+")
# What a browser's URL parser drops before it reads the scheme (WHATWG URL, "basic URL parser").
_URL_EDGE_JUNK = "".join(chr(c) for c in range(0x21))
_URL_INNER_JUNK = re.compile(r"[\t\n\r]")


def _align_instead_of_style(state: StateCore) -> None:
    """Turn table cells' ``style="text-align:…"`` into ``align`` so no ``style`` is ever allowed."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open") and (style := token.attrs.pop("style", None)):
            token.attrs["align"] = str(style).removeprefix("text-align:")


# html=False: raw HTML in a post is shown as text, never passed on, so the sanitiser below is
# a second wall rather than the only one.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
_markdown.enable(["table", "strikethrough", "linkify"])
_markdown.core.ruler.push("align_instead_of_style", _align_instead_of_style)


def _is_web_url(value: str) -> bool:
    """Whether an attribute value, read as a browser would, is an absolute http(s) URL."""
    # bleach hands callables the raw attribute text, entities and all.
    url = _URL_INNER_JUNK.sub("", html.unescape(value).strip(_URL_EDGE_JUNK))
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in IMAGE_PROTOCOLS and bool(parts.netloc)


def _img_attribute(tag: str, name: str, value: str) -> bool:
    """Keep alt and title; keep src only when it is a web URL (never mailto:, data: or relative)."""
    # Relative sources would load our own pages with the reader's cookies (GET /logout).
    return name in ("alt", "title") or (name == "src" and _is_web_url(value))


def _code_attribute(tag: str, name: str, value: str) -> bool:
    """Keep only the ``language-…`` class a fenced block's info string produces."""
    return name == "class" and _CODE_LANGUAGE.fullmatch(value) is not None


def _cell_attribute(tag: str, name: str, value: str) -> bool:
    """Keep only a plain column alignment."""
    return name == "align" and value in _CELL_ALIGNMENTS


class _LinkRelFilter(html5lib_shim.Filter):
    """Give every link the same rel, whatever the source asked for."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            # Member links are unvetted (nofollow ugc) and must not reach window.opener.
            if token["type"] == "StartTag" and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            yield token


ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "img": _img_attribute,
    "th": _cell_attribute,
    "td": _cell_attribute,
    "ol": ["start"],
    "code": _code_attribute,
}

_cleaner = Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=LINK_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkRelFilter],
)


def render_markdown(source: str) -> str:
    """Render member-written Markdown to HTML that is safe to show with ``|safe``."""
    if not source.strip():
        return ""
    return _cleaner.clean(_markdown.render(source))
