"""Watching, muting and reading notifications in a real browser with real CSRF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from fanhub.forums.models import CategoryKind
from tests import factories
from tests.browser.support import log_in, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def test_a_member_reads_a_reply_from_her_inbox(desktop, snap, live_server, console_errors):
    app = live_server.app
    fan = factories.make_user(app, "inboxfan", display_name="Ines Fan")
    sam = factories.make_user(app, "inboxsam", display_name="Sam Ortiz")
    brand = factories.make_brand(app, "inboxbrand", name="Inbox Coffee")
    category = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    topic = factories.make_topic(app, category, fan, title="My grinder broke")
    factories.reply(app, topic, sam, body="Try the **finer** setting.")
    factories.reply(app, topic, sam, body="Or write to support.")

    log_in(desktop, "inboxfan", factories.PASSWORD)
    header = desktop.locator(".site-header")
    expect(header.get_by_test_id("unread-count")).to_have_text("2")
    header.get_by_role("link", name="Notifications, 2 unread").click()
    expect(desktop.get_by_role("heading", name="Notifications")).to_be_visible()
    snap(desktop, "1-inbox")

    desktop.get_by_role("button", name="Sam Ortiz replied to “My grinder broke”").first.click()
    expect(desktop).to_have_url(re.compile(rf"/t/{topic.id}/my-grinder-broke#post-3$"))
    expect(header.get_by_test_id("unread-count")).to_have_text("1")

    desktop.goto("/notifications")
    desktop.get_by_role("button", name="Mark all as read").click()
    expect(desktop.get_by_test_id("inbox-unread")).to_have_text("0 unread")
    expect(header.get_by_test_id("unread-count")).to_have_count(0)
    snap(desktop, "2-all-read")
    assert console_errors == []


def test_a_member_mutes_a_topic_and_watches_a_category(desktop, snap, live_server):
    app = live_server.app
    factories.make_user(app, "mutefan")
    author = factories.make_user(app, "muteauthor")
    brand = factories.make_brand(app, "mutebrand", name="Mute Tea")
    category = factories.make_category(app, brand, CategoryKind.DISCUSSION, slug="talk")
    topic = factories.make_topic(app, category, author, title="Loud topic here")

    log_in(desktop, "mutefan", factories.PASSWORD)
    desktop.goto(f"/t/{topic.id}")
    watch = desktop.get_by_test_id("watch-buttons")
    watch.get_by_role("button", name="Mute").click()
    expect(desktop.get_by_test_id("watch-buttons")).to_have_attribute("data-level", "muted")
    snap(desktop, "1-muted-topic")

    desktop.goto("/b/mutebrand/c/talk")
    desktop.get_by_test_id("watch-buttons").get_by_role("button", name="Watch").click()
    expect(desktop.get_by_test_id("watch-buttons")).to_have_attribute("data-level", "watching")
    snap(desktop, "2-watched-category")
