"""The personal-data registry: each domain declares its part of a member's data (what her
export holds of it, what deleting her account does to it), and `fanhub.accounts.privacy`
asks here instead of importing every domain.

A domain describes its part with one object satisfying `PersonalData` (for example
`fanhub/forums/personal_data.py`) and `create_app` registers them from one explicit list
(`fanhub/__init__.py`: `PERSONAL_DATA`), in the order her export's files are written.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from fanhub.extensions import db

if TYPE_CHECKING:
    from fanhub.accounts.models import User

# Rows are read from the database in batches of this many, so a member with years of
# posts is exported without holding them all as objects at once.
BATCH = 500


def rows(statement: Any) -> Iterator[Any]:
    """The statement's rows, fetched from the database in batches."""
    yield from db.session.execute(statement.execution_options(yield_per=BATCH))


def records(statement: Any) -> Iterator[dict[str, Any]]:
    """The statement's rows as JSON objects keyed by the columns' names (or labels):
    enums as their values, moments as ISO 8601."""
    for row in rows(statement):
        yield {key: plain(value) for key, value in row._mapping.items()}


def earlier_versions(statement: Any, key: str) -> dict[int, list[dict[str, Any]]]:
    """An item's earlier versions by the item's id (`key`), read in one query."""
    earlier: dict[int, list[dict[str, Any]]] = {}
    for record in records(statement):
        earlier.setdefault(record.pop(key), []).append(record)
    return earlier


def plain(value: Any) -> Any:
    """A column's value as JSON holds it: an enum as its value, a moment as ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return iso(value)
    return value


def iso(moment: datetime | None) -> str | None:
    """A moment as ISO 8601, or None."""
    return moment.isoformat() if moment is not None else None


Records = Iterable[dict[str, Any]]


@dataclass
class Erasure:
    """One account being deleted, as each domain's part is told of it."""

    user: User
    # She chose to remove her posts and reviews too, rather than keep them under no name.
    remove_content: bool
    now: datetime
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def after_commit(self, forget: Callable[[], None]) -> None:
        """Run `forget` once the deletion has committed (cached copies that name her)."""
        self._after_commit.append(forget)

    def committed(self) -> None:
        """The deletion committed: run what the parts left for now, in order."""
        for forget in self._after_commit:
            forget()


class PersonalData(Protocol):
    """What a domain holds of a member, for her data rights (issue 6).

    `erase` never commits: the deletion's one transaction holds every domain's part.
    """

    @property
    def name(self) -> str:
        """The domain's name, once in the registry."""
        ...

    @property
    def files(self) -> Mapping[str, str]:
        """Her export's files this domain writes to, each with what it holds in words (for
        the export's README.txt); a file two domains share has both their words, joined
        by "and"."""
        ...

    def export(self, user_id: int) -> Iterator[tuple[str, Records]]:
        """(file name, her records) for each of `files`: lazily, no query before the
        records are read."""
        ...

    def profile(self, user_id: int) -> dict[str, Any]:
        """What her profile.json says of her in this domain (usually nothing)."""
        ...

    def plan(self, user_id: int) -> dict[str, Any]:
        """What deleting her account would do here, counted now: fields of
        `fanhub.accounts.privacy.DeletionPlan`."""
        ...

    def erase(self, erasure: Erasure) -> None:
        """Erase her data in this domain as her account is deleted (no commit)."""
        ...


_PARTS: dict[str, PersonalData] = {}


def register(parts: Iterable[PersonalData]) -> None:
    """Make these parts known (the app factory calls this with its one list)."""
    for part in parts:
        _PARTS[part.name] = part


def parts() -> tuple[PersonalData, ...]:
    """Every registered part, in the order they were declared."""
    return tuple(_PARTS.values())
