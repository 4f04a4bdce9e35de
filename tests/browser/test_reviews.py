"""Reviews in a real browser: hostile markup stays text, a member reviews through the form,
and the product page looks right on a desktop, a phone and in dark mode."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.permissions import SYSTEM
from fanhub.reviews import services
from fanhub.reviews.models import Product
from tests import factories
from tests.browser.support import DESKTOP, PHONE, log_in, needs_chromium, page_width

pytestmark = [pytest.mark.browser, needs_chromium]

HOSTILE = (
    "Looks fine, but <img src=x onerror=alert(1)> and [x](javascript:alert(1)) are what "
    "I typed, plus <script>alert(2)</script>."
)


def _review(app, product_id: int, username: str, stars: int, title: str, body: str) -> int:
    with app.app_context():
        review = services.submit_review(
            db.session.scalars(db.select(User).where(User.username == username)).one(),
            db.session.get(Product, product_id),
            services.ReviewDraft(stars, title, body),
            now=utcnow(),
        )
        return review.id


@pytest.fixture(scope="module")
def kettle(live_server) -> dict[str, Any]:
    """A product with reviews worth looking at: ratings, an official answer, a changed mind."""
    # Module-wide data, on the run's clock as it reads now (the `now` fixture is per test).
    now = utcnow()
    app = live_server.app
    staff = factories.make_user(app, "kettlesam", display_name="Sam Ortiz")
    for name, display in (
        ("ada", "Ada Lovell"),
        ("grace", "Grace H."),
        ("linus", "Linus"),
        ("hostile", "Mallory"),
        ("writer", "Wendy Writer"),
    ):
        factories.make_user(app, name, display_name=display)
    brand = factories.make_brand(app, "kettleco", name="Kettle & Co", roles={Role.STAFF: [staff]})
    with app.app_context():
        product = services.create_product(
            SYSTEM,
            db.session.get(Brand, brand.id),
            services.ProductDraft(
                "kettle-one",
                "KC-1",
                "Kettle One",
                "A 1.7 litre steel kettle with a keep-warm setting.\n"
                "Quiet boil, cool-touch handle.",
            ),
            now=now,
        )
        product_id = product.id
    ada = _review(
        app,
        product_id,
        "ada",
        2,
        "Switches off early",
        "It clicks off at about 80 °C, every single time. **Annoying** for tea.",
    )
    _review(
        app,
        product_id,
        "grace",
        5,
        "Fast and quiet",
        "Boils a full litre in under three minutes and you can barely hear it.",
    )
    _review(app, product_id, "linus", 4, "", "Good kettle. The lid could open a little wider.")
    hostile = _review(app, product_id, "hostile", 3, "<b>Bold?</b>", HOSTILE)
    with app.app_context():
        services.reply_to_review(
            db.session.get(User, staff.id),
            services.access_review(ada),
            "Sorry about that! Limescale on the sensor does this: descaling fixes it. "
            "We've sent you a descaler.",
            now=now,
        )
        services.mark_resolved(db.session.get(User, staff.id), services.access_review(ada), now=now)
        services.edit_review(
            db.session.scalars(db.select(User).where(User.username == "ada")).one(),
            services.access_review(ada),
            services.ReviewDraft(
                4, "Fixed after descaling", "Descaling fixed it: it boils fully now. Great support."
            ),
            now=now,
        )
        services.set_verified_purchase(
            db.session.get(User, staff.id), services.access_review(ada), True, now=now
        )
    return {"url": "/b/kettleco/p/kettle-one", "hostile": hostile, "product_id": product_id}


def _watch_dialogs(page: Page) -> list[str]:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return dialogs


def test_hostile_markup_in_a_review_shows_as_harmless_text(desktop, kettle, snap, console_errors):
    dialogs = _watch_dialogs(desktop)
    desktop.goto(kettle["url"] + "?sort=newest")
    card = desktop.locator(f"#review-{kettle['hostile']}")
    expect(card).to_contain_text("<img src=x onerror=alert(1)>")
    expect(card).to_contain_text("[x](javascript:alert(1))")
    expect(card.get_by_role("heading")).to_have_text("<b>Bold?</b>")
    assert card.locator("img, script, b").count() == 0
    assert desktop.locator("a[href^='javascript']").count() == 0
    desktop.wait_for_timeout(300)
    assert dialogs == []
    assert console_errors == []
    snap(desktop, "hostile")


def test_a_member_writes_a_review_through_the_form_and_sees_the_new_average(
    desktop, kettle, snap, console_errors
):
    log_in(desktop, "writer", factories.PASSWORD)
    desktop.goto(kettle["url"])
    expect(desktop.get_by_test_id("average")).to_have_text("4.0")
    desktop.get_by_test_id("write-review").click()
    form = desktop.locator("main form")
    form.get_by_label("3 stars: average").check()
    form.get_by_label("Title").fill("Does the job")
    form.get_by_label("Your review").fill(
        "Solid kettle for the price, though the handle gets warm."
    )
    snap(desktop, "1-writing")
    form.get_by_role("button", name="Post review").click()
    expect(desktop.locator(".flash--success")).to_have_text("Thanks for your review.")
    expect(desktop.get_by_test_id("average")).to_have_text("3.8")
    expect(desktop.get_by_test_id("rating-count")).to_have_text("5 reviews")
    expect(desktop.get_by_test_id("histogram-3")).to_have_text("2")
    expect(desktop.get_by_test_id("your-review")).to_contain_text("Solid kettle for the price")
    expect(desktop.get_by_test_id("write-review")).to_have_text("Edit your review")
    snap(desktop, "2-written")
    assert console_errors == []


def test_a_bad_rating_is_explained_on_the_form(desktop, kettle, console_errors):
    log_in(desktop, "linus", factories.PASSWORD)
    desktop.goto(kettle["url"] + "/review")
    form = desktop.locator("main form")
    form.get_by_label("Your review").fill("Too short")
    form.get_by_role("button", name="Save changes").click()
    expect(desktop.locator(".field__error")).to_contain_text("at least 20 characters")


@pytest.mark.parametrize(
    ("viewport", "scheme"),
    [(DESKTOP, "light"), (PHONE, "light"), (DESKTOP, "dark"), (PHONE, "dark")],
    ids=["desktop", "phone", "desktop-dark", "phone-dark"],
)
def test_the_product_page_reads_well(open_page, kettle, snap, console_errors, viewport, scheme):
    page = open_page(viewport, scheme)
    page.goto(kettle["url"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Kettle One")
    expect(page.get_by_test_id("official-answer").first).to_contain_text(
        "Official answer from Kettle & Co"
    )
    expect(page.get_by_test_id("rating-change").first).to_have_text(
        "Updated from 2 to 4 stars after the brand answered"
    )
    expect(page.get_by_test_id("verified").first).to_be_visible()
    assert page_width(page) <= viewport["width"]
    snap(page, "product")
    page.locator(".histogram__row[data-stars='4']").click()
    expect(page.get_by_role("heading", name="4-star reviews")).to_be_visible()
    assert console_errors == []
