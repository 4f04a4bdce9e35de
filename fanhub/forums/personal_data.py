"""The forums' part of a member's data: her topics, posts, votes, reactions and watches in
her export, and what deleting her account does to them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete, func, literal, select

from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.forums.models import (
    Category,
    CategoryWatch,
    IdeaVote,
    Post,
    PostRevision,
    Reaction,
    Topic,
    TopicWatch,
)
from fanhub.forums.services import remove_posts_of
from fanhub.personal_data import Erasure, Records, earlier_versions, records


class ForumsData:
    """The forums' part of a member's data."""

    name = "forums"
    files = {
        "topics.json": "topics you started",
        "posts.json": "your posts, in the Markdown you wrote, with their earlier versions",
        "votes.json": "your votes for ideas",
        "reactions.json": "your likes, helpful and thanks on posts",
        "watches.json": "the topics and categories you watch or muted",
    }

    def export(self, user_id: int) -> Iterator[tuple[str, Records]]:
        yield "topics.json", topic_records(user_id)
        yield "posts.json", post_records(user_id)
        yield "votes.json", idea_vote_records(user_id)
        yield "reactions.json", reaction_records(user_id)
        yield "watches.json", watch_records(user_id)

    def profile(self, user_id: int) -> dict[str, Any]:
        return {}

    def plan(self, user_id: int) -> dict[str, Any]:
        return {
            "topics": _count(Topic, Topic.author_id == user_id),
            "posts": _count(Post, Post.author_id == user_id),
        }

    def erase(self, erasure: Erasure) -> None:
        """Her watches go; with her content, her posts are removed as she would remove
        each one (topic titles stay, so other members' replies still read)."""
        uid = erasure.user.id
        db.session.execute(delete(TopicWatch).where(TopicWatch.user_id == uid))
        db.session.execute(delete(CategoryWatch).where(CategoryWatch.user_id == uid))
        if erasure.remove_content:
            remove_posts_of(uid)


def _count(model: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def topic_records(user_id: int) -> Iterator[dict[str, Any]]:
    """The topics she started, as her export's records."""
    return records(
        select(
            Topic.id,
            Topic.title,
            Brand.slug.label("brand"),
            Category.name.label("category"),
            Topic.status,
            Topic.created_at,
        )
        .join(Brand, Brand.id == Topic.brand_id)
        .join(Category, Category.id == Topic.category_id)
        .where(Topic.author_id == user_id)
        .order_by(Topic.id)
    )


def post_records(user_id: int) -> Iterator[dict[str, Any]]:
    """Her posts with their earlier versions, as her export's records."""
    # Her posts' earlier versions too: she wrote them, or a moderator changed her words,
    # which she has a right to see as well.
    earlier = earlier_versions(
        select(PostRevision.post_id, PostRevision.body, PostRevision.replaced_at)
        .join(Post, Post.id == PostRevision.post_id)
        .where(Post.author_id == user_id)
        .order_by(PostRevision.id),
        "post_id",
    )
    for record in records(
        select(
            Post.id,
            Post.topic_id,
            Topic.title.label("topic_title"),
            Post.position,
            Post.reply_to_id.label("reply_to_post_id"),
            Post.body,
            Post.status,
            Post.is_official,
            Post.created_at,
            Post.edited_at,
        )
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == user_id)
        .order_by(Post.id)
    ):
        yield {**record, "earlier_versions": earlier.get(record["id"], [])}


def idea_vote_records(user_id: int) -> Iterator[dict[str, Any]]:
    """Her votes for ideas, as her export's records."""
    return records(
        select(
            literal("idea_vote").label("kind"),
            IdeaVote.topic_id,
            Topic.title.label("topic_title"),
            IdeaVote.created_at,
        )
        .join(Topic, Topic.id == IdeaVote.topic_id)
        .where(IdeaVote.user_id == user_id)
        .order_by(IdeaVote.id)
    )


def reaction_records(user_id: int) -> Iterator[dict[str, Any]]:
    """Her reactions to posts, as her export's records."""
    return records(
        select(Reaction.post_id, Post.topic_id, Reaction.kind, Reaction.created_at)
        .join(Post, Post.id == Reaction.post_id)
        .where(Reaction.user_id == user_id)
        .order_by(Reaction.id)
    )


def watch_records(user_id: int) -> Iterator[dict[str, Any]]:
    """The topics and categories she watches or muted, as her export's records."""
    yield from records(
        select(TopicWatch.topic_id, Topic.title.label("topic_title"), TopicWatch.level)
        .join(Topic, Topic.id == TopicWatch.topic_id)
        .where(TopicWatch.user_id == user_id)
        .order_by(TopicWatch.id)
    )
    yield from records(
        select(Brand.slug.label("brand"), Category.name.label("category"), CategoryWatch.level)
        .join(Category, Category.id == CategoryWatch.category_id)
        .join(Brand, Brand.id == Category.brand_id)
        .where(CategoryWatch.user_id == user_id)
        .order_by(CategoryWatch.id)
    )


PART = ForumsData()
