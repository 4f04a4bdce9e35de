"""The content registry: every kind of member-written content (topic, post, review, reply…)
is declared by the domain that owns it, and moderation, the data export, the staff desk,
search (`Searchable`) and later webhooks ask here instead of branching on other domains'
models.

A domain describes each of its kinds with one object satisfying `ContentKind` (for example
`fanhub/forums/content.py`) and `create_app` registers them from one explicit list
(`fanhub/__init__.py`: `CONTENT_KINDS`). Adding a kind is its domain's files, its value in
`ItemKind` below and one line in that list.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from sqlalchemy import or_, true

from fanhub.permissions import Action, Actor, brands_where

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Select

    from fanhub.moderation.models import ModerationRule


class ItemKind(enum.StrEnum):
    """Every kind of content the registry knows, as moderation stores and logs it."""

    TOPIC = "topic"
    POST = "post"
    REVIEW = "review"
    REVIEW_REPLY = "review_reply"
    # A member's account (suspensions and bans): never flagged, but logged and appealed.
    MEMBER = "member"
    # A brand (created, edited, closed, handed over by a site admin): logged, not content.
    BRAND = "brand"
    # The site admin console's own records (issue 13): a site setting changed, an email
    # in the outbox sent again. Logged, not content.
    SETTING = "setting"
    EMAIL = "email"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# The one vocabulary of an item's state, whatever its own status column calls it.
VISIBLE, HIDDEN, REMOVED, PENDING, GONE = "visible", "hidden", "removed", "pending", "gone"


@dataclass
class Item:
    """One piece of content as moderation, the desk and search see it, whatever its kind."""

    kind: ItemKind
    id: int
    brand_id: int
    author_id: int | None
    state: str
    excerpt: str
    # The thread it stands in, in words: a topic's title, a product's name.
    context: str
    url: str
    row: Any
    # The forum topic it belongs to, for a kind that has one (it can be locked).
    thread: Any | None = None

    @property
    def noun(self) -> str:
        return {"review_reply": "reply"}.get(self.kind.value, self.kind.value)


class ContentKind(Protocol):
    """What a domain answers about one kind of its content.

    State changes never commit: the caller's transaction holds them, with their counters.
    """

    kind: ItemKind

    def load(self, ids: Collection[int]) -> dict[int, Item]:
        """Items by id with their context, in one query however many."""
        ...

    def visible_clause(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """The SQL filter for rows of this kind the viewer may see in a list or search."""
        ...

    def can_see(self, viewer: Actor, row: Any, *, now: datetime) -> bool:
        """Whether the viewer may see this one row (the same rule as `visible_clause`)."""
        ...

    def where(self, item: Item) -> str:
        """Where it stands, for a sentence to its author: "in “Title”", "of Product"."""
        ...

    def set_state(
        self, item: Item, state: str, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Show, hide or remove it at `now`, moving what counts it (no commit)."""
        ...

    def approve_held(self, item: Item, *, now: datetime) -> None:
        """Publish an item held for a moderator as if written now (no commit).

        :raises Conflict: it is no longer held (decided elsewhere meanwhile).
        """
        ...

    def reject_held(
        self, item: Item, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Keep a held item out of sight for good; sets `item.state` (no commit).

        :raises Conflict: it is no longer held (decided elsewhere meanwhile).
        """
        ...

    def after_commit(self, item: Item) -> None:
        """Forget the cached copies visitors are served of what just changed."""
        ...

    def recent_writing(
        self, author_id: int, since: datetime, now: datetime, *, excluding: int | None
    ) -> Select[str, datetime]:
        """Her writing of this kind between `since` and `now` as (body, at) rows, for the
        repeated-text check; `excluding` is the item being edited."""
        ...

    def export_records(self, user_id: int) -> Iterator[dict[str, Any]]:
        """Her content of this kind as the data export's records."""
        ...


# Abilities only some kinds have: whoever needs one asks each registered kind with
# isinstance(kind, WaitingList).


@runtime_checkable
class WaitingList(Protocol):
    """A kind of content whose items may wait for approval with no case in the queue (a
    review pending on its brand's pages); the queue lists them apart, by id."""

    kind: ItemKind

    def waiting_for_approval(
        self, brand_ids: Collection[int] | None, *, after: int, limit: int
    ) -> list[Any]:
        """Rows waiting with no open case, by id after `after`, in `brand_ids` (None: all)."""
        ...


@runtime_checkable
class Answerable(Protocol):
    """A kind of content the brand answers officially (a customer's topic, a review), so
    its staff desk can claim it while it waits for that answer."""

    kind: ItemKind

    def answer_state(self, brand_id: int, item_id: int) -> tuple[str, datetime | None] | None:
        """Its title and when the brand first answered it (None: not yet), or None when
        it is not the brand's item waiting to be answered."""
        ...


@runtime_checkable
class TakesPart(Protocol):
    """A kind of content whose writing makes its author take part in a brand, so its team
    may vouch for her (her posts and her reviews; not her replies under reviews)."""

    def participant_brands(self, member_id: int, brand_ids: Collection[int]) -> Select[Any]:
        """The brands among `brand_ids` where she wrote one, as one column."""
        ...


@runtime_checkable
class Authored(Protocol):
    """A kind of content members write one by one (a post, a review, a reply under one),
    so a site admin's page of a member can list her newest (issue 13)."""

    kind: ItemKind

    def latest_by(self, author_id: int, *, limit: int) -> list[tuple[int, datetime]]:
        """(id, written at) of her newest items of this kind, whatever their state, newest
        first, in one query."""
        ...


@dataclass(frozen=True)
class SearchText:
    """One document of the search index (issue 14): what one item says, and where it stands.

    Only what never changes without its row changing: search re-reads the row's text
    whenever the row is written. Everything moderation, answers or moves change (who may
    see it, answered, solved, its category) is read live through `SearchFacts`.
    """

    kind: str  # the searchable's `search_kind`
    item_id: int
    brand_id: int
    # The conversation it belongs to, shown as one result: its topic, review or product.
    thread_kind: str
    thread_id: int
    title: str
    # The words as the page shows them: stored sanitised HTML when `html`, else plain text.
    body: str
    author_id: int | None
    created_at: datetime
    html: bool = True


@dataclass(frozen=True)
class SearchBatch:
    """Documents of one batch of rows, for rebuilding the index."""

    texts: list[SearchText]
    # The last row id read (None: no rows were left), and how many rows were read.
    last_id: int | None
    rows: int


@dataclass(frozen=True)
class SearchFacts:
    """What search filters, ranks and badges on, as SQL over `source`: the kind's own
    table, joined (under aliases) to whatever the facts read. None: the kind has no such
    fact (a product is never answered)."""

    source: Any
    section: Any  # what a reader looks for: "topic", "idea", "review" or "product"
    category_id: Any = None
    product_id: Any = None
    stars: Any = None
    answered: Any = None  # its thread has the brand's official answer
    solved: Any = None  # its thread has a solution
    official: Any = None  # it is the brand's official answer
    solution: Any = None  # it is its topic's solution
    verified: Any = None  # a review from a verified purchase


@dataclass(frozen=True)
class SearchLink:
    """How a result reads and where it leads: the thread's title, the place it lives in
    ("Support", "Review of Kettle"), its address."""

    title: str
    place: str
    url: str


@dataclass(frozen=True)
class SearchScope:
    """A part of a brand a search can be narrowed to: a category, a product."""

    field: str  # "category" or "product": the search filter it fills
    id: int
    slug: str
    name: str


@runtime_checkable
class Searchable(Protocol):
    """A kind of content search indexes (issue 14). Its visibility is the kind's own
    rule (`visible_clause`), never a copy; products, which are no member's content, are
    searchable too."""

    search_kind: str
    # The table whose rows it indexes: a written row is indexed again in its transaction.
    search_model: type[Any]
    # The sections (`SearchFacts.section`) its documents can be in.
    sections: frozenset[str]

    def search_texts(self, ids: Collection[int]) -> list[SearchText]:
        """The documents these rows of `search_model` feed (one query); a row that feeds
        another kind's document (a topic's first post) gives that one."""
        ...

    def search_batch(self, after: int, limit: int) -> SearchBatch:
        """Its own documents from the first `limit` rows with ids after `after`, for
        rebuilding the index in batches."""
        ...

    def search_count(self, after: int) -> int:
        """How many rows `search_batch` reads after `after` (for a progress bar)."""
        ...

    def search_visible(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """The kind's visibility rule, over `search_facts().source`."""
        ...

    def search_facts(self) -> SearchFacts:
        """Its live facts, as SQL over its source."""
        ...

    def search_links(self, ids: Collection[int]) -> dict[int, SearchLink]:
        """How results from these items read and link, by item id, in one query."""
        ...

    def search_scopes(self, brand_id: int) -> list[SearchScope]:
        """The parts of the brand a search of this kind can be narrowed to."""
        ...


def author_or_role_clause(
    viewer: Actor, author_column: Any, brand_column: Any, action: Action, *, now: datetime
) -> Any:
    """For a kind's `visible_clause`: in SQL, over its rows' author and brand columns, "the
    viewer wrote it, or may do `action` in its brand" (a moderator sees what is hidden);
    None for a visitor, who is neither."""
    if not getattr(viewer, "is_authenticated", False):
        return None
    brands = brands_where(viewer, action, now=now)
    if brands is None:  # a site admin: every brand
        return true()
    mine = author_column == viewer.id
    return or_(mine, brand_column.in_(brands)) if brands else mine


_KINDS: dict[ItemKind, ContentKind] = {}


def register(kinds: Iterable[ContentKind]) -> None:
    """Make these kinds known (the app factory calls this with its one list)."""
    for kind in kinds:
        _KINDS[kind.kind] = kind


def content_kind(kind: ItemKind) -> ContentKind:
    """The object that answers for `kind`.

    :raises KeyError: no domain declared it.
    """
    return _KINDS[kind]


def content_kinds() -> tuple[ContentKind, ...]:
    """Every registered kind, in the order they were declared."""
    return tuple(_KINDS.values())


def is_content(kind: ItemKind) -> bool:
    """Whether a domain declared `kind` (a member's account is logged, not content)."""
    return kind in _KINDS


_SEARCHABLE: dict[str, Searchable] = {}


def register_searchable(kinds: Iterable[Searchable]) -> None:
    """Make these kinds searchable (the app factory calls this with its one list)."""
    for kind in kinds:
        _SEARCHABLE[kind.search_kind] = kind


def searchables() -> tuple[Searchable, ...]:
    """Every searchable kind, in the order they were declared."""
    return tuple(_SEARCHABLE.values())
