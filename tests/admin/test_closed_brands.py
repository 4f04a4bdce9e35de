"""A closed brand (issue 13): off the directory, its fan page says so, and nobody but site
admins may post, reply, review or follow there; its pages stay up to read."""

from __future__ import annotations

from typing import Any

import pytest

from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand
from fanhub.brands.services import lifecycle
from fanhub.errors import Forbidden
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Topic
from fanhub.reviews import services as reviews
from tests import factories
from tests.reviews.conftest import LONG_ENOUGH, make_product, write_review
from tests.stories import login_as

CLOSED = "Northwind is closed: you can read what is here"


@pytest.fixture
def closed_shop(app, shop, now) -> Any:
    """Northwind with a topic and a reviewed kettle, then closed by the site admin."""
    topic = factories.make_topic(app, shop.discussion, shop.other_member)
    kettle = make_product(app, shop.brand, "kettle")
    review = write_review(app, kettle, shop.other_member)
    with app.app_context():
        lifecycle.close_brand(
            db.session.get(User, shop.admin.id), db.session.get(Brand, shop.brand.id), now=now
        )
    return {"topic": topic, "kettle": kettle, "review": review}


def _writes(person: User, shop: Any, made: dict[str, Any], now: Any) -> dict[str, Any]:
    """Each way of taking part in the brand, for `person`, inside an app context."""
    return {
        "start a topic": lambda: forums.start_topic(
            person, db.session.get(Category, shop.discussion.id),
            forums.TopicDraft("Still open?", "Is anyone here?"), now=now,
        ),
        "reply": lambda: forums.reply_to_topic(
            person, db.session.get(Topic, made["topic"].id), forums.ReplyDraft("Hello?"), now=now
        ),
        "review": lambda: reviews.submit_review(
            person, reviews.access_product("northwind", "kettle"),
            reviews.ReviewDraft(5, "", LONG_ENOUGH), now=now,
        ),
        "reply to a review": lambda: reviews.reply_to_review(
            person, reviews.access_review(made["review"].id), "Same here.", now=now
        ),
        "follow": lambda: brands.follow(person, db.session.get(Brand, shop.brand.id), now=now),
    }  # fmt: skip


@pytest.mark.parametrize(
    "write", ["start a topic", "reply", "review", "reply to a review", "follow"]
)
def test_nobody_but_site_admins_takes_part_in_a_closed_brand(app, shop, closed_shop, now, write):
    with app.app_context():
        member = db.session.get(User, shop.member.id)
        with pytest.raises(Forbidden, match=CLOSED):
            _writes(member, shop, closed_shop, now)[write]()
        # Its own team too: a closed brand is closed for its staff.
        staff = db.session.get(User, shop.staff.id)
        with pytest.raises(Forbidden, match=CLOSED):
            _writes(staff, shop, closed_shop, now)[write]()


@pytest.mark.parametrize("write", ["start a topic", "reply", "reply to a review", "follow"])
def test_a_site_admin_still_may(app, shop, closed_shop, now, write):
    with app.app_context():
        _writes(db.session.get(User, shop.admin.id), shop, closed_shop, now)[write]()


def test_reopened_it_takes_members_again(app, shop, closed_shop, now):
    with app.app_context():
        lifecycle.reopen_brand(
            db.session.get(User, shop.admin.id), db.session.get(Brand, shop.brand.id), now=now
        )
        member = db.session.get(User, shop.member.id)
        for write in _writes(member, shop, closed_shop, now).values():
            write()


def test_a_fan_may_still_stop_following_a_closed_brand(app, client, shop, now):
    with app.app_context():
        brands.follow(
            db.session.get(User, shop.member.id), db.session.get(Brand, shop.brand.id), now=now
        )
        lifecycle.close_brand(
            db.session.get(User, shop.admin.id), db.session.get(Brand, shop.brand.id), now=now
        )
    login_as(client, shop.member)

    page = client.get("/b/northwind").get_data(as_text=True)
    assert "/b/northwind/unfollow" in page
    assert client.post("/b/northwind/unfollow").status_code == 302
    assert factories.load(app, Brand, shop.brand.id).follower_count == 0


def test_a_closed_brand_is_off_the_directory_but_its_pages_stay_up(app, client, shop, closed_shop):
    directory = client.get("/").get_data(as_text=True)
    assert "/b/acme" in directory and "/b/northwind" not in directory

    fan_page = client.get("/b/northwind")
    assert fan_page.status_code == 200
    assert 'data-testid="brand-closed"' in fan_page.get_data(as_text=True)
    assert client.get(f"/t/{closed_shop['topic'].id}").status_code == 200


def test_its_pages_say_why_instead_of_offering_a_form(app, client, shop, closed_shop):
    login_as(client, shop.member)

    fan_page = client.get("/b/northwind").get_data(as_text=True)
    topic = client.get(f"/t/{closed_shop['topic'].id}").get_data(as_text=True)
    category = client.get("/b/northwind/c/discussion").get_data(as_text=True)

    assert "/b/northwind/follow" not in fan_page
    assert CLOSED in topic and f'action="/t/{closed_shop["topic"].id}/reply"' not in topic
    assert "/b/northwind/c/discussion/new" not in category


def test_a_post_to_a_closed_brand_is_refused_with_the_reason(app, client, shop, closed_shop):
    login_as(client, shop.member)

    response = client.post(f"/t/{closed_shop['topic'].id}/reply", data={"body": "Hello?"})

    assert response.status_code == 403
    assert CLOSED in response.get_data(as_text=True)
