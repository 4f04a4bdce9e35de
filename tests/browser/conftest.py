"""Fixtures for browser tests: a live fanhub server, headless Chromium, pages, screenshots."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)
from werkzeug.serving import BaseWSGIServer, make_server

from tests.browser.support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    SCREENSHOTS,
    ConsoleProblem,
    LiveServer,
    Snap,
)


@pytest.fixture(scope="module")
def live_server(make_app: Callable[..., Flask]) -> Iterator[LiveServer]:
    """Serve a fresh app with real CSRF from a daemon thread for the tests of one module.

    This app has a database of its own, so the root conftest's rolled-back transaction
    (which wraps only the session app) does not touch it: what the browser writes commits.

    Under a moved test clock (FANHUB_TEST_CLOCK, FANHUB_TEST_CLOCK_SHIFT_DAYS) this thread
    runs on the moved clock and Chromium on the real one. Nothing the browser keeps depends
    on the server's time: the session cookie has no expiry, and the server both signs and
    checks its CSRF tokens and emailed links. (A "remember me" cookie would carry an expiry
    from the moved clock, which a clock set years back could make already past; no browser
    test ticks that box.)
    """
    app = make_app(WTF_CSRF_ENABLED=True)
    # Port 0: the OS picks a free port, which the server then tells us.
    server: BaseWSGIServer = make_server("127.0.0.1", 0, _body_closed_first(app), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    # Links in emails must point at this server, as they would at the public address.
    app.config["BASE_URL"] = url
    thread = threading.Thread(target=server.serve_forever, name="fanhub-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def _body_closed_first(app: Flask) -> Callable[..., Iterable[bytes]]:
    """The app, answering with its whole body read and its response closed before the
    server writes a byte.

    werkzeug's development server closes a response only after draining the request's
    socket, and a read there fails when Chromium drops the connection (it cancels a
    favicon or a reload): the static file behind that response then stays open until
    garbage collection, and its ResourceWarning fails whichever test is running. Pages
    here are small, so reading them whole costs nothing.
    """

    def answer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return answer


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver per module: started and stopped in the same module's scope."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's headless Chromium (Playwright's own download needs a network we don't have)."""
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def console_errors() -> list[ConsoleProblem]:
    """Errors Chromium reported while the test ran (console errors and uncaught exceptions)."""
    return []


def _open_page(
    browser: Browser,
    live_server: LiveServer,
    console_errors: list[ConsoleProblem],
    viewport: dict[str, int],
    color_scheme: Any = "light",
) -> tuple[BrowserContext, Page]:
    """A page in a fresh context (no cookies) that records what Chromium reports as errors."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        color_scheme=color_scheme,
        # One CSS pixel per screenshot pixel, so a screenshot is as wide as the viewport.
        device_scale_factor=1,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()

    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(ConsoleProblem(message.text, message.location.get("url", "")))

    page.on("console", record)
    page.on("pageerror", lambda error: console_errors.append(ConsoleProblem(str(error), page.url)))
    return context, page


@pytest.fixture
def desktop(
    browser: Browser, live_server: LiveServer, console_errors: list[ConsoleProblem]
) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies) at a 1280px-wide desktop viewport."""
    context, page = _open_page(browser, live_server, console_errors, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone(
    browser: Browser, live_server: LiveServer, console_errors: list[ConsoleProblem]
) -> Iterator[Page]:
    """A page in a fresh browser context at a 375px-wide phone viewport."""
    context, page = _open_page(browser, live_server, console_errors, PHONE)
    yield page
    context.close()


@pytest.fixture
def open_page(
    browser: Browser, live_server: LiveServer, console_errors: list[ConsoleProblem]
) -> Iterator[Callable[..., Page]]:
    """`open_page(viewport, color_scheme)`: a page in a fresh context, for parametrised tests."""
    contexts: list[BrowserContext] = []

    def build(viewport: dict[str, int], color_scheme: str = "light") -> Page:
        context, page = _open_page(browser, live_server, console_errors, viewport, color_scheme)
        contexts.append(context)
        return page

    yield build
    for context in contexts:
        context.close()


@pytest.fixture
def snap(request: pytest.FixtureRequest) -> Snap:
    """`snap(page, step)` saves a full-page screenshot as `<test name>-<step>.png`.

    The screenshots are for people: look at them after changing a template or the CSS.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # "test_tour[phone]" -> "test_tour-phone": brackets are awkward in file names.
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")

    def save(page: Page, step: str) -> None:
        page.screenshot(path=SCREENSHOTS / f"{test_name}-{step}.png", full_page=True)

    return save
