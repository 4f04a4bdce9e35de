"""Every route's headers, read in production as a visitor and as the person the page is for.

Checked per answer (issue 11, section 5): the CSP (no `http:` source, insecure requests
upgraded), nosniff, the referrer policy, a deny-all Permissions-Policy, COOP, HSTS; then
by the kind of page: a visitor's read of a public page sets no cookie and may be cached;
whatever a signed-in member is shown, every signed-link door, every member-only page and
every answer to a POST is `private, no-store`; the widget stays public and cookie-free.

`PAGES` has a row per GET route, checked against `app.url_map` like the permission matrix
(whose `ROUTES` and `World` give the POST routes and the ids), so a new route can't be
added without its headers being checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests import factories
from tests.embed.test_replay import requests_flask_handled
from tests.test_permission_matrix_all import MUTATING, ROUTES, World

PRODUCTION = {
    "FANHUB_ENV": "production",
    "SECRET_KEY": "a-production-like-secret-for-the-header-tests",
    "WTF_CSRF_ENABLED": True,
    "SESSION_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_SECURE": True,
}
HSTS = "max-age=63072000; includeSubDomains"
PRIVATE = "private, no-store"
CSRF_REFUSED = b"Please go back, reload and retry."
# Features a page of ours must never be allowed to use, whatever else the policy lists.
POWERFUL = ("camera", "microphone", "geolocation", "payment", "usb", "serial", "hid", "midi")

PUBLIC = "public"  # anyone reads it: a visitor gets no cookie, and it may be cached
DOOR = "door"  # a signed link or sign-in form for visitors: its form may start a session
MEMBERS = "members"  # signed-in only: a visitor is sent to log in
WIDGET = "widget"  # the embed endpoints: the same for everyone, cached by CDNs, no session
ASSET = "asset"  # a file of the site (static, a brand's stylesheet): cacheable by anyone
COUNTER = "counter"  # counts each request (the composer's suggestions): never cached, no cookie


@dataclass(frozen=True)
class Page:
    url: str  # placeholders name parts of the permission matrix's World
    kind: str
    reader: str = "member"  # who the page is for, among the shop's people
    signed_in: int = 200  # the reader's status (a sign-in form sends a member on)


P = "/b/northwind/p/{kettle}"
PAGES = [
    Page("/", PUBLIC),
    Page("/b/northwind", PUBLIC),
    Page("/b/northwind/c/discussion", PUBLIC),
    Page("/b/northwind/c/discussion/feed.atom", PUBLIC),
    Page("/b/northwind/theme.css", ASSET),
    Page("/t/{topic}", PUBLIC),
    Page("/t/{topic}/a-topic", PUBLIC),
    Page("/t/{topic}/feed.atom", PUBLIC),
    Page("/p/{post}/history", PUBLIC),
    Page(P, PUBLIC),
    Page(P + "/r/{review}", PUBLIC),
    Page(P + "/r/{review}/history", PUBLIC),
    Page("/u/member", PUBLIC),
    Page("/healthz", PUBLIC),
    Page("/static/css/fanhub.css", ASSET),
    Page("/embed/v1/widget.js", WIDGET),
    Page("/embed/v1/northwind/{kettle}/reviews.json", WIDGET),
    Page("/embed/v1/northwind/{kettle}/frame", WIDGET),
    # Search (issue 14): public pages, whatever the reader may see in them.
    Page("/search", PUBLIC),
    Page("/b/northwind/search", PUBLIC),
    Page("/b/northwind/search/suggest", COUNTER),
    # Without a topic to go to, the counted redirect has nowhere to send her.
    Page("/b/northwind/search/suggest/open", COUNTER, signed_in=404),
    Page("/login", DOOR, signed_in=302),
    Page("/register", DOOR, signed_in=302),
    Page("/password/reset", DOOR),
    Page("/password/reset/{reset_token}", DOOR),
    Page("/verify/{verify_token}", DOOR),
    Page("/unsubscribe/{unsubscribe_token}", DOOR),
    Page("/settings/profile", MEMBERS),
    Page("/settings/notifications", MEMBERS),
    Page("/settings/privacy", MEMBERS),
    Page("/welcome/contact", MEMBERS),
    Page("/notifications", MEMBERS),
    Page("/b/northwind/c/discussion/new", MEMBERS),
    Page("/p/{own_post}/edit", MEMBERS),
    Page("/flag/post/{post}", MEMBERS),
    Page("/b/northwind/p/{toaster}/review", MEMBERS),
    Page("/mod/appeal/{action}", MEMBERS),
    Page("/b/northwind/edit", MEMBERS, "staff"),
    Page("/b/northwind/news", MEMBERS, "staff"),
    Page("/b/northwind/products", MEMBERS, "staff"),
    Page("/b/northwind/products/new", MEMBERS, "staff"),
    Page(P + "/edit", MEMBERS, "staff"),
    Page(P + "/embed", MEMBERS, "staff"),
    Page("/b/northwind/reviews/unanswered", MEMBERS, "staff"),
    Page("/b/northwind/staff", MEMBERS, "staff"),
    Page("/b/northwind/staff/queue.csv", MEMBERS, "staff"),
    Page("/b/northwind/reviews/pending", MEMBERS, "moderator"),
    Page("/mod", MEMBERS, "moderator"),
    Page("/mod/log", MEMBERS, "moderator"),
    Page("/mod/members/other_member", MEMBERS, "admin"),
    Page("/b/northwind/categories", MEMBERS, "admin"),
    Page("/b/northwind/c/discussion/edit", MEMBERS, "admin"),
    Page("/admin", MEMBERS, "admin"),
    # the admin console's site pages (issue 13, part B)
    Page("/admin/log", MEMBERS, "admin"),
    Page("/admin/outbox", MEMBERS, "admin"),
    Page("/admin/settings", MEMBERS, "admin"),
    Page("/admin/invitations", MEMBERS, "admin"),
    # the admin console's brands and members (issue 13, part A)
    Page("/admin/brands", MEMBERS, "admin"),
    Page("/admin/brands/new", MEMBERS, "admin"),
    Page("/admin/brands/northwind", MEMBERS, "admin"),
    Page("/admin/members", MEMBERS, "admin"),
    Page("/admin/members/new", MEMBERS, "admin"),
    Page("/admin/members/{member_id}", MEMBERS, "admin"),
    # the brand owner's tools (issue 13, points 3-5)
    Page("/b/northwind/team", MEMBERS, "owner"),
    Page("/b/northwind/news/{news}", MEMBERS, "staff"),
    Page("/b/northwind/news/{news}/edit", MEMBERS, "staff"),
    Page("/b/northwind/news/{news}/email", MEMBERS, "staff"),
    Page("/invitations/{invitation_token}", DOOR),
]


@pytest.fixture(scope="module")
def app(make_app):
    """The application as production runs it: production mode, CSRF checked, Secure cookies."""
    return make_app(**PRODUCTION)


@pytest.fixture
def world(app, shop) -> World:
    return World(app, shop)


def _csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _sign_in(client, person) -> str:
    """Log in through the real form, as production would; the session's CSRF token."""
    token = _csrf_token(client)
    response = client.post(
        "/login",
        data={"login": person.username, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    # Read the welcome message, so the page under test sets no cookie of its own accord.
    client.get(response.headers["Location"])
    return token


def _assert_baseline(response, url: str) -> None:
    """What every answer carries, whatever it is and whoever asked."""
    headers = response.headers
    policy = dict(
        part.strip().partition(" ")[::2] for part in headers["Content-Security-Policy"].split(";")
    )
    sources = " ".join(policy.values()).split()
    assert "http:" not in sources, url
    assert "upgrade-insecure-requests" in policy, url
    if url.endswith("/email") and response.status_code == 200:
        # The news preview's frame: an email as mail programs show it, inline styles and
        # all, in a sandboxed document of its own that loads and runs nothing.
        assert policy["default-src"] == "'none'" and "sandbox" in policy, url
        assert "script-src" not in policy, url
    else:
        assert "unsafe-inline" not in headers["Content-Security-Policy"], url
    assert headers["X-Content-Type-Options"] == "nosniff", url
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
    features = dict(
        entry.strip().split("=", 1) for entry in headers["Permissions-Policy"].split(",")
    )
    assert set(POWERFUL) <= features.keys(), url
    assert set(features.values()) == {"()"}, url  # each listed feature allowed to no one
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert headers["Strict-Transport-Security"] == HSTS, url
    if "Set-Cookie" in headers:  # a cached cookie would be everyone's
        assert headers["Cache-Control"] == PRIVATE, url


def _cache_control(response) -> str:
    return response.headers.get("Cache-Control", "")


class _AnyId(dict):  # type: ignore[type-arg]
    """Stand-in values for a row's placeholders: an id, or a product's slug."""

    def __missing__(self, key: str) -> str:
        return "1" if key not in ("kettle", "toaster") else key


def test_every_get_route_has_a_page_row(app):
    adapter = app.url_map.bind("localhost")
    covered = set()
    for page in PAGES:
        url = page.url.format_map(_AnyId())
        rule, _ = adapter.match(url, method="GET", return_rule=True)
        covered.add(rule.rule)
    routes = {rule.rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    missing = routes - covered
    assert not missing, f"GET routes without a row in PAGES: {sorted(missing)}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.url)
def test_a_visitor_gets_the_headers_of_the_page_s_kind(app, world, page):
    url = world.fill(page.url)
    client = app.test_client()  # a first visit: no cookie yet

    with client.get(url) as response:  # closes the static file it streams
        pass

    _assert_baseline(response, url)
    if page.kind == COUNTER:
        # Every request must reach the server to be counted, and counting starts no session.
        assert response.status_code == page.signed_in, url
        assert "no-store" in _cache_control(response) or response.status_code == 404, url
        assert "Set-Cookie" not in response.headers, url
        return
    if page.kind == MEMBERS:
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url
        assert _cache_control(response) == PRIVATE, url
        return
    assert response.status_code == 200, url
    if page.kind == DOOR:
        assert _cache_control(response) == PRIVATE, url
        return
    assert "Set-Cookie" not in response.headers, url
    assert "no-store" not in _cache_control(response), url
    assert "private" not in _cache_control(response), url
    if page.kind == PUBLIC:
        # A member's copy of the same URL differs: caches must key on the cookie.
        assert "Cookie" in response.vary, url
    if page.kind == WIDGET:
        assert _cache_control(response).startswith("public"), url
        assert "Cookie" not in response.vary, url
        assert response.headers["Access-Control-Allow-Origin"] == "*", url


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.url)
def test_the_member_a_page_is_for_gets_it_private(app, shop, world, page):
    url = world.fill(page.url)
    client = app.test_client()
    _sign_in(client, shop.person(page.reader))

    with client.get(url) as response:  # closes the static file it streams
        pass

    _assert_baseline(response, url)
    assert response.status_code == page.signed_in, url
    if page.kind == WIDGET:  # the same for everyone, signed in or not
        assert _cache_control(response).startswith("public"), url
        assert "Set-Cookie" not in response.headers, url
    elif page.kind == ASSET:
        assert "no-store" not in _cache_control(response), url
    elif page.kind == COUNTER:
        assert "no-store" in _cache_control(response) or response.status_code == 404, url
    else:
        assert _cache_control(response) == PRIVATE, url


@pytest.mark.parametrize("who", ["anonymous", "member"])
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_every_answer_to_a_post_is_private(app, shop, world, route, who):
    url = world.fill(route.url)
    data = {key: world.fill(value) for key, value in route.data.items()}
    client = app.test_client()
    token = _sign_in(client, shop.member) if who == "member" else _csrf_token(client)

    response = client.post(url, data={**data, "csrf_token": token})

    _assert_baseline(response, url)
    assert CSRF_REFUSED not in response.get_data(), url  # the route's own answer, not CSRF's
    assert _cache_control(response) == PRIVATE, url


def test_post_rows_cover_every_mutating_route(app):
    routes = {rule.rule for rule in app.url_map.iter_rules() if MUTATING & set(rule.methods or ())}
    adapter = app.url_map.bind("localhost")
    covered = {
        adapter.match(route.url.format_map(_AnyId()), method="POST", return_rule=True)[0].rule
        for route in ROUTES
    }
    assert routes == covered


def test_a_replayed_widget_answer_carries_the_same_headers(app, shop, world):
    url = world.fill("/embed/v1/northwind/{kettle}/frame")
    client = app.test_client()
    first = client.get(url)

    with requests_flask_handled(app) as handled:
        second = client.get(url)

    assert handled == []  # answered by the replay layer, not by Flask
    _assert_baseline(second, url)
    assert list(second.headers) == list(first.headers)


def test_hsts_is_sent_behind_a_proxy_that_says_https(make_app):
    app = make_app(**PRODUCTION, TRUSTED_PROXY_HOPS=1)

    response = app.test_client().get(
        "/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )

    assert response.headers["Strict-Transport-Security"] == HSTS


def test_development_never_sends_hsts_even_over_https(make_app):
    app = make_app(SECRET_KEY="development-key")

    response = app.test_client().get("/", base_url="https://localhost")

    assert "Strict-Transport-Security" not in response.headers


def test_a_visitor_reading_a_topic_gets_no_cookie_and_can_still_sign_in(app, shop, world):
    client = app.test_client()
    topic = client.get(world.fill("/t/{topic}"))
    assert "Set-Cookie" not in topic.headers

    login_page = client.get("/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page.get_data(as_text=True))
    response = client.post(
        "/login",
        data={"login": "member", "password": factories.PASSWORD, "csrf_token": token.group(1)},
    )

    assert "session=" in login_page.headers["Set-Cookie"]
    assert response.status_code == 302
    assert client.get("/settings/profile").status_code == 200
