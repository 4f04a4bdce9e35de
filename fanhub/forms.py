"""Form pieces every domain shares: showing a service's error, and button-only forms."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from fanhub.errors import DomainError


class AttachableForm(FlaskForm):
    """A form that can show a service's error beside the field it names."""

    def attach(self, err: DomainError) -> None:
        """Put the rule's message on its field, or above the form when it names none."""
        for name, message in ((err.field, err.message), *err.also.items()):
            field = getattr(self, name, None) if name else None
            if field is None:
                self.form_errors.append(message)
            elif not field.errors:  # one message per field: the form's own check came first
                field.errors = [message]


class ActionForm(AttachableForm):
    """A field-less form: a state-changing button that posts with a CSRF token."""


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
