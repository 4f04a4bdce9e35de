"""What the Nu HTML Checker found wrong in the pages' markup (issue 13), held at the source:
one id per element, times to the second, forms where forms may go. The browser crawl
(tests/browser/test_crawl.py) checks every page with the checker itself; these are the
rules it broke, each proved without a browser or Java."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Post, Topic
from fanhub.humanize import iso
from tests import factories
from tests.stories import login_as

ISO_TO_THE_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def _ids(html: str) -> Counter[str]:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def _solved_topic(app, shop, now):
    topic = factories.make_topic(app, shop.support, shop.member, title="Grinder runs sour")
    factories.reply(app, topic, shop.other_member, "Did you try finer?")
    answer = factories.reply(app, topic, shop.staff, "Two steps finer, same dose.")
    with app.app_context():
        forums.mark_solution(
            db.session.get(User, shop.member.id),
            db.session.get(Topic, topic.id),
            db.session.get(Post, answer.id),
            now=now,
        )
    return topic, answer


def test_a_time_is_written_to_the_second_as_html_allows(now):
    # HTML takes at most three digits of a second's fraction; Python writes six.
    moment = now.replace(microsecond=123456)
    assert ISO_TO_THE_SECOND.fullmatch(iso(moment))
    assert iso(moment) == (moment - timedelta(microseconds=123456)).isoformat()


def test_a_page_with_many_forms_has_each_id_once_and_times_to_the_second(
    app, client, shop, now, monkeypatch
):
    topic, answer = _solved_topic(app, shop, now)
    login_as(client, shop.other_member)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # forms render their tokens
    html = client.get(f"/t/{topic.id}").get_data(as_text=True)
    # Reactions, watch, reply: many forms, each with its CSRF token and none with an id.
    assert html.count('name="csrf_token"') > 6
    assert 'id="csrf_token"' not in html
    repeated = [name for name, count in _ids(html).items() if count > 1]
    assert repeated == []
    times = re.findall(r'<time[^>]*\sdatetime="([^"]+)"', html)
    assert times
    assert all(ISO_TO_THE_SECOND.fullmatch(value) for value in times), times


def test_the_pinned_solution_is_a_copy_and_post_n_lands_on_the_post_in_the_thread(
    app, client, shop, now
):
    topic, answer = _solved_topic(app, shop, now)
    html = client.get(f"/t/{topic.id}").get_data(as_text=True)
    solution = html.index('data-testid="solution"')
    thread = html.index('class="thread"')
    anchor = html.index(f'id="post-{answer.position}"')
    assert html.count(f'id="post-{answer.position}"') == 1
    assert anchor > thread > solution


def test_forms_never_sit_inside_a_span(app, client, shop, now):
    topic, _ = _solved_topic(app, shop, now)
    login_as(client, shop.other_member)
    html = client.get(f"/t/{topic.id}").get_data(as_text=True)
    # A <span> holds phrasing content only; a <form> inside one is invalid HTML.
    for span in re.findall(r"<span\b[^>]*>(.*?)</span>", html, flags=re.DOTALL):
        assert "<form" not in span
