"""Every email is an outbox row written in the same transaction as the action behind it."""

from __future__ import annotations

import pytest

from fanhub.accounts import services as accounts
from fanhub.db import transaction
from fanhub.errors import Conflict
from fanhub.notifications.models import EmailStatus
from fanhub.notifications.services import queue_email
from tests.factories import PASSWORD, sent_emails


def test_registering_a_member_writes_her_confirmation_email_to_the_outbox(app, make_user):
    make_user("newfan", verified=False)
    [email] = sent_emails(app)
    assert email.kind == "verify_email"
    assert email.to_address == "newfan@example.com"
    assert email.subject == "Confirm your email address for fanhub"
    assert "Hello newfan," in email.body_text
    assert "http://localhost/verify/" in email.body_text
    assert 'href="http://localhost/verify/' in email.body_html
    assert email.status is EmailStatus.PENDING
    assert email.attempts == 0
    assert email.sent_at is None


def test_a_registration_refused_as_a_duplicate_leaves_no_new_email(app, make_user, now):
    make_user("takenname", verified=False)
    before = [email.id for email in sent_emails(app)]
    with app.app_context(), pytest.raises(Conflict):
        accounts.register(
            accounts.RegistrationDraft("TakenName", "other@example.com", PASSWORD), now=now
        )
    assert [email.id for email in sent_emails(app)] == before


def test_an_email_queued_by_work_that_then_fails_is_rolled_back_with_it(app, now):
    with app.app_context(), pytest.raises(Conflict), transaction():
        queue_email(
            to="fan@example.com",
            kind="verify_email",
            subject="Confirm your email address for fanhub",
            template="verify_email",
            user={"username": "fan"},
            link="http://localhost/verify/token",
            now=now,
        )
        raise Conflict("That username is taken. Please choose another.")
    assert sent_emails(app) == []
