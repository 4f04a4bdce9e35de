"""The outbox: email queued in the caller's transaction, with the links every email carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, render_template
from werkzeug.routing import BuildError

from fanhub.extensions import db
from fanhub.links import absolute_url
from fanhub.notifications.models import EmailStatus, MessageKind, OutboundEmail
from fanhub.notifications.preferences import unsubscribe_token


def queue_email(
    *,
    to: str,
    kind: str,
    subject: str,
    template: str,
    now: datetime,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> OutboundEmail:
    """Add an email to the outbox in the current transaction (the caller commits), due `now`.

    Renders `email/<template>.txt` and `email/<template>.html` with `context`, plus
    `preferences_url` for the footer every email carries.
    """
    context.setdefault("preferences_url", preferences_link())
    email = OutboundEmail(
        to_address=to,
        kind=kind,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", **context),
        headers=dict(headers or {}),
        status=EmailStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(email)
    return email


def preferences_link() -> str:
    """The absolute URL of the preference centre, for the footer of every email."""
    return _public_link("notifications.preference_centre", "/settings/notifications")


def unsubscribe_link(user_id: int, kind: MessageKind, *, now: datetime) -> str:
    """The absolute one-click unsubscribe URL that stops `kind` of email for this member."""
    token = unsubscribe_token(user_id, kind, now=now)
    return _public_link("notifications.unsubscribe", f"/unsubscribe/{token}", token=token)


def unsubscribe_headers(user_id: int, kind: MessageKind, *, now: datetime) -> dict[str, str]:
    """List-Unsubscribe (RFC 2369) with its one-click POST (RFC 8058) for a notification
    email: mail programs show an "unsubscribe" button that stops exactly `kind`."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_link(user_id, kind, now=now)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _public_link(endpoint: str, path: str, **values: Any) -> str:
    # The public paths are stable (DESIGN.md): while the preference centre's views are
    # not registered, the documented path still reaches them once they are.
    try:
        return absolute_url(endpoint, **values)
    except BuildError:
        return current_app.config["BASE_URL"] + path
