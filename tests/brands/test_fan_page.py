"""The fan page: following, editing its text and colour, and what it lists."""

from __future__ import annotations

import pytest

from fanhub.brands.models import Brand
from fanhub.extensions import cache
from tests.factories import load, make_topic
from tests.stories import login_as


def test_following_counts_once_and_unfollowing_takes_it_back(app, client, shop):
    login_as(client, shop.member)
    client.post("/b/northwind/follow")
    client.post("/b/northwind/follow")
    assert load(app, Brand, shop.brand.id).follower_count == 1
    page = client.get("/b/northwind").get_data(as_text=True)
    assert 'data-testid="follower-count">1 follower<' in page
    assert ">Following</button>" in page
    client.post("/b/northwind/unfollow")
    assert load(app, Brand, shop.brand.id).follower_count == 0


def test_following_needs_a_login(client, shop):
    response = client.post("/b/northwind/follow")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_staff_edit_the_page_text_and_colour(app, client, shop):
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/edit",
        data={
            "tagline": "Roasted Tuesdays",
            "description": "We **love** coffee.",
            "accent_color": "#AA3300",
        },
    )
    assert response.status_code == 302
    page = client.get("/b/northwind").get_data(as_text=True)
    assert "Roasted Tuesdays" in page
    assert "We <strong>love</strong> coffee." in page
    theme = client.get("/b/northwind/theme.css")
    assert theme.mimetype == "text/css"
    assert "--accent: #aa3300;" in theme.get_data(as_text=True)


@pytest.mark.parametrize("color", ["red", "#12345", "#1234567", "#ggg000", "#000;}body{x"])
def test_a_bad_colour_is_refused_at_the_field(app, client, shop, color):
    login_as(client, shop.owner)
    response = client.post(
        "/b/northwind/edit", data={"tagline": "", "description": "", "accent_color": color}
    )
    assert response.status_code == 400
    assert load(app, Brand, shop.brand.id).accent_color == "#5b3df5"


@pytest.mark.parametrize("who", ["member", "moderator", "other_staff"])
def test_only_owners_and_staff_edit_the_page(client, shop, who):
    login_as(client, shop.person(who))
    assert client.get("/b/northwind/edit").status_code == 403


def test_the_fan_page_lists_categories_announcements_and_recent_topics(app, client, shop):
    make_topic(app, shop.announcements, shop.staff, title="Winter blend is here")
    make_topic(app, shop.support, shop.member, title="Where is my order now")
    page = client.get("/b/northwind").get_data(as_text=True)
    announcements = page.split("<h2>Announcements</h2>")[1].split("</section>")[0]
    assert "Winter blend is here" in announcements
    recent = page.split("<h2>Recent activity</h2>")[1].split("</section>")[0]
    assert "Where is my order now" in recent
    assert shop.support.name in page
    assert "1 topic · 1 post" in page


def test_fan_page_queries_do_not_grow_with_content(app, client, shop, count_queries, make_user):
    login_as(client, shop.member)
    client.post("/b/northwind/follow")
    with app.app_context():
        cache.clear()  # count the worst case: the responsiveness figures computed afresh
    with count_queries() as few:
        client.get("/b/northwind")
    for n in range(12):
        make_topic(
            app,
            shop.support,
            shop.other_member,
            title=f"Question number {n}",
            replies=2,
            repliers=[shop.staff],
        )
        make_topic(app, shop.announcements, shop.staff, title=f"News number {n}")
    with app.app_context():
        cache.clear()
    with count_queries() as many:
        client.get("/b/northwind")
    assert len(many) == len(few) + 1  # the median query runs once any topic is answered
    assert len(many) <= 11
    with count_queries() as warm:
        client.get("/b/northwind")
    assert len(warm) <= 9  # responsiveness comes from the cache for a few minutes


def test_responsiveness_is_recomputed_after_a_few_minutes_not_on_every_visit(
    app, client, shop, monkeypatch
):
    client.get("/b/northwind")
    make_topic(app, shop.support, shop.member, title="Where is my order now")
    make_topic(
        app, shop.support, shop.member, title="Broken handle on arrival", replies=1,
        repliers=[shop.staff],
    )  # fmt: skip
    page = client.get("/b/northwind").get_data(as_text=True)
    assert 'data-testid="responsiveness"' not in page  # the figures from the first visit
    with app.app_context():
        cache.delete(f"responsiveness:{shop.brand.id}")  # as the timeout does
    page = client.get("/b/northwind").get_data(as_text=True)
    assert "Answers 50% of questions" in page


@pytest.mark.parametrize(("color", "text"), [("#ffd400", "#000000"), ("#1a237e", "#ffffff")])
def test_text_on_the_accent_colour_stays_readable(app, client, shop, color, text):
    login_as(client, shop.owner)
    client.post("/b/northwind/edit", data={"tagline": "", "description": "", "accent_color": color})
    assert f"--accent-contrast: {text};" in client.get("/b/northwind/theme.css").get_data(
        as_text=True
    )
