"""The reviews' kinds of content, reviews and the replies under them, as the content
registry offers them to moderation, the data export and later search (`fanhub.content`)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import joinedload

from fanhub.brands.models import Brand
from fanhub.content import (
    GONE,
    HIDDEN,
    PENDING,
    REMOVED,
    VISIBLE,
    Item,
    ItemKind,
    author_or_role_clause,
)
from fanhub.errors import Conflict
from fanhub.extensions import db
from fanhub.links import site_path
from fanhub.moderation.models import Case, CaseStatus, ModerationRule
from fanhub.permissions import Action, Actor, can
from fanhub.reviews import personal_data, visibility
from fanhub.reviews import services as reviews
from fanhub.reviews.models import (
    Product,
    ReplyStatus,
    Review,
    ReviewReply,
    ReviewRule,
    ReviewStatus,
)

# A review's status in the registry's words, and back for what moderation sets.
_STATES = {
    ReviewStatus.PUBLISHED: VISIBLE,
    ReviewStatus.HIDDEN: HIDDEN,
    ReviewStatus.REMOVED: REMOVED,
    ReviewStatus.PENDING: PENDING,
    ReviewStatus.REJECTED: GONE,
}
_STATUSES = {
    VISIBLE: ReviewStatus.PUBLISHED,
    HIDDEN: ReviewStatus.HIDDEN,
    REMOVED: ReviewStatus.REMOVED,
}
# The site's rules as a review's author is told them; off topic, for a review, is not
# about the product.
_RULES = {
    ModerationRule.SPAM: ReviewRule.SPAM,
    ModerationRule.ABUSE: ReviewRule.ABUSE,
    ModerationRule.PERSONAL_DATA: ReviewRule.PERSONAL_DATA,
    ModerationRule.NOT_ABOUT_PRODUCT: ReviewRule.NOT_ABOUT_PRODUCT,
    ModerationRule.OFF_TOPIC: ReviewRule.NOT_ABOUT_PRODUCT,
    ModerationRule.OTHER: ReviewRule.OTHER,
}
_ALREADY_DECIDED = "This review was already decided on by someone else: nothing changed."


class ReviewKind:
    """A member's review of a product: published, or waiting, hidden, removed or rejected."""

    kind = ItemKind.REVIEW

    def load(self, ids: Collection[int]) -> dict[int, Item]:
        """Reviews by id with their product, in one query."""
        if not ids:
            return {}
        found: dict[int, Item] = {}
        for review, product, brand_slug in db.session.execute(
            select(Review, Product, Brand.slug)
            .join(Product, Product.id == Review.product_id)
            .join(Brand, Brand.id == Review.brand_id)
            .where(Review.id.in_(ids))
        ):
            found[review.id] = Item(
                self.kind, review.id, review.brand_id, review.author_id,
                _STATES[review.status], f"{review.title}: {review.body}".lstrip(": "),
                product.name,
                site_path("reviews.review", brand=brand_slug, product=product.slug,
                          review_id=review.id), review,
            )  # fmt: skip
        return found

    def visible_clause(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """Published reviews for everyone; any other to its author and the brand's
        review moderators too (`reviews.visibility`, the rule the review pages use)."""
        return visibility.review_visible_clause(viewer, now=now)

    def can_see(self, viewer: Actor, row: Any, *, now: datetime) -> bool:
        """The review's own rule (`visible_clause`) for one review."""
        return visibility.review_visible(viewer, row, now=now)

    def where(self, item: Item) -> str:
        """The product it reviews."""
        return f"of {item.context}"

    def set_state(
        self, item: Item, state: str, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Publish, hide or remove a review, keeping its product's rating exact; the rule
        it broke is kept on it for its author (no commit)."""
        if item.state == state:
            return
        reviews.move_review_status(
            item.row,
            _STATUSES[state],
            rule=_RULES.get(rule) if rule and state != VISIBLE else None,
            note=reason,
            now=now,
        )
        item.state = state

    def approve_held(self, item: Item, *, now: datetime) -> None:
        """Publish a held review, counted in its product's rating from now.

        :raises Conflict: it is not pending any more (decided on the brand's own pages).
        """
        self._decide_held(item, ReviewStatus.PUBLISHED, None, "", now)
        item.state = VISIBLE

    def reject_held(
        self, item: Item, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Reject a held review for good, with the rule it broke.

        :raises Conflict: it is not pending any more (decided on the brand's own pages).
        """
        self._decide_held(item, ReviewStatus.REJECTED, rule, reason, now)
        item.state = GONE

    @staticmethod
    def _decide_held(
        item: Item, want: ReviewStatus, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        chosen = _RULES.get(rule) if rule and want is ReviewStatus.REJECTED else None
        was = reviews.move_review_status(item.row, want, rule=chosen, note=reason, now=now)
        if was is not ReviewStatus.PENDING:
            raise Conflict(_ALREADY_DECIDED)

    def after_commit(self, item: Item) -> None:
        """Forget the widget's cached summary of the review's product."""
        reviews.forget_review_summary(item.row)

    def recent_writing(
        self, author_id: int, since: datetime, now: datetime, *, excluding: int | None
    ) -> Select[str, datetime]:
        """Her reviews written, or last edited, in the window."""
        written = func.coalesce(Review.edited_at, Review.created_at)
        query = select(Review.body.label("body"), written.label("at")).where(
            Review.author_id == author_id, written >= since, written <= now
        )
        return query if excluding is None else query.where(Review.id != excluding)

    def export_records(self, user_id: int) -> Iterator[dict[str, Any]]:
        """Her reviews with their earlier versions."""
        return personal_data.review_records(user_id)

    def participant_brands(self, member_id: int, brand_ids: Collection[int]) -> Select[Any]:
        """The brands among `brand_ids` where she reviewed a product, as one column."""
        return select(Review.brand_id).where(
            Review.author_id == member_id, Review.brand_id.in_(brand_ids)
        )

    def waiting_for_approval(
        self, brand_ids: Collection[int] | None, *, after: int, limit: int
    ) -> list[Any]:
        """Pending reviews with no open case in the moderators' queue (a review the trust
        rules held is there, with its reason: not twice), by id after `after`, with their
        author and product, in `brand_ids` (None: every brand)."""
        held = select(Case.id).where(
            Case.item_kind == self.kind, Case.item_id == Review.id, Case.status == CaseStatus.OPEN
        )
        query = (
            select(Review)
            .options(joinedload(Review.author), joinedload(Review.product))
            .where(Review.status == ReviewStatus.PENDING, ~held.exists())
        )
        if brand_ids is not None:
            query = query.where(Review.brand_id.in_(brand_ids))
        if after:
            query = query.where(Review.id > after)
        return list(db.session.scalars(query.order_by(Review.id).limit(limit)).unique())

    def answer_state(self, brand_id: int, item_id: int) -> tuple[str, datetime | None] | None:
        """A published review's title (its product's name when it has none) and when the
        brand answered it, if it is the brand's."""
        row = db.session.execute(
            select(func.coalesce(func.nullif(Review.title, ""), Product.name), Review.answered_at)
            .join(Product, Product.id == Review.product_id)
            .where(Review.id == item_id, Review.brand_id == brand_id, visibility.PUBLISHED_REVIEW)
        ).first()
        return None if row is None else (row[0], row[1])

    def latest_by(self, author_id: int, *, limit: int) -> list[tuple[int, datetime]]:
        """Her newest reviews, whatever their status."""
        rows = db.session.execute(
            select(Review.id, Review.created_at)
            .where(Review.author_id == author_id)
            .order_by(Review.id.desc())
            .limit(limit)
        )
        return [(review_id, at) for review_id, at in rows]


class ReviewReplyKind:
    """A reply under a review, by a member or the brand (official)."""

    kind = ItemKind.REVIEW_REPLY

    def load(self, ids: Collection[int]) -> dict[int, Item]:
        """Replies by id with their review and its product, in one query."""
        if not ids:
            return {}
        found: dict[int, Item] = {}
        for reply, review, product, brand_slug in db.session.execute(
            select(ReviewReply, Review, Product, Brand.slug)
            .join(Review, Review.id == ReviewReply.review_id)
            .join(Product, Product.id == Review.product_id)
            .join(Brand, Brand.id == Review.brand_id)
            .where(ReviewReply.id.in_(ids))
        ):
            path = site_path(
                "reviews.review", brand=brand_slug, product=product.slug, review_id=review.id
            )
            found[reply.id] = Item(
                self.kind, reply.id, review.brand_id, reply.author_id, reply.status.value,
                reply.body, f"a review of {product.name}", f"{path}#reply-{reply.id}", reply,
            )  # fmt: skip
        return found

    def visible_clause(self, viewer: Actor, *, now: datetime) -> ColumnElement[bool]:
        """A reply's words, under a review the viewer may see: visible ones for everyone;
        any other to its author and the brand's moderators too (the review page shows the
        rest of a hidden or removed reply as a placeholder)."""
        shown: Any = ReviewReply.status == ReplyStatus.VISIBLE
        others = author_or_role_clause(
            viewer, ReviewReply.author_id, Review.brand_id, Action.CONTENT_MODERATE, now=now
        )
        if others is not None:
            shown = or_(shown, others)
        # One EXISTS on its review: the review's own rule, and the brand the reply is in.
        return exists().where(
            Review.id == ReviewReply.review_id,
            REVIEW.visible_clause(viewer, now=now),
            shown,
        )

    def can_see(self, viewer: Actor, row: Any, *, now: datetime) -> bool:
        """The reply's own rule (`visible_clause`) for one reply."""
        review = db.session.get(Review, row.review_id)  # usually loaded with the reply
        if review is None or not REVIEW.can_see(viewer, review, now=now):
            return False
        if row.status is ReplyStatus.VISIBLE:
            return True
        if not getattr(viewer, "is_authenticated", False):
            return False
        return viewer.id == row.author_id or can(
            viewer, Action.CONTENT_MODERATE, review.brand_id, now=now
        )

    def where(self, item: Item) -> str:
        """The review it answers."""
        return f"under {item.context}"

    def set_state(
        self, item: Item, state: str, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Show, hide or remove a reply (no commit); one rejected while held and restored
        on appeal is published now: counted, and its review's author told."""
        if item.state == state:
            return
        reply = item.row
        if state == VISIBLE and item.state == REMOVED and reviews.was_rejected_while_held(reply):
            reviews.publish_held_reply(reply, now, waiting=ReplyStatus.REMOVED)
        else:
            reply.status = ReplyStatus(state)
        item.state = state

    def approve_held(self, item: Item, *, now: datetime) -> None:
        """Publish a held reply as if written now (`reviews.publish_held_reply`).

        :raises Conflict: it is not waiting any more (another moderator decided first).
        """
        reviews.publish_held_reply(item.row, now)
        item.state = VISIBLE

    def reject_held(
        self, item: Item, *, rule: ModerationRule | None, reason: str, now: datetime
    ) -> None:
        """Remove a held reply: it was never counted."""
        item.row.status = ReplyStatus.REMOVED
        item.state = REMOVED

    def after_commit(self, item: Item) -> None:
        """Nothing cached shows a reply."""

    def recent_writing(
        self, author_id: int, since: datetime, now: datetime, *, excluding: int | None
    ) -> Select[str, datetime]:
        """Her replies under reviews written in the window."""
        query = select(ReviewReply.body.label("body"), ReviewReply.created_at.label("at")).where(
            ReviewReply.author_id == author_id,
            ReviewReply.created_at >= since,
            ReviewReply.created_at <= now,
        )
        return query if excluding is None else query.where(ReviewReply.id != excluding)

    def export_records(self, user_id: int) -> Iterator[dict[str, Any]]:
        """Her replies under reviews."""
        return personal_data.review_reply_records(user_id)

    def latest_by(self, author_id: int, *, limit: int) -> list[tuple[int, datetime]]:
        """Her newest replies under reviews, whatever their status."""
        rows = db.session.execute(
            select(ReviewReply.id, ReviewReply.created_at)
            .where(ReviewReply.author_id == author_id)
            .order_by(ReviewReply.id.desc())
            .limit(limit)
        )
        return [(reply_id, at) for reply_id, at in rows]


REVIEW = ReviewKind()
REVIEW_REPLY = ReviewReplyKind()
