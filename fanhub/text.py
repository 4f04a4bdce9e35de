"""Markdown to sanitised HTML: the only way member text becomes markup."""

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bleach import html5lib_shim
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

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


# "@name" not preceded by a word character, "@" or "/" (so emails and URLs are left alone).
MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9_-]{3,30})")
MENTION_CLASS = "mention"


def mention_candidates(source: str) -> set[str]:
    """Lower-cased names written as @name in the source (existing members or not)."""
    return {match.lower() for match in MENTION.findall(source)}


def _link_mentions(state: StateCore) -> None:
    """Turn @name in plain text (not in links or code) into a link to a known member."""
    known: Mapping[str, str] = state.env.get("mentions") or {}
    if not known:
        return
    linked: set[str] = state.env.setdefault("mentioned", set())
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type != "text" or depth or "@" not in token.content:
                children.append(token)
                continue
            children.extend(_split_mentions(token.content, known, linked))
        block.children = children


def _split_mentions(text: str, known: Mapping[str, str], linked: set[str]) -> list[Token]:
    tokens: list[Token] = []
    cursor = 0
    for match in MENTION.finditer(text):
        name = match.group(1).lower()
        if name not in known:
            continue
        if match.start() > cursor:
            tokens.append(_text_token(text[cursor : match.start()]))
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": known[name], "class": MENTION_CLASS}
        tokens.extend([opening, _text_token("@" + name), Token("link_close", "a", -1)])
        linked.add(name)
        cursor = match.end()
    if cursor < len(text):
        tokens.append(_text_token(text[cursor:]))
    return tokens


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


# html=False: raw HTML in a post is shown as text, never passed on, so the sanitiser below is
# a second wall rather than the only one.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
_markdown.enable(["table", "strikethrough", "linkify"])
_markdown.core.ruler.push("align_instead_of_style", _align_instead_of_style)
_markdown.core.ruler.push("link_mentions", _link_mentions)


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


def _link_attribute(tag: str, name: str, value: str) -> bool:
    """Links keep href, title and rel; the only class is the one mentions get."""
    return name in ("href", "title", "rel") or (name == "class" and value == MENTION_CLASS)


ALLOWED_ATTRIBUTES = {
    "a": _link_attribute,
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


@dataclass(frozen=True)
class RenderedText:
    html: str
    # Lower-cased names of the members whose @mention became a link.
    mentioned: frozenset[str]


def render_text(source: str, mentions: Mapping[str, str] | None = None) -> RenderedText:
    """Render Markdown to safe HTML, linking @name for the members in `mentions`.

    `mentions` maps a lower-cased username to the URL of her profile; names not in it
    stay plain text, so nobody is linked (or notified) who does not exist.
    """
    if not source.strip():
        return RenderedText("", frozenset())
    env: dict[str, Any] = {"mentions": dict(mentions or {})}
    html_out = _cleaner.clean(_markdown.render(source, env))
    return RenderedText(html_out, frozenset(env.get("mentioned", ())))


def render_markdown(source: str) -> str:
    """Render member-written Markdown to HTML that is safe to show with ``|safe``."""
    return render_text(source).html


@dataclass(frozen=True)
class TextShape:
    """What a piece of Markdown holds, read from the parser's tokens (never from HTML)."""

    links: int
    images: int
    # Words of its own: text outside links, so a list of URLs has none.
    words: int


def text_shape(source: str) -> TextShape:
    """Count the links (written, autolinked or bare URLs), images and own words of Markdown."""
    links = images = words = 0
    for block in _markdown.parse(source, {}):
        if block.type in ("code_block", "fence"):
            words += len(block.content.split())
        if block.type != "inline" or not block.children:
            continue
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                links += 1
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            elif token.type == "image":
                images += 1
            elif token.type in ("text", "code_inline") and not depth:
                words += len(token.content.split())
    return TextShape(links, images, words)
