"""Deleting her account (issue 6): her personal data erased, her words kept as a deleted
member's or removed with every count exact, refused while a brand depends on her."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from fanhub.accounts import privacy
from fanhub.accounts import services as accounts
from fanhub.accounts.models import User, UserStatus
from fanhub.accounts.services import LOGIN_FAILED
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, BrandRole, Follow
from fanhub.db import transaction, utcnow
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import (
    Category,
    CategoryWatch,
    Post,
    PostStatus,
    Topic,
    TopicStatus,
    TopicWatch,
    WatchLevel,
)
from fanhub.notifications.models import (
    ConsentEvent,
    ConsentSource,
    ContactPreference,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from fanhub.notifications.services import notify
from fanhub.reviews.models import ReplyStatus, Review, ReviewReply, ReviewStatus
from tests import factories
from tests.accounts.test_privacy_export import offers_by_email
from tests.moderation.conftest import flag
from tests.reviews.conftest import answer, counters, make_product, recount, write_review
from tests.stories import login_as
from tests.test_permission_matrix_all import _everything

KEEP = {"content": "keep", "password": factories.PASSWORD, "confirm": "y"}
REMOVE = {**KEEP, "content": "remove"}


@pytest.fixture
def her(app, shop, now) -> dict[str, Any]:
    """The member, with words and ties all over Northwind; other members around her."""
    member, other = shop.member, shop.other_member
    kettle = make_product(app, shop.brand, "kettle", "Northwind Kettle", sku="NW-K")
    toaster = make_product(app, shop.brand, "toaster", "Northwind Toaster", sku="NW-T")
    # Her question, answered by others; her answer marked the solution of another's question.
    question = factories.make_topic(
        app, shop.support, member, title="My kettle whistles", replies=2, repliers=[other]
    )
    theirs = factories.make_topic(app, shop.support, other, title="Toaster smokes a little")
    solution = factories.reply(app, theirs, member, "Clean the crumb tray first.")
    with app.app_context():
        forums.mark_solution(
            db.session.get(User, other.id),
            db.session.get(Topic, theirs.id),
            db.session.get(Post, solution.id),
            now=now,
        )
    review = write_review(app, kettle, member, 2, body="Whistles far too loudly for me.")
    write_review(app, kettle, other, 5, body="Best kettle I have ever owned, truly.")
    their_review = write_review(app, toaster, other, 3, body="The toaster is fine, nothing more.")
    my_reply = answer(app, their_review, member, "Same here, mine browns unevenly.")
    with app.app_context():
        me = db.session.get(User, member.id)
        brands.follow(me, db.session.get(Brand, shop.brand.id), now=now)
        brands.follow(db.session.get(User, other.id), db.session.get(Brand, shop.brand.id), now=now)
        forums.set_category_watch(me, db.session.get(Category, shop.ideas.id), WatchLevel.WATCHING)
    with app.app_context(), transaction():
        notify(
            [member.id],
            kind=NotificationKind.REPLY,
            message="For her",
            url="/",
            actor_id=None,
            now=now,
        )
    offers_by_email(app, member)
    with app.app_context():
        accounts.request_password_reset(member.email, now=now)  # an email waiting for her
    return {
        "kettle": kettle,
        "toaster": toaster,
        "question": question,
        "theirs": theirs,
        "solution": solution,
        "review": review,
        "their_review": their_review,
        "my_reply": my_reply,
    }


def delete(app: Any, who: Any, password: str = factories.PASSWORD, remove: bool = False) -> Any:
    with app.app_context():
        user = db.session.get(User, who.id)
        return privacy.delete_account(user, user, password, remove, now=utcnow())


def category_recount(app: Any, category_id: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(stored, recounted) topics and posts of a category's listed topics."""
    with app.app_context():
        listed = (Topic.category_id == category_id, Topic.status == TopicStatus.VISIBLE)
        topics = db.session.scalar(select(func.count()).select_from(Topic).where(*listed))
        posts = db.session.scalar(
            select(func.coalesce(func.sum(Topic.post_count), 0)).where(*listed)
        )
        stored = db.session.get(Category, category_id)
        return (stored.topic_count, stored.post_count), (topics, posts)


def topic_recount(app: Any, topic_id: int) -> tuple[int, int]:
    """(stored post_count, positions taken by its posts)."""
    with app.app_context():
        taken = db.session.scalar(
            select(func.count())
            .select_from(Post)
            .where(Post.topic_id == topic_id, Post.position > 0)
        )
        return db.session.get(Topic, topic_id).post_count, taken


def reply_recount(app: Any, review_id: int) -> tuple[int, int]:
    """(stored reply_count, replies published and not removed)."""
    with app.app_context():
        shown = db.session.scalar(
            select(func.count())
            .select_from(ReviewReply)
            .where(
                ReviewReply.review_id == review_id,
                ReviewReply.status.in_((ReplyStatus.VISIBLE, ReplyStatus.HIDDEN)),
            )
        )
        return db.session.get(Review, review_id).reply_count, shown


def followers(app: Any, brand_id: int) -> tuple[int, int]:
    with app.app_context():
        rows = db.session.scalar(
            select(func.count()).select_from(Follow).where(Follow.brand_id == brand_id)
        )
        return db.session.get(Brand, brand_id).follower_count, rows


# ------------------------------------------------------------------ refusals


def test_a_wrong_password_is_refused_and_changes_nothing(app, client, shop, her):
    login_as(client, shop.member)
    before = _everything(app)

    response = client.post("/settings/privacy/delete", data={**KEEP, "password": "not-it-at-all"})

    assert response.status_code == 400
    assert "That password is not right." in response.get_data(as_text=True)
    assert _everything(app) == before


def test_the_box_must_be_ticked(app, client, shop):
    login_as(client, shop.member)
    before = _everything(app)

    response = client.post("/settings/privacy/delete", data={**KEEP, "confirm": ""})

    assert response.status_code == 400 and "Tick the box to confirm." in response.text
    assert _everything(app) == before


@pytest.mark.parametrize("who", ["owner", "moderator"])
def test_an_owner_or_moderator_is_refused_naming_the_brand(app, client, shop, who):
    person = shop.person(who)
    login_as(client, person)
    before = _everything(app)

    response = client.post("/settings/privacy/delete", data={**KEEP})

    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "You are the owner or a moderator of Northwind" in text
    assert "hand the role over" in text
    assert _everything(app) == before


def test_the_privacy_page_tells_a_moderator_first_and_offers_no_form(client, shop):
    login_as(client, shop.moderator)

    page = client.get("/settings/privacy").get_data(as_text=True)

    assert "You are the owner or a moderator of Northwind" in page
    assert 'data-testid="delete-account-button"' not in page


def test_nobody_else_may_delete_her_account_not_even_an_admin(app, shop, now):
    with app.app_context(), pytest.raises(Forbidden):
        privacy.delete_account(
            db.session.get(User, shop.admin.id),
            db.session.get(User, shop.member.id),
            factories.PASSWORD,
            False,
            now=now,
        )


def test_deleting_needs_a_login(client):
    response = client.post("/settings/privacy/delete", data=KEEP)

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_second_request_fails_cleanly(app, client, shop):
    login_as(client, shop.member)
    assert client.post("/settings/privacy/delete", data=KEEP).status_code == 200

    again = client.post("/settings/privacy/delete", data=KEEP)

    assert again.status_code == 302 and again.headers["Location"].startswith("/login")
    with pytest.raises(Conflict, match="already deleted"):
        delete(app, shop.member)


# ------------------------------------------------------------------ erasure


def test_her_personal_data_is_erased(app, shop, her):
    delete(app, shop.member)

    user = factories.reload_user(app, shop.member.id)
    assert user.status is UserStatus.DELETED and user.deleted_at is not None
    assert user.username == f"deleted.{user.id}"
    assert user.email == f"deleted-{user.id}@deleted.invalid"
    assert user.display_name == "" and user.bio == ""
    assert "member" not in (user.username + user.email)
    with app.app_context():
        mine = (
            (ContactPreference, ContactPreference.user_id),
            (Follow, Follow.user_id),
            (TopicWatch, TopicWatch.user_id),
            (CategoryWatch, CategoryWatch.user_id),
            (Notification, Notification.user_id),
            (BrandRole, BrandRole.user_id),
        )
        for model, column in mine:
            left = db.session.scalar(
                select(func.count()).select_from(model).where(column == shop.member.id)
            )
            assert left == 0, model.__name__
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(OutboundEmail)
                .where(OutboundEmail.to_address == "member@example.com")
            )
            == 0
        )


def test_her_placeholders_can_never_be_registered_by_someone_else(app, shop):
    delete(app, shop.member)
    user = factories.reload_user(app, shop.member.id)

    with pytest.raises(Invalid):
        accounts.check_username(user.username)
    with app.app_context(), pytest.raises(Invalid):
        accounts.normalise_email(user.email)


def test_the_brand_loses_exactly_one_follower(app, shop, her):
    assert followers(app, shop.brand.id) == (2, 2)

    delete(app, shop.member)

    assert followers(app, shop.brand.id) == (1, 1)


def test_her_consent_record_stays_and_ends_with_an_opt_out(app, shop, her):
    delete(app, shop.member)

    with app.app_context():
        events = db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.user_id == shop.member.id)
            .order_by(ConsentEvent.id)
        ).all()
        assert [(e.granted, e.source) for e in events] == [
            (True, ConsentSource.PREFERENCE_CENTRE),
            (False, ConsentSource.ACCOUNT_DELETION),
        ]


def test_no_opt_out_is_recorded_when_she_never_opted_in(app, shop):
    delete(app, shop.member)

    with app.app_context():
        assert not db.session.scalars(
            select(ConsentEvent).where(ConsentEvent.user_id == shop.member.id)
        ).all()


def test_a_staff_member_leaves_the_brand_with_her_account(app, shop):
    report = delete(app, shop.staff)

    assert report.staff_brands == ["Northwind"]
    with app.app_context():
        assert not db.session.scalars(
            select(BrandRole).where(BrandRole.user_id == shop.staff.id)
        ).all()


def test_she_cannot_log_in_afterwards_and_is_told_as_a_stranger_would_be(app, client, shop):
    delete(app, shop.member)

    for login in ("member", "member@example.com", f"deleted.{shop.member.id}"):
        response = client.post("/login", data={"login": login, "password": factories.PASSWORD})
        assert response.status_code == 400
        assert LOGIN_FAILED in response.get_data(as_text=True)
    stranger = client.post("/login", data={"login": "nobody", "password": factories.PASSWORD})
    assert LOGIN_FAILED in stranger.get_data(as_text=True)


def test_her_other_sessions_end(app, shop):
    elsewhere = app.test_client()
    login_as(elsewhere, shop.member)
    assert elsewhere.get("/settings/privacy").status_code == 200

    delete(app, shop.member)

    response = elsewhere.get("/settings/privacy")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_she_is_logged_out_and_told_what_was_done(client, shop, her):
    login_as(client, shop.member)

    response = client.post("/settings/privacy/delete", data=KEEP)

    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Goodbye" in text
    assert "shown as by a deleted member" in text
    assert client.get("/settings/privacy").status_code == 302


def test_the_page_lists_what_will_happen_with_her_counts(client, shop, her):
    login_as(client, shop.member)

    page = client.get("/settings/privacy").get_data(as_text=True)

    plan = page.split('data-testid="deletion-plan"')[1].split("</ul>")[0]
    assert "your 1 topic, 2 posts, 1 review and 1 reply under reviews stay" in plan
    assert "the 1 brand you follow" in plan


# ------------------------------------------------------ keeping her content


def test_kept_content_shows_as_by_a_deleted_member(app, client, shop, her):
    delete(app, shop.member)

    topic = client.get(f"/t/{her['question'].id}").get_data(as_text=True)
    product = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    review = client.get(f"/b/northwind/p/kettle/r/{her['review'].id}").get_data(as_text=True)
    conversation = client.get(f"/b/northwind/p/toaster/r/{her['their_review'].id}").get_data(
        as_text=True
    )

    placeholder = f"deleted.{shop.member.id}"
    for page in (topic, product, review, conversation):
        assert "a deleted member" in page.lower()
        assert placeholder not in page
    assert "My kettle whistles" in topic and "Whistles far too loudly" in review


def test_the_widget_names_no_one_for_her_kept_review(app, client, shop, her):
    before = client.get("/embed/v1/northwind/kettle/reviews.json").get_json()
    assert "member" in {review["author"] for review in before["reviews"]}

    delete(app, shop.member)

    after = client.get("/embed/v1/northwind/kettle/reviews.json").get_json()
    authors = {review["author"] for review in after["reviews"]}
    assert authors == {"A former member", "other_member"}
    assert after["rating"] == before["rating"]


def test_keeping_content_changes_no_count(app, shop, her):
    before = counters(app, her["kettle"]), category_recount(app, shop.support.id)

    delete(app, shop.member)

    assert (counters(app, her["kettle"]), category_recount(app, shop.support.id)) == before
    assert factories.load(app, Topic, her["theirs"].id).solution_post_id == her["solution"].id


# ------------------------------------------------------ removing her content


def test_removed_posts_show_as_removed_by_their_author_and_counts_match_a_recount(
    app, client, shop, her
):
    delete(app, shop.member, remove=True)

    with app.app_context():
        statuses = set(
            db.session.scalars(select(Post.status).where(Post.author_id == shop.member.id))
        )
    assert statuses == {PostStatus.DELETED_BY_AUTHOR}
    stored, recounted = category_recount(app, shop.support.id)
    assert stored == recounted == (2, 5)
    for topic in (her["question"], her["theirs"]):
        stored_posts, taken = topic_recount(app, topic.id)
        assert stored_posts == taken
    assert factories.load(app, Topic, her["theirs"].id).solution_post_id is None
    page = client.get(f"/t/{her['theirs'].id}").get_data(as_text=True)
    assert "Clean the crumb tray first." not in page


def test_removed_reviews_leave_the_rating_exactly(app, client, shop, her):
    delete(app, shop.member, remove=True)

    assert (
        counters(app, her["kettle"])
        == recount(app, her["kettle"])
        == (1, 5, {5: 1, 4: 0, 3: 0, 2: 0, 1: 0})
    )  # noqa: E501
    assert counters(app, her["toaster"]) == recount(app, her["toaster"])
    assert factories.load(app, Review, her["review"].id).status is ReviewStatus.REMOVED
    widget = client.get("/embed/v1/northwind/kettle/reviews.json").get_json()
    assert widget["rating"]["count"] == 1
    assert {review["author"] for review in widget["reviews"]} == {"other_member"}


def test_removed_replies_leave_the_reply_count_exactly(app, client, shop, her):
    assert reply_recount(app, her["their_review"].id) == (1, 1)

    delete(app, shop.member, remove=True)

    assert reply_recount(app, her["their_review"].id) == (0, 0)
    assert factories.load(app, ReviewReply, her["my_reply"].id).status is ReplyStatus.REMOVED
    page = client.get(f"/b/northwind/p/toaster/r/{her['their_review'].id}").get_data(as_text=True)
    assert "This reply was removed with its author’s account." in page
    assert "Same here, mine browns unevenly." not in page


def test_removing_a_staff_answer_shows_the_previous_official_answer(app, shop):
    kettle = make_product(app, shop.brand, "kettle")
    review = write_review(app, kettle, shop.other_member, 3)
    first = answer(app, review, shop.owner, "We are sorry, here is a fix.")
    answer(app, review, shop.staff, "And a second answer from staff.")

    delete(app, shop.staff, remove=True)

    stored = factories.load(app, Review, review.id)
    assert stored.latest_answer_id == first.id and stored.reply_count == 1


def test_the_fan_page_counts_match_after_removal(app, client, shop, her):
    delete(app, shop.member, remove=True)

    page = client.get("/b/northwind").get_data(as_text=True)

    assert 'data-testid="follower-count">1 follower</span>' in page
    (topics, posts), _ = category_recount(app, shop.support.id)
    assert f"{topics} topics · {posts} posts" in page


# ------------------------------------------------------------- admins


def test_a_visitor_finds_no_profile_and_an_admin_only_that_it_was_deleted(app, client, shop):
    delete(app, shop.member)
    url = f"/u/deleted.{shop.member.id}"

    assert client.get(url).status_code == 404
    login_as(client, shop.other_member)
    assert client.get(url).status_code == 404
    client.post("/logout")
    login_as(client, shop.admin)
    response = client.get(url)

    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This account was deleted on" in text and "Deleted member" in text
    assert "member@example.com" not in text


def test_what_others_were_told_of_her_no_longer_names_her(app, shop, her):
    with app.app_context():
        told = select(Notification.message).where(
            Notification.actor_id == shop.member.id, Notification.user_id == shop.other_member.id
        )
        before = db.session.scalars(told).all()
    assert before and all(message.startswith("member ") for message in before)

    delete(app, shop.member)

    with app.app_context():
        after = db.session.scalars(told).all()
    assert after == [message.replace("member ", "A deleted member ", 1) for message in before]


def test_her_topic_waiting_for_a_moderator_goes_with_her_content(app, shop):
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    newbie = factories.make_user(app, "newbie", trust_level=0)
    held = factories.make_topic(app, shop.discussion, newbie, title="Kettle clicks off early")
    assert held.status is TopicStatus.PENDING

    delete(app, newbie, remove=True)

    assert factories.load(app, Topic, held.id).status is TopicStatus.REMOVED
    stored, recounted = category_recount(app, shop.discussion.id)
    assert stored == recounted


def test_what_she_removed_with_her_account_stays_removed(app, client, shop, her):
    # A report already waited on her review when she deleted her account.
    case = flag(app, shop.other_member, "review", her["review"].id, reason="abuse")
    delete(app, shop.member, remove=True)
    before = counters(app, her["kettle"])

    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide", data={"items": [f"case:{case.id}"], "decision": "restore"}
    )

    assert response.status_code == 409
    assert "deleted their account: it stays removed" in response.get_data(as_text=True)
    assert factories.load(app, Review, her["review"].id).status is ReviewStatus.REMOVED
    assert counters(app, her["kettle"]) == before == recount(app, her["kettle"])
