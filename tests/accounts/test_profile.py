"""Profiles and settings: what others see, and what only she may change."""

from __future__ import annotations

import pytest

from fanhub.accounts import services
from fanhub.errors import Forbidden
from fanhub.permissions import SYSTEM
from tests.factories import PASSWORD, login, reload_user


def test_a_profile_shows_name_bio_and_join_date(app, client, make_user, now):
    user = make_user("profilefan", display_name="Profile Fan")
    with app.app_context():
        services.update_profile(
            SYSTEM,
            services.access_profile("profilefan"),
            services.ProfileDraft("Profile Fan", "I drink <b>coffee</b>."),
            now=now,
        )
    page = client.get("/u/profilefan").get_data(as_text=True)
    assert "Profile Fan" in page
    assert "I drink &lt;b&gt;coffee&lt;/b&gt;." in page
    assert user.created_at.strftime("%Y") in page


def test_an_unknown_profile_is_not_found(client):
    assert client.get("/u/nobody-here").status_code == 404


def test_settings_need_a_login(client):
    response = client.get("/settings/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_member_edits_her_display_name_and_bio(app, client, make_user):
    user = make_user("profilefan")
    login(client, "profilefan")
    response = client.post(
        "/settings/profile", data={"display_name": "  Pro   Fan ", "bio": "Hello there."}
    )
    assert response.status_code == 302
    saved = reload_user(app, user.id)
    assert (saved.display_name, saved.bio) == ("Pro Fan", "Hello there.")


def test_an_overlong_bio_is_refused_at_the_field(app, client, make_user):
    user = make_user("profilefan")
    login(client, "profilefan")
    response = client.post("/settings/profile", data={"display_name": "", "bio": "x" * 2001})
    assert response.status_code == 400
    assert "Field cannot be longer than 2000 characters." in response.get_data(as_text=True)
    assert reload_user(app, user.id).bio == ""


def test_no_member_may_edit_another_members_profile(app, make_user, now):
    make_user("profilefan")
    other = make_user("otherfan")
    with app.app_context():
        target = services.access_profile("profilefan")
        actor = services.access_profile(other.username)
        with pytest.raises(Forbidden):
            services.update_profile(actor, target, services.ProfileDraft("Hacked", ""), now=now)


def test_changing_the_password_needs_the_current_one(app, client, make_user):
    user = make_user("profilefan")
    login(client, "profilefan")
    response = client.post(
        "/settings/password",
        data={"current_password": "not-my-password", "new_password": "another-fine-secret-1"},
    )
    assert response.status_code == 400
    assert "That is not your current password." in response.get_data(as_text=True)
    assert reload_user(app, user.id).password_hash == user.password_hash


def test_changing_the_password_keeps_her_in_and_signs_out_other_devices(app, client, make_user):
    make_user("profilefan")
    login(client, "profilefan")
    elsewhere = app.test_client()
    login(elsewhere, "profilefan")
    response = client.post(
        "/settings/password",
        data={"current_password": PASSWORD, "new_password": "another-fine-secret-1"},
    )
    assert response.status_code == 302
    assert "signed-in-as" in client.get("/").get_data(as_text=True)
    assert "signed-in-as" not in elsewhere.get("/").get_data(as_text=True)
    assert login(app.test_client(), "profilefan", "another-fine-secret-1").status_code == 302
