"""The shapes of the admin console's site forms: the settings, and an invitation by email.

What a setting may hold (its range, a rate limit `limits` can read) is the settings'
own rule (`fanhub.site_settings`), checked by the service; the form only takes text.
"""

from __future__ import annotations

from wtforms.fields import EmailField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from fanhub.accounts.models import EMAIL_MAX
from fanhub.forms import AttachableForm
from fanhub.site_settings import RATE_LIMIT_MAX, SETTINGS, Kind, Setting

# Long enough for any value a setting takes, and for what a person mistypes in one.
_VALUE_MAX = RATE_LIMIT_MAX

_COUNT_INPUT = {"inputmode": "numeric", "autocomplete": "off", "size": 8}
_LIMIT_INPUT = {"autocomplete": "off", "spellcheck": "false", "size": 28}


def _text(item: Setting) -> StringField:
    return StringField(
        item.label,
        validators=[DataRequired(message="Give it a value."), Length(max=_VALUE_MAX)],
        description=item.help,
        render_kw=_COUNT_INPUT if item.kind is Kind.COUNT else _LIMIT_INPUT,
    )


_BY_KEY = {item.key: item for item in SETTINGS}


class SettingsForm(AttachableForm):
    """Every site setting at once; each field is named as the setting's `field`."""

    flag_hide_threshold = _text(_BY_KEY["FLAG_HIDE_THRESHOLD"])
    trust0_max_links = _text(_BY_KEY["TRUST0_MAX_LINKS"])
    trust1_approved_posts = _text(_BY_KEY["TRUST1_APPROVED_POSTS"])
    trust1_min_age_hours = _text(_BY_KEY["TRUST1_MIN_AGE_HOURS"])
    spam_duplicate_minutes = _text(_BY_KEY["SPAM_DUPLICATE_MINUTES"])
    spam_words_per_link = _text(_BY_KEY["SPAM_WORDS_PER_LINK"])
    ratelimit_post = _text(_BY_KEY["RATELIMIT_POST"])
    ratelimit_post_new = _text(_BY_KEY["RATELIMIT_POST_NEW"])
    ratelimit_flag = _text(_BY_KEY["RATELIMIT_FLAG"])
    registration_mode = RadioField(
        _BY_KEY["REGISTRATION_MODE"].label,
        choices=[
            SelectChoice(value, label) for value, label in _BY_KEY["REGISTRATION_MODE"].choices
        ],
        description=_BY_KEY["REGISTRATION_MODE"].help,
        validate_choice=False,  # the service names what it takes, on this field
        validators=[DataRequired(message="Choose who may register.")],
    )

    def typed(self) -> dict[str, str]:
        """What she typed for each setting, by setting key, for the service to check."""
        return {item.key: str(self[item.field].data or "") for item in SETTINGS}


class InviteForm(AttachableForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired(message="Whom should we invite?"), Length(max=EMAIL_MAX)],
        description="We'll email a link that opens the registration form, for this address only.",
        render_kw={"autocomplete": "off"},
    )
