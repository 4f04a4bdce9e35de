"""Every page of the demo, as each persona finds it by following links (issue 13): none
scrolls sideways at 320, 390 or 1280 px, axe-core finds no serious or critical WCAG 2.2 AA
violation in light or dark, Tab reaches the skip link first, no link fails, nothing breaks the
CSP or logs an error, and the HTML is valid.

The crawl runs once per module (a fixture) and each test reads one kind of finding from it,
so one failure shows every page with that problem at once. `test-artifacts/crawl-pages.txt`
lists the pages crawled. docs/accessibility.md says what this covers and what it doesn't.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from fanhub import demo
from fanhub.db import utcnow
from tests.browser.crawl import (
    Crawler,
    Findings,
    Persona,
    missing_tools,
    validate_html,
    write_reports,
)
from tests.browser.support import LiveServer, needs_chromium
from tests.ci_guard import ON_CI

pytestmark = [pytest.mark.browser, needs_chromium]

# Who browses, and where each starts; everything else is found by following links.
PERSONAS = (
    Persona("visitor", None, ("/", "/login", "/register", "/password/reset", "/no-such-page")),
    Persona(
        "member",
        "alice",
        ("/", "/notifications", "/settings/profile", "/settings/notifications", "/u/alice"),
    ),
    Persona("staff", "sam", ("/", "/b/northwind/staff", "/notifications")),
    Persona("owner", "nora", ("/", "/b/northwind/staff", "/b/northwind/edit", "/notifications")),
    Persona("moderator", "mia", ("/", "/mod", "/notifications")),
    Persona("admin", "admin", ("/", "/admin", "/mod", "/notifications")),
)

# The crawl stops taking new pages after this long, so the module stays within its budget
# (CI runs the suite four times on two cores); the page list says how many it reached.
BUDGET_SECONDS = 200


@pytest.fixture(scope="module")
def findings(
    live_server: LiveServer, browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Findings]:
    missing = missing_tools()
    if missing:
        reason = "the crawl needs " + " and ".join(missing)
        if ON_CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    with live_server.app.app_context():
        demo.seed_demo(now=utcnow())
    crawler = Crawler(
        live_server.app, live_server.url, browser, tmp_path_factory.mktemp("crawl-html")
    )
    started = time.monotonic()
    deadline = started + BUDGET_SECONDS
    for persona in PERSONAS:
        crawler.crawl(persona, deadline=deadline)
    crawler.findings.html = validate_html(crawler.findings.pages)
    crawler.findings.seconds = time.monotonic() - started
    write_reports(crawler.findings)
    yield crawler.findings


def _report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_crawl_reaches_each_personas_pages(findings):
    # A crawl that lost its way (a failed login, a broken start page) would pass the others.
    reached = {(page.persona, page.url.split("?")[0]) for page in findings.pages}
    for persona, path in [
        ("visitor", "/b/northwind"),
        ("member", "/settings/notifications"),
        ("staff", "/b/northwind/staff"),
        ("owner", "/b/northwind/edit"),
        ("moderator", "/mod"),
        ("admin", "/admin"),
    ]:
        assert (persona, path) in reached, f"{persona} never reached {path}"
    topics = {url for persona, url in reached if persona == "member" and url.startswith("/t/")}
    assert topics, "the member's crawl found no topic page"


def test_every_link_leads_to_a_page(findings):
    assert not findings.broken, _report(findings.broken)


def test_no_page_scrolls_sideways_at_320_390_or_1280_px(findings):
    assert not findings.overflow, _report(findings.overflow)


def test_axe_finds_no_serious_or_critical_violation_in_light_or_dark(findings):
    assert not findings.axe, _report(findings.axe)


def test_the_first_tab_stop_of_every_page_is_the_skip_link(findings):
    assert not findings.focus, _report(findings.focus)


def test_no_page_logs_an_error_in_the_console(findings):
    # The crawl runs under the app's real CSP: an inline style or script breaks it here.
    assert not findings.console, _report(findings.console)


def test_the_nu_html_checker_finds_no_error_on_any_page(findings):
    assert not findings.html, _report(findings.html)
