"""Notifications as each member asked (issue 6): in her inbox or not, emailed at once
(several about one conversation in one email), in a digest, or not at all."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from fanhub.accounts.models import User, UserStatus
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.notifications import services
from fanhub.notifications.emails import queue_instant_emails
from fanhub.notifications.models import (
    Channel,
    Frequency,
    MessageKind,
    Notification,
    NotificationKind,
)
from fanhub.notifications.preferences import read_unsubscribe_token
from fanhub.notifications.services import Notice, deliver_due_mail, notify_each
from tests import factories
from tests.factories import load, login, run_together, sent_emails

KETTLE = "“Kettle clicks off”"


def rows_of(app, member) -> list[Notification]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification)
                .where(Notification.user_id == member.id)
                .order_by(Notification.id)
            )
        )


def unread(app, member) -> int:
    return load(app, User, member.id).unread_notification_count


def after_the_window(app):
    return utcnow() + timedelta(minutes=app.config["EMAIL_COALESCE_MINUTES"], seconds=1)


def email_now(app, now=None):
    with app.app_context():
        return queue_instant_emails(now=now or after_the_window(app))


def deliver(app, mail_server, monkeypatch):
    """Send the outbox through the loopback SMTP server; returns what arrived."""
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    with app.app_context():
        # The worker runs after the pause, as `email_now` did: what it queued is due.
        report = deliver_due_mail(now=after_the_window(app))
    assert report.failed == report.retrying == 0
    return mail_server.received


def parts(message) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def unsubscribe_target(app, message) -> tuple[int, MessageKind]:
    """Whose and which kind of email the List-Unsubscribe header stops."""
    match = re.fullmatch(r"<http://localhost/unsubscribe/([\w.\-]+)>", message["List-Unsubscribe"])
    assert match, message["List-Unsubscribe"]
    with app.app_context():
        # Read as she would, once the email that carries it has gone out.
        return read_unsubscribe_token(match.group(1), now=after_the_window(app))


# ------------------------------------------------------------- who is told, and how


def test_a_reply_reaches_the_inbox_and_waits_a_few_minutes_to_be_emailed(app, make_user, tell):
    ana = make_user("ana")
    before = utcnow()
    tell([ana])
    [row] = rows_of(app, ana)
    assert row.in_inbox is True
    assert row.email_frequency is Frequency.INSTANT
    window = timedelta(minutes=app.config["EMAIL_COALESCE_MINUTES"])
    assert before + window <= row.email_due_at <= utcnow() + window
    assert row.emailed_at is None
    assert unread(app, ana) == 1


def test_a_member_who_wants_replies_by_email_only_sees_no_inbox_row_or_count(
    app, client, make_user, tell, prefer, now
):
    ana = make_user("ana")
    prefer(ana, MessageKind.REPLIES, Channel.ONSITE, Frequency.NEVER)
    tell([ana])
    [row] = rows_of(app, ana)
    assert row.in_inbox is False
    assert row.email_frequency is Frequency.INSTANT
    assert unread(app, ana) == 0
    login(client, "ana")
    assert "Kettle clicks off" not in client.get("/notifications").get_data(as_text=True)
    assert client.post(f"/notifications/{row.id}/read").status_code == 404
    with app.app_context():
        assert services.mark_all_read(db.session.get(User, ana.id), now=now) == 0
    assert unread(app, ana) == 0


def test_a_member_who_wants_a_kind_by_no_channel_gets_no_row_and_no_email(
    app, make_user, tell, prefer
):
    ana, ben = make_user("ana"), make_user("ben")
    prefer(ana, MessageKind.REPLIES, Channel.ONSITE, Frequency.NEVER)
    prefer(ana, MessageKind.REPLIES, Channel.EMAIL, Frequency.NEVER)
    assert tell([ana, ben]) == 1
    assert rows_of(app, ana) == []
    assert unread(app, ana) == 0
    email_now(app)
    assert [email.to_address for email in sent_emails(app)] == ["ben@example.com"]


def test_a_member_who_chose_no_email_keeps_her_inbox_row_and_gets_no_email(
    app, make_user, tell, prefer
):
    ana = make_user("ana")
    prefer(ana, MessageKind.REPLIES, Channel.EMAIL, Frequency.NEVER)
    tell([ana])
    [row] = rows_of(app, ana)
    assert (row.in_inbox, row.email_frequency, row.email_due_at) == (True, None, None)
    assert email_now(app).emails == 0
    assert sent_emails(app) == []


@pytest.mark.parametrize("frequency", [Frequency.DAILY, Frequency.WEEKLY])
def test_a_digest_choice_leaves_the_notification_waiting_for_the_digest(
    app, make_user, tell, prefer, frequency
):
    ana = make_user("ana")
    prefer(ana, MessageKind.REPLIES, Channel.EMAIL, frequency)
    tell([ana])
    [row] = rows_of(app, ana)
    assert (row.email_frequency, row.email_due_at) == (frequency, None)
    assert email_now(app).emails == 0


def test_news_of_her_own_account_always_reaches_the_inbox_and_is_never_emailed(
    app, make_user, tell
):
    ana = make_user("ana")
    tell([ana], kind=NotificationKind.MODERATION, message="A moderator hid your post", url="/t/1")
    [row] = rows_of(app, ana)
    assert (row.in_inbox, row.email_frequency) == (True, None)
    assert unread(app, ana) == 1


def test_a_reason_she_muted_gives_way_to_the_next_one_she_wants(app, make_user, prefer, now):
    ana = make_user("ana")
    prefer(ana, MessageKind.OFFICIAL, Channel.ONSITE, Frequency.NEVER)
    prefer(ana, MessageKind.OFFICIAL, Channel.EMAIL, Frequency.NEVER)
    with app.app_context(), transaction():
        told = notify_each(
            [
                Notice(
                    frozenset({ana.id}), NotificationKind.OFFICIAL_REPLY, "Acme answered", "/t/1"
                ),
                Notice(frozenset({ana.id}), NotificationKind.REPLY, "Sam replied", "/t/1"),
            ],
            actor_id=None,
            now=now,
        )
    assert told == 1
    assert [row.kind for row in rows_of(app, ana)] == [NotificationKind.REPLY]


def test_notifying_many_members_costs_the_queries_notifying_two_does(
    app, make_user, prefer, count_queries, now
):
    few = [make_user() for _ in range(2)]
    many = [make_user() for _ in range(12)]
    for member in (few[0], many[0], many[5]):
        prefer(member, MessageKind.REPLIES, Channel.ONSITE, Frequency.NEVER)

    def notify(members):
        with app.app_context(), transaction():
            services.notify(
                [m.id for m in members],
                kind=NotificationKind.REPLY,
                message="x",
                url="/t/1",
                actor_id=None,
                now=now,
            )

    with count_queries() as for_few:
        notify(few)
    with count_queries() as for_many:
        notify(many)
    assert len(for_many) == len(for_few) <= 4


# ---------------------------------------------------------------- instant emails


def test_replies_within_the_window_make_one_email_per_conversation(
    app, make_user, tell, mail_server, monkeypatch
):
    ana = make_user("ana")
    for n in range(2, 5):
        tell([ana], message=f"Member {n} replied to {KETTLE}", url=f"/t/5?post={n}")
    tell([ana], message="Sam replied to “Descaling”", url="/t/9?post=2")

    report = email_now(app)

    assert (report.members, report.emails, report.notifications) == (1, 2, 4)
    arrivals = deliver(app, mail_server, monkeypatch)
    assert sorted(a.message["Subject"] for a in arrivals) == [
        f"3 new replies in {KETTLE}",
        "Sam replied to “Descaling”",
    ]
    [kettle] = [a for a in arrivals if "Kettle" in a.message["Subject"]]
    assert kettle.recipients == ["ana@example.com"]
    text, html = parts(kettle.message)
    # Newest first, each with its link; the button opens the first new post.
    assert (
        text.index("Member 4 replied")
        < text.index("Member 3 replied")
        < text.index("Member 2 replied")
    )
    for n in range(2, 5):
        assert f"http://localhost/t/5?post={n}" in text
        assert f'href="http://localhost/t/5?post={n}"' in html
    assert "Open the conversation: http://localhost/t/5?post=2" in text
    assert all(row.emailed_at is not None for row in rows_of(app, ana))


def test_a_notification_email_carries_one_click_unsubscribe_and_the_preference_centre(
    app, make_user, tell, mail_server, monkeypatch
):
    ana = make_user("ana")
    tell([ana])
    email_now(app)
    [arrival] = deliver(app, mail_server, monkeypatch)
    message = arrival.message
    assert message["Subject"] == f"Sam Ortiz replied to {KETTLE}"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_target(app, message) == (ana.id, MessageKind.REPLIES)
    link = message["List-Unsubscribe"][1:-1]
    text, html = parts(message)
    assert "http://localhost/settings/notifications" in text
    assert 'href="http://localhost/settings/notifications"' in html
    assert f"Stop emails about replies: {link}" in text
    assert f'href="{link}"' in html


def test_a_conversation_of_several_kinds_unsubscribes_from_the_main_one(
    app, make_user, tell, mail_server, monkeypatch
):
    ana = make_user("ana")
    tell([ana], kind=NotificationKind.MENTION, message=f"Sam mentioned you in {KETTLE}")
    tell([ana], message=f"Ben replied to {KETTLE}", url="/t/5?post=3")
    tell([ana], message=f"Cy replied to {KETTLE}", url="/t/5?post=4")
    email_now(app)
    [arrival] = deliver(app, mail_server, monkeypatch)
    assert arrival.message["Subject"] == f"3 new notifications in {KETTLE}"
    assert unsubscribe_target(app, arrival.message) == (ana.id, MessageKind.REPLIES)
    text, _ = parts(arrival.message)
    assert "Stop emails about mentions: http://localhost/unsubscribe/" in text
    assert "Stop emails about replies: http://localhost/unsubscribe/" in text


def test_member_text_is_escaped_in_the_html_part_and_nothing_loads_from_elsewhere(
    app, make_user, tell, mail_server, monkeypatch
):
    ana = make_user("ana")
    tell([ana], message="Sam replied to “<img src=https://evil.example/x.png>”")
    email_now(app)
    [arrival] = deliver(app, mail_server, monkeypatch)
    _, html = parts(arrival.message)
    assert "&lt;img src=https://evil.example/x.png&gt;" in html
    assert "<img" not in html
    assert "<link" not in html
    assert "<script" not in html


def test_nothing_is_emailed_before_the_window_ends(app, make_user, tell):
    ana = make_user("ana")
    tell([ana])
    report = email_now(app, utcnow() + timedelta(minutes=1))
    assert report.emails == 0
    assert sent_emails(app) == []
    [row] = rows_of(app, ana)
    assert row.emailed_at is None


def test_later_replies_in_the_conversation_ride_along_with_the_first_one_due(app, make_user, tell):
    ana = make_user("ana")
    tell([ana], message=f"Ben replied to {KETTLE}", url="/t/5?post=2")
    first = rows_of(app, ana)[0]
    with app.app_context(), transaction():
        db.session.execute(
            update(Notification)
            .where(Notification.id == first.id)
            .values(email_due_at=utcnow() - timedelta(seconds=1))
        )
    tell([ana], message=f"Cy replied to {KETTLE}", url="/t/5?post=3")
    tell([ana], message="Dee replied to “Descaling”", url="/t/9?post=2")

    report = email_now(app, utcnow())

    assert (report.emails, report.notifications) == (1, 2)
    [email] = sent_emails(app, "notification")
    assert email.subject == f"2 new replies in {KETTLE}"
    assert [row.emailed_at is not None for row in rows_of(app, ana)] == [True, True, False]


def test_what_she_read_on_the_site_meanwhile_is_not_emailed(app, client, make_user, tell):
    ana = make_user("ana")
    tell([ana], message=f"Ben replied to {KETTLE}", url="/t/5?post=2")
    tell([ana], message="Dee replied to “Descaling”", url="/t/9?post=2")
    kettle = rows_of(app, ana)[0]
    login(client, "ana")
    assert client.post(f"/notifications/{kettle.id}/read").status_code == 302  # she opens it

    report = email_now(app)

    assert (report.seen, report.emails) == (1, 1)
    [email] = sent_emails(app, "notification")
    assert "Descaling" in email.subject
    assert email_now(app).emails == 0  # and the one she read stays unsent


def test_emailing_again_sends_nothing_twice(app, make_user, tell):
    ana = make_user("ana")
    tell([ana])
    assert email_now(app).emails == 1
    assert email_now(app).emails == 0
    assert len(sent_emails(app)) == 1


def test_members_who_cannot_be_emailed_are_left_out(app, make_user, tell):
    confirmed, unconfirmed = make_user("ana"), make_user("ben", verified=False)
    deleted = make_user("cyd")
    tell([confirmed, unconfirmed, deleted])
    with app.app_context(), transaction():
        db.session.get(User, deleted.id).status = UserStatus.DELETED
    outbox_before = {email.to_address for email in sent_emails(app)}

    report = email_now(app)

    assert (report.emails, report.withheld) == (1, 2)
    new = [e.to_address for e in sent_emails(app) if e.kind == "notification"]
    assert new == ["ana@example.com"]
    assert "ben@example.com" in outbox_before  # only his confirmation email
    for member in (unconfirmed, deleted):
        [row] = rows_of(app, member)
        assert (row.email_frequency, row.emailed_at) == (None, None)


def test_send_mail_queues_due_notification_emails_and_delivers_them(
    app, runner, make_user, tell, mail_server, monkeypatch
):
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    ana = make_user("ana")
    tell([ana])
    with app.app_context(), transaction():
        db.session.execute(
            update(Notification).values(email_due_at=utcnow() - timedelta(seconds=1))
        )

    result = runner.invoke(args=["send-mail"])

    assert result.exit_code == 0, result.output
    assert (
        result.output == "queued 1 notification emails; sent 1, retrying 0, failed 0, skipped 0\n"
    )
    [arrival] = mail_server.received
    assert arrival.recipients == ["ana@example.com"]
    assert runner.invoke(args=["send-mail"]).output == "sent 0, retrying 0, failed 0, skipped 0\n"


# --------------------------------------------------------------------- concurrency

MEMBERS = 6
THREADS = 3


@pytest.mark.concurrency
def test_runs_at_the_same_time_email_each_notification_exactly_once(isolated_app, now):
    app = isolated_app
    members = [factories.make_user(app, f"fan{n}") for n in range(MEMBERS)]
    with app.app_context(), transaction():
        for thread in range(THREADS):
            for post in range(2, 4):
                services.notify(
                    [m.id for m in members],
                    kind=NotificationKind.REPLY,
                    message=f"Sam replied to “Thread {thread}”",
                    url=f"/t/{thread + 1}?post={post}",
                    actor_id=None,
                    now=now,
                )
    due = after_the_window(app)
    reports = []

    run_together(app, lambda _: reports.append(queue_instant_emails(now=due)), 4)

    emails = sent_emails(app, "notification")
    assert Counter((e.to_address, e.subject) for e in emails) == Counter(
        {
            (f"fan{n}@example.com", f"2 new replies in “Thread {t}”"): 1
            for n in range(MEMBERS)
            for t in range(THREADS)
        }
    )
    assert sum(r.emails for r in reports) == MEMBERS * THREADS
    assert sum(r.notifications for r in reports) == MEMBERS * THREADS * 2
    with app.app_context():
        waiting = db.session.scalar(
            select(db.func.count())
            .select_from(Notification)
            .where(Notification.emailed_at.is_(None))
        )
    assert waiting == 0


@pytest.mark.concurrency
def test_a_run_whose_notifications_another_run_took_meanwhile_sends_nothing_twice(
    isolated_app, meanwhile, now
):
    app = isolated_app
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite runs one writing transaction at a time: no run overtakes another")
    ana = factories.make_user(app, "ana")
    with app.app_context(), transaction():
        services.notify(
            [ana.id], kind=NotificationKind.REPLY, message="x", url="/t/1", actor_id=None, now=now
        )
    due = after_the_window(app)

    # The other run reads, claims and queues while this one is between its read and claim.
    with (
        meanwhile(
            app, "UPDATE notifications SET emailed_at", lambda: queue_instant_emails(now=due)
        ) as other,
        app.app_context(),
    ):
        report = queue_instant_emails(now=due)

    [other_report] = other
    assert (other_report.emails, report.emails, report.contended) == (1, 0, 0)
    assert len(sent_emails(app, "notification")) == 1


# ------------------------------------------------------------------ end to end


def test_a_forum_reply_reaches_the_topic_author_by_email_until_she_unsubscribes(
    app, client, shop, mail_server, monkeypatch, time_machine
):
    topic = factories.make_topic(
        app, shop.discussion, shop.member, title="Kettle clicks off", replies=0
    )
    factories.reply(app, topic, shop.other_member, "Same here.")
    factories.reply(app, topic, shop.other_member, "Descaling fixed it.")
    # The clock itself moves past the pause: she clicks the email's link after it was sent.
    time_machine.move_to(after_the_window(app))
    email_now(app, utcnow())
    [arrival] = deliver(app, mail_server, monkeypatch)
    assert arrival.recipients == ["member@example.com"]
    assert arrival.message["Subject"] == f"2 new replies in {KETTLE}"
    assert unsubscribe_target(app, arrival.message) == (shop.member.id, MessageKind.REPLIES)

    # What a mail program's unsubscribe button does (RFC 8058): no cookie, no CSRF token.
    path = arrival.message["List-Unsubscribe"][1:-1].removeprefix("http://localhost")
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    factories.reply(app, topic, shop.other_member, "Glad it works.")
    assert email_now(app).emails == 0
    # She still hears of it on the site.
    assert unread(app, shop.member) == 3
