"""Forum rules: categories, topics, replies, official answers, solutions, ideas, and their pages."""

from __future__ import annotations

import math
import re
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import (
    String,
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.accounts.services import render_member_text
from fanhub.brands.models import Brand, Follow, Role
from fanhub.brands.services import access_brand_as
from fanhub.db import related, rows_changed, transaction
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import cache, db
from fanhub.forums.models import (
    BODY_MAX,
    CATEGORY_DESCRIPTION_MAX,
    CATEGORY_NAME_MAX,
    POSTS_PER_PAGE,
    TITLE_MAX,
    TITLE_MIN,
    TOPICS_PER_PAGE,
    AuthorBadge,
    Category,
    CategoryKind,
    CategoryWatch,
    IdeaStatus,
    IdeaVote,
    Post,
    PostRevision,
    PostStatus,
    Reaction,
    ReactionKind,
    Topic,
    TopicStatus,
    TopicWatch,
    WatchLevel,
)
from fanhub.inputs import CURSOR_MESSAGE, MAX_ID, parse_int, parse_moment
from fanhub.links import site_path
from fanhub.moderation import trust
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision, ItemKind
from fanhub.notifications.models import NotificationKind
from fanhub.notifications.services import Notice, notify_each
from fanhub.permissions import Action, can, holds, participation_refusal, require
from fanhub.text import RenderedText

CATEGORY_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
# Tabs, newlines and other control characters have no place in a one-line title.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
REACTION_COLUMNS = {
    ReactionKind.LIKE: Post.like_count,
    ReactionKind.HELPFUL: Post.helpful_count,
    ReactionKind.THANKS: Post.thanks_count,
}


@dataclass(frozen=True)
class TopicDraft:
    title: str
    body: str


@dataclass(frozen=True)
class ReplyDraft:
    body: str
    reply_to_id: int | None = None


@dataclass(frozen=True)
class CategoryDraft:
    slug: str
    name: str
    kind: CategoryKind
    description: str = ""


def clean_title(raw: str) -> str:
    """A topic title as stored: one line, single spaces, 5 to 150 characters.

    :raises Invalid: control characters, or too short or long.
    """
    if CONTROL_CHARACTERS.search(raw.strip()):
        raise Invalid("A title is one line of plain text.", field="title")
    title = " ".join(raw.split())
    if len(title) < TITLE_MIN:
        raise Invalid(f"Give the topic a title of at least {TITLE_MIN} characters.", field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(f"Keep the title to {TITLE_MAX} characters.", field="title")
    return title


def clean_body(raw: str) -> str:
    """A post body as stored.

    :raises Invalid: empty, whitespace only, or over 50,000 characters.
    """
    body = raw.strip("\r\n").rstrip()
    if not body.strip():
        raise Invalid("Write something before you post.", field="body")
    if len(body) > BODY_MAX:
        raise Invalid(f"Posts are limited to {BODY_MAX:,} characters.", field="body")
    return body


def slugify(title: str) -> str:
    """The readable part of a topic's URL (`/t/42/<slug>`); never used to look it up."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].rstrip("-") or "topic"


def render_post(body: str) -> RenderedText:
    """Render a post's Markdown, linking @mentions of members who exist."""
    return render_member_text(body)


def preview(body: str) -> str:
    """The HTML a body would be shown as, from the same renderer the server stores."""
    if len(body) > BODY_MAX:
        raise Invalid(f"Posts are limited to {BODY_MAX:,} characters.", field="body")
    return render_post(body).html


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


def access_visible_topic(viewer: Any, topic_id: int, *, now: datetime) -> Topic:
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


def sees_hidden(viewer: Any, author_id: int | None, brand_id: int, *, now: datetime) -> bool:
    """Whether the viewer sees content moderation has hidden: its author and moderators."""
    if not getattr(viewer, "is_authenticated", False):
        return False
    return viewer.id == author_id or can(viewer, Action.CONTENT_MODERATE, brand_id, now=now)


def visitor_page_key(topic: Topic, page: int) -> str:
    """The cache key of a topic page as visitors see it: it changes with what the page shows."""
    state = (
        topic.post_count,
        topic.solution_post_id,
        topic.idea_status,
        topic.vote_count,
        topic.is_locked,
        topic.is_pinned,
        topic.status,
    )
    return f"topic:{topic.id}:{page}:" + ":".join(str(part) for part in state)


def forget_visitor_page(topic: Topic, position: int) -> None:
    """Drop the visitors' copy of the page showing the post at `position` (after commit),
    so a post moderation hid is gone for them at once."""
    cache.delete(visitor_page_key(topic, page_of(position)))


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


def access_brand_for_management(actor: Any, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose categories the actor manages.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not one of its owners.
    """
    return access_brand_as(actor, brand_slug, Action.CATEGORY_MANAGE, now=now)


def access_category_for_management(
    actor: Any, brand_slug: str, category_slug: str, *, now: datetime
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


def list_categories(brand_id: int) -> list[Category]:
    """A brand's categories in the order its owners chose."""
    return list(
        db.session.scalars(
            select(Category)
            .where(Category.brand_id == brand_id)
            .order_by(Category.position, Category.id)
        )
    )


def create_category(actor: Any, brand: Brand, draft: CategoryDraft, *, now: datetime) -> Category:
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
    actor: Any, category: Category, draft: CategoryDraft, *, now: datetime
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


def move_category(actor: Any, category: Category, offset: int, *, now: datetime) -> None:
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


def _category_of(topic: Topic) -> Category:
    """The topic's category, loaded if the caller did not load it with the topic."""
    return related(topic, "category", "There is no such category.")


def _topic_of(post: Post) -> Topic:
    """The post's topic, loaded if the caller did not load it with the post."""
    return related(post, "topic", "There is no such topic.")


def _badge(author: Any, brand_id: int) -> AuthorBadge:
    # What the author *is* in this brand, not what she may do: site admins are not staff.
    if holds(author, brand_id, Role.OWNER, Role.STAFF):
        return AuthorBadge.STAFF
    if holds(author, brand_id, Role.MODERATOR):
        return AuthorBadge.MODERATOR
    return AuthorBadge.MEMBER


def _append_post(
    topic: Topic, author: Any, body: str, now: datetime, reply_to_id: int | None = None
) -> Post:
    """Write the next post of a topic and move every counter it touches (no commit)."""
    position = _next_position(topic, author.id, now)
    rendered = render_post(body)
    badge = _badge(author, topic.brand_id)
    post = Post(
        topic_id=topic.id,
        author_id=author.id,
        position=position,
        reply_to_id=reply_to_id,
        body=body,
        body_html=rendered.html,
        status=PostStatus.VISIBLE,
        is_official=badge is AuthorBadge.STAFF,
        author_badge=badge,
        like_count=0,
        helpful_count=0,
        thanks_count=0,
        edit_count=0,
        created_at=now,
    )
    db.session.add(post)
    _announce(topic, post, author, rendered.mentioned, now)
    return post


def _next_position(topic: Topic, author_id: int | None, now: datetime) -> int:
    """Take the topic's next position for a post published now (no commit)."""
    # In SQL, so two replies at the same instant get two different positions: the UPDATE
    # locks the topic row until the transaction ends.
    return db.session.execute(
        update(Topic)
        .where(Topic.id == topic.id)
        .values(post_count=Topic.post_count + 1, last_posted_at=now, last_poster_id=author_id)
        .returning(Topic.post_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def _announce(
    topic: Topic, post: Post, author: Any, mentioned: frozenset[str], now: datetime
) -> None:
    """What publishing a positioned post does beyond the topic's own count: the category's
    count, the first official answer, the author's watch and trust, notifications (no commit).
    """
    # A category counts the posts of the topics it lists: a reply to a topic that waits
    # or was hidden counts when the topic is shown (publish_held_topic, moderation).
    db.session.execute(
        update(Category)
        .where(
            Category.id == topic.category_id,
            select(Topic.id)
            .where(Topic.id == topic.id, Topic.status == TopicStatus.VISIBLE)
            .exists(),
        )
        .values(post_count=Category.post_count + 1)
    )
    if post.is_official and post.position > 1:
        elapsed = max(int((now - topic.created_at).total_seconds()), 0)
        db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id, Topic.first_official_reply_at.is_(None))
            .values(first_official_reply_at=now, first_response_seconds=elapsed)
            .execution_options(synchronize_session=False)
        )
    trust.count_published(post.author_id, now)
    if author is None:  # her account was deleted while the post waited for a moderator
        db.session.flush()
        return
    _watch(author.id, topic.id)
    db.session.flush()  # give the post its id for the caller (links, solutions)
    _notify_for_post(topic, post, author, mentioned, is_new_topic=post.position == 1, now=now)


def _hold_reply(
    topic: Topic, author: Any, body: str, now: datetime, reply_to_id: int | None, reason: str
) -> Post:
    """Write a reply that waits for a moderator: outside the thread, counted nowhere, told
    to nobody until it is approved (no commit)."""
    rendered = render_post(body)
    badge = _badge(author, topic.brand_id)
    post = Post(
        topic_id=topic.id,
        author_id=author.id,
        # No place in the thread yet: positions 1, 2, 3 … are what readers page through.
        position=0,
        reply_to_id=reply_to_id,
        body=body,
        body_html=rendered.html,
        status=PostStatus.PENDING,
        is_official=False,
        author_badge=badge,
        like_count=0,
        helpful_count=0,
        thanks_count=0,
        edit_count=0,
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()  # its id keeps it apart from other waiting replies: position -id
    post.position = -post.id
    trust.hold(ItemKind.POST, post.id, topic.brand_id, author.id, reason, now)
    return post


def _active_author(author_id: int | None) -> User | None:
    """The author of an item a moderator approves, or None when her account is gone (or
    deleted while it waited): it is published without watching or telling anyone as her."""
    author = db.session.get(User, author_id) if author_id is not None else None
    return author if author is not None and author.status is not UserStatus.DELETED else None


def publish_held_post(post: Post, now: datetime) -> None:
    """Publish a reply a moderator approved, as if posted now: the next position, the
    counters, the author's watch and trust, notifications (no commit)."""
    topic = _topic_of(post)
    author = _active_author(post.author_id)
    post.position = _next_position(topic, post.author_id, now)
    post.status = PostStatus.VISIBLE
    post.created_at = now
    mentioned = render_post(post.body).mentioned if author is not None else frozenset()
    _announce(topic, post, author, mentioned, now)


def publish_held_topic(topic: Topic, now: datetime) -> None:
    """Publish a topic a moderator approved, as if started now: listed and counted in its
    category, its author watching it, its category's watchers told (no commit)."""
    first = db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.position == 1)
    ).one()
    author = _active_author(topic.author_id)
    topic.status = TopicStatus.VISIBLE
    topic.created_at = topic.last_posted_at = first.created_at = now
    posts = db.session.scalar(select(Topic.post_count).where(Topic.id == topic.id)) or 0
    db.session.execute(
        update(Category)
        .where(Category.id == topic.category_id)
        # Its first post and any replies its author wrote while it waited.
        .values(topic_count=Category.topic_count + 1, post_count=Category.post_count + posts)
    )
    trust.count_published(topic.author_id, now)
    if author is not None:
        _watch(author.id, topic.id)
        db.session.flush()
        _notify_for_post(
            topic, first, author, render_post(first.body).mentioned, is_new_topic=True, now=now
        )


def _watch(user_id: int, topic_id: int) -> None:
    """Authors and repliers watch a topic, unless they already chose watch or mute."""
    exists = db.session.scalar(
        select(TopicWatch.id).where(TopicWatch.topic_id == topic_id, TopicWatch.user_id == user_id)
    )
    if exists is None:
        db.session.add(TopicWatch(topic_id=topic_id, user_id=user_id, level=WatchLevel.WATCHING))


def _notify_for_post(
    topic: Topic,
    post: Post,
    author: Any,
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
    notices: list[Notice] = []
    if is_official_reply:
        brand = db.session.get(Brand, topic.brand_id)  # usually loaded with the topic
        notices.append(
            Notice(
                frozenset(found.get("asker", set()) - muted),
                NotificationKind.OFFICIAL_REPLY,
                f"{name} of {brand.name if brand else 'the brand'} answered “{topic.title}”",
                url,
            )
        )
    notices.append(
        Notice(
            frozenset(found.get("mentioned", set()) - muted),
            NotificationKind.MENTION,
            f"{name} mentioned you in “{topic.title}”",
            url,
        )
    )
    if is_announcement:
        # Her follow asked for the brand's announcements: before "a new topic in a category
        # she watches", which a follower who also watches the category would otherwise get.
        brand = db.session.get(Brand, topic.brand_id)  # usually loaded with the topic
        notices.append(
            Notice(
                frozenset(found.get("follower", set()) - muted),
                NotificationKind.ANNOUNCEMENT,
                f"{brand.name if brand else 'A brand you follow'} announced “{topic.title}”",
                site_path("forums.topic", topic_id=topic.id),
            )
        )
    if is_new_topic:
        notices.append(
            Notice(
                frozenset(watching - muted),
                NotificationKind.NEW_TOPIC,
                f"{name} started “{topic.title}” in {category.name if category else 'a category'}",
                site_path("forums.topic", topic_id=topic.id),
            )
        )
    else:
        notices.append(
            Notice(
                frozenset(watching - muted),
                NotificationKind.REPLY,
                f"{name} replied to “{topic.title}”",
                url,
            )
        )
    notify_each(notices, actor_id=author.id, now=now)


def set_topic_watch(actor: Any, topic: Topic, level: WatchLevel | None) -> None:
    """Watch a topic, mute it, or clear the choice (None).

    Watching tells her of every reply; muting tells her nothing of it, not even
    mentions; with no choice she hears of it only if she watches its category.

    :raises Forbidden: the actor is not signed in.
    """
    user_id = _watcher_id(actor)
    with transaction():
        _set_watch(TopicWatch, TopicWatch.topic_id, topic.id, user_id, level)


def set_category_watch(actor: Any, category: Category, level: WatchLevel | None) -> None:
    """Watch a category, mute it, or clear the choice (None).

    Watching tells her of every new topic and reply in it; muting tells her nothing of
    its topics (not even mentions) except those she watches herself.

    :raises Forbidden: the actor is not signed in.
    """
    user_id = _watcher_id(actor)
    with transaction():
        _set_watch(CategoryWatch, CategoryWatch.category_id, category.id, user_id, level)


def _watcher_id(actor: Any) -> int:
    # Any signed-in member may choose what she hears, suspended or not.
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "id", None) is None:
        raise Forbidden("Log in to watch or mute.")
    return int(actor.id)


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


def start_topic(author: Any, category: Category, draft: TopicDraft, *, now: datetime) -> Topic:
    """Open a topic with its first post; one the trust rules hold waits, pending, in the
    moderators' queue, unlisted until approved.

    :raises Forbidden: the author is suspended, or the category is announcements and she
        is not the brand's staff.
    :raises Invalid: the title or body breaks its rule, or a new member's limits.
    """
    require(author, Action.TOPIC_START, category.brand_id, now=now)
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
    return topic


def _hold_topic(topic: Topic, author: Any, body: str, now: datetime, reason: str) -> None:
    """Write a topic that waits for a moderator: shown only to its author and moderators,
    counted in no category and told to nobody until it is approved (no commit)."""
    topic.status = TopicStatus.PENDING
    topic.post_count = 1
    db.session.flush()  # the first post needs the topic's id
    rendered = render_post(body)
    db.session.add(
        Post(
            topic_id=topic.id,
            author_id=author.id,
            position=1,
            body=body,
            body_html=rendered.html,
            status=PostStatus.VISIBLE,
            is_official=False,
            author_badge=_badge(author, topic.brand_id),
            like_count=0,
            helpful_count=0,
            thanks_count=0,
            edit_count=0,
            created_at=now,
        )
    )
    trust.hold(ItemKind.TOPIC, topic.id, topic.brand_id, author.id, reason, now)


def reply_to_topic(author: Any, topic: Topic, draft: ReplyDraft, *, now: datetime) -> Post:
    """Add a reply at the end of a topic, optionally in reply to one of its posts.

    A reply by the brand's staff is official; the first one stamps the topic as answered.
    A reply the trust rules hold (fanhub.moderation.trust.screen_post) waits, pending, in
    the moderators' queue and takes its place in the thread when approved.

    :raises Forbidden: the author is suspended, or the topic is locked and she is not
        the brand's staff or moderator.
    :raises Invalid: the body breaks its rule.
    :raises NotFound: the post replied to is not in this topic.
    """
    require(author, Action.POST_REPLY, topic.brand_id, now=now)
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


def edit_post(actor: Any, post: Post, body: str, *, now: datetime) -> Post:
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
    if getattr(actor, "id", None) == post.author_id:
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
    return post


def delete_own_post(actor: Any, post: Post) -> Post:
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
    return post


def _require_author_or(actor: Any, post: Post, action: Action, *, now: datetime) -> None:
    if getattr(actor, "id", None) == post.author_id and can(actor, Action.POST_REPLY, now=now):
        return
    require(actor, action, _topic_of(post).brand_id, now=now)


def toggle_reaction(actor: Any, post: Post, kind: ReactionKind, *, now: datetime) -> bool:
    """Add the member's reaction of this kind, or take it back; True when it is now on.

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
        db.session.execute(
            update(Post)
            .where(Post.id == post.id)
            .values({column.key: column + delta})
            .execution_options(synchronize_session=False)
        )
    return delta == 1


def set_pinned(actor: Any, topic: Topic, pinned: bool, *, now: datetime) -> None:
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


def set_locked(actor: Any, topic: Topic, locked: bool, *, now: datetime) -> None:
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


def move_topic(actor: Any, topic: Topic, target: Category, *, now: datetime) -> None:
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


def _record_topic_tool(
    actor: Any,
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


def mark_solution(actor: Any, topic: Topic, post: Post | None, *, now: datetime) -> None:
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


def toggle_vote(actor: Any, topic: Topic, *, now: datetime) -> bool:
    """Vote for an idea, or take the vote back; True when the vote now stands.

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
        db.session.execute(
            update(Topic)
            .where(Topic.id == topic.id)
            .values(vote_count=Topic.vote_count + delta)
            .execution_options(synchronize_session=False)
        )
    return delta == 1


def set_idea_status(
    actor: Any, topic: Topic, status: IdeaStatus, comment: str, *, now: datetime
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
    return post


VIEW_BUFFER_KEY = "fanhub.topic_views"


class _ViewBuffer:
    """Views counted in this process since the last write, per topic."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: Counter[int] = Counter()
        self.flushed_at = time.monotonic()


def count_view(topic_id: int, *, flush_every: float) -> None:
    """Count one page view; write the counts at most once per interval per process.

    A write per page view would make the busiest topic the slowest; a view lost in a
    crash costs nothing.
    """
    buffer: _ViewBuffer = current_app.extensions.setdefault(VIEW_BUFFER_KEY, _ViewBuffer())
    with buffer.lock:
        buffer.pending[topic_id] += 1
        if time.monotonic() - buffer.flushed_at < flush_every:
            return
        batch = dict(buffer.pending)
        buffer.pending.clear()
        buffer.flushed_at = time.monotonic()
    flush_views(batch)


def flush_views(batch: dict[int, int]) -> None:
    """Add buffered view counts to their topics."""
    if not batch:
        return
    with transaction():
        for topic_id, views in sorted(batch.items()):
            db.session.execute(
                update(Topic)
                .where(Topic.id == topic_id)
                .values(view_count=Topic.view_count + views)
                .execution_options(synchronize_session=False)
            )


@dataclass
class TopicPage:
    """Everything the topic page shows, and what this viewer may do there."""

    topic: Topic
    posts: list[Post]
    page: int
    page_count: int
    my_reactions: set[tuple[int, ReactionKind]] = field(default_factory=set)
    solution: Post | None = None
    status_post: Post | None = None
    can_reply: bool = False
    reply_refusal: str | None = None
    can_moderate: bool = False
    can_mark_solution: bool = False
    can_set_status: bool = False
    # Posts moderation hid show in full to their authors and the moderators.
    sees_hidden_of: set[int] = field(default_factory=set)
    can_flag: bool = False
    has_voted: bool = False
    viewer_id: int | None = None
    # The viewer's own choice for this topic (None: she has not chosen, or is signed out).
    watch_level: WatchLevel | None = None
    # Her own replies waiting for a moderator, shown (to her alone) after the last page.
    my_waiting: list[Post] = field(default_factory=list)


# How many of her waiting replies the last page shows; posting is rate-limited anyway.
WAITING_SHOWN = 10


def page_of(position: int) -> int:
    """The page of a topic that shows the post at `position`."""
    return max(math.ceil(position / POSTS_PER_PAGE), 1)


def topic_page(viewer: Any, topic: Topic, page: int = 1, *, now: datetime) -> TopicPage:
    """One page of a topic: a range of positions, so page 5,000 costs what page 1 does.

    :raises NotFound: the page is past the end.
    """
    page_count = page_of(topic.post_count)
    if page < 1 or page > page_count:
        raise NotFound("That page of the topic does not exist.")
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = list(
        db.session.scalars(
            select(Post)
            .options(joinedload(Post.author), joinedload(Post.reply_to).joinedload(Post.author))
            .where(
                Post.topic_id == topic.id, Post.position.between(first, first + POSTS_PER_PAGE - 1)
            )
            .order_by(Post.position)
            # The range already says 20 rows, but PostgreSQL guesses from how common low
            # positions are across all topics; the LIMIT keeps it on the index.
            .limit(POSTS_PER_PAGE)
        )
    )
    result = TopicPage(topic=topic, posts=posts, page=page, page_count=page_count)
    on_page = {post.id: post for post in posts}
    extra_ids = {
        post_id
        for post_id in (topic.solution_post_id, topic.idea_status_post_id)
        if post_id is not None and post_id not in on_page
    }
    if extra_ids:
        for post in db.session.scalars(
            select(Post).options(joinedload(Post.author)).where(Post.id.in_(extra_ids))
        ):
            on_page[post.id] = post
    if topic.solution_post_id:
        result.solution = on_page.get(topic.solution_post_id)
    if topic.idea_status_post_id:
        result.status_post = on_page.get(topic.idea_status_post_id)
    if getattr(viewer, "is_authenticated", False):
        result.viewer_id = viewer.id
        _viewer_state(viewer, topic, posts, result, now=now)
    return result


def _viewer_state(
    viewer: Any, topic: Topic, posts: list[Post], page: TopicPage, *, now: datetime
) -> None:
    if posts:
        page.my_reactions = {
            (post_id, kind)
            for post_id, kind in db.session.execute(
                select(Reaction.post_id, Reaction.kind).where(
                    Reaction.user_id == viewer.id, Reaction.post_id.in_([p.id for p in posts])
                )
            )
        }
    if topic.category.kind is CategoryKind.IDEAS:
        page.has_voted = (
            db.session.scalar(
                select(IdeaVote.id).where(
                    IdeaVote.topic_id == topic.id, IdeaVote.user_id == viewer.id
                )
            )
            is not None
        )
    page.watch_level = db.session.scalar(
        select(TopicWatch.level).where(
            TopicWatch.topic_id == topic.id, TopicWatch.user_id == viewer.id
        )
    )
    # Only level 0 is ever held (trust.screen_text), so nobody else pays for the query.
    if page.page == page.page_count and viewer.trust_level == 0:
        page.my_waiting = list(
            db.session.scalars(
                select(Post)
                .options(joinedload(Post.author))
                .where(
                    Post.topic_id == topic.id,
                    # Waiting replies sit below position 0 (-id): the topic's index finds them.
                    Post.position < 0,
                    Post.author_id == viewer.id,
                    Post.status == PostStatus.PENDING,
                )
                .order_by(Post.id)
                .limit(WAITING_SHOWN)
            )
        )
    page.can_reply = can(viewer, Action.POST_REPLY, topic.brand_id, now=now) and (
        not topic.is_locked or can(viewer, Action.POST_REPLY_LOCKED, topic.brand_id, now=now)
    )
    if not page.can_reply:
        page.reply_refusal = (
            "This topic is locked: no new replies."
            if topic.is_locked
            else participation_refusal(viewer, now=now)
        )
    page.can_moderate = can(viewer, Action.TOPIC_MODERATE, topic.brand_id, now=now)
    page.can_flag = can(viewer, Action.CONTENT_FLAG, topic.brand_id, now=now)
    page.sees_hidden_of = {
        post.id for post in posts if sees_hidden(viewer, post.author_id, topic.brand_id, now=now)
    }
    page.can_mark_solution = topic.category.kind is CategoryKind.SUPPORT and (
        viewer.id == topic.author_id or can(viewer, Action.TOPIC_SOLVE_ANY, topic.brand_id, now=now)
    )
    page.can_set_status = topic.category.kind is CategoryKind.IDEAS and can(
        viewer, Action.IDEA_STATUS_SET, topic.brand_id, now=now
    )


@dataclass
class CategoryPage:
    category: Category
    pinned: list[Topic]
    topics: list[Topic]
    sort: str
    next_cursor: str | None
    can_start: bool
    # The viewer's own choice for this category (None: not chosen, or signed out).
    watch_level: WatchLevel | None = None


def category_page(
    viewer: Any,
    category: Category,
    *,
    sort: str = "activity",
    cursor: str | None = None,
    now: datetime,
) -> CategoryPage:
    """A page of a category's topics: pinned first, then by last activity (or, for ideas,
    by votes or newest), 30 at a time, paged by a cursor rather than OFFSET.

    :raises Invalid: the cursor is not one this page handed out.
    """
    if sort not in ("activity", "votes", "new"):
        sort = "activity"
    key_columns = {
        "activity": (Topic.last_posted_at, Topic.id),
        "votes": (Topic.vote_count, Topic.id),
        "new": (Topic.created_at, Topic.id),
    }[sort]
    base = (
        select(Topic)
        .options(joinedload(Topic.author), joinedload(Topic.last_poster))
        # Hidden or removed by moderation: gone from the list until a moderator decides.
        .where(Topic.category_id == category.id, Topic.status == TopicStatus.VISIBLE)
    )
    pinned: list[Topic] = []
    query = base.where(Topic.is_pinned.is_(False))
    if cursor is None:
        pinned = list(
            db.session.scalars(
                base.where(Topic.is_pinned.is_(True)).order_by(*(c.desc() for c in key_columns))
            )
        )
    else:
        first, last_id = _parse_cursor(cursor, sort)
        query = query.where(
            or_(key_columns[0] < first, and_(key_columns[0] == first, Topic.id < last_id))
        )
    topics = list(
        db.session.scalars(
            query.order_by(*(c.desc() for c in key_columns)).limit(TOPICS_PER_PAGE + 1)
        )
    )
    next_cursor = None
    if len(topics) > TOPICS_PER_PAGE:
        topics = topics[:TOPICS_PER_PAGE]
        next_cursor = _make_cursor(topics[-1], sort)
    can_start = can(viewer, Action.TOPIC_START, category.brand_id, now=now) and (
        category.kind is not CategoryKind.ANNOUNCEMENTS
        or can(viewer, Action.ANNOUNCEMENT_START, category.brand_id, now=now)
    )
    watch_level = None
    if getattr(viewer, "is_authenticated", False):
        watch_level = db.session.scalar(
            select(CategoryWatch.level).where(
                CategoryWatch.category_id == category.id, CategoryWatch.user_id == viewer.id
            )
        )
    return CategoryPage(category, pinned, topics, sort, next_cursor, can_start, watch_level)


def _make_cursor(topic: Topic, sort: str) -> str:
    if sort == "votes":
        return f"{topic.vote_count}_{topic.id}"
    moment = topic.created_at if sort == "new" else topic.last_posted_at
    return f"{moment.timestamp():.6f}_{topic.id}"


def _parse_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    first, _, last_id = cursor.partition("_")
    after_id = parse_int(last_id, lo=0, hi=MAX_ID, message=CURSOR_MESSAGE)
    if sort == "votes":
        return parse_int(first, lo=-MAX_ID, hi=MAX_ID, message=CURSOR_MESSAGE), after_id
    return parse_moment(first, message=CURSOR_MESSAGE), after_id


# ------------------------------------------------- for fanhub.accounts.privacy


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
