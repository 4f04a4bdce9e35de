"""The moderator's day, in the demo, on her phone (issue 13, "Done when"): Mia opens the queue
at midnight, finds the four real cases with why each waits, slips once (nothing ticked) and
loses nothing, hides the rude reply with a rule, rejects the spam, approves what the new
members wrote, and finds every decision in the log. No step ends on a bare error page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from fanhub import demo
from fanhub.db import utcnow
from tests.browser.support import DESKTOP, PHONE, log_in, needs_chromium, page_width

pytestmark = [pytest.mark.browser, needs_chromium]

RUDE = "Milk in good coffee is for people with no palate"
SPAM = "Best grinder deals of the year"


@pytest.fixture(scope="module")
def seeded(live_server) -> None:
    with live_server.app.app_context():
        demo.seed_demo(now=utcnow())


def _item(page: Page, text: str):
    return page.locator(".mod-item", has_text=text)


def test_mia_works_the_demo_queue_from_her_phone_without_a_dead_end(
    open_page, seeded, snap, console_errors
):
    mia = open_page(PHONE)
    log_in(mia, "mia", demo.DEMO_PASSWORD)
    mia.get_by_test_id("nav-moderation").click()
    queue = mia.get_by_test_id("flag-queue")

    # Each case says why it is there, and who wrote it, in one line.
    rude = _item(mia, RUDE)
    expect(rude).to_contain_text("2 flags")
    expect(rude).to_contain_text("Calling me names for how I take my coffee.")
    expect(rude.get_by_test_id("author-history")).to_contain_text("1 earlier decision")
    expect(_item(mia, SPAM).get_by_test_id("hold-reason")).to_contain_text("Held:")
    expect(queue.locator(".mod-item")).to_have_count(4)
    assert page_width(mia) <= PHONE["width"], "the queue scrolls sideways on her phone"
    snap(mia, "queue-phone")

    # A slip at midnight: a decision and a rule, but nothing ticked. The queue comes back
    # with her choices and note kept and the problem said where she will look.
    mia.get_by_label("Decision").select_option("hide")
    mia.get_by_label("Rule").select_option("abuse")
    mia.get_by_label("Why").fill("Mocking how other members take their coffee")
    mia.get_by_test_id("apply").click()
    expect(mia.get_by_test_id("decide-errors")).to_be_visible()
    expect(mia.get_by_label("Decision")).to_have_value("hide")
    expect(mia.get_by_label("Rule")).to_have_value("abuse")
    expect(mia.get_by_label("Why")).to_have_value("Mocking how other members take their coffee")
    snap(mia, "nothing-ticked")

    # She ticks the rude reply and applies the same decision: it leaves the queue.
    _item(mia, RUDE).get_by_role("checkbox").check()
    mia.get_by_test_id("apply").click()
    expect(mia.locator(".flash--success")).to_contain_text("1 item done")
    expect(queue).not_to_contain_text(RUDE)

    # The spam reply the signal held: rejected as spam.
    _item(mia, SPAM).get_by_role("checkbox").check()
    mia.get_by_label("Decision").select_option("reject")
    mia.get_by_label("Rule").select_option("spam")
    mia.get_by_label("Why").fill("Links to a deals site")
    mia.get_by_test_id("apply").click()
    expect(mia.locator(".flash--success")).to_contain_text("1 item done")
    expect(mia.get_by_test_id("flag-queue")).not_to_contain_text(SPAM)

    # What the new members wrote for Acme Outdoor's pre-moderation: approved together.
    waiting = mia.locator(".mod-item").filter(has=mia.get_by_role("checkbox"))
    count = waiting.count()
    assert count >= 2, "the new members' review and first topic should wait for approval"
    for n in range(count):
        waiting.nth(n).get_by_role("checkbox").check()
    mia.get_by_label("Decision").select_option("approve")
    mia.get_by_label("Rule").select_option("")
    mia.get_by_label("Why").fill("")
    mia.get_by_test_id("apply").click()
    expect(mia.locator(".flash--success")).to_contain_text(f"{count} items done")
    expect(mia.locator(".mod-item")).to_have_count(0)
    snap(mia, "queue-empty")

    # Her night, on the record: one line per decision, each a whole sentence.
    mia.get_by_role("link", name="Log", exact=True).click()
    log = mia.get_by_test_id("mod-log")
    expect(log.locator("tr[data-action='hide']")).not_to_have_count(0)
    expect(log.locator("tr[data-action='reject']")).to_have_count(1)
    expect(log.locator("tr[data-action='approve']")).to_have_count(count)
    assert page_width(mia) <= PHONE["width"], "the log scrolls sideways on her phone"
    snap(mia, "log-phone")
    # Only the slip's answer: the re-shown queue comes with its 400, as a refused form does.
    assert [(p.url.rsplit("/", 2)[-2:], "400" in p.text) for p in console_errors] == [
        (["mod", "decide"], True)
    ]


def test_the_rude_replys_author_sees_why_and_may_appeal(open_page, seeded, console_errors):
    """After the night above (same module, same data): kurt hears what was hidden, under
    which rule, and where to appeal; the thread shows the reply as hidden to others."""
    kurt = open_page(DESKTOP)
    log_in(kurt, "kurt", demo.DEMO_PASSWORD)
    kurt.goto("/notifications")
    main = kurt.locator("main")
    expect(main).to_contain_text("hid your post")
    kurt.get_by_role("button", name="A moderator hid your post").first.click()
    expect(kurt.locator("main")).to_contain_text("appeal")
    assert console_errors == []
