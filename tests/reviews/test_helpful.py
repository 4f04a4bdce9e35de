"""Helpful votes: one per member per review, never your own, counted in the row."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fanhub.extensions import db
from fanhub.reviews.models import Review, ReviewVote
from tests.factories import load
from tests.reviews.conftest import write_review
from tests.stories import login_as


def _url(review, undo=False):
    return f"/b/northwind/p/kettle/r/{review.id}/helpful" + ("/undo" if undo else "")


def _votes(app, review):
    with app.app_context():
        return db.session.scalar(select(func.count()).where(ReviewVote.review_id == review.id))


def test_a_member_marks_a_review_helpful_and_it_counts(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 4)
    login_as(client, shop.other_member)
    response = client.post(_url(review), data={"back": "product"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/b/northwind/p/kettle#review-{review.id}")
    assert load(app, Review, review.id).helpful_count == 1 == _votes(app, review)
    page = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    assert "1 person found this helpful" in page
    assert 'aria-pressed="true"' in page


def test_taking_the_vote_back_uncounts_it(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 4)
    login_as(client, shop.other_member)
    client.post(_url(review))
    assert client.post(_url(review, undo=True)).status_code == 302
    assert load(app, Review, review.id).helpful_count == 0 == _votes(app, review)


def test_voting_twice_is_a_conflict_and_counts_once(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 4)
    login_as(client, shop.other_member)
    client.post(_url(review))
    response = client.post(_url(review))
    assert response.status_code == 409
    assert "You already marked this review as helpful." in response.get_data(as_text=True)
    assert load(app, Review, review.id).helpful_count == 1 == _votes(app, review)


def test_taking_back_a_vote_never_given_is_a_conflict(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 4)
    login_as(client, shop.other_member)
    response = client.post(_url(review, undo=True))
    assert response.status_code == 409
    assert "You had not marked this review as helpful." in response.get_data(as_text=True)
    assert load(app, Review, review.id).helpful_count == 0


def test_a_member_cannot_vote_for_her_own_review(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 4)
    login_as(client, shop.member)
    response = client.post(_url(review))
    assert response.status_code == 403
    assert "can&#39;t vote for your own review" in response.get_data(as_text=True)
    assert load(app, Review, review.id).helpful_count == 0 == _votes(app, review)
    page = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    assert _url(review) not in page


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_the_brands_team_cannot_push_reviews_up_the_helpful_sort(app, client, shop, catalog, who):
    review = write_review(app, catalog.kettle, shop.member, 5)
    login_as(client, shop.person(who))
    response = client.post(_url(review))
    assert response.status_code == 403
    assert "can&#39;t vote on reviews of its products" in response.get_data(as_text=True)
    assert load(app, Review, review.id).helpful_count == 0


def test_a_review_that_is_not_published_cannot_be_voted_on(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 4)
    with app.app_context():
        db.session.get(Review, review.id).status = "removed"
        db.session.commit()
    login_as(client, shop.other_member)
    assert client.post(_url(review)).status_code == 404


def test_votes_for_a_review_of_an_unknown_product_are_404(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 4)
    login_as(client, shop.other_member)
    assert client.post(f"/b/northwind/p/toaster/r/{review.id}/helpful").status_code == 404
    assert client.post(f"/b/acme/p/kettle/r/{review.id}/helpful").status_code == 404
    assert client.post("/b/northwind/p/kettle/r/999999/helpful").status_code == 404


def test_the_most_helpful_reviews_come_first(app, client, shop, catalog, make_user):
    plain = write_review(app, catalog.kettle, shop.member, 5, title="Plain")
    useful = write_review(app, catalog.kettle, shop.other_member, 2, title="Useful")
    for n in range(2):
        voter = make_user(f"voter{n}")
        c = app.test_client()
        login_as(c, voter)
        c.post(_url(useful))
    page = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    assert page.index(f'id="review-{useful.id}"') < page.index(f'id="review-{plain.id}"')
    assert "2 people found this helpful" in page
