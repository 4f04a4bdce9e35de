"""Writing and editing reviews, and the verified-purchase mark."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from fanhub import events
from fanhub.accounts.models import User
from fanhub.brands.models import Role
from fanhub.brands.services.lifecycle import closed_refusal
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.inputs import has_control_characters
from fanhub.moderation import trust
from fanhub.moderation.models import ItemKind
from fanhub.permissions import Action, Actor, can, holds, require
from fanhub.reviews.models import (
    REVIEW_BODY_MAX,
    REVIEW_BODY_MIN,
    REVIEW_TITLE_MAX,
    Product,
    Review,
    ReviewRevision,
    ReviewStatus,
)
from fanhub.reviews.services.access import _brand_of, _product_of, own_review
from fanhub.reviews.services.products import _product_changed, _raise_first
from fanhub.reviews.services.ratings import _lock, _move_rating
from fanhub.reviews.visibility import is_published
from fanhub.text import render_markdown

# A whole number of stars written as one digit: "4", not "4.5", "04", "four" or "٤".
STARS_INPUT = re.compile(r"[1-5]")
STARS_MESSAGE = "Choose a rating from 1 to 5 stars."


@dataclass(frozen=True)
class ReviewDraft:
    # The rating as typed or sent ("4"); the service decides whether it is one.
    stars: str | int
    title: str
    body: str


def parse_stars(raw: str | int | None) -> int:
    """A rating as a whole number of stars, 1 to 5.

    :raises Invalid: anything else ("0", "6", "4.5", "five", "", huge numbers).
    """
    if isinstance(raw, bool):
        raise Invalid(STARS_MESSAGE, field="stars")
    if isinstance(raw, int):
        if 1 <= raw <= 5:
            return raw
        raise Invalid(STARS_MESSAGE, field="stars")
    text = (raw or "").strip()
    if not STARS_INPUT.fullmatch(text):
        raise Invalid(STARS_MESSAGE, field="stars")
    return int(text)


def _clean_review(draft: ReviewDraft) -> tuple[int, str, str]:
    problems: dict[str, str] = {}
    stars = 0
    try:
        stars = parse_stars(draft.stars)
    except Invalid as err:
        problems["stars"] = err.message
    title = " ".join(draft.title.split())
    if has_control_characters(draft.title.strip(), kind="line"):
        problems["title"] = "A title is one line of plain text."
    elif len(title) > REVIEW_TITLE_MAX:
        problems["title"] = f"Keep the title to {REVIEW_TITLE_MAX} characters."
    body = draft.body.replace("\r\n", "\n").strip()
    if len(body) < REVIEW_BODY_MIN:
        problems["body"] = (
            f"Tell other customers a little more: at least {REVIEW_BODY_MIN} characters."
        )
    elif len(body) > REVIEW_BODY_MAX:
        problems["body"] = f"Reviews are limited to {REVIEW_BODY_MAX:,} characters."
    _raise_first(problems)
    return stars, title, body


def writing_refusal(author: Actor, product: Product, *, now: datetime) -> str | None:
    """Why this person may not write (or edit) a review of the product, or None if she may."""
    if not getattr(author, "is_authenticated", False) or getattr(author, "id", None) is None:
        return "Log in to write a review."
    if not can(author, Action.REVIEW_WRITE, product.brand_id, now=now):
        try:
            require(author, Action.REVIEW_WRITE, product.brand_id, now=now)
        except Forbidden as err:
            return err.message
    closed = closed_refusal(author, product.brand_id)
    if closed is not None:
        return closed
    if holds(author, product.brand_id, Role.OWNER, Role.STAFF):
        # Reviews are customers' words: a brand's own team reviewing it would mislead.
        return (
            f"You are on {_brand_of(product).name}'s team, so you can't review its products. "
            "You can answer reviews instead."
        )
    return None


def require_reviewer(author: User, product: Product, *, now: datetime) -> None:
    """Refuse anyone who may not review the product.

    :raises Forbidden: not signed in, suspended, or on the brand's team (owner or staff).
    """
    refusal = writing_refusal(author, product, now=now)
    if refusal is not None:
        raise Forbidden(refusal)


def submit_review(author: User, product: Product, draft: ReviewDraft, *, now: datetime) -> Review:
    """Record the author's one review of a product.

    Published at once, unless the trust rules hold it (fanhub.moderation.trust.screen_text:
    a new member's repeated text, a review that is mostly links, or a brand that
    pre-moderates new members): then it is pending in the moderators' queue, with the
    reason, and counts nowhere until approved.

    :raises Forbidden: the author is suspended or on the brand's team.
    :raises Invalid: the rating, title or body breaks its rule, or a new member's limits
        (images, links) on the body.
    :raises Conflict: she has already reviewed this product (she edits that one instead).
    """
    require_reviewer(author, product, now=now)
    stars, title, body = _clean_review(draft)
    if own_review(author, product) is not None:
        raise Conflict(_ALREADY_REVIEWED)
    brand = _brand_of(product)
    # The title is plain text everywhere it shows (never a link), so the body is what
    # the link and image limits and the spam signals read.
    held = trust.screen_text(author, product.brand_id, body, now, noun="review")
    review = Review(
        product_id=product.id,
        brand_id=product.brand_id,
        author_id=author.id,
        stars=stars,
        title=title,
        body=body,
        body_html=render_markdown(body),
        status=ReviewStatus.PUBLISHED if held is None else ReviewStatus.PENDING,
        is_verified_purchase=False,
        helpful_count=0,
        reply_count=0,
        edit_count=0,
        created_at=now,
        published_at=now if held is None else None,
        stars_changed_after_answer=False,
        moderation_note="",
    )
    with transaction():
        db.session.add(review)
        try:
            db.session.flush()  # meet the (product, author) unique key now, with a message
        except IntegrityError:
            raise Conflict(_ALREADY_REVIEWED) from None
        if held is not None:
            trust.hold(ItemKind.REVIEW, review.id, product.brand_id, author.id, held, now)
        else:
            _move_rating(product.id, add=stars)  # same transaction as the review
            events.emit(events.ReviewPublished(brand.id, review.id, product.id, author.id))
            _product_changed(brand, product)
    _set_loaded(review, product, author)
    return review


_ALREADY_REVIEWED = (
    "You have already reviewed this product: edit your review instead of writing a second one."
)


def edit_review(author: User, review: Review, draft: ReviewDraft, *, now: datetime) -> Review:
    """Change the author's review, keeping what it said before as a revision.

    A changed rating moves between the histogram's bars and is shown on the review
    ("updated from 2 to 4 stars", "after the brand answered" when it had answered or
    marked the review resolved first). A rejected or removed review that its author
    edits goes back to the moderators as pending. New words the trust rules hold (a new
    member's repeated text, or mostly links) take the review back to the moderators'
    queue too, with the reason, out of the counts until approved.

    :raises Forbidden: the actor is not the author, or may not review the product.
    :raises Invalid: the rating, title or body breaks its rule, or a new member's limits
        (images, links) on the body.
    """
    if getattr(author, "id", None) is None or author.id != review.author_id:
        raise Forbidden("Only its author can edit a review.")
    product = _product_of(review)
    require_reviewer(author, product, now=now)
    stars, title, body = _clean_review(draft)
    held = None
    if body != review.body:
        # Only new words are screened (before the transaction, so a refusal changes
        # nothing): a new rating under words already let through needs no second look.
        editing = (ItemKind.REVIEW, review.id)
        held = trust.screen_text(author, review.brand_id, body, now, noun="review", editing=editing)
    with transaction():
        status, old_stars = _lock(review)
        if (stars, title, body) == (old_stars, review.title, review.body) and status in (
            ReviewStatus.PENDING,
            ReviewStatus.PUBLISHED,
        ):
            return review
        db.session.add(
            ReviewRevision(
                review_id=review.id,
                stars=old_stars,
                title=review.title,
                body=review.body,
                body_html=review.body_html,
                replaced_at=now,
            )
        )
        if stars != old_stars:
            review.previous_stars = old_stars
            review.stars_changed_at = now
            review.stars_changed_after_answer = (
                review.answered_at is not None or review.resolved_at is not None
            )
        if held is not None:
            # Her new words wait for a moderator, and the rating counts again once approved.
            if status is ReviewStatus.PUBLISHED:
                _move_rating(product.id, remove=old_stars)
            trust.hold_again(ItemKind.REVIEW, review.id, review.brand_id, author.id, held, now)
        elif stars != old_stars and status is ReviewStatus.PUBLISHED:
            _move_rating(product.id, remove=old_stars, add=stars)
        if held is not None or status in (ReviewStatus.REJECTED, ReviewStatus.REMOVED):
            # Fixed after a moderator's decision, or held: a moderator looks at it again.
            review.status = ReviewStatus.PENDING
            review.moderation_rule = None
            review.moderation_note = ""
        review.stars = stars
        review.title = title
        review.body = body
        review.body_html = render_markdown(body)
        review.edited_at = now
        review.edit_count = Review.edit_count + 1
        db.session.flush()
        db.session.refresh(review, ["edit_count"])
        if status is ReviewStatus.PUBLISHED:
            _product_changed(_brand_of(product), product)
    return review


def review_revisions(review: Review) -> list[ReviewRevision]:
    """A review's earlier versions, newest first."""
    return list(
        db.session.scalars(
            select(ReviewRevision)
            .where(ReviewRevision.review_id == review.id)
            .order_by(ReviewRevision.id.desc())
        )
    )


def set_verified_purchase(actor: Actor, review: Review, verified: bool, *, now: datetime) -> None:
    """Mark a review as from a verified purchase, or take the mark away.

    :raises Forbidden: the actor is not the brand's staff.
    """
    require(actor, Action.REVIEW_VERIFY, review.brand_id, now=now)
    if review.is_verified_purchase is verified:
        return
    with transaction():
        review.is_verified_purchase = verified
        if is_published(review):
            product = _product_of(review)
            _product_changed(_brand_of(product), product)


def _set_loaded(review: Review, product: Product, author: User) -> None:
    """Attach what the caller already holds, so a redirect or template needs no query."""
    set_committed_value(review, "product", product)
    if hasattr(author, "__table__"):
        set_committed_value(review, "author", author)
