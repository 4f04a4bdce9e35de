"""Review rules: products, writing and editing reviews, exact rating aggregates, helpful
votes, the conversation under a review, moderation of reviews, and the product page.

One module per section, each named for what it does; this package re-exports their public
names, so callers keep writing `services.submit_review`. Who may see a review or a reply is
`fanhub.reviews.visibility`.
"""

from __future__ import annotations

from fanhub.reviews.services.access import (
    access_brand_for_answering,
    access_brand_for_moderation,
    access_brand_for_products,
    access_product,
    access_product_as,
    access_product_for_management,
    access_review,
    access_visible_review,
    can_see,
    own_review,
)
from fanhub.reviews.services.account_deletion import (
    remove_reviews_of,
)
from fanhub.reviews.services.conversation import (
    clean_reply,
    mark_resolved,
    publish_held_reply,
    reply_to_review,
    was_rejected_while_held,
)
from fanhub.reviews.services.moderation import (
    approve_review,
    forget_review_summary,
    move_review_status,
    reject_review,
    remove_review,
    restore_review,
)
from fanhub.reviews.services.pages import (
    SORTS,
    ProductPage,
    ReviewPage,
    product_page,
    review_page,
)
from fanhub.reviews.services.products import (
    ProductDraft,
    ProductRow,
    create_product,
    list_products,
    product_list,
    update_product,
)
from fanhub.reviews.services.queues import (
    QUEUE_PAGE_SIZE,
    ReviewQueue,
    pending_reviews,
    unanswered_reviews,
)
from fanhub.reviews.services.schema import (
    product_schema,
)
from fanhub.reviews.services.votes import (
    vote_helpful,
    withdraw_helpful,
)
from fanhub.reviews.services.writing import (
    STARS_INPUT,
    STARS_MESSAGE,
    ReviewDraft,
    edit_review,
    parse_stars,
    require_reviewer,
    review_revisions,
    set_verified_purchase,
    submit_review,
    writing_refusal,
)

__all__ = [
    "ProductDraft",
    "ProductPage",
    "ProductRow",
    "QUEUE_PAGE_SIZE",
    "ReviewDraft",
    "ReviewPage",
    "ReviewQueue",
    "SORTS",
    "STARS_INPUT",
    "STARS_MESSAGE",
    "access_brand_for_answering",
    "access_brand_for_moderation",
    "access_brand_for_products",
    "access_product",
    "access_product_as",
    "access_product_for_management",
    "access_review",
    "access_visible_review",
    "approve_review",
    "can_see",
    "clean_reply",
    "create_product",
    "edit_review",
    "forget_review_summary",
    "list_products",
    "mark_resolved",
    "move_review_status",
    "own_review",
    "parse_stars",
    "pending_reviews",
    "product_list",
    "product_page",
    "product_schema",
    "publish_held_reply",
    "reject_review",
    "remove_review",
    "remove_reviews_of",
    "reply_to_review",
    "require_reviewer",
    "restore_review",
    "review_page",
    "review_revisions",
    "set_verified_purchase",
    "submit_review",
    "unanswered_reviews",
    "update_product",
    "vote_helpful",
    "was_rejected_while_held",
    "withdraw_helpful",
    "writing_refusal",
]
