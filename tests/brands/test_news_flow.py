"""Product news with a preview, a test send, a confirmation, a history with delivery
counts, and scheduling (issue 13, point 5)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, BrandNews, NewsStatus, Role
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.notifications import emails
from fanhub.notifications.models import Frequency, Notification, NotificationKind
from fanhub.notifications.services import PermanentFailure, deliver_due_mail
from fanhub.permissions import SYSTEM
from tests import factories
from tests.brands.test_brand_news import OFFER, choose, compose, follow
from tests.reviews.conftest import make_product
from tests.stories import login_as

NEWS = "/b/northwind/news"


@pytest.fixture
def fans(app, shop, make_user):
    """Northwind's followers: two want its news by email at once, one in a weekly digest,
    one on the site only, one said no; the staff member follows and said yes too."""
    people = {
        name: make_user(name) for name in ("instant1", "instant2", "weekly", "onsite", "nothanks")
    }
    follow(app, shop.brand, *people.values(), shop.staff)
    for name in ("instant1", "instant2"):
        choose(app, people[name], {("offers", "email"): "instant"})
    choose(app, people["weekly"], {("offers", "email"): "weekly"})
    choose(app, people["onsite"], {("offers", "onsite"): "instant"})
    choose(app, shop.staff, {("offers", "email"): "instant"})
    return people


def offers(app) -> list[int]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(Notification.user_id).where(Notification.kind == NotificationKind.OFFER)
            )
        )


def news_row(app, path: str) -> BrandNews:
    return factories.load(app, BrandNews, int(path.rstrip("/").rsplit("/", 1)[1]))


def shown_count(page: str) -> int:
    match = re.search(r'name="audience"[^>]*value="(\d+)"', page)
    assert match, "no confirmation on the page"
    return int(match.group(1))


def test_the_preview_shows_the_email_as_followers_will_get_it(app, client, shop, fans):
    make_product(app, shop.brand, "kettle", name="Winter kettle")
    login_as(client, shop.staff)
    draft = compose(client, {**OFFER, "product": "kettle"})
    page = client.get(draft).get_data(as_text=True)
    assert 'data-testid="news-subject">Northwind: The winter kettle is here<' in page
    assert "Northwind: The winter kettle is here · Ten percent off this week." in page
    assert f'src="{draft}/email"' in page and "sandbox" in page
    # Nothing is sent by writing it.
    assert offers(app) == [] and factories.sent_emails(app) == []

    frame = client.get(draft + "/email")
    assert frame.status_code == 200
    html = frame.get_data(as_text=True)
    assert "Hello staff," in html and "Ten percent off this week." in html
    assert 'href="http://localhost/b/northwind/p/kettle"' in html and "See Winter kettle" in html
    policy = frame.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "frame-ancestors 'self'" in policy
    assert "script-src" not in policy  # default-src 'none': no script at all
    assert "X-Frame-Options" not in frame.headers


def test_a_test_send_goes_to_the_sender_only(app, client, shop, fans):
    login_as(client, shop.staff)
    draft = compose(client)
    response = client.post(draft + "/test")
    assert response.status_code == 302
    assert "A test is on its way to staff@example.com" in client.get(draft).get_data(as_text=True)
    [test] = factories.sent_emails(app)
    assert (test.to_address, test.kind) == ("staff@example.com", "brand_news_test")
    assert test.subject == "[Test] Northwind: The winter kettle is here"
    assert "List-Unsubscribe" in test.headers
    assert offers(app) == []
    assert news_row(app, draft).status is NewsStatus.DRAFT
    for _ in range(brands.TEST_SENDS_MAX - 1):
        client.post(draft + "/test")
    refused = client.post(draft + "/test")
    assert refused.status_code == 409
    assert 'id="test-error" role="alert">You have sent yourself 5 tests' in refused.get_data(
        as_text=True
    )
    assert len(factories.sent_emails(app)) == brands.TEST_SENDS_MAX


def test_the_confirmation_counts_who_would_get_it_and_a_stale_count_sends_nothing(
    app, client, shop, fans, make_user
):
    login_as(client, shop.staff)
    draft = compose(client)
    page = client.get(draft).get_data(as_text=True)
    # Four followers asked; the sender herself is never told of her own news.
    assert shown_count(page) == 4
    assert "It goes to <strong>4 followers</strong>" in page
    latecomer = make_user("latecomer")
    follow(app, shop.brand, latecomer)
    choose(app, latecomer, {("offers", "onsite"): "instant"})

    stale = client.post(draft + "/send", data={"audience": "4"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "is now 5, not 4" in page and 'id="send-error"' in page
    assert shown_count(page) == 5  # the button now carries the new number
    assert offers(app) == []
    assert client.post(draft + "/send", data={"audience": "5"}).status_code == 302
    assert len(offers(app)) == 5
    # Sent once: the same draft can't go twice.
    again = client.post(draft + "/send", data={"audience": "5"})
    assert again.status_code == 409
    assert len(offers(app)) == 5


def test_each_follower_is_told_as_they_chose_and_emailed_once(app, client, shop, fans, now):
    login_as(client, shop.staff)
    draft = compose(client)
    client.post(draft + "/send", data={"audience": "4"})
    news_emails = factories.sent_emails(app, "brand_news")
    assert sorted(e.to_address for e in news_emails) == [
        "instant1@example.com",
        "instant2@example.com",
    ]
    assert all("List-Unsubscribe" in e.headers for e in news_emails)
    assert "Hello instant1," in next(e for e in news_emails if "instant1" in e.to_address).body_text
    with app.app_context():
        # The notification emails and digests do not repeat it.
        instant = emails.queue_instant_emails(now=now + timedelta(hours=1))
        weekly = emails.send_digests(Frequency.WEEKLY, now=now + timedelta(days=7))
    assert instant.emails == 0
    assert weekly.members == 1
    [digest] = factories.sent_emails(app, "digest_weekly")
    assert digest.to_address == "weekly@example.com"
    assert "The winter kettle is here" in digest.body_text
    row = news_row(app, draft)
    assert (row.recipient_count, row.emailed_count) == (4, 2)


class _Refusing:
    """A mail server that refuses one address for good and takes the rest."""

    def __init__(self, refused: str) -> None:
        self.refused = refused
        self.sent: list[str] = []

    def send(self, message: EmailMessage) -> None:
        if message["To"] == self.refused:
            raise PermanentFailure("550 5.1.1 No such user here")
        self.sent.append(message["To"])

    def close(self) -> None:
        pass


def test_the_history_shows_what_went_with_the_outbox_s_delivery_counts(
    app, client, shop, fans, now
):
    login_as(client, shop.staff)
    draft = compose(client)
    client.post(draft + "/send", data={"audience": "4"})
    history = client.get(NEWS).get_data(as_text=True)
    assert "Waiting to go</dt><dd>2</dd>" in history
    with app.app_context():
        deliver_due_mail(
            now=now + timedelta(minutes=1), transport=_Refusing("instant2@example.com")
        )
    page = client.get(NEWS).get_data(as_text=True)
    listed = re.search(r'data-testid="news-history">(.*?)</ul>', page, re.S)
    assert listed
    text = re.sub(r"\s+", " ", listed.group(1))
    assert "The winter kettle is here" in text and "by staff" in text
    for label, count in (("Followers told", 4), ("Emailed at once", 2), ("Delivered", 1),
                         ("Failed", 1), ("Waiting to go", 0)):  # fmt: skip
        assert f"<dt>{label}</dt><dd>{count}</dd>" in text, label


def _local(zone: str, at: datetime) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def test_scheduled_news_is_stored_in_utc_and_sent_once_when_due(app, client, shop, fans, now):
    login_as(client, shop.staff)
    draft = compose(client)
    when = (now + timedelta(hours=3)).replace(second=0, microsecond=0)
    response = client.post(
        draft + "/schedule",
        data={"send_at": _local("America/New_York", when), "time_zone": "America/New_York"},
    )
    assert response.status_code == 302
    row = news_row(app, draft)
    assert (row.status, row.send_at, row.time_zone) == (
        NewsStatus.SCHEDULED,
        when,
        "America/New_York",
    )
    page = client.get(draft).get_data(as_text=True)
    assert f"Goes on {when.astimezone(ZoneInfo('America/New_York')):%d %b %Y at %H:%M}" in page
    assert "(America/New_York)" in client.get(NEWS).get_data(as_text=True)

    with app.app_context():
        early = brands.send_scheduled_news(now=when - timedelta(minutes=1))
        due = brands.send_scheduled_news(now=when)
        again = brands.send_scheduled_news(now=when + timedelta(minutes=1))
    assert (early.sent, due.sent, again.sent) == (0, 1, 0)
    assert due.recipients == 4
    assert len(offers(app)) == 4
    row = news_row(app, draft)
    assert (row.status, row.sent_at) == (NewsStatus.SENT, when)


def test_the_mail_worker_sends_scheduled_news(app, runner, shop, fans, now, time_machine):
    with app.app_context():
        staff = db.session.get(User, shop.staff.id)
        news = brands.save_news_draft(
            staff, db.session.get(Brand, shop.brand.id), brands.BrandNewsDraft("Sale", ""), now=now
        )
        brands.schedule_news(
            staff, news, (now + timedelta(hours=1)).replace(tzinfo=None), "UTC", now=now
        )
    time_machine.move_to(now + timedelta(hours=1, minutes=1), tick=False)
    first = runner.invoke(args=["send-mail"])
    assert first.exit_code == 0, first.output
    assert "sent 1 scheduled news to 4 followers" in first.output
    second = runner.invoke(args=["send-mail"])
    assert "scheduled news" not in second.output
    alone = runner.invoke(args=["send-scheduled-news"])
    assert "no scheduled news is due" in alone.output
    assert len(offers(app)) == 4
    # The two instant emails went out in the same run that sent the news.
    assert "sent 2," in first.output


def test_a_scheduled_send_can_be_cancelled_before_it_goes(app, client, shop, fans, now):
    login_as(client, shop.staff)
    draft = compose(client)
    later = now + timedelta(days=1)
    client.post(draft + "/schedule", data={"send_at": _local("UTC", later), "time_zone": "UTC"})
    assert client.post(draft + "/cancel").status_code == 302
    row = news_row(app, draft)
    assert (row.status, row.send_at) == (NewsStatus.DRAFT, None)
    with app.app_context():
        assert brands.send_scheduled_news(now=later + timedelta(hours=1)).sent == 0
    assert offers(app) == []
    # Once it has gone, it can't be called back.
    client.post(draft + "/send", data={"audience": "4"})
    refused = client.post(draft + "/cancel")
    assert refused.status_code == 409
    assert "already gone out" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("send_at", "zone", "message"),
    [
        ("past", "UTC", "Choose a time at least 5 minutes from now"),
        ("soon", "UTC", "Choose a time at least 5 minutes from now"),
        ("far", "UTC", "Schedule it at most 90 days ahead."),
        ("later", "Mars/Olympus_Mons", "Choose a time zone from the list."),
        ("", "UTC", "Choose a date and a time."),
        ("tomorrow at noon", "UTC", "Not a valid datetime value."),
    ],
)
def test_a_time_it_can_not_go_at_is_refused_with_the_choices_kept(
    app, client, shop, fans, now, send_at, zone, message
):
    moments = {
        "past": now - timedelta(hours=1),
        "soon": now + timedelta(minutes=2),
        "far": now + timedelta(days=91),
        "later": now + timedelta(days=1),
    }
    written = _local("UTC", moments[send_at]) if send_at in moments else send_at
    login_as(client, shop.staff)
    draft = compose(client)
    response = client.post(draft + "/schedule", data={"send_at": written, "time_zone": zone})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    if written:
        assert f'value="{written}"' in page  # what she typed is still there
    assert news_row(app, draft).status is NewsStatus.DRAFT


def test_a_time_the_clocks_skip_is_refused(app, shop, now):
    # Clocks in Paris go from 02:00 to 03:00 on the last Sunday of March.
    year = now.year + 1
    march_end = datetime(year, 3, 31)
    gap = (march_end - timedelta(days=(march_end.weekday() + 1) % 7)).replace(hour=2, minute=30)
    with app.app_context():
        staff = db.session.get(User, shop.staff.id)
        news = brands.save_news_draft(
            staff, db.session.get(Brand, shop.brand.id), brands.BrandNewsDraft("Sale", ""), now=now
        )
        with pytest.raises(Invalid, match="Clocks in Europe/Paris skip 02:30"):
            brands.schedule_news(staff, news, gap, "Europe/Paris", now=now)


def test_news_whose_sender_lost_her_role_goes_back_to_a_draft(app, shop, fans, now):
    with app.app_context():
        staff = db.session.get(User, shop.staff.id)
        brand = db.session.get(Brand, shop.brand.id)
        news = brands.save_news_draft(staff, brand, brands.BrandNewsDraft("Sale", ""), now=now)
        brands.schedule_news(
            staff, news, (now + timedelta(hours=1)).replace(tzinfo=None), "UTC", now=now
        )
        seat = next(
            s.grant_id
            for s in brands.team_page(SYSTEM, brand, now=now).seats
            if s.username == "staff"
        )
        brands.remove_role(SYSTEM, brand, seat, now=now)
        report = brands.send_scheduled_news(now=now + timedelta(hours=2))
    assert (report.sent, report.held) == (0, 1)
    assert offers(app) == []
    assert factories.load(app, BrandNews, news.id).status is NewsStatus.DRAFT


def test_sending_and_scheduling_share_the_brand_s_limit(app, client, shop, fans, now):
    login_as(client, shop.staff)
    later = _local("UTC", now + timedelta(days=1))
    first, second, third = compose(client), compose(client), compose(client)
    assert (
        client.post(first + "/schedule", data={"send_at": later, "time_zone": "UTC"}).status_code
        == 302
    )
    assert client.post(second + "/send", data={"audience": "4"}).status_code == 302
    assert client.post(third + "/send", data={"audience": "4"}).status_code == 429
    # A draft and a test cost nothing.
    assert client.post(third + "/test").status_code == 302


def test_a_draft_can_be_changed_and_deleted_until_it_goes(app, client, shop, fans):
    login_as(client, shop.staff)
    draft = compose(client)
    form = client.get(draft + "/edit").get_data(as_text=True)
    assert 'value="The winter kettle is here"' in form
    changed = client.post(draft + "/edit", data={**OFFER, "title": "Kettles, now warmer"})
    assert changed.headers["Location"] == draft
    assert news_row(app, draft).title == "Kettles, now warmer"
    assert client.post(draft + "/delete").status_code == 302
    assert client.get(draft).status_code == 404
    sent = compose(client)
    client.post(sent + "/send", data={"audience": "4"})
    assert client.post(sent + "/edit", data=OFFER).status_code == 409
    assert client.post(sent + "/delete").status_code == 409


def test_another_brand_s_news_is_not_found(app, client, shop, fans, now):
    login_as(client, shop.staff)
    draft = compose(client)
    with app.app_context():
        brands.add_role(
            SYSTEM,
            db.session.get(Brand, shop.other_brand.id),
            db.session.get(User, shop.staff.id),
            Role.STAFF,
            now=now,
        )
    other = draft.replace("/b/northwind/", "/b/acme/")
    assert client.get(other).status_code == 404
    assert client.post(other + "/send", data={"audience": "0"}).status_code == 404


def test_the_news_pages_cost_the_same_queries_however_much_was_sent(
    app, client, shop, fans, count_queries, now
):
    login_as(client, shop.staff)
    first = compose(client)
    client.post(first + "/send", data={"audience": "4"})
    with count_queries() as few:
        client.get(NEWS)
    with count_queries() as item_few:
        client.get(first)
    with app.app_context():
        staff = db.session.get(User, shop.staff.id)
        brand = db.session.get(Brand, shop.brand.id)
        for n in range(4):
            news = brands.save_news_draft(
                staff, brand, brands.BrandNewsDraft(f"News {n}", ""), now=now
            )
            brands.send_news(staff, news, expected=None, now=now)
    with count_queries() as many:
        client.get(NEWS)
    with count_queries() as item_many:
        client.get(first)
    assert len(many) == len(few)
    assert len(item_many) == len(item_few)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BrandNews)) == 5


def test_cancelling_news_that_was_never_scheduled_is_refused(app, shop, now):
    with app.app_context(), pytest.raises(Conflict):
        brands.cancel_news(
            SYSTEM,
            brands.save_news_draft(
                SYSTEM,
                db.session.get(Brand, shop.brand.id),
                brands.BrandNewsDraft("Sale", ""),
                now=now,
            ),
            now=now,
        )
