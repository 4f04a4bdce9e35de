"""Review rules: products, writing and editing reviews, exact rating aggregates, helpful
votes, the conversation under a review, moderation of reviews, and the product page."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from fanhub.accounts.models import User, UserStatus
from fanhub.accounts.services import render_member_text
from fanhub.brands.models import Brand, Role
from fanhub.brands.services import access_brand_as
from fanhub.db import related, rows_changed, transaction
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.inputs import CURSOR_MESSAGE, MAX_ID, MAX_INT64, parse_int
from fanhub.links import site_path
from fanhub.moderation import trust
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Case, Decision, ItemKind
from fanhub.notifications.models import NotificationKind
from fanhub.notifications.services import Notice, notify, notify_each
from fanhub.permissions import Action, can, holds, participation_refusal, require
from fanhub.reviews import widget
from fanhub.reviews.models import (
    IMAGE_URL_MAX,
    MODERATION_NOTE_MAX,
    PRODUCT_DESCRIPTION_MAX,
    PRODUCT_NAME_MAX,
    PRODUCT_SLUG_PATTERN,
    REPLY_BODY_MAX,
    REVIEW_BODY_MAX,
    REVIEW_BODY_MIN,
    REVIEW_TITLE_MAX,
    REVIEWS_PER_PAGE,
    SKU_PATTERN,
    Product,
    ReplyStatus,
    Review,
    ReviewReply,
    ReviewRevision,
    ReviewRule,
    ReviewStatus,
    ReviewVote,
)
from fanhub.text import render_markdown

# One line of plain text: no tabs, newlines or other control characters.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A whole number of stars written as one digit: "4", not "4.5", "04", "four" or "٤".
STARS_INPUT = re.compile(r"[1-5]")
SORTS = ("helpful", "newest", "highest", "lowest")
QUEUE_PAGE_SIZE = 20
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STARS_MESSAGE = "Choose a rating from 1 to 5 stars."


@dataclass(frozen=True)
class ProductDraft:
    slug: str
    sku: str
    name: str
    description: str = ""
    image_url: str = ""


@dataclass(frozen=True)
class ReviewDraft:
    # The rating as typed or sent ("4"); the service decides whether it is one.
    stars: str | int
    title: str
    body: str


# ------------------------------------------------------------------ access


def access_product(brand_slug: str, product_slug: str) -> Product:
    """The product at `/b/<brand>/p/<product>`, with its brand.

    :raises NotFound: no such brand or product.
    """
    product = db.session.scalars(
        select(Product)
        .join(Brand, Brand.id == Product.brand_id)
        .options(joinedload(Product.brand))
        .where(Brand.slug == brand_slug.lower(), Product.slug == product_slug.lower())
    ).first()
    if product is None:
        raise NotFound("There is no such product.")
    return product


def access_product_as(
    actor: Any, brand_slug: str, product_slug: str, action: Action, *, now: datetime
) -> Product:
    """The product at `/b/<brand>/p/<product>`, for an actor who may do `action` there.

    :raises NotFound: no such brand or product.
    :raises Forbidden: the actor may not do it.
    """
    product = access_product(brand_slug, product_slug)
    require(actor, action, product.brand_id, now=now)
    return product


def access_brand_for_products(actor: Any, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose products the actor manages.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's staff.
    """
    return access_brand_as(actor, brand_slug, Action.PRODUCT_MANAGE, now=now)


def access_product_for_management(
    actor: Any, brand_slug: str, product_slug: str, *, now: datetime
) -> Product:
    """A product the actor may edit.

    :raises NotFound: no such brand or product.
    :raises Forbidden: the actor is not the brand's staff.
    """
    return access_product_as(actor, brand_slug, product_slug, Action.PRODUCT_MANAGE, now=now)


def access_brand_for_answering(actor: Any, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose unanswered reviews the actor works through.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's staff.
    """
    return access_brand_as(actor, brand_slug, Action.REVIEW_ANSWER, now=now)


def access_brand_for_moderation(actor: Any, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose pending reviews the actor decides on.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's moderator.
    """
    return access_brand_as(actor, brand_slug, Action.REVIEW_MODERATE, now=now)


def access_review(review_id: int) -> Review:
    """A review with its product, brand and author (whatever its status: callers decide
    who may see a review that is not published).

    :raises NotFound: no such review.
    """
    review = db.session.scalars(
        select(Review)
        .options(
            joinedload(Review.product).joinedload(Product.brand),
            joinedload(Review.author),
        )
        .where(Review.id == review_id)
    ).first()
    if review is None:
        raise NotFound("There is no such review.")
    return review


def can_see(viewer: Any, review: Review, *, now: datetime) -> bool:
    """Published reviews are public; any other only to its author and the moderators."""
    if review.status is ReviewStatus.PUBLISHED:
        return True
    if getattr(viewer, "is_authenticated", False) and viewer.id == review.author_id:
        return True
    return can(viewer, Action.REVIEW_MODERATE, review.brand_id, now=now)


def access_visible_review(
    viewer: Any, brand_slug: str, product_slug: str, review_id: int, *, now: datetime
) -> Review:
    """The review at `/b/<brand>/p/<product>/r/<id>`, if this viewer may see it.

    :raises NotFound: no such review under that product, or it is hidden from the viewer.
    """
    review = access_review(review_id)
    product = review.product
    if (
        product.slug != product_slug.lower()
        or product.brand.slug != brand_slug.lower()
        or not can_see(viewer, review, now=now)
    ):
        raise NotFound("There is no such review.")
    return review


def own_review(author: Any, product: Product) -> Review | None:
    """The viewer's own review of the product, whatever its status, or None."""
    if not getattr(author, "is_authenticated", False) or getattr(author, "id", None) is None:
        return None
    return db.session.scalars(
        select(Review)
        .options(
            joinedload(Review.author),
            joinedload(Review.latest_answer).joinedload(ReviewReply.author),
        )
        .where(Review.product_id == product.id, Review.author_id == author.id)
    ).first()


# ---------------------------------------------------------------- products


def list_products(brand_id: int) -> list[Product]:
    """A brand's products by name."""
    return list(
        db.session.scalars(
            select(Product).where(Product.brand_id == brand_id).order_by(Product.name, Product.id)
        )
    )


@dataclass
class ProductRow:
    product: Product
    # Reviews waiting for a moderator, and published ones the brand has not answered.
    pending_count: int
    unanswered_count: int


def product_list(actor: Any, brand: Brand, *, now: datetime) -> list[ProductRow]:
    """The brand's products for its staff, with what waits on each.

    :raises Forbidden: the actor is not the brand's staff.
    """
    require(actor, Action.PRODUCT_MANAGE, brand.id, now=now)
    products = list_products(brand.id)
    waiting: dict[tuple[int, str], int] = {}
    # Two numbers no counter holds, for one brand's products: one grouped query.
    for product_id, kind, count in db.session.execute(
        select(Review.product_id, Review.status, func.count())
        .where(
            Review.brand_id == brand.id,
            or_(
                Review.status == ReviewStatus.PENDING,
                and_(Review.status == ReviewStatus.PUBLISHED, Review.answered_at.is_(None)),
            ),
        )
        .group_by(Review.product_id, Review.status)
    ):
        waiting[(product_id, ReviewStatus(kind).value)] = count
    return [
        ProductRow(
            product,
            waiting.get((product.id, ReviewStatus.PENDING.value), 0),
            waiting.get((product.id, ReviewStatus.PUBLISHED.value), 0),
        )
        for product in products
    ]


def create_product(actor: Any, brand: Brand, draft: ProductDraft, *, now: datetime) -> Product:
    """Add a product to the brand.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Invalid: a field breaks its rule.
    :raises Conflict: the brand already has a product at that address or with that SKU.
    """
    require(actor, Action.PRODUCT_MANAGE, brand.id, now=now)
    clean = _clean_product(draft)
    _check_product_names_free(brand, clean)
    product = Product(
        brand_id=brand.id,
        slug=clean.slug,
        sku=clean.sku,
        name=clean.name,
        description=clean.description,
        image_url=clean.image_url,
        rating_count=0,
        rating_sum=0,
        stars_1=0,
        stars_2=0,
        stars_3=0,
        stars_4=0,
        stars_5=0,
        created_at=now,
        updated_at=now,
    )
    with transaction():
        db.session.add(product)
        try:
            db.session.flush()  # the unique keys answer a race the check above lost
        except IntegrityError:
            raise Conflict(_TAKEN_JUST_NOW, field="slug") from None
    set_committed_value(product, "brand", brand)
    widget.forget_summary(brand.slug, product.slug, product.sku)
    return product


def update_product(actor: Any, product: Product, draft: ProductDraft, *, now: datetime) -> Product:
    """Change a product's address, SKU, name, description or image.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Invalid: a field breaks its rule.
    :raises Conflict: another product of the brand has that address or SKU.
    """
    require(actor, Action.PRODUCT_MANAGE, product.brand_id, now=now)
    clean = _clean_product(draft)
    brand = _brand_of(product)
    _check_product_names_free(brand, clean, product.id)
    old_slug, old_sku = product.slug, product.sku
    with transaction():
        product.slug = clean.slug
        product.sku = clean.sku
        product.name = clean.name
        product.description = clean.description
        product.image_url = clean.image_url
        product.updated_at = now
        try:
            db.session.flush()  # the unique keys answer a race the check above lost
        except IntegrityError:
            raise Conflict(_TAKEN_JUST_NOW, field="slug") from None
    # The widget may hold the product under its old names as well as its new ones.
    widget.forget_summary(brand.slug, old_slug, old_sku)
    widget.forget_summary(brand.slug, product.slug, product.sku)
    return product


_TAKEN_JUST_NOW = "Another product just took that address or SKU. Please choose another."


def _clean_product(draft: ProductDraft) -> ProductDraft:
    problems: dict[str, str] = {}
    slug = draft.slug.strip().lower()
    if not re.fullmatch(PRODUCT_SLUG_PATTERN, slug):
        problems["slug"] = (
            "A product's address uses 1–80 lower-case letters, digits and inner dashes."
        )
    sku = draft.sku.strip()
    if not re.fullmatch(SKU_PATTERN, sku):
        problems["sku"] = (
            "A SKU is 1–64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit."
        )
    name = " ".join(draft.name.split())
    if CONTROL_CHARACTERS.search(draft.name.strip()):
        problems["name"] = "A product name is one line of plain text."
    elif not name or len(name) > PRODUCT_NAME_MAX:
        problems["name"] = f"Name the product in 1–{PRODUCT_NAME_MAX} characters."
    description = draft.description.replace("\r\n", "\n").strip()
    if len(description) > PRODUCT_DESCRIPTION_MAX:
        problems["description"] = f"Keep the description to {PRODUCT_DESCRIPTION_MAX:,} characters."
    image_url = draft.image_url.strip()
    if image_url and not _is_https_url(image_url):
        problems["image_url"] = (
            "The image address must start with https:// (shops show it on secure pages)."
        )
    elif len(image_url) > IMAGE_URL_MAX:
        problems["image_url"] = f"Keep the image address to {IMAGE_URL_MAX} characters."
    _raise_first(problems)
    return ProductDraft(slug, sku, name, description, image_url)


def _is_https_url(value: str) -> bool:
    if any(c.isspace() or ord(c) < 0x20 for c in value) or "\\" in value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and not parts.username


def _check_product_names_free(brand: Brand, clean: ProductDraft, product_id: int = 0) -> None:
    problems: dict[str, str] = {}
    for slug, sku in db.session.execute(
        select(Product.slug, Product.sku).where(
            Product.brand_id == brand.id,
            Product.id != product_id,
            or_(Product.slug == clean.slug, Product.sku == clean.sku),
        )
    ):
        if slug == clean.slug:
            problems["slug"] = f"{brand.name} already has a product at /p/{clean.slug}."
        if sku == clean.sku:
            problems["sku"] = f"{brand.name} already has a product with SKU {clean.sku}."
    _raise_first(problems, Conflict)


def _raise_first(problems: dict[str, str], error: type[Invalid | Conflict] = Invalid) -> None:
    """Raise one error naming every field that broke its rule, the first as the main one."""
    if problems:
        first, *rest = problems.items()
        raise error(first[1], field=first[0], also=dict(rest))


# ------------------------------------------------------------ exact ratings


def _move_rating(product_id: int, *, remove: int | None = None, add: int | None = None) -> None:
    """Take one published rating off the product's counters and/or put one on (no commit).

    One UPDATE in SQL moves the count, the sum and both histogram bars, so the row's
    CHECK constraints hold after every statement and two writers at once both count.
    """
    if remove == add:
        return
    values: dict[str, Any] = {
        "rating_count": Product.rating_count + int(add is not None) - int(remove is not None),
        "rating_sum": Product.rating_sum + (add or 0) - (remove or 0),
    }
    if remove is not None:
        values[f"stars_{remove}"] = getattr(Product, f"stars_{remove}") - 1
    if add is not None:
        values[f"stars_{add}"] = getattr(Product, f"stars_{add}") + 1
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )


def _lock(review: Review) -> tuple[ReviewStatus, int]:
    """The review's status and rating as committed now, its row locked until commit.

    Counters move by what the row says at the moment of the change, not by what was read
    earlier in the request: an author editing while a moderator removes must not count twice.
    The text is read again too, so the revision an edit keeps is what it really replaced.
    """
    row = db.session.execute(
        select(Review.status, Review.stars, Review.title, Review.body, Review.body_html)
        .where(Review.id == review.id)
        .with_for_update()
    ).one()
    set_committed_value(review, "title", row.title)
    set_committed_value(review, "body", row.body)
    set_committed_value(review, "body_html", row.body_html)
    return ReviewStatus(row.status), int(row.stars)


# ----------------------------------------------------------------- writing


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
    if CONTROL_CHARACTERS.search(draft.title.strip()):
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


def writing_refusal(author: Any, product: Product, *, now: datetime) -> str | None:
    """Why this person may not write (or edit) a review of the product, or None if she may."""
    if not getattr(author, "is_authenticated", False) or getattr(author, "id", None) is None:
        return "Log in to write a review."
    if not can(author, Action.REVIEW_WRITE, product.brand_id, now=now):
        try:
            require(author, Action.REVIEW_WRITE, product.brand_id, now=now)
        except Forbidden as err:
            return err.message
    if holds(author, product.brand_id, Role.OWNER, Role.STAFF):
        # Reviews are customers' words: a brand's own team reviewing it would mislead.
        return (
            f"You are on {_brand_of(product).name}'s team, so you can't review its products. "
            "You can answer reviews instead."
        )
    return None


def require_reviewer(author: Any, product: Product, *, now: datetime) -> None:
    """Refuse anyone who may not review the product.

    :raises Forbidden: not signed in, suspended, or on the brand's team (owner or staff).
    """
    refusal = writing_refusal(author, product, now=now)
    if refusal is not None:
        raise Forbidden(refusal)


def submit_review(author: Any, product: Product, draft: ReviewDraft, *, now: datetime) -> Review:
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
    _set_loaded(review, product, author)
    if held is None:
        widget.forget_summary(brand.slug, product.slug, product.sku)
    return review


_ALREADY_REVIEWED = (
    "You have already reviewed this product: edit your review instead of writing a second one."
)


def edit_review(author: Any, review: Review, draft: ReviewDraft, *, now: datetime) -> Review:
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
        _forget(product)
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


def set_verified_purchase(actor: Any, review: Review, verified: bool, *, now: datetime) -> None:
    """Mark a review as from a verified purchase, or take the mark away.

    :raises Forbidden: the actor is not the brand's staff.
    """
    require(actor, Action.REVIEW_VERIFY, review.brand_id, now=now)
    if review.is_verified_purchase is verified:
        return
    with transaction():
        review.is_verified_purchase = verified
    if review.status is ReviewStatus.PUBLISHED:
        _forget(_product_of(review))


# ----------------------------------------------------------- helpful votes


def vote_helpful(actor: Any, review: Review, *, now: datetime) -> None:
    """Count the member's "helpful" vote for a review (one per member per review).

    :raises Forbidden: suspended, her own review, or she is on the brand's team.
    :raises Conflict: the review is not published, or she already voted for it.
    """
    _require_voter(actor, review, now=now)
    already = "You already marked this review as helpful."
    if (
        db.session.scalar(
            select(ReviewVote.id).where(
                ReviewVote.review_id == review.id, ReviewVote.user_id == actor.id
            )
        )
        is not None
    ):
        raise Conflict(already)
    with transaction():
        db.session.add(ReviewVote(review_id=review.id, user_id=actor.id, created_at=now))
        try:
            db.session.flush()  # a double click sends two; the unique key keeps one
        except IntegrityError:
            raise Conflict(already) from None
        _move_helpful(review.id, 1)
    _forget(_product_of(review))


def withdraw_helpful(actor: Any, review: Review, *, now: datetime) -> None:
    """Take back the member's "helpful" vote.

    :raises Forbidden: suspended, her own review, or she is on the brand's team.
    :raises Conflict: the review is not published, or she had not voted for it.
    """
    _require_voter(actor, review, now=now)
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(ReviewVote).where(
                    ReviewVote.review_id == review.id, ReviewVote.user_id == actor.id
                )
            )
        )
        if not removed:
            raise Conflict("You had not marked this review as helpful.")
        _move_helpful(review.id, -1)
    _forget(_product_of(review))


def _require_voter(actor: Any, review: Review, *, now: datetime) -> None:
    require(actor, Action.REVIEW_VOTE, review.brand_id, now=now)
    if actor.id == review.author_id:
        raise Forbidden("You can't vote for your own review.")
    if holds(actor, review.brand_id, Role.OWNER, Role.STAFF):
        # "Most helpful" decides what shoppers read first: not the brand's call.
        raise Forbidden("The brand's team can't vote on reviews of its products.")
    if review.status is not ReviewStatus.PUBLISHED:
        raise Conflict("Only published reviews can be voted helpful.")


def _move_helpful(review_id: int, delta: int) -> None:
    # In SQL, so two members voting at the same instant both count.
    db.session.execute(
        update(Review)
        .where(Review.id == review_id)
        .values(helpful_count=Review.helpful_count + delta)
        .execution_options(synchronize_session=False)
    )


# ------------------------------------------------------------ conversation


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


def reply_to_review(author: Any, review: Review, body: str, *, now: datetime) -> ReviewReply:
    """Add a message under a published review.

    The brand's owners and staff answer officially: the first answer stamps the review
    answered, the latest is shown under it, and the reviewer is told. A member's reply
    tells the reviewer too. A reply the trust rules hold (fanhub.moderation.trust
    .screen_text) waits, pending, in the moderators' queue: shown only to its author
    and the moderators, counted nowhere and told to nobody until it is approved.

    :raises Forbidden: the author is suspended.
    :raises Invalid: the body breaks its rule, or a new member's limits (images, links).
    :raises Conflict: the review is not published.
    """
    require(author, Action.REVIEW_REPLY, review.brand_id, now=now)
    text = clean_reply(body)
    if review.status is not ReviewStatus.PUBLISHED:
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
    set_committed_value(reply, "author", author if hasattr(author, "__table__") else None)
    if held is None:
        db.session.refresh(review, ["reply_count", "answered_at", "latest_answer_id"])
        if official:
            _forget(product)
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
    return db.session.scalar(_rejected_while_held(reply.id)) is not None


def _rejected_while_held(reply_id: Any) -> Any:
    """The reply's case, if its last decision was a rejection: a decision only ever made
    about items waiting for a moderator (fanhub.moderation)."""
    return select(Case.id).where(
        Case.item_kind == ItemKind.REVIEW_REPLY,
        Case.item_id == reply_id,
        Case.last_decision == Decision.REJECT,
    )


def _publish_reply(
    review: Review,
    product: Product,
    brand: Brand,
    reply: ReviewReply,
    author: Any,
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
    who = getattr(author, "name", None) or author.username
    url = _review_path(brand, product, review, anchor=f"reply-{reply.id}")
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
            )
        )
    notify_each(notices, actor_id=author.id, now=now)


def mark_resolved(actor: Any, review: Review, *, now: datetime) -> None:
    """Close the loop: the brand marks the review's conversation resolved and invites the
    reviewer to update her rating.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Conflict: the review is not published, or is already resolved.
    """
    require(actor, Action.REVIEW_ANSWER, review.brand_id, now=now)
    if review.status is not ReviewStatus.PUBLISHED:
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
            )
    review.resolved_at = now


# -------------------------------------------------------------- moderation


def approve_review(moderator: Any, review: Review, *, now: datetime) -> None:
    """Publish a pending review; it counts from now on.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Conflict: the review is not pending.
    """
    _moderate(moderator, review, ReviewStatus.PENDING, ReviewStatus.PUBLISHED, None, "", now)


def reject_review(
    moderator: Any, review: Review, rule: ReviewRule | str, note: str = "",
    *, now: datetime,
) -> None:  # fmt: skip
    """Refuse a pending review, telling its author which rule it broke.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Invalid: no rule, or the note is too long.
    :raises Conflict: the review is not pending.
    """
    _moderate(moderator, review, ReviewStatus.PENDING, ReviewStatus.REJECTED, rule, note, now)


def remove_review(
    moderator: Any, review: Review, rule: ReviewRule | str, note: str = "",
    *, now: datetime,
) -> None:  # fmt: skip
    """Take a published review down (reversibly), telling its author which rule it broke.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Invalid: no rule, or the note is too long.
    :raises Conflict: the review is not published.
    """
    _moderate(moderator, review, ReviewStatus.PUBLISHED, ReviewStatus.REMOVED, rule, note, now)


def restore_review(moderator: Any, review: Review, *, now: datetime) -> None:
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
    moderator: Any,
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
            )
    if ReviewStatus.PUBLISHED in (status, target):
        _forget(product)


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


# ------------------------------------------------------------------- pages


@dataclass
class ProductPage:
    """Everything the product page shows, and what this viewer may do there."""

    product: Product
    reviews: list[Review]
    sort: str
    stars: int | None
    cursor: str | None
    next_cursor: str | None
    # The viewer's own review, whatever its status (shown to her with why, if hidden).
    my_review: Review | None = None
    # Reviews on this page the viewer found helpful.
    my_votes: set[int] = field(default_factory=set)
    viewer_id: int | None = None
    # The brand marked her review resolved and she has not changed her rating since.
    invite_update: bool = False
    can_write: bool = False
    write_refusal: str | None = None
    can_vote: bool = False
    can_answer: bool = False
    can_moderate: bool = False
    can_verify: bool = False
    can_manage: bool = False
    can_flag: bool = False
    # schema.org Product + AggregateRating + Review, or None without published reviews.
    schema: dict[str, Any] | None = None


def product_page(
    viewer: Any,
    product: Product,
    *,
    sort: str = "helpful",
    stars: str | int | None = None,
    cursor: str | None = None,
    url: str | None = None,
    now: datetime,
) -> ProductPage:
    """One page of a product's published reviews, 10 at a time, paged by a cursor.

    `sort` is helpful (most helpful first), newest, highest or lowest; `stars` keeps
    only reviews with that many stars. `url` is the page's public address for the
    schema.org block.

    :raises Invalid: the star filter or the cursor is not one this page handed out.
    """
    if sort not in SORTS:
        sort = "helpful"
    wanted = None
    if stars not in (None, ""):
        try:
            wanted = parse_stars(stars)
        except Invalid:
            raise Invalid("Filter by 1 to 5 stars.") from None
    query = (
        select(Review)
        .options(
            joinedload(Review.author),
            joinedload(Review.latest_answer).joinedload(ReviewReply.author),
        )
        .where(Review.product_id == product.id, Review.status == ReviewStatus.PUBLISHED)
    )
    if wanted is not None:
        query = query.where(Review.stars == wanted)
    query = _keyset(query, sort, cursor)
    reviews = list(db.session.scalars(query.limit(REVIEWS_PER_PAGE + 1)).unique())
    next_cursor = None
    if len(reviews) > REVIEWS_PER_PAGE:
        reviews = reviews[:REVIEWS_PER_PAGE]
        next_cursor = _make_cursor(reviews[-1], sort)
    page = ProductPage(product, reviews, sort, wanted, cursor, next_cursor)
    brand = _brand_of(product)
    if product.rating_count:
        page.schema = product_schema(product, brand, reviews, url=url)
    refusal = writing_refusal(viewer, product, now=now)
    page.can_write = refusal is None
    if getattr(viewer, "is_authenticated", False):
        page.viewer_id = viewer.id
        page.write_refusal = refusal
        page.my_review = mine = own_review(viewer, product)
        page.invite_update = bool(
            mine
            and mine.resolved_at
            and (mine.stars_changed_at is None or mine.stars_changed_at < mine.resolved_at)
        )
        page.can_vote = can(viewer, Action.REVIEW_VOTE, brand.id, now=now) and not holds(
            viewer, brand.id, Role.OWNER, Role.STAFF
        )
        if page.can_vote and reviews:
            page.my_votes = set(
                db.session.scalars(
                    select(ReviewVote.review_id).where(
                        ReviewVote.user_id == viewer.id,
                        ReviewVote.review_id.in_([r.id for r in reviews]),
                    )
                )
            )
        page.can_answer = can(viewer, Action.REVIEW_ANSWER, brand.id, now=now)
        page.can_moderate = can(viewer, Action.REVIEW_MODERATE, brand.id, now=now)
        page.can_verify = can(viewer, Action.REVIEW_VERIFY, brand.id, now=now)
        page.can_manage = can(viewer, Action.PRODUCT_MANAGE, brand.id, now=now)
        page.can_flag = can(viewer, Action.CONTENT_FLAG, brand.id, now=now)
    return page


# Each sort's column and whether it runs high to low; ties go newest first.
_SORT_COLUMNS = {
    "helpful": (Review.helpful_count, True),
    "highest": (Review.stars, True),
    "lowest": (Review.stars, False),
}


def _keyset(query: Any, sort: str, cursor: str | None) -> Any:
    """Order by the sort's column, then newest first, resuming after `cursor`.

    A range on an indexed column, never OFFSET: page 500 costs what page 1 does.
    """
    if sort == "newest":
        if cursor is not None:
            query = query.where(Review.id < _parse_cursor(cursor, single=True)[1])
        return query.order_by(Review.id.desc())
    column, descending = _SORT_COLUMNS[sort]
    if cursor is not None:
        value, last_id = _parse_cursor(cursor)
        beyond = column < value if descending else column > value
        query = query.where(or_(beyond, and_(column == value, Review.id < last_id)))
    return query.order_by(column.desc() if descending else column.asc(), Review.id.desc())


def _make_cursor(review: Review, sort: str) -> str:
    if sort == "newest":
        return str(review.id)
    value = review.helpful_count if sort == "helpful" else review.stars
    return f"{value}_{review.id}"


def _parse_cursor(cursor: str, single: bool = False) -> tuple[int, int]:
    if single:
        return 0, parse_int(cursor, lo=0, hi=MAX_ID, message=CURSOR_MESSAGE)
    value, _, last_id = cursor.partition("_")
    return (
        parse_int(value, lo=-MAX_ID, hi=MAX_ID, message=CURSOR_MESSAGE),
        parse_int(last_id, lo=0, hi=MAX_ID, message=CURSOR_MESSAGE),
    )


def product_schema(
    product: Product, brand: Brand, reviews: list[Review], *, url: str | None = None
) -> dict[str, Any] | None:
    """schema.org Product + AggregateRating (+ Review) built from published reviews only,
    by the same builder as the widget's block, so a shop and fanhub say the same thing.

    None before the first published review. Never Organization or LocalBusiness
    ratings: search engines ignore a business's ratings of itself, and so do we.
    """
    published = [r for r in reviews if r.status is ReviewStatus.PUBLISHED]
    items = [
        {
            "title": r.title,
            "body": widget.plain_text(r.body_html, limit=REVIEW_BODY_MAX)[0],
            "created_at": (r.published_at or r.created_at).isoformat(),
            "author": _author_name(r),
            "stars": r.stars,
        }
        for r in published
    ]
    block = widget.schema_org(product, brand, url or "", items, most=len(items))
    if block is not None:
        if not url:
            del block["url"]
        if product.description:
            block["description"] = product.description
    return block


def _author_name(review: Review) -> str:
    author = review.author
    if author is None or author.status.value == "deleted":
        return "A former member"
    return author.name


@dataclass
class ReviewPage:
    """A review and the whole conversation under it, and what this viewer may do there."""

    review: Review
    replies: list[ReviewReply]
    viewer_id: int | None = None
    is_author: bool = False
    has_voted: bool = False
    can_reply: bool = False
    # Why a signed-in viewer may not reply (suspended), said where the form would be.
    reply_refusal: str | None = None
    can_vote: bool = False
    can_answer: bool = False
    can_resolve: bool = False
    can_moderate: bool = False
    can_verify: bool = False
    can_edit: bool = False
    can_flag: bool = False
    # Replies moderation hid that this viewer still sees: her own, or all for moderators.
    sees_hidden_of: set[int] = field(default_factory=set)


def review_page(viewer: Any, review: Review, *, now: datetime) -> ReviewPage:
    """A review with every reply under it, oldest first; a reply waiting for a moderator
    only for its author and the moderators (nobody else knows of it yet)."""
    signed_in = getattr(viewer, "is_authenticated", False)
    brand_id = review.brand_id
    moderator = signed_in and can(viewer, Action.CONTENT_MODERATE, brand_id, now=now)
    query = (
        select(ReviewReply)
        .options(joinedload(ReviewReply.author))
        .where(ReviewReply.review_id == review.id)
        .order_by(ReviewReply.id)
    )
    if not moderator:
        # Never published: waiting for a moderator, or refused while it waited.
        unpublished = or_(
            ReviewReply.status == ReplyStatus.PENDING,
            and_(
                ReviewReply.status == ReplyStatus.REMOVED,
                _rejected_while_held(ReviewReply.id).exists(),
            ),
        )
        if signed_in:
            unpublished = and_(unpublished, ReviewReply.author_id != viewer.id)
        query = query.where(~unpublished)
    replies = list(db.session.scalars(query))
    page = ReviewPage(review, replies)
    if not signed_in:
        return page
    published = review.status is ReviewStatus.PUBLISHED
    page.viewer_id = viewer.id
    page.is_author = viewer.id == review.author_id
    page.can_reply = published and can(viewer, Action.REVIEW_REPLY, brand_id, now=now)
    if published and not page.can_reply:
        page.reply_refusal = participation_refusal(viewer, now=now)
    page.can_vote = (
        published
        and not page.is_author
        and can(viewer, Action.REVIEW_VOTE, brand_id, now=now)
        and not holds(viewer, brand_id, Role.OWNER, Role.STAFF)
    )
    if page.can_vote:
        page.has_voted = (
            db.session.scalar(
                select(ReviewVote.id).where(
                    ReviewVote.review_id == review.id, ReviewVote.user_id == viewer.id
                )
            )
            is not None
        )
    page.can_answer = published and can(viewer, Action.REVIEW_ANSWER, brand_id, now=now)
    page.can_resolve = page.can_answer and review.resolved_at is None
    page.can_moderate = can(viewer, Action.REVIEW_MODERATE, brand_id, now=now)
    page.can_verify = can(viewer, Action.REVIEW_VERIFY, brand_id, now=now)
    page.can_edit = page.is_author and writing_refusal(viewer, review.product, now=now) is None
    page.can_flag = published and can(viewer, Action.CONTENT_FLAG, brand_id, now=now)
    page.sees_hidden_of = {
        reply.id
        for reply in replies
        if reply.status is not ReplyStatus.VISIBLE and (moderator or reply.author_id == viewer.id)
    }
    return page


@dataclass
class ReviewQueue:
    """A page of a brand's reviews waiting on someone, and where the next page starts."""

    brand: Brand
    reviews: list[Review]
    next_cursor: str | None
    # Why the trust rules held a pending review (fanhub.moderation.trust), by review id.
    hold_reasons: dict[int, str] = field(default_factory=dict)


def unanswered_reviews(
    actor: Any, brand: Brand, *, cursor: str | None = None, now: datetime
) -> ReviewQueue:
    """Published reviews the brand has not answered: lowest rating first, then oldest.

    :raises Forbidden: the actor is not the brand's staff.
    :raises Invalid: the cursor is not one this page handed out.
    """
    require(actor, Action.REVIEW_ANSWER, brand.id, now=now)
    query = _queue_query(brand).where(
        Review.status == ReviewStatus.PUBLISHED, Review.answered_at.is_(None)
    )
    if cursor is not None:
        stars, written, last_id = _parse_queue_cursor(cursor)
        query = query.where(
            or_(
                Review.stars > stars,
                and_(Review.stars == stars, Review.created_at > written),
                and_(Review.stars == stars, Review.created_at == written, Review.id > last_id),
            )
        )
    reviews = list(
        db.session.scalars(
            query.order_by(Review.stars, Review.created_at, Review.id).limit(QUEUE_PAGE_SIZE + 1)
        )
    )
    next_cursor = None
    if len(reviews) > QUEUE_PAGE_SIZE:
        reviews = reviews[:QUEUE_PAGE_SIZE]
        last = reviews[-1]
        # Whole microseconds since the epoch: exact, where a float timestamp could round.
        micros = (last.created_at - EPOCH) // timedelta(microseconds=1)
        next_cursor = f"{last.stars}_{micros}_{last.id}"
    return ReviewQueue(brand, reviews, next_cursor)


def pending_reviews(
    actor: Any, brand: Brand, *, cursor: str | None = None, now: datetime
) -> ReviewQueue:
    """Reviews waiting for a moderator, oldest first.

    :raises Forbidden: the actor is not the brand's moderator.
    :raises Invalid: the cursor is not one this page handed out.
    """
    require(actor, Action.REVIEW_MODERATE, brand.id, now=now)
    query = _queue_query(brand).where(Review.status == ReviewStatus.PENDING)
    if cursor is not None:
        query = query.where(Review.id > _parse_cursor(cursor, single=True)[1])
    reviews = list(db.session.scalars(query.order_by(Review.id).limit(QUEUE_PAGE_SIZE + 1)))
    next_cursor = None
    if len(reviews) > QUEUE_PAGE_SIZE:
        reviews = reviews[:QUEUE_PAGE_SIZE]
        next_cursor = str(reviews[-1].id)
    reasons = trust.hold_reasons(ItemKind.REVIEW, [review.id for review in reviews])
    return ReviewQueue(brand, reviews, next_cursor, reasons)


def _parse_queue_cursor(cursor: str) -> tuple[int, datetime, int]:
    stars, _, rest = cursor.partition("_")
    moment, _, last_id = rest.partition("_")
    micros = parse_int(moment, lo=0, hi=MAX_INT64, message=CURSOR_MESSAGE)
    try:
        since = EPOCH + timedelta(microseconds=micros)
    except OverflowError:  # past the year 9999
        raise Invalid(CURSOR_MESSAGE) from None
    return (
        parse_int(stars, lo=-MAX_ID, hi=MAX_ID, message=CURSOR_MESSAGE),
        since,
        parse_int(last_id, lo=0, hi=MAX_ID, message=CURSOR_MESSAGE),
    )


def _queue_query(brand: Brand) -> Any:
    return (
        select(Review)
        .options(joinedload(Review.author), joinedload(Review.product))
        .where(Review.brand_id == brand.id)
    )


# ----------------------------------------------------------------- helpers


def _brand_of(product: Product) -> Brand:
    """The product's brand, loaded if the caller did not load it with the product."""
    return related(product, "brand", "There is no such brand.")


def _product_of(review: Review) -> Product:
    """The review's product, loaded if the caller did not load it with the review."""
    return related(review, "product", "There is no such product.")


def _set_loaded(review: Review, product: Product, author: Any) -> None:
    """Attach what the caller already holds, so a redirect or template needs no query."""
    set_committed_value(review, "product", product)
    if hasattr(author, "__table__"):
        set_committed_value(review, "author", author)


def _review_path(brand: Brand, product: Product, review: Review, anchor: str = "") -> str:
    path = site_path("reviews.review", brand=brand.slug, product=product.slug, review_id=review.id)
    return f"{path}#{anchor}" if anchor else path


def _forget(product: Product) -> None:
    """Drop the widget's cached summary of the product; call after commit."""
    widget.forget_summary(_brand_of(product).slug, product.slug, product.sku)


# ------------------------------------------------- for fanhub.moderation


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
    elif status is ReviewStatus.PUBLISHED:
        _move_rating(product_id, remove=stars)
    review.status = target
    review.moderation_rule = rule
    review.moderation_note = " ".join(note.split())[:MODERATION_NOTE_MAX] if rule else ""
    review.moderated_at = now
    return status


def forget_review_summary(review: Review) -> None:
    """Drop the widget's cached summary of the review's product; call after commit."""
    _forget(_product_of(review))


# ------------------------------------------------- for fanhub.accounts.privacy


def remove_reviews_of(author_id: int, now: datetime) -> None:
    """Remove every review and reply of a member who deletes her account with her content,
    keeping each product's rating and each review's reply count exact (no commit).

    The caller forgets the widget's summaries after commit.
    """
    # Her reviews as they stand now, locked until commit: a moderator deciding on one at
    # the same instant waits, so no rating is taken off twice.
    db.session.execute(
        select(Review.id).where(Review.author_id == author_id).with_for_update()
    ).all()
    published = (Review.author_id == author_id, Review.status == ReviewStatus.PUBLISHED)

    def counted(*where: Any) -> Any:
        # Her published reviews of this product with `where` (she wrote at most one).
        return (
            select(func.count())
            .select_from(Review)
            .where(Review.product_id == Product.id, *published, *where)
            .scalar_subquery()
        )

    stars_taken = (
        select(func.coalesce(func.sum(Review.stars), 0))
        .where(Review.product_id == Product.id, *published)
        .scalar_subquery()
    )
    values: dict[str, Any] = {
        "rating_count": Product.rating_count - counted(),
        "rating_sum": Product.rating_sum - stars_taken,
    }
    for stars in range(1, 6):
        column = getattr(Product, f"stars_{stars}")
        values[column.key] = column - counted(Review.stars == stars)
    # One UPDATE moves count, sum and histogram together, so the CHECKs hold throughout.
    db.session.execute(
        update(Product)
        .where(Product.id.in_(select(Review.product_id).where(*published)))
        .values(values)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Review)
        .where(Review.author_id == author_id, Review.status != ReviewStatus.REMOVED)
        .values(status=ReviewStatus.REMOVED, moderated_at=now)
        .execution_options(synchronize_session=False)
    )
    # Her replies that were published (shown, or hidden since) leave their reviews' counts.
    her_replies = (
        ReviewReply.author_id == author_id,
        ReviewReply.status.in_((ReplyStatus.VISIBLE, ReplyStatus.HIDDEN)),
    )
    db.session.execute(
        update(Review)
        .where(Review.id.in_(select(ReviewReply.review_id).where(*her_replies)))
        .values(
            reply_count=Review.reply_count
            - select(func.count())
            .select_from(ReviewReply)
            .where(ReviewReply.review_id == Review.id, *her_replies)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ReviewReply)
        .where(ReviewReply.author_id == author_id)
        .values(status=ReplyStatus.REMOVED)
        .execution_options(synchronize_session=False)
    )
    # Where her answer was the one shown under a review, the brand's previous answer is.
    previous = (
        select(func.max(ReviewReply.id))
        .where(
            ReviewReply.review_id == Review.id,
            ReviewReply.is_official.is_(True),
            ReviewReply.status == ReplyStatus.VISIBLE,
        )
        .scalar_subquery()
    )
    db.session.execute(
        update(Review)
        .where(
            Review.latest_answer_id.in_(
                select(ReviewReply.id).where(ReviewReply.author_id == author_id)
            )
        )
        .values(latest_answer_id=previous)
        .execution_options(synchronize_session=False)
    )
