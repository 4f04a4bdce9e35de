"""What fanhub accepts from a request before a view reads it: bodies, URL parts, numbers.

Issue 11: hostile input found 434 answers of 500, every one from input of a shape the code
did not expect. The rules for those shapes live here, once:

- HTML routes take form bodies only; anything else is refused with 415 (`refuse_bodies`).
- `<int:…>` in a route matches ASCII digits up to the largest id a row can have, and
  other path parts match no control character, so anything else is a 404 (`IdConverter`,
  `TextConverter`).
- Numbers from forms and query strings are read by `parse_int`: ASCII digits, bounded,
  and a 400 that says what was expected.
- Text a client sends must be text a page can show and a database can store (`text_problem`);
  the shared form base (`fanhub.forms`) applies it to every field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Literal, overload

from flask import Flask, request
from werkzeug.exceptions import UnsupportedMediaType
from werkzeug.routing import Map
from werkzeug.routing.converters import IntegerConverter, UnicodeConverter

from fanhub.errors import Invalid

# The largest id a row can have. The id columns are INTEGER: 32-bit on PostgreSQL, which
# refuses a larger number in a query outright (SQLAlchemy binds it as ::INTEGER) where
# SQLite would say "no such row". One bound for both backends, for every id we read.
MAX_ID = 2**31 - 1
# The largest whole number a database or a timestamp here takes at all (SQLite's INTEGER,
# PostgreSQL's bigint): beyond it the driver fails instead of comparing.
MAX_INT64 = 2**63 - 1

# What a browser sends for a <form>; no body at all is fine too (a button with no fields).
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
# The machine-facing surfaces, which speak JSON (and check it themselves).
JSON_PREFIXES = ("/embed/", "/api/")

# What a list page says when its `after=`/`before=` position is not one it made.
CURSOR_MESSAGE = "That list position is not valid; start again from the first page."

_INTEGER = re.compile(r"-?[0-9]+")
# The characters each kind of text may not hold, for `has_control_characters`.
_CONTROL_CHARACTERS = {
    # Text a member writes (a post, a bio): C0 controls other than tab, line feed and
    # carriage return, DEL, and lone surrogates (which no page can be encoded with:
    # JSON's "\ud800" decodes to one).
    "text": re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]"),
    # One line of plain text (a title, a name): no tab or line break of any kind either,
    # nor the C1 controls.
    "line": re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"),
    # A URL or a query string, where even tab and line feed have no business.
    "address": re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]"),
}
# A colour as pages and the widget use it.
_COLOUR = re.compile(r"#[0-9a-f]{6}")


def parse_int(
    raw: object,
    *,
    lo: int,
    hi: int,
    field: str | None = None,
    message: str | None = None,
) -> int:
    """A whole number from a form or a query string, written in ASCII digits, lo to hi.

    `str.isdigit()` is true for "²" and for a 5,000-digit string, which `int()` refuses
    or a database cannot compare; this reads only what a person types for a number.
    A plain `int` (not a bool) is taken as it is, within the bounds.

    :raises Invalid: anything else, with `message` (or one naming the bounds) on `field`.
    """
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip(" \t\r\n")
        # Longer than the bounds can be written is out of range: no int() of 5,000 digits.
        widest = max(len(str(lo)), len(str(hi)))
        if not _INTEGER.fullmatch(text) or len(text) > widest:
            raise Invalid(message or _range_message(field, lo, hi), field=field)
        value = int(text)
    else:
        raise Invalid(message or _range_message(field, lo, hi), field=field)
    if not lo <= value <= hi:
        raise Invalid(message or _range_message(field, lo, hi), field=field)
    return value


@overload
def optional_int(
    raw: object,
    *,
    lo: int,
    hi: int,
    default: int,
    field: str | None = ...,
    message: str | None = ...,
) -> int: ...


@overload
def optional_int(
    raw: object,
    *,
    lo: int,
    hi: int,
    default: None = ...,
    field: str | None = ...,
    message: str | None = ...,
) -> int | None: ...


def optional_int(
    raw: object,
    *,
    lo: int,
    hi: int,
    default: int | None = None,
    field: str | None = None,
    message: str | None = None,
) -> int | None:
    """`parse_int` for a number that may be left out: absent or blank gives `default`."""
    if raw is None or (isinstance(raw, str) and raw.strip(" \t\r\n") == ""):
        return default
    return parse_int(raw, lo=lo, hi=hi, field=field, message=message)


def coerce_int(value: object) -> int:
    """A `coerce=` for WTForms choice fields: ASCII digits only (ValueError otherwise)."""
    try:
        return parse_int(value, lo=-MAX_INT64, hi=MAX_INT64)
    except Invalid as err:
        raise ValueError(err.message) from None


def parse_moment(raw: str, *, message: str) -> datetime:
    """A moment written as seconds since 1970 (UTC), as list cursors carry it.

    :raises Invalid: anything but ASCII digits with up to six decimals, within 1970–9999.
    """
    if not re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,6})?", raw):
        raise Invalid(message)
    try:
        return datetime.fromtimestamp(float(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise Invalid(message) from None


def _range_message(field: str | None, lo: int, hi: int) -> str:
    name = field or "That number"
    return f"{name} must be a whole number from {lo} to {hi}."


def has_control_characters(text: str, *, kind: Literal["text", "line", "address"] = "text") -> bool:
    """Whether `text` holds a character that `kind` of text may not (the one check of
    control characters; see `_CONTROL_CHARACTERS` for each kind's list).

    "text" is what a member writes, line breaks and tabs allowed; "line" is one line of
    plain text, such as a title; "address" is a URL's path or query string.
    """
    return _CONTROL_CHARACTERS[kind].search(text) is not None


def parse_colour(raw: str, *, hash_optional: bool = False) -> str | None:
    """A colour written as #rrggbb (either case, spaces around ignored) as "#rrggbb" in
    lower case, or None when `raw` is not one. `hash_optional`: "rrggbb" will do too (the
    widget's query string, where a "#" would have to be escaped)."""
    text = raw.strip().lower()
    if hash_optional and not text.startswith("#"):
        text = "#" + text
    return text if _COLOUR.fullmatch(text) else None


def text_problem(value: object, *, one_line: bool = False) -> str | None:
    """What makes a submitted value unusable as text, or None when it is fine.

    A form field holds text: not a number, a list or a file (a JSON body or a multipart
    file part puts those where text belongs), and not characters no page can be encoded
    with or PostgreSQL cannot store (a lone surrogate, NUL, other control characters).
    """
    if not isinstance(value, str):
        return "This field takes text."
    if has_control_characters(value):
        if one_line:
            return "This is one line of plain text, without control characters."
        return "This has characters that can't be used in text (control characters or broken ones)."
    return None


def digits_up_to(limit: int) -> str:
    """A regex matching the ASCII decimal numbers from 0 to `limit` and nothing larger.

    The bound lives in the pattern, not only in `to_python`: werkzeug decides 405 for a
    URL whose pattern matched under another method before converting it, so a number the
    converter would refuse could answer 405 instead of 404.
    """
    text = str(limit)
    branches = [f"[0-9]{{1,{len(text) - 1}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        if digit != "0":  # same digits so far, a smaller one here, then any digits
            rest = len(text) - i - 1
            tail = f"[0-9]{{{rest}}}" if rest else ""
            branches.append(f"{text[:i]}[0-{int(digit) - 1}]{tail}")
    branches.append(text)
    return "(?:" + "|".join(branches) + ")"


class IdConverter(IntegerConverter):
    """`<int:…>` for every route: ASCII digits up to MAX_ID, so no id reaches a query that
    the database would fail on (past 64 bits on SQLite, past 32 on PostgreSQL's INTEGER
    columns); anything else matches nothing (404).

    werkzeug's own matches `\\d+`, which takes "٣" and any number of digits.
    """

    regex = digits_up_to(MAX_ID)

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        cap = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits, min, cap, signed)


class TextConverter(UnicodeConverter):
    """The default path part (`<brand>`, `<username>`, `<token>` …) without control
    characters: a NUL in a lookup is an error in PostgreSQL, not "no such row"."""

    def __init__(
        self,
        map: Map,
        minlength: int = 1,
        maxlength: int | None = None,
        length: int | None = None,
    ) -> None:
        super().__init__(map, minlength, maxlength, length)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f]", 1)


def refuse_bodies() -> None:
    """Before any view (and before the CSRF check): HTML routes take form bodies only.

    Flask-WTF turns a JSON body into form data, so without this a field expecting text
    receives numbers, lists, null and lone surrogates. A JSON body to a page answers
    415 rather than a CSRF 400, so its sender learns what is wrong. Query strings with
    control characters are refused here too, once for every route.

    :raises UnsupportedMediaType: a body that is not a form, on an HTML route.
    :raises Invalid: a query string with control characters.
    """
    if request.routing_exception is not None:
        return  # a 404 or 405 says more than anything about the body
    for key, values in request.args.lists():
        if any(has_control_characters(text, kind="address") for text in (key, *values)):
            raise Invalid("The address has characters that can't be used in it.", field=key)
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith(JSON_PREFIXES):
        return
    if request.mimetype in FORM_TYPES:
        return
    if not request.mimetype and not _has_body():
        return
    raise UnsupportedMediaType()  # its words are errors.DEFAULT_MESSAGES[415]


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")


def init_app(app: Flask) -> None:
    """Register the converters and the body gate; call before CSRFProtect.init_app, so the
    gate runs first."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = TextConverter
    app.url_map.converters["string"] = TextConverter
    app.before_request(refuse_bodies)
