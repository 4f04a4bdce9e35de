"""The search pages (issue 14): the header's box on every page, `/search` and
`/b/<brand>/search` with their filters, and a constant number of queries per page."""

from __future__ import annotations

from tests import factories
from tests.stories import login_as


def test_every_page_has_the_search_box_in_its_header(client, shop):
    for path in ("/", "/login", f"/b/{shop.brand.slug}"):
        page = client.get(path).get_data(as_text=True)
        box = page.split('<form class="site-search" role="search"', 1)[1].split("</form>", 1)[0]
        assert 'action="/search"' in box and 'name="q"' in box
        assert '<label class="visually-hidden" for="site-search-q">' in box


def test_on_a_brands_pages_the_box_searches_that_brand(client, shop):
    page = client.get("/b/northwind").get_data(as_text=True)
    box = page.split('<form class="site-search"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="brand" value="northwind">' in box
    assert 'placeholder="Search Northwind"' in box


def test_the_search_page_lists_results_with_their_badges(client, shop):
    topic = factories.make_topic(
        app := client.application, shop.support, shop.member, title="Kettle lid will not close"
    )
    factories.reply(app, topic, shop.staff, "Press the hinge of the kettle until it clicks.")
    response = client.get("/search?q=hinge")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('data-testid="search-result"') == 1
    assert "<mark>hinge</mark>" in page and 'data-testid="badge-official"' in page
    assert f'href="/t/{topic.id}?post=2"' in page and "Northwind ›" in page


def test_a_search_with_nothing_found_says_so(client, shop):
    page = client.get("/search?q=zeppelin").get_data(as_text=True)
    assert 'data-testid="search-empty"' in page and "zeppelin" in page


def test_the_brand_search_page_offers_its_categories_and_keeps_the_brand(client, shop):
    factories.make_topic(client.application, shop.support, shop.member, title="Kettle lid")
    page = client.get("/b/northwind/search?q=kettle&category=support").get_data(as_text=True)
    assert '<option value="support" selected>' in page
    assert page.count('data-testid="search-result"') == 1
    # Its tabs and pages stay on the brand's search.
    assert 'href="/b/northwind/search?q=kettle&amp;category=support&amp;kind=review"' in page


def test_the_site_search_can_be_narrowed_to_a_brand(client, shop):
    app = client.application
    factories.make_topic(app, shop.support, shop.member, title="Kettle lid")
    acme = factories.make_category(app, shop.other_brand, slug="acme-help")
    factories.make_topic(app, acme, shop.member, title="Acme kettle")
    everything = client.get("/search?q=kettle").get_data(as_text=True)
    assert everything.count('data-testid="search-result"') == 2
    narrowed = client.get("/search?q=kettle&brand=acme").get_data(as_text=True)
    assert (
        narrowed.count('data-testid="search-result"') == 1
        and "Acme <mark>kettle</mark>" in narrowed
    )


def _espresso_threads(app, shop, count: int) -> None:
    for n in range(count):
        topic = factories.make_topic(
            app, shop.support, shop.member, title=f"Espresso tastes sour {n}", body="Why?"
        )
        factories.reply(app, topic, shop.staff, "Grind finer and run it longer.")


def test_a_search_page_costs_the_same_queries_whatever_it_finds(app, client, shop, count_queries):
    login_as(client, shop.other_member)
    _espresso_threads(app, shop, 2)
    with count_queries() as few:
        assert client.get("/search?q=espresso").status_code == 200
    _espresso_threads(app, shop, 40)
    with count_queries() as many:
        assert client.get("/search?q=espresso").status_code == 200
    with count_queries() as later_page:
        assert client.get("/search?q=espresso&page=2").status_code == 200
    assert len(many) == len(few) == len(later_page) <= 10


def test_a_brand_search_page_costs_the_same_queries_whatever_it_finds(
    app, client, shop, count_queries
):
    _espresso_threads(app, shop, 2)
    with count_queries() as few:
        assert client.get("/b/northwind/search?q=espresso").status_code == 200
    _espresso_threads(app, shop, 30)
    with count_queries() as many:
        assert client.get("/b/northwind/search?q=espresso").status_code == 200
    assert len(many) == len(few) <= 10
