"""The brand owner's day in a real browser (issue 13, points 3-5): she invites a staff
member, changes a role, archives a category, moves two topics at once, previews, sends and
schedules product news; the team and news pages read well on a phone and a desktop."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums.models import CategoryKind
from fanhub.notifications.models import ConsentSource
from fanhub.notifications.preferences import set_preferences
from tests import factories
from tests.browser.support import DESKTOP, log_in, needs_chromium, page_width

pytestmark = [pytest.mark.browser, needs_chromium]

PHONE_390 = {"width": 390, "height": 844}
REFUSED = "Failed to load resource: the server responded with a status of"
TOPICS = [
    "Grinder setting for a moka pot",
    "Descaling the Brewmaster",
    "Which beans for cold brew?",
]


@pytest.fixture(scope="module")
def shop(live_server) -> dict[str, Any]:
    """Brew & Co: Olive owns it, Sam is on staff, Kim is a member about to be invited;
    four followers asked for its news (two by email at once)."""
    app = live_server.app
    olive = factories.make_user(app, "olive", display_name="Olive Park")
    sam = factories.make_user(app, "sam", display_name="Sam Ortiz")
    factories.make_user(app, "kim", display_name="Kim Lee")
    brand = factories.make_brand(
        app, "brewco", name="Brew & Co", roles={Role.OWNER: [olive], Role.STAFF: [sam]}
    )
    talk = factories.make_category(app, brand, CategoryKind.DISCUSSION, slug="talk")
    help_desk = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    old = factories.make_category(app, brand, CategoryKind.ANNOUNCEMENTS, slug="launch-2019")
    factories.make_topic(app, old, olive, title="We are open!", body="Come and say hello.")
    fans = [factories.make_user(app, f"fan{n}") for n in range(4)]
    for n, topic in enumerate(TOPICS):
        factories.make_topic(app, talk, fans[n], title=topic, body="Any tips?", replies=n)
    with app.app_context():
        for n, fan in enumerate(fans):
            member = db.session.get(User, fan.id)
            brands.follow(member, db.session.get(Brand, brand.id), now=utcnow())
            channel = "email" if n < 2 else "onsite"
            set_preferences(
                member, member, {("offers", channel): "instant"},
                ConsentSource.PREFERENCE_CENTRE, now=utcnow(),
            )  # fmt: skip
    return {"brand": brand, "olive": olive, "help": help_desk, "old": old}


def _flash(page: Page) -> Any:
    return page.locator(".flashes")


def test_the_brand_owner_s_day(open_page, shop, live_server, snap, console_errors):
    page = open_page(DESKTOP)
    log_in(page, "olive", factories.PASSWORD)
    page.goto("/b/brewco")
    page.get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The Brew & Co team")

    # She invites Kim as staff: an email with a link goes out.
    invite = page.locator("form", has=page.get_by_label("Username or email address"))
    invite.get_by_label("Username or email address").fill("kim")
    invite.get_by_label("Role").select_option("staff")
    invite.get_by_role("button", name="Send the invitation").click()
    expect(_flash(page)).to_contain_text("Invitation sent to kim@example.com")
    expect(page.get_by_test_id("team-invitations")).to_contain_text("kim as staff")

    # Sam moves from staff to moderator.
    sam = page.locator('[data-seat="sam-staff"]')
    sam.get_by_label("New role for sam, now staff").select_option("moderator")
    sam.get_by_role("button", name="Change role of sam").click()
    expect(_flash(page)).to_contain_text("sam is now moderator of Brew & Co")
    expect(page.locator('[data-seat="sam-moderator"]')).to_be_visible()

    # The last owner can't leave: the reason is next to her row's controls.
    page.locator('[data-seat="olive-owner"]').get_by_role(
        "button", name="Remove olive as owner"
    ).click()
    problem = page.locator('[data-seat="olive-owner"] .control-error')
    expect(problem).to_contain_text("olive is the last owner of Brew & Co")
    snap(page, "1-team-last-owner")

    # Kim accepts through the emailed link.
    [email] = factories.sent_emails(live_server.app, "team_invitation")
    link = factories.link_in(email, live_server.url)
    kim = open_page(DESKTOP)
    log_in(kim, "kim", factories.PASSWORD)
    kim.goto(link)
    expect(kim.get_by_role("heading", level=1)).to_have_text("Join the Brew & Co team")
    snap(kim, "2-invitation")
    kim.get_by_role("button", name="Accept").click()
    expect(_flash(kim)).to_contain_text("Welcome to the Brew & Co team: you are now staff")
    page.goto("/b/brewco/team")
    expect(page.get_by_test_id("team-history")).to_contain_text(
        "kim accepted the invitation and joined as a staff member."
    )
    snap(page, "3-team")

    # An old category is archived: gone from the fan page, still at its address.
    page.goto("/b/brewco/categories")
    page.get_by_role("button", name=f"Archive {shop['old'].name}", exact=True).click()
    expect(_flash(page)).to_contain_text("is archived")
    page.goto("/b/brewco")
    expect(page.locator("main")).not_to_contain_text("We are open!")
    page.goto("/b/brewco/c/launch-2019")
    expect(page.get_by_test_id("archived-notice")).to_be_visible()

    # Two topics move to Help in one go; with nothing ticked she is told, and her choice stays.
    page.goto("/b/brewco/c/talk")
    move = page.locator("#bulk-move")
    move.get_by_label("Move the ticked topics to").select_option(str(shop["help"].id))
    move.get_by_role("button", name="Move ticked topics").click()
    expect(page.locator("#bulk-topics-error")).to_have_text("Tick the topics to move.")
    for title in TOPICS[:2]:
        page.get_by_label(f"Tick “{title}” to move it").check()
    snap(page, "4-bulk-move")
    page.locator("#bulk-move").get_by_role("button", name="Move ticked topics").click()
    expect(_flash(page)).to_contain_text("Moved 2 topics to")
    expect(page.get_by_test_id("topic-list")).to_contain_text(TOPICS[2])
    expect(page.get_by_test_id("topic-list")).not_to_contain_text(TOPICS[0])

    # Product news: written, previewed as the email, tested on herself, sent to 4.
    page.goto("/b/brewco/news")
    page.get_by_label("Title").fill("The winter blend is here")
    page.get_by_label("Text").fill("Dark chocolate and orange peel, for the cold months.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_test_id("news-subject")).to_have_text("Brew & Co: The winter blend is here")
    frame = page.frame_locator("iframe.news-preview__frame")
    expect(frame.locator("body")).to_contain_text("Dark chocolate and orange peel")
    page.get_by_role("button", name="Send me a test").click()
    expect(_flash(page)).to_contain_text("A test is on its way to olive@example.com")
    expect(page.get_by_test_id("news-confirm-count")).to_contain_text("4 followers")
    snap(page, "5-news-preview")
    page.get_by_role("button", name="Send to 4 followers").click()
    expect(_flash(page)).to_contain_text("Sent to 4 followers.")

    # A second piece is scheduled for tomorrow morning, Paris time.
    page.get_by_label("Title").fill("Tasting day on Saturday")
    page.get_by_role("button", name="Preview").click()
    paris = (utcnow() + timedelta(days=1)).astimezone(ZoneInfo("Europe/Paris"))
    page.get_by_label("Send on").fill(paris.strftime("%Y-%m-%dT09:30"))
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_role("button", name="Schedule").click()
    expect(_flash(page)).to_contain_text("Scheduled for")
    expect(page.get_by_test_id("news-scheduled-for")).to_contain_text(
        f"{paris:%d %b %Y} at 09:30 (Europe/Paris)"
    )
    page.goto("/b/brewco/news")
    expect(page.get_by_test_id("news-scheduled")).to_contain_text("Tasting day on Saturday")
    expect(page.get_by_test_id("news-history")).to_contain_text("The winter blend is here")
    snap(page, "6-news-history")
    # Only the two refusals she was shown on purpose (the last owner, nothing ticked).
    assert [(problem.url.rsplit("/", 1)[-1], problem.text) for problem in console_errors] == [
        ("remove", f"{REFUSED} 409 (CONFLICT)"),
        ("move-topics", f"{REFUSED} 400 (BAD REQUEST)"),
    ]


@pytest.mark.parametrize("viewport", [PHONE_390, DESKTOP], ids=["390", "1280"])
def test_the_owner_s_pages_read_well(open_page, shop, live_server, snap, console_errors, viewport):
    page = open_page(viewport)
    log_in(page, "olive", factories.PASSWORD)
    page.goto("/b/brewco/team")
    expect(page.get_by_test_id("team-seats")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    snap(page, "team")
    page.goto("/b/brewco/news")
    assert page_width(page) <= viewport["width"]
    snap(page, "news")
    with live_server.app.app_context():
        olive = db.session.get(User, shop["olive"].id)
        brand = db.session.get(Brand, shop["brand"].id)
        draft = brands.save_news_draft(
            olive, brand,
            brands.BrandNewsDraft("Free grinder check-up", "Bring your grinder in any Saturday."),
            now=utcnow(),
        )  # fmt: skip
    page.goto(f"/b/brewco/news/{draft.id}")
    expect(page.get_by_test_id("news-confirm-count")).to_be_visible()
    frame = page.frame_locator("iframe.news-preview__frame")
    expect(frame.locator("body")).to_contain_text("Bring your grinder in any Saturday.")
    assert page_width(page) <= viewport["width"]
    snap(page, "news-preview")
    page.goto("/b/brewco/c/talk")
    assert page_width(page) <= viewport["width"]
    snap(page, "category")
    assert console_errors == []
