"""The shape of brand input; the rules live in brands.services."""

from __future__ import annotations

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from fanhub.brands.models import DESCRIPTION_MAX, TAGLINE_MAX
from fanhub.brands.services import (
    NEWS_BODY_MAX,
    NEWS_TITLE_MAX,
    ORIGIN_MAX,
    WIDGET_ORIGINS_MAX,
    BrandNewsDraft,
    BrandPageDraft,
)
from fanhub.forms import AttachableForm


class BrandPageForm(AttachableForm):
    tagline = StringField("Tagline", validators=[Optional(), Length(max=TAGLINE_MAX)])
    description = TextAreaField(
        "About the brand",
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        description="Markdown works. Shown at the top of the fan page.",
        render_kw={"rows": 8},
    )
    accent_color = StringField(
        "Accent colour",
        validators=[DataRequired(), Length(max=7)],
        description="A hex colour like #5b3df5; it themes the fan page and its forums.",
        render_kw={"type": "color"},
    )
    premoderate_new_members = BooleanField(
        "Hold reviews by new members for a moderator",
        description="Reviews by accounts that are still new wait for one of your moderators "
        "before they are published and counted.",
    )
    widget_origins = TextAreaField(
        "Sites that may show the review widget in a frame",
        validators=[Optional(), Length(max=WIDGET_ORIGINS_MAX * (ORIGIN_MAX + 1))],
        description="One per line, like https://shop.example.com. Leave empty to let any "
        "site frame it. The script embed works on any site either way.",
        render_kw={"rows": 3, "spellcheck": "false"},
    )

    def to_draft(self) -> BrandPageDraft:
        return BrandPageDraft(
            self.tagline.data or "",
            self.description.data or "",
            self.accent_color.data or "",
            premoderate_new_members=bool(self.premoderate_new_members.data),
            widget_origins=self.widget_origins.data or "",
        )


class BrandNewsForm(AttachableForm):
    """Product news or an offer for the followers who asked for them."""

    title = StringField(
        "Title",
        validators=[DataRequired(), Length(max=NEWS_TITLE_MAX)],
        description="What it is in a few words, like “The winter kettle is here”.",
    )
    body = TextAreaField(
        "Text",
        validators=[Optional(), Length(max=NEWS_BODY_MAX)],
        description=f"At most {NEWS_BODY_MAX} characters. Plain text.",
        render_kw={"rows": 3},
    )
    # Choices are the brand's products, set by the view; the service checks the slug.
    product = SelectField("Link to a product", validate_choice=False)

    def to_draft(self) -> BrandNewsDraft:
        return BrandNewsDraft(self.title.data or "", self.body.data or "", self.product.data or "")
