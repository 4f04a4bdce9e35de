"""Search in the browser (issue 14): the header's box (and "/" to reach it), the results
page at phone and desktop widths, the keyboard through it, and a product's review search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fanhub.brands.models import Role
from fanhub.forums.models import CategoryKind
from tests import factories
from tests.browser.support import DESKTOP, LiveServer, needs_chromium, page_width
from tests.reviews.conftest import make_product, write_review

pytestmark = [pytest.mark.browser, needs_chromium]

PHONE_390 = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Shelf:
    question: Any
    answer: Any


@pytest.fixture(scope="module")
def shelf(live_server: LiveServer) -> Shelf:
    """A tent brand: a support question its staff answered, a discussion, a product with
    reviews (one asking what the box on the product page is for)."""
    app = live_server.app
    staff = factories.make_user(app, "tentstaff", display_name="Tia Staff")
    camper = factories.make_user(app, "camper", display_name="Cam Per")
    hiker = factories.make_user(app, "hiker", display_name="Hi Ker")
    brand = factories.make_brand(app, "trailco", name="Trail Co", roles={Role.STAFF: [staff]})
    help_desk = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    talk = factories.make_category(app, brand, CategoryKind.DISCUSSION, slug="talk")
    question = factories.make_topic(
        app, help_desk, camper, title="Tent poles bend in strong wind",
        body="My tent poles bent on the first windy night. Is that normal for this tent?",
    )  # fmt: skip
    answer = factories.reply(
        app, question, staff,
        "Tent poles are made to flex, not to bend: guy out the windward side first. "
        "Write to us and we will send new poles.",
    )  # fmt: skip
    factories.make_topic(
        app, talk, hiker, title="Best tent for two people",
        body="Looking for a light tent that fits two people and their packs.",
    )  # fmt: skip
    tent = make_product(app, brand, "ridge-tent", "Ridge Tent", description="A two-person tent.")
    write_review(
        app, tent, hiker, 5, title="Fits two people easily",
        body="We slept two people and both packs inside the tent without trouble.",
    )  # fmt: skip
    write_review(
        app, tent, camper, 3, title="Pegs are weak",
        body="The tent is fine but the pegs bent in hard ground.",
    )  # fmt: skip
    return Shelf(question=question, answer=answer)


def test_slash_focuses_the_header_box_and_enter_shows_results(desktop: Page, shelf, snap):
    desktop.goto("/")
    box = desktop.get_by_role("searchbox", name="Search fanhub")
    expect(box).not_to_be_focused()
    desktop.keyboard.press("/")
    expect(box).to_be_focused()
    desktop.keyboard.type("tent poles")
    with desktop.expect_navigation():
        desktop.keyboard.press("Enter")
    assert "/search?q=tent+poles" in desktop.url
    results = desktop.get_by_test_id("search-result")
    expect(results.first).to_contain_text("Tent poles bend in strong wind")
    # The brand's answer matched, so it is the passage shown, with its badge.
    expect(results.first.locator("mark").first).to_be_visible()
    expect(results.first.get_by_test_id("badge-official")).to_be_visible()
    snap(desktop, "results")


def test_slash_types_a_slash_when_a_field_has_the_focus(desktop: Page, shelf):
    desktop.goto("/search")
    field = desktop.get_by_role("searchbox", name="Search for")
    field.click()
    desktop.keyboard.type("a/b")
    expect(field).to_have_value("a/b")


@pytest.mark.parametrize("viewport", [PHONE_390, DESKTOP], ids=["390", "1280"])
def test_the_results_page_fits_the_screen(open_page, shelf, snap, viewport):
    page = open_page(viewport)
    page.goto("/search?q=tent")
    expect(page.get_by_test_id("search-result").first).to_be_visible()
    assert page_width(page) <= viewport["width"]
    box = page.get_by_role("searchbox", name="Search fanhub")
    expect(box).to_be_visible()
    page.locator("summary", has_text="Filters").click()
    expect(page.get_by_label("Answers")).to_be_visible()
    assert page_width(page) <= viewport["width"]
    snap(page, "filters-open")


def test_the_keyboard_reaches_the_box_the_filters_and_every_result(desktop: Page, shelf):
    desktop.goto("/search?q=tent")
    desktop.locator("body").focus()
    reached = []
    for _ in range(60):
        desktop.keyboard.press("Tab")
        reached.append(
            desktop.evaluate(
                "() => { const el = document.activeElement;"
                " return (el.getAttribute('aria-label') || el.id || el.innerText || '').trim(); }"
            )
        )
    assert "site-search-q" in reached and "search-q" in reached
    assert any(name.startswith("Filters") for name in reached)
    results = desktop.get_by_test_id("search-result").all_inner_texts()
    titles = [text.splitlines()[0] for text in results]
    for title in titles:
        assert title in reached, (title, reached)


def test_a_brands_header_box_searches_that_brand(desktop: Page, shelf):
    desktop.goto("/b/trailco")
    box = desktop.get_by_role("searchbox", name="Search Trail Co")
    box.fill("two people")
    with desktop.expect_navigation():
        box.press("Enter")
    assert "brand=trailco" in desktop.url
    expect(desktop.get_by_label("Brand")).to_have_value("trailco")
    expect(desktop.get_by_test_id("search-result").first).to_be_visible()


def test_the_product_page_searches_its_reviews(desktop: Page, shelf, snap):
    desktop.goto("/b/trailco/p/ridge-tent")
    box = desktop.get_by_role("searchbox", name="Search these reviews")
    box.fill("does it fit two people?")
    with desktop.expect_navigation():
        box.press("Enter")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Search the reviews of Ridge Tent")
    results = desktop.get_by_test_id("search-result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Fits two people easily")
    snap(desktop, "review-search")
