"""Who hears of a new post, and why: the notifications a post sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
    case,
    literal,
    select,
    union_all,
)

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, Follow
from fanhub.extensions import db
from fanhub.forums.models import (
    Category,
    CategoryKind,
    CategoryWatch,
    Post,
    Topic,
    TopicWatch,
    WatchLevel,
)
from fanhub.links import site_path
from fanhub.notifications.models import NotificationKind
from fanhub.notifications.services import Notice, notify_each


def _notify_for_post(
    topic: Topic,
    post: Post,
    author: User,
    mentioned: frozenset[str],
    is_new_topic: bool,
    *,
    now: datetime,
) -> None:
    """Tell who asked to hear of a new post, each person once, in the post's transaction.

    Watchers of the topic or of its category hear of a reply; category watchers hear of
    a new topic; the brand's followers hear of a new topic in its announcements; a
    mentioned member hears even if she watches nothing; the member who started the topic
    hears of the brand's official reply. A muted topic, or a muted category whose topic
    she does not watch herself, tells her nothing. The most specific reason wins:
    official reply, then mention, then announcement, then reply or new topic.
    """
    is_official_reply = post.is_official and not is_new_topic and topic.author_id is not None
    # Usually already loaded; a reply never needs it.
    category = db.session.get(Category, topic.category_id) if is_new_topic else None
    is_announcement = category is not None and category.kind is CategoryKind.ANNOUNCEMENTS
    # Who might hear, and why, in one query however many watch.
    reasons = [
        select(
            TopicWatch.user_id.label("user_id"),
            case(
                (TopicWatch.level == WatchLevel.MUTED, literal("topic_muted", String)),
                else_=literal("topic_watching", String),
            ).label("reason"),
        ).where(TopicWatch.topic_id == topic.id),
        select(
            CategoryWatch.user_id,
            case(
                (CategoryWatch.level == WatchLevel.MUTED, literal("category_muted", String)),
                else_=literal("category_watching", String),
            ),
        ).where(CategoryWatch.category_id == topic.category_id),
    ]
    if mentioned:
        reasons.append(
            select(User.id, literal("mentioned", String)).where(User.username.in_(mentioned))
        )
    if is_official_reply:
        reasons.append(select(User.id, literal("asker", String)).where(User.id == topic.author_id))
    if is_announcement:
        reasons.append(
            select(Follow.user_id, literal("follower", String)).where(
                Follow.brand_id == topic.brand_id
            )
        )
    everyone = union_all(*reasons).subquery()
    found: dict[str, set[int]] = {}
    for user_id, reason in db.session.execute(
        select(everyone.c.user_id, everyone.c.reason)
        .join(User, User.id == everyone.c.user_id)
        .where(User.status != UserStatus.DELETED)
    ):
        found.setdefault(reason, set()).add(user_id)
    topic_watching = found.get("topic_watching", set())
    # A category's mute holds only where she has not chosen to watch the topic itself.
    muted = found.get("topic_muted", set()) | (found.get("category_muted", set()) - topic_watching)
    watching = topic_watching | found.get("category_watching", set())

    name = getattr(author, "name", None) or getattr(author, "username", "Someone")
    url = site_path("forums.topic", topic_id=topic.id, post=post.position)
    brand = db.session.get(Brand, topic.brand_id)  # usually loaded with the topic
    # Every notice is about this topic: emails group by it and name it by its title.
    thread: dict[str, Any] = {
        "thread_key": f"topic:{topic.id}",
        "thread_title": topic.title,
        "brand_id": topic.brand_id,
        "brand_name": brand.name if brand else None,
    }
    notices: list[Notice] = []
    if is_official_reply:
        notices.append(
            Notice(
                frozenset(found.get("asker", set()) - muted),
                NotificationKind.OFFICIAL_REPLY,
                f"{name} of {brand.name if brand else 'the brand'} answered “{topic.title}”",
                url,
                **thread,
            )
        )
    notices.append(
        Notice(
            frozenset(found.get("mentioned", set()) - muted),
            NotificationKind.MENTION,
            f"{name} mentioned you in “{topic.title}”",
            url,
            **thread,
        )
    )
    if is_announcement:
        # Her follow asked for the brand's announcements: before "a new topic in a category
        # she watches", which a follower who also watches the category would otherwise get.
        notices.append(
            Notice(
                frozenset(found.get("follower", set()) - muted),
                NotificationKind.ANNOUNCEMENT,
                f"{brand.name if brand else 'A brand you follow'} announced “{topic.title}”",
                site_path("forums.topic", topic_id=topic.id),
                **thread,
            )
        )
    if is_new_topic:
        notices.append(
            Notice(
                frozenset(watching - muted),
                NotificationKind.NEW_TOPIC,
                f"{name} started “{topic.title}” in {category.name if category else 'a category'}",
                site_path("forums.topic", topic_id=topic.id),
                **thread,
            )
        )
    else:
        notices.append(
            Notice(
                frozenset(watching - muted),
                NotificationKind.REPLY,
                f"{name} replied to “{topic.title}”",
                url,
                **thread,
            )
        )
    notify_each(notices, actor_id=author.id, now=now)
