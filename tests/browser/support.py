"""What every browser test module shares: the Chromium it drives and the skip when it's absent."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page

# Debian's chromium, not a Playwright download: `playwright install` needs the network.
CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Each browser test module sets `pytestmark = [pytest.mark.browser, needs_chromium]`, so a
# machine without chromium skips every browser test with this one reason.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium): browser tests skipped",
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


@dataclass(frozen=True)
class ConsoleProblem:
    """An error Chromium reported: a console error (a CSP violation, a failed load) or a throw."""

    text: str
    url: str


@dataclass(frozen=True)
class LiveServer:
    """A fanhub app served over real HTTP on 127.0.0.1, with its own committed database."""

    app: Flask
    url: str


# `snap(page, step)`: the screenshot fixture's signature.
Snap = Callable[[Page, str], None]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


# Any CSS colour (lch(), color-mix(), relative colours) to [r, g, b], by letting a canvas
# paint it: the browser resolves what the stylesheet computed, so the test needn't.
_RGB = """(colour) => {
    const context = document.createElement("canvas").getContext("2d");
    context.fillStyle = colour;
    context.fillRect(0, 0, 1, 1);
    return Array.from(context.getImageData(0, 0, 1, 1).data.slice(0, 3));
}"""


def rgb(page: Page, colour: str) -> tuple[int, int, int]:
    """The sRGB triple a CSS colour paints as."""
    red, green, blue = page.evaluate(_RGB, colour)
    return red, green, blue


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (4.5 is AA for body text)."""

    def luminance(colour: tuple[int, int, int]) -> float:
        channels = []
        for value in colour:
            c = value / 255
            channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def page_width(page: Page) -> int:
    """How wide the page's content is: more than the viewport means a horizontal scrollbar."""
    return page.evaluate("document.scrollingElement.scrollWidth")


def log_in(
    page: Page, login: str, password: str, snap: Snap | None = None, step: str = "login"
) -> None:
    """Log in through the real form, as a member would; `snap` screenshots the form first."""
    page.goto("/login")
    if snap is not None:
        snap(page, step)
    form = page.locator("main form")
    form.get_by_label("Username or email").fill(login)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
