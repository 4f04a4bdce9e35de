"""The review widget on a shop's page (another origin, hostile CSS), as an iframe, and on
the staff embed page, in a real browser."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from fanhub.accounts.models import User
from fanhub.brands.models import Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Review
from tests import factories
from tests.browser.support import LiveServer, log_in, needs_chromium
from tests.embed.support import add_product, add_review, answer, vote

pytestmark = [pytest.mark.browser, needs_chromium]

XSS_BODY = (
    "Looks great, but <img src=x onerror=alert(1)> and [a prize](javascript:alert(1)) "
    "made me laugh. It keeps tea hot all morning."
)
# What a careless shop theme does: everything red and huge, forced.
HOSTILE_CSS = "* { color: red !important; font-size: 40px !important }"


@dataclass(frozen=True)
class Catalogue:
    mug: Any
    lamp: Any
    staff: Any


@pytest.fixture(scope="module")
def catalogue(live_server: LiveServer) -> Catalogue:
    """Two products of one brand: the mug (4.2 from 5 reviews, one of them answered, one
    with markup in it) and the lamp (3.5 from 2)."""
    app = live_server.app
    staff = factories.make_user(app, "kettlesam", display_name="Sam Ortiz")
    brand = factories.make_brand(app, "kettleco", name="Kettle & Co", roles={Role.STAFF: [staff]})
    mug = add_product(app, brand, staff, "travel-mug", "KC-MUG-01", "Travel mug")
    lamp = add_product(app, brand, staff, "desk-lamp", "KC-LAMP-02", "Desk lamp")
    loved = add_review(
        app,
        mug,
        stars=3,
        title="Good, but the lid leaked",
        body="The lid leaked in my bag on day two. Otherwise it keeps coffee hot for hours.",
        display_name="Grace Hopper",
    )
    vote(app, loved, voters=3)
    answer(
        app,
        loved,
        staff,
        "Sorry about that, Grace! We've sent you the new seal; it fixes the leak for good.",
    )
    with app.app_context():
        reviews.set_verified_purchase(
            db.session.get(User, staff.id), db.session.get(Review, loved.id), True, now=utcnow()
        )
    tricky = add_review(app, mug, stars=5, title="<b>Best mug</b>", body=XSS_BODY)
    vote(app, tricky, voters=2)
    for stars in (5, 4, 4):
        add_review(app, mug, stars=stars, title="Solid mug")
    add_review(app, lamp, stars=5, title="Bright and tidy", body="Lights the whole desk evenly.")
    add_review(app, lamp, stars=2, title="Wobbly base", body="The base wobbles on my glass desk.")
    return Catalogue(mug=mug, lamp=lamp, staff=staff)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@dataclass(frozen=True)
class ShopSite:
    """A second web server on another port: another origin, as a brand's shop would be."""

    url: str
    folder: Path

    def publish(self, name: str, body: str) -> str:
        (self.folder / name).write_text(body)
        return f"{self.url}/{name}"


@pytest.fixture(scope="module")
def shop_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShopSite]:
    folder = tmp_path_factory.mktemp("shop")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="shop-site", daemon=True)
    thread.start()
    try:
        yield ShopSite(f"http://127.0.0.1:{server.server_port}", folder)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def shop_page(fanhub: str, body: str, background: str = "#fffbea") -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kettle &amp; Co shop</title>
<link rel="icon" href="data:,">
<style>{HOSTILE_CSS} body {{ font-family: serif; background: {background}; margin: 24px }}
.column {{ max-width: 640px; margin: 0 auto; display: grid; gap: 24px }}</style></head>
<body><h1>Kettle &amp; Co: our best sellers</h1>
<div class="column">{body}</div>
<script async src="{fanhub}/embed/v1/widget.js"></script>
</body></html>"""


@dataclass
class Watch:
    """What the page did that it should not: dialogs opened, requests to other sites."""

    dialogs: list[str]
    requests: list[str]

    def foreign(self, *origins: str) -> list[str]:
        allowed = {urlsplit(origin).netloc for origin in origins}
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc not in allowed
        ]


def watch(page: Page) -> Watch:
    seen = Watch([], [])

    def on_dialog(dialog: Any) -> None:
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("request", lambda request: seen.requests.append(request.url))
    return seen


def widget(page: Page, reference: str) -> Any:
    """The widget drawn into the element naming `reference` (locators pierce open shadow roots)."""
    return page.locator(f'[data-fanhub-reviews="{reference}"] .fh')


def style_of(locator: Any, prop: str) -> str:
    return locator.evaluate(f"(node) => getComputedStyle(node).{prop}")


def test_two_widgets_on_a_shop_s_hostile_page_show_their_numbers_unaffected(
    desktop, snap, live_server, shop_site, catalogue, console_errors
):
    seen = watch(desktop)
    url = shop_site.publish(
        "light.html",
        shop_page(
            live_server.url,
            '<div data-fanhub-reviews="kettleco/travel-mug"></div>'
            '<div data-fanhub-reviews="kettleco/desk-lamp" data-count="2"></div>',
        ),
    )

    desktop.goto(url)

    mug, lamp = widget(desktop, "kettleco/travel-mug"), widget(desktop, "kettleco/desk-lamp")
    expect(mug.locator(".fh-average")).to_have_text("4.2")
    expect(mug.get_by_role("img", name="4.2 out of 5 stars, 5 reviews")).to_be_visible()
    expect(mug.locator(".fh-count")).to_have_text("5 reviews")
    expect(lamp.locator(".fh-average")).to_have_text("3.5")
    expect(lamp.locator(".fh-count")).to_have_text("2 reviews")
    expect(mug.locator(".fh-review")).to_have_count(3)
    expect(lamp.locator(".fh-review")).to_have_count(2)
    # The most helpful review first, with the brand's answer under it.
    first = mug.locator(".fh-review").first
    expect(first.locator(".fh-review__title")).to_have_text("Good, but the lid leaked")
    expect(first.locator(".fh-answer")).to_contain_text("Answer from Kettle & Co")
    expect(first.locator(".fh-answer")).to_contain_text("Sam Ortiz")
    expect(first).to_contain_text("Verified purchase")
    # Member markup is words on the screen, nothing more.
    tricky = mug.locator(".fh-review").nth(1)
    expect(tricky.locator(".fh-review__title")).to_have_text("<b>Best mug</b>")
    expect(tricky.locator(".fh-review__body")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(tricky.locator(".fh-review__body")).to_contain_text("[a prize](javascript:alert(1))")
    expect(mug.locator("img")).to_have_count(0)
    read_all = mug.get_by_role("link", name="Read all reviews")
    expect(read_all).to_have_attribute("href", f"{live_server.url}/b/kettleco/p/travel-mug")
    expect(read_all).to_have_attribute("target", "_blank")
    expect(read_all).to_have_attribute("rel", "noopener")
    # The host's `* { … !important }` reaches neither the text nor its size.
    for part in (mug, mug.locator(".fh-review__body").first, lamp.locator(".fh-count")):
        assert style_of(part, "fontSize") != "40px"
        assert style_of(part, "color") != "rgb(255, 0, 0)"
    assert style_of(mug.locator(".fh-review__body").first, "fontSize") == "15px"
    desktop.wait_for_timeout(300)  # time for an onerror that should never fire
    assert seen.dialogs == []
    assert seen.foreign(live_server.url, shop_site.url) == []
    assert console_errors == []
    snap(desktop, "widget-light")


def test_the_dark_widget_with_an_accent_colour_on_a_dark_shop(
    desktop, snap, live_server, shop_site, catalogue, console_errors
):
    url = shop_site.publish(
        "dark.html",
        shop_page(
            live_server.url,
            '<div data-fanhub-reviews="kettleco/travel-mug" data-theme="dark"'
            ' data-accent="#f2a93b"></div>'
            '<div data-fanhub-reviews="kettleco" data-sku="KC-LAMP-02" data-theme="dark"'
            ' data-count="0"></div>',
            background="#0e0d12",
        ),
    )

    desktop.goto(url)

    mug = widget(desktop, "kettleco/travel-mug")
    expect(mug).to_have_class("fh fh--dark")
    expect(mug.locator(".fh-average")).to_have_text("4.2")
    assert style_of(mug, "backgroundColor") == "rgb(29, 28, 36)"
    assert style_of(mug.locator(".fh-answer"), "borderLeftColor") == "rgb(242, 169, 59)"
    lamp = widget(desktop, "kettleco")
    expect(lamp.locator(".fh-average")).to_have_text("3.5")
    expect(lamp.locator(".fh-review")).to_have_count(0)
    assert console_errors == []
    snap(desktop, "widget-dark")


def test_data_seo_puts_the_product_s_rating_markup_in_the_host_page_once(
    desktop, live_server, shop_site, catalogue
):
    url = shop_site.publish(
        "seo.html",
        shop_page(
            live_server.url,
            '<div data-fanhub-reviews="kettleco/travel-mug" data-seo></div>'
            '<div data-fanhub-reviews="kettleco/travel-mug" data-seo data-count="0"></div>'
            '<div data-fanhub-reviews="kettleco/desk-lamp"></div>',
        ),
    )

    desktop.goto(url)

    expect(widget(desktop, "kettleco/desk-lamp").locator(".fh-average")).to_have_text("3.5")
    blocks = desktop.locator('head script[type="application/ld+json"]')
    expect(blocks).to_have_count(1)
    data = blocks.evaluate("(node) => JSON.parse(node.textContent)")
    assert data["@type"] == "Product"
    assert data["name"] == "Travel mug"
    assert data["aggregateRating"]["ratingValue"] == 4.2
    assert data["aggregateRating"]["reviewCount"] == 5


def test_a_widget_for_a_product_that_does_not_exist_shows_nothing_and_breaks_nothing(
    desktop, live_server, shop_site, catalogue, console_errors
):
    url = shop_site.publish(
        "typo.html",
        shop_page(
            live_server.url,
            '<div data-fanhub-reviews="kettleco/no-such-thing"></div>'
            '<div data-fanhub-reviews="kettleco/desk-lamp"></div>',
        ),
    )

    desktop.goto(url)

    expect(widget(desktop, "kettleco/desk-lamp").locator(".fh-average")).to_have_text("3.5")
    expect(widget(desktop, "kettleco/no-such-thing")).to_have_count(0)
    # The failed lookup is the 404 itself (Chromium logs it); nothing is thrown.
    assert [e for e in console_errors if "404" not in e.text] == []


def test_the_frame_shows_the_same_widget_in_an_iframe_on_another_site(
    desktop, snap, live_server, shop_site, catalogue, console_errors
):
    seen = watch(desktop)
    frame_url = f"{live_server.url}/embed/v1/kettleco/travel-mug/frame"
    url = shop_site.publish(
        "frame.html",
        shop_page(
            live_server.url,
            f'<iframe src="{frame_url}" title="Reviews" width="100%" height="900"'
            ' style="border:0"></iframe>',
        ),
    )

    desktop.goto(url)

    frame = desktop.frame_locator("iframe")
    expect(frame.locator(".fh-average")).to_have_text("4.2")
    expect(frame.get_by_role("img", name="4.2 out of 5 stars, 5 reviews")).to_be_visible()
    expect(frame.locator(".fh-review")).to_have_count(3)
    body = frame.locator(".fh-review").nth(1).locator(".fh-review__body")
    expect(body).to_contain_text("<img src=x onerror=alert(1)>")
    expect(frame.locator(".fh-answer")).to_contain_text("Answer from Kettle & Co")
    desktop.wait_for_timeout(300)
    assert seen.dialogs == []
    assert seen.foreign(live_server.url, shop_site.url) == []
    assert console_errors == []
    # The frame page on its own, for the screenshot.
    desktop.goto(frame_url)
    expect(desktop.locator(".fh-average")).to_have_text("4.2")
    assert style_of(desktop.locator(".fh-stars--summary .fh-stars__fill"), "width") != "0px"
    snap(desktop, "frame")


def test_staff_copy_the_code_and_see_both_previews_live(
    desktop, snap, live_server, catalogue, console_errors
):
    log_in(desktop, "kettlesam", factories.PASSWORD)

    desktop.goto("/b/kettleco/p/travel-mug/embed")

    preview = desktop.get_by_test_id("preview-script").locator(".fh")
    expect(preview.locator(".fh-average")).to_have_text("4.2")
    frame = desktop.frame_locator('[data-testid="preview-frame"]')
    expect(frame.locator(".fh-average")).to_have_text("4.2")
    code = desktop.get_by_label("By product (its address on fanhub)")
    expect(code).to_have_value(re.compile(r'data-fanhub-reviews="kettleco/travel-mug"'))
    desktop.locator('[data-copy="embed-script"]').click()
    expect(desktop.locator('[data-copy-status="embed-script"]')).not_to_have_text("")
    # Our own strict CSP allows the widget: its styles are a constructed sheet.
    assert console_errors == []
    snap(desktop, "staff-embed-page")
