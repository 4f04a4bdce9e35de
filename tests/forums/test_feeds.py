"""Atom feeds of a category's newest topics and a topic's newest posts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import select

from fanhub.extensions import db
from fanhub.forums.models import Post
from tests.factories import make_topic, reply
from tests.stories import login_as

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch_feed(client, url: str) -> ET.Element:
    """GET a feed, check it is served as Atom, and parse it (raising if it is malformed)."""
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 - our own output, under test
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    return root


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall(f"{ATOM}entry")


def text(element: ET.Element, name: str) -> str:
    found = element.find(f"{ATOM}{name}")
    assert found is not None, name
    return found.text or ""


def link(element: ET.Element, rel: str = "alternate") -> str:
    for candidate in element.findall(f"{ATOM}link"):
        if candidate.get("rel") == rel:
            return candidate.get("href") or ""
    raise AssertionError(f"no {rel} link")


def test_a_topic_feed_lists_its_posts_newest_first(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member, title="My grinder broke", replies=3)
    feed = fetch_feed(client, f"/t/{topic.id}/feed.atom")
    assert text(feed, "title") == "My grinder broke · Northwind"
    assert link(feed, "self") == f"http://localhost/t/{topic.id}/feed.atom"
    found = entries(feed)
    assert [link(e) for e in found] == [
        f"http://localhost/t/{topic.id}?post={n}" for n in (4, 3, 2, 1)
    ]
    assert text(found[0], "title") == "Re: My grinder broke"
    assert text(found[-1], "title") == "My grinder broke"
    assert text(found[0].find(f"{ATOM}author"), "name") == "member"
    for entry in found:
        for required in ("id", "title", "updated", "published"):
            assert entry.find(f"{ATOM}{required}") is not None


def test_post_content_is_escaped_html(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    reply(app, topic, shop.other_member, body="**Bold** & <script>alert(1)</script> fixes it")
    raw = client.get(f"/t/{topic.id}/feed.atom").get_data(as_text=True)
    assert "<strong>" not in raw
    assert "&lt;strong&gt;Bold&lt;/strong&gt;" in raw
    content = entries(fetch_feed(client, f"/t/{topic.id}/feed.atom"))[0].find(f"{ATOM}content")
    assert content is not None
    assert content.get("type") == "html"
    # Parsed once, the text is the stored, sanitised HTML: the script is inert text.
    assert "<strong>Bold</strong> &amp;" in (content.text or "")
    assert "<script>" not in (content.text or "")


def test_titles_with_markup_characters_stay_well_formed(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member, title='Tips & <tricks> for "latte" art')
    topic_entry = entries(fetch_feed(client, f"/t/{topic.id}/feed.atom"))[0]
    assert text(topic_entry, "title") == 'Tips & <tricks> for "latte" art'
    category_entry = entries(fetch_feed(client, "/b/northwind/c/discussion/feed.atom"))[0]
    assert text(category_entry, "title") == 'Tips & <tricks> for "latte" art'


def test_a_topic_feed_leaves_out_removed_posts(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    kept = reply(app, topic, shop.other_member, body="Still here.")
    gone = reply(app, topic, shop.other_member, body="Regret this one.")
    login_as(client, shop.other_member)
    assert client.post(f"/p/{gone.id}/delete").status_code == 302
    feed = fetch_feed(app.test_client(), f"/t/{topic.id}/feed.atom")
    urls = [link(e) for e in entries(feed)]
    assert f"http://localhost/t/{topic.id}?post={gone.position}" not in urls
    assert f"http://localhost/t/{topic.id}?post={kept.position}" in urls
    assert "Regret this one" not in client.get(f"/t/{topic.id}/feed.atom").get_data(as_text=True)


def test_a_topic_feed_holds_the_twenty_newest_posts(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member, replies=24)
    found = entries(fetch_feed(client, f"/t/{topic.id}/feed.atom"))
    assert len(found) == 20
    assert link(found[0]).endswith("?post=25")
    assert link(found[-1]).endswith("?post=6")


def test_a_category_feed_lists_its_twenty_newest_topics(app, client, shop):
    topics = [
        make_topic(app, shop.discussion, shop.member, title=f"Topic number {n}") for n in range(22)
    ]
    make_topic(app, shop.support, shop.member, title="Elsewhere entirely")
    feed = fetch_feed(client, "/b/northwind/c/discussion/feed.atom")
    assert link(feed, "self") == "http://localhost/b/northwind/c/discussion/feed.atom"
    assert link(feed) == "http://localhost/b/northwind/c/discussion"
    found = entries(feed)
    assert len(found) == 20
    assert [text(e, "title") for e in found] == [f"Topic number {n}" for n in range(21, 1, -1)]
    newest = topics[-1]
    assert link(found[0]) == f"http://localhost/t/{newest.id}/{newest.slug}"
    assert "It arrived broken" in text(found[0], "content")


def test_a_category_feed_shows_no_text_of_a_removed_first_post(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member, body="Something I regret saying.")
    login_as(client, shop.member)
    with app.app_context():
        first_id = db.session.scalar(
            select(Post.id).where(Post.topic_id == topic.id, Post.position == 1)
        )
    assert client.post(f"/p/{first_id}/delete").status_code == 302
    raw = app.test_client().get("/b/northwind/c/discussion/feed.atom").get_data(as_text=True)
    assert "regret" not in raw
    [entry] = entries(fetch_feed(app.test_client(), "/b/northwind/c/discussion/feed.atom"))
    assert entry.find(f"{ATOM}content") is None


def test_an_empty_category_has_a_valid_empty_feed(client, shop):
    assert entries(fetch_feed(client, "/b/northwind/c/ideas/feed.atom")) == []


def test_feeds_of_missing_things_are_not_found(client, shop):
    assert client.get("/t/999999/feed.atom").status_code == 404
    assert client.get("/b/northwind/c/nowhere/feed.atom").status_code == 404


def test_pages_link_to_their_feeds(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    topic_page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="New posts in '
        f'{topic.title}" href="/t/{topic.id}/feed.atom">'
    ) in topic_page
    category_page = client.get("/b/northwind/c/discussion").get_data(as_text=True)
    assert 'type="application/atom+xml"' in category_page
    assert 'href="/b/northwind/c/discussion/feed.atom"' in category_page


def test_feed_queries_do_not_grow_with_posts(app, client, shop, count_queries):
    short = make_topic(app, shop.discussion, shop.member, replies=2, repliers=[shop.staff])
    long = make_topic(app, shop.discussion, shop.member, replies=30, repliers=[shop.staff])
    with count_queries() as few:
        client.get(f"/t/{short.id}/feed.atom")
    with count_queries() as many:
        client.get(f"/t/{long.id}/feed.atom")
    with count_queries() as category:
        client.get("/b/northwind/c/discussion/feed.atom")
    assert len(few) == len(many) <= 3
    assert len(category) <= 3
