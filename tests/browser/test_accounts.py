"""Registering, logging in and out, and resetting a password, in a real browser with real CSRF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from fanhub.extensions import db
from fanhub.notifications.models import OutboundEmail
from tests import factories
from tests.browser.support import LiveServer, Snap, log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

NEW_PASSWORD = "lantern-orchard-velvet-42"


def signed_in_as(page: Page) -> Locator:
    """The username the header shows when someone is logged in."""
    return page.locator(".site-header").get_by_test_id("signed-in-as")


def request_reset_link(page: Page, snap: Snap, live_server: LiveServer, email: str) -> str:
    """Ask for a reset link through the form; return the link the emailed message holds."""
    page.goto("/password/reset")
    snap(page, "reset-request")
    page.locator("main form").get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    snap(page, "reset-sent")
    with live_server.app.app_context():
        message = db.session.scalars(
            select(OutboundEmail)
            .where(OutboundEmail.kind == "password_reset", OutboundEmail.to_address == email)
            .order_by(OutboundEmail.id.desc())
        ).first()
        assert message is not None, f"no password reset email was queued for {email}"
        body = message.body_text
    # The link must point at the public address (BASE_URL), here the live server.
    match = re.search(re.escape(live_server.url) + r"/\S+", body)
    assert match, f"no link to {live_server.url} in: {body}"
    return match.group(0)


def choose_new_password(page: Page, snap: Snap, link: str) -> None:
    """Open a reset link and set NEW_PASSWORD through its form."""
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    snap(page, "reset-form")
    page.locator("main form").get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.locator(".flash--success")).to_contain_text("Your password has been changed.")
    snap(page, "reset-done")


def test_a_visitor_registers_through_the_form_and_is_logged_in(desktop, snap):
    desktop.goto("/register")
    snap(desktop, "1-form")
    form = desktop.locator("main form")
    form.get_by_label("Username").fill("newfan")
    form.get_by_label("Email").fill("newfan@example.com")
    form.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    form.get_by_role("button", name="Create my account").click()
    expect(signed_in_as(desktop)).to_have_text("newfan")
    expect(desktop.locator(".flash--success")).to_contain_text("Welcome to fanhub, newfan!")
    snap(desktop, "2-welcome")


def test_registering_with_a_taken_username_shows_the_error_on_its_field(desktop, snap, live_server):
    factories.make_user(live_server.app, "takenfan")
    desktop.goto("/register")
    snap(desktop, "1-form")
    form = desktop.locator("main form")
    form.get_by_label("Username").fill("takenfan")
    form.get_by_label("Email").fill("someone-else@example.com")
    form.get_by_label("Password").fill("a-long-and-unusual-passphrase")
    form.get_by_role("button", name="Create my account").click()
    username = desktop.locator(".field", has=desktop.get_by_label("Username"))
    expect(username).to_have_class(re.compile(r"\bfield--error\b"))
    expect(username.locator(".field__error")).to_have_text(
        "That username is taken. Please choose another."
    )
    expect(form.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    expect(signed_in_as(desktop)).to_have_count(0)
    snap(desktop, "2-errors")


def test_a_member_logs_out_with_the_header_button(desktop, snap, live_server):
    factories.make_user(live_server.app, "leaver")
    log_in(desktop, "leaver", factories.PASSWORD, snap, "1-login")
    expect(signed_in_as(desktop)).to_have_text("leaver")
    snap(desktop, "2-logged-in")
    desktop.locator(".site-header").get_by_role("button", name="Log out").click()
    expect(desktop.locator(".site-header").get_by_role("link", name="Log in")).to_be_visible()
    expect(signed_in_as(desktop)).to_have_count(0)
    expect(desktop.locator(".flash--info")).to_have_text("You are logged out.")
    snap(desktop, "3-logged-out")


@pytest.mark.parametrize(
    ("username", "identifier"),
    [("byname", "byname"), ("bymail", "bymail@example.com")],
    ids=["username", "email"],
)
def test_a_member_logs_in_with_her_username_or_email(
    desktop, snap, live_server, username, identifier
):
    factories.make_user(live_server.app, username)
    log_in(desktop, identifier, factories.PASSWORD, snap, "1-login")
    expect(signed_in_as(desktop)).to_have_text(username)
    expect(desktop).to_have_url(live_server.url + "/")
    snap(desktop, "2-logged-in")


def test_a_wrong_password_is_answered_beside_the_form(desktop, snap, live_server):
    factories.make_user(live_server.app, "forgetful")
    log_in(desktop, "forgetful", "not-the-password", snap, "1-login")
    form = desktop.locator("main form")
    expect(form.locator(".form-errors")).to_have_text("Invalid login or password.")
    # The form is still there, with what she typed, ready for another try.
    expect(form.get_by_label("Username or email")).to_have_value("forgetful")
    expect(form.get_by_label("Password")).to_be_visible()
    expect(form.get_by_role("button", name="Log in")).to_be_visible()
    expect(signed_in_as(desktop)).to_have_count(0)
    snap(desktop, "2-error")


def test_a_member_resets_her_password_through_the_emailed_link(desktop, snap, live_server):
    factories.make_user(live_server.app, "resetter")
    link = request_reset_link(desktop, snap, live_server, "resetter@example.com")
    choose_new_password(desktop, snap, link)
    log_in(desktop, "resetter", NEW_PASSWORD, snap, "login")
    expect(signed_in_as(desktop)).to_have_text("resetter")
    snap(desktop, "logged-in")


def test_a_used_reset_link_says_it_has_already_been_used(desktop, snap, live_server):
    factories.make_user(live_server.app, "onceonly")
    link = request_reset_link(desktop, snap, live_server, "onceonly@example.com")
    choose_new_password(desktop, snap, link)
    response = desktop.goto(link)
    assert response is not None
    assert response.status == 400
    expect(desktop.get_by_test_id("token-problem")).to_contain_text("already been used")
    expect(desktop.locator("main form")).to_have_count(0)
    snap(desktop, "used-link")
