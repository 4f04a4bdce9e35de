"""The one interface to the full-text engine (the backend is chosen in `backend.py`).

The embedded default runs on SQLite's FTS5 (`fts5.py`), production on PostgreSQL's full
text search (`postgresql.py`). Both answer the same two questions, so everything else —
visibility, filters, ranking rules, grouping by thread, pages — is written once, in
`services.py`, as portable SQL around them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fanhub.search.query import Query

# The marks the engines put around each matched word, turned into <mark> only after the
# text around them is escaped (`services.marked`). Control characters: never in a member's
# text (fanhub.inputs refuses them) and taken out of the index's text (`indexing.plain`).
MARK_START = "\x02"
MARK_END = "\x03"

# How much more a word in the title counts than one in the body.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0


@dataclass(frozen=True)
class Excerpt:
    """A document's title and best passage, the matched words between the marks."""

    title: str
    body: str


class Engine(Protocol):
    """A full-text engine over `search_documents`."""

    name: str
    # Whether it stems each brand's words in the brand's language (SQLite: English only).
    uses_languages: bool

    def matches(self, query: Query, languages: Sequence[str]) -> Any:
        """A SELECT of the matching documents: `doc_id` and `score` (higher is better),
        with a title match worth TITLE_WEIGHT times a body match."""
        ...

    def excerpts(self, query: Query, doc_ids: Collection[int]) -> dict[int, Excerpt]:
        """The highlighted title and passage of each of these documents (one query)."""
        ...

    def index_bytes(self) -> int | None:
        """The full-text index's size on disk, if the engine can tell."""
        ...
