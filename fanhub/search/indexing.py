"""Keeping the index as written (issue 14): each commit that writes a searchable row
indexes it again in the same transaction, and `flask search reindex` rebuilds it all.

How a write reaches the index: every searchable kind names the table whose rows it
indexes (`Searchable.search_model`). After each flush, the rows of those tables the
session added, changed or deleted are noted on the session; just before it commits, their
documents are read again through their kind (`search_texts`) and written, so a post, an
edit, a held review or an approved reply is searchable the moment it commits, and a
rolled-back write indexes nothing. This sees every write path (forums, reviews,
moderation, the admin console, the demo) without any of them calling search.

What a moderation decision changes needs no indexing at all: who may see a document is
its kind's own visibility rule, joined at search time, so a hidden post leaves the results
at once. Answers, solutions, moves and idea statuses are read live the same way
(`Searchable.search_facts`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from flask import has_app_context
from sqlalchemy import and_, delete, event, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction

from fanhub.content import Searchable, SearchText, searchables
from fanhub.db import transaction
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.search.engine import MARK_END, MARK_START
from fanhub.search.models import DEFAULT_LANGUAGE, SearchDocument, SearchLanguage

_PENDING = "fanhub.search.pending"
BATCH_SIZE = 500


class _Words(HTMLParser):
    """The text of sanitised HTML, with a space wherever an element starts or ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(text: str, *, html: bool) -> str:
    """Stored words as the plain text the index keeps: tags dropped, entities read, runs
    of white space made one, and never the characters the engines mark matches with."""
    if html:
        reader = _Words()
        reader.feed(text)
        reader.close()
        text = "".join(reader.parts)
    text = text.replace(MARK_START, " ").replace(MARK_END, " ")
    return " ".join(text.split())


def searchable(kind: str) -> Searchable:
    """The searchable kind called `kind`.

    :raises Invalid: no kind has that name.
    """
    for candidate in searchables():
        if candidate.search_kind == kind:
            return candidate
    names = ", ".join(s.search_kind for s in searchables())
    raise Invalid(f"There is no searchable kind called {kind!r} (there are {names}).")


def _languages(brand_ids: Collection[int]) -> dict[int, str]:
    if not brand_ids:
        return {}
    rows = db.session.execute(
        select(SearchLanguage.brand_id, SearchLanguage.language).where(
            SearchLanguage.brand_id.in_(brand_ids)
        )
    )
    return {brand_id: language for brand_id, language in rows}


def write_documents(
    texts: Iterable[SearchText], *, replacing: Mapping[str, Collection[int]]
) -> int:
    """Write `texts`, and take out the documents of `replacing` (ids by kind) that they
    don't replace, in the caller's transaction (no commit); how many were written.

    Written as one upsert on the (kind, item) key: two transactions indexing the same item
    at once (a moderator's decision while its author edits it) both succeed, the later
    one's words kept, where a delete-then-insert could collide on the key.
    """
    texts = list({(t.kind, t.item_id): t for t in texts}.values())
    written: dict[str, set[int]] = defaultdict(set)
    for found in texts:
        written[found.kind].add(found.item_id)
    for kind, ids in replacing.items():
        gone = set(ids) - written[kind]
        if gone:
            db.session.execute(
                delete(SearchDocument).where(
                    SearchDocument.kind == kind, SearchDocument.item_id.in_(gone)
                )
            )
    if not texts:
        return 0
    languages = _languages({t.brand_id for t in texts})
    rows = [
        {
            "kind": t.kind,
            "item_id": t.item_id,
            "brand_id": t.brand_id,
            "thread_kind": t.thread_kind,
            "thread_id": t.thread_id,
            "author_id": t.author_id,
            "created_at": t.created_at,
            "language": languages.get(t.brand_id, DEFAULT_LANGUAGE),
            "title": plain(t.title, html=False),
            "body": plain(t.body, html=t.html),
        }
        for t in texts
    ]
    upsert = (postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(
        SearchDocument
    )
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=["kind", "item_id"],
            set_={name: upsert.excluded[name] for name in rows[0] if name not in _KEY},
        ),
        rows,
    )
    return len(texts)


_KEY = frozenset({"kind", "item_id"})


def index_items(items: Mapping[str, Collection[int]]) -> int:
    """Index these items (ids by searchable kind) again, as they stand in the caller's
    transaction (no commit); how many documents were written."""
    texts: list[SearchText] = []
    for kind, ids in items.items():
        if ids:
            texts += searchable(kind).search_texts(ids)
    return write_documents(texts, replacing=items)


def _watched() -> dict[type[Any], Searchable]:
    return {kind.search_model: kind for kind in searchables()}


def _is_app_session(session: Session) -> bool:
    # The app's own session, whose transaction the documents are written in (a tool's
    # session of its own, outside any app, writes nothing here).
    return has_app_context() and session is db.session()


def _note_written_rows(session: Session, flush_context: Any) -> None:
    # After a flush the session still lists what it flushed (new, changed, deleted),
    # each row with its id by now.
    watched = _watched()
    if not watched or not _is_app_session(session):
        return
    noted: dict[str, set[int]] | None = session.info.get(_PENDING)
    for obj in (*session.new, *session.dirty, *session.deleted):
        kind = watched.get(type(obj))
        if kind is None or (obj in session.dirty and not session.is_modified(obj)):
            continue
        if noted is None:
            noted = session.info[_PENDING] = defaultdict(set)
        noted[kind.search_kind].add(obj.id)


def _index_before_commit(session: Session) -> None:
    # The commit's last flush first: what it writes is noted too. Writing the documents
    # is plain SQL, so it notes nothing more.
    session.flush()
    noted = session.info.pop(_PENDING, None)
    if noted:
        index_items(noted)


def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolled back inside a write leaves the rest of it to commit; anything
    # else rolled back indexes nothing.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)


_HOOKS = (
    ("after_flush", _note_written_rows),
    ("before_commit", _index_before_commit),
    ("after_soft_rollback", _forget_rolled_back),
)


def watch_writes() -> None:
    """Index every searchable row a session writes, in its transaction (the app factory
    calls this; calling it again changes nothing)."""
    for name, hook in _HOOKS:
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


@dataclass(frozen=True)
class Progress:
    """Where a rebuild stands after one committed batch."""

    kind: str
    last_id: int
    rows: int
    documents: int


def reindex(kinds: Iterable[str], *, after: int = 0, size: int = BATCH_SIZE) -> Iterator[Progress]:
    """Rebuild the documents of `kinds` in order, the first from the row after `after`,
    each batch of `size` rows in its own transaction; yields after each commit, so a
    rebuild stopped anywhere goes on from the last `Progress` it gave.

    :raises Invalid: a kind is not searchable, or `size` is not 1 to 10,000.
    """
    if not 1 <= size <= 10_000:
        raise Invalid("Batches are 1 to 10,000 rows.")
    chosen = [searchable(kind) for kind in kinds]
    for n, kind in enumerate(chosen):
        position = after if n == 0 else 0
        while True:
            with transaction():
                batch = kind.search_batch(position, size)
                if batch.last_id is not None:
                    # The rows in this range as they are now: gone ones leave the index.
                    db.session.execute(
                        delete(SearchDocument).where(
                            and_(
                                SearchDocument.kind == kind.search_kind,
                                SearchDocument.item_id > position,
                                SearchDocument.item_id <= batch.last_id,
                            )
                        )
                    )
                    write_documents(batch.texts, replacing={})
            if batch.last_id is None:
                break
            yield Progress(kind.search_kind, batch.last_id, batch.rows, len(batch.texts))
            position = batch.last_id


def rows_to_index(kind: str, *, after: int = 0) -> int:
    """How many rows a rebuild of `kind` reads from the row after `after`."""
    return searchable(kind).search_count(after)


def document_count() -> int:
    """How many documents the index holds."""
    return db.session.scalar(select(func.count()).select_from(SearchDocument)) or 0
