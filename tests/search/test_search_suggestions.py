"""Answers before asking (issue 14, point 4): while a member types a new topic's title, the
brand's solved or officially answered topics that match it, and what the desk counts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.search import suggestions
from fanhub.search.models import SuggestionSession
from tests import factories
from tests.stories import login_as

TOKEN = "0123456789abcdef0123456789abcdef"


def _suggest(client, title, token=TOKEN):
    return client.get("/b/northwind/search/suggest", query_string={"q": title, "s": token})


def _session(app):
    with app.app_context():
        return db.session.scalar(select(SuggestionSession).where(SuggestionSession.token == TOKEN))


def test_the_composer_suggests_only_answered_topics_of_the_brand_the_reader_may_see(
    client, shop, kettles
):
    app = client.application
    factories.make_topic(app, shop.support, shop.member, title="Kettle lid squeaks")
    acme = factories.make_category(app, shop.other_brand, slug="acme-help")
    elsewhere = factories.make_topic(app, acme, shop.member, title="Kettle lid at Acme")
    factories.reply(app, elsewhere, shop.other_staff, "Acme's answer about the lid.")
    login_as(client, shop.other_member)
    response = _suggest(client, "my kettle li")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    # The answered question, with its badge; not the unanswered one, nor Acme's.
    assert page.count('data-testid="suggestion"') == 1
    assert "will not close" in page and 'data-testid="suggestion-official"' in page
    assert "squeaks" not in page and "Acme" not in page
    assert f'suggest/open?s={TOKEN}&amp;to=/t/{kettles.question.id}"' in page


def test_at_most_five_suggestions(client, shop):
    app = client.application
    for n in range(7):
        topic = factories.make_topic(app, shop.support, shop.member, title=f"Grinder burr {n}")
        factories.reply(app, topic, shop.staff, "Clean the burr with the brush.")
    page = _suggest(client, "grinder burr").get_data(as_text=True)
    assert page.count('data-testid="suggestion"') == suggestions.SUGGESTIONS_MAX


def test_short_or_unsearchable_titles_suggest_nothing_and_count_nothing(client, shop, kettles):
    for title in ("ke", "***", "x" * 5000, '"NEAR( AND'):
        response = _suggest(client, title)
        assert response.status_code == 200
        assert 'data-testid="suggestion"' not in response.get_data(as_text=True)
    assert _session(client.application) is None


def test_suggestions_take_a_constant_number_of_queries(client, shop, kettles, count_queries):
    app = client.application
    with count_queries() as few:
        _suggest(client, "kettle lid", token=None)
    for n in range(4):
        topic = factories.make_topic(app, shop.support, shop.member, title=f"Kettle lid {n}")
        factories.reply(app, topic, shop.staff, "Press the hinge.")
    with count_queries() as many:
        _suggest(client, "kettle lid", token=None)
    assert len(many) == len(few)


def test_a_composer_is_counted_once_when_shown_then_opened_and_not_asked(
    client, shop, kettles, now
):
    app = client.application
    _suggest(client, "kettle li")
    _suggest(client, "kettle lid")
    assert _suggest(client, "kettle lid", token="not-a-token").status_code == 200
    with app.app_context():
        rows = db.session.scalars(select(SuggestionSession)).all()
        assert [(r.token, r.opens, r.opened_at) for r in rows] == [(TOKEN, 0, None)]
    target = f"/t/{kettles.question.id}?post=2"
    opened = client.get("/b/northwind/search/suggest/open", query_string={"s": TOKEN, "to": target})
    assert opened.status_code == 302 and opened.headers["Location"] == target
    assert _session(app).opens == 1
    with app.app_context():
        starts = [now - timedelta(days=7), now - timedelta(hours=1)]
        # Within the half hour she may still ask: not counted yet.
        assert [
            (w.shown, w.opened, w.answered)
            for w in suggestions.suggestion_weeks(shop.brand.id, starts, now=now)
        ] == [(0, 0, 0), (1, 1, 0)]
        later = now + suggestions.ANSWER_WINDOW + timedelta(minutes=1)
        weeks = suggestions.suggestion_weeks(shop.brand.id, starts, now=later)
        assert [(w.shown, w.opened, w.answered) for w in weeks][-1] == (1, 1, 1)
        # Another brand's desk counts none of it.
        other = suggestions.suggestion_weeks(shop.other_brand.id, starts, now=later)
        assert [(w.shown, w.opened, w.answered) for w in other][-1] == (0, 0, 0)


def test_a_composer_that_then_posts_was_not_answered_before_asking(client, shop, kettles, now):
    app = client.application
    login_as(client, shop.member)
    _suggest(client, "kettle lid")
    client.get(
        "/b/northwind/search/suggest/open",
        query_string={"s": TOKEN, "to": f"/t/{kettles.question.id}"},
    )
    response = client.post("/b/northwind/search/suggest/submitted", data={"s": TOKEN})
    assert response.status_code == 204
    assert _session(app).submitted_at is not None
    with app.app_context():
        later = now + suggestions.ANSWER_WINDOW + timedelta(minutes=1)
        weeks = suggestions.suggestion_weeks(shop.brand.id, [now - timedelta(days=1)], now=later)
        assert [(w.shown, w.opened, w.answered) for w in weeks] == [(1, 1, 0)]


def test_opening_leads_only_to_a_topic_on_this_site(client, shop, kettles):
    for target in ("https://evil.example/t/1", "//evil.example/t/1", "/login", ""):
        response = client.get(
            "/b/northwind/search/suggest/open", query_string={"s": TOKEN, "to": target}
        )
        assert response.status_code == 404


def test_a_submission_without_a_token_is_refused(client, shop):
    login_as(client, shop.member)
    response = client.post("/b/northwind/search/suggest/submitted", data={"s": "nope"})
    assert response.status_code == 400


def test_the_new_topic_page_has_the_suggestions_region_and_works_without_it(client, shop):
    login_as(client, shop.member)
    page = client.get(f"/b/northwind/c/{shop.support.slug}/new").get_data(as_text=True)
    region = page.split('<div class="suggestions"', 1)[1].split("</div>", 1)[0]
    assert 'aria-live="polite"' in region
    assert 'data-suggest-url="/b/northwind/search/suggest"' in region
    assert "js/suggest.js" in page


def test_the_desk_counts_answers_before_asking_per_week_with_its_csv(client, shop, now):
    app = client.application
    earlier = now - suggestions.ANSWER_WINDOW - timedelta(minutes=5)
    with app.app_context():
        brand = db.session.get(Brand, shop.brand.id)
        suggestions.note_shown(brand, TOKEN, now=earlier)
        suggestions.note_opened(TOKEN, now=earlier)
    login_as(client, shop.staff)
    page = client.get("/b/northwind/staff?days=7").get_data(as_text=True)
    csv = client.get("/b/northwind/staff/suggestions.csv?days=7").get_data(as_text=True)
    chart = page.split('data-testid="answered-before-asking"', 1)[1].split("</figure>", 1)[0]
    assert '<svg class="chart"' in chart
    assert '<td class="num">1</td><td class="num">1</td><td class="num">1</td>' in chart
    assert csv.splitlines()[0] == "week starting,suggestions shown,opened,answered before asking"
    assert csv.splitlines()[-1].endswith(",1,1,1")
