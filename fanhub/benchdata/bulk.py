"""Rows sent in bulk: one executemany per batch of a few thousand."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import insert

BATCH_SIZE = 5_000

_T = TypeVar("_T")


def bulk(model: type[Any]) -> Any:
    """An INSERT for a list of row dicts, sent as one executemany per batch."""
    # Without render_nulls the ORM groups rows by which columns are None and sends one
    # statement per group: thousands for topics, some answered and some not.
    return insert(model).execution_options(render_nulls=True)


def batches(rows: Iterator[_T] | Sequence[_T], size: int = BATCH_SIZE) -> Iterator[list[_T]]:
    """`rows` in lists of at most `size`."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch
