"""The production engine: PostgreSQL full-text search over `search_documents`.

Migration 0015 adds `search_vector`, a tsvector of the title (weight A) and the body
(weight B) in the document's language, kept by a trigger in the writing transaction, with
a GIN index. A search is `websearch_to_tsquery` over the reader's words, each one quoted
(so `or` and `-` typed by a member are words, not operators: our tokenizer decides those),
and `to_tsquery(… ':*')` for the word being typed; ranked by `ts_rank_cd`, highlighted by
`ts_headline`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    cast,
    column,
    func,
    literal,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSVECTOR

from fanhub.extensions import db
from fanhub.search.engine import BODY_WEIGHT, MARK_END, MARK_START, TITLE_WEIGHT, Excerpt
from fanhub.search.models import VECTOR_COLUMN
from fanhub.search.query import Query

_DOCS = table(
    "search_documents",
    column("id", Integer),
    column("title", Text),
    column("body", Text),
    column("language", String),
    column(VECTOR_COLUMN, TSVECTOR),
)
_VECTOR = _DOCS.c[VECTOR_COLUMN]
# ts_rank_cd's weights for D, C, B (the body) and A (the title), as a constant array.
_WEIGHTS = text(f"'{{0, 0, {BODY_WEIGHT / TITLE_WEIGHT}, 1.0}}'::float4[]")
# Divide by 1 + log(the document's length): a long post that says a word many times
# doesn't bury a short one that is about it.
NORMALIZATION = 1
# A body is highlighted from its first characters only: ts_headline reads all it is given.
HEADLINE_SOURCE = 20_000
_TITLE_OPTIONS = f'HighlightAll=true, StartSel="{MARK_START}", StopSel="{MARK_END}"'
_BODY_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
    'ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "'
)


def _quoted(words: Sequence[str]) -> str:
    # Letters, digits and marks only (fanhub.search.query): nothing to escape.
    return '"' + " ".join(words) + '"'


def websearch_text(query: Query) -> str:
    """What to find, in websearch_to_tsquery's syntax, every term quoted."""
    terms = [_quoted((word,)) for word in query.words]
    terms += [_quoted(phrase) for phrase in query.phrases]
    return (" or " if query.any_word else " ").join(terms)


def excluded_text(query: Query) -> str:
    """What to leave out, in websearch_to_tsquery's syntax."""
    return " ".join("-" + _quoted(terms) for terms in query.excluded)


def tsquery(query: Query, config: Any) -> Any:
    """The tsquery for a parsed search in one text search configuration."""
    parts: list[Any] = []
    if query.words or query.phrases:
        parts.append(func.websearch_to_tsquery(config, websearch_text(query)))
    if query.excluded:
        parts.append(func.websearch_to_tsquery(config, excluded_text(query)))
    if query.prefix:
        parts.append(func.to_tsquery(config, f"{query.prefix}:*"))
    combined: Any = parts[0]
    for part in parts[1:]:
        combined = combined.op("&&")(part)
    return combined


class PostgresEngine:
    """PostgreSQL text search: a GIN-indexed tsvector, ranked by cover density."""

    name = "postgresql"
    uses_languages = True

    def matches(self, query: Query, languages: Sequence[str]) -> Any:
        """The matching documents, one indexed branch per language in play."""
        branches = []
        for language in languages:
            config = cast(literal(language), REGCONFIG)
            found = tsquery(query, config)
            score = func.ts_rank_cd(_WEIGHTS, _VECTOR, found, NORMALIZATION)
            branches.append(
                select(_DOCS.c.id.label("doc_id"), score.label("score")).where(
                    _DOCS.c.language == language, _VECTOR.op("@@")(found)
                )
            )
        return branches[0] if len(branches) == 1 else union_all(*branches)

    def excerpts(self, query: Query, doc_ids: Collection[int]) -> dict[int, Excerpt]:
        """ts_headline of the title and of the body, each in its document's language."""
        if not doc_ids:
            return {}
        config = cast(_DOCS.c.language, REGCONFIG)
        found = tsquery(query, config)
        rows = db.session.execute(
            select(
                _DOCS.c.id,
                func.ts_headline(config, _DOCS.c.title, found, _TITLE_OPTIONS),
                func.ts_headline(
                    config, func.left(_DOCS.c.body, HEADLINE_SOURCE), found, _BODY_OPTIONS
                ),
            ).where(_DOCS.c.id.in_(list(doc_ids)))
        )
        return {doc_id: Excerpt(title or "", body or "") for doc_id, title, body in rows}

    def index_bytes(self) -> int | None:
        """The documents with their vectors and every index over them."""
        return db.session.scalar(text("SELECT pg_total_relation_size('search_documents')"))


ENGINE = PostgresEngine()
