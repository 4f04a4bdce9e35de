"""A review write tells the widget after its commit: a visitor sees a published review at
once, and a write that does not commit changes nothing a visitor is served."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.db import transaction, utcnow
from fanhub.extensions import cache, db
from fanhub.reviews import services, widget
from fanhub.reviews.models import Product, Review
from tests.embed.support import json_url
from tests.factories import make_new_members
from tests.reviews.conftest import write_review
from tests.stories import login_as

KETTLE_KEY = widget.summary_key("northwind", "kettle")


def _cached(app) -> bool:
    with app.app_context():
        return cache.get(KETTLE_KEY) is not None


def test_a_visitor_s_widget_shows_a_new_review_as_soon_as_it_is_published(client, shop, catalog):
    before = client.get(json_url(catalog.kettle))
    assert before.json["rating"]["count"] == 0

    review = write_review(client.application, catalog.kettle, shop.member, 4, title="Solid")

    after = client.get(json_url(catalog.kettle))
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.json["rating"]["count"] == 1
    assert [shown["id"] for shown in after.json["reviews"]] == [review.id]


def test_a_review_a_moderator_approves_reaches_the_widget_at_once(client, shop, catalog):
    app = client.application
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    make_new_members(app, shop.member)
    review = write_review(app, catalog.kettle, shop.member, 2)
    assert client.get(json_url(catalog.kettle)).json["rating"]["count"] == 0

    login_as(client, shop.moderator)
    client.post(f"/b/northwind/p/kettle/r/{review.id}/approve", data={"back": "pending"})

    assert client.get(json_url(catalog.kettle)).json["rating"]["count"] == 1


def test_the_summary_is_forgotten_only_once_the_write_has_committed(
    app, client, shop, catalog, monkeypatch
):
    client.get(json_url(catalog.kettle))
    cached_at_commit: list[bool] = []
    with app.app_context():
        session = db.session()
        commit = session.commit

        def noting_commit() -> None:
            cached_at_commit.append(cache.get(KETTLE_KEY) is not None)
            commit()

        monkeypatch.setattr(session, "commit", noting_commit)
        services.submit_review(
            db.session.get(User, shop.member.id),
            db.session.get(Product, catalog.kettle.id),
            services.ReviewDraft(5, "", "It does what it says and it does it well."),
            now=utcnow(),
        )

    assert cached_at_commit == [True]
    assert not _cached(app)


def test_a_write_whose_commit_fails_forgets_nothing_then_or_later(
    app, client, shop, catalog, monkeypatch
):
    review = write_review(app, catalog.kettle, shop.member, 3)
    client.get(json_url(catalog.kettle))
    with app.app_context():
        session = db.session()

        def failing_commit() -> None:
            raise OperationalError("COMMIT", {}, Exception("the database went away"))

        monkeypatch.setattr(session, "commit", failing_commit)
        with pytest.raises(OperationalError):
            services.vote_helpful(
                db.session.get(User, shop.other_member.id),
                db.session.get(Review, review.id),
                now=utcnow(),
            )
        monkeypatch.undo()
        with transaction():  # the next write that commits hears nothing of the failed one
            pass

    assert _cached(app)
    assert client.get(json_url(catalog.kettle)).json["reviews"][0]["helpful"] == 0


def test_a_refused_write_forgets_nothing(client, shop, catalog):
    app = client.application
    review = write_review(app, catalog.kettle, shop.member, 3)
    client.get(json_url(catalog.kettle))
    login_as(client, shop.member)

    response = client.post(f"/b/northwind/p/kettle/r/{review.id}/helpful")

    assert response.status_code == 403
    assert _cached(app)
