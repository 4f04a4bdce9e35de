"""Watching and muting topics and categories."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from fanhub.db import rows_changed, transaction
from fanhub.errors import Forbidden
from fanhub.extensions import db
from fanhub.forums.models import (
    Category,
    CategoryWatch,
    Topic,
    TopicWatch,
    WatchLevel,
)
from fanhub.permissions import Actor


def _watch(user_id: int, topic_id: int) -> None:
    """Authors and repliers watch a topic, unless they already chose watch or mute."""
    exists = db.session.scalar(
        select(TopicWatch.id).where(TopicWatch.topic_id == topic_id, TopicWatch.user_id == user_id)
    )
    if exists is None:
        db.session.add(TopicWatch(topic_id=topic_id, user_id=user_id, level=WatchLevel.WATCHING))


def set_topic_watch(actor: Actor, topic: Topic, level: WatchLevel | None) -> None:
    """Watch a topic, mute it, or clear the choice (None).

    Watching tells her of every reply; muting tells her nothing of it, not even
    mentions; with no choice she hears of it only if she watches its category.

    :raises Forbidden: the actor is not signed in.
    """
    user_id = _watcher_id(actor)
    with transaction():
        _set_watch(TopicWatch, TopicWatch.topic_id, topic.id, user_id, level)


def set_category_watch(actor: Actor, category: Category, level: WatchLevel | None) -> None:
    """Watch a category, mute it, or clear the choice (None).

    Watching tells her of every new topic and reply in it; muting tells her nothing of
    its topics (not even mentions) except those she watches herself.

    :raises Forbidden: the actor is not signed in.
    """
    user_id = _watcher_id(actor)
    with transaction():
        _set_watch(CategoryWatch, CategoryWatch.category_id, category.id, user_id, level)


def _watcher_id(actor: Actor) -> int:
    # Any signed-in member may choose what she hears, suspended or not.
    member_id = actor.id if getattr(actor, "is_authenticated", False) else None
    if member_id is None:
        raise Forbidden("Log in to watch or mute.")
    return member_id


def _set_watch(
    model: type[TopicWatch] | type[CategoryWatch],
    scope: Any,
    scope_id: int,
    user_id: int,
    level: WatchLevel | None,
) -> None:
    mine = (scope == scope_id, model.user_id == user_id)
    if level is None:
        db.session.execute(delete(model).where(*mine))
        return
    if rows_changed(db.session.execute(update(model).where(*mine).values(level=level))):
        return
    try:
        # A savepoint, because two clicks at once both insert: the unique key keeps the
        # first, and the second becomes an update to the level chosen last.
        with db.session.begin_nested():
            db.session.add(model(**{scope.key: scope_id}, user_id=user_id, level=level))
    except IntegrityError:
        db.session.execute(update(model).where(*mine).values(level=level))
