"""A member's reviews and replies leaving with her account (for fanhub.accounts.privacy)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from fanhub.extensions import db
from fanhub.reviews.models import (
    Product,
    ReplyStatus,
    Review,
    ReviewReply,
    ReviewStatus,
)
from fanhub.reviews.visibility import PUBLISHED_REVIEW


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
    published = (Review.author_id == author_id, PUBLISHED_REVIEW)

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
