"""Small actions in place (issue 13, point 13), in a real browser with real CSRF and the
strict CSP: reacting, voting an idea, watching, a helpful vote, following and claiming
change the page where the button is, with no reload; without JavaScript the same buttons
work by reloading, as before."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect
from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.brands.models import Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums.models import CategoryKind
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Review
from tests import factories
from tests.browser.support import DESKTOP, PHONE, ConsoleProblem, LiveServer, log_in, needs_chromium
from tests.reviews.conftest import make_product, write_review

pytestmark = [pytest.mark.browser, needs_chromium]

_numbers = itertools.count(1)
# Set on the page before a click: a reload would lose it.
MARK = "() => { window.inplaceMarker = 'still here'; }"
MARKED = "() => window.inplaceMarker === 'still here'"


@dataclass(frozen=True)
class Scene:
    """A brand of its own for one test: its slug, the member who acts, a staff member, a
    staff reply to react to, an idea, a review by someone else, and a waiting question."""

    slug: str
    name: str
    fan: str
    agent: str
    topic_id: int
    idea_id: int
    question_id: int
    review_id: int


@pytest.fixture
def scene(live_server: LiveServer) -> Scene:
    app = live_server.app
    n = next(_numbers)
    fan = factories.make_user(app, f"inplacefan{n}")
    author = factories.make_user(app, f"inplaceauthor{n}")
    agent = factories.make_user(app, f"inplaceagent{n}")
    brand = factories.make_brand(
        app, f"inplace{n}", name=f"Lamp Co {n}", roles={Role.STAFF: [agent]}
    )
    talk = factories.make_category(app, brand, CategoryKind.DISCUSSION, slug="talk")
    ideas = factories.make_category(app, brand, CategoryKind.IDEAS, slug="ideas")
    support = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    topic = factories.make_topic(app, talk, author, title="Which bulb for the desk lamp?")
    factories.reply(app, topic, agent, body="The warm 2700 K one.")
    idea = factories.make_topic(app, ideas, author, title="A dimmer switch")
    question = factories.make_topic(app, support, author, title="My lamp flickers")
    lamp = make_product(app, brand, "lamp", "Desk Lamp")
    review = write_review(app, lamp, author, 5, title="Lovely light")
    return Scene(
        brand.slug,
        brand.name,
        fan.username,
        agent.username,
        topic.id,
        idea.id,
        question.id,
        review.id,
    )


@pytest.fixture
def no_script(
    browser: Browser, live_server: LiveServer, console_errors: list[ConsoleProblem]
) -> Iterator[Page]:
    """A page in a fresh context with JavaScript turned off."""
    context = browser.new_context(
        base_url=live_server.url, viewport=DESKTOP, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            console_errors.append(ConsoleProblem(message.text, page.url))
            if message.type == "error"
            else None
        ),
    )
    yield page
    context.close()


def in_place(page: Page, act: Callable[[], None]) -> None:
    """Do `act` and prove the page was not reloaded: same URL, same window."""
    url = page.url
    page.evaluate(MARK)
    act()
    assert page.evaluate(MARKED), "the page reloaded"
    assert page.url == url


def same_after_reload(page: Page, part: Locator) -> None:
    """What the script drew is what the server draws for the new state."""
    drawn = " ".join(part.inner_text().split())
    page.reload()
    assert " ".join(part.inner_text().split()) == drawn


def not_just_status(problems: list[ConsoleProblem], status: str) -> list[ConsoleProblem]:
    """The console's problems but the one an expected refusal logs ("… status of 409")."""
    return [p for p in problems if f"status of {status}" not in p.text]


# ------------------------------------------------------------------ with JavaScript


def test_a_reaction_counts_in_place(desktop, scene, console_errors, snap):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/t/{scene.topic_id}")
    like = desktop.locator("#post-2").get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "false")
    in_place(desktop, like.click)
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".reaction__count")).to_have_text("1")
    expect(like).to_have_class("reaction reaction--mine")
    expect(desktop.locator("[data-inplace-live]")).to_have_text("You reacted “Like”.")
    snap(desktop, "reacted")
    same_after_reload(desktop, desktop.locator("#post-2 .reactions"))
    # And back: her reaction taken back, still without a reload.
    in_place(desktop, like.click)
    expect(like).to_have_attribute("aria-pressed", "false")
    expect(like).to_have_attribute("data-count", "0")
    assert console_errors == []


def test_an_idea_vote_counts_in_place(desktop, scene, console_errors):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/t/{scene.idea_id}")
    box = desktop.locator(".vote-box")
    expect(box).to_contain_text("0 votes")
    in_place(desktop, box.get_by_role("button", name="Vote").click)
    expect(box.get_by_test_id("vote-count")).to_have_text("1")
    expect(box).to_contain_text("1 vote")
    expect(box.get_by_role("button")).to_have_text("Voted")
    expect(desktop.locator("[data-inplace-live]")).to_have_text("Your vote is counted.")
    expect(desktop.locator(".flash")).to_have_count(0)
    same_after_reload(desktop, box)
    assert console_errors == []


def test_watching_a_topic_redraws_its_buttons_in_place(desktop, scene, console_errors):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/t/{scene.topic_id}")
    watch = desktop.get_by_test_id("watch-buttons")
    expect(watch).to_have_attribute("data-level", "none")
    in_place(desktop, watch.get_by_role("button", name="Mute").click)
    expect(watch).to_have_attribute("data-level", "muted")
    expect(watch).to_contain_text("You muted this topic.")
    expect(watch.get_by_role("button")).to_have_text(["Unmute", "Watch"])
    # The keyboard stays where it was: on the button now in the clicked one's place.
    expect(watch.get_by_role("button", name="Watch")).to_be_focused()
    same_after_reload(desktop, watch)
    in_place(desktop, watch.get_by_role("button", name="Unmute").click)
    expect(watch).to_have_attribute("data-level", "none")
    assert console_errors == []


def test_a_helpful_vote_counts_in_place_and_can_be_taken_back(desktop, scene, console_errors):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/b/{scene.slug}/p/lamp")
    helpful = desktop.locator(f"#review-{scene.review_id}").get_by_test_id("helpful")
    expect(helpful).not_to_contain_text("found this helpful")
    in_place(desktop, helpful.get_by_role("button", name="Helpful").click)
    expect(helpful).to_contain_text("1 person found this helpful")
    button = helpful.get_by_role("button")
    expect(button).to_have_text("Helpful ✓")
    expect(button).to_have_attribute("aria-pressed", "true")
    same_after_reload(desktop, helpful)
    # The form now posts to the undo address: a second click takes the vote back.
    in_place(desktop, button.click)
    expect(button).to_have_text("Helpful")
    expect(helpful).not_to_contain_text("found this helpful")
    expect(desktop.locator("[data-inplace-live]")).to_have_text("Your helpful vote is taken back.")
    assert console_errors == []


def test_following_a_brand_counts_in_place(desktop, scene, console_errors):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/b/{scene.slug}")
    header = desktop.locator(".fan-header")
    expect(header.get_by_test_id("follower-count")).to_have_text("0 followers")
    in_place(desktop, header.get_by_role("button", name="Follow").click)
    expect(header.get_by_test_id("follower-count")).to_have_text("1 follower")
    expect(header.get_by_role("button", name="Following")).to_have_class("button button--quiet")
    same_after_reload(desktop, header)
    in_place(desktop, header.get_by_role("button", name="Following").click)
    expect(header.get_by_test_id("follower-count")).to_have_text("0 followers")
    assert console_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_staff_claim_and_release_in_place(open_page, scene, console_errors, snap, viewport):
    page = open_page(viewport)
    log_in(page, scene.agent, factories.PASSWORD)
    page.goto(f"/b/{scene.slug}/staff")
    row = page.locator(f"#topic-{scene.question_id}")
    claim_cell = row.locator(".desk-row__claim")
    in_place(page, row.get_by_role("button", name="Claim").click)
    expect(row).to_have_class(re.compile(r"\bdesk-row--mine\b"))
    expect(claim_cell).to_contain_text("You're on it (until")
    expect(page.locator("[data-inplace-live]")).to_contain_text(
        "You're on “My lamp flickers” until"
    )
    snap(page, "claimed")
    same_after_reload(page, claim_cell)
    in_place(page, row.get_by_role("button", name="Release").click)
    expect(row).not_to_have_class(re.compile(r"\bdesk-row--mine\b"))
    expect(claim_cell).not_to_contain_text("You're on it")
    expect(row.get_by_role("button", name="Claim")).to_be_visible()
    assert console_errors == []


def test_a_button_waiting_for_its_answer_sends_once(desktop, scene, console_errors):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/t/{scene.idea_id}")
    held: list[Route] = []
    desktop.route(f"**/t/{scene.idea_id}/vote", lambda route: held.append(route))
    button = desktop.locator(".vote-box").get_by_role("button", name="Vote")
    button.click()
    expect(button).to_have_attribute("aria-disabled", "true")
    button.click(force=True)  # an impatient second click while the first is on its way
    desktop.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    expect(desktop.get_by_test_id("vote-count")).to_have_text("1")
    expect(button).not_to_have_attribute("aria-disabled", "true")
    assert console_errors == []


def test_a_refusal_shows_beside_the_button(desktop, scene, live_server, console_errors, snap):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/b/{scene.slug}/p/lamp")
    # Her vote counted meanwhile (another tab): this page still offers the vote.
    app = live_server.app
    with app.app_context():
        fan = db.session.scalar(select(User).where(User.username == scene.fan))
        reviews.vote_helpful(fan, db.session.get(Review, scene.review_id), now=utcnow())
    helpful = desktop.locator(f"#review-{scene.review_id}").get_by_test_id("helpful")
    button = helpful.get_by_role("button", name="Helpful")
    in_place(desktop, button.click)
    error = helpful.locator(".inplace-error")
    expect(error).to_have_text("You already marked this review as helpful.")
    expect(button).to_have_attribute("aria-describedby", error.get_attribute("id") or "")
    expect(desktop.locator("[data-inplace-live]")).to_have_text(
        "You already marked this review as helpful."
    )
    snap(desktop, "refused")
    assert not_just_status(console_errors, "409") == []


def test_without_a_connection_the_button_posts_the_old_way(desktop, scene, console_errors):
    log_in(desktop, scene.fan, factories.PASSWORD)
    desktop.goto(f"/t/{scene.idea_id}")
    desktop.evaluate(MARK)
    # The script's request fails; the form is then posted as without JavaScript.
    desktop.route(f"**/t/{scene.idea_id}/vote", lambda route: route.abort(), times=1)
    desktop.locator(".vote-box").get_by_role("button", name="Vote").click()
    expect(desktop.locator(".flash--info")).to_have_text("Your vote is counted.")
    expect(desktop.get_by_test_id("vote-count")).to_have_text("1")
    assert not desktop.evaluate("() => window.inplaceMarker === 'still here'")
    assert [p for p in console_errors if "ERR_FAILED" not in p.text] == []


# ------------------------------------------------------------------ without JavaScript


def test_without_javascript_every_button_still_works_by_reloading(no_script, scene, console_errors):
    page = no_script
    log_in(page, scene.fan, factories.PASSWORD)

    page.goto(f"/t/{scene.topic_id}")
    page.locator("#post-2").get_by_role("button", name="Like").click()
    expect(page.locator("#post-2").get_by_role("button", name="Like")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_test_id("watch-buttons").get_by_role("button", name="Watch").click()
    expect(page.locator(".flash--success")).to_contain_text("You are watching this topic")

    page.goto(f"/t/{scene.idea_id}")
    page.locator(".vote-box").get_by_role("button", name="Vote").click()
    expect(page.locator(".flash--info")).to_have_text("Your vote is counted.")
    expect(page.get_by_test_id("vote-count")).to_have_text("1")

    page.goto(f"/b/{scene.slug}/p/lamp")
    page.get_by_test_id("helpful").get_by_role("button", name="Helpful").click()
    expect(page.locator(".flash--success")).to_contain_text("your vote helps others")
    expect(page.get_by_test_id("helpful")).to_contain_text("1 person found this helpful")

    page.goto(f"/b/{scene.slug}")
    page.locator(".fan-header").get_by_role("button", name="Follow").click()
    expect(page.locator(".flash--success")).to_have_text(f"You follow {scene.name}.")
    expect(page.get_by_test_id("follower-count")).to_have_text("1 follower")
    assert console_errors == []


def test_without_javascript_staff_claim_by_reloading(no_script, scene, console_errors):
    log_in(no_script, scene.agent, factories.PASSWORD)
    no_script.goto(f"/b/{scene.slug}/staff")
    no_script.locator(f"#topic-{scene.question_id}").get_by_role("button", name="Claim").click()
    expect(no_script.locator(".flash--success")).to_contain_text("You're on “My lamp flickers”")
    expect(no_script.get_by_test_id("claim-state")).to_contain_text("You're on it (until")
    assert console_errors == []
