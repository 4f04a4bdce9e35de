"""What a site admin does from a member's record (issue 13): suspend, ban, lift, set the trust
level, resend the confirmation link, start a password reset, make an account; each through
the same services as the moderation pages and the command line, each on the log."""

from __future__ import annotations

import html

from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.content import ItemKind
from fanhub.extensions import db
from fanhub.moderation.models import Decision
from tests import factories
from tests.admin.admin_support import log_rows
from tests.stories import login_as


def _text(response) -> str:
    """The page's text with its entities read (an apostrophe is sent as &#39;)."""
    return html.unescape(response.get_data(as_text=True))


def _post(client, shop, who, action: str, **data: str):
    return client.post(f"/admin/members/{who.id}/{action}", data=data)


def test_a_site_admin_suspends_a_member_and_lifts_it(app, client, shop):
    login_as(client, shop.admin)

    suspended = _post(
        client, shop, shop.member, "suspend",
        **{"suspend-days": "3", "suspend-rule": "spam", "suspend-reason": "Links to a shop"},
    )  # fmt: skip
    assert suspended.status_code == 302
    assert factories.reload_user(app, shop.member.id).suspended_until is not None
    record = client.get(suspended.headers["Location"]).get_data(as_text=True)
    assert "Suspended member until" in record  # the service's own message, flashed

    lifted = _post(client, shop, shop.member, "lift", **{"lift-reason": "Said sorry"})
    assert lifted.status_code == 302
    assert factories.reload_user(app, shop.member.id).suspended_until is None

    suspend, lift = log_rows(app, ItemKind.MEMBER, Decision.SUSPEND, Decision.LIFT)
    assert (suspend.moderator_id, suspend.subject_id) == (shop.admin.id, shop.member.id)
    assert suspend.reason == "Links to a shop" and lift.reason == "Said sorry"
    assert lift.brand_id is None


def test_a_suspension_without_a_rule_is_refused_next_to_the_rule(app, client, shop):
    login_as(client, shop.admin)

    response = _post(
        client, shop, shop.member, "suspend", **{"suspend-days": "3", "suspend-reason": "Hmm"}
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="suspend-rule-error"' in page and "Choose the rule it breaks" in page
    assert 'value="Hmm"' in page
    assert factories.reload_user(app, shop.member.id).suspended_until is None
    assert log_rows(app, ItemKind.MEMBER) == []


def test_a_suspension_without_days_is_refused_next_to_the_days(app, client, shop):
    login_as(client, shop.admin)

    response = _post(client, shop, shop.member, "suspend", **{"suspend-rule": "spam"})

    assert response.status_code == 400
    assert 'id="suspend-days-error"' in response.get_data(as_text=True)


def test_a_ban_needs_the_tick_box(app, client, shop):
    login_as(client, shop.admin)
    ban = {"ban-rule": "abuse", "ban-reason": "Threats"}

    refused = _post(client, shop, shop.member, "ban", **ban)
    assert refused.status_code == 400
    assert "Tick the box to ban this member." in refused.get_data(as_text=True)
    assert factories.reload_user(app, shop.member.id).banned_at is None

    banned = _post(client, shop, shop.member, "ban", **ban, **{"ban-confirm": "y"})
    assert banned.status_code == 302
    member = factories.reload_user(app, shop.member.id)
    assert member.banned_at is not None and member.banned_until is None
    [row] = log_rows(app, ItemKind.MEMBER, Decision.BAN)
    assert row.reason == "Threats"


def test_another_site_admin_cannot_be_sanctioned(app, client, shop):
    other = factories.make_user(app, "otheradmin", admin=True)
    login_as(client, shop.admin)

    response = _post(
        client, shop, other, "suspend", **{"suspend-days": "1", "suspend-rule": "spam"}
    )

    assert response.status_code == 403
    assert "Site admins and deleted accounts can't be suspended" in _text(response)


def test_lifting_when_there_is_nothing_to_lift_is_a_conflict(app, client, shop):
    login_as(client, shop.admin)

    response = _post(client, shop, shop.member, "lift")

    assert response.status_code == 409
    assert "member is neither suspended nor banned." in _text(response)


def test_a_site_admin_sets_the_trust_level_on_the_record(app, client, shop):
    login_as(client, shop.admin)

    response = _post(
        client, shop, shop.member, "trust", **{"trust-level": "3", "trust-reason": "Helps a lot"}
    )

    assert response.status_code == 302
    assert factories.reload_user(app, shop.member.id).trust_level == 3
    [row] = log_rows(app, ItemKind.MEMBER, Decision.TRUST)
    assert (row.state_before, row.state_after) == ({"trust_level": 1}, {"trust_level": 3})
    again = _post(client, shop, shop.member, "trust", **{"trust-level": "3"})
    assert again.status_code == 409
    assert "already at trust level 3" in again.get_data(as_text=True)


def test_a_trust_level_out_of_range_is_a_400(app, client, shop):
    login_as(client, shop.admin)

    response = _post(client, shop, shop.member, "trust", **{"trust-level": "7"})

    assert response.status_code == 400
    assert factories.reload_user(app, shop.member.id).trust_level == 1


def test_a_site_admin_resends_the_confirmation_link(app, client, shop):
    newcomer = factories.make_user(app, "newcomer", verified=False)
    login_as(client, shop.admin)

    response = _post(client, shop, newcomer, "confirmation")

    assert response.status_code == 302
    assert len(factories.sent_emails(app, "verify_email")) == 2  # at sign-up, and now
    [row] = log_rows(app, ItemKind.MEMBER, Decision.RESEND_CONFIRMATION)
    assert (row.moderator_id, row.subject_id) == (shop.admin.id, newcomer.id)
    # The new link works: it confirms her address.
    link = factories.link_in(factories.sent_emails(app, "verify_email")[-1])
    client.post(link)
    assert factories.reload_user(app, newcomer.id).is_email_verified


def test_resending_to_a_confirmed_address_is_a_conflict_and_sends_nothing(app, client, shop):
    login_as(client, shop.admin)

    response = _post(client, shop, shop.member, "confirmation")

    assert response.status_code == 409
    assert "member's email address is already confirmed." in _text(response)
    assert factories.sent_emails(app, "verify_email") == []
    assert log_rows(app, ItemKind.MEMBER, Decision.RESEND_CONFIRMATION) == []


def test_a_site_admin_starts_a_password_reset_and_only_she_can_finish_it(app, client, shop):
    login_as(client, shop.admin)

    response = _post(client, shop, shop.member, "password-reset")

    assert response.status_code == 302
    [email] = factories.sent_emails(app, "password_reset")
    assert email.to_address == "member@example.com"
    [row] = log_rows(app, ItemKind.MEMBER, Decision.PASSWORD_RESET)
    assert row.subject_id == shop.member.id
    # Her password is unchanged until she follows the link.
    her = app.test_client()
    assert factories.login(her, "member").status_code == 302


def test_a_site_admin_makes_an_account_as_the_command_line_does(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/members/new",
        data={
            "username": "Newbie",
            "email": "newbie@example.com",
            "password": "a-long-and-rare-passphrase-41",
        },
    )

    assert response.status_code == 302
    with app.app_context():
        made = db.session.scalars(select(User).where(User.username == "newbie")).one()
        assert made.is_email_verified and not made.is_admin
        assert response.headers["Location"] == f"/admin/members/{made.id}"
    [row] = log_rows(app, ItemKind.MEMBER, Decision.CREATE)
    assert (row.moderator_id, row.subject_id) == (shop.admin.id, made.id)


def test_an_account_that_breaks_a_rule_is_refused_with_the_form_kept(app, client, shop):
    login_as(client, shop.admin)

    taken = client.post(
        "/admin/members/new",
        data={
            "username": "member",
            "email": "x@example.com",
            "password": "a-long-and-rare-passphrase-41",
        },
    )
    weak = client.post(
        "/admin/members/new",
        data={"username": "fresh", "email": "not-an-address", "password": "short"},
    )

    assert taken.status_code == 409
    assert "That username is taken" in taken.get_data(as_text=True)
    assert weak.status_code == 400
    page = weak.get_data(as_text=True)
    assert "Enter a valid email address." in page and 'value="fresh"' in page
    assert log_rows(app, ItemKind.MEMBER, Decision.CREATE) == []
