"""Trust levels and spam signals: what a new member may post, what waits for a moderator
before anyone sees it, and how a member earns level 1 (issue 5, points 5 and 6).

It imports only models and the audit log, so the forum's services can screen a post
before writing it (`moderation.services` imports `forums.services`, not the reverse).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.db import transaction, utcnow
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.forums.models import Post, PostStatus
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import HOLD_REASON_MAX, Case, CaseStatus, Decision, ItemKind
from fanhub.permissions import Action, holds, require
from fanhub.text import text_shape

TRUST_LEVELS = range(0, 5)
# A post this new member writes with at least this many links, and few words of its
# own beside them, is "link-heavy" and waits for a moderator.
LINK_HEAVY_MIN_LINKS = 2


def trusted_in(author: Any, brand_id: int) -> bool:
    """Whether the author posts in this brand free of the new-member limits and the spam
    signals: site admins, and the brand's own owners, staff and moderators (their posts
    are the brand's answers, and they are appointed by hand)."""
    if getattr(author, "is_admin", False):
        return True
    return holds(author, brand_id, Role.OWNER, Role.STAFF, Role.MODERATOR)


def post_rate_limit(user: Any) -> str:
    """The posting rate limit for this member: the stricter one at level 0, unless she is a
    site admin or holds a role in any brand."""
    config = current_app.config
    if (
        not getattr(user, "is_authenticated", False)
        or user.trust_level >= 1
        or getattr(user, "is_admin", False)
    ):
        return str(config["RATELIMIT_POST"])
    has_role = db.session.scalar(select(BrandRole.id).where(BrandRole.user_id == user.id).limit(1))
    return str(config["RATELIMIT_POST" if has_role is not None else "RATELIMIT_POST_NEW"])


def screen_post(author: Any, brand_id: int, body: str, now: datetime) -> str | None:
    """Check a post (a topic's first post or a reply) before it is written: why it must wait
    for a moderator, or None to publish it now.

    Only level 0 (outside the brand's team) is screened: no images, at most
    TRUST0_MAX_LINKS links; the same text again within SPAM_DUPLICATE_MINUTES (anywhere
    on the site) waits, as does a post of at least two links with fewer than
    SPAM_WORDS_PER_LINK words of her own per link, and every post while the brand
    pre-moderates new members. Level 1 and up has earned the benefit of the doubt.

    :raises Invalid: a level-0 member's post has an image or too many links.
    """
    if trusted_in(author, brand_id):
        return None
    config = current_app.config
    is_new = author.trust_level < 1
    shape = text_shape(body)
    if is_new:
        if shape.images:
            raise Invalid(
                "New members can't post images yet: link to the picture instead, "
                "or post it once you have been here a little longer.",
                field="body",
            )
        most = int(config["TRUST0_MAX_LINKS"])
        if shape.links > most:
            raise Invalid(
                f"New members can include at most {most} links in a post: "
                f"this one has {shape.links}.",
                field="body",
            )
    if not is_new:
        return None
    earlier = _same_text_at(author.id, body, now)
    if earlier is not None:
        return f"Posted the same text {_ago(now - earlier)}."
    if shape.links >= LINK_HEAVY_MIN_LINKS and shape.words < shape.links * int(
        config["SPAM_WORDS_PER_LINK"]
    ):
        return (
            f"A new member's post that is mostly links ({shape.links} links, "
            f"{shape.words} {'word' if shape.words == 1 else 'words'} of text)."
        )
    brand = db.session.get(Brand, brand_id)  # usually loaded with the topic already
    if brand is not None and brand.premoderate_new_members:
        return f"A new member's post: {brand.name} approves new members' posts first."
    return None


def normalised(body: str) -> str:
    """A body as the duplicate check compares it: case and spacing do not matter."""
    return " ".join(body.casefold().split())


def _same_text_at(author_id: int, body: str, now: datetime) -> datetime | None:
    """When she last posted this text within the window, anywhere on the site."""
    since = now - timedelta(minutes=int(current_app.config["SPAM_DUPLICATE_MINUTES"]))
    # Her posts of the last few minutes: a handful at most (posting is rate-limited).
    recent = db.session.execute(
        select(Post.body, Post.created_at)
        .where(
            Post.author_id == author_id,
            Post.created_at >= since,
            Post.created_at <= now,
            Post.status != PostStatus.DELETED_BY_AUTHOR,
        )
        .order_by(Post.created_at.desc())
    )
    wanted = normalised(body)
    return next((moment for text, moment in recent if normalised(text) == wanted), None)


def _ago(elapsed: timedelta) -> str:
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute ago"
    return f"{minutes} minute{'' if minutes == 1 else 's'} ago"


def hold(
    kind: ItemKind, item_id: int, brand_id: int, author_id: int, reason: str, now: datetime
) -> Case:
    """Put a new item in the moderators' queue with the reason it waits (no commit)."""
    case = Case(
        brand_id=brand_id,
        item_kind=kind,
        item_id=item_id,
        subject_id=author_id,
        status=CaseStatus.OPEN,
        open_flag_count=0,
        opened_at=now,
        hold_reason=reason[:HOLD_REASON_MAX],
    )
    db.session.add(case)
    return case


def count_published(author_id: int | None, now: datetime) -> bool:
    """Count one more of her posts as published, and raise her to level 1 when she has
    TRUST1_APPROVED_POSTS of them and has been a member for TRUST1_MIN_AGE_HOURS (no
    commit); True when she was promoted (logged, with no moderator).

    Called as each post is published or approved: promotion is worked out on write, in
    SQL, so no job has to run and two posts at once cannot both miss or both promote.
    """
    if author_id is None:
        return False
    config = current_app.config
    needed = int(config["TRUST1_APPROVED_POSTS"])
    hours = int(config["TRUST1_MIN_AGE_HOURS"])
    db.session.execute(
        update(User)
        .where(User.id == author_id)
        .values(approved_post_count=User.approved_post_count + 1)
        .execution_options(synchronize_session=False)
    )
    promoted = db.session.execute(
        update(User)
        .where(
            User.id == author_id,
            User.trust_level == 0,
            User.approved_post_count >= needed,
            User.created_at <= now - timedelta(hours=hours),
        )
        .values(trust_level=1)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    ).scalar()
    if promoted is None:
        return False
    record_action(
        None,
        Decision.TRUST,
        item_kind=ItemKind.MEMBER,
        item_id=author_id,
        brand_id=None,
        subject_id=author_id,
        before={"trust_level": 0},
        after={"trust_level": 1},
        reason=f"Reached level 1: {needed} posts published, a member for {hours} hours.",
        now=now,
    )
    return True


def set_trust_level(
    actor: Any, member: User, level: int, reason: str = "", *, now: datetime | None = None
) -> str:
    """Set a member's trust level by hand (0 to 4), on the record.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: no such level.
    :raises Conflict: the account is deleted, or already at that level.
    """
    require(actor, Action.MEMBER_TRUST_SET)
    if level not in TRUST_LEVELS:
        raise Invalid("Choose a trust level from 0 to 4.", field="level")
    if member.status is UserStatus.DELETED:
        raise Conflict("This account is deleted.")
    if member.trust_level == level:
        raise Conflict(f"{member.username} is already at trust level {level}.")
    now = now or utcnow()
    with transaction():
        before = member.trust_level
        member.trust_level = level
        record_action(
            actor,
            Decision.TRUST,
            item_kind=ItemKind.MEMBER,
            item_id=member.id,
            brand_id=None,
            subject_id=member.id,
            before={"trust_level": before},
            after={"trust_level": level},
            reason=reason,
            now=now,
        )
    return f"{member.username} is now at trust level {level}."
