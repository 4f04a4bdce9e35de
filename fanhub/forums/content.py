"""The forum's kinds of content, topics and posts, as the content registry offers them to
moderation, the data export and later search (`fanhub.content`)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, update

from fanhub.content import GONE, HIDDEN, REMOVED, VISIBLE, Item, ItemKind, author_or_role_clause
from fanhub.extensions import db
from fanhub.forums import personal_data
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Post, PostStatus, Topic, TopicStatus
from fanhub.links import site_path
from fanhub.moderation.models import ModerationRule
from fanhub.permissions import Action, Actor

# What moderation may do to a post's words; its author deleting them is hers alone.
_POST_STATUSES = {VISIBLE: PostStatus.VISIBLE, HIDDEN: PostStatus.HIDDEN}
_MODERATED_POSTS = (PostStatus.PENDING, PostStatus.HIDDEN, PostStatus.REMOVED)


def shown_post_clause(
    viewer: Actor, post: Any, brand_column: Any, *, now: datetime
) -> ColumnElement[bool]:
    """Whether the viewer may read a post's words, over `post` (the Post table or an alias
    of it) and its topic's brand column, whatever the topic: visible ones for everyone;
    held, hidden or removed ones for their author and the brand's moderators too; none
    deleted by its author. `PostKind.visible_clause` adds the topic's own rule; search
    applies it to a topic's first post, whose words its document holds (issue 14)."""
    shown: ColumnElement[bool] = post.status == PostStatus.VISIBLE
    hidden = author_or_role_clause(
        viewer, post.author_id, brand_column, Action.CONTENT_MODERATE, now=now
    )
    if hidden is not None:
        shown = or_(shown, and_(post.status.in_(_MODERATED_POSTS), hidden))
    return shown


class TopicKind:
    """A forum topic: its title and first post, listed in its category while visible."""

    kind = ItemKind.TOPIC

    def load(self, ids: Collection[int]) -> dict[int, Item]:
        """Topics by id with their first post's words, in one query."""
        if not ids:
            return {}
        rows = db.session.execute(
            select(Topic, Post.body)
            .join(Post, and_(Post.topic_id == Topic.id, Post.position == 1))
            .where(Topic.id.in_(ids))
        )
        found: dict[int, Item] = {}
        for topic, body in rows:
            found[topic.id] = Item(
                self.kind, topic.id, topic.brand_id, topic.author_id, topic.status.value,
                f"{topic.title}: {body}", topic.title,
                site_path("forums.topic", topic_id=topic.id), topic, topic,
            )  # fmt: skip
        return found

    def visible_clause(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """Visible topics for everyone; one moderation hid, removed or holds, for its
        author and the brand's moderators too (`forums.access_visible_topic`)."""
        listed = Topic.status == TopicStatus.VISIBLE
        hidden = author_or_role_clause(
            viewer, Topic.author_id, Topic.brand_id, Action.CONTENT_MODERATE, now=now
        )
        return listed if hidden is None else or_(listed, hidden)

    def can_see(self, viewer: Actor, row: Any, *, now: datetime) -> bool:
        """The topic's own rule (`visible_clause`) for one topic."""
        return row.status is TopicStatus.VISIBLE or forums.sees_hidden(
            viewer, row.author_id, row.brand_id, now=now
        )

    def where(self, item: Item) -> str:
        """The topic by its title."""
        return f"“{item.context}”"

    def set_state(
        self, item: Item, state: str, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Show, hide or remove a topic, moving its category's counts when it enters or
        leaves the list (no commit)."""
        if item.state == state:
            return
        topic = item.row
        was_listed = item.state == VISIBLE
        topic.status = TopicStatus(state)
        if was_listed != (state == VISIBLE):
            # In SQL, as a topic moving category does: the list and its counts agree.
            delta = 1 if state == VISIBLE else -1
            db.session.execute(
                update(Category)
                .where(Category.id == topic.category_id)
                .values(
                    topic_count=Category.topic_count + delta,
                    post_count=Category.post_count + delta * topic.post_count,
                )
            )
        item.state = state

    def approve_held(self, item: Item, *, now: datetime) -> None:
        """Publish a held topic as if started now (`forums.publish_held_topic`)."""
        forums.publish_held_topic(item.row, now)
        item.state = VISIBLE

    def reject_held(
        self, item: Item, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Remove a held topic: it was never listed, so nothing counted it."""
        item.row.status = TopicStatus.REMOVED
        item.state = REMOVED

    def after_commit(self, item: Item) -> None:
        """Nothing cached shows a topic's state: visitors' pages key on it."""

    def recent_writing(
        self, author_id: int, since: datetime, now: datetime, *, excluding: int | None
    ) -> Select[str, datetime]:
        """No rows: a topic's words are its first post's, which `POST` answers for."""
        return select(Post.body.label("body"), Post.created_at.label("at")).where(false())

    def export_records(self, user_id: int) -> Iterator[dict[str, Any]]:
        """The topics she started."""
        return personal_data.topic_records(user_id)

    def answer_state(self, brand_id: int, item_id: int) -> tuple[str, datetime | None] | None:
        """The topic's title and its first official reply's moment, if it is the brand's."""
        row = db.session.execute(
            select(Topic.title, Topic.first_official_reply_at).where(
                Topic.id == item_id, Topic.brand_id == brand_id
            )
        ).first()
        return None if row is None else (row[0], row[1])


class PostKind:
    """A post in a topic: the first one or a reply, held ones at position 0 until approved."""

    kind = ItemKind.POST

    def load(self, ids: Collection[int]) -> dict[int, Item]:
        """Posts by id with their topic, in one query."""
        if not ids:
            return {}
        found: dict[int, Item] = {}
        for post, topic in db.session.execute(
            select(Post, Topic).join(Topic, Topic.id == Post.topic_id).where(Post.id.in_(ids))
        ):
            state = {PostStatus.VISIBLE: VISIBLE, PostStatus.DELETED_BY_AUTHOR: GONE}.get(
                post.status, post.status.value
            )
            # A held reply has no place in the thread yet (its position is below 0), so
            # its link is the topic's: `?post=` takes places from 1 (issue 13's crawl).
            place = {"post": post.position} if post.position > 0 else {}
            found[post.id] = Item(
                self.kind, post.id, topic.brand_id, post.author_id, state, post.body, topic.title,
                site_path("forums.topic", topic_id=topic.id, **place), post, topic,
            )  # fmt: skip
        return found

    def visible_clause(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """A post's words, in a topic the viewer may see: visible ones for everyone; one
        held, hidden or removed by moderation for its author and the brand's moderators
        too; none deleted by its author (the topic page shows a placeholder)."""
        shown = shown_post_clause(viewer, Post, Topic.brand_id, now=now)
        # One EXISTS on its topic: the topic's own rule, and the brand the post is in.
        return exists().where(
            Topic.id == Post.topic_id, TOPIC.visible_clause(viewer, now=now), shown
        )

    def can_see(self, viewer: Actor, row: Any, *, now: datetime) -> bool:
        """The post's own rule (`visible_clause`) for one post."""
        topic = db.session.get(Topic, row.topic_id)  # usually loaded with the post
        if topic is None or not TOPIC.can_see(viewer, topic, now=now):
            return False
        if row.status is PostStatus.VISIBLE:
            return True
        return row.status in _MODERATED_POSTS and forums.sees_hidden(
            viewer, row.author_id, topic.brand_id, now=now
        )

    def where(self, item: Item) -> str:
        """The topic it stands in."""
        return f"in “{item.context}”"

    def set_state(
        self, item: Item, state: str, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Show, hide or remove a post (no commit); a held reply rejected and restored on
        appeal takes its place in the topic now."""
        if item.state == state:
            return
        post = item.row
        if state == VISIBLE and post.position < 1:
            forums.publish_held_post(post, now)
        else:
            post.status = _POST_STATUSES.get(state, PostStatus.REMOVED)
        item.state = state

    def approve_held(self, item: Item, *, now: datetime) -> None:
        """Publish a held reply as if posted now (`forums.publish_held_post`)."""
        forums.publish_held_post(item.row, now)
        item.state = VISIBLE

    def reject_held(
        self, item: Item, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Remove a held reply: it never had a position, so nothing counted it."""
        item.row.status = PostStatus.REMOVED
        item.state = REMOVED

    def after_commit(self, item: Item) -> None:
        """Forget the visitors' copy of the topic page that shows the post."""
        if item.thread is not None:
            forums.forget_visitor_page(item.thread, item.row.position)

    def recent_writing(
        self, author_id: int, since: datetime, now: datetime, *, excluding: int | None
    ) -> Select[str, datetime]:
        """Her posts (first posts and replies) written in the window, not deleted."""
        query = select(Post.body.label("body"), Post.created_at.label("at")).where(
            Post.author_id == author_id,
            Post.created_at >= since,
            Post.created_at <= now,
            Post.status != PostStatus.DELETED_BY_AUTHOR,
        )
        return query if excluding is None else query.where(Post.id != excluding)

    def export_records(self, user_id: int) -> Iterator[dict[str, Any]]:
        """Her posts with their earlier versions."""
        return personal_data.post_records(user_id)

    def participant_brands(self, member_id: int, brand_ids: Collection[int]) -> Select[Any]:
        """The brands among `brand_ids` where she posted (a topic or a reply), as one column."""
        return (
            select(Topic.brand_id)
            .join(Post, Post.topic_id == Topic.id)
            .where(Post.author_id == member_id, Topic.brand_id.in_(brand_ids))
        )

    def latest_by(self, author_id: int, *, limit: int) -> list[tuple[int, datetime]]:
        """Her newest posts (first posts and replies), held, hidden or deleted ones too."""
        rows = db.session.execute(
            select(Post.id, Post.created_at)
            .where(Post.author_id == author_id)
            .order_by(Post.id.desc())
            .limit(limit)
        )
        return [(post_id, at) for post_id, at in rows]


TOPIC = TopicKind()
POST = PostKind()
