"""`flask send-digests`: each member's daily or weekly digest of what waited for it, one per
kind of message, each notification in exactly one email."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.notifications import services
from fanhub.notifications.emails import DIGEST_ITEMS, send_digests
from fanhub.notifications.models import (
    Channel,
    Frequency,
    MessageKind,
    Notification,
    NotificationKind,
)
from fanhub.notifications.preferences import read_unsubscribe_token
from fanhub.notifications.services import deliver_due_mail
from tests import factories
from tests.factories import run_together, sent_emails


def new_topic(tell, members, n: int, category: str = "Support") -> None:
    """Members who watch a category hear of each new topic (daily digest by default)."""
    tell(
        members,
        kind=NotificationKind.NEW_TOPIC,
        message=f"Sam started “Topic {n}” in {category}",
        url=f"/t/{n}",
    )


def announcement(tell, members, n: int) -> None:
    """Followers hear of announcements (weekly digest by default)."""
    tell(
        members,
        kind=NotificationKind.ANNOUNCEMENT,
        message=f"Acme announced “News {n}”",
        url=f"/t/{100 + n}",
    )


def digests(app, period: Frequency, now=None):
    with app.app_context():
        return send_digests(period, now=now or utcnow())


def waiting(app, member=None) -> list[Notification]:
    with app.app_context():
        query = select(Notification).where(
            Notification.emailed_at.is_(None), Notification.email_frequency.is_not(None)
        )
        if member is not None:
            query = query.where(Notification.user_id == member.id)
        return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_daily_digest_takes_only_what_waits_for_the_daily_one(app, make_user, tell):
    ana = make_user("ana")
    new_topic(tell, [ana], 1)
    new_topic(tell, [ana], 2)
    announcement(tell, [ana], 1)

    report = digests(app, Frequency.DAILY)

    assert (report.members, report.emails, report.notifications) == (1, 1, 2)
    [email] = sent_emails(app, "digest_daily")
    assert email.to_address == "ana@example.com"
    assert email.subject == "Your daily fanhub digest: 2 new topics"
    assert "Acme announced" not in email.body_text
    assert [row.kind for row in waiting(app, ana)] == [NotificationKind.ANNOUNCEMENT]


def test_a_weekly_digest_takes_only_what_waits_for_the_weekly_one(app, make_user, tell):
    ana = make_user("ana")
    new_topic(tell, [ana], 1)
    announcement(tell, [ana], 1)

    report = digests(app, Frequency.WEEKLY)

    assert (report.emails, report.notifications) == (1, 1)
    [email] = sent_emails(app, "digest_weekly")
    assert email.subject == "Your weekly fanhub digest: 1 announcement"
    assert "Topic 1" not in email.body_text
    assert [row.kind for row in waiting(app, ana)] == [NotificationKind.NEW_TOPIC]


def test_a_digest_lists_newest_first_with_links_and_both_parts(
    app, make_user, tell, mail_server, monkeypatch
):
    ana = make_user("ana")
    for n in (1, 2, 3):
        new_topic(tell, [ana], n)
    digests(app, Frequency.DAILY)
    monkeypatch.setitem(app.config, "SMTP_URL", mail_server.url)
    with app.app_context():
        deliver_due_mail(now=utcnow())

    [arrival] = mail_server.received
    assert arrival.recipients == ["ana@example.com"]
    message = arrival.message
    assert message["Subject"] == "Your daily fanhub digest: 3 new topics"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.index("“Topic 3”") < text.index("“Topic 2”") < text.index("“Topic 1”")
    assert html.index("“Topic 3”") < html.index("“Topic 2”") < html.index("“Topic 1”")
    for n in (1, 2, 3):
        assert f"  http://localhost/t/{n}" in text.splitlines()
        assert f'href="http://localhost/t/{n}"' in html
    assert "http://localhost/settings/notifications" in text
    assert 'href="http://localhost/settings/notifications"' in html
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    match = re.fullmatch(r"<http://localhost/unsubscribe/([\w.\-]+)>", message["List-Unsubscribe"])
    assert match
    with app.app_context():
        assert read_unsubscribe_token(match.group(1), now=utcnow()) == (
            ana.id,
            MessageKind.NEW_TOPICS,
        )


def test_each_kind_of_message_gets_a_digest_of_its_own_that_unsubscribes_from_it(
    app, make_user, tell, prefer
):
    ana = make_user("ana")
    prefer(ana, MessageKind.REPLIES, Channel.EMAIL, Frequency.DAILY)
    new_topic(tell, [ana], 1)
    tell([ana], message="Ben replied to “Topic 1”", url="/t/1?post=2")

    assert digests(app, Frequency.DAILY).emails == 2

    kinds = {}
    for email in sent_emails(app, "digest_daily"):
        token = email.headers["List-Unsubscribe"].rsplit("/", 1)[1].rstrip(">")
        with app.app_context():
            kinds[email.subject] = read_unsubscribe_token(token, now=utcnow())
    assert kinds == {
        "Your daily fanhub digest: 1 new topic": (ana.id, MessageKind.NEW_TOPICS),
        "Your daily fanhub digest: 1 reply": (ana.id, MessageKind.REPLIES),
    }


def test_a_long_digest_lists_the_newest_and_links_to_the_rest(app, make_user, tell):
    ana = make_user("ana")
    for n in range(DIGEST_ITEMS + 5):
        new_topic(tell, [ana], n + 1)

    report = digests(app, Frequency.DAILY)

    assert report.notifications == DIGEST_ITEMS + 5
    [email] = sent_emails(app, "digest_daily")
    assert email.subject == f"Your daily fanhub digest: {DIGEST_ITEMS + 5} new topics"
    assert f"“Topic {DIGEST_ITEMS + 5}”" in email.body_text
    assert "“Topic 5”" not in email.body_text
    assert "“Topic 6”" in email.body_text
    assert "…and 5 more in your notifications: http://localhost/notifications" in email.body_text
    assert 'href="http://localhost/notifications"' in email.body_html
    assert waiting(app, ana) == []


def test_what_happens_after_the_run_started_waits_for_the_next_digest(app, make_user, tell):
    ana = make_user("ana")
    new_topic(tell, [ana], 1)
    new_topic(tell, [ana], 2)
    later = waiting(app, ana)[-1]
    with app.app_context(), transaction():
        db.session.execute(
            update(Notification)
            .where(Notification.id == later.id)
            .values(created_at=utcnow() + timedelta(hours=1))
        )

    assert digests(app, Frequency.DAILY).notifications == 1
    assert [row.id for row in waiting(app, ana)] == [later.id]


def test_send_digests_twice_sends_nothing_the_second_time(app, runner, make_user, tell):
    ana, ben = make_user("ana"), make_user("ben")
    new_topic(tell, [ana, ben], 1)
    new_topic(tell, [ana], 2)

    first = runner.invoke(args=["send-digests", "--period", "daily"])
    second = runner.invoke(args=["send-digests", "--period", "daily"])

    assert first.exit_code == 0, first.output
    assert first.output == (
        "daily digests: queued 2 emails to 2 members (3 notifications), withheld 0, contended 0\n"
    )
    assert second.output == (
        "daily digests: queued 0 emails to 0 members (0 notifications), withheld 0, contended 0\n"
    )
    assert len(sent_emails(app, "digest_daily")) == 2


def test_send_digests_needs_a_period(runner):
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 2  # click's usage error
    assert "--period" in result.output


def test_digests_are_daily_or_weekly(app, now):
    with app.app_context(), pytest.raises(ValueError):
        send_digests(Frequency.INSTANT, now=now)


def test_finding_the_members_costs_the_same_however_many_wait(app, make_user, tell, count_queries):
    few = [make_user() for _ in range(2)]
    many = [make_user() for _ in range(8)]
    new_topic(tell, few, 1)
    with count_queries() as for_few:
        digests(app, Frequency.DAILY)
    new_topic(tell, many, 2)
    with count_queries() as for_many:
        digests(app, Frequency.DAILY)
    # One query to find them all, then the same few per member.
    assert (len(for_many) - 1) / len(many) == (len(for_few) - 1) / len(few)


@pytest.mark.concurrency
def test_digest_runs_at_the_same_time_email_each_notification_exactly_once(isolated_app, now):
    app = isolated_app
    members = [factories.make_user(app, f"fan{n}") for n in range(6)]
    with app.app_context(), transaction():
        for n in range(1, 4):
            services.notify(
                [m.id for m in members],
                kind=NotificationKind.NEW_TOPIC,
                message=f"Sam started “Topic {n}” in Support",
                url=f"/t/{n}",
                actor_id=None,
                now=now,
            )
    run_at = utcnow()
    reports = []

    run_together(app, lambda _: reports.append(send_digests(Frequency.DAILY, now=run_at)), 4)

    emails = sent_emails(app, "digest_daily")
    assert Counter(e.to_address for e in emails) == Counter(
        {f"fan{n}@example.com": 1 for n in range(6)}
    )
    assert all(e.subject == "Your daily fanhub digest: 3 new topics" for e in emails)
    assert sum(r.notifications for r in reports) == 18
    with app.app_context():
        left = db.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.emailed_at.is_(None))
        )
    assert left == 0


@pytest.mark.concurrency
def test_a_digest_run_overtaken_by_another_sends_nothing_twice_and_skips_nothing(
    isolated_app, meanwhile, now
):
    app = isolated_app
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite runs one writing transaction at a time: no run overtakes another")
    ana = factories.make_user(app, "ana")
    with app.app_context(), transaction():
        for n in (1, 2):
            services.notify(
                [ana.id],
                kind=NotificationKind.NEW_TOPIC,
                message=f"“T{n}”",
                url=f"/t/{n}",
                actor_id=None,
                now=now,
            )
    run_at = utcnow()

    with (
        meanwhile(
            app,
            "UPDATE notifications SET emailed_at",
            lambda: send_digests(Frequency.DAILY, now=run_at),
        ) as other,
        app.app_context(),
    ):
        report = send_digests(Frequency.DAILY, now=run_at)

    [other_report] = other
    assert (other_report.notifications, report.notifications, report.contended) == (2, 0, 0)
    [email] = sent_emails(app, "digest_daily")
    assert email.subject == "Your daily fanhub digest: 2 new topics"
