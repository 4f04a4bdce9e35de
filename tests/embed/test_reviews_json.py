"""GET /embed/v1/<brand>/<product>/reviews.json: public, cacheable by anyone, conditional,
served from the cache without SQL, and changed by every change to what it shows."""

from __future__ import annotations

import json

import pytest

from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.reviews import services as reviews
from fanhub.reviews import widget
from fanhub.reviews.models import Review
from tests import factories
from tests.embed.support import add_product, add_review, answer, json_url, vote
from tests.stories import login_as


def test_the_summary_is_public_json_anyone_may_read_and_cache(client, mug):
    add_review(client.application, mug, stars=4)

    response = client.get(json_url(mug))

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.json["rating"]["average"] == 4.0
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=600"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")


def test_the_summary_sets_no_cookie_and_does_not_vary_by_cookie(client, mug):
    response = client.get(json_url(mug))

    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_signed_in_member_gets_the_same_answer_and_her_session_is_not_touched(client, shop, mug):
    anonymous = client.get(json_url(mug))
    login_as(client, shop.member)

    signed_in = client.get(json_url(mug))

    assert signed_in.data == anonymous.data
    assert signed_in.headers["ETag"] == anonymous.headers["ETag"]
    assert "Set-Cookie" not in signed_in.headers
    assert "Cookie" not in signed_in.headers.get("Vary", "")


@pytest.mark.parametrize(
    "header",
    [
        "{etag}",
        "W/{etag}",
        '"other", {etag}',
        "*",
    ],
)
def test_a_client_holding_the_current_version_gets_304(client, mug, header):
    etag = client.get(json_url(mug)).headers["ETag"]

    response = client.get(json_url(mug), headers={"If-None-Match": header.format(etag=etag)})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"].startswith("public, max-age=300")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "header",
    ['"0123456789abcdef"', "garbage", '"unterminated', "W/", ",,,", "\x7f\x01", "x" * 5000],
)
def test_an_if_none_match_that_matches_nothing_gets_the_full_answer(client, mug, header):
    response = client.get(json_url(mug), headers={"If-None-Match": header})

    assert response.status_code == 200
    assert response.json["product"]["slug"] == "travel-mug"


def test_head_answers_like_get_without_a_body(client, mug):
    get = client.get(json_url(mug))

    head = client.head(json_url(mug))

    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_summary_cannot_be_changed_through_its_address(client, mug, method):
    response = getattr(client, method)(json_url(mug), data={"stars": "5"})

    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    "path",
    [
        "/embed/v1/nobrand/travel-mug/reviews.json",
        "/embed/v1/northwind/no-such-mug/reviews.json",
        "/embed/v1/northwind/NO-SUCH-SKU/reviews.json?by=sku",
        "/embed/v1/acme/travel-mug/reviews.json",
        "/embed/v1/northwind/%E2%98%83/reviews.json",
    ],
)
def test_an_unknown_brand_product_or_sku_is_a_json_404_any_site_can_read(client, mug, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert response.json["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_lookup_other_than_slug_or_sku_is_a_json_400(client, mug):
    response = client.get(json_url(mug) + "?by=name")

    assert response.status_code == 400
    assert response.json == {"error": "invalid", "message": "by must be slug or sku."}


def test_the_sku_form_finds_the_product_by_the_shop_s_own_id(client, mug):
    by_slug = client.get(json_url(mug))

    by_sku = client.get("/embed/v1/northwind/NW-MUG-01/reviews.json?by=sku")

    assert by_sku.status_code == 200
    assert by_sku.data == by_slug.data


def test_slugs_in_the_address_are_not_case_sensitive(client, mug):
    response = client.get("/embed/v1/NorthWind/Travel-Mug/reviews.json")

    assert response.status_code == 200
    assert response.json["product"]["slug"] == "travel-mug"


# ---------------------------------------------------------------- caching


def test_a_cached_summary_is_served_without_any_sql(client, mug, count_queries):
    add_review(client.application, mug)
    client.get(json_url(mug))

    with count_queries() as statements:
        response = client.get(json_url(mug))

    assert response.status_code == 200
    assert statements == []


def test_a_cached_frame_is_served_without_any_sql(client, mug, count_queries):
    add_review(client.application, mug)
    client.get(f"/embed/v1/northwind/{mug.slug}/frame")

    with count_queries() as statements:
        response = client.get(f"/embed/v1/northwind/{mug.slug}/frame?theme=dark")

    assert response.status_code == 200
    assert statements == []


def test_building_a_summary_takes_the_same_few_queries_however_many_reviews(
    app, client, shop, mug, count_queries
):
    lamp = add_product(app, shop.brand, shop.staff, "desk-lamp", "NW-LAMP-7", "Desk lamp")
    add_review(app, mug)
    for n in range(14):
        review = add_review(app, lamp, stars=1 + n % 5)
        if n % 3 == 0:
            answer(app, review, shop.staff)

    with count_queries() as few:
        client.get(json_url(mug))
    with count_queries() as many:
        client.get(json_url(lamp))

    assert len(many) == len(few) <= 2


def test_the_summary_is_cached_under_its_key_for_a_bounded_time(app, client, mug):
    client.get(json_url(mug))

    with app.app_context():
        from fanhub.extensions import cache

        body, etag, origins = cache.get(widget.summary_key("northwind", "travel-mug"))

    assert json.loads(body)["product"]["name"] == "Travel mug"
    assert origins == ""
    assert 0 < widget.SUMMARY_SECONDS <= 600


# ------------------------------------------------------------ invalidation


def changes(client, mug, change):
    """The summary before and after `change()`, each as (ETag, JSON)."""
    before = client.get(json_url(mug))
    change()
    after = client.get(json_url(mug))
    assert before.headers["ETag"] != after.headers["ETag"]
    return before.json, after.json


def test_a_new_review_changes_the_summary_and_its_etag_at_once(client, mug):
    app = client.application
    add_review(app, mug, stars=5)

    before, after = changes(client, mug, lambda: add_review(app, mug, stars=1))

    assert (before["rating"]["count"], after["rating"]["count"]) == (1, 2)
    assert after["rating"]["average"] == 3.0


def test_a_helpful_vote_changes_the_summary_and_its_etag_at_once(client, mug):
    app = client.application
    first = add_review(app, mug, title="First")
    add_review(app, mug, title="Second")

    before, after = changes(client, mug, lambda: vote(app, first))

    assert [r["title"] for r in before["reviews"]] == ["Second", "First"]
    assert [r["title"] for r in after["reviews"]] == ["First", "Second"]
    assert after["reviews"][0]["helpful"] == 1


def test_an_official_answer_changes_the_summary_and_its_etag_at_once(client, shop, mug):
    app = client.application
    review = add_review(app, mug)

    before, after = changes(client, mug, lambda: answer(app, review, shop.staff, "We hear you."))

    assert before["reviews"][0]["answer"] is None
    assert after["reviews"][0]["answer"]["body"] == "We hear you."


def test_the_sku_form_is_refreshed_too(client, shop, mug):
    app = client.application
    sku_url = "/embed/v1/northwind/NW-MUG-01/reviews.json?by=sku"
    before = client.get(sku_url).headers["ETag"]

    add_review(app, mug)

    assert client.get(sku_url).headers["ETag"] != before


def test_a_change_to_the_brand_s_colour_reaches_every_product_s_summary(client, shop, mug, now):
    app = client.application

    def recolour() -> None:
        with app.app_context():
            brands.update_brand_page(
                db.session.get(User, shop.owner.id),
                db.session.get(Brand, shop.brand.id),
                brands.BrandPageDraft(tagline="", description="", accent_color="#0a7d5a"),
                now=now,
            )

    before, after = changes(client, mug, recolour)

    assert after["brand"]["accent"] == "#0a7d5a"


def test_editing_a_review_s_rating_moves_it_between_bars(client, mug, now):
    app = client.application
    author = factories.make_user(app, "changeofheart", display_name="Changed Mind")
    review = add_review(app, mug, stars=2, author=author)

    def edit() -> None:
        with app.app_context():
            reviews.edit_review(
                db.session.get(User, author.id),
                db.session.get(Review, review.id),
                reviews.ReviewDraft(4, "Better now", "They replaced it and it is great now."),
                now=now,
            )

    before, after = changes(client, mug, edit)

    assert before["rating"]["histogram"]["2"] == 1
    assert after["rating"]["histogram"] == {"5": 0, "4": 1, "3": 0, "2": 0, "1": 0}
    assert after["reviews"][0]["rating_updated_from"] == 2
