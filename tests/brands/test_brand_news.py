"""What a brand says to its followers: announcements to all of them, product news and
offers only to those who said yes (issue 6)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from fanhub.accounts.models import User, UserStatus
from fanhub.brands import services as brands
from fanhub.brands.models import Brand
from fanhub.db import transaction, utcnow
from fanhub.errors import Forbidden, Invalid
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, WatchLevel
from fanhub.notifications.models import ConsentSource, Notification, NotificationKind
from fanhub.notifications.preferences import set_preferences
from tests import factories
from tests.reviews.conftest import make_product
from tests.stories import login_as

NEWS = "/b/northwind/news"
OFFER = {"title": "The winter kettle is here", "body": "Ten percent off this week.", "product": ""}


def follow(app, brand, *people) -> None:
    with app.app_context():
        for person in people:
            brands.follow(
                db.session.get(User, person.id), db.session.get(Brand, brand.id), now=utcnow()
            )


def choose(app, person, choices) -> None:
    with app.app_context():
        member = db.session.get(User, person.id)
        set_preferences(member, member, choices, ConsentSource.PREFERENCE_CENTRE, now=utcnow())


def compose(client, data=OFFER) -> str:
    """Write the news (a draft, nothing sent yet); the path of its page."""
    response = client.post(NEWS, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


def send(client, data=OFFER):
    """Write the news, open its page and send it to the number of followers it shows."""
    page = compose(client, data)
    shown = re.search(r'name="audience"[^>]*value="(\d+)"', client.get(page).get_data(as_text=True))
    assert shown, "the news page shows no confirmation"
    return client.post(page + "/send", data={"audience": shown.group(1)})


def told(app, kind: NotificationKind) -> dict[int, tuple[str, str]]:
    """Who got a notification of `kind`: user id -> (message, url)."""
    with app.app_context():
        return {
            row.user_id: (row.message, row.url)
            for row in db.session.scalars(select(Notification).where(Notification.kind == kind))
        }


# ------------------------------------------------------------ announcements


def test_an_announcement_tells_every_follower_but_its_author(app, shop, make_user):
    fan, stranger = make_user("fan"), make_user("stranger")
    follow(app, shop.brand, fan, shop.member, shop.staff)
    topic = factories.make_topic(app, shop.announcements, shop.staff, title="Spring sale")
    got = told(app, NotificationKind.ANNOUNCEMENT)
    assert set(got) == {fan.id, shop.member.id}
    assert got[fan.id] == ("Northwind announced “Spring sale”", f"/t/{topic.id}")
    assert stranger.id not in got


def test_a_deleted_follower_is_not_told(app, shop, make_user):
    fan, gone = make_user("fan"), make_user("gone")
    follow(app, shop.brand, fan, gone)
    with app.app_context(), transaction():
        db.session.get(User, gone.id).status = UserStatus.DELETED
    factories.make_topic(app, shop.announcements, shop.staff, title="Spring sale")
    assert set(told(app, NotificationKind.ANNOUNCEMENT)) == {fan.id}


def test_a_topic_in_another_category_does_not_tell_followers(app, shop, make_user):
    fan = make_user("fan")
    follow(app, shop.brand, fan)
    factories.make_topic(app, shop.discussion, shop.staff, title="Let's talk kettles")
    assert told(app, NotificationKind.ANNOUNCEMENT) == {}
    assert fan.id not in told(app, NotificationKind.NEW_TOPIC)


def test_a_follower_watching_announcements_is_told_once_as_an_announcement(app, shop, make_user):
    fan = make_user("fan")
    follow(app, shop.brand, fan)
    with app.app_context():
        forums.set_category_watch(
            db.session.get(User, fan.id),
            db.session.get(Category, shop.announcements.id),
            WatchLevel.WATCHING,
        )
    factories.make_topic(app, shop.announcements, shop.staff, title="Spring sale")
    with app.app_context():
        kinds = db.session.scalars(
            select(Notification.kind).where(Notification.user_id == fan.id)
        ).all()
    assert kinds == [NotificationKind.ANNOUNCEMENT]


def test_a_follower_who_muted_announcements_is_not_told(app, shop, make_user):
    fan = make_user("fan")
    follow(app, shop.brand, fan)
    with app.app_context():
        forums.set_category_watch(
            db.session.get(User, fan.id),
            db.session.get(Category, shop.announcements.id),
            WatchLevel.MUTED,
        )
    factories.make_topic(app, shop.announcements, shop.staff, title="Spring sale")
    assert told(app, NotificationKind.ANNOUNCEMENT) == {}


# ------------------------------------------------------------ product news and offers


@pytest.fixture
def audience(app, shop, make_user):
    """Northwind's followers, some of whom said yes to product news and offers."""
    by_email, on_site, no, changed_mind = (
        make_user("byemail"),
        make_user("onsite"),
        make_user("nothanks"),
        make_user("changedmind"),
    )
    elsewhere = make_user("elsewhere")  # said yes, but follows no one
    follow(app, shop.brand, by_email, on_site, no, changed_mind, shop.staff)
    choose(app, by_email, {("offers", "email"): "weekly"})
    choose(app, on_site, {("offers", "onsite"): "instant"})
    choose(app, changed_mind, {("offers", "email"): "instant"})
    choose(app, changed_mind, {("offers", "email"): "never"})
    choose(app, elsewhere, {("offers", "email"): "instant"})
    choose(app, shop.staff, {("offers", "email"): "instant"})
    return {"yes": {by_email.id, on_site.id}, "others": {no.id, changed_mind.id, elsewhere.id}}


def test_news_reaches_only_the_followers_who_said_yes(app, client, shop, audience):
    login_as(client, shop.staff)
    response = send(client)
    assert response.status_code == 302
    assert "Sent to 2 followers." in client.get(response.headers["Location"]).get_data(as_text=True)
    got = told(app, NotificationKind.OFFER)
    # Not the sender either, though she follows and said yes.
    assert set(got) == audience["yes"]
    message, url = next(iter(got.values()))
    assert message == "Northwind: The winter kettle is here · Ten percent off this week."
    assert url == "/b/northwind"


def test_the_form_tells_staff_how_many_followers_will_get_it(app, client, shop, audience):
    login_as(client, shop.staff)
    page = client.get(NEWS).get_data(as_text=True)
    # The sender herself counts: she is one of the followers who said yes.
    assert "3 followers</strong> asked for product news" in page


def test_news_may_link_to_one_of_the_brand_s_products(app, client, shop, audience):
    kettle = make_product(app, shop.brand, "kettle")
    login_as(client, shop.staff)
    send(client, {**OFFER, "product": kettle.slug})
    assert {url for _, url in told(app, NotificationKind.OFFER).values()} == {
        "/b/northwind/p/kettle"
    }


def test_another_brand_s_product_is_refused_and_nothing_is_sent(app, client, shop, audience):
    make_product(app, shop.other_brand, "anvil")
    login_as(client, shop.staff)
    response = client.post(NEWS, data={**OFFER, "product": "anvil"})
    assert response.status_code == 400
    assert "Northwind has no such product." in response.get_data(as_text=True)
    assert told(app, NotificationKind.OFFER) == {}


def test_news_without_a_title_is_refused(app, shop, audience, now):
    with app.app_context(), pytest.raises(Invalid, match="title"):
        brands.send_brand_news(
            db.session.get(User, shop.staff.id),
            db.session.get(Brand, shop.brand.id),
            brands.BrandNewsDraft("  ", "Hello"),
            now=now,
        )
    assert told(app, NotificationKind.OFFER) == {}


@pytest.mark.parametrize("who", ["member", "moderator", "other_staff"])
def test_only_the_brand_s_team_sends_news(app, client, shop, audience, who, now):
    refusal = "Only the brand's staff can send product news"
    with app.app_context(), pytest.raises(Forbidden, match=refusal):
        brands.send_brand_news(
            db.session.get(User, shop.person(who).id),
            db.session.get(Brand, shop.brand.id),
            brands.BrandNewsDraft("Sale", ""),
            now=now,
        )
    login_as(client, shop.person(who))
    assert client.get(NEWS).status_code == 403
    assert told(app, NotificationKind.OFFER) == {}


def test_news_is_limited_per_brand_and_a_refused_try_costs_nothing(app, client, shop, audience):
    login_as(client, shop.staff)
    assert client.post(NEWS, data={**OFFER, "title": ""}).status_code == 400
    draft = compose(client)
    # A send whose count is out of date is refused, and costs nothing.
    assert client.post(draft + "/send", data={"audience": "99"}).status_code == 409
    assert client.post(draft + "/send", data={"audience": "2"}).status_code == 302
    client.post("/logout")
    login_as(client, shop.owner)  # another of the team: the limit is the brand's
    assert send(client).status_code == 302
    assert send(client).status_code == 429
    with app.app_context():
        offers = db.session.scalars(
            select(Notification.user_id).where(Notification.kind == NotificationKind.OFFER)
        ).all()
    # Two sends: each follower who said yes got each once (the owner's reached staff too).
    assert sorted(offers) == sorted([*audience["yes"], *audience["yes"], shop.staff.id])


def test_the_fan_page_offers_news_to_the_team_only(client, shop):
    login_as(client, shop.staff)
    assert f'href="{NEWS}"' in client.get("/b/northwind").get_data(as_text=True)
    client.post("/logout")
    login_as(client, shop.member)
    assert f'href="{NEWS}"' not in client.get("/b/northwind").get_data(as_text=True)


def test_the_audience_costs_the_same_queries_however_many_follow(
    app, client, shop, make_user, count_queries
):
    login_as(client, shop.staff)
    with count_queries() as few:
        client.get(NEWS)
    fans = [make_user() for _ in range(6)]
    follow(app, shop.brand, *fans)
    for fan in fans:
        choose(app, fan, {("offers", "email"): "instant"})
    with count_queries() as many:
        client.get(NEWS)
    assert len(many) == len(few)
