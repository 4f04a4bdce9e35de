"""Unsubscribe links: GET shows, POST stops one kind of email, RFC 8058 one-click works
without cookies or a CSRF token, and a bad, old or used link changes nothing (issue 6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from fanhub.accounts.models import User, UserStatus
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.notifications.models import (
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    Frequency,
    MessageKind,
)
from fanhub.notifications.preferences import set_preferences, unsubscribe_token
from fanhub.tokens import serializer

CENTRE = "/settings/notifications"


def link(app, person, kind: MessageKind = MessageKind.REPLIES, *, now=None) -> str:
    with app.app_context():
        return f"/unsubscribe/{unsubscribe_token(person.id, kind, now=now or utcnow())}"


def everything(app, person):
    """Her stored choices and consent record: what an unsubscribe may change."""
    with app.app_context():
        choices = sorted(
            db.session.execute(
                select(
                    ContactPreference.kind, ContactPreference.channel, ContactPreference.frequency
                ).where(ContactPreference.user_id == person.id)
            ).all()
        )
        events = [
            (event.kind, event.channel, event.granted, event.source)
            for event in db.session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.user_id == person.id)
                .order_by(ConsentEvent.id)
            )
        ]
        return choices, events


def opt_in_to_offers(app, person) -> None:
    with app.app_context():
        member = db.session.get(User, person.id)
        set_preferences(
            member,
            member,
            {("offers", "email"): "weekly"},
            ConsentSource.PREFERENCE_CENTRE,
            now=utcnow(),
        )


@pytest.fixture
def ana(make_user):
    return make_user("ana", email="jane.ana@example.com")


def test_the_link_shows_whose_emails_and_what_stops_and_changes_nothing(app, client, ana):
    before = everything(app, ana)
    response = client.get(link(app, ana, MessageKind.NEW_TOPICS))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You will no longer get emails about new topics at j***@example.com" in page
    assert "jane.ana@" not in page
    assert ">Unsubscribe</button>" in page
    assert f'href="{CENTRE}"' in page
    assert everything(app, ana) == before


def test_posting_stops_exactly_that_kind_of_email(app, client, ana):
    response = client.post(link(app, ana, MessageKind.NEW_TOPICS))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    choices, events = everything(app, ana)
    assert choices == [(MessageKind.NEW_TOPICS, Channel.EMAIL, Frequency.NEVER)]
    assert events == []  # not a marketing choice: no consent to record


def test_unsubscribing_from_offers_is_recorded_as_consent_withdrawn(app, client, ana):
    opt_in_to_offers(app, ana)
    client.post(link(app, ana, MessageKind.OFFERS))
    choices, events = everything(app, ana)
    assert choices == [(MessageKind.OFFERS, Channel.EMAIL, Frequency.NEVER)]
    assert events == [
        (MessageKind.OFFERS, Channel.EMAIL, True, ConsentSource.PREFERENCE_CENTRE),
        (MessageKind.OFFERS, Channel.EMAIL, False, ConsentSource.UNSUBSCRIBE_LINK),
    ]


def test_one_click_from_a_mail_client_works_without_cookies_or_csrf_token(app, ana, monkeypatch):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, with nothing else."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    opt_in_to_offers(app, ana)
    mail_client = app.test_client(use_cookies=False)
    response = mail_client.post(
        link(app, ana, MessageKind.OFFERS),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    choices, events = everything(app, ana)
    assert choices == [(MessageKind.OFFERS, Channel.EMAIL, Frequency.NEVER)]
    assert events[-1] == (MessageKind.OFFERS, Channel.EMAIL, False, ConsentSource.UNSUBSCRIBE_LINK)


def test_a_used_link_says_she_is_already_unsubscribed_and_writes_nothing(app, client, ana):
    opt_in_to_offers(app, ana)
    url = link(app, ana, MessageKind.OFFERS)
    client.post(url)
    after_first = everything(app, ana)
    again = client.post(url)
    assert again.status_code == 200
    assert "was already unsubscribed from emails about product news and offers" in (
        again.get_data(as_text=True)
    )
    assert everything(app, ana) == after_first
    assert "already unsubscribed" in client.get(url).get_data(as_text=True)


def test_a_link_for_emails_she_never_gets_writes_nothing(app, client, ana):
    # Offers are off until she opts in: there is nothing to stop and nothing to record.
    response = client.post(link(app, ana, MessageKind.OFFERS))
    assert "already unsubscribed" in response.get_data(as_text=True)
    assert everything(app, ana) == ([], [])


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused_and_changes_nothing(app, client, ana, method):
    url = link(app, ana)
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    response = getattr(client, method)(tampered)
    assert response.status_code == 400
    assert "This link is not valid" in response.get_data(as_text=True)
    assert everything(app, ana) == ([], [])


def test_another_site_s_or_another_purpose_s_token_is_refused(app, client, ana, now):
    with app.app_context():
        reset_like = serializer("fanhub.password-reset", now=now).dumps(
            {"u": ana.id, "k": "replies"}
        )
    response = client.post(f"/unsubscribe/{reset_like}")
    assert response.status_code == 400
    assert everything(app, ana) == ([], [])


def test_an_expired_link_is_refused_and_changes_nothing(app, client, ana, now):
    max_age = timedelta(seconds=app.config["UNSUBSCRIBE_TOKEN_MAX_AGE"])
    # Signed a day longer ago than a link lives.
    url = link(app, ana, now=now - max_age - timedelta(days=1))
    response = client.post(url)
    assert response.status_code == 400
    assert "This link has expired" in response.get_data(as_text=True)
    assert everything(app, ana) == ([], [])


def test_a_deleted_member_s_link_is_not_found_and_changes_nothing(app, client, ana):
    url = link(app, ana)
    with app.app_context(), transaction():
        db.session.get(User, ana.id).status = UserStatus.DELETED
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 404
        assert "no longer exists" in response.get_data(as_text=True)
    assert everything(app, ana) == ([], [])
