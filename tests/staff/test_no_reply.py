""" "No reply needed" (issue 13): a waiting item leaves the queue with its reason kept, the
metrics count it apart, and it can be undone; only the brand's team may."""

from __future__ import annotations

import pytest

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.errors import Conflict, Forbidden, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forums.models import CategoryKind
from fanhub.staff import services
from fanhub.staff.models import NO_REPLY_REASON_MAX, ClaimTarget
from tests import factories
from tests.stories import login_as


def _mark(client, kind, target_id, reason="A 5-star thank-you", days="30"):
    return client.post(
        f"/b/northwind/staff/no-reply/{kind}/{target_id}", data={"reason": reason, "days": days}
    )


def _metrics(app, shop, now, days=30):
    with app.app_context():
        return services.desk_metrics(
            db.session.get(User, shop.staff.id), db.session.get(Brand, shop.brand.id), days, now=now
        )


def _parts(page):
    """The desk's queue (its two tables) and its "no reply needed" panel."""
    queue, marks = page.split("data-desk>", 1)[1].split('id="no-reply"', 1)
    return queue, marks


@pytest.fixture
def staff_client(client, shop):
    login_as(client, shop.staff)
    return client


def test_staff_marks_a_question_and_it_leaves_the_queue_with_its_reason(staff_client, desk_data):
    topic = desk_data.topics["U1"]
    response = _mark(staff_client, "topic", topic.id, "Answered by a member already")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/b/northwind/staff?days=30#no-reply")
    page = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    queue, marks = _parts(page)
    assert "Still waiting on support" not in queue
    assert 'data-testid="questions-waiting">1<' in queue
    assert "Still waiting on support" in marks and "Answered by a member already" in marks
    assert 'data-testid="no-reply-count">1<' in marks
    assert "needs no reply: it left the queue" in page


def test_a_marked_review_leaves_the_queue(staff_client, desk_data):
    review = desk_data.reviews["r4"]
    assert _mark(staff_client, "review", review.id).status_code == 302
    queue, _ = _parts(staff_client.get("/b/northwind/staff").get_data(as_text=True))
    assert "Burns the edges" not in queue
    assert "HYPERLINK" in queue  # the other waiting review stays


def test_a_marked_review_is_not_on_the_all_unanswered_reviews_page_either(staff_client, desk_data):
    """The desk's "see them all" page is the same list in full: a review that needs no
    reply waits on nobody there either, and comes back when the mark is undone."""
    review = desk_data.reviews["r4"]

    def listed() -> str:
        page = staff_client.get("/b/northwind/reviews/unanswered").get_data(as_text=True)
        return page.split('data-testid="queue"', 1)[1].split("</ul>", 1)[0]

    assert "Burns the edges" in listed()
    assert _mark(staff_client, "review", review.id).status_code == 302
    after = listed()
    assert "Burns the edges" not in after
    assert "HYPERLINK" in after


def test_the_metrics_count_marked_items_apart(app, staff_client, shop, desk_data, desk_now):
    _mark(staff_client, "topic", desk_data.topics["U1"].id)
    _mark(staff_client, "review", desk_data.reviews["r4"].id)
    metrics = _metrics(app, shop, desk_now)
    # Twelve questions, ten answered: the marked one counts in neither.
    assert (metrics.questions, metrics.answered, metrics.questions_no_reply) == (11, 10, 1)
    assert metrics.response_times[-1].count == 1  # still "not answered yet": U2 alone
    # Four reviews, two answered: the marked one is out of the answer rate.
    assert (metrics.reviews, metrics.reviews_answered, metrics.reviews_no_reply) == (3, 2, 1)
    assert metrics.review_answer_rate == pytest.approx(2 / 3)
    page = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    assert 'data-testid="no-reply-needed">2<' in page
    assert "1 questions, 1 reviews; counted apart" in page
    rows = dict(services.summary_rows(metrics))
    assert rows["questions_no_reply_needed"] == rows["reviews_no_reply_needed"] == 1


def test_undo_puts_the_item_back_in_the_queue_and_the_figures(
    app, staff_client, shop, desk_data, desk_now
):
    topic = desk_data.topics["U1"]
    _mark(staff_client, "topic", topic.id)
    response = staff_client.post(f"/b/northwind/staff/no-reply/topic/{topic.id}/undo")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#topic-{topic.id}")
    page = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    queue, marks = _parts(page)
    assert "Still waiting on support" in queue and "Still waiting on support" not in marks
    assert "is back in the queue" in page
    metrics = _metrics(app, shop, desk_now)
    assert (metrics.questions, metrics.questions_no_reply) == (12, 0)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Say why no reply is needed"),
        ("x" * (NO_REPLY_REASON_MAX + 1), f"{NO_REPLY_REASON_MAX} characters or fewer"),
        ("x" * (NO_REPLY_REASON_MAX + 51), "Field cannot be longer than"),
        ("bell\x07", "control characters"),
    ],
)
def test_a_bad_reason_is_a_400_that_keeps_the_desk_and_her_words(
    staff_client, desk_data, reason, message
):
    topic = desk_data.topics["U1"]
    response = _mark(staff_client, "topic", topic.id, reason)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<h1>Staff desk</h1>" in page
    assert 'data-testid="no-reply-refused"' in page and message in page
    row = page.split(f'id="topic-{topic.id}"', 1)[1].split("</tr>", 1)[0]
    assert 'aria-invalid="true"' in row and message in row
    if reason.strip() and "\x07" not in reason:
        assert f'value="{reason}"' in row
    # Still waiting, nothing marked.
    assert 'data-testid="no-reply-count">0<' in page


@pytest.mark.parametrize("who", ["member", "other_staff", "moderator"])
def test_only_the_brands_team_may_mark_or_undo(app, client, shop, desk_data, desk_now, who):
    topic = desk_data.topics["U1"]
    with app.app_context():
        services.mark_no_reply(
            db.session.get(User, shop.staff.id),
            db.session.get(Brand, shop.brand.id),
            ClaimTarget.TOPIC,
            desk_data.topics["U2"].id,
            "A thank-you",
            now=desk_now,
        )
    login_as(client, shop.person(who))
    assert _mark(client, "topic", topic.id).status_code == 403
    undo = f"/b/northwind/staff/no-reply/topic/{desk_data.topics['U2'].id}/undo"
    assert client.post(undo).status_code == 403
    assert _metrics(app, shop, desk_now).questions_no_reply == 1


def test_a_visitor_is_sent_to_log_in(client, desk_data):
    response = _mark(client, "topic", desk_data.topics["U1"].id)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_brands_item_is_not_on_this_desk(app, client, shop, desk_now):
    acme_support = factories.make_category(app, shop.other_brand, CategoryKind.SUPPORT)
    acme_topic = factories.make_topic(app, acme_support, shop.member)
    login_as(client, shop.staff)
    assert _mark(client, "topic", acme_topic.id).status_code == 404
    assert _mark(client, "post", acme_topic.id).status_code == 404


def _service_mark(app, who, shop, kind, target_id, reason, now):
    with app.app_context():
        return services.mark_no_reply(
            db.session.get(User, who.id),
            db.session.get(Brand, shop.brand.id),
            kind,
            target_id,
            reason,
            now=now,
        )


def test_an_answered_review_cannot_be_marked(app, shop, desk_data, desk_now):
    with pytest.raises(Conflict, match="already has an official answer"):
        _service_mark(
            app, shop.staff, shop, ClaimTarget.REVIEW, desk_data.reviews["r1"].id, "x", desk_now
        )


def test_an_item_is_marked_once(app, shop, desk_data, desk_now):
    ident = desk_data.topics["U1"].id
    _service_mark(app, shop.staff, shop, ClaimTarget.TOPIC, ident, "Spam-ish", desk_now)
    with pytest.raises(Conflict, match="already marked"):
        _service_mark(app, shop.owner, shop, ClaimTarget.TOPIC, ident, "Again", desk_now)


def test_an_item_a_colleague_is_answering_cannot_be_marked(
    app, staff_client, shop, desk_data, desk_now
):
    ident = desk_data.topics["U1"].id
    with app.app_context():
        services.claim(
            db.session.get(User, shop.owner.id),
            db.session.get(Brand, shop.brand.id),
            ClaimTarget.TOPIC,
            ident,
            now=desk_now,
        )
    response = _mark(staff_client, "topic", ident)
    assert response.status_code == 303
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is answering this" in page


def test_the_service_checks_permission_and_the_reason(app, shop, desk_data, desk_now):
    ident = desk_data.topics["U1"].id
    with pytest.raises(Forbidden):
        _service_mark(app, shop.member, shop, ClaimTarget.TOPIC, ident, "Fine", desk_now)
    with pytest.raises(Invalid) as refused:
        _service_mark(app, shop.staff, shop, ClaimTarget.TOPIC, ident, "", desk_now)
    assert refused.value.field == "reason"
    with pytest.raises(NotFound):
        _service_mark(app, shop.staff, shop, ClaimTarget.TOPIC, 10**9, "Fine", desk_now)
    assert services.check_reason("  a  5-star\nthank-you ") == "a 5-star thank-you"
