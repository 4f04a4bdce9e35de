"""Password reset by a signed, expiring, single-use link sent through the outbox."""

from __future__ import annotations

from itsdangerous import URLSafeTimedSerializer

from fanhub.accounts.services import RESET_SALT
from tests.factories import PASSWORD, link_in, login, reload_user, sent_emails

NEW_PASSWORD = "a-brand-new-secret-77"


def _reset_link(app, client, email="resetfan@example.com"):
    client.post("/password/reset", data={"email": email})
    return link_in(sent_emails(app, "password_reset")[-1])


def test_asking_for_a_reset_emails_a_link_to_the_member(app, client, make_user):
    make_user("resetfan")
    response = client.post("/password/reset", data={"email": "ResetFan@Example.com"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    [email] = sent_emails(app, "password_reset")
    assert email.to_address == "resetfan@example.com"
    assert link_in(email).startswith("/password/reset/")


def test_an_unknown_address_gets_the_same_answer_and_no_email(app, client):
    response = client.post("/password/reset", data={"email": "stranger@example.com"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    assert sent_emails(app, "password_reset") == []


def test_the_link_sets_a_new_password_that_logs_in(app, client, make_user):
    make_user("resetfan")
    link = _reset_link(app, client)
    assert "Choose a new password" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.headers["Location"] == "/login"
    assert login(client, "resetfan", PASSWORD).status_code == 400
    assert login(client, "resetfan", NEW_PASSWORD).status_code == 302


def test_a_used_link_shows_a_clear_page_and_changes_nothing(app, client, make_user):
    user = make_user("resetfan")
    link = _reset_link(app, client)
    client.post(link, data={"password": NEW_PASSWORD})
    changed = reload_user(app, user.id).password_hash
    response = client.post(link, data={"password": "yet-another-secret-99"})
    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)
    assert reload_user(app, user.id).password_hash == changed


def test_a_tampered_link_shows_a_clear_page(app, client, make_user):
    make_user("resetfan")
    link = _reset_link(app, client)
    response = client.get(link[:-3] + "abc")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(
    app, client, make_user, monkeypatch
):
    user = make_user("resetfan")
    link = _reset_link(app, client)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.post(link, data={"password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert reload_user(app, user.id).password_hash == user.password_hash


def test_a_link_signed_with_another_key_is_refused(client, make_user):
    user = make_user("resetfan")
    forged = URLSafeTimedSerializer("someone-elses-key", salt=RESET_SALT).dumps(
        {"u": user.id, "p": user.session_fingerprint}
    )
    assert client.get(f"/password/reset/{forged}").status_code == 400


def test_a_weak_new_password_is_refused_at_the_field(app, client, make_user):
    user = make_user("resetfan")
    link = _reset_link(app, client)
    response = client.post(link, data={"password": "password123"})
    assert response.status_code == 400
    assert "less common password" in response.get_data(as_text=True)
    assert reload_user(app, user.id).password_hash == user.password_hash


def test_a_reset_signs_out_sessions_opened_with_the_old_password(app, client, make_user):
    make_user("resetfan")
    elsewhere = app.test_client()
    login(elsewhere, "resetfan")
    link = _reset_link(app, client)
    client.post(link, data={"password": NEW_PASSWORD})
    assert "signed-in-as" not in elsewhere.get("/").get_data(as_text=True)


def test_reset_requests_are_rate_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_RESET", "2 per minute")
    statuses = [
        client.post("/password/reset", data={"email": "x@example.com"}).status_code
        for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
