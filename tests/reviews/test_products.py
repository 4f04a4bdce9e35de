"""Products: staff add and edit them in the browser and with the CLI, under the rules."""

from __future__ import annotations

import pytest

from fanhub.brands.models import Brand
from fanhub.db import utcnow
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.permissions import SYSTEM
from fanhub.reviews import services
from fanhub.reviews.models import Product
from tests.factories import load
from tests.reviews.conftest import make_product, write_review
from tests.stories import login_as

NEW = {
    "name": "Steel Teapot",
    "slug": "teapot",
    "sku": "NW-TEA-1",
    "description": "",
    "image_url": "",
}


def _create(app, brand, **fields):
    with app.app_context():
        draft = services.ProductDraft(**{**{k: v for k, v in NEW.items()}, **fields})
        return services.create_product(SYSTEM, db.session.get(Brand, brand.id), draft, now=utcnow())


def test_staff_add_a_product_from_the_products_page(app, client, shop):
    login_as(client, shop.staff)
    response = client.post("/b/northwind/products/new", data=NEW)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/b/northwind/products")
    page = client.get("/b/northwind/products").get_data(as_text=True)
    assert "Steel Teapot" in page
    assert "SKU NW-TEA-1" in page
    assert client.get("/b/northwind/p/teapot").status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "Not A Slug!", "lower-case letters, digits and inner dashes"),
        ("slug", "-teapot", "lower-case letters, digits and inner dashes"),
        ("sku", "NW TEA", "A SKU is 1–64 letters"),
        ("sku", "x" * 65, "A SKU is 1–64 letters"),
        ("name", "   ", "Name the product in 1–120 characters."),
        ("name", "x" * 121, "Name the product in 1–120 characters."),
        ("image_url", "http://cdn.example.com/tea.png", "must start with https://"),
        ("image_url", "javascript:alert(1)", "must start with https://"),
        ("image_url", "https://", "must start with https://"),
        ("description", "x" * 5001, "Keep the description to 5,000 characters."),
    ],
)
def test_a_product_field_that_breaks_its_rule_is_refused_and_nothing_is_added(
    app, client, shop, field, value, message
):
    login_as(client, shop.owner)
    response = client.post("/b/northwind/products/new", data={**NEW, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Product).count() == 0


def test_every_broken_field_is_shown_at_once(app, client, shop):
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/products/new", data={**NEW, "slug": "Bad Slug", "sku": "bad sku"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "inner dashes" in text and "A SKU is 1–64" in text


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("slug", "Northwind already has a product at /p/teapot."),
        ("sku", "Northwind already has a product with SKU NW-TEA-1."),
    ],
)
def test_a_taken_address_or_sku_is_a_conflict_on_that_field(app, client, shop, field, message):
    _create(app, shop.brand)
    login_as(client, shop.staff)
    other = {"slug": "teapot-two", "sku": "NW-TEA-2"}
    other[field] = NEW[field]
    response = client.post("/b/northwind/products/new", data={**NEW, **other})
    assert response.status_code == 409
    assert message in response.get_data(as_text=True)


def test_another_brand_may_use_the_same_address_and_sku(app, shop):
    _create(app, shop.brand)
    other = _create(app, shop.other_brand)
    assert other.slug == "teapot"


def test_editing_a_product_keeps_its_reviews_and_frees_the_old_address(app, client, shop):
    teapot = make_product(app, shop.brand, "teapot", "Teapot")
    write_review(app, teapot, shop.member, 5)
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/p/teapot/edit",
        data={
            **NEW,
            "slug": "steel-teapot",
            "sku": "NW-TEA-9",
            "image_url": "https://cdn.example.com/t.png",
        },
    )
    assert response.status_code == 302
    stored = load(app, Product, teapot.id)
    assert (stored.slug, stored.sku, stored.rating_count) == ("steel-teapot", "NW-TEA-9", 1)
    assert client.get("/b/northwind/p/teapot").status_code == 404
    assert "Steel Teapot" in client.get("/b/northwind/p/steel-teapot").get_data(as_text=True)


def test_the_edit_form_shows_the_product_as_it_is(app, client, shop):
    make_product(app, shop.brand, "teapot", "Teapot", description="Holds a litre.")
    login_as(client, shop.owner)
    page = client.get("/b/northwind/p/teapot/edit").get_data(as_text=True)
    assert 'value="Teapot"' in page and "Holds a litre." in page


def test_a_product_cannot_take_another_products_address_when_edited(app, client, shop):
    make_product(app, shop.brand, "teapot", "Teapot")
    make_product(app, shop.brand, "kettle", "Kettle")
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/p/kettle/edit", data={**NEW, "slug": "teapot", "sku": "KETTLE"}
    )
    assert response.status_code == 409
    assert "already has a product at /p/teapot" in response.get_data(as_text=True)
    assert load(app, Product, services_id(app, "kettle")).slug == "kettle"


def services_id(app, slug):
    with app.app_context():
        return services.access_product("northwind", slug).id


def test_members_and_moderators_cannot_manage_products(app, shop, now):
    with app.app_context():
        for person in (shop.member, shop.moderator, shop.other_staff):
            with pytest.raises(Forbidden, match="Only the brand's staff"):
                services.create_product(
                    db.session.get(type(person), person.id),
                    db.session.get(Brand, shop.brand.id),
                    services.ProductDraft("teapot", "T1", "Teapot"),
                    now=now,
                )


def test_the_service_normalises_what_it_stores(app, shop):
    product = _create(app, shop.brand, slug="  TeaPot ", name="  Steel   Teapot ", sku=" T-1 ")
    assert (product.slug, product.name, product.sku) == ("teapot", "Steel Teapot", "T-1")


def test_the_service_raises_invalid_and_conflict_with_the_field(app, shop):
    _create(app, shop.brand)
    with pytest.raises(Invalid) as bad:
        _create(app, shop.brand, slug="x" * 81)
    assert bad.value.field == "slug"
    with pytest.raises(Conflict) as taken:
        _create(app, shop.brand, slug="other")
    assert taken.value.field == "sku"


def test_the_staff_product_list_shows_ratings_and_what_waits(app, client, shop):
    teapot = make_product(app, shop.brand, "teapot", "Teapot")
    write_review(app, teapot, shop.member, 2)
    write_review(app, teapot, shop.other_member, 5)
    login_as(client, shop.staff)
    page = client.get("/b/northwind/products").get_data(as_text=True)
    assert "3.5 · 2 reviews" in page
    assert "2 unanswered" in page


def test_the_product_list_is_for_staff_only(client, shop):
    login_as(client, shop.member)
    assert client.get("/b/northwind/products").status_code == 403
    assert client.get("/b/nowhere/products").status_code == 404


# ------------------------------------------------------------------- CLI


def test_the_cli_creates_a_product(app, runner, shop):
    result = runner.invoke(
        args=["product", "create", "northwind", "teapot", "NW-TEA-1", "Steel Teapot",
              "--image-url", "https://cdn.example.com/t.png"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created /b/northwind/p/teapot (SKU NW-TEA-1): Steel Teapot" in result.output
    with app.app_context():
        assert services.access_product("northwind", "teapot").image_url.startswith("https://")


def test_the_cli_explains_a_refusal_and_exits_non_zero(runner, shop):
    result = runner.invoke(args=["product", "create", "northwind", "teapot", "bad sku", "Tea"])
    assert result.exit_code == 1, result.output
    assert "A SKU is 1–64 letters" in result.output
    result = runner.invoke(args=["product", "create", "nowhere", "teapot", "T1", "Tea"])
    assert result.exit_code == 1, result.output
    assert "There is no brand at that address." in result.output


def test_the_cli_edits_only_what_it_is_told(app, runner, shop):
    make_product(app, shop.brand, "teapot", "Teapot", description="Holds a litre.")
    result = runner.invoke(args=["product", "edit", "northwind", "teapot", "--name", "Big Teapot"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        stored = services.access_product("northwind", "teapot")
        assert (stored.name, stored.description) == ("Big Teapot", "Holds a litre.")
    result = runner.invoke(args=["product", "edit", "northwind", "nothing", "--name", "X"])
    assert result.exit_code == 1, result.output
    assert "There is no such product." in result.output


def test_the_cli_lists_products_with_their_rating(app, runner, shop):
    teapot = make_product(app, shop.brand, "teapot", "Teapot")
    make_product(app, shop.brand, "kettle", "Kettle")
    write_review(app, teapot, shop.member, 4)
    result = runner.invoke(args=["product", "list", "northwind"])
    assert result.exit_code == 0
    assert "Teapot  (4.0 from 1 reviews)" in result.output
    assert "Kettle  (no reviews)" in result.output
