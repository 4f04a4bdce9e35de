"""The shape of brand input; the rules live in brands.services."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from wtforms import (
    BooleanField,
    ColorField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from fanhub.brands.models import DESCRIPTION_MAX, TAGLINE_MAX, TIME_ZONE_MAX, Role
from fanhub.brands.services import (
    NEWS_BODY_MAX,
    NEWS_TITLE_MAX,
    ORIGIN_MAX,
    WIDGET_ORIGINS_MAX,
    BrandNewsDraft,
    BrandPageDraft,
)
from fanhub.errors import Invalid
from fanhub.forms import AttachableForm
from fanhub.inputs import MAX_INT64, parse_int


class BrandPageForm(AttachableForm):
    tagline = StringField("Tagline", validators=[Optional(), Length(max=TAGLINE_MAX)])
    description = TextAreaField(
        "About the brand",
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        description="Markdown works. Shown at the top of the fan page.",
        render_kw={"rows": 8},
    )
    accent_color = ColorField(
        "Accent colour",
        validators=[DataRequired(), Length(max=7)],
        description="A hex colour like #5b3df5; it themes the fan page and its forums.",
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


NO_COUNT = "Send it from the news's page, where the number of followers is shown."

ROLE_CHOICES = [
    SelectChoice(Role.STAFF.value, "Staff: answers for the brand"),
    SelectChoice(Role.MODERATOR.value, "Moderator: keeps the conversation civil"),
    SelectChoice(Role.OWNER.value, "Owner: runs the brand and its team"),
]


class TeamInviteForm(AttachableForm):
    """Invite someone onto the brand's team."""

    who = StringField(
        "Username or email address",
        validators=[
            InputRequired(message="Give their username or email address."),
            Length(max=254),
        ],
        description="A member's username, or the email address of someone who may not have "
        "an account yet. They get an email with a link that works for a week.",
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.STAFF.value)

    @property
    def chosen_role(self) -> Role:
        return Role(self.role.data)


class RoleChangeForm(AttachableForm):
    """Give the person in one seat another role."""

    role = SelectField(
        "New role", choices=[SelectChoice(r.value, r.value.capitalize()) for r in Role]
    )

    @property
    def chosen_role(self) -> Role:
        return Role(self.role.data)


class SendNewsForm(AttachableForm):
    """The confirmation: the number of followers she saw, sent back with the button."""

    audience = HiddenField(validators=[InputRequired(message=NO_COUNT)])

    def validate_audience(self, field: HiddenField) -> None:
        try:
            parse_int(field.data, lo=0, hi=MAX_INT64)
        except Invalid:
            raise ValidationError(NO_COUNT) from None

    @property
    def expected(self) -> int:
        return parse_int(self.audience.data, lo=0, hi=MAX_INT64)


class ScheduleNewsForm(AttachableForm):
    """A time to send the news, on the clocks of a time zone she chooses."""

    send_at = DateTimeLocalField(
        "Send on",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message="Choose a date and a time.")],
        description="The date and time on the clocks of the time zone below.",
    )
    # Choices are every zone, set by the view; the service checks the name.
    time_zone = SelectField(
        "Time zone", validators=[Length(max=TIME_ZONE_MAX)], validate_choice=False
    )

    @property
    def local_time(self) -> datetime:
        """The wall-clock time she chose (read once the form validated)."""
        return cast(datetime, self.send_at.data)
