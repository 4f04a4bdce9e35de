"""Answers before asking in the browser (issue 14): a customer starts to ask, sees the
brand's official answer under the title field, opens it, does not post; the brand's desk
counts her once the half hour she had to post has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from fanhub.brands.models import Role
from fanhub.extensions import db
from fanhub.forums.models import CategoryKind
from fanhub.search import suggestions
from fanhub.search.models import SuggestionSession
from tests import factories
from tests.browser.support import LiveServer, log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def test_a_customer_answered_before_asking_is_counted_on_the_desk(
    live_server: LiveServer, open_page, snap
):
    app = live_server.app
    staff = factories.make_user(app, "grindstaff", display_name="Gil Staff")
    asker = factories.make_user(app, "brewer", display_name="Bree Wer")
    brand = factories.make_brand(app, "grindco", name="Grind Co", roles={Role.STAFF: [staff]})
    help_desk = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    question = factories.make_topic(
        app, help_desk, asker, title="Grinder burrs squeak when empty",
        body="The burrs squeak loudly once the beans run out.",
    )  # fmt: skip
    factories.reply(app, question, staff, "Stop the grinder when the hopper is empty.")
    factories.make_topic(app, help_desk, asker, title="Grinder burrs rusty?")

    page: Page = open_page({"width": 390, "height": 844})
    log_in(page, "brewer", factories.PASSWORD)
    page.goto("/b/grindco/c/help/new")
    page.get_by_label("Title").press_sequentially("my grinder squeaks", delay=20)
    found = page.get_by_test_id("suggestion")
    expect(found).to_have_count(1)
    expect(found.first).to_contain_text("Grinder burrs squeak when empty")
    expect(found.first.get_by_test_id("suggestion-official")).to_be_visible()
    expect(page.get_by_test_id("suggestions")).to_have_attribute("aria-live", "polite")
    snap(page, "suggested")
    with page.expect_navigation():
        found.first.get_by_role("link").click()
    assert f"/t/{question.id}" in page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grinder burrs squeak")

    # She does not post. Half an hour and more goes by (the rows' clock, moved back).
    with app.app_context():
        moved = suggestions.ANSWER_WINDOW + timedelta(minutes=1)
        for row in db.session.scalars(
            select(SuggestionSession).where(SuggestionSession.brand_id == brand.id)
        ):
            assert row.opens == 1 and row.opened_at is not None
            row.shown_at -= moved
            row.opened_at -= moved
        db.session.commit()

    desk: Page = open_page({"width": 1280, "height": 900})
    log_in(desk, "grindstaff", factories.PASSWORD)
    desk.goto("/b/grindco/staff?days=7")
    figure = desk.get_by_test_id("answered-before-asking")
    expect(figure.locator("svg.chart")).to_be_visible()
    expect(figure.locator("tbody tr").last.locator("td")).to_have_text(["1", "1", "1"])
    snap(desk, "desk")
