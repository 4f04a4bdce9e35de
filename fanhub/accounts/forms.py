"""The shape of account input; the rules themselves live in accounts.services."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from fanhub.accounts.models import (
    BIO_MAX,
    DISPLAY_NAME_MAX,
    EMAIL_MAX,
    PASSWORD_MAX,
    USERNAME_MAX,
)
from fanhub.accounts.services import ProfileDraft, RegistrationDraft
from fanhub.forms import AttachableForm


class RegisterForm(AttachableForm):
    username = StringField(
        "Username",
        validators=[DataRequired(), Length(max=USERNAME_MAX)],
        description="3–30 characters: lower-case letters, digits, _ and -.",
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=EMAIL_MAX)],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        description="At least 10 characters, and not a common password.",
        render_kw={"autocomplete": "new-password"},
    )

    def to_draft(self) -> RegistrationDraft:
        # A field left out of the post is None; the rules read what she typed, even nothing.
        return RegistrationDraft(
            self.username.data or "", self.email.data or "", self.password.data or ""
        )


class LoginForm(AttachableForm):
    login = StringField(
        "Username or email",
        validators=[DataRequired(), Length(max=EMAIL_MAX)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this device")


class PasswordResetRequestForm(AttachableForm):
    email = EmailField(
        "Email",
        validators=[DataRequired(), Length(max=EMAIL_MAX)],
        render_kw={"autocomplete": "email"},
    )


class NewPasswordForm(AttachableForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        description="At least 10 characters, and not a common password.",
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(AttachableForm):
    display_name = StringField(
        "Display name",
        validators=[Length(max=DISPLAY_NAME_MAX)],
        description="Shown beside your posts. Leave empty to use your username.",
    )
    bio = TextAreaField("About you", validators=[Length(max=BIO_MAX)], render_kw={"rows": 5})

    def to_draft(self) -> ProfileDraft:
        return ProfileDraft(self.display_name.data or "", self.bio.data or "")


class ChangePasswordForm(AttachableForm):
    current_password = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        description="At least 10 characters, and not a common password.",
        render_kw={"autocomplete": "new-password"},
    )


class DeleteAccountForm(AttachableForm):
    content = RadioField(
        "Your posts and reviews",
        choices=[
            SelectChoice("keep", "Keep my posts and reviews, shown as by a deleted member"),
            SelectChoice("remove", "Remove my posts and reviews too"),
        ],
        default="keep",
    )
    password = PasswordField(
        "Your password",
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        "I understand that this cannot be undone",
        validators=[DataRequired("Tick the box to confirm.")],
    )

    @property
    def remove_content(self) -> bool:
        return self.content.data == "remove"
