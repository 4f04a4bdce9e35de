"""Trust levels and spam signals: what a new member may post, what waits for a moderator
before anyone sees it, and how a member earns level 1 (issue 5, points 5 and 6).

It imports no other domain's models or services, so the forum's and the reviews'
services can screen a post, a review or a reply before writing it; what each kind of
content holds of a member's writing comes from the content registry (`fanhub.content`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select, union, union_all, update

from fanhub import site_settings
from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Follow, Role
from fanhub.content import TakesPart, content_kinds
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import (
    HOLD_REASON_MAX,
    Case,
    CaseStatus,
    Decision,
    Flag,
    FlagStatus,
    ItemKind,
)
from fanhub.permissions import Action, Actor, brands_where, holds, require
from fanhub.text import text_shape

TRUST_LEVELS = range(0, 5)
# A post this new member writes with at least this many links, and few words of its
# own beside them, is "link-heavy" and waits for a moderator.
LINK_HEAVY_MIN_LINKS = 2


def trusted_in(author: User, brand_id: int) -> bool:
    """Whether the author posts in this brand free of the new-member limits and the spam
    signals: site admins, and the brand's own owners, staff and moderators (their posts
    are the brand's answers, and they are appointed by hand)."""
    if getattr(author, "is_admin", False):
        return True
    return holds(author, brand_id, Role.OWNER, Role.STAFF, Role.MODERATOR)


def post_rate_limit(user: Actor) -> str:
    """The posting rate limit for this member: the stricter one at level 0, unless she is a
    site admin or holds a role in any brand (limits as the site settings say)."""
    if (
        # Signed out or the command line: never held back by a member's limit.
        not isinstance(user, User) or user.trust_level >= 1 or getattr(user, "is_admin", False)
    ):
        return site_settings.rate_limit("RATELIMIT_POST")
    has_role = db.session.scalar(select(BrandRole.id).where(BrandRole.user_id == user.id).limit(1))
    return site_settings.rate_limit(
        "RATELIMIT_POST" if has_role is not None else "RATELIMIT_POST_NEW"
    )


def screen_text(
    author: User,
    brand_id: int,
    body: str,
    now: datetime,
    *,
    noun: str = "post",
    editing: tuple[ItemKind, int] | None = None,
) -> str | None:
    """Check what a member writes in a brand (a topic, a post, a review or a reply under
    one) before it is written: why it must wait for a moderator, or None to publish it now.

    Only level 0 (outside the brand's team) is screened: no images, at most
    TRUST0_MAX_LINKS links; the same text as any of her posts, reviews or replies within
    SPAM_DUPLICATE_MINUTES (anywhere on the site) waits, as does text of at least two
    links with fewer than SPAM_WORDS_PER_LINK words of her own per link, and everything
    she writes while the brand pre-moderates new members. Level 1 and up has earned the
    benefit of the doubt. `noun` names the item in the messages; `editing` is the item
    whose text is being changed: not a duplicate of itself, and already past
    pre-moderation, so only the limits and the spam signals apply to the new text.

    :raises Invalid: a level-0 member's text has an image or too many links.
    """
    if trusted_in(author, brand_id) or author.trust_level >= 1:
        return None
    shape = text_shape(body)
    if shape.images:
        raise Invalid(
            "New members can't post images yet: link to the picture instead, "
            "or post it once you have been here a little longer.",
            field="body",
        )
    most = site_settings.count("TRUST0_MAX_LINKS")
    if shape.links > most:
        raise Invalid(
            f"New members can include at most {most} links in a {noun}: "
            f"this one has {shape.links}.",
            field="body",
        )
    earlier = _same_text_at(author.id, body, now, editing)
    if earlier is not None:
        return f"Posted the same text {_ago(now - earlier)}."
    if shape.links >= LINK_HEAVY_MIN_LINKS and shape.words < shape.links * site_settings.count(
        "SPAM_WORDS_PER_LINK"
    ):
        return (
            f"A new member's {noun} that is mostly links ({shape.links} links, "
            f"{shape.words} {'word' if shape.words == 1 else 'words'} of text)."
        )
    if editing is not None:
        return None
    brand = db.session.get(Brand, brand_id)  # usually loaded with the topic or product
    if brand is not None and brand.premoderate_new_members:
        return (
            f"A new member's {noun}: {brand.name} approves new members' "
            f"{_PLURALS.get(noun, noun + 's')} first."
        )
    return None


_PLURALS = {"reply": "replies"}


def screen_post(author: User, brand_id: int, body: str, now: datetime) -> str | None:
    """The forum's name for `screen_text`: a topic's first post or a reply.

    :raises Invalid: a level-0 member's post has an image or too many links.
    """
    return screen_text(author, brand_id, body, now)


def normalised(body: str) -> str:
    """A body as the duplicate check compares it: case and spacing do not matter."""
    return " ".join(body.casefold().split())


def _same_text_at(
    author_id: int, body: str, now: datetime, editing: tuple[ItemKind, int] | None = None
) -> datetime | None:
    """When she last wrote this text within the window, anywhere on the site: in a post,
    a review (written or last edited then) or a reply under a review."""
    minutes = site_settings.count("SPAM_DUPLICATE_MINUTES")
    if minutes == 0:  # a site admin turned the check off
        return None
    since = now - timedelta(minutes=minutes)
    # Her writing of the last few minutes, in one query: a handful of rows at most
    # (writing is rate-limited), each part on an indexed author column. The item being
    # edited is not a repeat of itself.
    parts = [
        kind.recent_writing(
            author_id,
            since,
            now,
            excluding=editing[1] if editing is not None and editing[0] is kind.kind else None,
        )
        for kind in content_kinds()
    ]
    recent = union_all(*parts).subquery()
    wanted = normalised(body)
    rows = db.session.execute(select(recent.c.body, recent.c.at).order_by(recent.c.at.desc()))
    return next((moment for text, moment in rows if normalised(text) == wanted), None)


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


def hold_again(
    kind: ItemKind, item_id: int, brand_id: int, author_id: int, reason: str, now: datetime
) -> Case:
    """Put an edited item back in the moderators' queue with the reason it waits,
    reopening the case it already has (from an earlier hold, flag or appeal) (no commit)."""
    case = db.session.scalars(
        select(Case).where(Case.item_kind == kind, Case.item_id == item_id).with_for_update()
    ).first()
    if case is None:
        return hold(kind, item_id, brand_id, author_id, reason, now)
    if case.status is CaseStatus.CLOSED:
        case.status = CaseStatus.OPEN
        case.opened_at = now
        case.closed_at = None
    case.hold_reason = reason[:HOLD_REASON_MAX]
    return case


def hold_reasons(kind: ItemKind, item_ids: Iterable[int]) -> dict[int, str]:
    """Why each of these items waits for a moderator, by id, from its open case's hold
    (one query, however many)."""
    wanted = list(item_ids)
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Case.item_id, Case.hold_reason).where(
            Case.item_kind == kind,
            Case.item_id.in_(wanted),
            Case.status == CaseStatus.OPEN,
            Case.hold_reason != "",
        )
    )
    return {item_id: reason for item_id, reason in rows}


def release(
    kind: ItemKind, item_id: int, moderator_id: int | None, decision: Decision, now: datetime
) -> None:
    """Close the item's open case when a moderator decided on it outside the queue (a
    pending review approved or rejected on the brand's own pages), so the queue does not
    offer it again; any open flags on it close with it (no commit)."""
    case_ids = select(Case.id).where(
        Case.item_kind == kind, Case.item_id == item_id, Case.status == CaseStatus.OPEN
    )
    db.session.execute(
        update(Flag)
        .where(Flag.case_id.in_(case_ids), Flag.status == FlagStatus.OPEN)
        .values(
            status=FlagStatus.UPHELD if decision is Decision.REJECT else FlagStatus.DISMISSED,
            closed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Case)
        .where(Case.item_kind == kind, Case.item_id == item_id, Case.status == CaseStatus.OPEN)
        .values(
            status=CaseStatus.CLOSED,
            open_flag_count=0,
            closed_at=now,
            closed_by_id=moderator_id,
            last_decision=decision,
        )
        .execution_options(synchronize_session=False)
    )


def count_published(author_id: int | None, now: datetime) -> bool:
    """Count one more of her posts as published, and raise her to level 1 when she has
    TRUST1_APPROVED_POSTS of them and has been a member for TRUST1_MIN_AGE_HOURS (no
    commit); True when she was promoted (logged, with no moderator).

    Called as each post is published or approved: promotion is worked out on write, in
    SQL, so no job has to run and two posts at once cannot both miss or both promote.
    """
    if author_id is None:
        return False
    needed = site_settings.count("TRUST1_APPROVED_POSTS")
    hours = site_settings.count("TRUST1_MIN_AGE_HOURS")
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


# What a brand's team may do by hand: vouch for a new member, or take that back.
TEAM_SETS_LEVELS = (0, 1)


def trust_brand(actor: Actor, member: User, *, now: datetime) -> int | None:
    """The brand on whose behalf `actor` sets `member`'s trust level: None for a site
    admin (anyone, any level); else a brand where the actor is on the team and the member
    takes part (has posted, reviewed, or follows it), so no brand vouches for strangers.

    :raises Forbidden: neither.
    """
    brands = brands_where(actor, Action.MEMBER_TRUST_SET, now=now)
    if brands is None:
        return None
    if not brands:
        require(
            actor, Action.MEMBER_TRUST_SET, now=now
        )  # raises, saying why: suspended, or no team
    # Her posts and reviews (each kind that counts, from the registry) and her follows.
    taking_part = union(
        select(Follow.brand_id).where(Follow.user_id == member.id, Follow.brand_id.in_(brands)),
        *(
            kind.participant_brands(member.id, brands)
            for kind in content_kinds()
            if isinstance(kind, TakesPart)
        ),
    ).subquery()
    brand_id = db.session.scalar(select(func.min(taking_part.c.brand_id)))
    if brand_id is not None:
        return int(brand_id)
    raise Forbidden(
        f"{member.username} doesn't take part in a brand you look after: "
        "a site admin can change their trust level."
    )


def set_trust_level(
    actor: Actor, member: User, level: int, reason: str = "", *, now: datetime
) -> str:
    """Set a member's trust level by hand, on the record: site admins any level from 0 to
    4; a brand's team (owners, staff, moderators) between 0 and 1, for a member who takes
    part in their brand, logged in that brand.

    :raises Forbidden: the actor may not set this member's level, or not to this level.
    :raises Invalid: no such level.
    :raises Conflict: the account is deleted, or already at that level.
    """
    if level not in TRUST_LEVELS:
        raise Invalid("Choose a trust level from 0 to 4.", field="level")
    brand_id = trust_brand(actor, member, now=now)
    if brand_id is not None and (
        level not in TEAM_SETS_LEVELS or member.trust_level not in TEAM_SETS_LEVELS
    ):
        raise Forbidden(
            "A brand's team moves members between levels 0 and 1: "
            "a site admin sets the levels above."
        )
    if member.status is UserStatus.DELETED:
        raise Conflict("This account is deleted.")
    if member.trust_level == level:
        raise Conflict(f"{member.username} is already at trust level {level}.")
    with transaction():
        before = member.trust_level
        member.trust_level = level
        record_action(
            actor,
            Decision.TRUST,
            item_kind=ItemKind.MEMBER,
            item_id=member.id,
            brand_id=brand_id,
            subject_id=member.id,
            before={"trust_level": before},
            after={"trust_level": level},
            reason=reason,
            now=now,
        )
    return f"{member.username} is now at trust level {level}."
