"""Forums in a real browser: asking, the brand answering in the thread, drafts and previews."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, CategoryKind, IdeaStatus, Post, ReactionKind, Topic
from fanhub.permissions import SYSTEM
from tests import factories
from tests.browser.support import DESKTOP, PHONE, LiveServer, log_in, needs_chromium, page_width

pytestmark = [pytest.mark.browser, needs_chromium]


def reply_box(page: Page) -> Locator:
    """The topic page's reply composer, found by its label as a member finds it."""
    return page.locator("#reply").get_by_label("Your reply")


def draft_in_storage(page: Page, topic_id: int) -> str | None:
    """The draft composer.js keeps in this browser for a reply to the topic, if any."""
    return page.evaluate("(key) => localStorage.getItem(key)", f"fanhub-draft:reply-{topic_id}")


def test_a_member_asks_the_brand_answers_and_she_marks_the_answer_as_the_solution(
    desktop, open_page, snap, live_server, console_errors
):
    app = live_server.app
    factories.make_user(app, "askingada", display_name="Ada Lovell")
    staff = factories.make_user(app, "kettlesam", display_name="Sam Ortiz")
    brand = factories.make_brand(app, "kettleco", name="Kettle & Co", roles={Role.STAFF: [staff]})
    help_desk = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    factories.make_category(app, brand, CategoryKind.IDEAS, slug="ideas")
    title = "The kettle switches off before it boils"

    # She asks, starting from the brand's fan page as a customer would.
    log_in(desktop, "askingada", factories.PASSWORD)
    desktop.goto("/b/kettleco")
    desktop.locator(".category-list").get_by_role("link", name=help_desk.name).click()
    desktop.get_by_role("link", name="Ask a question").click()
    form = desktop.locator("main form")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Your question or idea").fill("It clicks off at about 80 °C, every time.")
    snap(desktop, "1-asking")
    form.get_by_role("button", name="Post", exact=True).click()
    expect(desktop.locator(".flash--success")).to_have_text("Your topic is posted.")
    expect(desktop.get_by_role("heading", level=1)).to_have_text(title)
    topic_url = desktop.url

    # The brand's staff answers in the thread, from a browser of his own.
    agent = open_page(DESKTOP)
    log_in(agent, "kettlesam", factories.PASSWORD)
    agent.goto(topic_url)
    reply_box(agent).fill("Please descale it: limescale on the sensor makes it switch off early.")
    agent.get_by_role("button", name="Post reply").click()
    expect(agent.locator("#post-2").get_by_test_id("official-badge")).to_be_visible()
    snap(agent, "2-answered")

    # She reloads: the answer is there, marked as the brand's, and her header says so.
    desktop.reload()
    answer = desktop.locator("#post-2")
    expect(answer).to_contain_text("Please descale it")
    expect(answer.get_by_test_id("official-badge")).to_have_text("Brand staff · Kettle & Co")
    header = desktop.locator(".site-header")
    expect(header.get_by_test_id("unread-count")).to_have_text("1")
    snap(desktop, "3-answer-arrives")

    header.get_by_role("link", name="Notifications, 1 unread").click()
    expect(desktop.get_by_role("heading", name="Notifications")).to_be_visible()
    snap(desktop, "4-inbox")
    desktop.get_by_role("button", name=f"Sam Ortiz of Kettle & Co answered “{title}”").click()
    expect(desktop).to_have_url(
        re.compile(r"/t/\d+/the-kettle-switches-off-before-it-boils#post-2$")
    )
    expect(header.get_by_test_id("unread-count")).to_have_count(0)

    desktop.locator("#post-2").get_by_role("button", name="Mark as solution").click()
    expect(desktop.locator(".flash--success")).to_have_text("Marked as the solution.")
    expect(desktop.get_by_test_id("solution")).to_contain_text("Please descale it")
    snap(desktop, "5-solved")

    desktop.locator(".crumbs").get_by_role("link", name=help_desk.name).click()
    row = desktop.get_by_test_id("topic-list").locator(
        ".topic-row", has=desktop.get_by_role("link", name=title)
    )
    expect(row.locator(".badge")).to_have_text(["Solved", "Answered by the brand"])
    snap(desktop, "6-category")
    assert console_errors == []


@dataclass(frozen=True)
class Thread:
    """A member, signed in, on a support topic that is waiting for her reply."""

    page: Page
    topic: Topic


@pytest.fixture
def thread(desktop: Page, live_server: LiveServer) -> Thread:
    app = live_server.app
    member = factories.make_user(app)
    asker = factories.make_user(app)
    brand = factories.make_brand(app)
    category = factories.make_category(app, brand, CategoryKind.SUPPORT)
    topic = factories.make_topic(app, category, asker, title="Which filter fits the Brewmaster?")
    log_in(desktop, member.username, factories.PASSWORD)
    desktop.goto(f"/t/{topic.id}")
    return Thread(desktop, topic)


def test_a_reply_being_written_survives_a_reload(thread, snap):
    page = thread.page
    reply_box(page).fill("The paper ones, size 4. I checked the")
    page.reload()
    expect(reply_box(page)).to_have_value("The paper ones, size 4. I checked the")
    snap(page, "1-draft-restored")


def test_a_posted_reply_leaves_no_draft_behind(thread, snap):
    page = thread.page
    reply_box(page).fill("The paper ones, size 4.")
    assert draft_in_storage(page, thread.topic.id) is not None
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#post-2")).to_contain_text("The paper ones, size 4.")
    # drafts.js drops it as the page finishes loading, which may be just after the post shows.
    page.wait_for_load_state("load")
    assert draft_in_storage(page, thread.topic.id) is None
    page.reload()
    expect(reply_box(page)).to_have_value("")
    snap(page, "1-posted")


def test_a_reply_refused_for_posting_too_fast_keeps_its_draft(
    thread, live_server, monkeypatch, snap
):
    monkeypatch.setitem(live_server.app.config, "RATELIMIT_POST", "1 per minute")
    page = thread.page
    reply_box(page).fill("First thought: the paper ones.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#post-2")).to_be_visible()
    reply_box(page).fill("Second thought, written with care: size 4, unbleached.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Slow down")
    snap(page, "1-too-fast")
    page.go_back()
    page.reload()
    expect(reply_box(page)).to_have_value("Second thought, written with care: size 4, unbleached.")


def test_the_live_preview_shows_the_rendered_markdown(thread, snap):
    page = thread.page
    page.locator("#reply").get_by_role("button", name="Preview").click()
    reply_box(page).fill("This one is **bold**.")
    preview = page.locator("#reply [data-preview-for]")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview).to_have_text("This one is bold.")
    snap(page, "1-preview")


def test_the_live_preview_never_runs_the_script_she_typed(thread, snap, console_errors):
    page = thread.page
    page.locator("#reply").get_by_role("button", name="Preview").click()
    attack = "<img src=x onerror=\"document.body.dataset.pwned='yes'\"> <script>alert(1)</script>"
    reply_box(page).fill(attack)
    preview = page.locator("#reply [data-preview-for]")
    # Shown as the text she typed, never as an element the browser would act on.
    expect(preview).to_have_text(attack)
    expect(preview.locator("img, script")).to_have_count(0)
    assert page.evaluate("document.body.dataset.pwned") is None
    snap(page, "1-preview")
    # A CSP violation (a blocked inline handler) would be a console error.
    assert console_errors == []


@dataclass(frozen=True)
class Forum:
    """A brand with a busy forum: the pages a customer and a support agent see most."""

    brand: str
    support: str
    ideas: str
    topic_id: int


def _user(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    assert user is not None
    return user


def _category(brand: Brand, slug: str, name: str, kind: CategoryKind, about: str) -> Category:
    return forums.create_category(
        SYSTEM, brand, forums.CategoryDraft(slug, name, kind, about), now=utcnow()
    )


def _build_forum(app: Flask) -> Forum:
    """Write the forum through the services, dated over the last few days."""
    people = {
        "nora": "Nora Lindqvist",
        "sam": "Sam Ortiz",
        "mia": "Mia Okafor",
        "river": "River Song",
        "kai": "Kai Nakamura",
        "jomarsh": "Jo Marsh",
    }
    for username, name in people.items():
        factories.make_user(app, username, display_name=name)
    with app.app_context():
        nora, sam, mia, river, kai, jo = (_user(name) for name in people)
        brand = brands.create_brand(
            SYSTEM, brands.BrandDraft("northwind", "Northwind Coffee"), now=utcnow()
        )
        brands.update_brand_page(
            SYSTEM,
            brand,
            brands.BrandPageDraft(
                "Small-batch roasts from Bergen",
                "We roast twice a week and answer here every weekday. Ask us anything about "
                "**beans, grinders and brewing**.",
                "#5b3df5",
            ),
            now=utcnow(),
        )
        brands.add_role(SYSTEM, brand, nora, Role.OWNER, now=utcnow())
        brands.add_role(SYSTEM, brand, sam, Role.STAFF, now=utcnow())
        brands.add_role(SYSTEM, brand, mia, Role.MODERATOR, now=utcnow())
        _category(brand, "news", "News", CategoryKind.ANNOUNCEMENTS, "Launches and changes.")
        support = _category(
            brand, "help", "Help & support", CategoryKind.SUPPORT, "Questions about your order."
        )
        ideas = _category(brand, "ideas", "Ideas", CategoryKind.IDEAS, "What should we make?")
        _category(brand, "talk", "Coffee talk", CategoryKind.DISCUSSION, "")

        start = utcnow() - timedelta(days=4)

        def at(hours: float) -> Any:
            return start + timedelta(hours=hours)

        def ask(category: Category, author: User, title: str, body: str, hours: float) -> Topic:
            return forums.start_topic(
                author, category, forums.TopicDraft(title, body), now=at(hours)
            )

        def answer(topic: Topic, author: User, body: str, hours: float, to: Post | None = None):
            draft = forums.ReplyDraft(body, to.id if to else None)
            return forums.reply_to_topic(author, topic, draft, now=at(hours))

        news = db.session.scalar(select(Category).where(Category.slug == "news"))
        ask(news, sam, "The winter roast is here", "Dark, sweet, a little smoky.", 1)
        pinned = ask(
            support,
            sam,
            "Read this first: how to get help fast",
            "Tell us your order number and what you expected to happen.",
            2,
        )
        forums.set_pinned(mia, pinned, True, now=utcnow())
        waiting = ask(support, kai, "Is the decaf roast coming back?", "I miss it!", 70)
        forums.set_locked(
            mia, ask(support, jo, "Wrong size filters", "Sorted by mail.", 30), True, now=utcnow()
        )
        fits = ask(support, jo, "Does the Hearth grinder fit a 1 kg hopper?", "Asking.", 40)
        answer(fits, sam, "It does, with the adapter that comes in the box.", 44)

        topic = ask(
            support,
            river,
            "My grinder makes the espresso taste sour",
            "I bought the **Hearth burr grinder** last month. Since then every shot tastes "
            "sour, even at 25 seconds.\n\n- beans: Northwind House Blend\n- dose: 18 g",
            50,
        )
        same = answer(topic, kai, "Same here! Did you try a finer setting?", 51)
        official = answer(
            topic,
            sam,
            "Thanks for the details. Sour usually means *under-extracted*: go two steps finer "
            "and keep the dose.\n\n> If it still runs fast, write back and we'll swap it.",
            53,
            to=same,
        )
        answer(topic, mia, "Kai, I moved your grinder question into this thread.", 54)
        thanks = answer(topic, river, "Two steps finer did it, thanks!", 60)
        forums.edit_post(
            river,
            thanks,
            "Two steps finer did it: sweet shots at 28 seconds. Thanks, Sam!",
            now=utcnow(),
        )
        for who, kind in ((river, ReactionKind.HELPFUL), (kai, ReactionKind.HELPFUL)):
            forums.toggle_reaction(who, official, kind, now=utcnow())
        forums.toggle_reaction(river, official, ReactionKind.THANKS, now=utcnow())
        forums.toggle_reaction(jo, thanks, ReactionKind.LIKE, now=utcnow())
        forums.mark_solution(river, topic, official, now=utcnow())
        waiting_reply = answer(waiting, jo, "Me too, it was the best one.", 72)
        forums.toggle_reaction(kai, waiting_reply, ReactionKind.LIKE, now=utcnow())

        for title, votes, status, hours in (
            ("An oat milk subscription", [river, kai, jo], IdeaStatus.PLANNED, 20),
            ("Refill pouches instead of tins", [kai], IdeaStatus.UNDER_REVIEW, 25),
            ("Recipe cards in the box", [], None, 35),
        ):
            idea = ask(ideas, river, title, "It would make my mornings.", hours)
            for voter in votes:
                forums.toggle_vote(voter, idea, now=utcnow())
            if status is not None:
                forums.set_idea_status(
                    sam, idea, status, "Thanks! We're looking at it this season.", now=at(hours + 3)
                )
        return Forum("northwind", support.slug, ideas.slug, topic.id)


@pytest.fixture(scope="module")
def forum(live_server: LiveServer) -> Forum:
    return _build_forum(live_server.app)


@pytest.mark.parametrize(
    ("viewport", "viewer"),
    [(DESKTOP, "sam"), (PHONE, "river")],
    ids=["desktop-support-agent", "phone-customer"],
)
def test_the_forum_pages_fit_the_screen(open_page, snap, forum, viewport, viewer, console_errors):
    """Screenshot the fan page, two categories and a busy topic, as the brand's support agent
    sees them on a laptop and the customer who asked sees them on her phone; nothing
    overflows sideways."""
    page = open_page(viewport)
    log_in(page, viewer, factories.PASSWORD)
    pages = [
        ("1-fan-page", f"/b/{forum.brand}"),
        ("2-support", f"/b/{forum.brand}/c/{forum.support}"),
        ("3-ideas", f"/b/{forum.brand}/c/{forum.ideas}"),
        ("4-topic", f"/t/{forum.topic_id}"),
    ]
    for step, path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        snap(page, step)
        assert page_width(page) <= viewport["width"], f"{path} is wider than the screen"
    assert console_errors == []
