"""Pages run a small, fixed number of queries however much data they show."""

from __future__ import annotations

from tests.factories import make_topic, reply
from tests.stories import login_as


def _busy_topic(app, shop, replies):
    topic = make_topic(
        app, shop.support, shop.member, replies=replies, repliers=[shop.other_member, shop.staff]
    )
    last = reply(app, topic, shop.moderator, body="Closing note from the moderator.")
    return topic, last


def test_topic_page_queries_do_not_grow_with_replies(app, client, shop, count_queries):
    short, _ = _busy_topic(app, shop, replies=2)
    long, last = _busy_topic(app, shop, replies=70)
    viewer = app.test_client()
    # Someone who wrote none of the posts, so no author is already loaded for free.
    login_as(viewer, shop.owner)
    viewer.post(f"/p/{last.id}/react/helpful")
    with count_queries() as few:
        assert viewer.get(f"/t/{short.id}").status_code == 200
    with count_queries() as first_page:
        assert viewer.get(f"/t/{long.id}").status_code == 200
    with count_queries() as last_page:
        assert viewer.get(f"/t/{long.id}?page=4").status_code == 200
    assert len(few) == len(first_page) == len(last_page) <= 8


def test_topic_page_for_a_visitor_is_even_cheaper(app, client, shop, count_queries):
    topic, _ = _busy_topic(app, shop, replies=30)
    with count_queries() as statements:
        assert client.get(f"/t/{topic.id}?page=2").status_code == 200
    assert len(statements) <= 5


def test_a_solved_topic_shows_its_solution_for_one_more_query(app, client, shop, count_queries):
    topic, _ = _busy_topic(app, shop, replies=45)
    login_as(client, shop.owner)
    with count_queries() as before:
        assert client.get(f"/t/{topic.id}?page=3").status_code == 200
    answer_id = reply(app, topic, shop.staff, body="The answer.").id
    client.post(f"/p/{answer_id}/solution")
    with count_queries() as after:
        page = client.get(f"/t/{topic.id}")
    assert page.status_code == 200
    assert "The answer." in page.get_data(as_text=True).split('data-testid="solution"')[1]
    assert len(after) <= len(before) + 1


def test_category_page_queries_do_not_grow_with_topics(app, client, shop, count_queries):
    login_as(client, shop.owner)
    make_topic(app, shop.support, shop.member, replies=1, repliers=[shop.staff])
    with count_queries() as few:
        assert client.get("/b/northwind/c/support").status_code == 200
    for n in range(40):
        make_topic(
            app,
            shop.support,
            shop.other_member,
            title=f"Question number {n}",
            replies=1,
            repliers=[shop.staff],
        )
    with count_queries() as many:
        page = client.get("/b/northwind/c/support").get_data(as_text=True)
    assert len(many) == len(few) <= 8
    assert page.count("data-topic-id=") == 30
    assert "Older topics" in page


def test_the_category_cursor_walks_every_topic_once(app, client, shop):
    for n in range(65):
        make_topic(app, shop.discussion, shop.member, title=f"Conversation number {n:02d}")
    seen: list[str] = []
    url = "/b/northwind/c/discussion"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += [chunk.split("<")[0] for chunk in page.split("Conversation number ")[1:]]
        marker = page.split('href="/b/northwind/c/discussion?sort=activity&amp;after=')
        url = (
            "/b/northwind/c/discussion?sort=activity&after=" + marker[1].split('"')[0]
            if len(marker) > 1
            else None
        )
    assert sorted(seen) == [f"{n:02d}" for n in range(65)]


def test_a_forged_cursor_is_a_bad_request(client, shop):
    assert client.get("/b/northwind/c/discussion?after=garbage").status_code == 400
