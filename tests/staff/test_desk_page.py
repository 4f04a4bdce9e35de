"""The desk page: its queue, its window, its CSV files and what each costs in queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask import url_for

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand
from fanhub.db import transaction
from fanhub.extensions import cache, db
from fanhub.staff import services
from fanhub.staff.links import QueueLinks
from fanhub.staff.models import ClaimTarget
from tests import factories
from tests.moderation.conftest import flag
from tests.reviews.conftest import write_review
from tests.stories import login_as


@pytest.fixture
def staff_client(client, shop):
    login_as(client, shop.staff)
    return client


def test_the_queue_lists_customer_questions_oldest_first_and_reviews_lowest_rating_first(
    staff_client, desk_data
):
    page = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    assert page.index("Still waiting on support") < page.index("Still waiting in discussion")
    # Answered, team-opened and idea topics are not waiting for the brand.
    for absent in ("Support question A", "A note from the team", "An idea, not a question"):
        assert absent not in page
    assert page.index("Old news") > page.index("Burns the edges") > page.index("HYPERLINK")
    assert "Lovely" not in page  # answered
    # Drawn at the desk's moment (desk_data moved the clock there): three days to the hour.
    assert "waiting 3 days" in page
    assert 'data-testid="questions-waiting">2<' in page


@pytest.mark.parametrize("days", ["14", "abc", "-1"])
def test_a_window_other_than_7_30_or_90_days_is_a_400_with_a_message(staff_client, shop, days):
    response = staff_client.get(f"/b/northwind/staff?days={days}")
    assert response.status_code == 400
    assert "Choose a window of 7, 30 or 90 days." in response.get_data(as_text=True)
    assert staff_client.get(f"/b/northwind/staff/summary.csv?days={days}").status_code == 400


def test_the_page_draws_its_charts_as_svg_without_style_attributes(staff_client, desk_data):
    page = staff_client.get("/b/northwind/staff?days=90").get_data(as_text=True)
    # Response times, ratings, and answers before asking (issue 14).
    assert page.count('<svg class="chart"') == 3
    assert "style=" not in page
    assert "<script>" not in page
    assert 'aria-describedby="rating-desc"' in page and 'id="rating-desc"' in page


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_a_csv_download_has_its_type_and_a_filename(staff_client, desk_data):
    response = staff_client.get("/b/northwind/staff/ratings.csv?days=7")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="northwind-ratings-7d.csv"'
    )
    assert _csv(response)[0] == ["week starting", "reviews", "average rating"]


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(staff_client, desk_data):
    rows = _csv(staff_client.get("/b/northwind/staff/queue.csv"))
    titles = [row[2] for row in rows[1:]]
    assert '\'=HYPERLINK("x")' in titles
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row if cell)


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tx", "'\tx"), ("plain", "plain"), (-3, -3), ("", "")],
)  # fmt: skip
def test_to_csv_prefixes_only_text_that_starts_like_a_formula(cell, safe):
    assert next(csv.reader(io.StringIO(services.to_csv([[cell]])))) == [str(safe)]


def test_the_summary_csv_has_every_headline_figure(app, shop, now):
    with app.app_context():
        from fanhub.staff.services import Metrics

        metrics = Metrics(30, now, 4, 2, 1, 100, 200, 2, 1, 3, 3, [], [])
    rows = dict(services.summary_rows(metrics))
    assert rows["median_seconds_to_first_official_reply"] == 100
    assert rows["share_answered_within_24h"] == 0.25
    assert rows["review_answer_rate"] == 1.0


def _busy(app, shop, questions, reviews, now):
    people = [factories.make_user(app) for _ in range(max(reviews, 1))]
    for n in range(questions):
        topic = factories.make_topic(
            app, shop.support, people[n % len(people)], title=f"Question number {n}",
            now=now - timedelta(days=2, hours=n),
        )  # fmt: skip
        if n % 2:
            factories.reply(app, topic, shop.staff, now=now - timedelta(days=1))
    from tests.reviews.conftest import make_product

    product = make_product(app, shop.brand, f"thing{questions}", sku=f"T-{questions}")
    for n in range(reviews):
        write_review(app, product, people[n], 1 + n % 5, now=now - timedelta(days=n % 20))


def test_desk_queries_do_not_grow_with_the_data(app, shop, count_queries, now):
    viewer = app.test_client()
    login_as(viewer, shop.owner)
    _busy(app, shop, questions=2, reviews=1, now=now)
    with count_queries() as few:
        assert viewer.get("/b/northwind/staff?days=90").status_code == 200
    with count_queries() as few_cached:
        assert viewer.get("/b/northwind/staff?days=90").status_code == 200
    _busy(app, shop, questions=40, reviews=30, now=now)
    with app.app_context():
        cache.clear()  # the metrics, cached for a minute, are counted again
    with count_queries() as many:
        assert viewer.get("/b/northwind/staff?days=90").status_code == 200
    with count_queries() as many_cached:
        assert viewer.get("/b/northwind/staff?days=90").status_code == 200
    # (16 with the weekly "answers before asking" counts, issue 14: one aggregate query.)
    assert len(many) == len(few) <= 16
    # Within the metrics' minute: the viewer, the brand and her roles, then the queue's
    # questions (with how many wait), reviews and claims, and the items marked "no reply
    # needed" (with how many in all).
    assert len(many_cached) == len(few_cached) <= 7


def test_the_queue_csv_costs_as_few_queries_with_more_data(app, shop, count_queries, now):
    viewer = app.test_client()
    login_as(viewer, shop.owner)
    _busy(app, shop, questions=2, reviews=1, now=now)
    with count_queries() as few:
        viewer.get("/b/northwind/staff/queue.csv")
    _busy(app, shop, questions=40, reviews=30, now=now)
    with count_queries() as many:
        viewer.get("/b/northwind/staff/queue.csv")
    assert len(many) == len(few) <= 10


def test_a_question_moderation_hid_is_not_waiting_for_the_brand(app, staff_client, shop):
    from_spammer = factories.make_topic(app, shop.support, shop.other_member, title="Cheap pills")
    factories.make_topic(app, shop.support, shop.member, title="My grinder jams")
    for n in range(3):
        reporter = factories.make_user(app, f"reporter{n}")
        flag(app, reporter, "topic", from_spammer.id)
    page = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    assert "My grinder jams" in page
    assert "Cheap pills" not in page
    assert 'data-testid="questions-waiting">1<' in page


def _figures(page: str) -> str:
    """The metrics half of a desk page, from its heading to the end of the content."""
    return page[page.index('<section class="desk-metrics"') : page.index("</main>")]


def test_colleagues_see_the_same_figures_but_each_their_own_claims(app, shop, now):
    question = factories.make_topic(app, shop.support, shop.member, title="My kettle leaks")
    with app.app_context():
        services.claim(
            db.session.get(User, shop.staff.id), db.session.get(Brand, shop.brand.id),
            ClaimTarget.TOPIC, question.id, now=now,
        )  # fmt: skip
    pages = {}
    for person in (shop.staff, shop.owner):
        viewer = app.test_client()
        login_as(viewer, person)
        pages[person.username] = viewer.get("/b/northwind/staff").get_data(as_text=True)
    holder, colleague = pages[shop.staff.username], pages[shop.owner.username]
    assert "You're on it (until" in holder
    assert "is on it (until" not in holder
    assert f"{shop.staff.username} is on it (until" in colleague
    assert "You're on it" not in colleague
    assert f'data-testid="signed-in-as">{shop.owner.username}<' in colleague
    # Rendered once with the figures, the metrics half is the same for both.
    assert _figures(holder) == _figures(colleague)
    assert "1 of 1 questions" not in holder and "0 of 1 questions" in holder


def test_the_figures_shown_change_as_soon_as_they_are_computed_again(app, staff_client, shop):
    factories.make_topic(app, shop.support, shop.member, title="First question")
    assert "0 of 1 questions" in staff_client.get("/b/northwind/staff").get_data(as_text=True)
    factories.make_topic(app, shop.support, shop.member, title="Second question")
    # The queue is live; the figures are the ones computed up to a minute ago.
    again = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    assert "Second question" in again
    assert "0 of 1 questions" in again
    # Their minute is up: the next view computes them again and shows them, never the
    # copy rendered with the old ones.
    with app.app_context():
        cache.delete(services.metrics_cache_key(shop.brand.id, services.DEFAULT_WINDOW))
    fresh = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    assert "0 of 2 questions" in fresh


def test_a_row_names_its_author_or_a_deleted_member(app, staff_client, shop):
    ada = factories.make_user(app, "ada", display_name="Ada Lovelace")
    gone = factories.make_user(app, "gone")
    factories.make_topic(app, shop.support, ada, title="Descaling with vinegar?")
    factories.make_topic(app, shop.support, gone, title="Lost my receipt")
    with app.app_context(), transaction():
        db.session.get(User, gone.id).status = UserStatus.DELETED
    page = staff_client.get("/b/northwind/staff").get_data(as_text=True)
    assert '<a class="post__author" href="/u/ada">Ada Lovelace</a>' in page
    assert "Lost my receipt" in page
    assert '<span class="post__author muted">a deleted member</span>' in page
    assert "/u/gone" not in page


# Slugs and usernames as their patterns allow them, and values url_for must quote (which no
# pattern allows, but the links must still be right if one ever got through).
@pytest.mark.parametrize("value", ["kettle-one", "ada_2", "zoë", "a b", "x/y?z"])
def test_queue_links_are_the_urls_url_for_builds(app, value, now):
    with app.test_request_context():
        links = QueueLinks("northwind")
        topic = services.QueueRow(
            ClaimTarget.TOPIC, 42, "Leaks", "", None, "Support", now, 0, value
        )
        review = services.QueueRow(ClaimTarget.REVIEW, 7, "Meh", "", None, "Kettle", now, 0, value)
        assert links.item(topic) == url_for("forums.topic", topic_id=42, slug=value)
        assert links.item(review) == url_for(
            "reviews.review", brand="northwind", product=value, review_id=7, _anchor="reply"
        )
        assert links.profile(value) == url_for("accounts.profile", username=value)
        for change in ("claim", "release"):
            assert links.change(review, change) == url_for(
                "staff.change_claim", brand="northwind", change=change, kind="review", target_id=7
            )
