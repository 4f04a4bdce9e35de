"""The reviews' stored HTML, for `flask rerender`: reviews, their history and replies."""

from __future__ import annotations

from sqlalchemy import select

from fanhub.accounts.services import render_member_text
from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.rerender import StoredHtml
from fanhub.reviews import widget
from fanhub.reviews.models import Product, Review, ReviewReply, ReviewRevision
from fanhub.text import render_markdown


def render_reply_html(body: str) -> str:
    """A reply's HTML as `reply_to_review` stores it, @mentions of today's members linked."""
    return render_member_text(body).html


def forget_widgets_of_reviews(review_ids: list[int]) -> None:
    """Drop the widget's cached summaries of the products these reviews are about."""
    for brand_slug, product_slug, sku in db.session.execute(
        select(Brand.slug, Product.slug, Product.sku)
        .join(Product, Product.brand_id == Brand.id)
        .join(Review, Review.product_id == Product.id)
        .where(Review.id.in_(review_ids))
        .distinct()
    ):
        widget.forget_summary(brand_slug, product_slug, sku)


def forget_widgets_of_replies(reply_ids: list[int]) -> None:
    """Drop the widget's cached summaries that show these replies (a brand's answer)."""
    forget_widgets_of_reviews(
        list(db.session.scalars(select(ReviewReply.review_id).where(ReviewReply.id.in_(reply_ids))))
    )


STORED_HTML = (
    # As submit_review and edit_review store it: plain Markdown, no @mentions. The widget
    # shows a review's text, so its cached summary goes.
    StoredHtml(
        "review", Review, Review.body, Review.body_html, render_markdown, forget_widgets_of_reviews
    ),
    # A revision keeps the HTML its review had (edit_review copies it), shown on the
    # public history page.
    StoredHtml(
        "review-revision",
        ReviewRevision,
        ReviewRevision.body,
        ReviewRevision.body_html,
        render_markdown,
    ),
    StoredHtml(
        "review-reply",
        ReviewReply,
        ReviewReply.body,
        ReviewReply.body_html,
        render_reply_html,
        forget_widgets_of_replies,
    ),
)
