"""How pages look and behave in a browser: phones, the CSP, and a screenshot tour of the site."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fanhub.brands import services as brands
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums.models import CategoryKind
from fanhub.permissions import SYSTEM
from tests import factories
from tests.browser.support import (
    DESKTOP,
    PHONE,
    LiveServer,
    contrast,
    log_in,
    needs_chromium,
    page_width,
    rgb,
)

pytestmark = [pytest.mark.browser, needs_chromium]

PALE_YELLOW = "#ffe14d"


def computed(page: Page, selector: str, prop: str) -> str:
    """A computed style property (or custom property) of the first element matching `selector`."""
    return page.eval_on_selector(
        selector, "(el, prop) => getComputedStyle(el).getPropertyValue(prop).trim()", prop
    )


@dataclass(frozen=True)
class Scene:
    """A brand with a team and a support forum with a conversation in it."""

    brand: Any
    category: Any
    topic: Any


@pytest.fixture(scope="module")
def scene(live_server: LiveServer) -> Scene:
    app = live_server.app
    owner = factories.make_user(app, "nora", display_name="Nora Lindqvist")
    staff = factories.make_user(app, "sam")
    moderator = factories.make_user(app, "mia", display_name="Mia Okafor")
    fan = factories.make_user(app, "river", display_name="River Song")
    other = factories.make_user(app, "kai")
    with app.app_context():
        # The factory makes brands without a tagline; the directory should show one too.
        brands.create_brand(
            SYSTEM,
            brands.BrandDraft("trailhead", "Trailhead Outfitters", tagline="Gear for long days"),
            now=utcnow(),
        )
    brand = factories.make_brand(
        app,
        "northwind",
        name="Northwind Coffee",
        roles={Role.OWNER: [owner], Role.STAFF: [staff], Role.MODERATOR: [moderator, owner]},
    )
    support = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    factories.make_category(app, brand, CategoryKind.IDEAS, slug="ideas")
    factories.make_topic(app, support, other, title="Is the decaf roast coming back?")
    topic = factories.make_topic(
        app,
        support,
        fan,
        title="My grinder makes the espresso taste sour",
        body=(
            "I bought the **Hearth burr grinder** last month. Since then every shot tastes "
            "sour, even at 25 seconds.\n\n- beans: Northwind House Blend\n- dose: 18 g"
        ),
    )
    first = factories.reply(app, topic, other, "Same here! Did you try a finer setting?")
    factories.reply(
        app,
        topic,
        staff,
        "Thanks for the details. Sour usually means *under-extracted*: go two steps finer "
        "and keep the dose.\n\n> If it still runs fast, write back and we'll swap it.",
        reply_to_id=first.id,
    )
    factories.reply(app, topic, owner, "We've added this to the grinder's guide, too.")
    return Scene(brand=brand, category=support, topic=topic)


def test_the_login_page_fits_a_phone_without_sideways_scrolling(phone, snap):
    phone.goto("/login")
    snap(phone, "1-login")
    assert page_width(phone) <= PHONE["width"]
    # The header is usable: each of its links is on screen, and they lead where they say.
    header = phone.locator(".site-header")
    for name in ("fanhub", "Brands", "Log in", "Join"):
        expect(header.get_by_role("link", name=name, exact=True)).to_be_in_viewport()
    header.get_by_role("link", name="Join", exact=True).click()
    expect(phone.get_by_role("heading", name="Join fanhub")).to_be_visible()
    snap(phone, "2-register")
    assert page_width(phone) <= PHONE["width"]


def test_the_signed_in_header_fits_a_phone(phone, snap, live_server):
    # Usernames go up to 30 characters; the longest must not push the others off screen.
    factories.make_user(live_server.app, "a-rather-long-username-for-it")
    log_in(phone, "a-rather-long-username-for-it", factories.PASSWORD, snap, "1-login")
    snap(phone, "2-front")
    assert page_width(phone) <= PHONE["width"]
    header = phone.locator(".site-header")
    expect(header.get_by_test_id("signed-in-as")).to_be_visible()
    expect(header.get_by_role("link", name="Settings")).to_be_in_viewport()
    expect(header.get_by_role("button", name="Log out")).to_be_in_viewport()
    # Whatever else the header offers a member is on screen too, none of it cut to nothing.
    controls = header.locator("a, button")
    for index in range(controls.count()):
        expect(controls.nth(index)).to_be_in_viewport()


def test_the_main_pages_log_no_console_errors(desktop, snap, live_server, scene, console_errors):
    # A Content-Security-Policy violation (an inline style or script) is a console error,
    # as are a missing stylesheet and a script that throws.
    factories.make_user(live_server.app, "quietfan")
    pages = [
        ("/", 200),
        ("/register", 200),
        ("/login", 200),
        ("/password/reset", 200),
        (f"/b/{scene.brand.slug}", 200),
        (f"/b/{scene.brand.slug}/c/{scene.category.slug}", 200),
        (f"/t/{scene.topic.id}", 200),
        ("/u/nora", 200),
        ("/no-such-page", 404),
    ]
    for number, (path, status) in enumerate(pages, start=1):
        response = desktop.goto(path)
        assert response is not None and response.status == status, path
        snap(desktop, f"{number}-{path.strip('/').replace('/', '-') or 'front'}")
    log_in(desktop, "quietfan", factories.PASSWORD, snap, "10-login")
    signed_in = ["/settings/profile", f"/t/{scene.topic.id}", "/notifications"]
    for number, path in enumerate(signed_in, start=11):
        desktop.goto(path)
        snap(desktop, f"{number}-{path.strip('/').replace('/', '-')}")
    # Chromium reports a page that answers 4xx as a failed load; the 404 above is on purpose.
    expected = f"{live_server.url}/no-such-page"
    unexpected = [
        problem
        for problem in console_errors
        if not (problem.url == expected and problem.text.startswith("Failed to load resource"))
    ]
    assert unexpected == []


def test_the_stylesheet_is_served_and_applied(desktop):
    response = desktop.request.get("/static/css/fanhub.css")
    assert response.ok
    assert response.headers["content-type"].startswith("text/css")
    desktop.goto("/")
    accent = desktop.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    )
    assert accent == "#5b3df5"


@pytest.mark.parametrize(
    ("viewport", "color_scheme"),
    [(DESKTOP, "light"), (PHONE, "light"), (DESKTOP, "dark")],
    ids=["desktop", "phone", "desktop-dark"],
)
def test_a_tour_of_the_site_fits_the_screen(
    open_page, snap, live_server, scene, viewport, color_scheme
):
    """Visit each kind of page, screenshot it, and check that nothing overflows sideways."""
    page = open_page(viewport, color_scheme)
    width = viewport["width"]
    member = factories.make_user(live_server.app, display_name="Jo Marsh", verified=False)

    def fits(path: str) -> None:
        assert page_width(page) <= width, f"{path} is wider than {width}px"

    def visit(path: str, step: str, status: int = 200) -> None:
        response = page.goto(path)
        assert response is not None and response.status == status, path
        snap(page, step)
        fits(path)

    visit("/", "01-front")
    visit(f"/b/{scene.brand.slug}", "02-fan-page")
    visit(f"/b/{scene.brand.slug}/c/{scene.category.slug}", "02a-category")
    visit(f"/t/{scene.topic.id}", "02b-topic")
    visit("/no-such-page", "03-not-found", status=404)

    visit("/register", "04-register")
    form = page.locator("main form")
    form.get_by_label("Username").fill("x")
    form.get_by_label("Email").fill("not-an-email")
    form.get_by_role("button", name="Create my account").click()
    expect(page.locator(".field--error").first).to_be_visible()
    snap(page, "05-register-errors")
    fits("/register")

    log_in(page, member.username, "wrong-password-123", snap, "06-login")
    expect(page.locator(".form-errors")).to_be_visible()
    snap(page, "07-login-error")
    fits("/login")

    log_in(page, member.username, factories.PASSWORD)
    expect(page.get_by_test_id("signed-in-as")).to_have_text(member.username)
    snap(page, "08-welcome")
    fits("/")
    visit("/settings/profile", "09-settings")
    visit(f"/u/{member.username}", "10-profile")
    visit("/u/nora", "11-profile-of-an-owner")
    visit(f"/t/{scene.topic.id}", "12-topic-signed-in")
    visit("/notifications", "13-notifications")


def test_the_skip_link_appears_for_keyboard_users_and_jumps_to_the_content(desktop, snap):
    desktop.goto("/login")
    skip = desktop.get_by_role("link", name="Skip to content")
    expect(skip).not_to_be_in_viewport()
    desktop.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    snap(desktop, "1-skip-link")
    desktop.keyboard.press("Enter")
    expect(desktop).to_have_url(re.compile(r"#main$"))
    # The next Tab lands inside the page's content, past the header's links.
    desktop.keyboard.press("Tab")
    expect(desktop.locator("main :focus")).to_have_count(1)
    snap(desktop, "2-focus-in-main")


def test_a_pale_brand_colour_keeps_the_fan_page_readable(desktop, snap, live_server, now):
    app = live_server.app
    brand = factories.make_brand(app, "sunbeam", name="Sunbeam Lemonade")
    with app.app_context():
        brands.update_brand_page(
            SYSTEM,
            db.session.get(Brand, brand.id),
            brands.BrandPageDraft("Squeezed every morning", "", PALE_YELLOW),
            now=now,
        )
    desktop.goto("/b/sunbeam")
    snap(desktop, "1-fan-page")
    # The brand's theme stylesheet applied: the accent is hers.
    assert rgb(desktop, computed(desktop, "html", "--accent")) == rgb(desktop, PALE_YELLOW)
    follow = desktop.locator(".fan-header__actions .button").first
    on_accent = contrast(
        rgb(desktop, computed(desktop, ".fan-header__actions .button", "color")),
        rgb(desktop, computed(desktop, ".fan-header__actions .button", "background-color")),
    )
    expect(follow).to_be_visible()
    assert on_accent >= 4.5, f"button text on {PALE_YELLOW} has contrast {on_accent:.2f}"
    # Accent-coloured text (links, badges) must stay readable on the page background too.
    accent_text = desktop.evaluate(
        """() => {
            const probe = document.createElement("span");
            probe.style.color = "var(--accent-text)";
            document.body.append(probe);
            const colour = getComputedStyle(probe).color;
            probe.remove();
            return colour;
        }"""
    )
    background = rgb(desktop, computed(desktop, "body", "background-color"))
    on_page = contrast(rgb(desktop, accent_text), background)
    assert on_page >= 4.5, f"accent text for {PALE_YELLOW} has contrast {on_page:.2f}"
