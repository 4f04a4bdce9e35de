"""Writing a review: one per member per product, whole stars, edits that keep history."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.reviews.models import Review, ReviewRevision, ReviewStatus
from tests.factories import load, make_new_members
from tests.reviews.conftest import LONG_ENOUGH, counters, write_review
from tests.stories import login_as

URL = "/b/northwind/p/kettle/review"
GOOD = {"stars": "4", "title": "Boils fast", "body": "Boils a litre in under three minutes."}


def _reviews(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Review))


def test_a_member_writes_a_review_and_it_counts_at_once(app, client, shop, catalog):
    login_as(client, shop.member)
    response = client.post(URL, data=GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/b/northwind/p/kettle#your-review")
    page = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    assert "Thanks for your review." in page
    assert "Boils a litre in under three minutes." in page
    assert counters(app, catalog.kettle) == (1, 4, {5: 0, 4: 1, 3: 0, 2: 0, 1: 0})


def test_the_write_page_offers_five_star_choices(client, shop, catalog):
    login_as(client, shop.member)
    page = client.get(URL).get_data(as_text=True)
    for n in range(1, 6):
        assert f'type="radio" value="{n}"' in page
    assert "Post review" in page


@pytest.mark.parametrize(
    "stars", ["0", "6", "4.5", "five", "", "99999999999999999999", "-1", " ", "٤"]
)
def test_a_rating_that_is_not_a_whole_number_from_one_to_five_is_refused(
    app, client, shop, catalog, stars
):
    login_as(client, shop.member)
    response = client.post(URL, data={**GOOD, "stars": stars})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="stars-error">Choose a rating from 1 to 5 stars.' in page
    assert _reviews(app) == 0
    assert counters(app, catalog.kettle)[0] == 0


def test_a_missing_rating_is_refused_too(app, client, shop, catalog):
    login_as(client, shop.member)
    response = client.post(URL, data={"title": "x", "body": GOOD["body"]})
    assert response.status_code == 400
    assert "Choose a rating from 1 to 5 stars." in response.get_data(as_text=True)
    assert _reviews(app) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": "Too short."}, "at least 20 characters"),
        ({"body": "x" * 10_001}, "Reviews are limited to 10,000 characters."),
        ({"title": "x" * 121}, "Keep the title to 120 characters."),
    ],
)
def test_a_title_or_body_outside_its_limits_is_refused(app, client, shop, catalog, fields, message):
    login_as(client, shop.member)
    response = client.post(URL, data={**GOOD, **fields})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _reviews(app) == 0


def test_a_rating_and_a_short_body_are_both_reported_at_once(client, shop, catalog):
    login_as(client, shop.member)
    page = client.post(URL, data={"stars": "0", "body": "meh"}).get_data(as_text=True)
    assert "Choose a rating from 1 to 5 stars." in page
    assert "at least 20 characters" in page


def test_a_second_first_review_from_a_stale_form_is_a_conflict_and_changes_nothing(
    app, client, shop, catalog
):
    first = write_review(
        app, catalog.kettle, shop.member, 2, body="The lid broke on day one, sadly."
    )
    login_as(client, shop.member)
    response = client.post(URL, data=GOOD)  # no review_id: the form predates her review
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "You have already reviewed this product" in page
    # Her text is still in the box, and saving again now edits the review she has.
    assert "Boils a litre in under three minutes." in page
    assert f'name="review_id" type="hidden" value="{first.id}"' in page
    stored = load(app, Review, first.id)
    assert (stored.stars, stored.body) == (2, "The lid broke on day one, sadly.")
    assert counters(app, catalog.kettle)[:2] == (1, 2)


def test_writing_again_edits_the_one_review(app, client, shop, catalog):
    first = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, shop.member)
    form = client.get(URL).get_data(as_text=True)
    assert "Edit your review of Northwind Kettle" in form
    assert f'value="{first.id}"' in form
    response = client.post(URL, data={**GOOD, "review_id": str(first.id)})
    assert response.status_code == 302
    assert _reviews(app) == 1
    assert counters(app, catalog.kettle) == (1, 4, {5: 0, 4: 1, 3: 0, 2: 0, 1: 0})
    assert "Your review is updated." in client.get("/b/northwind/p/kettle").get_data(as_text=True)


def test_a_member_cannot_edit_someone_elses_review_through_the_form(app, client, shop, catalog):
    theirs = write_review(app, catalog.kettle, shop.other_member, 1)
    login_as(client, shop.member)
    response = client.post(URL, data={**GOOD, "review_id": str(theirs.id)})
    assert response.status_code == 404
    assert load(app, Review, theirs.id).stars == 1


def test_edits_keep_history_and_the_history_page_shows_it(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 3, title="Fine", body=LONG_ENOUGH)
    login_as(client, shop.member)
    client.post(URL, data={**GOOD, "review_id": str(review.id)})
    with app.app_context():
        revisions = db.session.scalars(select(ReviewRevision)).all()
        assert [(r.stars, r.title, r.body) for r in revisions] == [(3, "Fine", LONG_ENOUGH)]
    stored = load(app, Review, review.id)
    assert stored.edit_count == 1 and stored.edited_at is not None
    history = client.get(f"/b/northwind/p/kettle/r/{review.id}/history").get_data(as_text=True)
    assert LONG_ENOUGH in history and GOOD["body"] in history


def test_saving_an_unchanged_review_makes_no_revision(app, client, shop, catalog):
    review = write_review(
        app, catalog.kettle, shop.member, 4, title="Boils fast", body=GOOD["body"]
    )
    login_as(client, shop.member)
    client.post(URL, data={**GOOD, "review_id": str(review.id)})
    assert load(app, Review, review.id).edit_count == 0


def test_a_changed_rating_moves_between_the_bars_and_says_so(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, shop.member)
    client.post(URL, data={**GOOD, "stars": "5", "review_id": str(review.id)})
    stored = load(app, Review, review.id)
    assert (stored.previous_stars, stored.stars, stored.stars_changed_after_answer) == (2, 5, False)
    assert counters(app, catalog.kettle) == (1, 5, {5: 1, 4: 0, 3: 0, 2: 0, 1: 0})
    page = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    assert "Updated from 2 to 5 stars" in page
    assert "after the brand answered" not in page


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_the_brands_own_team_cannot_review_its_products(app, client, shop, catalog, who):
    login_as(client, shop.person(who))
    response = client.post(URL, data=GOOD)
    assert response.status_code == 403
    assert "on Northwind's team, so you can't review its products" in html.unescape(
        response.get_data(as_text=True)
    )
    assert client.get(URL).status_code == 403
    assert _reviews(app) == 0


def test_staff_of_another_brand_and_moderators_may_review(app, client, shop, catalog):
    for who in (shop.other_staff, shop.moderator):
        client = app.test_client()
        login_as(client, who)
        assert client.post(URL, data=GOOD).status_code == 302
    assert counters(app, catalog.kettle)[0] == 2


def test_a_suspended_member_cannot_review(app, client, shop, catalog):
    with app.app_context():
        db.session.get(User, shop.member.id).status = UserStatus.SUSPENDED
        db.session.commit()
    login_as(client, shop.member)
    response = client.post(URL, data=GOOD)
    assert response.status_code == 403
    assert "suspended" in response.get_data(as_text=True)


def test_unknown_brand_or_product_is_404(client, shop, catalog):
    login_as(client, shop.member)
    assert client.post("/b/nowhere/p/kettle/review", data=GOOD).status_code == 404
    assert client.post("/b/northwind/p/nothing/review", data=GOOD).status_code == 404
    assert client.get("/b/northwind/p/nothing").status_code == 404
    assert client.get("/b/acme/p/kettle").status_code == 404


def test_visitors_are_sent_to_log_in(client, catalog):
    response = client.post(URL, data=GOOD)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_new_members_wait_for_a_moderator_when_the_brand_premoderates(app, client, shop, catalog):
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    make_new_members(app, shop.member)
    login_as(client, shop.member)
    response = client.post(URL, data=GOOD, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "waiting for a moderator" in page
    assert load(app, Review, _only_review_id(app)).status is ReviewStatus.PENDING
    assert counters(app, catalog.kettle)[0] == 0
    # Nobody else sees it.
    assert GOOD["body"] not in app.test_client().get("/b/northwind/p/kettle").get_data(as_text=True)


def test_trusted_members_publish_at_once_even_with_premoderation(app, client, shop, catalog):
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.get(User, shop.member.id).trust_level = 1
        db.session.commit()
    review = write_review(app, catalog.kettle, shop.member, 5)
    assert review.status is ReviewStatus.PUBLISHED
    assert review.published_at is not None


def _only_review_id(app):
    with app.app_context():
        return db.session.scalars(select(Review.id)).one()


def test_markdown_is_rendered_once_and_raw_html_stays_text(app, shop, catalog):
    review = write_review(
        app, catalog.kettle, shop.member, 1,
        body="**Bad** <img src=x onerror=alert(1)> [x](javascript:alert(1)) and more words",
    )  # fmt: skip
    assert "<strong>Bad</strong>" in review.body_html
    assert "<img" not in review.body_html
    assert "href" not in review.body_html  # the javascript: link stays words, not a link
    assert "&lt;img src=x onerror=alert(1)&gt;" in review.body_html


def test_the_time_of_writing_is_the_services_now(app, shop, catalog):
    moment = utcnow() - timedelta(days=3)
    review = write_review(app, catalog.kettle, shop.member, 4, now=moment)
    assert review.created_at == review.published_at == moment
