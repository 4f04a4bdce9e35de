"""A brand's review settings (pre-moderation, sites allowed to frame the widget) and the
products its fan page lists."""

from __future__ import annotations

import pytest

from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.reviews.models import Product
from tests.factories import load
from tests.stories import login_as

PAGE = {"tagline": "", "description": "", "accent_color": "#5b3df5"}


def _product(app, brand, slug, name, stars=()):
    """A product whose rating counters hold `stars` (one published rating each)."""
    histogram = {n: list(stars).count(n) for n in range(1, 6)}
    with app.app_context():
        product = Product(
            brand_id=brand.id,
            slug=slug,
            sku=slug.upper(),
            name=name,
            rating_count=len(stars),
            rating_sum=sum(stars),
            **{f"stars_{n}": count for n, count in histogram.items()},
        )
        db.session.add(product)
        db.session.commit()
        return product.id


def test_staff_list_the_sites_that_may_frame_the_widget(app, client, shop):
    login_as(client, shop.staff)
    response = client.post(
        "/b/northwind/edit",
        data={**PAGE, "widget_origins": "https://Shop.Example.com/\nhttp://localhost:8080, "
              "https://*.northwind.example https://shop.example.com"},
    )  # fmt: skip
    assert response.status_code == 302
    brand = load(app, Brand, shop.brand.id)
    assert brand.widget_origins == (
        "https://shop.example.com http://localhost:8080 https://*.northwind.example"
    )
    form = client.get("/b/northwind/edit").get_data(as_text=True)
    assert "https://shop.example.com\nhttp://localhost:8080\nhttps://*.northwind.example" in form


@pytest.mark.parametrize(
    "entry",
    [
        "https://shop.example.com/products",
        "shop.example.com",
        "ftp://shop.example.com",
        "javascript:alert(1)",
        "https://user@shop.example.com",
        "https://shop.example.com?x=1",
        "https://shop.example.com:99999",
        "*",
        "'self'; script-src *",
    ],
)
def test_an_entry_that_is_not_an_origin_is_refused_and_nothing_changes(app, client, shop, entry):
    login_as(client, shop.owner)
    response = client.post(
        "/b/northwind/edit", data={**PAGE, "tagline": "Changed", "widget_origins": entry}
    )
    assert response.status_code == 400
    assert "is not a web origin" in response.get_data(as_text=True)
    brand = load(app, Brand, shop.brand.id)
    assert (brand.widget_origins, brand.tagline) == ("", "")


def test_too_many_origins_are_refused(app, client, shop):
    login_as(client, shop.owner)
    many = "\n".join(f"https://shop{n}.example.com" for n in range(21))
    response = client.post("/b/northwind/edit", data={**PAGE, "widget_origins": many})
    assert response.status_code == 400
    assert "at most 20 sites" in response.get_data(as_text=True)


def test_staff_turn_pre_moderation_of_new_members_on_and_off(app, client, shop):
    login_as(client, shop.staff)
    client.post("/b/northwind/edit", data={**PAGE, "premoderate_new_members": "y"})
    assert load(app, Brand, shop.brand.id).premoderate_new_members is True
    form = client.get("/b/northwind/edit").get_data(as_text=True)
    checkbox = form.split('id="premoderate_new_members"')[0].rsplit("<input", 1)[1]
    assert "checked" in checkbox
    client.post("/b/northwind/edit", data=PAGE)
    assert load(app, Brand, shop.brand.id).premoderate_new_members is False


def test_the_fan_page_lists_products_most_reviewed_first_with_their_rating(app, client, shop):
    _product(app, shop.brand, "kettle", "Pour-over kettle", stars=(5, 4))
    _product(app, shop.brand, "grinder", "Burr grinder", stars=(5, 5, 4, 2))
    _product(app, shop.brand, "filters", "Paper filters")
    _product(app, shop.other_brand, "anvil", "Acme anvil", stars=(1,))
    page = client.get("/b/northwind").get_data(as_text=True)
    products = page.split('id="products-heading">')[1].split("</section>")[0]
    assert products.index("Burr grinder") < products.index("Pour-over kettle")
    assert products.index("Pour-over kettle") < products.index("Paper filters")
    assert "4.0 out of 5 · 4 reviews" in products
    assert "4.5 out of 5 · 2 reviews" in products
    assert "No reviews yet" in products
    assert "Acme anvil" not in page
    assert 'href="/b/northwind/p/grinder"' in products


def test_a_fan_page_without_products_shows_no_products_section(client, shop):
    assert "products-heading" not in client.get("/b/northwind").get_data(as_text=True)
