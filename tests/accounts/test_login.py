"""Logging in and out: by username or email, remember me, and saying nothing about who exists."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, login


@pytest.mark.parametrize(
    "identifier", ["loginfan", "LoginFan", "loginfan@example.com", "LOGINFAN@EXAMPLE.COM"]
)
def test_a_member_logs_in_by_username_or_email_in_any_case(client, make_user, identifier):
    make_user("loginfan")
    response = login(client, identifier)
    assert response.status_code == 302
    assert 'data-testid="signed-in-as">loginfan<' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("identifier", "password"),
    [("loginfan", "wrong-password-here"), ("nobody", PASSWORD), ("nobody@example.com", PASSWORD)],
)
def test_failed_logins_say_the_same_thing_whichever_part_was_wrong(
    client, make_user, identifier, password
):
    make_user("loginfan")
    response = login(client, identifier, password)
    assert response.status_code == 400
    assert "Invalid login or password." in response.get_data(as_text=True)
    assert "signed-in-as" not in response.get_data(as_text=True)


def test_an_empty_login_form_is_answered_at_the_fields(client):
    response = client.post("/login", data={"login": "", "password": ""})
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("This field is required.") == 2


def test_login_returns_to_the_page_she_came_from(client, make_user):
    make_user("loginfan")
    response = client.post(
        "/login?next=/settings/profile", data={"login": "loginfan", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/settings/profile"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        " //evil.example",
    ],
)
def test_next_never_leaves_the_site(client, make_user, target):
    make_user("loginfan")
    response = client.post(
        "/login", query_string={"next": target}, data={"login": "loginfan", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_is_a_post_and_ends_the_session(client, make_user):
    make_user("loginfan")
    login(client, "loginfan")
    assert client.get("/logout").status_code == 405
    assert "signed-in-as" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    assert "signed-in-as" not in client.get("/").get_data(as_text=True)


def test_remember_me_sets_a_lasting_httponly_cookie(client, make_user):
    make_user("loginfan")
    response = login(client, "loginfan", remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember, cookies
    assert "HttpOnly" in remember[0]
    assert "Expires=" in remember[0]


def test_without_remember_me_no_lasting_cookie_is_set(client, make_user):
    make_user("loginfan")
    response = login(client, "loginfan")
    assert not [c for c in response.headers.getlist("Set-Cookie") if "remember_token=" in c]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    make_user("loginfan")
    cookie = next(
        c
        for c in login(client, "loginfan").headers.getlist("Set-Cookie")
        if c.startswith("session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_a_remembered_member_is_recognised_after_the_session_ends(app, make_user):
    make_user("loginfan")
    first = app.test_client()
    login(first, "loginfan", remember="y")
    remember = first.get_cookie("remember_token")
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert 'data-testid="signed-in-as">loginfan<' in fresh.get("/").get_data(as_text=True)


def test_login_is_rate_limited_with_a_readable_page(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_LOGIN", "3 per minute")
    make_user("loginfan")
    statuses = [login(client, "loginfan", "wrong-password-here").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    page = login(client, "loginfan").get_data(as_text=True)
    assert "Too many attempts" in page
