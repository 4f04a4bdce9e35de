"""Which engine runs search: SQLite FTS5 on the embedded default, PostgreSQL in production."""

from __future__ import annotations

from fanhub.extensions import db
from fanhub.search import fts5, postgresql
from fanhub.search.engine import Engine


def current_engine() -> Engine:
    """The engine of the database this app runs on."""
    if db.engine.dialect.name == "postgresql":
        return postgresql.ENGINE
    return fts5.ENGINE
