"""Domain events: what happened, emitted by the write that did it, heard after its commit.

This module is the one list of every event. A service emits an event inside its
`transaction()`; the event waits on the session and, once that transaction has committed,
each subscriber registered for its type runs (cache invalidation today; webhooks and search
indexing next). A rolled-back write emits nothing. Subscribers are wired in `create_app`
from each domain's `subscribers.py` (`SUBSCRIPTIONS`), one explicit list, no discovery.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from fanhub.extensions import db

_PENDING = "fanhub.events"


@dataclass(frozen=True)
class Event:
    """Something a domain's write did that others may care about."""

    brand_id: int


# ------------------------------------------------------------------ forums


@dataclass(frozen=True)
class TopicStarted(Event):
    """A topic is listed: started, or approved by a moderator."""

    topic_id: int
    # None: her account was deleted while the topic waited for a moderator.
    author_id: int | None


@dataclass(frozen=True)
class ReplyPosted(Event):
    """A reply took its place in a thread: posted, or approved by a moderator."""

    topic_id: int
    post_id: int
    position: int
    # None: her account was deleted while the reply waited for a moderator.
    author_id: int | None


@dataclass(frozen=True)
class PostChanged(Event):
    """A post's words or standing changed (edited, deleted, hidden, restored, marked the
    solution or the official answer): the pages that show it are stale."""

    topic_id: int
    position: int


@dataclass(frozen=True)
class TopicChanged(Event):
    """A topic's title, category, lock, pin, solution or idea status changed."""

    topic_id: int


@dataclass(frozen=True)
class OfficialAnswerGiven(Event):
    """The brand's staff replied in a topic (each official reply, not only the first)."""

    topic_id: int
    post_id: int
    staff_id: int


@dataclass(frozen=True)
class IdeaStatusChanged(Event):
    topic_id: int
    status: str


# ----------------------------------------------------------------- reviews


@dataclass(frozen=True)
class ProductChanged(Event):
    """What the widget shows of a product changed: its rating, its reviews, or the product
    itself (`old_slug` / `old_sku` when it was renamed)."""

    brand_slug: str
    product_slug: str
    sku: str | None
    old_slug: str | None = None
    old_sku: str | None = None


@dataclass(frozen=True)
class ReviewPublished(Event):
    review_id: int
    product_id: int
    author_id: int


@dataclass(frozen=True)
class ReviewAnswered(Event):
    review_id: int
    reply_id: int
    author_id: int
    official: bool


# ------------------------------------------------------------------ brands


@dataclass(frozen=True)
class BrandChanged(Event):
    """A brand's name, colours or settings changed: everything cached of it is stale."""

    brand_slug: str


# -------------------------------------------------------------- moderation


@dataclass(frozen=True)
class ContentModerated(Event):
    """A moderator (or the flag threshold) hid, removed, restored, approved or rejected an
    item of content."""

    kind: str
    item_id: int
    state: str


@dataclass(frozen=True)
class MemberSanctioned(Event):
    """A member was suspended, banned, or had either lifted (site-wide: `brand_id` is the
    brand whose queue it came from, or 0 for a site admin's own)."""

    member_id: int
    decision: str


E = TypeVar("E", bound=Event)
Subscriber = Callable[[Any], None]
_SUBSCRIBERS: dict[type[Event], list[Subscriber]] = defaultdict(list)


def subscribe(subscriptions: Iterable[tuple[type[Event], Subscriber]]) -> None:
    """Register subscribers (the app factory calls this with each domain's list); a
    subscriber registered twice still runs once."""
    for event_type, subscriber in subscriptions:
        if subscriber not in _SUBSCRIBERS[event_type]:
            _SUBSCRIBERS[event_type].append(subscriber)


def emit(event: Event) -> None:
    """Record that `event` happened in the current transaction; its subscribers run after
    the commit (never if it rolls back)."""
    db.session.info.setdefault(_PENDING, []).append(event)


def discard_pending() -> None:
    """Forget what a rolled-back transaction emitted."""
    db.session.info.pop(_PENDING, None)


def publish_pending() -> None:
    """Run the subscribers of everything the committed transaction emitted, in order;
    the same event emitted twice in one transaction is heard once."""
    pending: list[Event] = db.session.info.pop(_PENDING, [])
    for event in dict.fromkeys(pending):
        for subscriber in _SUBSCRIBERS.get(type(event), ()):
            subscriber(event)
