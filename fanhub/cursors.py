"""Keyset cursors: where a long list resumes, as one opaque string in a page's "next" link.

A cursor is the sort key of the last row shown followed by its id, joined by "_": whole
numbers as decimal, moments as seconds since 1970 with six decimals (one format for every
list). Reading one back checks each part, so a hand-edited cursor is a 400, never a 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fanhub.errors import Invalid
from fanhub.inputs import CURSOR_MESSAGE, MAX_ID, parse_int, parse_moment

Part = int | datetime


def make_cursor(*parts: Part) -> str:
    """The cursor after a row whose sort key and id are `parts` (the id last)."""
    return "_".join(
        f"{part.timestamp():.6f}" if isinstance(part, datetime) else str(part) for part in parts
    )


def read_cursor(raw: str, *shape: type[Part]) -> tuple[Any, ...]:
    """The parts of `raw`, each read as the type `shape` names: `read_cursor(c, int, int)`.

    The last part is a row id (0 to the largest id); other whole numbers are sort values
    (counts, stars, votes) and may be negative.

    :raises Invalid: the wrong number of parts, or a part that is not what it should be.
    """
    pieces = raw.split("_")
    if len(pieces) != len(shape):
        raise Invalid(CURSOR_MESSAGE)
    values: list[Any] = []
    for index, (piece, kind) in enumerate(zip(pieces, shape, strict=True)):
        if kind is datetime:
            values.append(parse_moment(piece, message=CURSOR_MESSAGE))
        elif index == len(shape) - 1:
            values.append(parse_int(piece, lo=0, hi=MAX_ID, message=CURSOR_MESSAGE))
        else:
            values.append(parse_int(piece, lo=-MAX_ID, hi=MAX_ID, message=CURSOR_MESSAGE))
    return tuple(values)
