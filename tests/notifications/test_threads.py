"""Notifications carry their thread (issue 12, point 6): emails group by its key and name it
by its title, never by reading the message; digests list each brand's threads under it."""

from __future__ import annotations

from datetime import timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, select

from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.notifications import services
from fanhub.notifications.emails import ELSEWHERE, queue_instant_emails, send_digests
from fanhub.notifications.models import Frequency, Notification, NotificationKind
from tests import factories
from tests.factories import sent_emails


def told(app, members, message, url, *, kind=NotificationKind.NEW_TOPIC, **thread) -> None:
    with app.app_context(), transaction():
        services.notify(
            [member.id for member in members],
            kind=kind,
            message=message,
            url=url,
            actor_id=None,
            now=utcnow(),
            **thread,
        )


def instant_subjects(app) -> list[str]:
    later = utcnow() + timedelta(minutes=app.config["EMAIL_COALESCE_MINUTES"], seconds=1)
    with app.app_context():
        queue_instant_emails(now=later)
    return sorted(email.subject for email in sent_emails(app, "notification"))


def test_a_digest_lists_each_brands_threads_under_its_name(app, make_user, make_brand):
    ana = make_user("ana")
    acme, globex = make_brand("acme", name="Acme"), make_brand("globex", name="Globex")
    for n, brand in ((1, acme), (2, globex), (3, acme)):
        told(
            app,
            [ana],
            f"Sam started “Topic {n}” in Support",
            f"/t/{n}",
            thread_key=f"topic:{n}",
            thread_title=f"Topic {n}",
            brand_id=brand.id,
            brand_name=brand.name,
        )
    told(app, [ana], "Sam started “Topic 4” in Support", "/t/4", thread_key="topic:4")

    with app.app_context():
        send_digests(Frequency.DAILY, now=utcnow())

    [email] = sent_emails(app, "digest_daily")
    assert email.subject == "Your daily fanhub digest: 4 new topics"
    text, html = email.body_text, email.body_html
    # The brand with the newest news first, its threads newest first; no brand last.
    order = ["Acme", "“Topic 3”", "“Topic 1”", "Globex", "“Topic 2”", ELSEWHERE, "“Topic 4”"]
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)
    assert [html.index(part) for part in order] == sorted(html.index(part) for part in order)
    assert "Acme\n====\n" in text
    assert ">Globex</h2>" in html


def test_a_digest_from_no_brand_has_no_brand_heading(app, make_user, tell):
    ana = make_user("ana")
    tell([ana], kind=NotificationKind.NEW_TOPIC, message="Sam started “Topic 1”", url="/t/1")

    with app.app_context():
        send_digests(Frequency.DAILY, now=utcnow())

    [email] = sent_emails(app, "digest_daily")
    assert ELSEWHERE not in email.body_text
    assert "<h2" not in email.body_html


def test_an_email_subject_names_the_thread_by_its_title_not_its_message(app, make_user):
    ana = make_user("ana")
    for n in (1, 2):
        told(
            app,
            [ana],
            f"Member {n} replied to your review of Kettle",
            f"/b/acme/p/kettle/r/7#reply-{n}",
            kind=NotificationKind.REVIEW_REPLY,
            thread_key="review:7",
            thread_title="Whistling Kettle",
        )

    assert instant_subjects(app) == ["2 new replies in “Whistling Kettle”"]


def test_a_title_in_curly_quotes_still_makes_the_right_subject(app, make_user):
    ana = make_user("ana")
    title = "The “quiet” kettle is loud"
    for n in (2, 3):
        told(
            app,
            [ana],
            f"Member {n} replied to “{title}”",
            f"/t/5?post={n}",
            kind=NotificationKind.REPLY,
            thread_key="topic:5",
            thread_title=title,
        )

    assert instant_subjects(app) == [f"2 new replies in “{title}”"]


def test_an_instant_email_groups_by_the_thread_whatever_the_links(app, make_user):
    ana = make_user("ana")
    for url in ("/b/acme/p/kettle/r/7#reply-1", "/b/acme/p/kettle/review"):
        told(
            app,
            [ana],
            "Acme answered your review of Kettle",
            url,
            kind=NotificationKind.REVIEW_ANSWER,
            thread_key="review:7",
            thread_title="Kettle",
        )

    assert instant_subjects(app) == ["2 new answers in “Kettle”"]


def test_a_notification_told_no_thread_is_keyed_by_its_link_and_titled_by_its_quote(
    app, make_user, tell
):
    ana = make_user("ana")
    tell([ana], message="Sam replied to “Kettle clicks off”", url="/t/5?post=2")
    tell([ana], message="Sam replied to your review", url="/b/acme/p/kettle/r/7#reply-2")
    tell([ana], message="Acme: news", url="/b/acme")

    with app.app_context():
        rows = db.session.execute(
            select(Notification.thread_key, Notification.thread_title, Notification.brand_id)
            .where(Notification.user_id == ana.id)
            .order_by(Notification.id)
        ).all()
    assert [tuple(row) for row in rows] == [
        ("topic:5", "Kettle clicks off", None),
        ("review:7", None, None),
        ("/b/acme", None, None),
    ]


def test_the_migration_gives_older_notifications_their_thread_and_brand(isolated_app):
    app = isolated_app
    ana = factories.make_user(app, "ana")
    acme = factories.make_brand(app, "acme", name="Acme")
    topic = factories.make_topic(app, factories.make_category(app, acme), ana)
    with app.app_context():
        downgrade(revision="0009_contact")
        columns = ("user_id", "kind", "message", "url", "created_at", "in_inbox")
        rows = [
            (ana.id, "reply", "Sam replied to “Kettle clicks off”", f"/t/{topic.id}?post=2"),
            (ana.id, "mention", "Sam mentioned you in “Gone”", "/t/999999?post=2"),
            (ana.id, "review_answer", "Acme answered your review", "/b/acme/p/k/r/4#reply-1"),
            (ana.id, "offer", "Acme: new kettles", "/b/acme"),
            (ana.id, "moderation", "Your post was hidden", "/appeal/3"),
        ]
        table = db.Table("notifications", db.MetaData(), *(db.Column(name) for name in columns))
        with db.engine.begin() as connection:
            connection.execute(
                insert(table),
                [dict(zip(columns, (*row, utcnow(), True), strict=True)) for row in rows],
            )
        upgrade()
        found = db.session.execute(
            select(
                Notification.thread_key,
                Notification.thread_title,
                Notification.brand_id,
                Notification.brand_name,
            )
            .where(Notification.user_id == ana.id)
            .order_by(Notification.id)
        ).all()
    assert [tuple(row) for row in found] == [
        (f"topic:{topic.id}", "Kettle clicks off", acme.id, "Acme"),
        # The topic is gone: its brand cannot be known.
        ("topic:999999", "Gone", None, None),
        ("review:4", None, acme.id, "Acme"),
        ("/b/acme", None, acme.id, "Acme"),
        ("/appeal/3", None, None, None),
    ]
