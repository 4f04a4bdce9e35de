"""The shape of brand input; the rules live in brands.services."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from fanhub.brands.models import DESCRIPTION_MAX, TAGLINE_MAX
from fanhub.brands.services import BrandPageDraft
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

    def to_draft(self) -> BrandPageDraft:
        return BrandPageDraft(
            self.tagline.data or "", self.description.data or "", self.accent_color.data or ""
        )
