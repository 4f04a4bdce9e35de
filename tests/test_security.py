"""The security baseline: headers, CSRF on every POST, size limits, and errors that leak nothing."""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from fanhub.errors import Conflict


def _post_urls(app):
    """Every URL that accepts POST, with placeholder arguments filled in."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        values = {}
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            elif isinstance(converter, IntegerConverter):
                values[name] = 1
            else:
                values[name] = "x"
        urls.append(adapter.build(rule.endpoint, values))
    return sorted(urls)


@pytest.mark.parametrize(
    "path", ["/", "/login", "/no-such-page", "/healthz", "/static/css/fanhub.css"]
)
def test_every_response_carries_the_security_headers(client, path):
    with client.get(path) as response:  # closes the static file it streams
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


# The one deliberate exception: RFC 8058 one-click unsubscribe. A mail client POSTs
# "List-Unsubscribe=One-Click" with no cookies and no CSRF token, so the signed, expiring
# token in the URL is the proof instead; a forged POST could only do what the link's owner
# asked for anyway (tests/notifications/test_unsubscribe.py checks it refuses bad tokens).
CSRF_EXEMPT = {"/unsubscribe/x"}


def test_every_post_url_refuses_a_request_without_a_csrf_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    urls = _post_urls(app)
    assert {"/login", "/register", "/logout", "/settings/profile"} <= set(urls)
    assert set(urls) >= CSRF_EXEMPT
    for url in sorted(set(urls) - CSRF_EXEMPT):
        response = client.post(url, data={"login": "x", "password": "y"})
        assert response.status_code == 400, url
        assert "Please go back, reload and retry." in response.get_data(as_text=True), url


def test_the_csrf_exempt_url_still_refuses_a_post_without_a_valid_link(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for url in CSRF_EXEMPT:
        response = client.post(url, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400, url
        assert "This link is not valid" in response.get_data(as_text=True), url


def test_every_form_page_renders_a_csrf_token(app, client, monkeypatch, make_user):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for path in ("/login", "/register", "/password/reset"):
        assert 'name="csrf_token"' in client.get(path).get_data(as_text=True), path


def test_a_post_with_a_valid_token_goes_through(app, client, monkeypatch, make_user):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    make_user("tokenfan")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        data={"login": "tokenfan", "password": "correct-horse-battery-staple", "csrf_token": token},
    )
    assert response.status_code == 302


def test_bodies_over_one_megabyte_are_refused_with_413(client):
    response = client.post("/register", data={"username": "x" * (1024 * 1024 + 1)})
    assert response.status_code == 413
    assert "The limit is 1 MB" in response.get_data(as_text=True)


def test_clients_that_ask_for_json_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"] == "not_found"
    assert "couldn't find" in response.get_json()["message"]


def test_browsers_get_an_html_error_page(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Page not found" in response.get_data(as_text=True)


def test_a_wrong_method_is_405_with_allow(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]


@pytest.fixture
def crashing_app(make_app):
    app = make_app()

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    @app.route("/conflict")
    def conflict():
        raise Conflict("That clashes with your other thing.")

    return app


def test_a_crash_is_a_plain_apology_without_internals(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Sorry, something broke on our side" in text
    assert "hunter2" not in text
    assert "Traceback" not in text
    assert "Reference:" in text


def test_domain_errors_answer_with_their_status_and_message(crashing_app):
    response = crashing_app.test_client().get("/conflict", headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "conflict",
        "message": "That clashes with your other thing.",
    }
