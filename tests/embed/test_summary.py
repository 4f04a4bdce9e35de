"""What a product's public summary says: published reviews only, plain text, display names
only, the brand's answers, and the schema.org block for the host page."""

from __future__ import annotations

import json

import pytest

from fanhub.accounts.models import User
from fanhub.errors import NotFound
from fanhub.extensions import db
from fanhub.reviews import services as reviews
from fanhub.reviews import widget
from fanhub.reviews.models import Review, ReviewRule
from tests import factories
from tests.embed.support import add_product, add_review, answer, json_url, vote


def summary_of(app, product, brand="northwind"):
    with app.app_context():
        return widget.summary(brand, product.slug)


def test_summary_carries_the_rating_from_published_reviews_only(app, shop, mug, now):
    for stars in (5, 4, 4, 2):
        add_review(app, mug, stars=stars)
    removed = add_review(app, mug, stars=1)
    with app.app_context():
        reviews.remove_review(
            db.session.get(User, shop.moderator.id),
            db.session.get(Review, removed.id),
            ReviewRule.SPAM,
            now=now,
        )

    summary = summary_of(app, mug)

    assert summary["rating"] == {
        "average": 3.8,
        "count": 4,
        "histogram": {"5": 1, "4": 2, "3": 0, "2": 1, "1": 0},
    }
    assert removed.id not in [review["id"] for review in summary["reviews"]]
    assert summary["brand"] == {"slug": "northwind", "name": "Northwind", "accent": "#5b3df5"}
    assert summary["product"] == {
        "slug": "travel-mug",
        "sku": "NW-MUG-01",
        "name": "Travel mug",
        "url": "http://localhost/b/northwind/p/travel-mug",
        "image": None,
    }


def test_summary_lists_the_ten_most_helpful_reviews_newest_first_among_equals(app, mug):
    written = [add_review(app, mug, title=f"Review {n}") for n in range(12)]
    vote(app, written[3], voters=2)
    vote(app, written[7], voters=1)

    listed = [review["id"] for review in summary_of(app, mug)["reviews"]]

    newest_first = [review.id for review in reversed(written) if review.id not in listed[:2]]
    assert listed == [written[3].id, written[7].id, *newest_first[:8]]


def test_a_review_shows_its_text_the_author_s_display_name_and_the_brand_s_answer(
    app, shop, mug, now
):
    review = add_review(app, mug, stars=4, title="Nearly perfect", display_name="Ada Lovell")
    with app.app_context():
        reviews.set_verified_purchase(
            db.session.get(User, shop.staff.id), db.session.get(Review, review.id), True, now=now
        )
    answer(app, review, shop.staff, "Thanks, Ada! The **lid** is dishwasher safe.")

    (shown,) = summary_of(app, mug)["reviews"]

    assert shown["stars"] == 4
    assert shown["title"] == "Nearly perfect"
    assert shown["body"] == "Keeps coffee hot for hours and never leaks in my bag."
    assert shown["truncated"] is False
    assert shown["author"] == "Ada Lovell"
    assert shown["verified_purchase"] is True
    assert shown["helpful"] == 0
    assert shown["url"] == f"http://localhost/b/northwind/p/travel-mug/r/{review.id}"
    assert shown["created_at"].endswith("+00:00")
    assert shown["rating_updated_from"] is None
    assert shown["answer"]["brand"] == "Northwind"
    assert shown["answer"]["author"] == shop.staff.name
    assert shown["answer"]["body"] == "Thanks, Ada! The lid is dishwasher safe."


def test_a_member_s_reply_is_not_shown_as_the_brand_s_answer(app, shop, mug):
    review = add_review(app, mug)
    answer(app, review, shop.other_member, "I agree, mine is great too.")

    (shown,) = summary_of(app, mug)["reviews"]

    assert shown["answer"] is None


def test_member_text_arrives_as_plain_text_with_markup_and_scripts_as_harmless_words(app, mug):
    body = (
        "Nice **mug**. <img src=x onerror=alert(1)> and [a link](javascript:alert(1)).\n\n"
        "Second paragraph &amp; more.\n\n- one\n- two"
    )
    add_review(app, mug, body=body)

    (shown,) = summary_of(app, mug)["reviews"]

    assert shown["body"] == (
        "Nice mug. <img src=x onerror=alert(1)> and [a link](javascript:alert(1)).\n"
        "Second paragraph & more.\none\ntwo"
    )


def test_a_long_review_is_cut_on_a_word_boundary_and_says_so(app, mug):
    add_review(app, mug, body="Lovely mug, " * 200)

    (shown,) = summary_of(app, mug)["reviews"]

    assert shown["truncated"] is True
    assert len(shown["body"]) <= widget.TEXT_MAX + 1
    assert shown["body"].endswith("mug…")


def test_the_summary_holds_no_personal_data_beyond_display_names(app, client, shop, mug):
    author = factories.make_user(app, "secretuser", display_name="Public Name")
    review = add_review(app, mug, author=author)
    answer(app, review, shop.staff)

    body = client.get(json_url(mug)).get_data(as_text=True)

    assert "Public Name" in body
    for private in ("secretuser", "@example.com", "author_id", "user_id", "email", "username"):
        assert private not in body
    assert f'"id":{author.id},' not in body.replace(f'"id":{review.id},', "")


def test_the_schema_org_block_is_a_product_with_its_aggregate_rating_and_a_few_reviews(app, mug):
    for stars in (5, 5, 4, 3):
        add_review(app, mug, stars=stars)

    block = summary_of(app, mug)["schema_org"]

    assert block["@context"] == "https://schema.org"
    assert block["@type"] == "Product"
    assert block["name"] == "Travel mug"
    assert block["sku"] == "NW-MUG-01"
    assert block["brand"] == {"@type": "Brand", "name": "Northwind"}
    assert block["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": 4.3,
        "ratingCount": 4,
        "reviewCount": 4,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert len(block["review"]) == widget.SCHEMA_REVIEWS
    assert {review["@type"] for review in block["review"]} == {"Review"}
    assert "Organization" not in json.dumps(block)
    assert "LocalBusiness" not in json.dumps(block)


def test_a_product_without_reviews_has_no_rating_markup(app, mug):
    summary = summary_of(app, mug)

    assert summary["rating"]["average"] is None
    assert summary["rating"]["count"] == 0
    assert summary["reviews"] == []
    assert summary["schema_org"] is None


def test_the_json_cannot_end_a_script_element_when_a_shop_pastes_it_into_html(app, mug):
    add_review(app, mug, title="</script><script>alert(1)</script>")

    with app.app_context():
        body = widget.cached_summary("northwind", mug.slug).body

    assert b"</script>" not in body
    assert b"<" not in body
    assert json.loads(body)["reviews"][0]["title"] == "</script><script>alert(1)</script>"


@pytest.mark.parametrize(
    ("brand", "reference", "by_sku"),
    [
        ("nobrand", "travel-mug", False),
        ("northwind", "no-such-mug", False),
        ("northwind", "NO-SUCH-SKU", True),
        ("northwind", "travel-mug", True),
        ("acme", "travel-mug", False),
        ("northwind", "../../etc", False),
    ],
)
def test_an_unknown_brand_product_or_sku_is_not_found(app, mug, brand, reference, by_sku):
    with app.app_context(), pytest.raises(NotFound):
        widget.summary(brand, reference, by_sku)


def test_a_product_is_found_by_its_sku(app, shop, mug):
    add_product(app, shop.brand, shop.staff, slug="desk-lamp", sku="NW-LAMP-7", name="Desk lamp")

    with app.app_context():
        summary = widget.summary("northwind", "NW-LAMP-7", by_sku=True)

    assert summary["product"]["slug"] == "desk-lamp"
