"""Asked, not assumed: right after registering she says how she wants to hear from us,
or skips and keeps the defaults (issue 6)."""

from __future__ import annotations

import re

from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.notifications.models import (
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    Frequency,
    MessageKind,
)
from tests.factories import login

STEP = "/welcome/contact"
NEW_FAN = {"username": "newfan", "email": "newfan@example.com", "password": "a-long-passphrase-42"}


def register(client, next_url: str | None = None):
    url = "/register" if next_url is None else f"/register?next={next_url}"
    return client.post(url, data=NEW_FAN)


def newfan(app) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newfan"))
        assert user is not None
        return user


def stored(app, user_id: int):
    with app.app_context():
        return dict(
            ((kind, channel), frequency)
            for kind, channel, frequency in db.session.execute(
                select(
                    ContactPreference.kind, ContactPreference.channel, ContactPreference.frequency
                ).where(ContactPreference.user_id == user_id)
            )
        )


def consents(app, user_id: int):
    with app.app_context():
        return [
            (event.kind, event.channel, event.granted, event.source)
            for event in db.session.scalars(
                select(ConsentEvent).where(ConsentEvent.user_id == user_id)
            )
        ]


def test_registering_leads_to_the_contact_step(client):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{STEP}?next=/"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "How would you like to hear from us?" in page
    assert "Welcome to fanhub, newfan!" in page


def test_the_step_starts_from_the_defaults_with_offers_off(client):
    register(client)
    page = client.get(f"{STEP}?next=/").get_data(as_text=True)
    assert re.search(r'<option selected value="instant">', page)
    assert re.search(r'<input checked[^>]*value="no"', page)
    assert not re.search(r'<input checked[^>]*value="yes"', page)


def test_saving_her_answers_stores_them_and_records_her_yes_to_offers(app, client):
    register(client, "/b/northwind")
    response = client.post(
        f"{STEP}?next=/b/northwind", data={"conversation_email": "daily", "offers_email": "yes"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/b/northwind"
    user_id = newfan(app).id
    assert stored(app, user_id) == {
        (MessageKind.REPLIES, Channel.EMAIL): Frequency.DAILY,
        (MessageKind.MENTIONS, Channel.EMAIL): Frequency.DAILY,
        (MessageKind.OFFICIAL, Channel.EMAIL): Frequency.DAILY,
        (MessageKind.OFFERS, Channel.EMAIL): Frequency.INSTANT,
    }
    assert consents(app, user_id) == [
        (MessageKind.OFFERS, Channel.EMAIL, True, ConsentSource.SIGNUP_STEP)
    ]


def test_saying_no_to_offers_records_no_consent_event(app, client):
    register(client)
    client.post(f"{STEP}?next=/", data={"conversation_email": "weekly", "offers_email": "no"})
    user_id = newfan(app).id
    assert (MessageKind.OFFERS, Channel.EMAIL) not in stored(app, user_id)
    assert consents(app, user_id) == []


def test_skipping_keeps_the_defaults_and_writes_nothing(app, client):
    register(client, "/b/northwind")
    page = client.get(f"{STEP}?next=/b/northwind").get_data(as_text=True)
    skip = re.search(r'<a[^>]*href="([^"]+)"[^>]*data-testid="welcome-skip"', page)
    assert skip and skip.group(1) == "/b/northwind"
    user_id = newfan(app).id
    assert stored(app, user_id) == {}
    assert consents(app, user_id) == []


def test_a_next_address_off_the_site_is_ignored(client, make_user):
    make_user("ana")
    login(client, "ana")
    response = client.post(
        f"{STEP}?next=//evil.example/", data={"conversation_email": "instant", "offers_email": "no"}
    )
    assert response.headers["Location"] == "/"


def test_an_unknown_answer_is_refused_and_nothing_is_saved(app, client, make_user):
    ana = make_user("ana")
    login(client, "ana")
    response = client.post(STEP, data={"conversation_email": "hourly", "offers_email": "yes"})
    assert response.status_code == 400
    assert "is not a choice" in response.get_data(as_text=True)
    assert stored(app, ana.id) == {}
    assert consents(app, ana.id) == []


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(STEP)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
