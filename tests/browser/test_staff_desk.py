"""The staff desk in a real browser: a staff member claims an item with the keyboard and
sees it confirmed; the desk reads well on a desktop and a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import CategoryKind, Post, Topic
from fanhub.permissions import SYSTEM
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Product
from fanhub.staff import services as staff
from fanhub.staff.models import ClaimTarget
from tests import factories
from tests.browser.support import DESKTOP, PHONE, log_in, needs_chromium, page_width

pytestmark = [pytest.mark.browser, needs_chromium]

QUESTIONS = [
    ("My order #4411 arrived with a cracked lid", 50, None),
    ("Can I descale the kettle with vinegar?", 30, 2 * 3600),
    ("The app won't pair on Android 14", 26, None),
    ("Which filter fits the Kettle One?", 12, 20 * 60),
    ("Warranty for a gift without a receipt", 5, 30 * 3600),
    ("Lid hinge squeaks after a month", 3, None),
]
REVIEWS = [
    (
        "ada",
        1,
        "Stopped working after a week",
        "It boiled twice, then nothing. The light stays on.",
    ),
    ("grace", 2, "Loud and slow", "Takes ages to boil and whistles like a train at every use."),
    ("linus", 4, "Solid, minor quibbles", "Boils fast and pours cleanly; the lid is a bit stiff."),
    ("wendy", 5, "Our favourite kettle", "Quiet, quick and it looks great on the counter."),
]


@pytest.fixture(scope="module")
def desk(live_server) -> dict[str, Any]:
    """A brand with questions and reviews waiting, answered ones for the metrics, and a
    colleague's claim."""
    app = live_server.app
    sam = factories.make_user(app, "samdesk", display_name="Sam Ortiz")
    kim = factories.make_user(app, "kimdesk", display_name="Kim Lee")
    members = {
        name: factories.make_user(app, name, display_name=name.capitalize())
        for name in ("ada", "grace", "linus", "wendy", "omar")
    }
    brand = factories.make_brand(app, "deskco", name="Desk & Co", roles={Role.STAFF: [sam, kim]})
    support = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="support")
    now = utcnow()
    topics = []
    for n, (title, hours_ago, answered_after) in enumerate(QUESTIONS):
        author = list(members.values())[n % len(members)]
        opened = now - timedelta(hours=hours_ago)
        topic = factories.make_topic(
            app, support, author, title=title,
            body="It happened right after I unpacked it. Any ideas what I should try first?",
            now=opened,
        )  # fmt: skip
        if answered_after:
            factories.reply(app, topic, sam, now=opened + timedelta(seconds=answered_after))
        topics.append(topic)
    helper_post = factories.reply(app, topics[1], members["omar"], body="Citric acid works better.")
    with app.app_context():
        forums.mark_solution(
            SYSTEM,
            db.session.get(Topic, topics[1].id),
            db.session.get(Post, helper_post.id),
            now=now,
        )
        product = reviews.create_product(
            SYSTEM,
            db.session.get(Brand, brand.id),
            reviews.ProductDraft("kettle-one", "KC-1", "Kettle One"),
            now=now,
        )
        for n, (username, stars, title, body) in enumerate(REVIEWS):
            review = reviews.submit_review(
                db.session.get(User, members[username].id),
                db.session.get(Product, product.id),
                reviews.ReviewDraft(stars, title, body),
                now=now - timedelta(days=3 * n + 1),
            )
            if stars >= 4:
                reviews.reply_to_review(db.session.get(User, sam.id), review, "Thank you!", now=now)
    # Kim is on the oldest question already.
    with app.app_context():
        staff.claim(
            db.session.get(User, kim.id), db.session.get(Brand, brand.id),
            ClaimTarget.TOPIC, topics[0].id, now=now,
        )  # fmt: skip
    return {"topics": topics}


def test_staff_claims_an_item_with_the_keyboard_and_sees_it_confirmed(
    desktop, desk, snap, console_errors
):
    log_in(desktop, "samdesk", factories.PASSWORD)
    desktop.goto("/b/deskco/staff")
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Staff desk")
    expect(desktop.get_by_test_id("claim-state")).to_contain_text("Kim Lee is on it")
    snap(desktop, "1-desk")
    # The first free question is the oldest one Kim doesn't hold.
    desktop.keyboard.press("j")
    current = desktop.locator(".desk-row--current")
    expect(current).to_contain_text("The app won't pair on Android 14")
    desktop.keyboard.press("j")
    desktop.keyboard.press("k")
    expect(current).to_contain_text("The app won't pair on Android 14")
    desktop.keyboard.press("c")
    # Claimed in place (issue 13, point 13): read out, and shown on the row.
    expect(desktop.locator("[data-inplace-live]")).to_contain_text(
        "You're on “The app won't pair on Android 14” until"
    )
    mine = desktop.locator(".desk-row--mine")
    expect(mine).to_contain_text("You're on it (until")
    # Still on the item acted on, so the next key carries on from there.
    expect(desktop.locator(".desk-row--current")).to_contain_text("The app won't pair")
    snap(desktop, "2-claimed")
    assert console_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_desk_reads_well(open_page, desk, snap, console_errors, viewport):
    page = open_page(viewport)
    log_in(page, "kimdesk", factories.PASSWORD)
    page.goto("/b/deskco/staff?days=7")
    expect(page.get_by_test_id("median")).not_to_have_text("–")
    expect(page.locator("svg.chart")).to_have_count(
        3
    )  # response times, ratings, answered before asking
    assert page_width(page) <= viewport["width"]
    snap(page, "desk")
    assert console_errors == []
