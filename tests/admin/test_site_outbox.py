"""The email outbox in the admin console (issue 13): what waits, what failed and why, what
was sent to whom and when; a site admin sends a failed email again, one or all, on the
record."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fanhub.accounts.models import User
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden
from fanhub.extensions import db
from fanhub.moderation.models import Decision, ItemKind
from fanhub.notifications import services as notifications
from fanhub.notifications.models import EmailStatus, OutboundEmail
from fanhub.notifications.services import OUTBOX_PAGE_SIZE
from tests import factories
from tests.moderation.conftest import actions
from tests.stories import login_as


class Transport:
    """Delivery that keeps what it was handed, as a mail server would take it."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: Any) -> None:
        self.sent.append(message["To"])

    def close(self) -> None:
        pass


def _email(
    app: Any,
    to: str,
    *,
    status: EmailStatus,
    subject: str = "Hello",
    kind: str = "notification",
    error: str | None = None,
    now: Any,
) -> OutboundEmail:
    """An outbox row in the given state (the worker's outcomes, set directly)."""
    with app.app_context(), transaction():
        email = OutboundEmail(
            to_address=to, subject=subject, body_text="Hi", body_html=None, headers={},
            kind=kind, status=status, attempts=6 if status is EmailStatus.FAILED else 0,
            next_attempt_at=now, last_error=error, created_at=now,
            sent_at=now if status is EmailStatus.SENT else None,
        )  # fmt: skip
        db.session.add(email)
    return factories.load(app, OutboundEmail, email.id)


def _retries(app: Any) -> list[Any]:
    """The audit rows of retried emails (the story's set-up logs brands of its own)."""
    return [row for row in actions(app) if row.action is Decision.RETRY_EMAIL]


@pytest.fixture
def outbox(app, shop, now) -> dict[str, OutboundEmail]:
    return {
        "pending": _email(app, "ann@example.com", status=EmailStatus.PENDING, now=now),
        "sent": _email(
            app, shop.member.email, status=EmailStatus.SENT, subject="Your reply", now=now
        ),
        "failed": _email(
            app,
            shop.other_member.email,
            status=EmailStatus.FAILED,
            kind="verify_email",
            error="550 mailbox unavailable",
            now=now,
        ),  # fmt: skip
    }


def test_the_outbox_lists_pending_failed_with_the_error_and_sent_to_whom(app, client, shop, outbox):
    login_as(client, shop.admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert 'data-status="pending"' in page and "ann@example.com" in page
    assert 'data-status="sent"' in page and "member@example.com" in page and "Your reply" in page
    assert 'data-status="failed"' in page and "550 mailbox unavailable" in page
    assert "Retry the failed email" in page


def test_the_outbox_filters_by_status_and_recipient(app, client, shop, outbox):
    login_as(client, shop.admin)
    failed = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert 'data-status="failed"' in failed and 'data-status="sent"' not in failed
    ann = client.get("/admin/outbox?to=ANN@").get_data(as_text=True)
    assert "ann@example.com" in ann and "member@example.com" not in ann
    assert client.get("/admin/outbox?status=lost").status_code == 400
    assert client.get("/admin/outbox?before=x").status_code == 400


def test_the_outbox_pages_newest_first_with_a_fixed_number_of_queries(
    app, client, shop, now, count_queries
):
    for n in range(OUTBOX_PAGE_SIZE + 3):
        _email(app, f"fan{n}@example.com", status=EmailStatus.SENT, now=now)
    login_as(client, shop.admin)
    with count_queries() as first:
        page = client.get("/admin/outbox").get_data(as_text=True)
    assert f"fan{OUTBOX_PAGE_SIZE + 2}@example.com" in page and "fan0@" not in page
    older = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    with count_queries() as second:
        rest = client.get(older).get_data(as_text=True)
    assert "fan0@example.com" in rest and 'rel="next"' not in rest
    assert len(first) == len(second)


def test_a_failed_email_is_retried_and_then_delivered(app, client, shop, outbox, now):
    login_as(client, shop.admin)
    failed = outbox["failed"]
    response = client.post(f"/admin/outbox/{failed.id}/retry?status=failed")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/outbox?status=failed"
    again = factories.load(app, OutboundEmail, failed.id)
    assert (again.status, again.attempts) == (EmailStatus.PENDING, 0)
    assert again.last_error == "550 mailbox unavailable"  # what went wrong last time
    [row] = _retries(app)
    assert (row.action, row.item_kind, row.item_id) == (
        Decision.RETRY_EMAIL,
        ItemKind.EMAIL,
        failed.id,
    )
    assert row.moderator_id == shop.admin.id and row.subject_id == shop.other_member.id
    assert row.state_before == {"status": "failed", "attempts": 6}
    assert "other_member@example.com" not in row.reason  # the address stays off the log
    transport = Transport()
    with app.app_context():
        notifications.deliver_due_mail(now=now + timedelta(seconds=1), transport=transport)
    assert "other_member@example.com" in transport.sent
    assert factories.load(app, OutboundEmail, failed.id).status is EmailStatus.SENT


def test_retrying_an_email_that_has_not_failed_says_why(app, client, shop, outbox):
    login_as(client, shop.admin)
    response = client.post(f"/admin/outbox/{outbox['sent'].id}/retry")
    assert response.status_code == 409
    assert "This email is sent now, not failed" in response.get_data(as_text=True)
    assert client.post("/admin/outbox/999999/retry").status_code == 404
    assert _retries(app) == []


def test_a_second_retry_of_the_same_email_is_a_conflict(app, shop, outbox, now):
    with app.app_context():
        admin = db.session.get(User, shop.admin.id)
        notifications.retry_email(admin, outbox["failed"].id, now=now)
        with pytest.raises(Conflict):
            notifications.retry_email(admin, outbox["failed"].id, now=now)
    assert len(_retries(app)) == 1


def test_retry_all_sends_every_failed_email_again_each_on_the_record(
    app, client, shop, outbox, now
):
    second = _email(app, "bob@example.com", status=EmailStatus.FAILED, error="timeout", now=now)
    login_as(client, shop.admin)
    response = client.post("/admin/outbox/retry-failed", follow_redirects=True)
    assert "2 failed emails are queued to go again." in response.get_data(as_text=True)
    for email in (outbox["failed"], second):
        assert factories.load(app, OutboundEmail, email.id).status is EmailStatus.PENDING
    assert factories.load(app, OutboundEmail, outbox["sent"].id).status is EmailStatus.SENT
    assert sorted(row.item_id for row in _retries(app)) == sorted([outbox["failed"].id, second.id])
    again = client.post("/admin/outbox/retry-failed", follow_redirects=True)
    assert "No failed emails to retry." in again.get_data(as_text=True)


def test_only_a_site_admin_retries(app, shop, outbox, now):
    with app.app_context():
        staff = db.session.get(User, shop.staff.id)
        with pytest.raises(Forbidden):
            notifications.retry_failed_emails(staff, now=now)
        with pytest.raises(Forbidden):
            notifications.retry_email(staff, outbox["failed"].id, now=now)
    assert factories.load(app, OutboundEmail, outbox["failed"].id).status is EmailStatus.FAILED
