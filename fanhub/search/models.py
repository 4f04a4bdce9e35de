"""The search index: one document per searchable item, and each brand's stemming language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fanhub.db import UTCDateTime
from fanhub.extensions import Model

KIND_MAX = 20
LANGUAGE_MAX = 20
DEFAULT_LANGUAGE = "english"

# What each engine's migration adds beside these models, in SQL the models can't describe
# (docs/search.md): the FTS5 table over the documents on SQLite (with its shadow tables,
# all named search_fts…), and the weighted tsvector column with its GIN index on
# PostgreSQL. tests/test_migrations.py leaves exactly these out of its comparison.
FTS_TABLE = "search_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_search_documents_search_vector"


class SearchDocument(Model):
    """What one item says (title and plain-text body) and where it stands; who may see
    it, and what it is now (answered, solved, in which category), is read from the item's
    own row at search time, so a moderator's decision shows in results at once."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "item_id"),
        # A thread's documents, shown as one result.
        Index("ix_search_documents_thread", "thread_kind", "thread_id"),
        # A brand's search, newest first when ranks tie.
        Index("ix_search_documents_brand_created", "brand_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The searchable kind that wrote it ("topic", "post", "review", "review_reply", "product").
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    item_id: Mapped[int] = mapped_column(Integer)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    thread_kind: Mapped[str] = mapped_column(String(KIND_MAX))
    thread_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The brand's stemming language when it was indexed (PostgreSQL's text search
    # configuration; the embedded engine stems English only).
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX), default=DEFAULT_LANGUAGE)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")


class SearchLanguage(Model):
    """A brand whose words are stemmed in another language than English (issue 14: the
    dictionary is a setting per brand, so other languages can follow)."""

    __tablename__ = "search_languages"

    brand_id: Mapped[int] = mapped_column(
        ForeignKey("brands.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))


TOKEN_LENGTH = 32


class SuggestionSession(Model):
    """One composer that showed "answers before asking" (issue 14): a random token the
    composer made, never who typed; when it first showed a suggestion, when one was first
    opened (and how many times), and when its topic was submitted."""

    __tablename__ = "search_suggestion_sessions"
    __table_args__ = (
        # The desk's weeks of one brand.
        Index("ix_search_suggestion_sessions_brand_shown", "brand_id", "shown_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(TOKEN_LENGTH), unique=True)
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opens: Mapped[int] = mapped_column(Integer, default=0)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
