"""How a member hears from fanhub (issue 6), in a real browser with a real SMTP server:
she is asked at sign-up, gets the digest she chose, leaves it from the email's own link,
and finds the change in her preference centre."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums.models import CategoryKind
from fanhub.notifications.emails import send_digests
from fanhub.notifications.models import Frequency, MessageKind
from fanhub.notifications.preferences import read_unsubscribe_token
from fanhub.notifications.services import deliver_due_mail
from tests import factories
from tests.browser.support import LiveServer, Snap, needs_chromium
from tests.notifications.conftest import (
    Arrival,
    LoopbackController,
    MailServer,
    MailServerHandler,
)

pytestmark = [pytest.mark.browser, needs_chromium]

PASSWORD = "kettle-harbour-lantern-77"


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """A real SMTP server on 127.0.0.1 that keeps what it accepts."""
    handler = MailServerHandler()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield MailServer(handler, f"smtp://127.0.0.1:{controller.port}")
    finally:
        controller.stop()


def deliver(live_server: LiveServer, mail_server: MailServer, to: str) -> list[Arrival]:
    """Send the outbox through the SMTP server; what reached `to` so far."""
    with live_server.app.app_context():
        report = deliver_due_mail(now=utcnow())
    assert report.failed == report.retrying == 0
    return [arrival for arrival in mail_server.received if to in arrival.recipients]


def text_part(arrival: Arrival) -> str:
    part = arrival.message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(text: str, live_server: LiveServer, path: str) -> str:
    match = re.search(re.escape(live_server.url) + re.escape(path) + r"\S+", text)
    assert match, f"no {path} link in: {text}"
    return match.group(0)


def register(page: Page, snap: Snap) -> None:
    page.goto("/register")
    form = page.locator("main form")
    form.get_by_label("Username").fill("wren")
    form.get_by_label("Email").fill("wren@example.com")
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Create my account").click()
    # Asked, not assumed: the next page is the one short contact step.
    expect(page.get_by_role("heading", name="How would you like to hear from us?")).to_be_visible()
    expect(page.get_by_label("No, thanks")).to_be_checked()  # offers stay off unless she says yes
    snap(page, "1-contact-step")
    page.get_by_label("Email me about replies, mentions and answers to my questions").select_option(
        "weekly"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".flash--success")).to_be_visible()


def test_a_new_member_gets_the_weekly_digest_she_chose_and_leaves_it_from_the_email(
    desktop: Page, snap: Snap, live_server: LiveServer, mail_server: MailServer, monkeypatch
):
    app = live_server.app
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    brand = factories.make_brand(app, "brewline", name="Brewline")
    support = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    ben = factories.make_user(app, "ben")

    register(desktop, snap)
    # She confirms her address from the email (digests go to confirmed addresses only).
    [welcome] = deliver(live_server, mail_server, "wren@example.com")
    desktop.goto(link_in(text_part(welcome), live_server, "/verify/"))
    desktop.get_by_role("button", name="Confirm my address").click()
    expect(desktop.locator(".flash--success")).to_contain_text("email address is confirmed")

    with app.app_context():
        wren = db.session.scalars(select(User).where(User.username == "wren")).one()
    topic = factories.make_topic(app, support, wren, title="Kettle clicks off early")
    factories.reply(app, topic, ben, "Descale it with citric acid, it fixed mine.")
    # Weekly, not instant: nothing goes out when the reply comes in.
    assert deliver(live_server, mail_server, "wren@example.com") == [welcome]

    with app.app_context():
        report = send_digests(Frequency.WEEKLY, now=utcnow())
    assert report.emails == 1
    arrivals = deliver(live_server, mail_server, "wren@example.com")
    digest = arrivals[-1]
    message = digest.message
    assert message.get_body(preferencelist=("html",)) is not None
    text = text_part(digest)
    assert "Kettle clicks off early" in text and "ben" in text.lower()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = re.fullmatch(r"<(\S+/unsubscribe/([\w.\-]+))>", message["List-Unsubscribe"])
    assert header, message["List-Unsubscribe"]
    with app.app_context():
        assert read_unsubscribe_token(header.group(2), now=utcnow()) == (
            wren.id,
            MessageKind.REPLIES,
        )

    # The link in the digest's footer: GET shows what will stop, the button stops it.
    desktop.goto(link_in(text, live_server, "/unsubscribe/"))
    expect(desktop.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    snap(desktop, "2-unsubscribe")
    desktop.get_by_role("button", name="Unsubscribe").click()
    expect(desktop.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    snap(desktop, "3-unsubscribed")

    desktop.goto("/settings/notifications")
    expect(desktop.get_by_label("Replies, by email")).to_have_value("never")
    # The rest of her sign-up choices stand, and offers are still off.
    expect(desktop.get_by_label("Mentions, by email")).to_have_value("weekly")
    expect(desktop.get_by_label("Product news and offers, by email")).to_have_value("never")
    snap(desktop, "4-preference-centre")

    desktop.goto("/settings/privacy")
    expect(desktop.get_by_role("button", name="Download my data")).to_be_visible()
    snap(desktop, "5-privacy")

    # Another reply: no email about it, in a digest or otherwise.
    factories.reply(app, topic, ben, "Did it work?")
    with app.app_context():
        assert send_digests(Frequency.WEEKLY, now=utcnow()).emails == 0
    assert deliver(live_server, mail_server, "wren@example.com") == arrivals
