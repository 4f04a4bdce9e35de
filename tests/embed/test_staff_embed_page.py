"""/b/<brand>/p/<product>/embed: the brand's staff copy the widget's code and see it live."""

from __future__ import annotations

import html as markup

import pytest

from fanhub.config import DEFAULT_BASE_URL
from tests.factories import PASSWORD
from tests.stories import login_as

PAGE = "/b/northwind/p/travel-mug/embed"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 403),
        ("other_member", 403),
        ("other_staff", 403),
        ("moderator", 403),
        ("staff", 200),
        ("owner", 200),
        ("admin", 200),
    ],
)
def test_only_the_brand_s_team_sees_the_embed_page(client, shop, mug, who, status):
    login_as(client, shop.person(who))

    response = client.get(PAGE)

    assert response.status_code == status


def test_a_visitor_is_asked_to_log_in_first(client, mug):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_an_unknown_product_s_embed_page_is_not_found(client, shop, mug):
    login_as(client, shop.staff)

    response = client.get("/b/northwind/p/no-such-thing/embed")

    assert response.status_code == 404


def test_the_page_gives_both_snippets_with_the_public_address_and_a_live_preview(client, shop, mug):
    login_as(client, shop.staff)

    page = markup.unescape(client.get(PAGE).get_data(as_text=True))

    assert '<div data-fanhub-reviews="northwind/travel-mug"></div>' in page
    assert '<script async src="http://localhost/embed/v1/widget.js"></script>' in page
    assert '<div data-fanhub-reviews="northwind" data-sku="NW-MUG-01"></div>' in page
    assert '<iframe src="http://localhost/embed/v1/northwind/travel-mug/frame"' in page
    for option in ("data-theme", "data-accent", "data-count", "data-sku", "data-seo"):
        assert option in page
    assert 'data-testid="preview-script"' in page
    assert 'src="/embed/v1/northwind/travel-mug/frame"' in page
    assert '<script src="/embed/v1/widget.js" async></script>' in page
    assert page.count("data-copy=") == 3


def test_the_embed_page_runs_no_inline_script(client, shop, mug):
    login_as(client, shop.staff)

    page = client.get(PAGE).get_data(as_text=True)

    for tag in page.split("<script")[1:]:
        assert tag.lstrip().startswith("src=")
    assert " on" + "click=" not in page


@pytest.mark.parametrize(("who", "shown"), [("staff", True), ("owner", True), ("member", False)])
def test_the_team_finds_the_embed_page_from_the_product_and_the_product_list(
    client, shop, mug, who, shown
):
    login_as(client, shop.person(who))

    product_page = client.get("/b/northwind/p/travel-mug").get_data(as_text=True)
    fan_page = client.get("/b/northwind").get_data(as_text=True)

    assert (f'href="{PAGE}"' in product_page) is shown
    assert ('href="/b/northwind/products"' in fan_page) is shown
    if shown:
        assert f'href="{PAGE}"' in client.get("/b/northwind/products").get_data(as_text=True)


def test_the_snippets_use_base_url_when_the_site_sets_one(app, client, shop, mug, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://reviews.example.com")
    login_as(client, shop.staff)

    page = markup.unescape(client.get(PAGE).get_data(as_text=True))

    assert '<script async src="https://reviews.example.com/embed/v1/widget.js"></script>' in page
    assert '<iframe src="https://reviews.example.com/embed/v1/northwind/travel-mug/frame"' in page
    assert "http://localhost" not in page


def test_without_base_url_the_snippets_use_the_address_the_page_was_asked_for(
    app, client, shop, mug, monkeypatch
):
    monkeypatch.setitem(app.config, "BASE_URL", DEFAULT_BASE_URL)
    preview = "http://preview.example.org:8080"
    credentials = {"login": shop.staff.username, "password": PASSWORD}
    client.post("/login", data=credentials, base_url=preview)

    response = client.get(PAGE, base_url=preview)

    page = markup.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert (
        '<script async src="http://preview.example.org:8080/embed/v1/widget.js"></script>' in page
    )
    assert (
        '<iframe src="http://preview.example.org:8080/embed/v1/northwind/travel-mug/frame"' in page
    )
    assert DEFAULT_BASE_URL not in page
