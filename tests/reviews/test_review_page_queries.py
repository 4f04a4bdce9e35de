"""Review pages run a small, fixed number of queries however many reviews and replies exist."""

from __future__ import annotations

from fanhub.brands.models import Brand
from fanhub.extensions import db
from tests.reviews.conftest import answer, write_review
from tests.stories import login_as


def _busy(app, shop, product, make_user, reviews, prefix):
    written = []
    for n in range(reviews):
        review = write_review(
            app, product, make_user(f"{prefix}{n}"), 1 + n % 5, title=f"Review {n}"
        )
        written.append(review)
        if n % 2 == 0:
            answer(app, review, shop.staff, "Thanks, we are looking into it.")
            answer(app, review, shop.other_member, "Same here.")
    return written


def test_product_page_queries_do_not_grow_with_reviews_or_replies(
    app, shop, catalog, make_user, count_queries
):
    _busy(app, shop, catalog.kettle, make_user, 2, "few")
    # Her own review is shown to her too, but is older than the first page of the rest (a
    # review on the page would load her row for free and hide the user query).
    write_review(app, catalog.toaster, shop.member, 3)
    reviews = _busy(app, shop, catalog.toaster, make_user, 25, "many")
    viewer = app.test_client()
    login_as(viewer, shop.member)
    viewer.post(f"/b/northwind/p/toaster/r/{reviews[-3].id}/helpful")
    visitor = app.test_client()
    for client, ceiling in ((visitor, 4), (viewer, 8)):
        with count_queries() as few:
            assert client.get("/b/northwind/p/kettle").status_code == 200
        with count_queries() as many:
            assert client.get("/b/northwind/p/toaster?sort=newest").status_code == 200
        with count_queries() as filtered:
            assert client.get("/b/northwind/p/toaster?stars=2&sort=lowest").status_code == 200
        assert len(few) == len(many) == len(filtered) <= ceiling, [few, many]


def test_the_second_page_costs_what_the_first_does(
    app, shop, catalog, make_user, count_queries, client
):
    _busy(app, shop, catalog.toaster, make_user, 25, "pages")
    with count_queries() as first:
        page = client.get("/b/northwind/p/toaster?sort=highest").get_data(as_text=True)
    after = page.split("after=")[1].split('"')[0]
    with count_queries() as second:
        assert client.get(f"/b/northwind/p/toaster?sort=highest&after={after}").status_code == 200
    assert len(first) == len(second)


def test_the_conversation_page_queries_do_not_grow_with_replies(
    app, shop, catalog, make_user, count_queries
):
    short = write_review(app, catalog.kettle, shop.member, 2)
    long = write_review(app, catalog.toaster, shop.member, 2)
    answer(app, short, shop.staff)
    for n in range(30):
        answer(app, long, make_user(f"chatter{n}"), f"Reply {n}")
    viewer = app.test_client()
    login_as(viewer, shop.other_member)
    with count_queries() as few:
        assert viewer.get(f"/b/northwind/p/kettle/r/{short.id}").status_code == 200
    with count_queries() as many:
        assert viewer.get(f"/b/northwind/p/toaster/r/{long.id}").status_code == 200
    assert len(few) == len(many) <= 6


def test_the_unanswered_queue_queries_do_not_grow_with_reviews(
    app, client, shop, catalog, make_user, count_queries
):
    login_as(client, shop.staff)
    _busy(app, shop, catalog.kettle, make_user, 1, "lone")
    with count_queries() as few:
        assert client.get("/b/northwind/reviews/unanswered").status_code == 200
    for n in range(30):
        write_review(app, catalog.toaster, make_user(f"queue{n}"), 1 + n % 5)
    with count_queries() as many:
        page = client.get("/b/northwind/reviews/unanswered").get_data(as_text=True)
    assert page.count('class="queue-item"') == 20
    assert len(few) == len(many) <= 5


def test_the_pending_list_and_products_list_queries_do_not_grow(
    app, client, shop, catalog, make_user, count_queries
):
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()
    write_review(app, catalog.kettle, make_user("waiting0", trust_level=0), 1)
    moderator = app.test_client()
    login_as(moderator, shop.moderator)
    staff = app.test_client()
    login_as(staff, shop.staff)
    with count_queries() as few_pending:
        moderator.get("/b/northwind/reviews/pending")
    with count_queries() as few_products:
        staff.get("/b/northwind/products")
    for n in range(1, 15):
        write_review(app, catalog.toaster, make_user(f"waiting{n}", trust_level=0), 1 + n % 5)
    with count_queries() as many_pending:
        moderator.get("/b/northwind/reviews/pending")
    with count_queries() as many_products:
        staff.get("/b/northwind/products")
    assert len(few_pending) == len(many_pending) <= 5
    assert len(few_products) == len(many_products) <= 5
