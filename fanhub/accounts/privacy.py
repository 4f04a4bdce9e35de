"""A member's data rights (issue 6): her privacy page, the export of her data, and the
deletion of her account."""

from __future__ import annotations

import enum
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, literal, select, update
from werkzeug.security import check_password_hash

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, BrandRole, Follow, Role
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forums import services as forums
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
from fanhub.moderation.models import Case, Flag, ModerationAction
from fanhub.notifications.models import (
    MESSAGE_MAX,
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    EmailStatus,
    Frequency,
    Notification,
    OutboundEmail,
)
from fanhub.notifications.preferences import CONSENT_KINDS, preferences_of
from fanhub.permissions import forget_roles
from fanhub.reviews import services as reviews
from fanhub.reviews import widget
from fanhub.reviews.models import Product, Review, ReviewReply, ReviewRevision, ReviewVote
from fanhub.staff.models import Claim

NOT_HERS = "That password is not right."
# What others now read where her name was.
DELETED_MEMBER = "A deleted member"
# Matches no password (werkzeug hashes always hold "$"), so nobody can log in as her.
LOCKED_HASH = "!"
# Rows are read from the database in batches of this many, so a member with years of
# posts is exported without holding them all as objects at once.
BATCH = 500
# Roles another person must hold before she goes: a brand must keep its owner and the
# people who moderate it. A staff role simply ends with the account.
BLOCKING_ROLES = (Role.OWNER, Role.MODERATOR)

SOURCE_LABELS: dict[ConsentSource, str] = {
    ConsentSource.PREFERENCE_CENTRE: "in your settings, under How we contact you",
    ConsentSource.SIGNUP_STEP: "when you signed up",
    ConsentSource.UNSUBSCRIBE_LINK: "with the unsubscribe link in an email",
    ConsentSource.ACCOUNT_DELETION: "when you deleted your account",
}
CHANNEL_LABELS: dict[Channel, str] = {Channel.ONSITE: "on fanhub", Channel.EMAIL: "by email"}


def _require_self(actor: Any, user: User) -> None:
    if getattr(actor, "id", None) != user.id:
        raise Forbidden("You can only do this for your own account.")
    if user.status is UserStatus.DELETED:
        raise Conflict("This account was already deleted.")


# ------------------------------------------------------------ the privacy page


@dataclass(frozen=True)
class ConsentLine:
    """One ConsentEvent as her privacy page tells it."""

    what: str
    granted: bool
    at: datetime
    how: str


@dataclass(frozen=True)
class DeletionPlan:
    """What deleting her account would do, counted now, shown before she confirms."""

    blocking_brands: list[str]  # brands where she is owner or moderator: refused until handed over
    staff_brands: list[str]  # brands whose staff she leaves with the account
    topics: int
    posts: int
    reviews: int
    review_replies: int
    follows: int

    @property
    def allowed(self) -> bool:
        return not self.blocking_brands


@dataclass
class PrivacyPage:
    user: User
    consent: list[ConsentLine] = field(default_factory=list)
    plan: DeletionPlan | None = None


def privacy_page(actor: Any, user: User) -> PrivacyPage:
    """Her privacy page: her consent record (newest first) and what deletion would do.

    :raises Forbidden: the actor is not the member.
    """
    _require_self(actor, user)
    events = db.session.scalars(
        select(ConsentEvent).where(ConsentEvent.user_id == user.id).order_by(ConsentEvent.id.desc())
    )
    consent = [
        ConsentLine(
            what=f"Product news and offers {CHANNEL_LABELS[event.channel]}",
            granted=event.granted,
            at=event.created_at,
            how=SOURCE_LABELS.get(event.source, event.source.value.replace("_", " ")),
        )
        for event in events
    ]
    return PrivacyPage(user=user, consent=consent, plan=deletion_plan(user))


def deletion_plan(user: User) -> DeletionPlan:
    """What deleting this account would do, in a few counting queries."""
    roles = db.session.execute(
        select(Brand.name, BrandRole.role)
        .join(Brand, Brand.id == BrandRole.brand_id)
        .where(BrandRole.user_id == user.id)
        .order_by(Brand.name)
    ).all()
    blocking = sorted({name for name, role in roles if role in BLOCKING_ROLES})
    staff = sorted({name for name, role in roles if role is Role.STAFF} - set(blocking))

    def count(model: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    return DeletionPlan(
        blocking_brands=blocking,
        staff_brands=staff,
        topics=count(Topic, Topic.author_id == user.id),
        posts=count(Post, Post.author_id == user.id),
        reviews=count(Review, Review.author_id == user.id),
        review_replies=count(ReviewReply, ReviewReply.author_id == user.id),
        follows=count(Follow, Follow.user_id == user.id),
    )


# ---------------------------------------------------------------- the export


def export_filename(user: User, *, now: datetime) -> str:
    """The name her download is saved under."""
    return f"fanhub-{user.username}-{now.date().isoformat()}.zip"


def export_member_data(actor: Any, user: User) -> bytes:
    """Everything fanhub holds about her, as a zip of JSON files (one per kind of data).

    Only her own rows: another member's words never appear (a topic she replied in is named
    by its id and title only). Each table is read with one query, in batches.

    :raises Forbidden: the actor is not the member (not even a site admin may take it).
    :raises Conflict: the account was deleted.
    """
    _require_self(actor, user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _README)
        archive.writestr("profile.json", _dumps(_profile(user)))
        for name, rows in _tables(user.id):
            with archive.open(name, "w") as out:
                _write_array(out, rows)
    return buffer.getvalue()


_README = """\
This is everything fanhub holds about you, as JSON files:

profile.json              your account (never your password)
topics.json               topics you started
posts.json                your posts, in the Markdown you wrote, with their earlier versions
reviews.json              your reviews, with their earlier versions
review_replies.json       what you wrote under reviews
votes.json                your votes for ideas and the reviews you found helpful
reactions.json            your likes, helpful and thanks on posts
follows.json              the brands you follow
watches.json              the topics and categories you watch or muted
preferences.json          how you want to hear from us, per kind of message and channel
consent_events.json       each time you said yes or no to product news and offers
notifications.json        the notifications we sent you
flags.json                what you reported to the moderators
moderation_decisions.json decisions moderators made about you or your content
"""


def _profile(user: User) -> dict[str, Any]:
    roles = db.session.execute(
        select(Brand.slug, BrandRole.role, BrandRole.created_at)
        .join(Brand, Brand.id == BrandRole.brand_id)
        .where(BrandRole.user_id == user.id)
        .order_by(BrandRole.id)
    )
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "email_verified_at": _iso(user.email_verified_at),
        "display_name": user.display_name,
        "bio": user.bio,
        "status": user.status.value,
        "is_admin": user.is_admin,
        "trust_level": user.trust_level,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "suspended_until": _iso(user.suspended_until),
        "banned_at": _iso(user.banned_at),
        "banned_until": _iso(user.banned_until),
        "sanction_reason": user.sanction_reason,
        "brand_roles": [
            {"brand": slug, "role": role.value, "since": _iso(since)} for slug, role, since in roles
        ],
    }


def _tables(user_id: int) -> Iterator[tuple[str, Iterable[dict[str, Any]]]]:
    """(file name, its rows) for every table that holds her data."""
    yield "topics.json", _topics(user_id)
    yield "posts.json", _posts(user_id)
    yield "reviews.json", _reviews(user_id)
    yield "review_replies.json", _review_replies(user_id)
    yield "votes.json", _votes(user_id)
    yield "reactions.json", _reactions(user_id)
    yield "follows.json", _follows(user_id)
    yield "watches.json", _watches(user_id)
    yield "preferences.json", _preferences(user_id)
    yield "consent_events.json", _consent(user_id)
    yield "notifications.json", _notifications(user_id)
    yield "flags.json", _flags(user_id)
    yield "moderation_decisions.json", _decisions(user_id)


def _rows(statement: Any) -> Iterator[Any]:
    """The statement's rows, fetched from the database in batches."""
    yield from db.session.execute(statement.execution_options(yield_per=BATCH))


def _records(statement: Any) -> Iterator[dict[str, Any]]:
    """The statement's rows as JSON objects keyed by the columns' names (or labels):
    enums as their values, moments as ISO 8601."""
    for row in _rows(statement):
        yield {key: _plain(value) for key, value in row._mapping.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return _iso(value)
    return value


def _earlier_versions(statement: Any, key: str) -> dict[int, list[dict[str, Any]]]:
    """An item's earlier versions by the item's id (`key`), read in one query."""
    earlier: dict[int, list[dict[str, Any]]] = {}
    for record in _records(statement):
        earlier.setdefault(record.pop(key), []).append(record)
    return earlier


def _topics(user_id: int) -> Iterator[dict[str, Any]]:
    return _records(
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


def _posts(user_id: int) -> Iterator[dict[str, Any]]:
    # Her posts' earlier versions too: she wrote them, or a moderator changed her words,
    # which she has a right to see as well.
    earlier = _earlier_versions(
        select(PostRevision.post_id, PostRevision.body, PostRevision.replaced_at)
        .join(Post, Post.id == PostRevision.post_id)
        .where(Post.author_id == user_id)
        .order_by(PostRevision.id),
        "post_id",
    )
    for record in _records(
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


def _reviews(user_id: int) -> Iterator[dict[str, Any]]:
    earlier = _earlier_versions(
        select(
            ReviewRevision.review_id,
            ReviewRevision.stars,
            ReviewRevision.title,
            ReviewRevision.body,
            ReviewRevision.replaced_at,
        )
        .join(Review, Review.id == ReviewRevision.review_id)
        .where(Review.author_id == user_id)
        .order_by(ReviewRevision.id),
        "review_id",
    )
    for record in _records(
        select(
            Review.id,
            Brand.slug.label("brand"),
            Product.slug.label("product"),
            Product.name.label("product_name"),
            Review.stars,
            Review.title,
            Review.body,
            Review.status,
            Review.is_verified_purchase.label("verified_purchase"),
            Review.helpful_count.label("helpful_votes"),
            Review.created_at,
            Review.edited_at,
            Review.published_at,
        )
        .join(Product, Product.id == Review.product_id)
        .join(Brand, Brand.id == Review.brand_id)
        .where(Review.author_id == user_id)
        .order_by(Review.id)
    ):
        yield {**record, "earlier_versions": earlier.get(record["id"], [])}


def _review_replies(user_id: int) -> Iterator[dict[str, Any]]:
    return _records(
        select(
            ReviewReply.id,
            ReviewReply.review_id,
            ReviewReply.body,
            ReviewReply.status,
            ReviewReply.is_official,
            ReviewReply.created_at,
        )
        .where(ReviewReply.author_id == user_id)
        .order_by(ReviewReply.id)
    )


def _votes(user_id: int) -> Iterator[dict[str, Any]]:
    yield from _records(
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
    yield from _records(
        select(
            literal("review_helpful").label("kind"),
            ReviewVote.review_id,
            Product.name.label("product_name"),
            ReviewVote.created_at,
        )
        .join(Review, Review.id == ReviewVote.review_id)
        .join(Product, Product.id == Review.product_id)
        .where(ReviewVote.user_id == user_id)
        .order_by(ReviewVote.id)
    )


def _reactions(user_id: int) -> Iterator[dict[str, Any]]:
    return _records(
        select(Reaction.post_id, Post.topic_id, Reaction.kind, Reaction.created_at)
        .join(Post, Post.id == Reaction.post_id)
        .where(Reaction.user_id == user_id)
        .order_by(Reaction.id)
    )


def _follows(user_id: int) -> Iterator[dict[str, Any]]:
    return _records(
        select(
            Brand.slug.label("brand"),
            Brand.name.label("brand_name"),
            Follow.created_at.label("since"),
        )
        .join(Brand, Brand.id == Follow.brand_id)
        .where(Follow.user_id == user_id)
        .order_by(Follow.id)
    )


def _watches(user_id: int) -> Iterator[dict[str, Any]]:
    yield from _records(
        select(TopicWatch.topic_id, Topic.title.label("topic_title"), TopicWatch.level)
        .join(Topic, Topic.id == TopicWatch.topic_id)
        .where(TopicWatch.user_id == user_id)
        .order_by(TopicWatch.id)
    )
    yield from _records(
        select(Brand.slug.label("brand"), Category.name.label("category"), CategoryWatch.level)
        .join(Category, Category.id == CategoryWatch.category_id)
        .join(Brand, Brand.id == Category.brand_id)
        .where(CategoryWatch.user_id == user_id)
        .order_by(CategoryWatch.id)
    )


def _preferences(user_id: int) -> Iterator[dict[str, Any]]:
    for (kind, channel), frequency in preferences_of(user_id).items():
        yield {"kind": kind.value, "channel": channel.value, "frequency": frequency.value}


def _consent(user_id: int) -> Iterator[dict[str, Any]]:
    return _records(
        select(
            ConsentEvent.kind,
            ConsentEvent.channel,
            ConsentEvent.granted,
            ConsentEvent.frequency,
            ConsentEvent.source,
            ConsentEvent.created_at.label("at"),
        )
        .where(ConsentEvent.user_id == user_id)
        .order_by(ConsentEvent.id)
    )


def _notifications(user_id: int) -> Iterator[dict[str, Any]]:
    return _records(
        select(
            Notification.kind,
            Notification.message,
            Notification.url,
            Notification.created_at,
            Notification.read_at,
        )
        .where(Notification.user_id == user_id)
        .order_by(Notification.id)
    )


def _flags(user_id: int) -> Iterator[dict[str, Any]]:
    return _records(
        select(
            Case.item_kind,
            Case.item_id,
            Flag.reason,
            Flag.note,
            Flag.status,
            Flag.created_at,
            Flag.closed_at,
        )
        .join(Case, Case.id == Flag.case_id)
        .where(Flag.reporter_id == user_id)
        .order_by(Flag.id)
    )


def _decisions(user_id: int) -> Iterator[dict[str, Any]]:
    # What was decided and why, never who decided: moderators act for the community.
    return _records(
        select(
            ModerationAction.action,
            ModerationAction.item_kind,
            ModerationAction.item_id,
            ModerationAction.rule,
            ModerationAction.reason,
            ModerationAction.created_at.label("at"),
        )
        .where(ModerationAction.subject_id == user_id)
        .order_by(ModerationAction.id)
    )


def _write_array(out: Any, rows: Iterable[dict[str, Any]]) -> None:
    """Write rows as one JSON array, a row at a time (never the whole list in memory)."""
    out.write(b"[")
    for index, row in enumerate(rows):
        out.write(b"," if index else b"")
        out.write(b"\n  " + _dumps(row, indent=None))
    out.write(b"\n]\n")


def _dumps(value: Any, indent: int | None = 2) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=indent).encode()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# -------------------------------------------------------------- the deletion


@dataclass(frozen=True)
class DeletionReport:
    """What deleting her account did, for the goodbye page."""

    removed_content: bool
    posts: int
    reviews: int
    review_replies: int
    follows: int
    staff_brands: list[str]


def delete_account(
    actor: Any, user: User, password: str, remove_content: bool, *, now: datetime
) -> DeletionReport:
    """Erase her personal data and close her account, in one transaction.

    Her name, email, bio and password go; so do her preferences, follows (each brand's
    fan count moves), watches, notifications and the emails waiting for her. A staff role
    ends with the account. Her posts and reviews stay, shown as by a deleted member, or
    with `remove_content` are removed as she would remove each one, every counter and
    rating moving with them. Her consent record stays, closed by a last opt-out; her flags
    and the moderation log stay, as the community's record.

    :raises Forbidden: the actor is not the member.
    :raises Conflict: already deleted, or she is the owner or a moderator of a brand.
    :raises Invalid: the password is not hers.
    """
    _require_self(actor, user)
    if not check_password_hash(user.password_hash, password):
        raise Invalid(NOT_HERS, field="password")
    plan = deletion_plan(user)
    if not plan.allowed:
        raise Conflict(
            f"You are the owner or a moderator of {_names(plan.blocking_brands)}: "
            "hand the role over to someone else first, then delete your account."
        )
    uid = user.id
    # The widget's cached summaries that name her (her reviews, her answers under reviews).
    products = _products_naming(uid)
    with transaction():
        _close_consent(uid, now)
        db.session.execute(delete(ContactPreference).where(ContactPreference.user_id == uid))
        # In SQL, so a fan arriving at the same instant still counts: she follows a brand
        # at most once, so each brand she follows loses exactly one.
        db.session.execute(
            update(Brand)
            .where(Brand.id.in_(select(Follow.brand_id).where(Follow.user_id == uid)))
            .values(follower_count=Brand.follower_count - 1)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(delete(Follow).where(Follow.user_id == uid))
        db.session.execute(delete(TopicWatch).where(TopicWatch.user_id == uid))
        db.session.execute(delete(CategoryWatch).where(CategoryWatch.user_id == uid))
        db.session.execute(delete(Notification).where(Notification.user_id == uid))
        _unname_notices(user)
        # Mail to her address: what waits, and the copies of what went. One being handed
        # to the mail server at this instant (SENDING) is left to finish.
        db.session.execute(
            delete(OutboundEmail).where(
                OutboundEmail.to_address == user.email,
                OutboundEmail.status != EmailStatus.SENDING,
            )
        )
        db.session.execute(delete(Claim).where(Claim.staff_id == uid))
        db.session.execute(delete(BrandRole).where(BrandRole.user_id == uid))
        if remove_content:
            forums.remove_posts_of(uid)
            reviews.remove_reviews_of(uid, now)
        user.username = f"deleted.{uid}"  # the dot keeps it out of any registrable name
        user.email = f"deleted-{uid}@deleted.invalid"  # .invalid: never a real address
        user.display_name = ""
        user.bio = ""
        # The session fingerprint changes with the hash: every session and remember-me
        # cookie of hers ends.
        user.password_hash = LOCKED_HASH
        user.is_admin = False
        user.status = UserStatus.DELETED
        user.deleted_at = now
        user.email_verified_at = None
        user.last_login_at = None
        user.sanction_reason = ""
        user.unread_notification_count = 0
    forget_roles(user)
    for brand_slug, product_slug, sku in products:
        widget.forget_summary(brand_slug, product_slug, sku)
    return DeletionReport(
        removed_content=remove_content,
        posts=plan.posts,
        reviews=plan.reviews,
        review_replies=plan.review_replies,
        follows=plan.follows,
        staff_brands=plan.staff_brands,
    )


def _unname_notices(user: User) -> None:
    """Take her name out of what others were told of her doing (no commit).

    Every notice a member causes opens with her name ("maria replied to …"), under her
    display name or, without one, her username, so those two prefixes are all there is.
    """
    for name in dict.fromkeys((user.name, user.username)):
        rest = func.substr(Notification.message, len(name) + 1)
        db.session.execute(
            update(Notification)
            .where(
                Notification.actor_id == user.id,
                Notification.message.startswith(f"{name} ", autoescape=True),
            )
            .values(message=func.substr(literal(DELETED_MEMBER) + rest, 1, MESSAGE_MAX))
            .execution_options(synchronize_session=False)
        )


def _names(brands: list[str]) -> str:
    return brands[0] if len(brands) == 1 else ", ".join(brands[:-1]) + " and " + brands[-1]


def _close_consent(user_id: int, now: datetime) -> None:
    """Record a last opt-out of every kind needing consent that she had on (no commit)."""
    chosen = preferences_of(user_id)
    for (kind, channel), frequency in sorted(chosen.items()):
        if kind in CONSENT_KINDS and frequency is not Frequency.NEVER:
            db.session.add(
                ConsentEvent(
                    user_id=user_id,
                    kind=kind,
                    channel=channel,
                    granted=False,
                    frequency=Frequency.NEVER,
                    source=ConsentSource.ACCOUNT_DELETION,
                    created_at=now,
                )
            )


def _products_naming(user_id: int) -> list[tuple[str, str, str]]:
    """(brand slug, product slug, sku) of the products whose widget shows her name."""
    reviewed = select(Review.product_id).where(Review.author_id == user_id)
    answered = (
        select(Review.product_id)
        .join(ReviewReply, ReviewReply.review_id == Review.id)
        .where(ReviewReply.author_id == user_id)
    )
    return [
        (brand, slug, sku)
        for brand, slug, sku in db.session.execute(
            select(Brand.slug, Product.slug, Product.sku)
            .join(Brand, Brand.id == Product.brand_id)
            .where(Product.id.in_(reviewed.union(answered)))
        )
    ]


# ------------------------------------------------------ a deleted member's profile


def access_profile_as(viewer: Any, username: str) -> User:
    """The member `/u/<username>` shows to this viewer: a deleted account only to site
    admins, who see that it was deleted and when, nothing it held.

    :raises NotFound: no such member, or a deleted one and the viewer is not a site admin.
    """
    user = db.session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None or (
        user.status is UserStatus.DELETED and not getattr(viewer, "is_admin", False)
    ):
        raise NotFound("There is no member with that name.")
    return user
