"""Email confirmation by a signed, expiring, single-use link; GET never changes anything."""

from __future__ import annotations

from tests.factories import PASSWORD, link_in, login, reload_user, sent_emails


def _registered(client):
    client.post(
        "/register",
        data={"username": "verifyfan", "email": "verifyfan@example.com", "password": PASSWORD},
    )


def test_opening_the_link_only_shows_a_confirm_button(app, client):
    _registered(client)
    link = link_in(sent_emails(app, "verify_email")[0])
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirm my address" in page.get_data(as_text=True)
    assert "not confirmed" in client.get("/settings/profile").get_data(as_text=True)


def test_confirming_marks_the_address_verified(app, client):
    _registered(client)
    link = link_in(sent_emails(app, "verify_email")[0])
    assert client.post(link).status_code == 302
    assert "confirmed</span>" in client.get("/settings/profile").get_data(as_text=True)


def test_a_used_confirmation_link_says_so(app, client):
    _registered(client)
    link = link_in(sent_emails(app, "verify_email")[0])
    client.post(link)
    response = client.get(link)
    assert response.status_code == 409
    assert "already been used" in response.get_data(as_text=True)


def test_a_tampered_confirmation_link_changes_nothing(app, client, make_user):
    user = make_user("verifyfan2", verified=False)
    response = client.post("/verify/not-a-real-token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    assert reload_user(app, user.id).email_verified_at is None


def test_an_expired_confirmation_link_changes_nothing(app, client, monkeypatch):
    _registered(client)
    link = link_in(sent_emails(app, "verify_email")[0])
    monkeypatch.setitem(app.config, "EMAIL_TOKEN_MAX_AGE", -1)
    response = client.post(link)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


def test_a_member_can_ask_for_the_link_again(app, client, make_user):
    make_user("verifyfan3", verified=False)
    login(client, "verifyfan3")
    response = client.post("/verify/resend")
    assert response.status_code == 302
    first, again = sent_emails(app, "verify_email")
    assert again.to_address == "verifyfan3@example.com"
    assert link_in(again).startswith("/verify/")
    assert "sent a new link to verifyfan3@example.com" in client.get("/settings/profile").get_data(
        as_text=True
    )


def test_asking_again_after_confirming_sends_nothing(app, client, make_user):
    make_user("verifyfan4")
    login(client, "verifyfan4")
    client.post("/verify/resend")
    assert sent_emails(app, "verify_email") == []
