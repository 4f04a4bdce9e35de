"""The site admin's and the brand owner's days in the demo itself (issue 13, "Done when"):
what a newcomer sees after `make run`, done as those people would, start to finish. The
moderator's day is in test_moderator_story.py; the purpose-built stories in
test_admin_story.py and test_owner_story.py go into each corner of the same screens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from fanhub import demo
from fanhub.db import utcnow
from tests import factories
from tests.browser.support import DESKTOP, PHONE, log_in, needs_chromium, page_width

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture(scope="module")
def seeded(live_server) -> None:
    with live_server.app.app_context():
        demo.seed_demo(now=utcnow())


def _flash(page: Page):
    return page.locator(".flashes")


def test_the_site_admin_runs_the_demo_site(open_page, seeded, snap, console_errors):
    page = open_page(DESKTOP)
    log_in(page, "admin", demo.DEMO_PASSWORD)
    page.get_by_test_id("nav-admin").click()
    nav = page.get_by_role("navigation", name="Admin console")

    # Carol, a regular in the coffee forum: found by her address, her record on one page.
    nav.get_by_role("link", name="Members").click()
    page.get_by_label("Name or email").fill("CAROL@")
    page.get_by_role("button", name="Find").click()
    members = page.get_by_test_id("admin-members")
    expect(members.locator("tbody tr")).to_have_count(1)
    members.get_by_role("link", name="carol").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("carol")
    expect(page.get_by_test_id("member-writing")).not_to_be_empty()

    # Trust: she has earned level 2.
    trust = page.locator("form[action$='/trust']")
    trust.get_by_label("Level").select_option("2")
    trust.get_by_role("button", name="Set trust level").click()
    expect(page.locator(".flash--success")).to_contain_text("carol is now at trust level 2")
    # She forgot her password and wrote in: the admin starts a reset for her.
    page.get_by_role("button", name="Start a password reset").click()
    expect(page.locator(".flash--success")).to_be_visible()

    # Kurt, whose put-downs the moderators keep hiding: a short suspension, then lifted.
    nav.get_by_role("link", name="Members").click()
    page.get_by_label("Name or email").fill("kurt")
    page.get_by_role("button", name="Find").click()
    page.get_by_test_id("admin-members").get_by_role("link", name="kurt").click()
    suspend = page.locator("form[action$='/suspend']")
    suspend.get_by_label("Days").fill("2")
    suspend.get_by_label("Rule").select_option("abuse")
    suspend.get_by_label("Why (told to the member and logged)").fill("Third put-down this week")
    suspend.get_by_role("button", name="Suspend").click()
    expect(page.get_by_test_id("member-standing")).to_have_text("Suspended")
    lift = page.locator("form[action$='/lift']")
    lift.get_by_label("Why (for the log)").fill("Apologised to the thread")
    lift.get_by_role("button", name="Lift").click()
    expect(page.get_by_test_id("member-standing")).to_have_text("Active")

    # The reset link waits in the outbox, addressed to her; then the site's settings.
    nav.get_by_role("link", name="Outbox").click()
    expect(page.locator("main")).to_contain_text("carol@example.com")
    nav.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Everything she did is on the site-wide log, in whole sentences.
    nav.get_by_role("link", name="Moderation log").click()
    log = page.locator("main")
    expect(log).to_contain_text("kurt")
    expect(log).to_contain_text("carol")
    snap(page, "admin-log")
    assert console_errors == []


def test_the_brand_owner_runs_northwind(open_page, seeded, live_server, snap, console_errors):
    nora = open_page(DESKTOP)
    log_in(nora, "nora", demo.DEMO_PASSWORD)
    nora.goto("/b/northwind")
    nora.get_by_role("link", name="Team", exact=True).click()
    expect(nora.get_by_role("heading", level=1)).to_contain_text("Northwind Coffee team")

    # She asks Alice, a helpful regular, to join as staff; Alice accepts from the email.
    invite = nora.locator("form", has=nora.get_by_label("Username or email address"))
    invite.get_by_label("Username or email address").fill("alice")
    invite.get_by_label("Role").select_option("staff")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(_flash(nora)).to_contain_text("Invitation sent to alice@example.com")
    [email] = factories.sent_emails(live_server.app, "team_invitation")
    alice = open_page(PHONE)
    log_in(alice, "alice", demo.DEMO_PASSWORD)
    alice.goto(factories.link_in(email, live_server.url))
    alice.get_by_role("button", name="Accept").click()
    expect(_flash(alice)).to_contain_text("you are now staff")
    nora.reload()
    expect(nora.get_by_test_id("team-history")).to_contain_text("alice accepted the invitation")

    # A lounge thread that is really a support question moves to Help & support.
    nora.goto("/b/northwind/c/lounge")
    first = nora.locator("[data-testid='topic-list'] input[type=checkbox]").first
    first.check()
    nora.locator("#bulk-move").get_by_label("Move the ticked topics to").select_option(
        label="Help & support"
    )
    nora.locator("#bulk-move").get_by_role("button", name="Move ticked topics").click()
    expect(_flash(nora)).to_contain_text("Moved 1 topic to")

    # Product news, previewed as the email, tried on herself, scheduled for tomorrow.
    nora.goto("/b/northwind/news")
    nora.get_by_label("Title").fill("Roast day moves to Wednesday")
    nora.get_by_label("Text").fill("From next week we roast on Wednesdays, same small batches.")
    nora.get_by_role("button", name="Preview").click()
    frame = nora.frame_locator("iframe.news-preview__frame")
    expect(frame.locator("body")).to_contain_text("we roast on Wednesdays")
    nora.get_by_role("button", name="Send me a test").click()
    expect(_flash(nora)).to_contain_text("A test is on its way to nora@example.com")
    expect(nora.get_by_test_id("news-confirm-count")).to_contain_text("follower")
    tomorrow = utcnow() + timedelta(days=1)
    nora.get_by_label("Send on").fill(tomorrow.strftime("%Y-%m-%dT09:00"))
    nora.get_by_label("Time zone").select_option("UTC")
    nora.get_by_role("button", name="Schedule").click()
    expect(_flash(nora)).to_contain_text("Scheduled for")
    nora.goto("/b/northwind/news")
    expect(nora.get_by_test_id("news-scheduled")).to_contain_text("Roast day moves to Wednesday")
    assert page_width(alice) <= PHONE["width"]
    snap(nora, "owner-news")
    assert console_errors == []
