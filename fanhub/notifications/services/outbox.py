"""The outbox: email queued in the caller's transaction, with the links every email carries;
and the site admins' view of it, with failed emails sent again (issue 13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, render_template
from sqlalchemy import ColumnElement, func, select, update
from werkzeug.routing import BuildError

from fanhub.accounts.models import User
from fanhub.content import ItemKind
from fanhub.cursors import make_cursor, read_cursor
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.links import absolute_url
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision
from fanhub.notifications.models import EmailStatus, MessageKind, OutboundEmail
from fanhub.notifications.preferences import unsubscribe_token
from fanhub.permissions import Action, Actor, require

OUTBOX_PAGE_SIZE = 50
RECIPIENT_FILTER_MAX = 254


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


@dataclass
class OutboxPage:
    """A page of the outbox, newest first, with how many emails wait or failed."""

    emails: list[OutboundEmail]
    next_cursor: str | None
    status: EmailStatus | None
    recipient: str
    # Emails still to send, being sent, and given up on (sent ones are not counted).
    waiting: dict[EmailStatus, int]

    @property
    def failed(self) -> int:
        """How many emails failed for good and wait for a retry."""
        return self.waiting[EmailStatus.FAILED]


def outbox_page(
    viewer: Actor,
    *,
    status: str = "",
    recipient: str = "",
    cursor: str | None = None,
    now: datetime,
) -> OutboxPage:
    """The outbox for a site admin, newest first: every email, or those of one status, or
    to addresses containing `recipient`; paged by id, a fixed number of queries.

    :raises Forbidden: the viewer is not a site admin.
    :raises Invalid: an unknown status, a recipient too long, or a bad cursor.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    chosen: EmailStatus | None = None
    if status:
        try:
            chosen = EmailStatus(status)
        except ValueError:
            raise Invalid("Filter by one of the statuses in the list.", field="status") from None
    wanted = " ".join(recipient.split()).lower()
    if len(wanted) > RECIPIENT_FILTER_MAX:
        raise Invalid(f"Search for at most {RECIPIENT_FILTER_MAX} characters.", field="to")
    query = select(OutboundEmail)
    if chosen is not None:
        query = query.where(OutboundEmail.status == chosen)
    if wanted:
        query = query.where(func.lower(OutboundEmail.to_address).contains(wanted, autoescape=True))
    if cursor:
        (before,) = read_cursor(cursor, int)
        query = query.where(OutboundEmail.id < before)
    emails = list(
        db.session.scalars(query.order_by(OutboundEmail.id.desc()).limit(OUTBOX_PAGE_SIZE + 1))
    )
    next_cursor = None
    if len(emails) > OUTBOX_PAGE_SIZE:
        emails = emails[:OUTBOX_PAGE_SIZE]
        next_cursor = make_cursor(emails[-1].id)
    unsent = (EmailStatus.PENDING, EmailStatus.SENDING, EmailStatus.FAILED)
    counted = {
        each: n
        for each, n in db.session.execute(
            select(OutboundEmail.status, func.count())
            .where(OutboundEmail.status.in_(unsent))
            .group_by(OutboundEmail.status)
        )
    }
    waiting = {each: counted.get(each, 0) for each in unsent}
    return OutboxPage(emails, next_cursor, chosen, wanted, waiting)


def retry_email(actor: Actor, email_id: int, *, now: datetime) -> OutboundEmail:
    """Send one failed email again: due now, with a fresh set of attempts (logged).

    :raises Forbidden: the actor is not a site admin.
    :raises NotFound: no such email.
    :raises Conflict: the email has not failed (it was sent, or retried meanwhile).
    """
    require(actor, Action.SITE_ADMIN, now=now)
    email = db.session.get(OutboundEmail, email_id)
    if email is None:
        raise NotFound("There is no such email in the outbox.")
    if not _retry(actor, OutboundEmail.id == email_id, now=now):
        raise Conflict(f"This email is {email.status.value} now, not failed: nothing to retry.")
    return email


def retry_failed_emails(actor: Actor, *, now: datetime) -> int:
    """Send every failed email again, each due now with a fresh set of attempts and its own
    line in the audit log; how many there were.

    :raises Forbidden: the actor is not a site admin.
    """
    require(actor, Action.SITE_ADMIN, now=now)
    return _retry(actor, None, now=now)


def _retry(actor: Actor, which: ColumnElement[bool] | None, *, now: datetime) -> int:
    """Put the failed emails `which` picks (all, for None) back in line, logging each."""
    failed = OutboundEmail.status == EmailStatus.FAILED
    condition = failed if which is None else failed & which
    with transaction():
        rows = db.session.execute(
            select(OutboundEmail.id, OutboundEmail.to_address, OutboundEmail.kind,
                   OutboundEmail.attempts)
            .where(condition)
            .order_by(OutboundEmail.id)
            .with_for_update()
        ).all()  # fmt: skip
        if not rows:
            return 0
        ids = [row.id for row in rows]
        moved = db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id.in_(ids), failed)
            .values(status=EmailStatus.PENDING, attempts=0, next_attempt_at=now,
                    claimed_until=None)
            .execution_options(synchronize_session="fetch")
        )  # fmt: skip
        if rows_changed(moved) != len(ids):  # a second admin's click got there first
            raise Conflict("Someone retried these emails meanwhile: look at the outbox again.")
        # Whose email it was, for the log's member filter; the address itself stays out
        # of the append-only log (it outlives her account).
        addresses = {row.to_address for row in rows}
        members = {
            address: member_id
            for address, member_id in db.session.execute(
                select(User.email, User.id).where(User.email.in_(addresses))
            )
        }
        for row in rows:
            record_action(
                actor,
                Decision.RETRY_EMAIL,
                item_kind=ItemKind.EMAIL,
                item_id=row.id,
                brand_id=None,
                subject_id=members.get(row.to_address),
                before={"status": EmailStatus.FAILED.value, "attempts": row.attempts},
                after={"status": EmailStatus.PENDING.value, "attempts": 0},
                reason=f"A {row.kind.replace('_', ' ')} email.",
                now=now,
            )
    return len(rows)
