"""The shape of contact choices; which choices are allowed lives in notifications.preferences."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from fanhub.forms import AttachableForm
from fanhub.notifications.models import Channel, Frequency, MessageKind
from fanhub.notifications.preferences import (
    CHANNEL_FREQUENCIES,
    CHANNEL_LABELS,
    FREQUENCY_LABELS,
    KIND_LABELS,
    WelcomeChoices,
    field_name,
)


def _frequency_select(kind: MessageKind, channel: Channel) -> SelectField:
    # Offers what the channel allows, but lets any value through: set_preferences is the
    # one place that refuses a digest on the site, with its own message.
    return SelectField(
        f"{KIND_LABELS[kind][0]}, {CHANNEL_LABELS[channel].lower()}",
        choices=[
            SelectChoice(f.value, FREQUENCY_LABELS[channel][f])
            for f in CHANNEL_FREQUENCIES[channel]
        ],
        validate_choice=False,
    )


class PreferencesForm(AttachableForm):
    """The preference centre: one select per kind of message and channel (`kind__channel`)."""

    def to_choices(self, submitted: Mapping[str, str] | None = None) -> dict[tuple[str, str], str]:
        """What she chose, as (kind, channel) -> frequency; fields she did not send are left.

        A `kind__channel` field in `submitted` that the form does not have (a kind or a
        channel fanhub does not know) is passed on too, so set_preferences refuses it by
        name instead of the save quietly ignoring it.
        """
        choices: dict[tuple[str, str], str] = {}
        for kind in MessageKind:
            for channel in Channel:
                value = getattr(self, field_name(kind, channel)).data
                if value is not None:
                    choices[(kind.value, channel.value)] = value
        for name, value in (submitted or {}).items():
            kind_name, separator, channel_name = name.partition("__")
            if separator and name not in self._fields:
                choices[(kind_name, channel_name)] = value
        return choices


for _kind in MessageKind:
    for _channel in Channel:
        setattr(PreferencesForm, field_name(_kind, _channel), _frequency_select(_kind, _channel))


class WelcomeContactForm(AttachableForm):
    """The signup step: "How would you like to hear from us?" """

    conversation_email = SelectField(
        "Email me about replies, mentions and answers to my questions",
        choices=[
            SelectChoice(f.value, FREQUENCY_LABELS[Channel.EMAIL][f])
            for f in CHANNEL_FREQUENCIES[Channel.EMAIL]
        ],
        default=Frequency.INSTANT.value,
        validate_choice=False,
    )
    offers_email = RadioField(
        "Product news and offers from brands I follow",
        choices=[SelectChoice("yes", "Yes, by email"), SelectChoice("no", "No, thanks")],
        default="no",
        validators=[InputRequired()],
    )

    def to_choices(self) -> WelcomeChoices:
        return WelcomeChoices(self.conversation_email.data or "", self.offers_email.data == "yes")
