"""Topic views are counted in memory and written in batches, not once per page view."""

from __future__ import annotations

from fanhub.forums import services
from fanhub.forums.models import Topic
from tests.factories import load, make_topic
from tests.stories import login_as


def test_views_wait_in_memory_until_the_interval_passes(app, client, shop, count_queries):
    topic = make_topic(app, shop.discussion, shop.member)
    with count_queries() as statements:
        for _ in range(5):
            client.get(f"/t/{topic.id}")
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert load(app, Topic, topic.id).view_count == 0


def test_a_flush_writes_every_waiting_view_in_one_go(app, client, shop, monkeypatch):
    topic = make_topic(app, shop.discussion, shop.member)
    other = make_topic(app, shop.discussion, shop.member)
    for _ in range(3):
        client.get(f"/t/{topic.id}")
    client.get(f"/t/{other.id}")
    monkeypatch.setitem(app.config, "VIEW_FLUSH_SECONDS", 0)
    client.get(f"/t/{topic.id}")
    assert load(app, Topic, topic.id).view_count == 4
    assert load(app, Topic, other.id).view_count == 1
    monkeypatch.setitem(app.config, "VIEW_FLUSH_SECONDS", 10**9)
    member = app.test_client()  # visitors may be shown a page rendered seconds ago
    login_as(member, shop.other_member)
    assert "4 views" in member.get(f"/t/{topic.id}").get_data(as_text=True)


def test_flushing_nothing_writes_nothing(app, count_queries):
    with app.app_context(), count_queries() as statements:
        services.flush_views({})
    assert statements == []
