"""The desk page: its queue, its window, its CSV files and what each costs in queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from fanhub.staff import services
from tests import factories
from tests.moderation.conftest import flag
from tests.reviews.conftest import write_review
from tests.staff.conftest import NOW
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
    assert "waiting 3 days" in page or "waiting 6 days" in page
    assert 'data-testid="questions-waiting">2<' in page


@pytest.mark.parametrize("days", ["14", "abc", "-1"])
def test_a_window_other_than_7_30_or_90_days_is_a_400_with_a_message(staff_client, shop, days):
    response = staff_client.get(f"/b/northwind/staff?days={days}")
    assert response.status_code == 400
    assert "Choose a window of 7, 30 or 90 days." in response.get_data(as_text=True)
    assert staff_client.get(f"/b/northwind/staff/summary.csv?days={days}").status_code == 400


def test_the_page_draws_its_charts_as_svg_without_style_attributes(staff_client, desk_data):
    page = staff_client.get("/b/northwind/staff?days=90").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 2
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


def test_the_summary_csv_has_every_headline_figure(app, shop):
    with app.app_context():
        from fanhub.staff.services import Metrics

        metrics = Metrics(30, NOW, 4, 2, 1, 100, 200, 2, 1, 3, 3, [], [])
    rows = dict(services.summary_rows(metrics))
    assert rows["median_seconds_to_first_official_reply"] == 100
    assert rows["share_answered_within_24h"] == 0.25
    assert rows["review_answer_rate"] == 1.0


def _busy(app, shop, questions, reviews):
    people = [factories.make_user(app) for _ in range(max(reviews, 1))]
    for n in range(questions):
        topic = factories.make_topic(
            app, shop.support, people[n % len(people)], title=f"Question number {n}",
            now=NOW - timedelta(days=2, hours=n),
        )  # fmt: skip
        if n % 2:
            factories.reply(app, topic, shop.staff, now=NOW - timedelta(days=1))
    from tests.reviews.conftest import make_product

    product = make_product(app, shop.brand, f"thing{questions}", sku=f"T-{questions}")
    for n in range(reviews):
        write_review(app, product, people[n], 1 + n % 5, now=NOW - timedelta(days=n % 20))


def test_desk_queries_do_not_grow_with_the_data(app, shop, count_queries):
    viewer = app.test_client()
    login_as(viewer, shop.owner)
    _busy(app, shop, questions=2, reviews=1)
    with count_queries() as few:
        assert viewer.get("/b/northwind/staff?days=90").status_code == 200
    _busy(app, shop, questions=40, reviews=30)
    with app.app_context():
        from fanhub.extensions import cache

        cache.clear()  # the metrics, cached for a minute, are counted again
    with count_queries() as many:
        assert viewer.get("/b/northwind/staff?days=90").status_code == 200
    assert len(many) == len(few) <= 16


def test_the_queue_csv_costs_as_few_queries_with_more_data(app, shop, count_queries):
    viewer = app.test_client()
    login_as(viewer, shop.owner)
    _busy(app, shop, questions=2, reviews=1)
    with count_queries() as few:
        viewer.get("/b/northwind/staff/queue.csv")
    _busy(app, shop, questions=40, reviews=30)
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
