"""The preference centre: her choices per kind of message and channel, all or nothing,
with the consent record for product news and offers (issue 6)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import insert, select

from fanhub.accounts.models import User
from fanhub.db import transaction, utcnow
from fanhub.errors import Forbidden, Invalid
from fanhub.extensions import db
from fanhub.notifications import preferences
from fanhub.notifications.models import (
    Channel,
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    Frequency,
    MessageKind,
    Notification,
    NotificationKind,
)
from fanhub.notifications.preferences import DEFAULTS, field_name, set_preferences
from fanhub.permissions import SYSTEM
from tests import factories
from tests.factories import login

CENTRE = "/settings/notifications"


def full_form(**changes: str) -> dict[str, str]:
    """Every select of the preference centre at its default, with `changes` by field name."""
    data = {field_name(kind, channel): value.value for (kind, channel), value in DEFAULTS.items()}
    data.update(changes)
    return data


def selected(page: str, name: str) -> str:
    """The value selected in the page's <select name=…>."""
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select_html, name
    option = re.search(r'<option selected value="([^"]+)"', select_html.group(1))
    assert option, select_html.group(1)
    return option.group(1)


def stored(app, person) -> dict[tuple[MessageKind, Channel], Frequency]:
    with app.app_context():
        rows = db.session.execute(
            select(
                ContactPreference.kind, ContactPreference.channel, ContactPreference.frequency
            ).where(ContactPreference.user_id == person.id)
        )
        return {(kind, channel): frequency for kind, channel, frequency in rows}


def consents(app, person) -> list[tuple[Channel, bool, Frequency, ConsentSource]]:
    with app.app_context():
        return [
            (event.channel, event.granted, event.frequency, event.source)
            for event in db.session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.user_id == person.id)
                .order_by(ConsentEvent.id)
            )
        ]


def choose(app, person, choices, source=ConsentSource.PREFERENCE_CENTRE, *, actor=None, now=None):
    with app.app_context():
        member = db.session.get(User, person.id)
        by = member if actor is None else db.session.get(User, actor.id)
        return set_preferences(by, member, choices, source, now=now or utcnow())


def test_a_new_member_gets_the_defaults_and_nothing_is_stored(app, client, make_user):
    ana = make_user("ana")
    login(client, "ana")
    page = client.get(CENTRE).get_data(as_text=True)
    for (kind, channel), frequency in DEFAULTS.items():
        assert selected(page, field_name(kind, channel)) == frequency.value
    assert "Product news and offers from brands I follow" in page
    assert stored(app, ana) == {}


def test_the_centre_offers_no_digest_on_the_site(client, make_user):
    make_user("ana")
    login(client, "ana")
    page = client.get(CENTRE).get_data(as_text=True)
    onsite = re.search(r'name="replies__onsite"[^>]*>(.*?)</select>', page, re.S).group(1)
    email = re.search(r'name="replies__email"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert "daily" not in onsite and "weekly" not in onsite
    assert 'value="daily"' in email and 'value="weekly"' in email


def test_settings_link_to_the_preference_centre(client, make_user):
    make_user("ana")
    login(client, "ana")
    page = client.get("/settings/profile").get_data(as_text=True)
    assert f'href="{CENTRE}"' in page


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(CENTRE)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_saved_choices_are_shown_when_she_comes_back(app, client, make_user):
    ana = make_user("ana")
    login(client, "ana")
    response = client.post(
        CENTRE, data=full_form(replies__email="daily", new_topics__onsite="never")
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your choices are saved: Replies by email: daily digest; New topics on the site" in page
    assert selected(page, "replies__email") == "daily"
    assert selected(page, "new_topics__onsite") == "never"
    assert selected(page, "mentions__email") == "instant"
    # Only what she changed is stored: the rest follows the defaults, wherever they go.
    assert stored(app, ana) == {
        (MessageKind.REPLIES, Channel.EMAIL): Frequency.DAILY,
        (MessageKind.NEW_TOPICS, Channel.ONSITE): Frequency.NEVER,
    }


def test_saving_unchanged_choices_writes_nothing(app, client, make_user):
    ana = make_user("ana")
    login(client, "ana")
    response = client.post(CENTRE, data=full_form(), follow_redirects=True)
    assert "Nothing changed" in response.get_data(as_text=True)
    assert stored(app, ana) == {}
    assert consents(app, ana) == []


def test_a_digest_on_the_site_is_refused_on_the_page_and_nothing_is_saved(app, client, make_user):
    ana = make_user("ana")
    login(client, "ana")
    response = client.post(
        CENTRE,
        data=full_form(replies__email="weekly", offers__email="instant", mentions__onsite="daily"),
    )
    assert response.status_code == 400
    assert "digests are for email" in response.get_data(as_text=True)
    assert stored(app, ana) == {}
    assert consents(app, ana) == []


def test_an_unknown_frequency_is_refused_on_the_page_and_nothing_is_saved(app, client, make_user):
    ana = make_user("ana")
    login(client, "ana")
    response = client.post(CENTRE, data=full_form(replies__email="weekly", offers__email="hourly"))
    assert response.status_code == 400
    assert "is not a choice" in response.get_data(as_text=True)
    assert stored(app, ana) == {}


@pytest.mark.parametrize(
    ("field", "message"),
    [("gossip__email", "is not a kind of message"), ("replies__pigeon", "is not a way")],
)
def test_a_posted_kind_or_channel_the_form_lacks_is_refused_by_name(
    app, client, make_user, field, message
):
    ana = make_user("ana")
    login(client, "ana")
    response = client.post(CENTRE, data=full_form(offers__email="weekly", **{field: "daily"}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and field.split("__")[0] in page
    assert stored(app, ana) == {}
    assert consents(app, ana) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ((("gossip", "email"), "daily"), "is not a kind of message"),
        ((("replies", "pigeon"), "daily"), "is not a way we contact you"),
        ((("replies", "email"), "hourly"), "is not a choice"),
        ((("replies", "onsite"), "weekly"), "digests are for email"),
    ],
    ids=["kind", "channel", "frequency", "digest-on-site"],
)
def test_one_bad_choice_saves_none(app, make_user, bad, message):
    ana = make_user("ana")
    (key, value) = bad
    choices = {("offers", "email"): "instant", ("mentions", "email"): "never", key: value}
    with pytest.raises(Invalid, match=message) as failure:
        choose(app, ana, choices)
    assert failure.value.status == 400
    assert stored(app, ana) == {}
    assert consents(app, ana) == []


def test_every_change_to_offers_is_recorded_with_where_she_made_it(app, make_user):
    ana = make_user("ana")
    choose(app, ana, {("offers", "email"): "weekly", ("offers", "onsite"): "instant"})
    choose(app, ana, {("offers", "email"): "instant"}, ConsentSource.SIGNUP_STEP)
    choose(app, ana, {("offers", "email"): "instant", ("replies", "email"): "never"})
    choose(app, ana, {("offers", "email"): "never"}, ConsentSource.UNSUBSCRIBE_LINK)
    assert consents(app, ana) == [
        (Channel.EMAIL, True, Frequency.WEEKLY, ConsentSource.PREFERENCE_CENTRE),
        (Channel.ONSITE, True, Frequency.INSTANT, ConsentSource.PREFERENCE_CENTRE),
        (Channel.EMAIL, True, Frequency.INSTANT, ConsentSource.SIGNUP_STEP),
        # The third save changed only her replies: no consent was asked or given.
        (Channel.EMAIL, False, Frequency.NEVER, ConsentSource.UNSUBSCRIBE_LINK),
    ]


def test_opting_in_on_the_page_records_consent(app, client, make_user):
    ana = make_user("ana")
    login(client, "ana")
    client.post(CENTRE, data=full_form(offers__email="daily"))
    assert consents(app, ana) == [
        (Channel.EMAIL, True, Frequency.DAILY, ConsentSource.PREFERENCE_CENTRE)
    ]


@pytest.mark.parametrize("who", ["ben", "admin"])
def test_no_one_else_changes_her_choices(app, make_user, who):
    ana = make_user("ana")
    other = make_user(who, admin=who == "admin")
    with pytest.raises(Forbidden):
        choose(app, ana, {("offers", "email"): "instant"}, actor=other)
    assert stored(app, ana) == {}
    assert consents(app, ana) == []


def test_a_visitor_changes_no_one_s_choices(app, make_user, now):
    ana = make_user("ana")
    with app.app_context(), pytest.raises(Forbidden):
        set_preferences(
            AnonymousUserMixin(),
            db.session.get(User, ana.id),
            {("offers", "email"): "instant"},
            ConsentSource.PREFERENCE_CENTRE,
            now=now,
        )
    assert stored(app, ana) == {}


def test_the_operator_may_record_a_choice_for_her(app, make_user, now):
    ana = make_user("ana")
    with app.app_context():
        set_preferences(
            SYSTEM,
            db.session.get(User, ana.id),
            {("offers", "email"): "never", ("replies", "email"): "never"},
            ConsentSource.ACCOUNT_DELETION,
            now=now,
        )
    assert stored(app, ana) == {(MessageKind.REPLIES, Channel.EMAIL): Frequency.NEVER}


def waiting(app, person, kind, frequency, *, now, emailed=False) -> int:
    """A notification of `kind` for the member, due for an email at `frequency` at `now`."""
    with app.app_context(), transaction():
        return db.session.execute(
            insert(Notification).returning(Notification.id),
            [
                {
                    "user_id": person.id,
                    "kind": kind,
                    "message": "Sam replied",
                    "url": "/t/1",
                    "created_at": now - timedelta(hours=1),
                    "email_frequency": frequency,
                    "email_due_at": now if frequency else None,
                    "emailed_at": now if emailed else None,
                }
            ],
        ).scalar_one()


def email_state(app, notification_id):
    row = factories.load(app, Notification, notification_id)
    return row.email_frequency, row.email_due_at


def test_waiting_emails_follow_a_new_frequency(app, make_user, now):
    ana, ben = make_user("ana"), make_user("ben")
    reply = waiting(app, ana, NotificationKind.REPLY, Frequency.INSTANT, now=now)
    review_reply = waiting(app, ana, NotificationKind.REVIEW_REPLY, Frequency.DAILY, now=now)
    sent = waiting(app, ana, NotificationKind.REPLY, Frequency.INSTANT, emailed=True, now=now)
    inbox_only = waiting(app, ana, NotificationKind.REPLY, None, now=now)
    mention = waiting(app, ana, NotificationKind.MENTION, Frequency.INSTANT, now=now)
    bens = waiting(app, ben, NotificationKind.REPLY, Frequency.INSTANT, now=now)

    choose(app, ana, {("replies", "email"): "weekly"}, now=now)

    # A digest takes what waits when it runs: no time of its own.
    assert email_state(app, reply) == (Frequency.WEEKLY, None)
    assert email_state(app, review_reply) == (Frequency.WEEKLY, None)
    # Already emailed, never to be emailed, another kind, another member: untouched.
    assert email_state(app, sent) == (Frequency.INSTANT, now)
    assert email_state(app, inbox_only) == (None, None)
    assert email_state(app, mention) == (Frequency.INSTANT, now)
    assert email_state(app, bens) == (Frequency.INSTANT, now)


def test_waiting_emails_moved_to_instant_wait_the_usual_pause(app, make_user, now):
    ana = make_user("ana")
    choose(app, ana, {("replies", "email"): "daily"}, now=now)
    reply = waiting(app, ana, NotificationKind.REPLY, Frequency.DAILY, now=now)
    later = now + timedelta(minutes=3)
    choose(app, ana, {("replies", "email"): "instant"}, now=later)
    pause = timedelta(minutes=app.config["EMAIL_COALESCE_MINUTES"])
    assert email_state(app, reply) == (Frequency.INSTANT, later + pause)


def test_never_takes_waiting_emails_off_the_list(app, make_user, now):
    ana = make_user("ana")
    reply = waiting(app, ana, NotificationKind.REPLY, Frequency.DAILY, now=now)
    choose(app, ana, {("replies", "email"): "never"}, now=now)
    assert email_state(app, reply) == (None, None)


def test_a_stored_choice_is_updated_in_place_and_the_same_choice_changes_nothing(
    app, make_user, now
):
    ana = make_user("ana")
    choose(app, ana, {("offers", "email"): "daily"}, now=now)
    with app.app_context():
        # As if a second tab saved the same choice after reading the old one.
        assert (
            preferences._upsert(ana.id, MessageKind.OFFERS, Channel.EMAIL, Frequency.DAILY, now)
            is False
        )
        assert (
            preferences._upsert(ana.id, MessageKind.OFFERS, Channel.EMAIL, Frequency.WEEKLY, now)
            is True
        )
        db.session.commit()
    assert stored(app, ana) == {(MessageKind.OFFERS, Channel.EMAIL): Frequency.WEEKLY}


def test_two_saves_at_once_record_one_change(isolated_app, now):
    """Eight tabs opt out at the same instant: one row, one consent event, no error."""
    ana = factories.make_user(isolated_app, "ana")
    choose(isolated_app, ana, {("offers", "email"): "instant"})

    def opt_out(index: int) -> None:
        member = db.session.get(User, ana.id)
        set_preferences(
            member, member, {("offers", "email"): "never"}, ConsentSource.PREFERENCE_CENTRE, now=now
        )

    factories.run_together(isolated_app, opt_out, 8)
    assert stored(isolated_app, ana) == {(MessageKind.OFFERS, Channel.EMAIL): Frequency.NEVER}
    assert [granted for _, granted, _, _ in consents(isolated_app, ana)] == [True, False]


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ({}, {MessageKind.REPLIES: True, MessageKind.OFFERS: False}),
        (
            {("replies", "email"): "never", ("offers", "onsite"): "instant"},
            {MessageKind.REPLIES: True, MessageKind.OFFERS: True},
        ),
        (
            {("replies", "email"): "never", ("replies", "onsite"): "never"},
            {MessageKind.REPLIES: False, MessageKind.OFFERS: False},
        ),
    ],
    ids=["defaults", "one-channel-left", "all-off"],
)
def test_wants_picks_members_who_get_a_kind_on_some_channel(app, make_user, choices, expected):
    ana = make_user("ana")
    if choices:
        choose(app, ana, choices)
    with app.app_context():
        for kind, wanted in expected.items():
            found = db.session.scalar(
                select(User.id).where(User.id == ana.id, preferences.wants(kind, User.id))
            )
            assert (found is not None) is wanted, kind
