"""The shapes of the desk's forms: "no reply needed" with its reason."""

from __future__ import annotations

from wtforms import HiddenField, StringField
from wtforms.validators import Length

from fanhub.forms import AttachableForm
from fanhub.staff.models import NO_REPLY_REASON_MAX


class NoReplyForm(AttachableForm):
    """Mark a waiting item "no reply needed": the reason's rules are the service's
    (`services.check_reason`), so the CLI and a future API share them."""

    reason = StringField(
        "Why no reply is needed",
        # The shape's bound only; the service says what is too long, in its words.
        validators=[Length(max=NO_REPLY_REASON_MAX + 50)],
        render_kw={"maxlength": NO_REPLY_REASON_MAX, "placeholder": "e.g. a 5-star thank-you"},
    )
    # The metrics window the desk was showing, to go back to it.
    days = HiddenField()
