"""Reviews and the replies under them follow the forum's trust rules (issue 5, points 5 and
6): a new member's images and extra links are refused, her repeated or link-heavy text and,
where the brand pre-moderates, everything she writes waits in the moderators' queue with
the reason; approving it there does what publishing would have done, once, and rejecting
it keeps it out of sight."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, Role
from fanhub.db import transaction, utcnow
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.forums.models import PostStatus
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Case, CaseStatus, Decision, ItemKind, ModerationRule
from fanhub.notifications.models import Notification, NotificationKind
from fanhub.reviews import services
from fanhub.reviews.models import (
    ReplyStatus,
    Review,
    ReviewReply,
    ReviewRevision,
    ReviewRule,
    ReviewStatus,
)
from tests import factories
from tests.factories import run_together
from tests.moderation.conftest import actions, decide, held_case
from tests.reviews.conftest import LONG_ENOUGH, counters, make_product, recount, write_review
from tests.stories import login_as

SAME = "Great kettle, it boils in two minutes and the handle stays cool."
LINKY = "Deals: https://a.example and https://b.example today"
THREE_LINKS = "See https://a.example, https://b.example and https://c.example for the manual."
IMAGE = "Look at the scale it left: ![scale](https://img.example/scale.png) after a week."
WRITE = "/b/northwind/p/kettle/review"
EMPTY_RATING = (0, 0, {5: 0, 4: 0, 3: 0, 2: 0, 1: 0})


def _newbie(make_user: Any) -> Any:
    return make_user("newbie", trust_level=0)


def _premoderate(app: Flask, shop: Any) -> None:
    with app.app_context(), transaction():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True


def _page(path: str, who: Any = None, app: Flask | None = None, client: Any = None) -> str:
    viewer = client or app.test_client()  # type: ignore[union-attr]
    login_as(viewer, who)
    return html.unescape(viewer.get(path).get_data(as_text=True))


def _review_url(review: Any) -> str:
    return f"/b/northwind/p/kettle/r/{review.id}"


def reply_as(app: Flask, who: Any, review: Any, body: str, now: Any = None) -> ReviewReply:
    with app.app_context():
        reply = services.reply_to_review(
            db.session.get(User, who.id),
            services.access_review(review.id),
            body,
            now=now or utcnow(),
        )
        db.session.refresh(reply)
        return reply


def edit_as(app: Flask, who: Any, review: Any, stars: int, body: str, now: Any = None) -> Review:
    with app.app_context():
        edited = services.edit_review(
            db.session.get(User, who.id),
            services.access_review(review.id),
            services.ReviewDraft(stars, "", body),
            now=now or utcnow(),
        )
        db.session.refresh(edited)
        return edited


def reply_state(app: Flask, review: Any) -> dict[str, Any]:
    """Every number a reply moves, and who has heard of it."""
    with app.app_context():
        row = db.session.get(Review, review.id)
        db.session.refresh(row)
        return {
            "reply_count": row.reply_count,
            "answered_at": row.answered_at,
            "latest_answer_id": row.latest_answer_id,
            "told": db.session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.kind == NotificationKind.REVIEW_REPLY)
            ),
        }


def told(app: Flask, who: Any) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.message)
                .where(Notification.user_id == who.id)
                .order_by(Notification.id)
            )
        )


def count_rows(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


# ------------------------------------------------------------------ limits


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (IMAGE, "New members can't post images yet: link to the picture instead"),
        (THREE_LINKS, "New members can include at most 2 links in a review: this one has 3."),
    ],
)
def test_a_new_members_review_with_an_image_or_too_many_links_is_refused(
    app, client, shop, catalog, make_user, body, message
):
    login_as(client, _newbie(make_user))
    response = client.post(WRITE, data={"stars": "4", "title": "Scale", "body": body})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert message in page
    assert 'id="body-error"' in page  # on the field she has to change
    assert count_rows(app, Review) == count_rows(app, Case) == 0
    assert counters(app, catalog.kettle) == EMPTY_RATING


def test_the_limits_are_on_the_body_field_for_every_caller(app, shop, catalog, make_user):
    newbie = _newbie(make_user)
    with pytest.raises(Invalid, match="at most 2 links in a review") as refused:
        write_review(app, catalog.kettle, newbie, body=THREE_LINKS)
    assert refused.value.field == "body"


def test_a_new_member_may_not_add_an_image_by_editing_her_review(
    app, client, shop, catalog, make_user
):
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, newbie, 4, body=LONG_ENOUGH)
    login_as(client, newbie)
    response = client.post(
        WRITE, data={"stars": "4", "title": "", "body": IMAGE, "review_id": str(review.id)}
    )
    assert response.status_code == 400
    assert "New members can't post images yet" in html.unescape(response.get_data(as_text=True))
    stored = factories.load(app, Review, review.id)
    assert (stored.body, stored.status, stored.edit_count) == (
        LONG_ENOUGH,
        ReviewStatus.PUBLISHED,
        0,
    )
    assert count_rows(app, ReviewRevision) == 0


def test_a_new_members_reply_with_too_many_links_is_refused(app, client, shop, catalog, make_user):
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, _newbie(make_user))
    response = client.post(f"{_review_url(review)}/reply", data={"body": THREE_LINKS})
    assert response.status_code == 400
    assert "New members can include at most 2 links in a reply: this one has 3." in (
        response.get_data(as_text=True)
    )
    assert count_rows(app, ReviewReply) == count_rows(app, Case) == 0
    assert reply_state(app, review)["reply_count"] == 0


@pytest.mark.parametrize("who", ["established", "brand_moderator", "admin"])
def test_established_members_the_brands_team_and_admins_are_not_limited(
    app, shop, catalog, make_user, who
):
    _premoderate(app, shop)
    author = {
        "established": lambda: make_user("regular", trust_level=1),
        "brand_moderator": lambda: shop.moderator,
        "admin": lambda: shop.admin,
    }[who]()
    factories.make_new_members(app, shop.moderator, shop.admin)
    body = f"{THREE_LINKS} {IMAGE}"
    review = write_review(app, catalog.kettle, author, 5, body=body)
    assert review.status is ReviewStatus.PUBLISHED
    assert counters(app, catalog.kettle)[0] == 1
    reply = reply_as(app, author, review, LINKY)
    assert reply.status is ReplyStatus.VISIBLE
    assert count_rows(app, Case) == 0


def test_the_brands_staff_answer_with_links_at_level_0(app, shop, catalog):
    _premoderate(app, shop)
    factories.make_new_members(app, shop.staff)
    review = write_review(app, catalog.kettle, shop.member, 2)
    answer = reply_as(app, shop.staff, review, f"{THREE_LINKS} {IMAGE}")
    assert (answer.status, answer.is_official) == (ReplyStatus.VISIBLE, True)
    state = reply_state(app, review)
    assert state["reply_count"] == 1 and state["latest_answer_id"] == answer.id


# -------------------------------------------------------------- duplicates


def test_a_review_repeating_her_forum_post_waits_and_counts_nowhere(app, shop, catalog, make_user):
    newbie = _newbie(make_user)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    start = utcnow()
    factories.reply(app, topic, newbie, SAME, now=start)
    # Case and spacing do not make it new text.
    review = write_review(
        app, catalog.kettle, newbie, 5, body=f"  {SAME.upper()}\n", now=start + timedelta(minutes=2)
    )
    assert review.status is ReviewStatus.PENDING and review.published_at is None
    assert counters(app, catalog.kettle) == recount(app, catalog.kettle) == EMPTY_RATING
    case = held_case(app, "review", review.id)
    assert case.status is CaseStatus.OPEN and case.open_flag_count == 0
    assert case.hold_reason == "Posted the same text 2 minutes ago."


def test_a_forum_post_repeating_her_review_waits(app, shop, catalog, make_user):
    newbie = _newbie(make_user)
    start = utcnow()
    write_review(app, catalog.kettle, newbie, 5, body=SAME, now=start)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    post = factories.reply(app, topic, newbie, SAME, now=start + timedelta(minutes=1))
    assert post.status is PostStatus.PENDING
    assert held_case(app, "post", post.id).hold_reason == "Posted the same text 1 minute ago."


def test_a_reply_repeating_her_review_or_reply_waits(app, shop, catalog, make_user):
    newbie = _newbie(make_user)
    start = utcnow()
    others = write_review(app, catalog.toaster, shop.member, 3)
    write_review(app, catalog.kettle, newbie, 5, body=SAME, now=start)
    first = reply_as(app, newbie, others, SAME, now=start + timedelta(minutes=3))
    assert first.status is ReplyStatus.PENDING
    assert held_case(app, "review_reply", first.id).hold_reason == (
        "Posted the same text 3 minutes ago."
    )
    assert reply_state(app, others)["reply_count"] == 0


def test_the_same_text_after_the_window_is_published(app, shop, catalog, make_user):
    newbie = _newbie(make_user)
    start = utcnow()
    topic = factories.make_topic(app, shop.discussion, shop.member)
    factories.reply(app, topic, newbie, SAME, now=start)
    review = write_review(
        app, catalog.kettle, newbie, 5, body=SAME, now=start + timedelta(minutes=11)
    )
    assert review.status is ReviewStatus.PUBLISHED


def test_an_established_member_may_repeat_herself_in_reviews(app, shop, catalog):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    factories.reply(app, topic, shop.other_member, SAME)
    review = write_review(app, catalog.kettle, shop.other_member, 5, body=SAME)
    assert review.status is ReviewStatus.PUBLISHED
    assert reply_as(app, shop.other_member, review, SAME).status is ReplyStatus.VISIBLE


def test_editing_her_own_review_is_not_a_repeat_of_it(app, shop, catalog, make_user):
    newbie = _newbie(make_user)
    start = utcnow()
    review = write_review(app, catalog.kettle, newbie, 2, body=SAME, now=start)
    edited = edit_as(
        app, newbie, review, 2, SAME + " Still true.", now=start + timedelta(minutes=1)
    )
    assert edited.status is ReviewStatus.PUBLISHED
    assert counters(app, catalog.kettle)[0] == 1


def test_editing_a_review_into_her_recent_post_takes_it_out_of_the_counts(
    app, shop, catalog, make_user
):
    newbie = _newbie(make_user)
    start = utcnow()
    review = write_review(app, catalog.kettle, newbie, 2, body=LONG_ENOUGH, now=start)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    factories.reply(app, topic, newbie, SAME, now=start)
    edited = edit_as(app, newbie, review, 4, SAME, now=start + timedelta(minutes=1))
    assert edited.status is ReviewStatus.PENDING
    assert counters(app, catalog.kettle) == recount(app, catalog.kettle) == EMPTY_RATING
    assert held_case(app, "review", review.id).hold_reason == "Posted the same text 1 minute ago."


# -------------------------------------------------------------- link-heavy


def test_a_link_heavy_review_from_a_new_member_waits_with_its_reason(app, shop, catalog, make_user):
    review = write_review(app, catalog.kettle, _newbie(make_user), 5, body=LINKY)
    assert review.status is ReviewStatus.PENDING
    assert counters(app, catalog.kettle) == EMPTY_RATING
    assert held_case(app, "review", review.id).hold_reason == (
        "A new member's review that is mostly links (2 links, 3 words of text)."
    )


def test_a_link_heavy_reply_from_a_new_member_waits(app, shop, catalog, make_user):
    review = write_review(app, catalog.kettle, shop.member, 2)
    before = reply_state(app, review)
    reply = reply_as(app, _newbie(make_user), review, LINKY)
    assert reply.status is ReplyStatus.PENDING
    assert reply_state(app, review) == before
    assert held_case(app, "review_reply", reply.id).hold_reason == (
        "A new member's reply that is mostly links (2 links, 3 words of text)."
    )


def test_a_new_rating_under_words_a_moderator_let_through_needs_no_second_look(
    app, shop, catalog, make_user
):
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, newbie, 2, body=LINKY)
    decide(app, shop.moderator, held_case(app, "review", review.id), Decision.APPROVE)
    edited = edit_as(app, newbie, review, 4, LINKY)
    assert edited.status is ReviewStatus.PUBLISHED
    assert counters(app, catalog.kettle) == recount(app, catalog.kettle)
    assert counters(app, catalog.kettle)[:2] == (1, 4)


def test_an_approved_review_edited_into_links_goes_back_to_the_queue(
    app, client, shop, catalog, make_user
):
    _premoderate(app, shop)
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, newbie, 4)
    decide(app, shop.moderator, held_case(app, "review", review.id), Decision.APPROVE)
    assert counters(app, catalog.kettle)[0] == 1
    edited = edit_as(app, newbie, review, 4, LINKY)
    assert edited.status is ReviewStatus.PENDING
    assert counters(app, catalog.kettle) == recount(app, catalog.kettle) == EMPTY_RATING
    case = held_case(app, "review", review.id)
    assert case.status is CaseStatus.OPEN
    assert case.hold_reason.startswith("A new member's review that is mostly links")
    assert "Held: A new member's review that is mostly links" in _page("/mod", shop.moderator, app)
    decide(app, shop.moderator, case, Decision.APPROVE)
    assert counters(app, catalog.kettle) == recount(app, catalog.kettle)
    assert counters(app, catalog.kettle)[:2] == (1, 4)


# ---------------------------------------------------------- pre-moderation


def test_with_premoderation_a_new_members_reply_waits_unseen_and_uncounted(
    app, shop, catalog, make_user
):
    _premoderate(app, shop)
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, shop.member, 2)
    before = reply_state(app, review)
    reply = reply_as(app, newbie, review, "Mine did the same: descale it with citric acid.")
    assert reply.status is ReplyStatus.PENDING
    assert reply_state(app, review) == before  # no count, no answer, nobody told
    assert held_case(app, "review_reply", reply.id).hold_reason == (
        "A new member's reply: Northwind approves new members' replies first."
    )
    url = _review_url(review)
    for who in (None, shop.member, shop.other_member):
        page = _page(url, who, app)
        assert "citric acid" not in page
        assert f'id="reply-{reply.id}"' not in page
        assert "0 replies" in page
    mine = _page(url, newbie, app)
    assert "citric acid" in mine
    assert "Your reply is waiting for a moderator to approve it" in mine
    assert "citric acid" in _page(url, shop.moderator, app)


def test_with_premoderation_a_new_members_review_waits(app, shop, catalog, make_user):
    _premoderate(app, shop)
    review = write_review(app, catalog.kettle, _newbie(make_user), 5)
    assert review.status is ReviewStatus.PENDING
    assert held_case(app, "review", review.id).hold_reason == (
        "A new member's review: Northwind approves new members' reviews first."
    )


def test_the_author_is_told_her_review_waits_and_sees_it_marked(
    app, client, shop, catalog, make_user
):
    _premoderate(app, shop)
    login_as(client, _newbie(make_user))
    response = client.post(
        WRITE, data={"stars": "5", "title": "Quiet", "body": SAME}, follow_redirects=True
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Your review is waiting for a moderator: it will appear once they approve it." in page
    assert 'data-testid="review-status">Waiting for a moderator' in page
    assert 'data-testid="review-waiting"' in page
    assert SAME not in _page("/b/northwind/p/kettle", None, app)


def test_the_author_is_told_her_reply_waits(app, client, shop, catalog, make_user):
    _premoderate(app, shop)
    review = write_review(app, catalog.kettle, shop.member, 2)
    login_as(client, _newbie(make_user))
    response = client.post(
        f"{_review_url(review)}/reply", data={"body": "Same here."}, follow_redirects=True
    )
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "Your reply is waiting for a moderator: it will appear once they approve it." in page
    assert 'data-testid="reply-waiting"' in page


# ------------------------------------------------------------------- queue


def test_a_held_review_is_in_the_queue_once_with_its_reason(app, client, shop, catalog, make_user):
    review = write_review(app, catalog.kettle, _newbie(make_user), 5, body=LINKY)
    case = held_case(app, "review", review.id)
    page = _page("/mod", shop.moderator, client=client)
    assert "Held: A new member's review that is mostly links (2 links, 3 words of text)." in page
    assert f'value="case:{case.id}' in page
    # Not a second time among the reviews waiting without a reason.
    assert f'value="review:{review.id}"' not in page
    brand_page = _page("/b/northwind/reviews/pending", shop.moderator, app)
    assert "Held: A new member's review that is mostly links" in brand_page


def test_approving_a_held_review_publishes_it_with_its_rating_and_refreshes_the_widget(
    app, client, shop, catalog, make_user
):
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, newbie, 4, body=LINKY)
    widget = "/embed/v1/northwind/kettle/reviews.json"
    assert client.get(widget).json["rating"]["count"] == 0  # now cached
    case = held_case(app, "review", review.id)
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/decide",
        data={"items": [f"case:{case.id}"], "decision": "approve"},
        follow_redirects=True,
    )
    assert "1 item done: Approved the review." in response.get_data(as_text=True)
    stored = factories.load(app, Review, review.id)
    assert stored.status is ReviewStatus.PUBLISHED and stored.published_at is not None
    assert counters(app, catalog.kettle) == recount(app, catalog.kettle)
    assert counters(app, catalog.kettle)[:2] == (1, 4)
    assert app.test_client().get(widget).json["rating"]["count"] == 1
    assert held_case(app, "review", review.id).status is CaseStatus.CLOSED
    [action] = actions(app)
    assert action.action is Decision.APPROVE and action.item_kind is ItemKind.REVIEW
    assert action.state_before["held_because"].startswith("A new member's review")
    assert told(app, newbie) == [
        "A moderator approved your review of Northwind Kettle: it is published."
    ]
    assert 'data-testid="hold-reason"' not in _page("/mod", shop.moderator, app)


def test_rejecting_a_held_review_keeps_it_out_and_tells_its_author_why(
    app, shop, catalog, make_user
):
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, newbie, 1, body=LINKY)
    decide(app, shop.moderator, held_case(app, "review", review.id), Decision.REJECT,
           rule=ModerationRule.SPAM)  # fmt: skip
    stored = factories.load(app, Review, review.id)
    assert (stored.status, stored.moderation_rule) == (ReviewStatus.REJECTED, ReviewRule.SPAM)
    assert counters(app, catalog.kettle) == recount(app, catalog.kettle) == EMPTY_RATING
    assert "a.example" not in _page("/b/northwind/p/kettle", shop.other_member, app)
    assert "Spam or advertising" in _page("/b/northwind/p/kettle", newbie, app)
    [message] = told(app, newbie)
    assert message.startswith("A moderator did not publish your review of Northwind Kettle")


def test_a_held_review_approved_on_the_brands_page_leaves_the_queue(
    app, client, shop, catalog, make_user
):
    review = write_review(app, catalog.kettle, _newbie(make_user), 5, body=LINKY)
    login_as(client, shop.moderator)
    assert client.post(f"{_review_url(review)}/approve", data={}).status_code == 302
    case = held_case(app, "review", review.id)
    assert (case.status, case.last_decision, case.closed_by_id) == (
        CaseStatus.CLOSED,
        Decision.APPROVE,
        shop.moderator.id,
    )
    assert counters(app, catalog.kettle)[0] == 1
    with pytest.raises(Conflict, match="Already handled"):
        decide(app, shop.moderator, case, Decision.APPROVE)
    assert counters(app, catalog.kettle)[0] == 1


def test_approving_a_held_reply_counts_it_once_and_tells_the_reviewer(
    app, shop, catalog, make_user
):
    _premoderate(app, shop)
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, shop.member, 2)
    reply = reply_as(app, newbie, review, "Mine did the same: descale it with citric acid.")
    case = held_case(app, "review_reply", reply.id)
    before = reply_state(app, review)
    decide(app, shop.moderator, case, Decision.APPROVE)
    after = reply_state(app, review)
    assert after["reply_count"] == before["reply_count"] + 1
    assert after["told"] == before["told"] + 1
    assert after["latest_answer_id"] is None  # a member's reply, not the brand's answer
    assert told(app, shop.member) == ["newbie replied to your review of Northwind Kettle"]
    assert told(app, newbie) == [
        "A moderator approved your reply under a review of Northwind Kettle: it is published."
    ]
    assert factories.load(app, ReviewReply, reply.id).status is ReplyStatus.VISIBLE
    assert "citric acid" in _page(_review_url(review), None, app)
    # A second moderator working from the same page changes nothing.
    with pytest.raises(Conflict, match="Already handled"):
        decide(app, shop.admin, case, Decision.APPROVE)
    assert reply_state(app, review) == after
    assert [a.action for a in actions(app)] == [Decision.APPROVE]


def test_a_reply_published_once_cannot_be_published_again(app, shop, catalog, make_user):
    review = write_review(app, catalog.kettle, shop.member, 2)
    reply = reply_as(app, _newbie(make_user), review, LINKY)
    with app.app_context(), transaction():
        services.publish_held_reply(db.session.get(ReviewReply, reply.id), utcnow())
    with (
        app.app_context(),
        pytest.raises(Conflict, match="already decided on"),
        transaction(),
    ):
        services.publish_held_reply(db.session.get(ReviewReply, reply.id), utcnow())
    assert reply_state(app, review)["reply_count"] == 1


def test_rejecting_a_held_reply_leaves_no_trace_for_others(app, shop, catalog, make_user):
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, shop.member, 2)
    reply = reply_as(app, newbie, review, LINKY)
    before = reply_state(app, review)
    decide(app, shop.moderator, held_case(app, "review_reply", reply.id), Decision.REJECT,
           rule=ModerationRule.SPAM)  # fmt: skip
    assert factories.load(app, ReviewReply, reply.id).status is ReplyStatus.REMOVED
    assert reply_state(app, review) == before
    for who in (None, shop.member):
        page = _page(_review_url(review), who, app)
        assert f'id="reply-{reply.id}"' not in page and "a.example" not in page
    assert "Removed by a moderator" in _page(_review_url(review), newbie, app)
    assert told(app, newbie)[0].startswith(
        "A moderator did not publish your reply under a review of Northwind Kettle"
    )


def test_a_rejected_reply_restored_on_appeal_is_counted_and_told(
    app, shop, catalog, make_user, now
):
    newbie = _newbie(make_user)
    review = write_review(app, catalog.kettle, shop.member, 2)
    reply = reply_as(app, newbie, review, LINKY)
    decide(app, shop.moderator, held_case(app, "review_reply", reply.id), Decision.REJECT,
           rule=ModerationRule.SPAM)  # fmt: skip
    [rejected] = actions(app)
    with app.app_context():
        moderation.appeal(
            db.session.get(User, newbie.id), rejected.id, "Both are my own shops.", now=now
        )
    before = reply_state(app, review)
    decide(app, shop.moderator, held_case(app, "review_reply", reply.id), Decision.RESTORE)
    after = reply_state(app, review)
    assert after["reply_count"] == before["reply_count"] + 1
    assert after["told"] == before["told"] + 1
    assert f'id="reply-{reply.id}"' in _page(_review_url(review), None, app)


def test_the_queue_queries_do_not_grow_with_held_reviews_and_replies(
    app, client, shop, catalog, make_user, count_queries
):
    _premoderate(app, shop)
    review = write_review(app, catalog.kettle, shop.member, 2)
    first = make_user("first", trust_level=0)
    write_review(app, catalog.toaster, first, 3)
    reply_as(app, first, review, "A first reply that waits.")
    login_as(client, shop.moderator)
    with count_queries() as few:
        client.get("/mod")
    for n in range(8):
        newbie = make_user(f"newbie{n}", trust_level=0)
        write_review(app, catalog.toaster, newbie, 1 + n % 5)
        reply_as(app, newbie, review, f"Reply number {n} that waits.")
    with count_queries() as many:
        page = client.get("/mod").get_data(as_text=True)
    assert page.count('data-testid="hold-reason"') == 18
    assert len(many) == len(few)


@pytest.mark.concurrency
def test_moderators_approving_a_held_reply_at_once_count_it_once(isolated_app, now):
    app = isolated_app
    moderators = [factories.make_user(app, f"mod{n}") for n in range(4)]
    reviewer = factories.make_user(app, "reviewer")
    newbie = factories.make_user(app, "newbie", trust_level=0)
    brand = factories.make_brand(app, "busy", roles={Role.MODERATOR: moderators})
    product = make_product(app, brand, "kettle")
    review = write_review(app, product, reviewer, 2)
    reply = reply_as(app, newbie, review, LINKY)
    case = held_case(app, "review_reply", reply.id)
    outcomes: list[str] = []

    def approve(index: int) -> None:
        try:
            moderation.decide(
                db.session.get(User, moderators[index].id),
                [f"case:{case.id}"],
                moderation.DecisionDraft(Decision.APPROVE),
                now=now,
            )
        except Conflict:
            outcomes.append("conflict")
        else:
            outcomes.append("done")

    run_together(app, approve, len(moderators))
    assert sorted(outcomes) == ["conflict"] * (len(moderators) - 1) + ["done"]
    state = reply_state(app, review)
    assert state["reply_count"] == 1 and state["told"] == 1
    assert [a.action for a in actions(app)] == [Decision.APPROVE]
