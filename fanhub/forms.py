"""Form pieces every domain shares: showing a service's error, button-only forms, and what
a page says when a member's words wait for a moderator."""

from __future__ import annotations

from typing import Any

from flask import abort, flash
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields import (
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import HiddenInput

from fanhub.errors import DomainError, Invalid
from fanhub.inputs import MAX_ID, MAX_INT64, optional_int, parse_int, text_problem


class _TokenWhenShown(CSRFTokenField):
    """The CSRF field, asking for its token only when the form is rendered.

    WTForms makes the token as the form is built, and making one writes it into the
    session: a visitor reading a topic (whose page builds the reply and reaction forms it
    then does not show her) would get a session cookie for nothing, and a page that sets
    a cookie can't be cached (issue 11). Made on render, the token lands in the session
    exactly when a page shows a form that will send it back.
    """

    def process(self, *args: Any, **kwargs: Any) -> None:
        # The posted value, for validation; not CSRFTokenField.process, which makes a token.
        HiddenField.process(self, *args, **kwargs)

    @property
    def current_token(self) -> str:
        """The token to render (Flask-WTF makes it once per request)."""
        return self.csrf_impl.generate_csrf_token(self)


class _CSRF(FlaskForm.Meta.csrf_class):
    """Flask-WTF's own CSRF check, with the field above."""

    field_class = _TokenWhenShown


class AttachableForm(FlaskForm):
    """A form that can show a service's error beside the field it names.

    Every value posted to it is screened first (issue 11): a value a field cannot take as
    text (a number, a list or a file where text belongs, a lone surrogate, a NUL or another
    control character, or two values for a one-value field) never reaches the field, and
    the form fails validation with the problem on that field, so the page answers 400 and
    can always be shown again.
    """

    class Meta:
        csrf_class = _CSRF

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            try:
                data = super().wrap_formdata(form, formdata)  # type: ignore[misc]
            except (TypeError, ValueError, AttributeError):
                # Flask-WTF reads a JSON body that is not an object ("3", a list of
                # numbers) as form data and fails; fanhub.inputs keeps those from pages,
                # this keeps them from any form.
                form._refused = {None: NOT_A_FORM}
                return MultiDict()
            form._refused = {}
            if data is None:
                return None
            clean, form._refused = _screen(form, data)
            return clean

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own checks, and then what the screening set aside, field by field."""
        valid = super().validate(extra_validators)
        for field in self:
            # A hidden field's problem has nowhere to show but above the form.
            hidden = isinstance(field.widget, HiddenInput) and not isinstance(field, CSRFTokenField)
            if hidden and field.errors:
                self.form_errors.extend(m for m in field.errors if m not in self.form_errors)
        refused: dict[str | None, str] = getattr(self, "_refused", {})
        by_name = {field.name: field for field in self}
        for name, message in refused.items():
            field = by_name.get(name) if name is not None else None
            if field is None or isinstance(field.widget, HiddenInput):
                # Nowhere on the page to show it beside: above the form instead.
                if message not in self.form_errors:
                    self.form_errors.append(message)
            else:
                field.errors = [message]  # the cause, not "This field is required."
        return valid and not refused

    def hidden_tag(self, *fields: Any) -> Markup:
        """The form's hidden inputs (its CSRF token first of all), without an id.

        A page often holds several forms, and WTForms would give each one's token
        `id="csrf_token"`: the same id many times is invalid HTML (issue 13), and no label
        points at a hidden input, so it needs none.
        """
        chosen = [getattr(self, f, None) if isinstance(f, str) else f for f in fields] or list(self)
        hidden = (f for f in chosen if f is not None and isinstance(f.widget, HiddenInput))
        # Each field renders as Markup; join keeps it so and would escape anything else.
        return Markup("\n").join(f(id=False) for f in hidden)

    def attach(self, err: DomainError) -> None:
        """Put the rule's message on its field, or above the form when it names none."""
        for name, message in ((err.field, err.message), *err.also.items()):
            field = getattr(self, name, None) if name else None
            if field is None:
                self.form_errors.append(message)
            elif not field.errors:  # one message per field: the form's own check came first
                field.errors = [message]


class WholeNumberField(IntegerField):
    """WTForms' IntegerField reading ASCII digits only (fanhub.inputs.parse_int): `int()`
    also takes "٣", "1_000" and, slowly, thousands of digits. NumberRange sets the bounds."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or valuelist[0] == "":
            self.data = None  # left empty: Optional() or DataRequired() decides
            return
        try:
            self.data = parse_int(valuelist[0], lo=-MAX_INT64, hi=MAX_INT64)
        except Invalid:
            self.data = None
            raise ValueError("Write a whole number, like 7.") from None


class IdField(HiddenField):
    """A hidden field naming a row by id (the post a reply answers, the review an edit
    changes): None when empty, else ASCII digits from 1 to MAX_ID; anything else fails
    the form with `message`, shown above it."""

    def __init__(self, *args: Any, message: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            self.data = optional_int(valuelist[0] if valuelist else None, lo=1, hi=MAX_ID)
        except Invalid:
            self.data = None
            raise ValueError(self.message) from None


NOT_A_FORM = "That was not a form as a browser sends it. Please use the page's form."


def _screen(form: Any, data: Any) -> tuple[MultiDict[str, Any], dict[str | None, str]]:
    """The values of `data` each field can take, and the problem with each one it can't.

    Problems are keyed by field name; None collects those under names the form does not
    have (they fail the form too: `to_choices` and the like read raw names).
    """
    fields = {field.name: field for field in form}
    clean: MultiDict[str, Any] = MultiDict()
    refused: dict[str | None, str] = {}
    for key, values in data.lists():
        field = fields.get(key) if isinstance(key, str) else None
        # A one-line input (not a text area) says so, as the services' own checks do.
        one_line = isinstance(field, StringField) and not isinstance(field, TextAreaField)
        problem = text_problem(key) or next(
            filter(None, (text_problem(value, one_line=one_line) for value in values)), None
        )
        several = len(values) > 1 and not isinstance(field, SelectMultipleField)
        if problem is None and field is not None and several:
            problem = "Send this field once."
        if problem is None:
            clean.setlist(key, values)
        else:
            refused[key if field is not None else None] = problem
    return clean, refused


class ActionForm(AttachableForm):
    """A field-less form: a state-changing button that posts with a CSRF token."""


def require_valid_post() -> None:
    """For a field-less button's view: refuse (400) a POST whose CSRF token failed."""
    if not ActionForm().validate_on_submit():
        abort(400)


def held_message(what: str) -> str:
    """What a member is told when her topic, reply or review waits for a moderator."""
    return (
        f"Your {what} is waiting for a moderator: it will appear once they approve it. "
        "You'll get a notification either way."
    )


def form_status(form: AttachableForm, failure: DomainError | None = None) -> int:
    """The status a re-shown form answers with: the rule's own, or 400 for bad shape."""
    if failure is not None:
        return failure.status
    return 400 if form.errors or form.form_errors else 200


# A flash category the page shell turns into a marker instead of a message.
DRAFT_DONE = "draft-done"


def forget_draft(key: str) -> None:
    """Tell the next page that the text drafted under `key` was accepted.

    The browser keeps a composer's text (static/js/composer.js) until the server says the
    post went in: a 429, a 500 or a lost connection must never cost her what she wrote.
    """
    flash(key, DRAFT_DONE)
