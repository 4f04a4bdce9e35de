"""The moderators' topic tools: pin, lock, move, each on the moderation log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    select,
    update,
)

from fanhub import events
from fanhub.db import transaction
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.forums.models import (
    Category,
    Topic,
    TopicStatus,
)
from fanhub.forums.services.access import _category_of
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision, ItemKind
from fanhub.permissions import Action, Actor, require


def set_pinned(actor: Actor, topic: Topic, pinned: bool, *, now: datetime) -> None:
    """Pin a topic to the top of its category, or unpin it; on the moderation log.

    :raises Forbidden: the actor is not the brand's staff or moderator.
    """
    require(actor, Action.TOPIC_MODERATE, topic.brand_id, now=now)
    if topic.is_pinned == pinned:
        return  # nothing changes, so nothing goes on the record
    with transaction():
        _record_topic_tool(
            actor, Decision.PIN if pinned else Decision.UNPIN, topic, "pinned", pinned, now=now
        )
        topic.is_pinned = pinned
        events.emit(events.TopicChanged(brand_id=topic.brand_id, topic_id=topic.id))


def set_locked(actor: Actor, topic: Topic, locked: bool, *, now: datetime) -> None:
    """Lock a topic against new replies from members, or unlock it; on the moderation log.

    :raises Forbidden: the actor is not the brand's staff or moderator.
    """
    require(actor, Action.TOPIC_MODERATE, topic.brand_id, now=now)
    if topic.is_locked == locked:
        return  # nothing changes, so nothing goes on the record
    with transaction():
        _record_topic_tool(
            actor, Decision.LOCK if locked else Decision.UNLOCK, topic, "locked", locked, now=now
        )
        topic.is_locked = locked
        events.emit(events.TopicChanged(brand_id=topic.brand_id, topic_id=topic.id))


def move_topic(actor: Actor, topic: Topic, target: Category, *, now: datetime) -> None:
    """Move a topic to another category of the same brand, moving its counts along; on the
    moderation log.

    :raises Forbidden: the actor is not the brand's staff or moderator.
    :raises Invalid: the target belongs to another brand.
    """
    require(actor, Action.TOPIC_MODERATE, topic.brand_id, now=now)
    if target.brand_id != topic.brand_id:
        raise Invalid("A topic can only move within its brand.", field="category")
    if target.id == topic.category_id:
        return
    with transaction():
        posts, status = db.session.execute(
            select(Topic.post_count, Topic.status).where(Topic.id == topic.id).with_for_update()
        ).one()
        # Only a listed topic is in its category's counts (a waiting or hidden one is not).
        if status is TopicStatus.VISIBLE:
            db.session.execute(
                update(Category)
                .where(Category.id == topic.category_id)
                .values(
                    topic_count=Category.topic_count - 1, post_count=Category.post_count - posts
                )
            )
            db.session.execute(
                update(Category)
                .where(Category.id == target.id)
                .values(
                    topic_count=Category.topic_count + 1, post_count=Category.post_count + posts
                )
            )
        _record_topic_tool(
            actor,
            Decision.MOVE,
            topic,
            "category",
            target.slug,
            before=_category_of(topic).slug,
            now=now,
        )
        topic.category_id = target.id
        events.emit(events.TopicChanged(brand_id=topic.brand_id, topic_id=topic.id))


def _record_topic_tool(
    actor: Actor,
    decision: Decision,
    topic: Topic,
    what: str,
    after: Any,
    before: Any = None,
    *,
    now: datetime,
) -> None:
    """Put one use of a topic tool on the moderation record (no commit)."""
    record_action(
        actor,
        decision,
        item_kind=ItemKind.TOPIC,
        item_id=topic.id,
        brand_id=topic.brand_id,
        subject_id=topic.author_id,
        before={what: (not after) if before is None else before},
        after={what: after},
        now=now,
    )
