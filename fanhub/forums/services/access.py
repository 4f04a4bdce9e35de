"""Finding forum things by address, and who may see what moderation hid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import joinedload

from fanhub.brands.models import Brand
from fanhub.brands.services import access_brand_as
from fanhub.db import related
from fanhub.errors import NotFound
from fanhub.extensions import db
from fanhub.forums.models import (
    Category,
    Post,
    PostRevision,
    Topic,
    TopicStatus,
)
from fanhub.permissions import Action, Actor, can, require


def access_category(brand_slug: str, category_slug: str) -> Category:
    """The category at `/b/<brand>/c/<category>`.

    :raises NotFound: no such brand or category.
    """
    category = db.session.scalars(
        select(Category)
        .join(Brand, Brand.id == Category.brand_id)
        .options(joinedload(Category.brand))
        .where(Brand.slug == brand_slug.lower(), Category.slug == category_slug.lower())
    ).first()
    if category is None:
        raise NotFound("There is no such category.")
    return category


def access_topic(topic_id: int) -> Topic:
    """The topic at `/t/<id>`, with its category and brand.

    :raises NotFound: no such topic.
    """
    topic = db.session.scalars(
        select(Topic)
        .options(joinedload(Topic.category), joinedload(Topic.brand))
        .where(Topic.id == topic_id)
    ).first()
    if topic is None:
        raise NotFound("There is no such topic. It may have been removed.")
    return topic


def access_visible_topic(viewer: Actor, topic_id: int, *, now: datetime) -> Topic:
    """The topic at `/t/<id>` if this viewer may read it: a topic hidden or removed by
    moderation shows only to its author and the brand's moderators.

    :raises NotFound: no such topic, or it is hidden from the viewer.
    """
    topic = access_topic(topic_id)
    if topic.status is not TopicStatus.VISIBLE and not sees_hidden(
        viewer, topic.author_id, topic.brand_id, now=now
    ):
        raise NotFound("There is no such topic. It may have been removed.")
    return topic


def sees_hidden(viewer: Actor, author_id: int | None, brand_id: int, *, now: datetime) -> bool:
    """Whether the viewer sees content moderation has hidden: its author and moderators."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id == author_id or can(viewer, Action.CONTENT_MODERATE, brand_id, now=now)


def access_post(post_id: int) -> Post:
    """A post with its topic, category and brand.

    :raises NotFound: no such post.
    """
    post = db.session.scalars(
        select(Post)
        .options(
            joinedload(Post.topic).joinedload(Topic.category),
            joinedload(Post.topic).joinedload(Topic.brand),
            joinedload(Post.author),
        )
        .where(Post.id == post_id)
    ).first()
    if post is None:
        raise NotFound("There is no such post.")
    return post


def access_brand_for_management(actor: Actor, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose categories the actor manages.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not one of its owners.
    """
    return access_brand_as(actor, brand_slug, Action.CATEGORY_MANAGE, now=now)


def access_category_for_management(
    actor: Actor, brand_slug: str, category_slug: str, *, now: datetime
) -> Category:
    """A category the actor may edit or move.

    :raises NotFound: no such brand or category.
    :raises Forbidden: the actor is not one of the brand's owners.
    """
    category = access_category(brand_slug, category_slug)
    require(actor, Action.CATEGORY_MANAGE, category.brand_id, now=now)
    return category


def post_revisions(post: Post) -> list[PostRevision]:
    """A post's earlier texts, newest first, with who replaced each."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .options(joinedload(PostRevision.editor))
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.id.desc())
        )
    )


def _category_of(topic: Topic) -> Category:
    """The topic's category, loaded if the caller did not load it with the topic."""
    return related(topic, "category", "There is no such category.")


def _topic_of(post: Post) -> Topic:
    """The post's topic, loaded if the caller did not load it with the post."""
    return related(post, "topic", "There is no such topic.")
