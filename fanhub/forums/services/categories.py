"""A brand's forum categories: listing, creating, renaming, ordering, archiving, deleting
when empty, and moving many topics from one to another at once."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from fanhub import events
from fanhub.brands.models import Brand
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.forums.models import (
    CATEGORY_DESCRIPTION_MAX,
    CATEGORY_NAME_MAX,
    Category,
    Topic,
    TopicStatus,
)
from fanhub.forums.services.drafts import CategoryDraft
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision, ItemKind
from fanhub.permissions import Action, Actor, require

# The most topics one bulk move takes (a category page lists 30, plus its pinned ones).
BULK_MOVE_MAX = 100
ARCHIVED_MESSAGE = "This category is archived: it takes no new topics or replies."

CATEGORY_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")


def list_categories(brand_id: int, *, archived: bool = True) -> list[Category]:
    """A brand's categories in the order its owners chose; without the archived ones when
    `archived` is False (the lists members see)."""
    query = select(Category).where(Category.brand_id == brand_id)
    if not archived:
        query = query.where(Category.archived_at.is_(None))
    return list(db.session.scalars(query.order_by(Category.position, Category.id)))


def create_category(actor: Actor, brand: Brand, draft: CategoryDraft, *, now: datetime) -> Category:
    """Add a category at the end of the brand's list.

    :raises Forbidden: the actor is not an owner of the brand.
    :raises Invalid: a field breaks its rule.
    :raises Conflict: the brand already has a category at that address.
    """
    require(actor, Action.CATEGORY_MANAGE, brand.id, now=now)
    slug, name, description = _clean_category(draft)
    last = db.session.scalar(
        select(func.max(Category.position)).where(Category.brand_id == brand.id)
    )
    category = Category(
        brand_id=brand.id,
        slug=slug,
        name=name,
        description=description,
        kind=draft.kind,
        created_at=now,
        position=(last or 0) + 1,
        topic_count=0,
        post_count=0,
    )
    taken = f"{brand.name} already has a category at /c/{slug}."
    with transaction():
        db.session.add(category)
        try:
            db.session.flush()  # meet the (brand, slug) unique constraint now, with a message
        except IntegrityError:
            raise Conflict(taken, field="slug") from None
    return category


def update_category(
    actor: Actor, category: Category, draft: CategoryDraft, *, now: datetime
) -> Category:
    """Rename a category or change its description or kind (its address stays).

    :raises Forbidden: the actor is not an owner of the brand.
    :raises Invalid: a field breaks its rule.
    """
    require(actor, Action.CATEGORY_MANAGE, category.brand_id, now=now)
    _, name, description = _clean_category(draft, slug_required=False)
    with transaction():
        category.name = name
        category.description = description
        category.kind = draft.kind
    return category


def move_category(actor: Actor, category: Category, offset: int, *, now: datetime) -> None:
    """Move a category up (-1) or down (+1) in the brand's list.

    :raises Forbidden: the actor is not an owner of the brand.
    """
    require(actor, Action.CATEGORY_MANAGE, category.brand_id, now=now)
    ordered = list_categories(category.brand_id)
    index = next(i for i, c in enumerate(ordered) if c.id == category.id)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered.insert(target, ordered.pop(index))
    with transaction():
        for position, item in enumerate(ordered, start=1):
            item.position = position


def _clean_category(draft: CategoryDraft, slug_required: bool = True) -> tuple[str, str, str]:
    slug = draft.slug.strip().lower()
    if slug_required and not CATEGORY_SLUG.fullmatch(slug):
        raise Invalid(
            "A category's address uses 1–50 lower-case letters, digits and inner dashes.",
            field="slug",
        )
    name = " ".join(draft.name.split())
    if not name or len(name) > CATEGORY_NAME_MAX:
        raise Invalid(f"Name the category in 1–{CATEGORY_NAME_MAX} characters.", field="name")
    description = " ".join(draft.description.split())
    if len(description) > CATEGORY_DESCRIPTION_MAX:
        raise Invalid(f"Use at most {CATEGORY_DESCRIPTION_MAX} characters.", field="description")
    return slug, name, description


def require_not_archived(category: Category) -> None:
    """Refuse new topics and replies in an archived category, whoever writes them.

    :raises Conflict: the category is archived.
    """
    if category.is_archived:
        raise Conflict(ARCHIVED_MESSAGE)


def set_archived(actor: Actor, category: Category, archived: bool, *, now: datetime) -> None:
    """Archive a category (read-only, left out of the brand's lists, still at its address
    with a notice), or open it again. Archiving twice changes nothing.

    :raises Forbidden: the actor is not an owner of the brand.
    """
    require(actor, Action.CATEGORY_MANAGE, category.brand_id, now=now)
    if category.is_archived == archived:
        return
    with transaction():
        category.archived_at = now if archived else None


def delete_category(actor: Actor, category: Category, *, now: datetime) -> None:
    """Delete a category that holds no topic at all (not even one waiting or hidden).

    :raises Forbidden: the actor is not an owner of the brand.
    :raises Conflict: topics are still in it: they must be moved first (or it archived).
    """
    require(actor, Action.CATEGORY_MANAGE, category.brand_id, now=now)
    with transaction():
        # Locked, so a topic started meanwhile waits for us and then finds it gone.
        db.session.execute(select(Category.id).where(Category.id == category.id).with_for_update())
        topics = db.session.scalar(
            select(func.count()).select_from(Topic).where(Topic.category_id == category.id)
        )
        if topics:
            raise Conflict(
                f"{category.name} still holds {topics} topic{'s' if topics != 1 else ''}: "
                f"move {'them' if topics != 1 else 'it'} to another category first, or "
                "archive the category instead.",
                field=f"delete-{category.slug}",
            )
        db.session.delete(category)


@dataclass(frozen=True)
class BulkMove:
    """What one bulk move did."""

    moved: int
    # Ticked, but no longer in the category when the move ran (moved meanwhile).
    skipped: int
    target: Category


def move_topics(
    actor: Actor,
    source: Category,
    topic_ids: Iterable[int],
    target: Category,
    *,
    now: datetime,
) -> BulkMove:
    """Move the ticked topics of `source` to `target` (same brand) in one transaction: each
    counter moves once, by the topics and posts that were listed, in one UPDATE per
    category; one moderation log row per topic.

    :raises Forbidden: the actor is not the brand's staff or moderator.
    :raises Invalid: nothing ticked, too many, or a target that is this category or
        another brand's.
    :raises Conflict: none of the ticked topics is in `source` any more.
    """
    require(actor, Action.TOPIC_MODERATE, source.brand_id, now=now)
    ids = sorted(set(topic_ids))
    problems: dict[str, str] = {}
    if not ids:
        problems["topics"] = "Tick the topics to move."
    elif len(ids) > BULK_MOVE_MAX:
        problems["topics"] = f"Move at most {BULK_MOVE_MAX} topics at once."
    if target.brand_id != source.brand_id:
        problems["category"] = "Topics can only move within their brand."
    elif target.id == source.id:
        problems["category"] = f"They are in {source.name} already: choose another category."
    if problems:
        (first, message), *others = problems.items()
        raise Invalid(message, field=first, also=dict(others))
    with transaction():
        # What each topic is now, its row locked: counters move by what is committed,
        # not by what the page showed (a reply or a moderator may have come since).
        rows = db.session.execute(
            select(Topic.id, Topic.post_count, Topic.status, Topic.author_id)
            .where(Topic.id.in_(ids), Topic.category_id == source.id)
            .order_by(Topic.id)
            .with_for_update()
        ).all()
        if not rows:
            raise Conflict(
                f"None of those topics is in {source.name} any more: someone moved them meanwhile.",
                field="topics",
            )
        # Only a listed topic is in its category's counts (a waiting or hidden one is not).
        listed = [row for row in rows if row.status is TopicStatus.VISIBLE]
        topics, posts = len(listed), sum(row.post_count for row in listed)
        if topics:
            # Lower id first, so two opposite moves take the two rows in the same order.
            for category, sign in sorted(((source, -1), (target, 1)), key=lambda c: c[0].id):
                db.session.execute(
                    update(Category)
                    .where(Category.id == category.id)
                    .values(
                        topic_count=Category.topic_count + sign * topics,
                        post_count=Category.post_count + sign * posts,
                    )
                    .execution_options(synchronize_session=False)
                )
        moved = [row.id for row in rows]
        db.session.execute(
            update(Topic)
            .where(Topic.id.in_(moved))
            .values(category_id=target.id)
            .execution_options(synchronize_session=False)
        )
        for row in rows:
            record_action(
                actor,
                Decision.MOVE,
                item_kind=ItemKind.TOPIC,
                item_id=row.id,
                brand_id=source.brand_id,
                subject_id=row.author_id,
                before={"category": source.slug},
                after={"category": target.slug},
                now=now,
            )
            events.emit(events.TopicChanged(brand_id=source.brand_id, topic_id=row.id))
    return BulkMove(len(moved), len(ids) - len(moved), target)
