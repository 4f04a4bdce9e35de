"""Solutions to support questions, and votes and statuses of ideas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    delete,
    update,
)
from sqlalchemy.exc import IntegrityError

from fanhub import events
from fanhub.accounts.models import User
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.forums.models import (
    CategoryKind,
    IdeaStatus,
    IdeaVote,
    Post,
    PostStatus,
    Topic,
)
from fanhub.forums.services.access import _category_of
from fanhub.forums.services.drafts import clean_body
from fanhub.forums.services.posting import _append_post
from fanhub.forums.services.writing import Toggled
from fanhub.permissions import Action, Actor, can, require


def mark_solution(actor: Actor, topic: Topic, post: Post | None, *, now: datetime) -> None:
    """Mark one reply as the answer to a support question (None clears it).

    :raises Forbidden: the actor is neither the question's author nor the brand's staff.
    :raises Invalid: the topic is not a support question, or the post is its question,
        from another topic, or removed.
    """
    if not (
        getattr(actor, "id", None) == topic.author_id and can(actor, Action.POST_REPLY, now=now)
    ) and not can(actor, Action.TOPIC_SOLVE_ANY, topic.brand_id, now=now):
        raise Forbidden("Only the person who asked, or the brand's staff, can mark a solution.")
    if _category_of(topic).kind is not CategoryKind.SUPPORT:
        raise Invalid("Only support questions have solutions.")
    if post is not None and (
        post.topic_id != topic.id or post.position == 1 or post.status is not PostStatus.VISIBLE
    ):
        raise Invalid("Choose a reply in this topic as the solution.")
    with transaction():
        topic.solution_post_id = post.id if post else None
        # Every page of the topic shows its solution; the post itself now reads as one.
        events.emit(events.TopicChanged(brand_id=topic.brand_id, topic_id=topic.id))
        if post is not None:
            events.emit(
                events.PostChanged(
                    brand_id=topic.brand_id, topic_id=topic.id, position=post.position
                )
            )


def toggle_vote(actor: Actor, topic: Topic, *, now: datetime) -> Toggled:
    """Vote for an idea, or take the vote back; says whether her vote now stands and how
    many votes the idea has.

    :raises Forbidden: the member is suspended.
    :raises Invalid: the topic is not an idea.
    """
    require(actor, Action.IDEA_VOTE, topic.brand_id, now=now)
    if _category_of(topic).kind is not CategoryKind.IDEAS:
        raise Invalid("Only ideas can be voted for.")
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(IdeaVote).where(IdeaVote.topic_id == topic.id, IdeaVote.user_id == actor.id)
            )
        )
        if removed:
            delta = -1
        else:
            db.session.add(IdeaVote(topic_id=topic.id, user_id=actor.id, created_at=now))
            try:
                db.session.flush()  # a double click sends two; the unique key keeps one
            except IntegrityError:
                raise Conflict("You already voted for this idea.") from None
            delta = 1
        # In SQL, so two members voting at once both count.
        count = db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id)
            .values(vote_count=Topic.vote_count + delta)
            .returning(Topic.vote_count)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    return Toggled(on=delta == 1, count=count)


def set_idea_status(
    actor: User, topic: Topic, status: IdeaStatus, comment: str, *, now: datetime
) -> Post:
    """Set an idea's status with an official comment, posted in the thread and shown on the idea.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Invalid: the topic is not an idea, or the comment is empty.
    """
    require(actor, Action.IDEA_STATUS_SET, topic.brand_id, now=now)
    if _category_of(topic).kind is not CategoryKind.IDEAS:
        raise Invalid("Only ideas have a status.")
    body = clean_body(comment)
    with transaction():
        post = _append_post(topic, actor, f"**Status: {status.label}**\n\n{body}", now)
        topic.idea_status = status
        topic.idea_status_post_id = post.id
        events.emit(
            events.IdeaStatusChanged(
                brand_id=topic.brand_id, topic_id=topic.id, status=status.value
            )
        )
        events.emit(events.TopicChanged(brand_id=topic.brand_id, topic_id=topic.id))
    return post
