"""Claims: one person on an item at a time, for an hour, and the desk shows who."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.errors import Conflict, NotFound
from fanhub.extensions import db
from fanhub.staff import services
from fanhub.staff.models import Claim, ClaimTarget
from tests import factories
from tests.stories import login_as


def _claim(app, who, brand, kind, target_id, *, now):
    with app.app_context():
        return services.claim(
            db.session.get(User, who.id), db.session.get(Brand, brand.id), kind, target_id, now=now
        )


def _release(app, who, brand, kind, target_id, *, now):
    with app.app_context():
        return services.release(
            db.session.get(User, who.id), db.session.get(Brand, brand.id), kind, target_id, now=now
        )


@pytest.fixture
def waiting(app, shop, desk_now):
    # On the desk's clock (a Friday noon), so a claim made now runs until 13:00 UTC.
    return factories.make_topic(app, shop.support, shop.member, title="My kettle leaks")


def test_a_claim_lasts_an_hour_and_names_the_item(app, shop, waiting, desk_now):
    held = _claim(app, shop.staff, shop.brand, ClaimTarget.TOPIC, waiting.id, now=desk_now)
    assert held.title == "My kettle leaks"
    assert held.until == desk_now + timedelta(hours=1)
    assert held.until_label == "13:00 UTC"


def test_a_colleague_claiming_a_held_item_is_told_who_is_on_it(app, shop, waiting, desk_now):
    _claim(app, shop.staff, shop.brand, ClaimTarget.TOPIC, waiting.id, now=desk_now)
    with pytest.raises(Conflict, match=r"staff is already answering this \(until 13:00 UTC\)"):
        _claim(
            app,
            shop.owner,
            shop.brand,
            ClaimTarget.TOPIC,
            waiting.id,
            now=desk_now + timedelta(minutes=59),
        )


def test_an_expired_claim_is_taken_over_in_the_same_row(app, shop, waiting, desk_now):
    _claim(app, shop.staff, shop.brand, ClaimTarget.TOPIC, waiting.id, now=desk_now)
    later = desk_now + timedelta(minutes=61)
    held = _claim(app, shop.owner, shop.brand, ClaimTarget.TOPIC, waiting.id, now=later)
    assert held.holder_id == shop.owner.id
    with app.app_context():
        rows = db.session.scalars(db.select(Claim).where(Claim.target_id == waiting.id)).all()
        assert [(r.staff_id, r.expires_at) for r in rows] == [
            (shop.owner.id, later + timedelta(hours=1))
        ]


def test_claiming_again_extends_ones_own_claim(app, shop, waiting, desk_now):
    _claim(app, shop.staff, shop.brand, ClaimTarget.TOPIC, waiting.id, now=desk_now)
    held = _claim(
        app,
        shop.staff,
        shop.brand,
        ClaimTarget.TOPIC,
        waiting.id,
        now=desk_now + timedelta(minutes=30),
    )
    assert held.until == desk_now + timedelta(minutes=90)


def test_an_answered_topic_cannot_be_claimed(app, shop, waiting, desk_now):
    factories.reply(app, waiting, shop.staff, body="Sorry about that, here is a new one.")
    with pytest.raises(Conflict, match="already has an official answer"):
        _claim(app, shop.owner, shop.brand, ClaimTarget.TOPIC, waiting.id, now=desk_now)


def test_another_brands_topic_is_not_on_this_desk(app, shop, desk_now):
    elsewhere = factories.make_category(app, shop.other_brand)
    topic = factories.make_topic(app, elsewhere, shop.member)
    with pytest.raises(NotFound):
        _claim(app, shop.staff, shop.brand, ClaimTarget.TOPIC, topic.id, now=desk_now)


def test_a_review_can_be_claimed_and_released(app, shop, desk_data, desk_now):
    review = desk_data.reviews["r2"]
    held = _claim(app, shop.staff, shop.brand, ClaimTarget.REVIEW, review.id, now=desk_now)
    assert held.title == review.title
    assert (
        _release(app, shop.staff, shop.brand, ClaimTarget.REVIEW, review.id, now=desk_now)
        == review.title
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Claim)) == 0


def test_only_the_holder_releases_a_live_claim(app, shop, waiting, desk_now):
    _claim(app, shop.staff, shop.brand, ClaimTarget.TOPIC, waiting.id, now=desk_now)
    with pytest.raises(Conflict, match="only they can release it"):
        _release(app, shop.owner, shop.brand, ClaimTarget.TOPIC, waiting.id, now=desk_now)
    # Once it has expired anyone may clear it.
    _release(
        app,
        shop.owner,
        shop.brand,
        ClaimTarget.TOPIC,
        waiting.id,
        now=desk_now + timedelta(hours=2),
    )


def test_the_desk_shows_a_colleagues_claim_and_sinks_it_below_free_items(app, client, shop, now):
    older = factories.make_topic(
        app, shop.support, shop.member, title="Oldest question", now=now - timedelta(days=2)
    )
    newer = factories.make_topic(
        app, shop.support, shop.member, title="Newer question", now=now - timedelta(days=1)
    )
    # Claimed at the test's moment; the desk page is drawn at its request's, a little later.
    with app.app_context():
        services.claim(
            db.session.get(User, shop.owner.id), db.session.get(Brand, shop.brand.id),
            ClaimTarget.TOPIC, older.id, now=now,
        )  # fmt: skip
    login_as(client, shop.staff)
    page = client.get("/b/northwind/staff").get_data(as_text=True)
    assert page.index("Newer question") < page.index("Oldest question")
    assert "owner is on it (until" in page
    assert f'id="topic-{newer.id}"' in page


def test_claiming_from_the_desk_confirms_what_it_did(app, client, shop, waiting):
    login_as(client, shop.staff)
    response = client.post(f"/b/northwind/staff/claim/topic/{waiting.id}", data={"days": "7"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/b/northwind/staff?days=7#topic-{waiting.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You&#39;re on “My kettle leaks” until" in page
    assert "You're on it (until" in page
    response = client.post(f"/b/northwind/staff/release/topic/{waiting.id}", follow_redirects=True)
    assert "Released “My kettle leaks”: a colleague can take it now." in response.get_data(
        as_text=True
    )


def test_a_claim_lost_to_a_colleague_returns_to_the_desk_with_the_reason(
    app, client, shop, waiting, now
):
    with app.app_context():
        services.claim(
            db.session.get(User, shop.owner.id), db.session.get(Brand, shop.brand.id),
            ClaimTarget.TOPIC, waiting.id, now=now,
        )  # fmt: skip
    login_as(client, shop.staff)
    response = client.post(f"/b/northwind/staff/claim/topic/{waiting.id}")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "owner is already answering this" in page


def test_an_unknown_kind_of_item_is_not_found(client, shop):
    login_as(client, shop.staff)
    assert client.post("/b/northwind/staff/claim/banana/1").status_code == 404
