"""The queue: moderators decide on flagged items and pending reviews, in their brands only;
members hear what happened and why, and may appeal once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.forums.models import Post, PostStatus, Topic
from fanhub.moderation.models import CaseStatus, FlagStatus
from fanhub.notifications.models import Notification, NotificationKind
from fanhub.reviews.models import Review, ReviewStatus
from tests import factories
from tests.moderation.conftest import actions, case_of, flag, flags
from tests.reviews.conftest import make_product, write_review
from tests.stories import login_as


def _notes(app, user_id):
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.message).where(
                    Notification.user_id == user_id,
                    Notification.kind == NotificationKind.MODERATION,
                )
            )
        )


def test_the_queue_shows_the_item_its_context_reasons_and_notes(app, client, shop, spam, reporters):
    flag(app, reporters[0], "post", spam.id, "other", "Links to a fake shop")
    flag(app, reporters[1], "post", spam.id, "spam")
    login_as(client, shop.moderator)
    page = client.get("/mod").get_data(as_text=True)
    assert "spam.example" in page
    assert "Which kettle to buy?" in page
    assert "2 flags" in page
    assert "Links to a fake shop" in page and "reporter1" in page


def test_a_moderator_removes_a_flagged_post_and_its_author_is_told_why(app, client, shop, spam):
    case = flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide",
        data={
            "items": [f"case:{case.id}"],
            "decision": "remove",
            "rule": "spam",
            "reason": "Link farm",
        },
        follow_redirects=True,
    )
    assert "1 item done: Removed the post." in response.get_data(as_text=True)
    assert factories.load(app, Post, spam.id).status is PostStatus.REMOVED
    assert case_of(app, "post", spam.id).status is CaseStatus.CLOSED
    assert [f.status for f in flags(app)] == [FlagStatus.UPHELD]
    [message] = _notes(app, shop.other_member.id)
    assert (
        "removed your post" in message
        and "Spam or advertising" in message
        and "Link farm" in message
    )
    # The moderator still sees what was removed, marked as such.
    assert "Removed by a moderator" in client.get(f"/t/{spam.topic_id}").get_data(as_text=True)
    visitor = app.test_client().get(f"/t/{spam.topic_id}").get_data(as_text=True)
    assert "spam.example" not in visitor and "removed by a moderator" in visitor


def test_a_stale_item_is_refused_with_a_clear_message_and_nothing_changes(app, client, shop, spam):
    case = flag(app, shop.member, "post", spam.id)
    other = app.test_client()
    login_as(other, shop.admin)
    other.post("/mod/decide", data={"items": [f"case:{case.id}"], "decision": "dismiss"})
    before = len(actions(app))
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide", data={"items": [f"case:{case.id}"], "decision": "remove", "rule": "spam"}
    )
    assert response.status_code == 409
    assert "Already handled by siteadmin" in response.get_data(as_text=True)
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE
    assert len(actions(app)) == before


def test_a_case_closed_and_reported_again_since_the_page_loaded_is_not_decided_blind(
    app, client, shop, spam
):
    first = flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    queue = client.get("/mod").get_data(as_text=True)
    shown = queue.split('name="items" value="', 1)[1].split('"', 1)[0]
    assert shown.startswith(f"case:{first.id}:")
    other = app.test_client()
    login_as(other, shop.admin)
    other.post("/mod/decide", data={"items": [f"case:{first.id}"], "decision": "dismiss"})
    again = flag(app, shop.owner, "post", spam.id, note="Now with a phishing link")
    assert again.id == first.id  # the same case, open again with a new report
    before = len(actions(app))
    response = client.post(
        "/mod/decide", data={"items": [shown], "decision": "remove", "rule": "spam"}
    )
    assert response.status_code == 409
    assert "reported again since you loaded the queue" in response.get_data(as_text=True)
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE
    assert len(actions(app)) == before
    # Reloaded, the queue shows the new report and the decision goes through.
    queue = client.get("/mod").get_data(as_text=True)
    assert "Now with a phishing link" in queue
    fresh = queue.split('name="items" value="', 1)[1].split('"', 1)[0]
    assert fresh != shown
    response = client.post(
        "/mod/decide", data={"items": [fresh], "decision": "remove", "rule": "spam"}
    )
    assert response.status_code == 302
    assert factories.load(app, Post, spam.id).status is PostStatus.REMOVED


def test_a_moderator_outside_the_brand_is_refused_and_nothing_changes(
    app, client, shop, spam, make_user, now
):
    outsider = make_user("acmemod")
    from fanhub.accounts.models import User
    from fanhub.brands import services as brands
    from fanhub.brands.models import Role
    from fanhub.permissions import SYSTEM

    with app.app_context():
        brands.add_role(
            SYSTEM,
            db.session.get(Brand, shop.other_brand.id),
            db.session.get(User, outsider.id),
            Role.MODERATOR,
            now=now,
        )
    case = flag(app, shop.member, "post", spam.id)
    login_as(client, outsider)
    assert "spam.example" not in client.get("/mod").get_data(as_text=True)
    response = client.post(
        "/mod/decide", data={"items": [f"case:{case.id}"], "decision": "remove", "rule": "spam"}
    )
    assert response.status_code == 403
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE
    assert actions(app) == []


def test_dismissing_shows_a_hidden_item_again(app, client, shop, spam, reporters):
    for who in reporters:
        case = flag(app, who, "post", spam.id)
    login_as(client, shop.moderator)
    client.post("/mod/decide", data={"items": [f"case:{case.id}"], "decision": "dismiss"})
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE
    assert {f.status for f in flags(app)} == {FlagStatus.DISMISSED}
    assert [a.action.value for a in actions(app)] == ["auto_hide", "dismiss"]


def test_several_items_are_handled_at_once_and_a_stale_one_is_reported(
    app, client, shop, reporters
):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    posts = [factories.reply(app, topic, shop.other_member, f"Spam number {n}") for n in range(3)]
    cases = [flag(app, reporters[0], "post", post.id) for post in posts]
    admin = app.test_client()
    login_as(admin, shop.admin)
    admin.post("/mod/decide", data={"items": [f"case:{cases[2].id}"], "decision": "dismiss"})
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide",
        data={"items": [f"case:{c.id}" for c in cases], "decision": "hide", "rule": "spam"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "2 items done" in text and "1 left alone: Already handled" in text
    statuses = [factories.load(app, Post, p.id).status for p in posts]
    assert statuses == [PostStatus.HIDDEN, PostStatus.HIDDEN, PostStatus.VISIBLE]


def test_locking_the_topic_and_suspending_the_author_are_two_logged_actions(
    app, client, shop, spam
):
    case = flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    client.post(
        "/mod/decide",
        data={"items": [f"case:{case.id}"], "decision": "lock", "rule": "abuse",
              "sanction": "suspend", "days": "7", "reason": "Flame war"},
    )  # fmt: skip
    assert factories.load(app, Topic, spam.topic_id).is_locked
    assert [a.action.value for a in actions(app)] == ["lock", "suspend"]
    assert factories.reload_user(app, shop.other_member.id).suspended_until is not None


def test_a_pending_review_is_approved_from_the_queue(app, client, shop):
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    factories.make_new_members(app, shop.member)
    kettle = make_product(app, shop.brand, "kettle")
    review = write_review(app, kettle, shop.member, 5, title="Lovely kettle")
    login_as(client, shop.moderator)
    assert "Lovely kettle" in client.get("/mod").get_data(as_text=True)
    client.post("/mod/decide", data={"items": [f"review:{review.id}"], "decision": "approve"})
    assert factories.load(app, Review, review.id).status is ReviewStatus.PUBLISHED
    again = client.post(
        "/mod/decide", data={"items": [f"review:{review.id}"], "decision": "reject", "rule": "spam"}
    )
    assert again.status_code == 409
    assert [a.action.value for a in actions(app)] == ["approve"]
    assert _notes(app, shop.member.id) == ["Your review of Kettle is published."]


def test_a_rule_is_required_where_the_member_must_be_told_one(app, client, shop, spam):
    case = flag(app, shop.member, "post", spam.id)
    login_as(client, shop.moderator)
    response = client.post("/mod/decide", data={"items": [f"case:{case.id}"], "decision": "remove"})
    assert response.status_code == 400
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE


def test_the_author_appeals_once_and_the_item_returns_to_the_queue_with_her_words(
    app, client, shop, spam, now
):
    case = flag(app, shop.member, "post", spam.id)
    moderator = app.test_client()
    login_as(moderator, shop.moderator)
    moderator.post(
        "/mod/decide", data={"items": [f"case:{case.id}"], "decision": "remove", "rule": "spam"}
    )
    [removal] = actions(app)
    login_as(client, shop.other_member)
    assert "Spam or advertising" in client.get(f"/mod/appeal/{removal.id}").get_data(as_text=True)
    first = client.post(f"/mod/appeal/{removal.id}", data={"body": "It was a real shop I use."})
    assert first.status_code == 302
    assert case_of(app, "post", spam.id).status is CaseStatus.OPEN
    assert "It was a real shop I use." in moderator.get("/mod").get_data(as_text=True)
    second = client.post(f"/mod/appeal/{removal.id}", data={"body": "Please!"})
    # Once only: refused as a conflict, her first words still the ones on record.
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "You appealed" in page and "“It was a real shop I use.”" in page
    assert "Please!" not in page
    from fanhub.accounts.models import User
    from fanhub.errors import Conflict
    from fanhub.moderation import services

    with app.app_context(), pytest.raises(Conflict):
        services.appeal(db.session.get(User, shop.other_member.id), removal.id, "Again", now=now)
    moderator.post("/mod/decide", data={"items": [f"case:{case.id}"], "decision": "restore"})
    assert factories.load(app, Post, spam.id).status is PostStatus.VISIBLE


def test_only_the_member_a_decision_is_about_sees_it(app, client, shop, spam):
    case = flag(app, shop.member, "post", spam.id)
    moderator = app.test_client()
    login_as(moderator, shop.moderator)
    moderator.post(
        "/mod/decide", data={"items": [f"case:{case.id}"], "decision": "hide", "rule": "spam"}
    )
    [hidden] = actions(app)
    login_as(client, shop.member)
    assert client.get(f"/mod/appeal/{hidden.id}").status_code == 404


def test_queue_queries_do_not_grow_with_flags(app, client, shop, count_queries, make_user):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    people = [make_user(f"flagger{n}") for n in range(4)]
    few_post = factories.reply(app, topic, shop.other_member, "Spam one")
    flag(app, people[0], "post", few_post.id)
    login_as(client, shop.moderator)
    with count_queries() as few:
        client.get("/mod")
    kettle = make_product(app, shop.brand, "kettle")
    review = write_review(app, kettle, shop.other_member, 2)
    for n in range(12):
        post = factories.reply(app, topic, shop.other_member, f"More spam {n}")
        for who in people[:2]:
            flag(app, who, "post", post.id, "other", f"note {n}")
    flag(app, people[0], "topic", topic.id)
    flag(app, people[0], "review", review.id)
    with count_queries() as many:
        response = client.get("/mod")
    assert response.status_code == 200
    assert len(many) <= len(few) + 2  # one query per kind of item present, at most four
    assert len(many) <= 12
