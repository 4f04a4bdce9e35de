"""The crawl behind `test_crawl.py`: every page of the demo, as each persona reaches it by
following links, checked for sideways scrolling, axe-core violations and valid HTML.

The tools come from the npm registry (`package.json` at the root, installed by `make
install`): axe-core runs inside the page, the Nu HTML Checker (vnu-jar) on Java checks the
HTML the server sent. Where they are missing, `missing_tools()` says what to install.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page
from werkzeug.exceptions import HTTPException

from tests.browser.support import REPO_ROOT, log_in

NODE_MODULES = REPO_ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
PAGE_LIST = REPO_ROOT / "test-artifacts" / "crawl-pages.txt"
FINDINGS = REPO_ROOT / "test-artifacts" / "crawl-findings.txt"

# What "WCAG 2.2 AA" means to axe: the A and AA rules of each version (2.2 added AA only).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# What fails the crawl; "moderate" and "minor" findings are reported by axe but not here.
SERIOUS = {"serious", "critical"}
# The only rules whose outcome depends on the colour scheme: in dark mode, only these run
# again (the structure of the page is the same in both, and a full second run doubles the
# crawl's time).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
WIDTHS = (320, 390, 1280)
HEIGHT = 800

# More of one kind of page (one endpoint) than this, per persona, teaches nothing new.
PER_ENDPOINT = 2
# Endpoints that are not pages a reader looks at, or would act for her (a token link).
SKIPPED_ENDPOINTS = {
    "static",
    "brands.theme",
    "health.healthz",
    "embed.script",
    "embed.reviews_json",
    "forums.category_feed",
    "forums.topic_feed",
    "staff.download",
    "notifications.unsubscribe",
    "accounts.verify_email",
    "accounts.reset_password",
    "accounts.logout",
}
# Pages made to sit inside another site's page (the review widget's frame): no site header
# to skip, so no skip link.
FRAMED_ENDPOINTS = {"embed.frame"}
# Query parameters that page through a list: the first page stands for the others.
PAGING = {"page", "cursor", "after", "before"}
SKIPPED_SUFFIXES = (".csv", ".json", ".xml", ".atom", ".js", ".css", ".txt", ".zip")


@dataclass(frozen=True)
class Persona:
    """Who browses: a demo login (None for a visitor) and the pages she starts from."""

    name: str
    login: str | None
    start: tuple[str, ...]


@dataclass
class Crawled:
    """One page as one persona saw it."""

    persona: str
    url: str  # path and query, as the persona reached it
    status: int
    html_file: Path | None = None


@dataclass
class Findings:
    """What the crawl saw and what is wrong, in words a failing test can print."""

    pages: list[Crawled] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    axe_rules: dict[str, int] = field(default_factory=dict)
    focus: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Pages found but not visited because the time budget ran out, by persona.
    unvisited: dict[str, int] = field(default_factory=dict)


def missing_tools() -> list[str]:
    """What the crawl needs and this machine lacks, each with how to get it."""
    missing = []
    if not AXE.is_file() or not VNU.is_file():
        missing.append("node_modules (axe-core, vnu-jar): run `make install` (npm ci)")
    if JAVA is None:
        missing.append("java for the Nu HTML Checker: apt-get install default-jre-headless")
    return missing


# Table cells squeezed to a few letters a line (the contact preferences' first column at
# 390px was one letter wide and 6,000px tall): long text in a cell narrower than 3em.
_SQUEEZED = """Array.from(document.querySelectorAll("th, td"))
    .filter((cell) => {
        // Headings hidden for sight but kept for screen readers (a table shown as cards).
        for (let node = cell; node && node.tagName !== "TABLE"; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.clipPath !== "none" || style.clip !== "auto") return false;
        }
        const text = cell.innerText.trim();
        const box = cell.getBoundingClientRect();
        const em = parseFloat(getComputedStyle(cell).fontSize) || 16;
        return box.width > 0 && box.width < 3 * em && text.length > 8;
    })
    .slice(0, 3)
    .map((cell) => `${cell.tagName.toLowerCase()} "${cell.innerText.trim().slice(0, 30)}"`
        + ` is ${Math.round(cell.getBoundingClientRect().width)}px wide`)"""

# How the page lays out at the window's width: how wide it is when wider than the window,
# the elements sticking out on the right (innermost first: their ancestors stick out only
# because they hold them) as readable selectors, and the squeezed table cells.
_LAYOUT = """() => {
    const width = document.documentElement.clientWidth;
    const scroll = document.documentElement.scrollWidth;
    const squeezed = SQUEEZED;
    if (scroll <= window.innerWidth) return {scroll: null, culprits: [], squeezed};
    const describe = (el) => {
        const parts = [];
        for (let node = el; node && parts.length < 4; node = node.parentElement) {
            let part = node.tagName.toLowerCase();
            const classes = Array.from(node.classList).slice(0, 2);
            if (node.id) part += "#" + node.id;
            else if (classes.length) part += "." + classes.join(".");
            parts.unshift(part);
            if (node.id) break;
        }
        return parts.join(" > ");
    };
    const wide = Array.from(document.body.querySelectorAll("*")).filter((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.right > width + 1;
    });
    const holds = (el) => wide.some((other) => other !== el && el.contains(other));
    const innermost = wide.filter((el) => !holds(el));
    return {
        scroll,
        squeezed,
        culprits: innermost.slice(0, 3).map(
            (el) => `${describe(el)} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`
        ),
    };
}""".replace("SQUEEZED", _SQUEEZED)

# The first element Tab reaches, in document order (positive tabindex is axe's business).
_FIRST_FOCUSABLE = """() => {
    const candidates = document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"
    );
    for (const el of candidates) {
        if (el.tabIndex < 0 || el.disabled) continue;
        if (el.closest("[hidden], [inert]")) continue;
        return {tag: el.tagName.toLowerCase(), cls: el.className, href: el.getAttribute("href")};
    }
    return null;
}"""

_AXE_RUN = """async (options) => {
    const results = await axe.run(document, options);
    return results.violations
        .filter((rule) => rule.impact === "serious" || rule.impact === "critical")
        .map((rule) => ({
            id: rule.id,
            impact: rule.impact,
            help: rule.help,
            targets: rule.nodes.slice(0, 4).map((node) => node.target.join(" ")),
            count: rule.nodes.length,
        }));
}"""

_SETTLED = """() => Promise.all(document.getAnimations().map((motion) => motion.finished))"""

_LINKS = """() => [
    ...Array.from(document.querySelectorAll("a[href]"))
        .filter((a) => !a.hasAttribute("download"))
        .map((a) => a.href),
    ...Array.from(document.querySelectorAll("iframe[src]")).map((frame) => frame.src),
]"""


class Crawler:
    """Breadth-first over same-origin links, checking each page as it goes."""

    def __init__(self, app: Flask, base_url: str, browser: Browser, html_dir: Path) -> None:
        self.app = app
        self.base_url = base_url
        self.origin = urlsplit(base_url).netloc
        self.browser = browser
        self.html_dir = html_dir
        self.findings = Findings()
        self.adapter = app.url_map.bind("localhost")

    def endpoint(self, path: str) -> str | None:
        """The Flask endpoint serving `path`, or None when nothing routes it (a 404)."""
        try:
            endpoint, _ = self.adapter.match(path, method="GET")
        except HTTPException:
            return None
        return str(endpoint)

    def shape(self, url: str) -> str:
        """The kind of page `url` is: its endpoint (query strings don't make a new kind)."""
        return self.endpoint(urlsplit(url).path) or "(none)"

    def wanted(self, href: str) -> str | None:
        """The path and query to visit for a link, or None when the crawl leaves it alone."""
        parts = urlsplit(href)
        if parts.scheme not in {"http", "https"} or parts.netloc != self.origin:
            return None
        path = parts.path or "/"
        if path.endswith(SKIPPED_SUFFIXES):
            return None
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(name in PAGING for name, _ in query):
            return None
        endpoint = self.endpoint(path)
        if endpoint in SKIPPED_ENDPOINTS:
            return None
        return path + (f"?{parts.query}" if parts.query else "")

    def crawl(self, persona: Persona, *, deadline: float) -> None:
        """Visit what `persona` can reach from her start pages, until `deadline` at most."""
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport={"width": WIDTHS[-1], "height": HEIGHT},
            device_scale_factor=1,
            # No transitions (fanhub.css honours the setting): axe and the widths see each
            # page as it settles, at once.
            reduced_motion="reduce",
        )
        # axe-core in every page the crawl opens, before the page's own scripts run. An init
        # script is the browser's, not the page's: the app's strict CSP (script-src 'self')
        # stays on, and a page that breaks it logs an error the crawl reports.
        context.add_init_script(path=AXE)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.on("console", lambda message: self.console_error(page, persona, message))
        page.on(
            "pageerror",
            lambda error: self.findings.console.append(
                f"{self.here(page)} as {persona.name}: {error}"
            ),
        )
        try:
            if persona.login is not None:
                log_in(page, persona.login, "fanhub-demo-2026")
            queue: deque[str] = deque(persona.start)
            seen: set[str] = set(persona.start)
            per_endpoint: dict[str, int] = {}
            while queue and time.monotonic() < deadline:
                url = queue.popleft()
                endpoint = self.shape(url)
                if per_endpoint.get(endpoint, 0) >= PER_ENDPOINT and url not in persona.start:
                    continue
                per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + 1
                for link in self.check(page, persona, url):
                    target = self.wanted(link)
                    if target is not None and target not in seen:
                        seen.add(target)
                        queue.append(target)
            left = [u for u in queue if per_endpoint.get(self.shape(u), 0) < PER_ENDPOINT]
            if left:
                self.findings.unvisited[persona.name] = len(left)
        finally:
            context.close()

    def here(self, page: Page) -> str:
        """The page's path and query, as the crawl names pages."""
        parts = urlsplit(page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def console_error(self, page: Page, persona: Persona, message: ConsoleMessage) -> None:
        """Record what Chromium logs as an error: a CSP violation, a failed load, a throw."""
        if message.type != "error":
            return
        source = urlsplit(message.location.get("url", ""))
        # A page answering 404 on purpose is logged as a failed load.
        if self.endpoint(source.path) is None and "Failed to load resource" in message.text:
            return
        self.findings.console.append(f"{self.here(page)} as {persona.name}: {message.text}")

    def check(self, page: Page, persona: Persona, url: str) -> list[str]:
        """Visit one page, check it, and return the links it offers."""
        where = f"{url} as {persona.name}"
        page.set_viewport_size({"width": WIDTHS[-1], "height": HEIGHT})
        page.emulate_media(color_scheme="light")
        response = page.goto(url)
        status = response.status if response is not None else 0
        crawled = Crawled(persona.name, url, status)
        self.findings.pages.append(crawled)
        expected_404 = url in persona.start and self.endpoint(urlsplit(url).path) is None
        if status >= 400 and not (status == 404 and expected_404):
            self.findings.broken.append(f"{where}: answered {status}")
        if response is not None and "text/html" in response.headers.get("content-type", ""):
            number = len(self.findings.pages)
            name = re.sub(r"[^\w]+", "-", url).strip("-") or "front"
            crawled.html_file = self.html_dir / f"{number:03d}-{persona.name}-{name[:60]}.html"
            crawled.html_file.write_bytes(response.body())
        links: list[str] = page.evaluate(_LINKS)
        if self.endpoint(urlsplit(url).path) not in FRAMED_ENDPOINTS:
            self.check_focus(page, where)
        self.check_axe(page, where, "light", {"runOnly": {"type": "tag", "values": AXE_TAGS}})
        page.emulate_media(color_scheme="dark")
        # Anything still easing into its dark colours (reduced motion stops most) ends first.
        page.evaluate(_SETTLED)
        self.check_axe(page, where, "dark", {"runOnly": {"type": "rule", "values": COLOUR_RULES}})
        page.emulate_media(color_scheme="light")
        # Widest first: the page is already that wide.
        for width in sorted(WIDTHS, reverse=True):
            if width != (page.viewport_size or {}).get("width"):
                page.set_viewport_size({"width": width, "height": HEIGHT})
            layout = page.evaluate(_LAYOUT)
            if layout["scroll"] is not None:
                self.findings.overflow.append(
                    f"{where} at {width}px is {layout['scroll']}px wide: "
                    + "; ".join(layout["culprits"])
                )
            if layout["squeezed"]:
                self.findings.overflow.append(
                    f"{where} at {width}px squeezes table cells: " + "; ".join(layout["squeezed"])
                )
        return links

    def check_focus(self, page: Page, where: str) -> None:
        """The first stop of the Tab key is the skip link to the page's main content."""
        first = page.evaluate(_FIRST_FOCUSABLE)
        if not first or "skip-link" not in first["cls"] or first["href"] != "#main":
            self.findings.focus.append(f"{where}: the first focusable element is {first}")

    def check_axe(self, page: Page, where: str, scheme: str, options: dict[str, Any]) -> None:
        """axe-core's serious and critical violations on the page as it is now."""
        # Frames are crawled as pages of their own (their src is a link like any other).
        options = {**options, "resultTypes": ["violations"], "iframes": False}
        for rule in page.evaluate(_AXE_RUN, options):
            self.findings.axe_rules[rule["id"]] = self.findings.axe_rules.get(rule["id"], 0) + 1
            self.findings.axe.append(
                f"{where} ({scheme}): {rule['id']} [{rule['impact']}] {rule['help']}: "
                f"{rule['count']} element(s), e.g. {', '.join(rule['targets'])}"
            )


def validate_html(pages: Iterable[Crawled]) -> list[str]:
    """Every error the Nu HTML Checker finds in the pages' HTML, in one run of it."""
    files = {page.html_file.resolve(): page for page in pages if page.html_file is not None}
    if not files:
        return []
    assert JAVA is not None
    result = subprocess.run(  # noqa: S603 - our own file list, no shell
        [JAVA, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu writes its report to stderr, and exits 1 when it found errors.
    report = json.loads(result.stderr or "{}")
    errors = []
    for message in report.get("messages", []):
        path = Path(urlsplit(message.get("url", "")).path)
        page = files.get(path.resolve())
        where = f"{page.url} as {page.persona}" if page else message.get("url", "?")
        line = message.get("lastLine", "?")
        extract = " ".join(message.get("extract", "").split())[:120]
        errors.append(f"{where} line {line}: {message.get('message')} [{extract}]")
    return errors


def write_reports(findings: Findings) -> None:
    """The pages crawled, one line each, and every problem found, for people to read after
    the run (`test-artifacts/crawl-pages.txt` and `crawl-findings.txt`)."""
    PAGE_LIST.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{page.persona:<9} {page.status} {page.url}" for page in findings.pages]
    cut = "".join(
        f"# the time budget ran out: {n} links found as {persona} were not visited\n"
        for persona, n in findings.unvisited.items()
    )
    PAGE_LIST.write_text(
        f"# {len(findings.pages)} pages crawled in {findings.seconds:.0f} s\n{cut}"
        + "\n".join(lines)
        + "\n"
    )
    sections = [
        ("links that fail", findings.broken),
        ("sideways scrolling", findings.overflow),
        ("axe-core, serious and critical", findings.axe),
        ("axe-core, pages per rule", [f"{rule}: {n}" for rule, n in findings.axe_rules.items()]),
        ("first tab stop", findings.focus),
        ("console errors (CSP violations, failed loads, exceptions)", findings.console),
        ("Nu HTML Checker errors", findings.html),
    ]
    FINDINGS.write_text(
        "".join(
            f"## {title} ({len(items)})\n" + "".join(f"{item}\n" for item in items) + "\n"
            for title, items in sections
        )
    )
