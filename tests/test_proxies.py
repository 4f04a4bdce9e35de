"""Trusted proxies are a setting: behind TRUSTED_PROXY_HOPS proxies the login limit keys on
each visitor's own address; with none trusted, a forged X-Forwarded-For changes nothing
(issue 11)."""

from __future__ import annotations

import pytest

from fanhub.extensions import limiter

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches fanhub from the proxy


@pytest.fixture(scope="module")
def behind_a_proxy(make_app):
    """An app behind one proxy that appends the client's address to X-Forwarded-For."""
    return make_app(TRUSTED_PROXY_HOPS=1, RATELIMIT_LOGIN="2 per minute")


def _guess(app, forwarded_for: str) -> int:
    response = app.test_client().post(
        "/login",
        data={"login": "nobody", "password": "wrong"},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base=PROXY,
    )
    return response.status_code


def test_behind_a_trusted_proxy_each_visitor_has_her_own_login_limit(behind_a_proxy):
    limiter.reset()
    first = [_guess(behind_a_proxy, "198.51.100.7") for _ in range(3)]
    other = _guess(behind_a_proxy, "198.51.100.8")

    assert first == [400, 400, 429]
    assert other == 400


def test_a_visitor_cannot_name_her_own_address_past_the_trusted_proxy(behind_a_proxy):
    limiter.reset()
    # She sends a made-up X-Forwarded-For; the proxy appends what it saw, which wins.
    statuses = [_guess(behind_a_proxy, f"203.0.113.{n}, 198.51.100.9") for n in range(3)]

    assert statuses == [400, 400, 429]


def test_with_no_trusted_proxy_a_forged_header_changes_nothing(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "2 per minute")
    statuses = [_guess(app, f"203.0.113.{n}") for n in range(3)]

    assert statuses == [400, 400, 429]
