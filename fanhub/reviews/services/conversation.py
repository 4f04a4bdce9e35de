"""The conversation under a review: replies, the brand's answers, resolving."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from fanhub import events
from fanhub.accounts.models import User, UserStatus
from fanhub.accounts.services import render_member_text
from fanhub.brands.models import Brand, Role
from fanhub.brands.services.lifecycle import require_open
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.links import site_path
from fanhub.moderation import trust
from fanhub.moderation.models import ItemKind
from fanhub.notifications.models import NotificationKind
from fanhub.notifications.services import Notice, notify, notify_each
from fanhub.permissions import Action, Actor, holds, require
from fanhub.reviews.models import (
    REPLY_BODY_MAX,
    Product,
    ReplyStatus,
    Review,
    ReviewReply,
)
from fanhub.reviews.services.access import _brand_of, _product_of, access_review
from fanhub.reviews.services.products import _product_changed
from fanhub.reviews.visibility import is_published, rejected_while_held


def clean_reply(raw: str) -> str:
    """A reply's text as stored.

    :raises Invalid: empty, or over the limit.
    """
    body = raw.replace("\r\n", "\n").strip()
    if not body:
        raise Invalid("Write something before you reply.", field="body")
    if len(body) > REPLY_BODY_MAX:
        raise Invalid(f"Replies are limited to {REPLY_BODY_MAX:,} characters.", field="body")
    return body


def reply_to_review(author: User, review: Review, body: str, *, now: datetime) -> ReviewReply:
    """Add a message under a published review.

    The brand's owners and staff answer officially: the first answer stamps the review
    answered, the latest is shown under it, and the reviewer is told. A member's reply
    tells the reviewer too. A reply the trust rules hold (fanhub.moderation.trust
    .screen_text) waits, pending, in the moderators' queue: shown only to its author
    and the moderators, counted nowhere and told to nobody until it is approved.

    :raises Forbidden: the author is suspended, or the brand is closed.
    :raises Invalid: the body breaks its rule, or a new member's limits (images, links).
    :raises Conflict: the review is not published.
    """
    require(author, Action.REVIEW_REPLY, review.brand_id, now=now)
    require_open(author, review.brand_id)
    text = clean_reply(body)
    if not is_published(review):
        raise Conflict("Only published reviews take replies.")
    official = holds(author, review.brand_id, Role.OWNER, Role.STAFF)
    product = _product_of(review)
    brand = _brand_of(product)
    held = trust.screen_text(author, review.brand_id, text, now, noun="reply")
    rendered = render_member_text(text)
    reply = ReviewReply(
        review_id=review.id,
        author_id=author.id,
        body=text,
        body_html=rendered.html,
        is_official=official,
        status=ReplyStatus.VISIBLE if held is None else ReplyStatus.PENDING,
        created_at=now,
    )
    with transaction():
        db.session.add(reply)
        db.session.flush()  # the reply's id becomes the review's latest answer
        if held is not None:
            trust.hold(ItemKind.REVIEW_REPLY, reply.id, review.brand_id, author.id, held, now)
        else:
            _publish_reply(review, product, brand, reply, author, rendered.mentioned, now)
            if official:
                # The widget shows the brand's latest answer under the review.
                _product_changed(brand, product)
    set_committed_value(reply, "author", author if hasattr(author, "__table__") else None)
    if held is None:
        db.session.refresh(review, ["reply_count", "answered_at", "latest_answer_id"])
    return reply


def publish_held_reply(
    reply: ReviewReply, now: datetime, *, waiting: ReplyStatus = ReplyStatus.PENDING
) -> Review:
    """Publish a reply a moderator approved (or, `waiting` REMOVED, one rejected while
    held and restored on appeal), as if written now: the review's counters, the reviewer
    and anyone mentioned told (no commit).

    :raises Conflict: it is not waiting any more (another moderator decided first).
    """
    # In SQL, on the row's status: of two moderators approving at once, one publishes it
    # and the other changes nothing, so the reply counts exactly once.
    published = rows_changed(
        db.session.execute(
            update(ReviewReply)
            .where(ReviewReply.id == reply.id, ReviewReply.status == waiting)
            .values(status=ReplyStatus.VISIBLE, created_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if not published:
        raise Conflict("This reply was already decided on by someone else: nothing changed.")
    set_committed_value(reply, "status", ReplyStatus.VISIBLE)
    set_committed_value(reply, "created_at", now)
    review = access_review(reply.review_id)
    product = _product_of(review)
    author = db.session.get(User, reply.author_id) if reply.author_id is not None else None
    mentioned = render_member_text(reply.body).mentioned if author is not None else frozenset()
    _publish_reply(review, product, _brand_of(product), reply, author, mentioned, now)
    return review


def was_rejected_while_held(reply: ReviewReply) -> bool:
    """Whether a removed reply is one a moderator refused while it waited (so it was never
    published or counted), rather than one taken down after it was."""
    return db.session.scalar(rejected_while_held(reply.id)) is not None


def _publish_reply(
    review: Review,
    product: Product,
    brand: Brand,
    reply: ReviewReply,
    author: User | None,
    mentioned: frozenset[str],
    now: datetime,
) -> None:
    """What publishing a reply does beyond its row: the review's reply count, the brand's
    first and latest answer, and the notifications (no commit)."""
    values: dict[str, Any] = {"reply_count": Review.reply_count + 1}
    if reply.is_official:
        values["answered_at"] = func.coalesce(Review.answered_at, now)
        values["latest_answer_id"] = reply.id
    # In SQL, so two replies at the same instant both count.
    db.session.execute(
        update(Review)
        .where(Review.id == review.id)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    if author is None:  # her account was deleted while the reply waited for a moderator
        return
    events.emit(events.ReviewAnswered(brand.id, review.id, reply.id, author.id, reply.is_official))
    who = getattr(author, "name", None) or author.username
    url = _review_path(brand, product, review, anchor=f"reply-{reply.id}")
    # Every notice is about this review: emails group by it and name it by its product.
    thread: dict[str, Any] = {
        "thread_key": f"review:{review.id}",
        "thread_title": product.name,
        "brand_id": brand.id,
        "brand_name": brand.name,
    }
    notices = []
    if review.author_id is not None:
        official = reply.is_official
        notices.append(
            Notice(
                frozenset({review.author_id}),
                NotificationKind.REVIEW_ANSWER if official else NotificationKind.REVIEW_REPLY,
                f"{who} of {brand.name} answered your review of {product.name}"
                if official
                else f"{who} replied to your review of {product.name}",
                url,
                **thread,
            )
        )
    if mentioned:
        # The reviewer hears once, of the answer itself (the first notice wins).
        people = db.session.scalars(
            select(User.id).where(User.username.in_(mentioned), User.status != UserStatus.DELETED)
        )
        notices.append(
            Notice(
                frozenset(people),
                NotificationKind.MENTION,
                f"{who} mentioned you under a review of {product.name}",
                url,
                **thread,
            )
        )
    notify_each(notices, actor_id=author.id, now=now)


def mark_resolved(actor: Actor, review: Review, *, now: datetime) -> None:
    """Close the loop: the brand marks the review's conversation resolved and invites the
    reviewer to update her rating.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Conflict: the review is not published, or is already resolved.
    """
    require(actor, Action.REVIEW_ANSWER, review.brand_id, now=now)
    if not is_published(review):
        raise Conflict("Only published reviews can be marked resolved.")
    if review.resolved_at is not None:
        raise Conflict("This review is already marked resolved.")
    product = _product_of(review)
    brand = _brand_of(product)
    with transaction():
        marked = rows_changed(
            db.session.execute(
                update(Review)
                .where(Review.id == review.id, Review.resolved_at.is_(None))
                .values(resolved_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if not marked:
            raise Conflict("This review is already marked resolved.")
        if review.author_id is not None:
            notify(
                [review.author_id],
                kind=NotificationKind.REVIEW_RESOLVED,
                message=(
                    f"{brand.name} marked your review of {product.name} resolved. "
                    "Has your opinion changed? You can update your rating."
                ),
                url=site_path("reviews.write_review", brand=brand.slug, product=product.slug),
                actor_id=actor.id,
                now=now,
                # No thread key: it links to the rating form, a thread of its own (as its
                # link always made it), not into the review's conversation.
                thread_title=product.name,
                brand_id=brand.id,
                brand_name=brand.name,
            )
    review.resolved_at = now


def _review_path(brand: Brand, product: Product, review: Review, anchor: str = "") -> str:
    path = site_path("reviews.review", brand=brand.slug, product=product.slug, review_id=review.id)
    return f"{path}#{anchor}" if anchor else path
