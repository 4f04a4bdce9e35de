"""Starting topics, replying, editing, removing and reacting to posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from fanhub import events
from fanhub.accounts.models import User
from fanhub.brands.services.lifecycle import require_open
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forums.models import (
    Category,
    CategoryKind,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    ReactionKind,
    Topic,
)
from fanhub.forums.services.access import _category_of, _topic_of
from fanhub.forums.services.categories import require_not_archived
from fanhub.forums.services.drafts import (
    ReplyDraft,
    TopicDraft,
    clean_body,
    clean_title,
    render_post,
    slugify,
)
from fanhub.forums.services.held import _hold_reply, _hold_topic
from fanhub.forums.services.posting import _append_post
from fanhub.moderation import trust
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision, ItemKind
from fanhub.permissions import Action, Actor, can, require

REACTION_COLUMNS = {
    ReactionKind.LIKE: Post.like_count,
    ReactionKind.HELPFUL: Post.helpful_count,
    ReactionKind.THANKS: Post.thanks_count,
}


def start_topic(author: User, category: Category, draft: TopicDraft, *, now: datetime) -> Topic:
    """Open a topic with its first post; one the trust rules hold waits, pending, in the
    moderators' queue, unlisted until approved.

    :raises Forbidden: the author is suspended, the brand is closed, or the category is
        announcements and she is not the brand's staff.
    :raises Invalid: the title or body breaks its rule, or a new member's limits.
    :raises Conflict: the category is archived.
    """
    require(author, Action.TOPIC_START, category.brand_id, now=now)
    require_open(author, category.brand_id)
    require_not_archived(category)
    if category.kind is CategoryKind.ANNOUNCEMENTS:
        require(author, Action.ANNOUNCEMENT_START, category.brand_id, now=now)
    title = clean_title(draft.title)
    body = clean_body(draft.body)
    held = trust.screen_post(author, category.brand_id, body, now)
    topic = Topic(
        brand_id=category.brand_id,
        category_id=category.id,
        author_id=author.id,
        title=title,
        slug=slugify(title),
        created_at=now,
        last_posted_at=now,
        last_poster_id=author.id,
        post_count=0,
        view_count=0,
        is_pinned=False,
        is_locked=False,
        vote_count=0,
    )
    with transaction():
        db.session.add(topic)
        if held is not None:
            _hold_topic(topic, author, body, now, held)
            return topic
        db.session.flush()  # the first post needs the topic's id
        _append_post(topic, author, body, now)
        db.session.execute(
            update(Category)
            .where(Category.id == category.id)
            .values(topic_count=Category.topic_count + 1)
        )
        events.emit(
            events.TopicStarted(brand_id=topic.brand_id, topic_id=topic.id, author_id=author.id)
        )
    return topic


def reply_to_topic(author: User, topic: Topic, draft: ReplyDraft, *, now: datetime) -> Post:
    """Add a reply at the end of a topic, optionally in reply to one of its posts.

    A reply by the brand's staff is official; the first one stamps the topic as answered.
    A reply the trust rules hold (fanhub.moderation.trust.screen_post) waits, pending, in
    the moderators' queue and takes its place in the thread when approved.

    :raises Forbidden: the author is suspended, the brand is closed, or the topic is
        locked and she is not the brand's staff or moderator.
    :raises Invalid: the body breaks its rule.
    :raises NotFound: the post replied to is not in this topic.
    :raises Conflict: the topic's category is archived.
    """
    require(author, Action.POST_REPLY, topic.brand_id, now=now)
    require_open(author, topic.brand_id)
    require_not_archived(_category_of(topic))
    if topic.is_locked:
        require(author, Action.POST_REPLY_LOCKED, topic.brand_id, now=now)
    body = clean_body(draft.body)
    if draft.reply_to_id is not None:
        target = db.session.scalar(
            select(Post.id).where(Post.id == draft.reply_to_id, Post.topic_id == topic.id)
        )
        if target is None:
            raise NotFound("The post you replied to is not in this topic.")
    held = trust.screen_post(author, topic.brand_id, body, now)
    with transaction():
        if held is not None:
            return _hold_reply(topic, author, body, now, draft.reply_to_id, held)
        post = _append_post(topic, author, body, now, draft.reply_to_id)
    return post


def edit_post(actor: Actor, post: Post, body: str, *, now: datetime) -> Post:
    """Change a post's text, keeping the old text as a revision anyone can read; a
    moderator's edit of someone else's post goes on the moderation log.

    :raises Forbidden: the actor is neither the author nor the brand's moderator, or
        the post was removed.
    :raises Invalid: the body breaks its rule, or a new member's edit breaks the new-member
        limits or looks like spam (fanhub.moderation.trust.screen_text).
    """
    _require_author_or(actor, post, Action.POST_EDIT_ANY, now=now)
    if post.status is not PostStatus.VISIBLE:
        raise Forbidden("A removed post cannot be edited.")
    body = clean_body(body)
    if body == post.body:
        return post
    rendered = render_post(body)
    brand_id = _topic_of(post).brand_id
    if isinstance(actor, User) and actor.id == post.author_id:
        # A new member's edit meets the rules her post met: no sneaking links in later.
        held = trust.screen_text(actor, brand_id, body, now, editing=(ItemKind.POST, post.id))
        if held is not None:
            raise Invalid(
                f"This change would need a moderator's approval ({held}) "
                "Write more of your own words, or leave the post as it was.",
                field="body",
            )
    with transaction():
        if getattr(actor, "id", None) != post.author_id:
            # A moderator changed someone else's words: on the record (issue 5).
            record_action(
                actor,
                Decision.EDIT,
                item_kind=ItemKind.POST,
                item_id=post.id,
                brand_id=brand_id,
                subject_id=post.author_id,
                before={"body": post.body},
                after={"body": body},
                now=now,
            )
        db.session.add(
            PostRevision(
                post_id=post.id,
                editor_id=actor.id,
                body=post.body,
                body_html=post.body_html,
                replaced_at=now,
            )
        )
        post.body = body
        post.body_html = rendered.html
        post.edited_at = now
        post.edit_count = Post.edit_count + 1
        events.emit(
            events.PostChanged(brand_id=brand_id, topic_id=post.topic_id, position=post.position)
        )
    return post


def delete_own_post(actor: Actor, post: Post) -> Post:
    """Remove a post its author no longer wants; it stays as "removed by its author".

    Its position stays taken, so the thread still reads and links still work.

    :raises Forbidden: the actor is not the author.
    :raises Conflict: it was already removed.
    """
    if getattr(actor, "id", None) != post.author_id:
        raise Forbidden("Only its author can remove a post.")
    if post.status is PostStatus.DELETED_BY_AUTHOR:
        raise Conflict("This post was already removed.")
    with transaction():
        post.status = PostStatus.DELETED_BY_AUTHOR
        db.session.execute(
            update(Topic)
            .where(Topic.id == post.topic_id, Topic.solution_post_id == post.id)
            .values(solution_post_id=None)
            .execution_options(synchronize_session=False)
        )
        events.emit(
            events.PostChanged(
                brand_id=_topic_of(post).brand_id, topic_id=post.topic_id, position=post.position
            )
        )
    return post


def _require_author_or(actor: Actor, post: Post, action: Action, *, now: datetime) -> None:
    if getattr(actor, "id", None) == post.author_id and can(actor, Action.POST_REPLY, now=now):
        return
    require(actor, action, _topic_of(post).brand_id, now=now)


@dataclass(frozen=True)
class Toggled:
    """What a member's toggle (a reaction, an idea vote) left: whether hers is on now, and
    how many there are with it, counted in the same statement as her change."""

    on: bool
    count: int


def toggle_reaction(actor: Actor, post: Post, kind: ReactionKind, *, now: datetime) -> Toggled:
    """Add the member's reaction of this kind, or take it back; says whether it is now on
    and how many of this kind the post has.

    :raises Forbidden: the member is suspended, or reacts to her own post.
    :raises Conflict: the post was removed.
    """
    require(actor, Action.POST_REACT, _topic_of(post).brand_id, now=now)
    if post.author_id == actor.id:
        raise Forbidden("You can't react to your own post.")
    if post.status is not PostStatus.VISIBLE:
        raise Conflict("This post was removed.")
    column = REACTION_COLUMNS[kind]
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(Reaction).where(
                    Reaction.post_id == post.id, Reaction.user_id == actor.id, Reaction.kind == kind
                )
            )
        )
        if removed:
            delta = -1
        else:
            db.session.add(Reaction(post_id=post.id, user_id=actor.id, kind=kind, created_at=now))
            try:
                db.session.flush()  # a double click sends two; the unique key keeps one
            except IntegrityError:
                raise Conflict("You already reacted.") from None
            delta = 1
        # In SQL, so two members reacting at once both count.
        count = db.session.execute(
            update(Post)
            .where(Post.id == post.id)
            .values({column.key: column + delta})
            .returning(column)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    return Toggled(on=delta == 1, count=count)
