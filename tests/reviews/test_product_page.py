"""The product page: rating summary, histogram filters, sorts, paging, structured data,
and what each viewer sees of her own review and may do."""

from __future__ import annotations

import html
import json
import re

import pytest

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.reviews import services
from tests.reviews.conftest import answer, write_review
from tests.stories import login_as

URL = "/b/northwind/p/kettle"


@pytest.fixture
def rated(app, shop, catalog, make_user):
    """Kettle rated 5, 5, 4, 2 and 1 by five customers."""
    people = [make_user(f"rater{n}") for n in range(5)]
    return [
        write_review(
            app, catalog.kettle, person, stars, title=f"Rated {stars} by {person.username}"
        )
        for person, stars in zip(people, (5, 5, 4, 2, 1), strict=True)
    ]


def _schema(page: str):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return [json.loads(block) for block in found]


def test_the_summary_shows_the_average_to_one_decimal_the_count_and_each_bar(client, rated):
    page = client.get(URL).get_data(as_text=True)
    assert '<strong data-testid="average">3.4</strong>' in page
    assert "5 reviews" in page
    counts = {
        n: re.search(rf'data-testid="histogram-{n}">(\d+)<', page).group(1) for n in range(1, 6)
    }
    assert counts == {5: "2", 4: "1", 3: "0", 2: "1", 1: "1"}
    assert 'href="/b/northwind/p/kettle?stars=4"' in page


def test_a_bar_filters_the_reviews_by_its_stars(client, rated):
    page = client.get(URL + "?stars=5").get_data(as_text=True)
    assert page.count('<article class="review-card') == 2
    assert "5-star reviews" in page
    assert "Show all reviews" in page
    assert (
        client.get(URL + "?stars=3").get_data(as_text=True).count('<article class="review-card')
        == 0
    )


@pytest.mark.parametrize("stars", ["0", "6", "4.5", "five", "99999999999999999999"])
def test_a_star_filter_that_is_not_one_to_five_is_a_bad_request(client, rated, stars):
    response = client.get(URL + f"?stars={stars}")
    assert response.status_code == 400
    assert "Filter by 1 to 5 stars." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("highest", [5, 5, 4, 2, 1]), ("lowest", [1, 2, 4, 5, 5]), ("newest", None)],
)
def test_the_sorts_order_the_reviews(client, rated, sort, expected):
    page = client.get(URL + f"?sort={sort}").get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'class="stars stars--review"[^>]*data-stars="(\d)"', page)]
    if expected is None:
        ids = [int(n) for n in re.findall(r'data-review-id="(\d+)"', page)]
        assert ids == sorted((r.id for r in rated), reverse=True)
    else:
        assert shown == expected


def test_an_unknown_sort_falls_back_to_most_helpful(client, rated):
    assert client.get(URL + "?sort=bogus").status_code == 200


def test_ten_reviews_a_page_and_the_cursor_walks_every_review_once(
    app, client, shop, catalog, make_user
):
    ids = {
        write_review(app, catalog.kettle, make_user(f"pager{n}"), 1 + n % 5).id for n in range(23)
    }
    for sort in ("helpful", "newest", "highest", "lowest"):
        seen: list[int] = []
        url = URL + f"?sort={sort}"
        pages = 0
        while url:
            page = client.get(url).get_data(as_text=True)
            found = [
                int(n)
                for n in re.findall(r'<article class="review-card[^"]*" id="review-(\d+)"', page)
            ]
            assert len(found) <= 10
            seen += found
            pages += 1
            marker = page.split('rel="next" href="')
            url = html.unescape(marker[1].split('"')[0]) if len(marker) > 1 else None
        assert sorted(seen) == sorted(ids), sort
        assert pages == 3


def test_a_forged_cursor_is_a_bad_request(client, rated):
    assert client.get(URL + "?sort=highest&after=garbage").status_code == 400
    assert client.get(URL + "?sort=newest&after=x").status_code == 400


def test_structured_data_carries_product_rating_and_published_reviews(
    app, client, shop, rated, now
):
    with app.app_context():
        services.remove_review(
            db.session.get(User, shop.moderator.id),
            services.access_review(rated[-1].id),
            "spam",
            now=now,
        )
    [data] = _schema(client.get(URL).get_data(as_text=True))
    assert data["@type"] == "Product"
    assert data["name"] == "Northwind Kettle"
    assert data["sku"] == "NW-KETTLE"
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.0,
        "ratingCount": 4,
        "reviewCount": 4,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert len(data["review"]) == 4
    assert {r["reviewRating"]["ratingValue"] for r in data["review"]} == {5, 4, 2}
    assert data["url"] == "http://localhost/b/northwind/p/kettle"


def test_no_structured_data_without_published_reviews(client, catalog):
    page = client.get(URL).get_data(as_text=True)
    assert _schema(page) == []
    assert "No reviews yet" in page


def test_structured_data_never_rates_an_organization(client, rated):
    page = client.get(URL).get_data(as_text=True)
    assert "Organization" not in page and "LocalBusiness" not in page


def test_script_in_a_review_cannot_close_the_structured_data_block(app, client, shop, catalog):
    write_review(app, catalog.kettle, shop.member, 1, title="</script><script>alert(1)</script>",
                 body="</script><img src=x onerror=alert(1)> is what I typed.")  # fmt: skip
    page = client.get(URL).get_data(as_text=True)
    block = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block
    assert _schema(page)[0]["review"][0]["name"] == "</script><script>alert(1)</script>"
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_visitor_is_invited_to_log_in_to_review(client, catalog):
    page = client.get(URL).get_data(as_text=True)
    assert "Log in to write a review" in page


def test_a_member_sees_write_then_edit(app, client, shop, catalog):
    login_as(client, shop.member)
    assert "Write a review" in client.get(URL).get_data(as_text=True)
    write_review(app, catalog.kettle, shop.member, 4)
    page = client.get(URL).get_data(as_text=True)
    assert "Edit your review" in page
    assert 'data-testid="your-review"' in page


def test_staff_see_no_write_button_but_a_note_and_their_tools(client, shop, catalog):
    login_as(client, shop.staff)
    page = html.unescape(client.get(URL).get_data(as_text=True))
    assert 'data-testid="write-review"' not in page
    assert "You are on Northwind's team, so you can't review its products." in page
    assert "Edit product" in page and "Unanswered reviews" in page
    assert "Reviews to moderate" not in page


def test_the_official_answer_is_badged_with_the_brand_name(app, client, shop, catalog):
    review = write_review(app, catalog.kettle, shop.member, 2)
    answer(app, review, shop.staff, "We are on it.")
    page = client.get(URL).get_data(as_text=True)
    assert 'data-testid="official-answer"' in page
    assert "Official answer from Northwind" in page


def test_unknown_brand_or_product_is_404(client, catalog):
    assert client.get("/b/nowhere/p/kettle").status_code == 404
    assert client.get("/b/northwind/p/nothing").status_code == 404
    assert client.get("/b/northwind/p/kettle/r/99999").status_code == 404
