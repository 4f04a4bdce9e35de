"""The shapes of the review forms: products, a review, a reply, a moderator's decision."""

from __future__ import annotations

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from fanhub.forms import AttachableForm, IdField
from fanhub.reviews.models import (
    IMAGE_URL_MAX,
    MODERATION_NOTE_MAX,
    PRODUCT_DESCRIPTION_MAX,
    PRODUCT_NAME_MAX,
    PRODUCT_SLUG_MAX,
    REPLY_BODY_MAX,
    REVIEW_BODY_MAX,
    REVIEW_TITLE_MAX,
    SKU_MAX,
    ReviewRule,
)
from fanhub.reviews.services import ProductDraft, ReviewDraft

BODY_HINT = "Markdown works: **bold**, _italic_, lists and links."
STAR_LABELS = {5: "5 stars: excellent", 4: "4 stars: good", 3: "3 stars: average",
               2: "2 stars: poor", 1: "1 star: terrible"}  # fmt: skip


class ProductForm(AttachableForm):
    name = StringField(
        "Name",
        validators=[Length(max=PRODUCT_NAME_MAX + 50)],
        render_kw={"maxlength": PRODUCT_NAME_MAX},
    )
    slug = StringField(
        "Address",
        validators=[Length(max=PRODUCT_SLUG_MAX + 50)],
        description="Lower-case letters, digits and dashes: /p/<address>.",
    )
    sku = StringField(
        "SKU",
        validators=[Length(max=SKU_MAX + 50)],
        description="What your shop calls the product; the widget can find it by this.",
    )
    description = TextAreaField(
        "Description",
        validators=[Optional(), Length(max=PRODUCT_DESCRIPTION_MAX + 500)],
        render_kw={"rows": 5},
    )
    image_url = StringField(
        "Image address",
        validators=[Optional(), Length(max=IMAGE_URL_MAX + 50)],
        description="An https:// link to a picture of the product (optional).",
    )

    def to_draft(self) -> ProductDraft:
        return ProductDraft(
            self.slug.data or "",
            self.sku.data or "",
            self.name.data or "",
            self.description.data or "",
            self.image_url.data or "",
        )


class ReviewForm(AttachableForm):
    # The service reads the raw value and says what is wrong with it ("4.5", "six").
    stars = RadioField(
        "Your rating",
        choices=[SelectChoice(str(n), label) for n, label in STAR_LABELS.items()],
        validate_choice=False,
    )
    title = StringField(
        "Title",
        validators=[Length(max=REVIEW_TITLE_MAX + 50)],
        description="Optional: the gist in a few words.",
        render_kw={"maxlength": REVIEW_TITLE_MAX},
    )
    body = TextAreaField(
        "Your review",
        validators=[Length(max=REVIEW_BODY_MAX + 500)],
        description="What did you like or dislike? At least 20 characters. " + BODY_HINT,
        render_kw={"rows": 8},
    )
    # Set when the form edits her existing review; empty on a first review.
    review_id = IdField(message="That is not your review of this product. Reload the page.")

    def to_draft(self) -> ReviewDraft:
        return ReviewDraft(self.stars.data or "", self.title.data or "", self.body.data or "")

    def editing_id(self) -> int | None:
        return self.review_id.data


class ReviewReplyForm(AttachableForm):
    body = TextAreaField(
        "Your reply",
        validators=[Length(max=REPLY_BODY_MAX + 500)],
        description=BODY_HINT,
        render_kw={"rows": 5},
    )


class ModerationForm(AttachableForm):
    rule = SelectField(
        "Rule it breaks",
        choices=[SelectChoice("", "Choose a rule…")]
        + [SelectChoice(rule.value, rule.label) for rule in ReviewRule],
        validate_choice=False,
    )
    note = StringField(
        "Note to the author",
        validators=[Optional(), Length(max=MODERATION_NOTE_MAX + 50)],
        description="Optional: what to change for the review to stand.",
        render_kw={"maxlength": MODERATION_NOTE_MAX},
    )
