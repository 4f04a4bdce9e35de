"""Registering: the rules on names, emails and passwords, and what a new member gets."""

from __future__ import annotations

import pytest

from fanhub.accounts.models import User
from fanhub.extensions import db
from tests.factories import PASSWORD, sent_emails


def _register(client, username="newfan", email="newfan@example.com", password=PASSWORD):
    return client.post(
        "/register", data={"username": username, "email": email, "password": password}
    )


def test_registering_logs_the_new_member_in_and_shows_her_name(client):
    response = _register(client)
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="signed-in-as">newfan<' in page


def test_registering_queues_an_email_to_confirm_the_address(app, client):
    _register(client)
    [email] = sent_emails(app, "verify_email")
    assert email.to_address == "newfan@example.com"
    assert "http://localhost/verify/" in email.body_text


def test_username_is_stored_lower_case(app, client):
    _register(client, username="NewFan")
    with app.app_context():
        assert db.session.scalars(db.select(User.username)).all() == ["newfan"]


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("ab", "3–30 characters"),
        ("a" * 31, "3–30 characters"),
        ("has space", "3–30 characters"),
        ("émile", "3–30 characters"),
        ("dot.name", "3–30 characters"),
        ("", "This field is required."),
    ],
)
def test_bad_usernames_are_refused_at_the_field(client, username, message):
    response = _register(client, username=username)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-one", "at least 10 characters"),
        ("password123", "less common password"),
        ("qwertyuiop", "less common password"),
        ("1234567890", "less common password"),
        ("newfan12345", "less common password"),
        ("aaaaaaaaaa", "less common password"),
        ("x" * 201, "Field cannot be longer than 200 characters."),
    ],
)
def test_weak_or_common_passwords_are_refused(client, password, message):
    response = _register(client, password=password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@example.com", "two@@example.com"])
def test_invalid_emails_are_refused(client, email):
    response = _register(client, email=email)
    assert response.status_code == 400
    assert "Enter a valid email address." in response.get_data(as_text=True)


def test_a_username_taken_in_another_case_is_refused(client, make_user):
    make_user("takenname")
    response = _register(client, username="TakenName")
    assert response.status_code == 409
    assert "That username is taken" in response.get_data(as_text=True)


def test_an_email_taken_after_normalising_is_refused(client, make_user):
    make_user("first", email="fan@example.com")
    response = _register(client, email="  FAN@Example.COM ")
    assert response.status_code == 409
    assert "An account with this email already exists" in response.get_data(as_text=True)


def test_a_refused_registration_creates_nothing(app, client):
    _register(client, password="short")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
    assert sent_emails(app) == []


def test_the_form_keeps_what_she_typed_except_the_password(client):
    page = _register(client, username="keepme", password="short").get_data(as_text=True)
    assert 'value="keepme"' in page
    assert "short" not in page.split('name="password"')[1].split(">")[0]


def test_a_logged_in_member_is_sent_away_from_the_register_page(client, make_user):
    make_user("already")
    client.post("/login", data={"login": "already", "password": PASSWORD})
    assert client.get("/register").status_code == 302


def test_registration_is_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_REGISTER", "2 per minute")
    statuses = [_register(client, password="short").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_every_problem_is_shown_at_once(client):
    response = client.post(
        "/register", data={"username": "x", "email": "not-an-email", "password": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "3–30 characters" in page
    assert "Enter a valid email address." in page
    assert "This field is required." in page
