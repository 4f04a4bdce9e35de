"""`flask rerender`: stored HTML made again from its Markdown, only where it changed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select, update

from fanhub import rerender
from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Post, PostRevision, ReactionKind, Topic
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Product, Review, ReviewReply, ReviewRevision
from fanhub.text import render_markdown
from tests import factories
from tests.reviews.conftest import answer, make_product, write_review

# kind -> (model, source column, HTML column)
KINDS: dict[str, tuple[type[Any], str, str]] = {
    "brand": (Brand, "description", "description_html"),
    "post": (Post, "body", "body_html"),
    "post-revision": (PostRevision, "body", "body_html"),
    "review": (Review, "body", "body_html"),
    "review-revision": (ReviewRevision, "body", "body_html"),
    "review-reply": (ReviewReply, "body", "body_html"),
}
# What an older sanitiser might have let through.
STALE = "<p>Words the old renderer kept</p><script>alert(1)</script>"


@pytest.fixture
def content(app, shop) -> dict[str, int]:
    """One row of every kind that stores HTML, written through the services: kind -> id."""
    now = utcnow()
    topic = factories.make_topic(app, shop.support, shop.member, replies=0)
    post = factories.reply(app, topic, shop.other_member, "First *draft* of my answer.")
    kettle = make_product(app, shop.brand, "kettle", "Northwind Kettle", sku="NW-KETTLE")
    review = write_review(app, kettle, shop.member, body="It boils **fast** and stays quiet.")
    reply = answer(app, review, shop.staff, "Glad it helps, @member. Tell us how it lasts.")
    with app.app_context():
        brands.update_brand_page(
            shop.owner,
            db.session.get(Brand, shop.brand.id),
            brands.BrandPageDraft("Coffee people", "We roast *every* week.", "#5b3df5"),
            now=now,
        )
        editor = db.session.get(User, shop.other_member.id)
        edited = forums.edit_post(
            editor, forums.access_post(post.id), "Thanks @staff, *that* worked.", now=now
        )
        forums.toggle_reaction(
            db.session.get(User, shop.member.id), edited, ReactionKind.LIKE, now=now
        )
        reviewed = reviews.access_review(review.id)
        reviews.edit_review(
            db.session.get(User, shop.member.id),
            reviewed,
            reviews.ReviewDraft(5, "", "It boils **fast**, stays quiet, and looks good."),
            now=now,
        )
        reviews.vote_helpful(db.session.get(User, shop.other_member.id), reviewed, now=now)
        post_revision = db.session.scalar(
            select(PostRevision.id).where(PostRevision.post_id == post.id)
        )
        review_revision = db.session.scalar(
            select(ReviewRevision.id).where(ReviewRevision.review_id == review.id)
        )
    return {
        "brand": shop.brand.id,
        "post": post.id,
        "post-revision": post_revision,
        "review": review.id,
        "review-revision": review_revision,
        "review-reply": reply.id,
    }


def stored(app, kind: str, row_id: int) -> tuple[str, str]:
    """A row's source and HTML as the database holds them now."""
    model, source, html = KINDS[kind]
    with app.app_context():
        row = db.session.execute(
            select(getattr(model, source), getattr(model, html)).where(model.id == row_id)
        ).one()
    return row[0], row[1]


def make_stale(app, kind: str, row_id: int) -> None:
    """Store HTML as an older renderer made it, straight into the row."""
    model, _, html = KINDS[kind]
    with app.app_context(), transaction():
        db.session.execute(update(model).where(model.id == row_id).values({html: STALE}))


def changes(output: str) -> dict[str, int]:
    """Each kind's number of changed rows, from the command's summary lines."""
    found = re.findall(
        r"^([a-z-]+): (\d+) (?:changed|would change), [\d,]+ unchanged$", output, re.M
    )
    return {kind: int(count) for kind, count in found}


@pytest.mark.parametrize("kind", list(KINDS))
def test_rerender_replaces_stale_html_with_what_the_write_path_stores(app, runner, content, kind):
    written = stored(app, kind, content[kind])
    make_stale(app, kind, content[kind])

    result = runner.invoke(args=["rerender"])

    assert result.exit_code == 0, result.output
    assert stored(app, kind, content[kind]) == written
    assert changes(result.output) == {name: int(name == kind) for name in KINDS}


def test_rerendered_text_is_rendered_as_it_was_written(app, runner, content):
    for kind in KINDS:
        make_stale(app, kind, content[kind])

    assert runner.invoke(args=["rerender"]).exit_code == 0

    body, html = stored(app, "review", content["review"])
    assert (
        html
        == render_markdown(body)
        == "<p>It boils <strong>fast</strong>, stays quiet, and looks good.</p>\n"
    )
    # Posts and replies under reviews link @mentions of members, as when they were written.
    assert 'href="/u/staff"' in stored(app, "post", content["post"])[1]
    assert 'href="/u/member"' in stored(app, "review-reply", content["review-reply"])[1]
    assert "<script>" not in stored(app, "brand", content["brand"])[1]


def test_rows_whose_html_is_current_are_reported_unchanged_and_left_alone(app, runner, content):
    before = {kind: stored(app, kind, content[kind]) for kind in KINDS}

    result = runner.invoke(args=["rerender"])

    assert result.exit_code == 0, result.output
    assert changes(result.output) == dict.fromkeys(KINDS, 0)
    assert re.search(r"^post: 0 changed, [1-9]\d* unchanged$", result.output, re.M)
    assert {kind: stored(app, kind, content[kind]) for kind in KINDS} == before


def test_a_dry_run_counts_what_would_change_and_writes_nothing(app, runner, content):
    make_stale(app, "post", content["post"])

    result = runner.invoke(args=["rerender", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert changes(result.output)["post"] == 1
    assert "post: 1 would change" in result.output
    assert stored(app, "post", content["post"])[1] == STALE


def test_after_id_starts_after_that_row(app, runner, shop, content):
    earlier = content["post"]
    topic = factories.load(app, Post, earlier).topic_id
    later = factories.reply(app, factories.load(app, Topic, topic), shop.member, "Same here.").id
    make_stale(app, "post", earlier)
    make_stale(app, "post", later)

    result = runner.invoke(args=["rerender", "--kind", "post", "--after-id", str(earlier)])

    assert result.exit_code == 0, result.output
    assert changes(result.output) == {"post": 1}
    assert stored(app, "post", earlier)[1] == STALE
    assert stored(app, "post", later)[1] == render_markdown("Same here.")


def test_a_second_run_changes_nothing(app, runner, content):
    for kind in KINDS:
        make_stale(app, kind, content[kind])
    assert changes(runner.invoke(args=["rerender"]).output) == dict.fromkeys(KINDS, 1)

    result = runner.invoke(args=["rerender"])

    assert result.exit_code == 0, result.output
    assert changes(result.output) == dict.fromkeys(KINDS, 0)


def counters(app, content: dict[str, int]) -> dict[str, tuple[Any, ...]]:
    """Every counter and time the content's rows carry."""
    with app.app_context():
        post = db.session.get(Post, content["post"])
        topic = db.session.get(Topic, post.topic_id)
        category = db.session.get(Category, topic.category_id)
        review = db.session.get(Review, content["review"])
        product = db.session.get(Product, review.product_id)
        brand = db.session.get(Brand, content["brand"])
        return {
            "post": (post.like_count, post.edit_count, post.edited_at, post.position),
            "topic": (topic.post_count, topic.last_posted_at),
            "category": (category.topic_count, category.post_count),
            "review": (
                review.helpful_count,
                review.reply_count,
                review.edit_count,
                review.edited_at,
            ),
            "product": (product.rating_count, product.rating_sum, dict(product.histogram)),
            "brand": (brand.follower_count, brand.description),
        }


def test_counters_and_times_stay_as_they_were(app, runner, content):
    before = counters(app, content)
    assert before["post"][:2] == (1, 1) and before["review"][:3] == (1, 1, 1)
    for kind in KINDS:
        make_stale(app, kind, content[kind])

    assert runner.invoke(args=["rerender"]).exit_code == 0

    assert counters(app, content) == before


def test_each_batch_prints_the_last_id_it_did(app, runner, shop, content):
    topic = factories.load(app, Post, content["post"]).topic_id
    factories.reply(app, factories.load(app, Topic, topic), shop.member, "One more.")
    with app.app_context():
        ids = list(db.session.scalars(select(Post.id).order_by(Post.id)))

    result = runner.invoke(args=["rerender", "--kind", "post", "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    printed = re.findall(r"^post through id (\d+): 0 changed, (\d) unchanged$", result.output, re.M)
    assert [int(last) for last, _ in printed] == ids[1::2] + ([ids[-1]] if len(ids) % 2 else [])


def test_an_interrupted_run_says_how_to_resume(app, runner, content, monkeypatch):
    with app.app_context():
        first, second = db.session.scalars(select(Post.id).order_by(Post.id))
    make_stale(app, "post", first)
    make_stale(app, "post", second)
    real = rerender.rerender_batch
    done: list[int] = []

    def interrupted_after_one_batch(stored: rerender.StoredHtml, **options: Any) -> Any:
        if done:
            raise KeyboardInterrupt  # Ctrl-C during the second batch
        done.append(1)
        return real(stored, **options)

    monkeypatch.setattr(rerender, "rerender_batch", interrupted_after_one_batch)

    result = runner.invoke(
        args=["rerender", "--kind", "post", "--kind", "review", "--batch-size", "1"]
    )

    assert result.exit_code == 1
    assert f"post through id {first}: 1 changed, 0 unchanged" in result.output
    assert (
        "To resume: flask --app fanhub rerender --kind post --kind review "
        f"--after-id {first} --batch-size 1"
    ) in result.output
    # The batch that finished stays done; the one interrupted changed nothing.
    assert stored(app, "post", first)[1] != STALE
    assert stored(app, "post", second)[1] == STALE


def test_the_widget_shows_the_rerendered_review_at_once(app, runner, client, content):
    make_stale(app, "review", content["review"])
    url = "/embed/v1/northwind/kettle/reviews.json"
    assert "Words the old renderer kept" in client.get(url).get_data(as_text=True)

    assert runner.invoke(args=["rerender", "--kind", "review"]).exit_code == 0

    shown = client.get(url).get_data(as_text=True)
    assert "Words the old renderer kept" not in shown
    assert "stays quiet, and looks good" in shown
