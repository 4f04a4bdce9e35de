"""What a search finds and how it reads (issue 14): the results contract, words, phrases,
left-out words, prefixes and plurals, every filter, the ranking rules, and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Post, Topic
from tests import factories
from tests.reviews.conftest import write_review
from tests.search.conftest import found, search


def _solve(app, topic, post, who) -> None:
    with app.app_context():
        forums.mark_solution(
            db.session.get(User, who.id),
            db.session.get(Topic, topic.id),
            db.session.get(Post, post.id),
            now=utcnow(),
        )


def test_a_result_shows_its_thread_the_matched_words_where_it_lives_and_its_badges(
    app, shop, kettles
):
    [result] = search(app, None, "hinge").results
    assert result.kind == "post" and result.item_id == kettles.answer.id
    assert str(result.title) == "Kettle lid will not close"
    assert "<mark>hinge</mark>" in str(result.excerpt)
    assert result.url == f"/t/{kettles.question.id}?post=2"
    assert result.place == shop.support.name and result.brand_name == "Northwind"
    assert result.section == "topic" and result.author == "staff"
    assert result.official and result.answered and not result.solution


def test_a_topic_found_by_its_title_shows_the_title_marked(app, kettles):
    [result] = search(app, None, "close").results
    assert str(result.title) == "Kettle lid will not <mark>close</mark>"
    assert result.kind == "topic" and result.url == f"/t/{kettles.question.id}"


def test_plurals_and_other_forms_find_the_word(app, kettles):
    assert set(found(app, None, "kettles")) == {
        ("topic", kettles.question.id),
        ("topic", kettles.chat.id),
        ("product", kettles.kettle.id),
        ("review", kettles.review.id),
    }
    assert found(app, None, "boiling") != []


def test_a_phrase_must_appear_as_written(app, kettles):
    assert found(app, None, '"black tea"') == [("topic", kettles.chat.id)]
    assert found(app, None, '"tea black"') == []


def test_a_minus_leaves_out_what_has_the_word(app, kettles):
    assert ("topic", kettles.chat.id) in found(app, None, "kettle")
    assert ("topic", kettles.chat.id) not in found(app, None, "kettle -tea")
    assert ("topic", kettles.chat.id) not in found(app, None, 'kettle -"black tea"')


def test_while_typing_the_last_word_is_a_prefix(app, kettles):
    assert found(app, None, "press the hin", live=True) == [("post", kettles.answer.id)]
    assert found(app, None, "hin") == []


def test_when_no_result_has_every_word_the_results_have_some(app, kettles):
    results = search(app, None, "kettle zebra")
    assert results.loosened
    assert ("topic", kettles.question.id) in [(r.kind, r.item_id) for r in results.results]
    assert not search(app, None, "kettle lid").loosened


def test_each_kind_is_a_filter(app, shop, kettles):
    idea = factories.make_topic(
        app, shop.ideas, shop.member, title="A kettle with a timer", body="Set it at night."
    )
    assert set(found(app, None, "kettle", section="review")) == {("review", kettles.review.id)}
    assert set(found(app, None, "kettle", section="product")) == {("product", kettles.kettle.id)}
    assert set(found(app, None, "kettle", section="idea")) == {("topic", idea.id)}
    assert set(found(app, None, "kettle", section="topic")) == {
        ("topic", kettles.question.id),
        ("topic", kettles.chat.id),
    }


def test_a_search_can_be_narrowed_to_a_brand(app, shop, kettles):
    acme = factories.make_category(app, shop.other_brand, slug="acme-help")
    theirs = factories.make_topic(app, acme, shop.member, title="Acme kettle whistles")
    assert ("topic", theirs.id) in found(app, None, "kettle")
    assert ("topic", theirs.id) not in found(app, None, "kettle", brand_id=shop.brand.id)
    assert found(app, None, "kettle", brand_id=shop.other_brand.id) == [("topic", theirs.id)]


def test_a_search_can_be_narrowed_to_a_category(app, shop, kettles):
    assert found(app, None, "kettle", category_id=shop.discussion.id) == [
        ("topic", kettles.chat.id)
    ]


def test_a_search_can_be_narrowed_to_a_products_reviews(app, shop, kettles):
    other = write_review(
        app, kettles.toaster, shop.member, 3, body="Burns the toast, unlike my kettle."
    )
    assert ("review", other.id) in found(app, None, "kettle", section="review")
    assert found(app, None, "kettle", section="review", product_id=kettles.kettle.id) == [
        ("review", kettles.review.id)
    ]


def test_a_search_can_be_narrowed_by_answer(app, shop, kettles):
    assert found(app, None, "kettle", answer="answered") == [("topic", kettles.question.id)]
    unanswered = set(found(app, None, "kettle", answer="unanswered"))
    assert ("topic", kettles.chat.id) in unanswered and ("review", kettles.review.id) in unanswered
    assert ("topic", kettles.question.id) not in unanswered
    assert ("product", kettles.kettle.id) not in unanswered  # nothing to answer
    assert found(app, None, "kettle", answer="solved") == []
    reply = factories.reply(app, kettles.question, shop.other_member, "Mine clicked too.")
    _solve(app, kettles.question, reply, shop.member)
    assert found(app, None, "kettle", answer="solved") == [("topic", kettles.question.id)]


def test_a_search_can_be_narrowed_by_stars(app, shop, kettles):
    low = write_review(app, kettles.kettle, shop.member, 2, body="The kettle leaks from the spout.")
    assert found(app, None, "kettle", stars=2) == [("review", low.id)]
    assert found(app, None, "kettle", stars=5) == [("review", kettles.review.id)]


def test_a_search_can_be_narrowed_to_an_author(app, shop, kettles):
    assert set(found(app, None, "kettle", author_id=shop.other_member.id)) == {
        ("topic", kettles.chat.id),
        ("review", kettles.review.id),
    }


def test_a_search_can_be_narrowed_to_dates(app, shop, now):
    old = factories.make_topic(
        app, shop.discussion, shop.member, title="Old kettle story", now=now - timedelta(days=10)
    )
    new = factories.make_topic(app, shop.discussion, shop.member, title="New kettle story")
    since = (now - timedelta(days=5)).date()
    assert found(app, None, "kettle story", after=since) == [("topic", new.id)]
    assert found(app, None, "kettle story", before=since) == [("topic", old.id)]


def test_a_title_match_ranks_above_a_body_match(app, shop, now):
    title = factories.make_topic(
        app, shop.discussion, shop.member, title="Descaling every month?",
        body="How often should I do it?", now=now - timedelta(days=2),
    )  # fmt: skip
    body = factories.make_topic(
        app, shop.discussion, shop.member, title="Morning routine",
        body="First I do the descaling of the machine, then descaling the kettle.",
    )  # fmt: skip
    assert found(app, None, "descaling") == [("topic", title.id), ("topic", body.id)]


def test_a_thread_the_brand_answered_ranks_above_one_it_did_not(app, shop, now):
    answered = factories.make_topic(
        app, shop.support, shop.member, title="Grinder jams", body="It stops mid-grind.",
        now=now - timedelta(days=2),
    )  # fmt: skip
    factories.reply(app, answered, shop.staff, "Clean the burrs with a brush.")
    waiting = factories.make_topic(
        app, shop.support, shop.other_member, title="Grinder jams", body="It stops mid-grind."
    )
    assert found(app, None, "grinder jams") == [("topic", answered.id), ("topic", waiting.id)]


def test_a_solved_thread_ranks_above_one_that_is_not(app, shop, now):
    solved = factories.make_topic(
        app, shop.support, shop.member, title="Grinder jams", body="It stops mid-grind.",
        now=now - timedelta(days=2),
    )  # fmt: skip
    fix = factories.reply(app, solved, shop.other_member, "A brush on the burrs fixed mine.")
    _solve(app, solved, fix, shop.member)
    waiting = factories.make_topic(
        app, shop.support, shop.other_member, title="Grinder jams", body="It stops mid-grind."
    )
    assert found(app, None, "grinder jams") == [("topic", solved.id), ("topic", waiting.id)]


def test_newer_ranks_above_older_when_otherwise_equal(app, shop, now):
    older = factories.make_topic(
        app, shop.discussion, shop.member, title="Milk frother noise", now=now - timedelta(days=3)
    )
    newer = factories.make_topic(app, shop.discussion, shop.member, title="Milk frother noise")
    assert found(app, None, "frother") == [("topic", newer.id), ("topic", older.id)]


def test_the_official_answer_is_the_passage_shown_when_it_matches(app, shop):
    topic = factories.make_topic(
        app, shop.support, shop.member, title="Lid problem", body="The hinge is loose."
    )
    factories.reply(app, topic, shop.other_member, "Hinge, hinge, hinge: my hinge broke too!")
    official = factories.reply(app, topic, shop.staff, "Tighten the hinge screw a quarter turn.")
    [result] = search(app, None, "hinge").results
    assert (result.kind, result.item_id) == ("post", official.id)
    assert "Tighten the <mark>hinge</mark> screw" in str(result.excerpt)
    assert result.official


def test_the_solution_is_the_passage_shown_when_it_matches(app, shop):
    topic = factories.make_topic(
        app, shop.support, shop.member, title="Lid problem", body="The hinge is loose."
    )
    fix = factories.reply(app, topic, shop.other_member, "Oil the hinge once a year.")
    factories.reply(app, topic, shop.member, "Hinge hinge hinge, still the hinge.")
    _solve(app, topic, fix, shop.member)
    [result] = search(app, None, "hinge").results
    assert (result.kind, result.item_id) == ("post", fix.id)
    assert result.solution and result.solved


def test_one_result_per_thread_and_pages_of_twenty(app, shop):
    for n in range(23):
        topic = factories.make_topic(
            app, shop.discussion, shop.member, title=f"Espresso shot number {n}"
        )
        factories.reply(app, topic, shop.other_member, "My espresso is bitter too.")
    first = search(app, None, "espresso")
    assert len(first.results) == 20 and first.has_next
    second = search(app, None, "espresso", page=2)
    assert len(second.results) == 3 and not second.has_next
    threads = [r.url.split("?")[0] for r in first.results + second.results]
    assert len(set(threads)) == 23


def test_member_words_are_escaped_and_only_matches_are_marked(app, shop):
    factories.make_topic(
        app, shop.discussion, shop.member, title="Markup in my kettle post",
        body='My kettle <script>alert("x")</script> & <b>bold</b> claims',
    )  # fmt: skip
    [result] = search(app, None, "claims").results
    excerpt = str(result.excerpt)
    assert "<script>" not in excerpt and "<b>" not in excerpt
    assert excerpt.count("<mark>") == 1 and "<mark>claims</mark>" in excerpt


@pytest.mark.parametrize(
    ("query_string", "message"),
    [
        ("q=kettle&kind=recipes", "Choose topics, ideas, reviews or products."),
        ("q=kettle&stars=9", "Choose from 1 to 5 stars."),
        ("q=kettle&stars=four", "Choose from 1 to 5 stars."),
        ("q=kettle&answer=maybe", "Choose solved, answered or not answered."),
        ("q=kettle&after=2024-13-45", "Enter a date as YYYY-MM-DD."),
        ("q=kettle&before=yesterday", "Enter a date as YYYY-MM-DD."),
        ("q=kettle&after=2025-02-01&before=2025-01-01", "The first date is after the second."),
        ("q=kettle&author=nobody-here", "There is no member called “nobody-here”."),
        ("q=kettle&author=%3Cb%3E", "There is no member called “&lt;b&gt;”."),
        ("q=kettle&brand=nowhere", "There is no brand called “nowhere”."),
        ("q=kettle&page=0", "Pages go from 1 to 50."),
        ("q=kettle&page=51", "Pages go from 1 to 50."),
        ("q=*", "Type a word to search for"),
        ("q=-kettle", "Type a word to search for"),
        ("q=" + "kettle+" * 40, "Search for at most 200 characters."),
    ],
)
def test_a_bad_value_is_a_400_saying_what_is_wrong(client, shop, query_string, message):
    response = client.get(f"/search?{query_string}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_brand_search_refuses_a_category_the_brand_does_not_have(client, shop):
    response = client.get("/b/northwind/search?q=kettle&category=recipes")
    assert response.status_code == 400
    assert "This brand has no category called “recipes”." in response.get_data(as_text=True)


def test_a_brand_that_does_not_exist_has_no_search(client, shop):
    assert client.get("/b/nowhere/search?q=kettle").status_code == 404


def test_a_product_review_search_shows_only_that_products_reviews(app, client, shop, kettles):
    write_review(app, kettles.toaster, shop.member, 3, body="Burns the toast, unlike my kettle.")
    response = client.get("/b/northwind/search?q=kettle&kind=review&product=kettle")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Search the reviews of Aroma Kettle" in page
    assert page.count('data-testid="search-result"') == 1 and "Quiet and quick" in page


def test_the_product_page_has_a_box_to_search_its_reviews(client, shop, kettles):
    page = client.get("/b/northwind/p/kettle").get_data(as_text=True)
    box = page.split('data-testid="review-search"', 1)[1].split("</form>", 1)[0]
    assert 'name="product" value="kettle"' in box and 'name="kind" value="review"' in box
    assert 'action="/b/northwind/search"' in page.split('data-testid="review-search"')[0][-200:]
