"""The site with a keyboard only (issue 13): the skip link is the first Tab stop and moves
focus into the content, every action on a topic page is reached by Tab, and the focused
control shows a ring that reads in light and in dark."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fanhub.brands.models import Role
from fanhub.forums.models import CategoryKind
from tests import factories
from tests.browser.support import (
    DESKTOP,
    PHONE,
    LiveServer,
    contrast,
    log_in,
    needs_chromium,
    rgb,
)

pytestmark = [pytest.mark.browser, needs_chromium]


@dataclass(frozen=True)
class Thread:
    topic: Any
    reader: Any


@pytest.fixture(scope="module")
def thread(live_server: LiveServer) -> Thread:
    """A support question with an answer by staff and a reply by another member."""
    app = live_server.app
    staff = factories.make_user(app, "kbstaff", display_name="Kim Staff")
    asker = factories.make_user(app, "kbasker", display_name="Ada Asker")
    reader = factories.make_user(app, "kbreader", display_name="Rae Reader")
    other = factories.make_user(app, "kbother", display_name="Oli Other")
    brand = factories.make_brand(app, "keyco", name="Key & Co", roles={Role.STAFF: [staff]})
    help_desk = factories.make_category(app, brand, CategoryKind.SUPPORT, slug="help")
    topic = factories.make_topic(app, help_desk, asker, title="Which key fits the blue lock?")
    factories.reply(app, topic, staff, "The small brass one. We'll send a spare.")
    factories.reply(app, topic, other, "Same question here, thanks!")
    return Thread(topic=topic, reader=reader)


# What Tab reaches: each focused element's role-ish name, and whether a ring shows on it.
_FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        name: (el.getAttribute("aria-label") || el.innerText || el.value || "").trim(),
        inMain: !!el.closest("main"),
        ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
        ringColour: style.outlineColor,
    };
}"""


def tab_through(page: Page, limit: int = 120) -> list[dict[str, Any]]:
    """Press Tab from the top of the page until focus leaves the page, and say what it met."""
    page.locator("body").focus()
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(_FOCUSED)
        if stop is None or (stops and stop == stops[0]):
            break
        stops.append(stop)
    return stops


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(
    open_page, thread, viewport
):
    page = open_page(viewport)
    for path in ("/", f"/t/{thread.topic.id}", "/login"):
        page.goto(path)
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        page.keyboard.press("Enter")
        # Focus itself moved, not only the scroll position: the next Tab starts in <main>.
        assert page.evaluate("document.activeElement.id") == "main", path
        page.keyboard.press("Tab")
        assert page.evaluate(_FOCUSED)["inMain"], path


def test_every_action_on_a_topic_page_is_reached_by_tab(open_page, thread):
    page = open_page(DESKTOP)
    log_in(page, thread.reader.username, factories.PASSWORD)
    page.goto(f"/t/{thread.topic.id}")
    names = [stop["name"] for stop in tab_through(page)]
    for action in ("Watch", "Mute", "Reply", "Flag", "Post reply", "Preview"):
        assert action in names, f"Tab never reaches {action!r}: {names}"
    reactions = [name for name in names if name.split()[:1] in (["Like"], ["Thanks"], ["Helpful"])]
    # Three kinds of reaction on each of the three posts.
    assert len(reactions) == 9, names


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focused_control_shows_a_ring_that_reads_on_the_page(open_page, thread, scheme):
    page = open_page(DESKTOP, scheme)
    log_in(page, thread.reader.username, factories.PASSWORD)
    page.goto(f"/t/{thread.topic.id}")
    stops = tab_through(page)
    assert stops
    without = [stop["name"] for stop in stops if not stop["ring"]]
    assert not without, f"no focus ring on {without}"
    surface = rgb(page, page.evaluate("getComputedStyle(document.body).backgroundColor"))
    for stop in stops:
        ratio = contrast(rgb(page, stop["ringColour"]), surface)
        # WCAG 1.4.11: a focus indicator needs 3:1 against what is around it.
        assert ratio >= 3, f"the ring on {stop['name']!r} has contrast {ratio:.2f} ({scheme})"
