"""Invite-only registration (issue 13): when a site admin makes registration invite-only,
/register says so and refuses anyone without an invitation; a site admin invites people by
email from /admin/invitations, and the link brings that address in once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from fanhub.accounts import invitations
from fanhub.accounts.models import SiteInvitation, User
from fanhub.accounts.services import RegistrationDraft, register
from fanhub.db import utcnow
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.moderation.services import settings as setting_services
from tests import factories
from tests.stories import login_as

NEW_PASSWORD = "a-brand-new-passphrase-42"


def _invite_only(app: Any, shop: Any) -> None:
    with app.app_context():
        setting_services.change_settings(
            db.session.get(User, shop.admin.id), {"REGISTRATION_MODE": "invite_only"}, now=utcnow()
        )


def _accounts(app: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User)) or 0


def _invite(app: Any, client: Any, shop: Any, email: str = "newfan@example.com") -> str:
    """The path of the link the invitation email carries."""
    login_as(client, shop.admin)
    response = client.post("/admin/invitations", data={"email": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/logout")
    [sent] = factories.sent_emails(app, "site_invitation")
    assert sent.to_address == email
    return factories.link_in(sent)


def _join(client: Any, path: str, email: str = "newfan@example.com", username: str = "newfan"):
    return client.post(path, data={"username": username, "email": email, "password": NEW_PASSWORD})


def test_invite_only_registration_says_so_and_refuses_a_plain_registration(app, client, shop):
    _invite_only(app, shop)
    before = _accounts(app)
    page = client.get("/register")
    assert page.status_code == 200
    assert "by invitation only" in page.get_data(as_text=True)
    assert 'name="password"' not in page.get_data(as_text=True)
    refused = _join(client, "/register")
    assert refused.status_code == 403
    assert "by invitation only" in refused.get_data(as_text=True)
    assert _accounts(app) == before


def test_an_invited_address_registers_once_with_its_address_confirmed(app, client, shop):
    _invite_only(app, shop)
    link = _invite(app, client, shop)
    assert link.startswith("/register?invitation=")
    form = client.get(link).get_data(as_text=True)
    assert 'value="newfan@example.com"' in form and "You're invited" in form
    response = _join(client, link)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/welcome/contact")
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "newfan")).one()
        invitation = db.session.scalars(select(SiteInvitation)).one()
        assert user.is_email_verified  # she read the invitation at that address
        assert (invitation.used_by_id, invitation.invited_by_id) == (user.id, shop.admin.id)
        assert invitation.used_at is not None and invitation.email == ""
    assert factories.sent_emails(app, "verify_email") == []
    client.post("/logout")
    again = _join(client, link, username="secondfan")
    assert again.status_code == 409
    assert "already been used" in again.get_data(as_text=True)
    assert client.get(link).status_code == 409


def test_an_invitation_admits_only_the_address_it_was_sent_to(app, client, shop):
    _invite_only(app, shop)
    link = _invite(app, client, shop)
    response = _join(client, link, email="someone.else@example.com")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This invitation is for newfan@example.com" in page and 'id="email-error"' in page


def test_a_tampered_or_expired_invitation_is_refused(app, client, shop, now):
    _invite_only(app, shop)
    link = _invite(app, client, shop)
    assert _join(client, link[:-3] + "abc").status_code == 400
    token = link.split("=", 1)[1]
    with app.app_context(), pytest.raises(Invalid, match="expired"):
        invitations.open_invitation(token, now=now + timedelta(days=15))


def test_the_invitations_page_records_who_invited_whom_and_when_it_was_used(app, client, shop):
    link = _invite(app, client, shop)
    _join(client, link)
    client.post("/logout")
    login_as(client, shop.admin)
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert ">newfan</a>" in page and "siteadmin" in page
    assert "Registration is <strong>open</strong>" in page


def test_an_address_with_an_account_is_not_invited(app, client, shop):
    login_as(client, shop.admin)
    response = client.post("/admin/invitations", data={"email": "Member@Example.com"})
    assert response.status_code == 409
    assert "already has an account" in response.get_data(as_text=True)
    bad = client.post("/admin/invitations", data={"email": "not an address"})
    assert bad.status_code == 400
    assert factories.sent_emails(app, "site_invitation") == []


def test_only_a_site_admin_invites(app, shop, now):
    with app.app_context(), pytest.raises(Forbidden):
        invitations.invite(db.session.get(User, shop.owner.id), "x@example.com", now=now)


def test_open_registration_is_unchanged(app, client, shop):
    response = _join(client, "/register", email="plain@example.com", username="plainfan")
    assert response.status_code == 302
    assert len(factories.sent_emails(app, "verify_email")) == 1


def test_the_command_line_still_makes_accounts_when_registration_is_by_invitation(
    app, runner, shop
):
    _invite_only(app, shop)
    result = runner.invoke(
        args=["create-user", "opsfan", "ops@example.com", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output


def test_one_link_used_twice_at_once_makes_one_account(app, shop, now):
    _invite_only(app, shop)
    with app.app_context():
        invitation = invitations.invite(
            db.session.get(User, shop.admin.id), "twice@example.com", now=now
        )
        token = factories.link_in(factories.sent_emails(app, "site_invitation")[0]).split("=")[1]
        opened = invitations.open_invitation(token, now=now)  # both read it unused...
        assert opened.id == invitation.id
        invitations.join(RegistrationDraft("first", "twice@example.com", NEW_PASSWORD), token,
                         now=now)  # fmt: skip
        with pytest.raises(Conflict):
            # ...the second write finds it used (the UPDATE checks used_at in SQL).
            register(
                RegistrationDraft("second", "twice2@example.com", NEW_PASSWORD),
                now=now,
                invitation=opened,
            )


def test_the_invitations_page_queries_do_not_grow_with_invitations(
    app, client, shop, now, count_queries
):
    with app.app_context():
        admin = db.session.get(User, shop.admin.id)
        invitations.invite(admin, "one@example.com", now=now)
    login_as(client, shop.admin)
    with count_queries() as few:
        client.get("/admin/invitations")
    with app.app_context():
        admin = db.session.get(User, shop.admin.id)
        for n in range(invitations.INVITATIONS_PAGE_SIZE + 5):
            invitations.invite(admin, f"fan{n}@example.com", now=now)
    with count_queries() as many:
        page = client.get("/admin/invitations").get_data(as_text=True)
    assert page.count("data-invitation=") == invitations.INVITATIONS_PAGE_SIZE
    assert 'rel="next"' in page
    assert len(many) == len(few)
