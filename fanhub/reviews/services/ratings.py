"""Exact rating aggregates: a product's counters move with the review row locked."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from fanhub.extensions import db
from fanhub.reviews.models import (
    Product,
    Review,
    ReviewStatus,
)


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
