"""The shapes of the console's brand and member forms; the rules live in the services.

Forms that share a page get a `prefix` (role-, transfer-, suspend-…), so no two of their
fields share a name or an id.
"""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from fanhub.accounts.models import EMAIL_MAX, PASSWORD_MAX, USERNAME_MAX
from fanhub.accounts.services import RegistrationDraft
from fanhub.brands.models import DESCRIPTION_MAX, NAME_MAX, SLUG_MAX, TAGLINE_MAX, Brand, Role
from fanhub.brands.services import BrandDraft, BrandPageDraft
from fanhub.forms import AttachableForm, WholeNumberField
from fanhub.inputs import coerce_int
from fanhub.moderation.models import REASON_MAX, Decision, ModerationRule
from fanhub.moderation.services import MAX_SUSPENSION_DAYS, DecisionDraft

RULE_CHOICES = [SelectChoice("", "Which rule? (told to the member)")] + [
    SelectChoice(rule.value, rule.label) for rule in ModerationRule
]
TRUST_CHOICES = [
    SelectChoice(0, "0: new member (limits, may wait for approval)"),
    SelectChoice(1, "1: member"),
    SelectChoice(2, "2: regular"),
    SelectChoice(3, "3: leader"),
    SelectChoice(4, "4: trusted by the site"),
]


class BrandCreateForm(AttachableForm):
    """`flask brand create`, in the browser."""

    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    slug = StringField(
        "Address",
        validators=[DataRequired(), Length(max=SLUG_MAX)],
        description="The brand's page will be at /b/<address>: lower-case letters, digits "
        "and dashes. It can't be changed later.",
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=TAGLINE_MAX)])

    def to_draft(self) -> BrandDraft:
        return BrandDraft(self.slug.data or "", self.name.data or "", self.tagline.data or "")


class BrandEditForm(AttachableForm):
    """A site admin's edit of a brand's name and fan page."""

    name = StringField("Name", validators=[DataRequired(), Length(max=NAME_MAX)])
    tagline = StringField("Tagline", validators=[Optional(), Length(max=TAGLINE_MAX)])
    description = TextAreaField(
        "About the brand",
        validators=[Optional(), Length(max=DESCRIPTION_MAX)],
        description="Markdown works. Shown at the top of the fan page.",
        render_kw={"rows": 5},
    )
    accent_color = StringField(
        "Accent colour",
        validators=[DataRequired(), Length(max=7)],
        description="A hex colour like #5b3df5.",
        render_kw={"type": "color"},
    )

    def to_draft(self, brand: Brand) -> BrandPageDraft:
        """The page as edited here; the brand's own review settings carried as they are."""
        return BrandPageDraft(
            self.tagline.data or "",
            self.description.data or "",
            self.accent_color.data or "",
            premoderate_new_members=brand.premoderate_new_members,
            widget_origins=brand.widget_origins,
        )


class BrandRoleForm(AttachableForm):
    """`flask brand add-role`: appoint a member by username."""

    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    role = SelectField(
        "Role",
        choices=[
            SelectChoice(Role.STAFF.value, "Staff"),
            SelectChoice(Role.MODERATOR.value, "Moderator"),
            SelectChoice(Role.OWNER.value, "Owner"),
        ],
    )


class TransferForm(AttachableForm):
    """Hand a brand to a new owner."""

    username = StringField(
        "New owner's username",
        validators=[DataRequired(), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    previous = RadioField(
        "The current owners",
        choices=[
            SelectChoice("staff", "Keep them on the team as staff"),
            SelectChoice("remove", "Take their role away"),
        ],
        default="staff",
        validators=[DataRequired("Choose what happens to the current owners.")],
    )

    @property
    def keep_as_staff(self) -> bool:
        return self.previous.data == "staff"


class CloseBrandForm(AttachableForm):
    """Closing a brand: said out loud with a tick, not a script's confirm()."""

    reason = StringField(
        "Why (for the log)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )
    confirm = BooleanField(
        "I understand: the brand leaves the directory, and nobody but site admins can "
        "post, review or follow there until it is reopened.",
        validators=[DataRequired("Tick the box to close the brand.")],
    )


class ReopenBrandForm(AttachableForm):
    reason = StringField(
        "Why (for the log)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )


class MemberCreateForm(AttachableForm):
    """`flask create-user`, in the browser: an account with a confirmed address."""

    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=USERNAME_MAX)],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    email = StringField(
        "Email",
        validators=[DataRequired(), Length(max=EMAIL_MAX)],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        description="Tell it to them some safe way; they can change it in their settings.",
        render_kw={"autocomplete": "new-password"},
    )
    is_admin = BooleanField("Make this account a site admin")

    def to_draft(self) -> RegistrationDraft:
        return RegistrationDraft(
            self.username.data or "", self.email.data or "", self.password.data or ""
        )


def _rule(value: str | None) -> ModerationRule | None:
    try:
        return ModerationRule(value) if value else None
    except ValueError:
        return None


class SuspendForm(AttachableForm):
    days = WholeNumberField(
        "Days",
        validators=[
            DataRequired("Say for how many days."),
            NumberRange(min=1, max=MAX_SUSPENSION_DAYS),
        ],
        render_kw={"min": 1, "max": MAX_SUSPENSION_DAYS, "inputmode": "numeric"},
    )
    rule = SelectField("Rule", choices=RULE_CHOICES, validate_choice=False)
    reason = StringField(
        "Why (told to the member and logged)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )

    def to_draft(self) -> DecisionDraft:
        return DecisionDraft(
            None, _rule(self.rule.data), self.reason.data or "", Decision.SUSPEND, self.days.data
        )


class BanForm(AttachableForm):
    days = WholeNumberField(
        "Days",
        validators=[Optional(), NumberRange(min=1, max=MAX_SUSPENSION_DAYS)],
        description="Leave empty to ban for good.",
        render_kw={"min": 1, "max": MAX_SUSPENSION_DAYS, "inputmode": "numeric"},
    )
    rule = SelectField("Rule", choices=RULE_CHOICES, validate_choice=False)
    reason = StringField(
        "Why (told to the member and logged)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )
    confirm = BooleanField(
        "I understand: they are signed out and can't sign in until the ban ends.",
        validators=[DataRequired("Tick the box to ban this member.")],
    )

    def to_draft(self) -> DecisionDraft:
        return DecisionDraft(
            None, _rule(self.rule.data), self.reason.data or "", Decision.BAN, self.days.data
        )


class LiftForm(AttachableForm):
    reason = StringField(
        "Why (for the log)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )

    def to_draft(self) -> DecisionDraft:
        return DecisionDraft(None, None, self.reason.data or "", Decision.LIFT)


class TrustForm(AttachableForm):
    level = SelectField("Level", choices=TRUST_CHOICES, coerce=coerce_int)
    reason = StringField(
        "Why (for the log)",
        validators=[Optional(), Length(max=REASON_MAX)],
        render_kw={"maxlength": REASON_MAX},
    )


SANCTION_FORMS: dict[str, type[SuspendForm | BanForm | LiftForm]] = {
    "suspend": SuspendForm,
    "ban": BanForm,
    "lift": LiftForm,
}
