"""Moderators approve, reject, remove and restore reviews; authors are told why."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.notifications.models import Notification, NotificationKind
from fanhub.reviews import services
from fanhub.reviews.models import Review, ReviewRule, ReviewStatus
from tests.factories import load, make_new_members
from tests.reviews.conftest import counters, recount, write_review
from tests.stories import login_as


def _premoderate(app, shop):
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    people = (shop.member, shop.other_member, shop.moderator, shop.staff, shop.other_staff)
    make_new_members(app, *people)


def _url(review, action=""):
    return f"/b/northwind/p/kettle/r/{review.id}" + (f"/{action}" if action else "")


def _notifications(app, user, kind):
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification).where(
                    Notification.user_id == user.id, Notification.kind == kind
                )
            )
        )


def test_a_moderator_approves_a_pending_review_and_it_counts(app, client, shop, catalog):
    _premoderate(app, shop)
    review = write_review(app, catalog.kettle, shop.member, 5)
    assert counters(app, catalog.kettle)[0] == 0
    login_as(client, shop.moderator)
    response = client.post(_url(review, "approve"), data={"back": "pending"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/b/northwind/reviews/pending")
    stored = load(app, Review, review.id)
    assert stored.status is ReviewStatus.PUBLISHED and stored.published_at is not None
    assert (
        counters(app, catalog.kettle)
        == recount(app, catalog.kettle)
        == (1, 5, {5: 1, 4: 0, 3: 0, 2: 0, 1: 0})
    )
    [told] = _notifications(app, shop.member, NotificationKind.REVIEW_MODERATED)
    assert told.message == "Your review of Northwind Kettle is published."
    assert told.url == f"/b/northwind/p/kettle/r/{review.id}"


def test_a_rejected_review_shows_its_author_why_and_nobody_else_sees_it(app, client, shop, catalog):
    _premoderate(app, shop)
    review = write_review(app, catalog.kettle, shop.member, 1)
    login_as(client, shop.moderator)
    response = client.post(
        _url(review, "reject"),
        data={"rule": "personal_data", "note": "Please leave out the phone number."},
    )
    assert response.status_code == 302
    stored = load(app, Review, review.id)
    assert (stored.status, stored.moderation_rule) == (
        ReviewStatus.REJECTED,
        ReviewRule.PERSONAL_DATA,
    )
    author = app.test_client()
    login_as(author, shop.member)
    page = html.unescape(author.get("/b/northwind/p/kettle").get_data(as_text=True))
    assert "Not published" in page
    assert "Shares someone's personal data" in page
    assert "Please leave out the phone number." in page
    # Visitors and other members: not on the page, and its own page is 404.
    visitor_page = app.test_client().get("/b/northwind/p/kettle").get_data(as_text=True)
    assert f'id="review-{review.id}"' not in visitor_page
    other = app.test_client()
    login_as(other, shop.other_member)
    assert other.get(_url(review)).status_code == 404
    assert app.test_client().get(_url(review)).status_code == 404
    assert author.get(_url(review)).status_code == 200
    [told] = _notifications(app, shop.member, NotificationKind.REVIEW_MODERATED)
    assert (
        told.message
        == "Your review of Northwind Kettle was not published: Shares someone's personal data."
    )


def test_removing_a_published_review_takes_it_out_of_the_counts_and_restore_puts_it_back(
    app, client, shop, catalog
):
    kept = write_review(app, catalog.kettle, shop.other_member, 4)
    spam = write_review(app, catalog.kettle, shop.member, 1)
    login_as(client, shop.moderator)
    assert client.post(_url(spam, "remove"), data={"rule": "spam"}).status_code == 302
    assert (
        counters(app, catalog.kettle)
        == recount(app, catalog.kettle)
        == (1, 4, {5: 0, 4: 1, 3: 0, 2: 0, 1: 0})
    )
    assert f'id="review-{spam.id}"' not in app.test_client().get("/b/northwind/p/kettle").get_data(
        as_text=True
    )
    assert client.post(_url(spam, "restore"), data={}).status_code == 302
    assert (
        counters(app, catalog.kettle)
        == recount(app, catalog.kettle)
        == (2, 5, {5: 0, 4: 1, 3: 0, 2: 0, 1: 1})
    )
    assert load(app, Review, kept.id).status is ReviewStatus.PUBLISHED


def test_a_removal_needs_a_rule_and_changes_nothing_without_one(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 1)
    login_as(client, shop.moderator)
    response = client.post(_url(review, "remove"), data={"rule": ""})
    assert response.status_code == 400
    assert "Choose the rule the review breaks." in response.get_data(as_text=True)
    assert load(app, Review, review.id).status is ReviewStatus.PUBLISHED
    assert counters(app, catalog.kettle)[0] == 1


def test_a_decision_on_the_wrong_state_is_a_conflict(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 3)
    login_as(client, shop.moderator)
    assert client.post(_url(review, "approve"), data={}).status_code == 409
    assert client.post(_url(review, "reject"), data={"rule": "spam"}).status_code == 409
    assert client.post(_url(review, "restore"), data={}).status_code == 409
    assert counters(app, catalog.kettle)[0] == 1


@pytest.mark.parametrize("who", ["owner", "staff", "member", "other_member"])
def test_the_brand_and_members_cannot_moderate_reviews(app, shop, catalog, who, now):
    review = write_review(app, catalog.kettle, shop.other_staff, 1)
    with app.app_context(), pytest.raises(Forbidden, match="Only the brand's moderators"):
        services.remove_review(
            db.session.get(User, shop.person(who).id),
            services.access_review(review.id),
            "spam",
            now=now,
        )


def test_a_site_admin_may_moderate(app, shop, catalog, now):
    review = write_review(app, catalog.kettle, shop.member, 1)
    with app.app_context():
        services.remove_review(
            db.session.get(User, shop.admin.id),
            services.access_review(review.id),
            ReviewRule.ABUSE,
            now=now,
        )
    assert load(app, Review, review.id).status is ReviewStatus.REMOVED


def test_an_unknown_rule_or_a_long_note_is_invalid(app, shop, catalog, now):
    review = write_review(app, catalog.kettle, shop.member, 1)
    with app.app_context():
        moderator = db.session.get(User, shop.moderator.id)
        with pytest.raises(Invalid, match="Choose the rule"):
            services.remove_review(moderator, services.access_review(review.id), "rude", now=now)
        with pytest.raises(Invalid, match="500 characters"):
            services.remove_review(
                moderator, services.access_review(review.id), "spam", "x" * 501, now=now
            )
        with pytest.raises(Conflict):
            services.approve_review(moderator, services.access_review(review.id), now=now)


def test_an_author_who_fixes_a_rejected_review_sends_it_back_to_the_moderators(
    app, client, shop, catalog, now
):
    _premoderate(app, shop)
    review = write_review(app, catalog.kettle, shop.member, 2)
    with app.app_context():
        services.reject_review(
            db.session.get(User, shop.moderator.id),
            services.access_review(review.id),
            "abuse",
            now=now,
        )
    login_as(client, shop.member)
    form = client.get("/b/northwind/p/kettle/review").get_data(as_text=True)
    assert "Abusive, hateful or threatening" in form
    client.post(
        "/b/northwind/p/kettle/review",
        data={
            "stars": "2",
            "title": "",
            "body": "Reworded calmly: the lid broke.",
            "review_id": review.id,
        },
    )
    stored = load(app, Review, review.id)
    assert (stored.status, stored.moderation_rule) == (ReviewStatus.PENDING, None)
    assert counters(app, catalog.kettle)[0] == 0


def test_the_pending_list_shows_the_brands_waiting_reviews_oldest_first(app, client, shop, catalog):
    _premoderate(app, shop)
    first = write_review(app, catalog.kettle, shop.member, 2, title="First one")
    second = write_review(app, catalog.toaster, shop.other_member, 5, title="Second one")
    write_review(app, catalog.toaster, shop.moderator, 4, title="Moderators are trusted? no")
    login_as(client, shop.moderator)
    page = client.get("/b/northwind/reviews/pending").get_data(as_text=True)
    assert page.index("First one") < page.index("Second one")
    assert f'data-review-id="{first.id}"' in page and f'data-review-id="{second.id}"' in page


def test_the_pending_list_is_for_moderators(client, shop):
    for who, status in (
        (shop.staff, 403),
        (shop.owner, 403),
        (shop.member, 403),
        (shop.admin, 200),
    ):
        viewer = client.application.test_client()
        login_as(viewer, who)
        assert viewer.get("/b/northwind/reviews/pending").status_code == status


def test_moderators_see_pending_reviews_on_their_own_page(app, client, shop, catalog):
    _premoderate(app, shop)
    review = write_review(app, catalog.kettle, shop.member, 2, body="Waiting here for a decision.")
    login_as(client, shop.moderator)
    page = client.get(_url(review)).get_data(as_text=True)
    assert "Waiting here for a decision." in page
    assert "Approve" in page and "Reject" in page
