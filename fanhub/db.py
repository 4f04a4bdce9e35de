"""Database helpers every domain shares: the one commit point, time, column types."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, Enum, event, inspect
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from fanhub import events
from fanhub.errors import NotFound
from fanhub.extensions import db


def related(obj: Any, name: str, missing: str) -> Any:
    """`obj.<name>`, a many-to-one: as loaded with `obj`, or fetched by its key if it was not
    (relationships are lazy="raise", so callers never trigger a hidden lazy load).

    :raises NotFound: with `missing`, the row is gone.
    """
    state = inspect(obj)
    if name not in state.unloaded:
        return getattr(obj, name)
    relation = state.mapper.relationships[name]
    (column,) = relation.local_columns
    key = getattr(obj, state.mapper.get_property_by_column(column).key)
    found = db.session.get(relation.mapper.class_, key)
    if found is None:
        raise NotFound(missing)
    return found


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC: the one place fanhub reads the wall clock.

    Only the edges call it (issue 11): each request's hook (`fanhub.clock.request_time`),
    the commands, the mail worker and the demo and benchmark data. Services and permission
    checks take `now` from their caller instead.
    """
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC that always comes back timezone-aware.

    SQLite keeps no zone, so values read from it would otherwise be naive and
    compare wrongly with `utcnow()`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use fanhub.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through `db.session.execute` changed.

    The session types every result as a plain `Result`; a data-changing statement's is a
    `CursorResult`, which knows its row count.
    """
    return cast(CursorResult[Any], result).rowcount


@contextmanager
def transaction() -> Iterator[None]:
    """Commit the session's work on success; roll it back and re-raise on failure.

    The only place in fanhub that commits.
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        events.discard_pending()
        raise
    # After the commit, outside the try: a subscriber's failure must not roll back (or
    # be mistaken for) the write that already happened.
    events.publish_pending()


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite enforce foreign keys and handle SAVEPOINT correctly.

    pysqlite opens transactions lazily on its own, which breaks SAVEPOINT; SQLAlchemy's
    documented recipe turns that off and emits BEGIN itself. Concurrent writers then
    queue on busy_timeout instead of failing.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Readers keep reading while one writer writes (the dev server is threaded).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front. A deferred transaction that reads and
        # then writes fails at once with "database is locked" when another writer
        # committed in between (busy_timeout does not help there), so two people
        # registering at the same moment would get a 500 instead of a clear answer.
        # SQLite is the single-machine default; PostgreSQL is what scales out.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def str_enum(enum_cls: type[enum.StrEnum], name: str) -> Enum:
    """A portable enum column: stored as its string value, checked by the database."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        create_constraint=True,
        name=name,
    )


class AppendOnlyError(RuntimeError):
    """Someone tried to change or delete a row of a record that is only ever added to."""


_APPEND_ONLY: dict[type[Any], str] = {}


def append_only(model: type[Any], record: str) -> None:
    """Refuse every UPDATE and DELETE of `model`'s rows, through the ORM or in bulk.

    For records that prove what happened (the moderation log, consent): a row, once
    written, is the history. `record` names it in the error ("The moderation log").
    """

    def refuse(mapper: Any, connection: Any, target: Any) -> None:
        raise AppendOnlyError(f"{record} is append-only: its rows are never changed or deleted.")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)
    _APPEND_ONLY[model] = record


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: Any) -> None:
    # Bulk UPDATE and DELETE statements skip the mapper events; refuse them here.
    if not (state.is_update or state.is_delete):
        return
    for mapper in state.all_mappers:
        record = _APPEND_ONLY.get(mapper.class_)
        if record is not None:
            raise AppendOnlyError(f"{record} is append-only.")
