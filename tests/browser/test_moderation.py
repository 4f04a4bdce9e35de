"""Moderation in a real browser: members flag a spam post away, a moderator removes it and
suspends its author from the queue, the author sees why, and the log shows both actions."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.moderation import services as moderation
from fanhub.moderation.models import FlagReason
from fanhub.permissions import SYSTEM
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Product
from tests import factories
from tests.browser.support import DESKTOP, log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture(scope="module")
def forum(live_server) -> dict[str, Any]:
    """A brand with a moderator, a question, a spam reply, and more waiting in the queue."""
    app = live_server.app
    mona = factories.make_user(app, "mona", display_name="Mona Moderator")
    people = {name: factories.make_user(app, name, display_name=display) for name, display in (
        ("ann", "Ann Archer"), ("ben", "Ben Baker"), ("cat", "Cat Cole"), ("sid", "Sid Spammer"),
        ("dora", "Dora Dee"),
    )}  # fmt: skip
    brand = factories.make_brand(app, "spamco", name="Brewline", roles={Role.MODERATOR: [mona]})
    category = factories.make_category(app, brand, slug="talk")
    title = "Best grind size for a moka pot?"
    body = "Mine tastes bitter. Fine or medium?"
    topic = factories.make_topic(app, category, people["ann"], title=title, body=body)
    factories.reply(app, topic, people["ben"], "Medium-fine, and take it off the heat early.")
    spam = factories.reply(app, topic, people["sid"], "CHEAP WATCHES!!! Visit spam.example today")
    rude = factories.reply(app, topic, people["dora"], "Only idiots drink moka coffee.")
    with app.app_context():
        db.session.get(Brand, brand.id).premoderate_new_members = True
        db.session.get(User, people["dora"].id).trust_level = 0  # a new member's review waits
        db.session.commit()
        product = reviews.create_product(
            SYSTEM, db.session.get(Brand, brand.id),
            reviews.ProductDraft("moka-6", "MK-6", "Moka pot, 6 cups"), now=utcnow(),
        )  # fmt: skip
        reviews.submit_review(
            db.session.get(User, people["dora"].id), db.session.get(Product, product.id),
            reviews.ReviewDraft(2, "Handle got hot", "The handle gets too hot after a minute."),
            now=utcnow(),
        )  # fmt: skip
        target = moderation.access_target("post", rude.id)
        moderation.flag_item(
            db.session.get(User, people["ben"].id), target,
            moderation.FlagDraft(FlagReason.ABUSE, "Calls other members idiots."), now=utcnow(),
        )  # fmt: skip
    return {"topic": topic, "spam": spam}


def test_members_flag_spam_away_and_a_moderator_removes_it_and_suspends_its_author(
    open_page, forum, snap, console_errors
):
    topic_url = f"/t/{forum['topic'].id}"
    for reporter in ("ann", "ben", "cat"):
        page = open_page(DESKTOP)
        log_in(page, reporter, factories.PASSWORD)
        page.goto(topic_url)
        page.locator("#post-3").get_by_role("link", name="Flag").click()
        page.get_by_label("Spam or advertising").check()
        page.get_by_role("button", name="Send to the moderators").click()
        expect(page.locator(".flash")).to_contain_text("the moderators will look at this post")

    visitor = open_page(DESKTOP)
    visitor.goto(topic_url)
    expect(visitor.locator("#post-3")).to_contain_text("hidden pending review")
    expect(visitor.get_by_text("spam.example")).to_have_count(0)

    mod = open_page(DESKTOP)
    log_in(mod, "mona", factories.PASSWORD)
    mod.get_by_test_id("nav-moderation").click()
    queue = mod.get_by_test_id("flag-queue")
    expect(queue).to_contain_text("CHEAP WATCHES")
    expect(queue).to_contain_text("3 flags")
    # The pre-moderated review waits beside the flags, with the reason it waits.
    held = queue.locator(".mod-item", has_text="Handle got hot")
    expect(held).to_contain_text("Held: A new member")
    snap(mod, "queue")
    item = queue.locator(".mod-item", has_text="CHEAP WATCHES")
    item.get_by_role("checkbox").check()
    mod.get_by_label("Decision").select_option("remove")
    mod.get_by_label("Rule").select_option("spam")
    mod.get_by_label("Why").fill("Advertising watches in a coffee thread")
    mod.get_by_label("Authors").select_option("suspend")
    mod.get_by_label("Days", exact=True).fill("7")
    mod.get_by_test_id("apply").click()
    expect(mod.locator(".flash--success")).to_contain_text(
        "1 item done: Removed the post. Suspended sid until"
    )
    expect(mod.get_by_test_id("flag-queue")).not_to_contain_text("CHEAP WATCHES")
    snap(mod, "queue-after")

    author = open_page(DESKTOP)
    log_in(author, "sid", factories.PASSWORD)
    author.goto("/notifications")
    expect(author.locator("main")).to_contain_text("A moderator removed your post")
    expect(author.locator("main")).to_contain_text("Your account is suspended until")
    author.goto(topic_url)
    expect(author.get_by_test_id("reply-refusal")).to_contain_text(
        "Your account is suspended until"
    )
    expect(author.get_by_test_id("reply-refusal")).to_contain_text("Advertising watches")
    snap(author, "author")

    mod.get_by_role("link", name="Log", exact=True).click()
    log = mod.get_by_test_id("mod-log")
    expect(log.locator("tr[data-action='remove']")).to_have_count(1)
    expect(log.locator("tr[data-action='suspend']")).to_have_count(1)
    expect(log.locator("tr[data-action='auto_hide']")).to_have_count(1)
    snap(mod, "log")
    assert console_errors == []
