"""Moderators' decisions on reviews, from the brand's pages and from the queue."""

from __future__ import annotations

from datetime import datetime

from fanhub import events
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.moderation import trust
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision, ItemKind
from fanhub.notifications.models import NotificationKind
from fanhub.notifications.services import notify
from fanhub.permissions import Action, Actor, require
from fanhub.reviews import widget
from fanhub.reviews.models import (
    MODERATION_NOTE_MAX,
    Product,
    Review,
    ReviewRule,
    ReviewStatus,
)
from fanhub.reviews.services.access import _brand_of, _product_of
from fanhub.reviews.services.conversation import _review_path
from fanhub.reviews.services.products import _product_changed
from fanhub.reviews.services.ratings import _lock, _move_rating


def approve_review(moderator: Actor, review: Review, *, now: datetime) -> None:
    """Publish a pending review; it counts from now on.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Conflict: the review is not pending.
    """
    _moderate(moderator, review, ReviewStatus.PENDING, ReviewStatus.PUBLISHED, None, "", now)


def reject_review(
    moderator: Actor, review: Review, rule: ReviewRule | str, note: str = "",
    *, now: datetime,
) -> None:  # fmt: skip
    """Refuse a pending review, telling its author which rule it broke.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Invalid: no rule, or the note is too long.
    :raises Conflict: the review is not pending.
    """
    _moderate(moderator, review, ReviewStatus.PENDING, ReviewStatus.REJECTED, rule, note, now)


def remove_review(
    moderator: Actor, review: Review, rule: ReviewRule | str, note: str = "",
    *, now: datetime,
) -> None:  # fmt: skip
    """Take a published review down (reversibly), telling its author which rule it broke.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Invalid: no rule, or the note is too long.
    :raises Conflict: the review is not published.
    """
    _moderate(moderator, review, ReviewStatus.PUBLISHED, ReviewStatus.REMOVED, rule, note, now)


def restore_review(moderator: Actor, review: Review, *, now: datetime) -> None:
    """Put a removed or rejected review back; it counts again.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Conflict: the review is neither removed nor rejected.
    """
    _moderate(
        moderator,
        review,
        (ReviewStatus.REMOVED, ReviewStatus.REJECTED),
        ReviewStatus.PUBLISHED,
        None,
        "",
        now,
    )


_DECISIONS = {
    ReviewStatus.PUBLISHED: Decision.APPROVE,
    ReviewStatus.REJECTED: Decision.REJECT,
    ReviewStatus.REMOVED: Decision.REMOVE,
}

_WRONG_STATE = {
    ReviewStatus.PUBLISHED: "This review is not waiting for a decision any more.",
    ReviewStatus.REJECTED: "Only a pending review can be rejected.",
    ReviewStatus.REMOVED: "Only a published review can be removed.",
}


def _moderate(
    moderator: Actor,
    review: Review,
    source: ReviewStatus | tuple[ReviewStatus, ...],
    target: ReviewStatus,
    rule: ReviewRule | str | None,
    note: str,
    now: datetime,
) -> None:
    require(moderator, Action.REVIEW_MODERATE, review.brand_id, now=now)
    sources = source if isinstance(source, tuple) else (source,)
    chosen: ReviewRule | None = None
    if target in (ReviewStatus.REJECTED, ReviewStatus.REMOVED):
        try:
            chosen = ReviewRule(rule or "")  # no rule chosen is no rule at all
        except ValueError:
            raise Invalid("Choose the rule the review breaks.", field="rule") from None
    note = " ".join(note.split())
    if len(note) > MODERATION_NOTE_MAX:
        raise Invalid(f"Keep the note to {MODERATION_NOTE_MAX} characters.", field="note")
    product = _product_of(review)
    brand = _brand_of(product)
    with transaction():
        status, stars = _lock(review)
        if status not in sources:
            raise Conflict(_WRONG_STATE[target])
        if status is ReviewStatus.PENDING:
            # Decided on the brand's pages rather than in the queue: its hold closes too.
            trust.release(ItemKind.REVIEW, review.id, moderator.id, _DECISIONS[target], now)
        if target is ReviewStatus.PUBLISHED:
            _move_rating(product.id, add=stars)
            if review.published_at is None:
                review.published_at = now
                if review.author_id is not None:
                    events.emit(
                        events.ReviewPublished(brand.id, review.id, product.id, review.author_id)
                    )
        elif status is ReviewStatus.PUBLISHED:
            _move_rating(product.id, remove=stars)
        review.status = target
        review.moderation_rule = chosen
        review.moderation_note = note if chosen else ""
        review.moderated_at = now
        # Every moderation action is on the record (issue 5): one append-only row.
        record_action(
            moderator,
            _DECISIONS[target]
            if status is ReviewStatus.PENDING or target is not ReviewStatus.PUBLISHED
            else Decision.RESTORE,
            item_kind=ItemKind.REVIEW,
            item_id=review.id,
            brand_id=review.brand_id,
            subject_id=review.author_id,
            reason=" ".join(filter(None, [chosen.label if chosen else "", note])),
            before={"status": status.value},
            after={"status": target.value},
            now=now,
        )
        if review.author_id is not None:
            notify(
                [review.author_id],
                kind=NotificationKind.REVIEW_MODERATED,
                message=_moderation_message(product, status, target, chosen),
                url=_review_path(brand, product, review),
                actor_id=moderator.id,
                now=now,
                thread_key=f"review:{review.id}",
                thread_title=product.name,
                brand_id=brand.id,
                brand_name=brand.name,
            )
        if ReviewStatus.PUBLISHED in (status, target):
            _product_changed(brand, product)


def _moderation_message(
    product: Product, before: ReviewStatus, after: ReviewStatus, rule: ReviewRule | None
) -> str:
    name = product.name
    if after is ReviewStatus.PUBLISHED:
        if before is ReviewStatus.PENDING:
            return f"Your review of {name} is published."
        return f"Your review of {name} is back on the product page."
    reason = rule.label if rule else "it breaks the guidelines"
    if after is ReviewStatus.REJECTED:
        return f"Your review of {name} was not published: {reason}."
    return f"Your review of {name} was removed: {reason}."


def move_review_status(
    review: Review,
    target: ReviewStatus,
    *,
    rule: ReviewRule | None = None,
    note: str = "",
    now: datetime,
) -> ReviewStatus:
    """Move a review to `target` inside the caller's transaction (no commit), keeping the
    product's rating exact; returns the status it had. The moderation queue's decisions
    (hide, remove, restore, approve, reject) go through here, beside their audit row.

    The caller forgets the widget's summary after commit (`forget_review_summary`).
    """
    status, stars = _lock(review)
    if status is target:
        return status
    product_id = review.product_id
    if target is ReviewStatus.PUBLISHED:
        _move_rating(product_id, add=stars)
        if review.published_at is None:
            review.published_at = now
            if review.author_id is not None:
                events.emit(
                    events.ReviewPublished(review.brand_id, review.id, product_id, review.author_id)
                )
    elif status is ReviewStatus.PUBLISHED:
        _move_rating(product_id, remove=stars)
    review.status = target
    review.moderation_rule = rule
    review.moderation_note = " ".join(note.split())[:MODERATION_NOTE_MAX] if rule else ""
    review.moderated_at = now
    return status


def forget_review_summary(review: Review) -> None:
    """Drop the widget's cached summary of the review's product; call after commit."""
    product = _product_of(review)
    widget.forget_summary(_brand_of(product).slug, product.slug, product.sku)
