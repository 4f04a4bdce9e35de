"""What deleting a member's account with her content does to her posts."""

from __future__ import annotations

from sqlalchemy import (
    select,
    update,
)

from fanhub.db import rows_changed
from fanhub.extensions import db
from fanhub.forums.models import (
    Post,
    PostStatus,
    Topic,
    TopicStatus,
)


def remove_posts_of(author_id: int) -> int:
    """Remove every post of a member who deletes her account with her content, as
    `delete_own_post` removes one: each keeps its position (the thread still reads and
    links still work) and stops being any topic's solution (no commit). How many moved.
    """
    mine = select(Post.id).where(Post.author_id == author_id)
    # A topic of hers still waiting for a moderator is counted nowhere: it must not be
    # approved into the forum with its question gone.
    db.session.execute(
        update(Topic)
        .where(Topic.author_id == author_id, Topic.status == TopicStatus.PENDING)
        .values(status=TopicStatus.REMOVED)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Topic)
        .where(Topic.solution_post_id.in_(mine))
        .values(solution_post_id=None)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(
        db.session.execute(
            update(Post)
            .where(Post.author_id == author_id, Post.status != PostStatus.DELETED_BY_AUTHOR)
            .values(status=PostStatus.DELETED_BY_AUTHOR)
            .execution_options(synchronize_session=False)
        )
    )
