"""The embedded engine: SQLite FTS5 over `search_documents`.

Migration 0015 creates `search_fts`, an external-content FTS5 table over the documents'
title and body (the words are stored once, in `search_documents`), tokenized with
`porter unicode61 remove_diacritics 2`: Unicode word breaking, accents folded ("cafe"
finds "café") and English stemming ("kettles" finds "kettle"). Triggers on
`search_documents` keep it in step, in the writing transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnClause, Integer, column, func, literal_column, select, table, text

from fanhub.extensions import db
from fanhub.search.engine import BODY_WEIGHT, MARK_END, MARK_START, TITLE_WEIGHT, Excerpt
from fanhub.search.models import FTS_TABLE
from fanhub.search.query import Query

_FTS = table(FTS_TABLE, column("rowid", Integer), column("title"), column("body"))
# The table's own name, as FTS5 takes it in MATCH and in its auxiliary functions.
_TABLE: ColumnClause[Any] = literal_column(FTS_TABLE)
# Tokens around the best passage of a body.
SNIPPET_TOKENS = 32


def _string(words: Sequence[str]) -> str:
    # An FTS5 string: the table's tokenizer reads it as words, never as syntax. The
    # words hold letters, digits and marks only (fanhub.search.query), never a quote.
    return '"' + " ".join(words) + '"'


def expression(query: Query) -> str:
    """The FTS5 query for a parsed search: every term a quoted string."""
    positives = [_string((word,)) for word in query.required_words()]
    positives += [_string(phrase) for phrase in query.phrases]
    if query.prefix:
        positives.append(_string((query.prefix,)) + " *")
    joined = " OR ".join(positives) if query.any_word else " AND ".join(positives)
    if not query.excluded:
        return joined
    # NOT is binary in FTS5: what to find, then each thing to leave out.
    return f"({joined})" + "".join(f" NOT {_string(terms)}" for terms in query.excluded)


def _match(query: Query) -> Any:
    return _TABLE.op("MATCH")(expression(query))


class Fts5Engine:
    """SQLite FTS5, ranked by bm25 with the title weighted above the body."""

    name = "sqlite-fts5"
    uses_languages = False

    def matches(self, query: Query, languages: Sequence[str]) -> Any:
        """The matching documents: bm25 is lower for better matches, so it is negated."""
        score = -func.bm25(_TABLE, TITLE_WEIGHT, BODY_WEIGHT)
        return select(_FTS.c.rowid.label("doc_id"), score.label("score")).where(_match(query))

    def excerpts(self, query: Query, doc_ids: Collection[int]) -> dict[int, Excerpt]:
        """FTS5's highlight() of the title and snippet() of the body."""
        if not doc_ids:
            return {}
        rows = db.session.execute(
            select(
                _FTS.c.rowid,
                func.highlight(_TABLE, 0, MARK_START, MARK_END),
                func.snippet(_TABLE, 1, MARK_START, MARK_END, "…", SNIPPET_TOKENS),
            ).where(_match(query), _FTS.c.rowid.in_(list(doc_ids)))
        )
        return {doc_id: Excerpt(title or "", body or "") for doc_id, title, body in rows}

    def index_bytes(self) -> int | None:
        """The FTS5 shadow tables' pages, where SQLite was built with `dbstat`."""
        if not db.session.scalar(
            text("SELECT count(*) FROM pragma_module_list WHERE name = 'dbstat'")
        ):
            return None
        return db.session.scalar(
            text("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE :prefix"),
            {"prefix": f"{FTS_TABLE}%"},
        )


ENGINE = Fts5Engine()
