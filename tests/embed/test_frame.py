"""GET /embed/v1/<brand>/<product>/frame: the widget as a page for hosts that allow no
third-party script; framed only where the brand allows, with nothing to click but links."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from markupsafe import escape

from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand
from fanhub.db import utcnow
from fanhub.extensions import db
from tests.embed.support import add_product, add_review, answer, vote

FRAME = "/embed/v1/northwind/travel-mug/frame"


def policy(response) -> dict[str, str]:
    """The response's CSP as {directive: sources}."""
    parts = (
        part.strip().partition(" ")  # a directive may have no sources (upgrade-insecure-requests)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    return {name: rest for name, _, rest in parts}


def allow_origins(app, shop, origins: str) -> None:
    with app.app_context():
        brands.update_brand_page(
            db.session.get(User, shop.owner.id),
            db.session.get(Brand, shop.brand.id),
            brands.BrandPageDraft("", "", "#5b3df5", widget_origins=origins),
            now=utcnow(),
        )


def test_the_frame_shows_the_rating_and_the_most_helpful_reviews_with_answers(client, shop, mug):
    app = client.application
    for stars in (5, 4, 4):
        add_review(app, mug, stars=stars, title=f"{stars} stars from me")
    best = add_review(app, mug, stars=2, title="Lid broke", display_name="Grace H")
    vote(app, best)
    answer(app, best, shop.staff, "Sorry! A new lid is on its way.")

    response = client.get(FRAME)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert 'aria-label="3.8 out of 5 stars, 4 reviews"' in html
    assert ">3.8<" in html
    assert html.count('class="fh-review"') == 3
    assert html.index("Lid broke") < html.index("4 stars from me")
    assert "Answer from Northwind" in html
    assert "Sorry! A new lid is on its way." in html
    assert "Grace H" in html


def test_the_frame_has_no_forms_no_scripts_and_opens_links_in_a_new_tab(client, mug):
    add_review(client.application, mug)

    html = client.get(FRAME).get_data(as_text=True)

    assert "<form" not in html
    assert "<script" not in html
    assert "<button" not in html
    links = re.findall(r"<a [^>]*>", html)
    assert links
    for link in links:
        assert 'target="_blank"' in link
        assert 'rel="noopener"' in link


def test_member_markup_in_a_review_shows_as_text_in_the_frame(client, mug):
    add_review(
        client.application,
        mug,
        title="<b>bold</b>",
        body="Look <img src=x onerror=alert(1)> and [me](javascript:alert(1)) please.",
    )

    html = client.get(FRAME).get_data(as_text=True)

    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="javascript' not in html


def test_the_frame_is_cacheable_sets_no_cookie_and_answers_304_to_its_etag(client, mug):
    response = client.get(FRAME)

    assert response.headers["Cache-Control"] == "public, max-age=300, stale-while-revalidate=600"
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    again = client.get(FRAME, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_each_look_of_the_frame_has_its_own_etag(client, mug):
    light = client.get(FRAME).headers["ETag"]

    dark = client.get(FRAME + "?theme=dark").headers["ETag"]

    assert light != dark


def test_the_frame_s_policy_allows_its_stylesheet_and_its_one_hashed_style_and_nothing_else(
    client, mug
):
    add_review(client.application, mug, stars=4)

    response = client.get(FRAME)

    csp = policy(response)
    (style,) = re.findall(r"<style>(.*?)</style>", response.get_data(as_text=True), re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert csp["default-src"] == "'none'"
    assert csp["style-src"] == f"'self' 'sha256-{digest}'"
    assert csp["img-src"] == "https: 'self'"
    assert csp["base-uri"] == "'none'"
    assert csp["form-action"] == "'none'"
    assert csp["upgrade-insecure-requests"] == ""
    assert "script-src" not in csp
    assert "X-Frame-Options" not in response.headers
    assert "--accent:#5b3df5" in style


def test_any_site_may_frame_the_widget_while_the_brand_lists_no_origins(client, mug):
    response = client.get(FRAME)

    assert policy(response)["frame-ancestors"] == "*"


def test_only_the_brand_s_allowed_origins_and_fanhub_may_frame_the_widget(client, shop, mug):
    allow_origins(client.application, shop, "https://shop.example.com\nhttps://www.example.com")

    response = client.get(FRAME)

    assert policy(response)["frame-ancestors"] == (
        "'self' https://shop.example.com https://www.example.com"
    )


def test_other_pages_still_refuse_to_be_framed(client, mug):
    response = client.get("/b/northwind")

    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_the_frame_takes_the_theme_accent_and_count_from_its_address(client, mug):
    for n in range(5):
        add_review(client.application, mug, title=f"Review {n}")

    html = client.get(FRAME + "?theme=dark&accent=%23E4572E&count=5").get_data(as_text=True)

    assert 'class="fh fh--dark"' in html
    assert ".fh{--accent:#e4572e}" in html
    assert html.count('class="fh-review"') == 5


def test_count_zero_shows_the_summary_without_reviews(client, mug):
    add_review(client.application, mug)

    html = client.get(FRAME + "?count=0").get_data(as_text=True)

    assert "fh-review" not in html
    assert "1 review" in html


def test_the_frame_finds_a_product_by_sku(client, mug):
    response = client.get("/embed/v1/northwind/NW-MUG-01/frame?by=sku")

    assert response.status_code == 200
    assert "Travel mug" in response.get_data(as_text=True)


def test_a_product_without_reviews_invites_the_first_one(client, mug):
    html = client.get(FRAME).get_data(as_text=True)

    assert "No reviews yet." in html
    assert "Write the first review" in html


def assert_the_empty_frame(response, status: int, message: str, theme: str = "light") -> None:
    """The small, styled, empty frame: the widget's stylesheet and box, the reason, the
    frame's own policy (framable anywhere, nothing inline), and nothing to cache as a widget."""
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert response.content_type == "text/html; charset=utf-8"
    assert f'<div class="fh fh--{theme} fh--problem"' in html
    assert 'href="/static/embed/frame.css"' in html
    assert f'<p class="fh-empty">{message}</p>' in html
    assert "fh-review" not in html
    assert "<style" not in html
    assert "<script" not in html
    assert "Traceback" not in html
    assert policy(response) == {
        "default-src": "'none'",
        "style-src": "'self'",
        "img-src": "https: 'self'",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "*",
        "upgrade-insecure-requests": "",
    }
    assert "X-Frame-Options" not in response.headers
    assert "ETag" not in response.headers
    assert "public" not in response.headers.get("Cache-Control", "")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("theme=purple", "theme must be light or dark."),
        ("accent=red", "accent must be a colour written as #rrggbb, e.g. #1a73e8."),
        ("accent=%23abc", "accent must be a colour written as #rrggbb, e.g. #1a73e8."),
        ("accent=%23123456;}body{x:y", "accent must be a colour written as #rrggbb, e.g. #1a73e8."),
        ("count=11", "count must be a whole number from 0 to 10."),
        ("count=-1", "count must be a whole number from 0 to 10."),
        ("count=2.5", "count must be a whole number from 0 to 10."),
        ("count=99999999999999999999999", "count must be a whole number from 0 to 10."),
        ("by=name", "by must be slug or sku."),
        ("thme=dark", "Unknown option thme: the frame takes accent, by, count, theme."),
        ("Theme=dark", "Unknown option Theme: the frame takes accent, by, count, theme."),
        (
            "count=3&colour=%23e4572e",
            "Unknown option colour: the frame takes accent, by, count, theme.",
        ),
        ("count=3&count=5", "count is given more than once."),
    ],
)
def test_an_option_the_frame_does_not_understand_is_a_400_empty_frame_saying_which(
    client, mug, query, message
):
    response = client.get(f"{FRAME}?{query}")

    assert_the_empty_frame(response, 400, str(escape(message)))


def test_the_empty_frame_shows_an_unknown_option_s_name_escaped_and_short(client, mug):
    response = client.get(FRAME + "?%3Cb%3E" + "x" * 100 + "=1")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Unknown option &lt;b&gt;" + "x" * 36 + "…: the frame takes" in html
    assert "<b>" not in html


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/embed/v1/northwind/nothing-here/frame", "There is no such product."),
        ("/embed/v1/no-such-brand/travel-mug/frame", "There is no such product."),
        (
            "/embed/v1/northwind/NO-SUCH-SKU/frame?by=sku",
            "There is no product with that SKU at this brand.",
        ),
    ],
)
def test_an_unknown_product_s_frame_is_a_404_empty_frame(client, mug, path, message):
    response = client.get(path)

    assert_the_empty_frame(response, 404, message)


def test_the_empty_frame_keeps_the_dark_theme_it_was_asked_for(client, mug):
    response = client.get("/embed/v1/northwind/nothing-here/frame?theme=dark")

    assert_the_empty_frame(response, 404, "There is no such product.", theme="dark")


def test_the_empty_frame_is_not_replayed_once_the_product_exists(client, shop, mug):
    missing = client.get("/embed/v1/northwind/kettle/frame")
    add_product(
        client.application, shop.brand, shop.staff, slug="kettle", sku="NW-KET-01", name="Kettle"
    )

    found = client.get("/embed/v1/northwind/kettle/frame")

    assert missing.status_code == 404
    assert found.status_code == 200
    assert "Kettle" in found.get_data(as_text=True)


def test_the_frame_s_json_sibling_keeps_its_json_errors(client, mug):
    missing = client.get("/embed/v1/northwind/nothing-here/reviews.json")
    bad = client.get("/embed/v1/northwind/travel-mug/reviews.json?by=name")

    assert (missing.status_code, missing.json["error"]) == (404, "not_found")
    assert bad.status_code == 400
    assert bad.json == {"error": "invalid", "message": "by must be slug or sku."}


def test_the_frame_cannot_be_posted_to(client, mug):
    response = client.post(FRAME)

    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
