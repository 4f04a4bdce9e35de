"""Reviews are conversations: official answers, replies, the unanswered queue, and
closing the loop with a rating the reviewer may update."""

from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.notifications.models import Notification, NotificationKind
from fanhub.reviews import services
from fanhub.reviews.models import Review
from tests.factories import load
from tests.reviews.conftest import answer, counters, write_review
from tests.stories import login_as


def _url(review, action=""):
    return f"/b/northwind/p/kettle/r/{review.id}" + (f"/{action}" if action else "")


def _told(app, user):
    with app.app_context():
        return [
            (n.kind, n.message, n.url)
            for n in db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ]


def test_staff_answer_officially_and_the_reviewer_is_told(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, shop.staff)
    response = client.post(_url(review, "reply"), data={"body": "Sorry! We are sending a new lid."})
    assert response.status_code == 302
    stored = load(app, Review, review.id)
    assert stored.answered_at is not None
    assert stored.reply_count == 1
    assert stored.latest_answer_id is not None
    assert response.headers["Location"].endswith(f"#reply-{stored.latest_answer_id}")
    [(kind, message, url)] = _told(app, shop.member)
    assert kind is NotificationKind.REVIEW_ANSWER
    assert message == "staff of Northwind answered your review of Northwind Kettle"
    assert url == f"/b/northwind/p/kettle/r/{review.id}#reply-{stored.latest_answer_id}"


def test_the_latest_official_answer_shows_under_the_review_on_the_product_page(
    app, client, shop, catalog
):
    review = write_review(app, catalog.kettle, shop.member, 2)
    answer(app, review, shop.staff, "First answer from the brand.")
    answer(app, review, shop.member, "Still waiting for the lid.")
    first = load(app, Review, review.id).answered_at
    answer(app, review, shop.owner, "The lid is on its way today.")
    stored = load(app, Review, review.id)
    assert stored.answered_at == first and stored.reply_count == 3
    page = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    card = page.split(f'id="review-{review.id}"')[1]
    assert "Official answer from Northwind" in card
    assert "The lid is on its way today." in card
    assert "First answer from the brand." not in card
    assert "3 replies" in card


def test_the_conversation_page_shows_every_reply_in_order_with_official_badges(
    app, client, shop, catalog
):
    review = write_review(app, catalog.kettle, shop.member, 2)
    answer(app, review, shop.staff, "We hear you.")
    answer(app, review, shop.other_member, "Mine did that too.")
    page = client.get(_url(review)).get_data(as_text=True)
    assert page.index("We hear you.") < page.index("Mine did that too.")
    assert page.count('data-testid="official-badge"') == 1
    assert "Log in</a> to reply." in page


def test_a_members_reply_tells_the_reviewer_but_not_herself(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, shop.other_member)
    client.post(_url(review, "reply"), data={"body": "Did you descale it?"})
    [(kind, message, _)] = _told(app, shop.member)
    assert kind is NotificationKind.REVIEW_REPLY
    assert message == "other_member replied to your review of Northwind Kettle"
    own = app.test_client()
    login_as(own, shop.member)
    own.post(_url(review, "reply"), data={"body": "Yes, twice."})
    assert len(_told(app, shop.member)) == 1
    assert load(app, Review, review.id).answered_at is None  # members' replies are not answers


def test_a_mention_in_a_reply_links_the_member_and_tells_her_once(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, shop.staff)
    client.post(
        _url(review, "reply"),
        data={"body": "@other_member had this too, and @member: a new lid is on its way."},
    )
    [(kind, message, _)] = _told(app, shop.other_member)
    assert kind is NotificationKind.MENTION
    assert message == "staff mentioned you under a review of Northwind Kettle"
    # The reviewer hears of the answer, not a second time of the mention in it.
    assert [kind for kind, *_ in _told(app, shop.member)] == [NotificationKind.REVIEW_ANSWER]
    page = client.get(_url(review)).get_data(as_text=True)
    assert '<a href="/u/other_member"' in page


def test_an_admins_reply_is_not_official(app, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    reply = answer(app, review, shop.admin, "Site admin here.")
    assert not reply.is_official
    assert load(app, Review, review.id).answered_at is None


def test_an_empty_reply_is_refused_and_nothing_changes(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, shop.staff)
    response = client.post(_url(review, "reply"), data={"body": "   "})
    assert response.status_code == 400
    assert "Write something before you reply." in response.get_data(as_text=True)
    assert load(app, Review, review.id).reply_count == 0


def test_closing_the_loop_invites_an_updated_rating_that_shows_its_history(
    app, client, shop, catalog
):
    review = write_review(app, catalog.kettle, shop.member, 2)
    answer(app, review, shop.staff, "We replaced the thermostat under warranty.")
    login_as(client, shop.staff)
    assert client.post(_url(review, "resolve")).status_code == 302
    assert load(app, Review, review.id).resolved_at is not None
    kind, message, url = _told(app, shop.member)[-1]
    assert kind is NotificationKind.REVIEW_RESOLVED
    assert "Has your opinion changed? You can update your rating." in message
    assert url == "/b/northwind/p/kettle/review"

    reviewer = app.test_client()
    login_as(reviewer, shop.member)
    page = reviewer.get("/b/northwind/p/kettle").get_data(as_text=True)
    assert 'data-testid="update-invitation"' in page
    reviewer.post(
        url,
        data={"stars": "4", "title": "", "body": review.body, "review_id": str(review.id)},
    )
    stored = load(app, Review, review.id)
    assert (stored.previous_stars, stored.stars, stored.stars_changed_after_answer) == (2, 4, True)
    assert counters(app, catalog.kettle)[:2] == (1, 4)
    page = app.test_client().get("/b/northwind/p/kettle").get_data(as_text=True)
    assert "Updated from 2 to 4 stars after the brand answered" in page
    assert 'data-testid="update-invitation"' not in reviewer.get("/b/northwind/p/kettle").get_data(
        as_text=True
    )


def test_resolving_twice_is_a_conflict(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, shop.staff)
    client.post(_url(review, "resolve"))
    response = client.post(_url(review, "resolve"))
    assert response.status_code == 409
    assert "already marked resolved" in response.get_data(as_text=True)
    assert len(_told(app, shop.member)) == 1


def test_staff_mark_a_verified_purchase_and_the_badge_shows(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 5)
    login_as(client, shop.staff)
    assert client.post(_url(review, "verify"), data={"back": "review"}).status_code == 302
    assert load(app, Review, review.id).is_verified_purchase
    assert "Verified purchase" in app.test_client().get("/b/northwind/p/kettle").get_data(
        as_text=True
    )
    client.post(_url(review, "unverify"))
    assert not load(app, Review, review.id).is_verified_purchase


def test_the_unanswered_queue_lists_low_ratings_first_then_the_oldest(
    app, client, shop, catalog, make_user
):
    now = utcnow()
    people = [make_user(f"buyer{n}") for n in range(4)]
    old_three = write_review(
        app, catalog.kettle, people[0], 3, title="Old three", now=now - timedelta(days=9)
    )
    new_one = write_review(app, catalog.kettle, people[1], 1, title="New one", now=now)
    old_one = write_review(
        app, catalog.toaster, people[2], 1, title="Old one", now=now - timedelta(days=5)
    )
    answered = write_review(app, catalog.toaster, people[3], 1, title="Answered one")
    answer(app, answered, shop.staff)
    login_as(client, shop.staff)
    page = client.get("/b/northwind/reviews/unanswered").get_data(as_text=True)
    order = [page.index(f'data-review-id="{r.id}"') for r in (old_one, new_one, old_three)]
    assert order == sorted(order)
    assert "Answered one" not in page


def test_the_unanswered_queue_pages_by_cursor_through_every_review(
    app, client, shop, catalog, make_user
):
    ids = set()
    for n in range(45):
        review = write_review(app, catalog.kettle, make_user(f"walker{n}"), 1 + n % 5)
        ids.add(review.id)
    login_as(client, shop.staff)
    seen: list[int] = []
    url = "/b/northwind/reviews/unanswered"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [int(chunk.split('"')[0]) for chunk in page.split('data-review-id="')[1:]]
        marker = page.split('rel="next" href="')
        url = html.unescape(marker[1].split('"')[0]) if len(marker) > 1 else None
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen))


def test_the_unanswered_queue_is_for_the_brands_staff(client, shop):
    for who, status in (
        (shop.member, 403),
        (shop.moderator, 403),
        (shop.other_staff, 403),
        (shop.owner, 200),
    ):
        viewer = client.application.test_client()
        login_as(viewer, who)
        assert viewer.get("/b/northwind/reviews/unanswered").status_code == status


def test_a_forged_queue_cursor_is_a_bad_request(client, shop):
    login_as(client, shop.staff)
    assert client.get("/b/northwind/reviews/unanswered?after=zz").status_code == 400


def test_replying_to_a_removed_review_is_not_possible(app, shop, catalog, now):
    review = write_review(app, catalog.kettle, shop.member, 1)
    with app.app_context():
        services.remove_review(
            db.session.get(User, shop.moderator.id),
            services.access_review(review.id),
            "spam",
            now=now,
        )
    client = app.test_client()
    login_as(client, shop.staff)
    assert client.post(_url(review, "reply"), data={"body": "Hello"}).status_code == 404
