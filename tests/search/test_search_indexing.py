"""Indexed as written (issue 14): a post, review or edit is searchable once it commits, a
rolled-back write leaves nothing behind, and `flask search reindex` rebuilds the index in
batches, resumable from where it stopped."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Post, Topic
from fanhub.permissions import SYSTEM
from fanhub.reviews import services as reviews
from fanhub.reviews.models import Product, Review
from fanhub.search import indexing
from fanhub.search.models import SearchDocument
from tests import factories
from tests.reviews.conftest import make_product, write_review
from tests.search.conftest import found


def _documents(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SearchDocument)) or 0


def _wipe(app) -> None:
    with app.app_context(), transaction():
        db.session.execute(delete(SearchDocument))


def test_a_new_topic_and_reply_are_found_as_soon_as_they_commit(app, shop):
    topic = factories.make_topic(app, shop.support, shop.member, title="Grinder makes a squeal")
    assert found(app, None, "squeal") == [("topic", topic.id)]
    reply = factories.reply(app, topic, shop.other_member, "Mine squeals when the beans run out.")
    assert found(app, None, "beans") == [("post", reply.id)]


def test_an_edited_post_is_found_by_its_new_words_only(app, shop):
    topic = factories.make_topic(app, shop.support, shop.member, title="Grinder noise")
    reply = factories.reply(app, topic, shop.other_member, "Try cleaning the burrs.")
    with app.app_context():
        forums.edit_post(
            db.session.get(User, shop.other_member.id),
            db.session.get(Post, reply.id),
            "Try a new motor belt.",
            now=utcnow(),
        )
    assert found(app, None, "burrs") == []
    assert found(app, None, "motor belt") == [("post", reply.id)]


def test_an_edited_question_is_found_by_its_new_words(app, shop):
    topic = factories.make_topic(
        app, shop.support, shop.member, title="Grinder noise", body="It rattles at start."
    )
    with app.app_context():
        first = db.session.scalars(
            select(Post).where(Post.topic_id == topic.id, Post.position == 1)
        ).one()
        forums.edit_post(
            db.session.get(User, shop.member.id), first, "It whistles at start.", now=utcnow()
        )
    assert found(app, None, "rattles") == []
    assert found(app, None, "whistles") == [("topic", topic.id)]


def test_an_edited_review_and_a_renamed_product_are_found_by_their_new_words(app, shop):
    kettle = make_product(app, shop.brand, "kettle", "Aroma Kettle")
    review = write_review(app, kettle, shop.member, 4, body="Boils quickly but the lid is stiff.")
    with app.app_context():
        reviews.edit_review(
            db.session.get(User, shop.member.id),
            db.session.get(Review, review.id),
            reviews.ReviewDraft(4, "", "Boils quickly and the lid loosened up."),
            now=utcnow(),
        )
        reviews.update_product(
            SYSTEM,
            db.session.get(Product, kettle.id),
            reviews.ProductDraft("kettle", "KETTLE", "Whisper Kettle"),
            now=utcnow(),
        )
    assert found(app, None, "stiff") == []
    assert found(app, None, "loosened") == [("review", review.id)]
    assert found(app, None, "aroma") == []
    assert found(app, None, "whisper") == [("product", kettle.id)]


def test_a_rolled_back_write_leaves_nothing_in_the_index(app, shop):
    before = _documents(app)
    with app.app_context(), pytest.raises(RuntimeError), transaction():
        brand = db.session.get(Brand, shop.brand.id)
        db.session.add(Product(brand_id=brand.id, slug="ghost", sku="GHOST", name="Ghost Kettle"))
        db.session.flush()
        raise RuntimeError("the write failed after its flush")
    assert _documents(app) == before
    assert found(app, None, "ghost") == []


def test_reindex_rebuilds_every_kind(app, runner, shop):
    topic = factories.make_topic(app, shop.support, shop.member, title="Grinder squeal")
    reply = factories.reply(app, topic, shop.other_member, "Check the burr carrier.")
    kettle = make_product(app, shop.brand, "kettle", "Aroma Kettle")
    review = write_review(app, kettle, shop.member, 4, body="The kettle whistles nicely when done.")
    indexed = _documents(app)
    _wipe(app)
    assert found(app, None, "squeal") == []
    result = runner.invoke(args=["search", "reindex", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert f"Indexed {indexed} documents; the index holds {indexed}." in result.output
    assert found(app, None, "squeal") == [("topic", topic.id)]
    assert found(app, None, "carrier") == [("post", reply.id)]
    assert found(app, None, "whistles nicely") == [("review", review.id)]


def test_reindex_goes_on_from_an_id(app, runner, shop):
    topics = [
        factories.make_topic(app, shop.discussion, shop.member, title=f"Tamper size {n}")
        for n in range(3)
    ]
    _wipe(app)
    result = runner.invoke(
        args=["search", "reindex", "--kind", "topic", "--from-id", str(topics[0].id)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(found(app, None, "tamper")) == [("topic", t.id) for t in topics[1:]]


def test_a_stopped_reindex_says_how_to_go_on(app, runner, shop, monkeypatch):
    topics = [
        factories.make_topic(app, shop.discussion, shop.member, title=f"Tamper size {n}")
        for n in range(3)
    ]
    _wipe(app)
    written = indexing.write_documents
    calls = []

    def crash_on_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return written(*args, **kwargs)

    monkeypatch.setattr(indexing, "write_documents", crash_on_the_second_batch)
    result = runner.invoke(args=["search", "reindex", "--kind", "topic", "--batch-size", "1"])
    assert result.exit_code != 0
    first = topics[0].id
    assert (
        f"Stopped in topic rows after id {first}: everything up to it is indexed. "
        f"Go on with: flask search reindex --kind topic --from-id {first}"
    ) in result.output
    assert found(app, None, "tamper") == [("topic", first)]


def test_reindex_refuses_a_kind_it_does_not_know(runner):
    result = runner.invoke(args=["search", "reindex", "--kind", "recipes"])
    assert result.exit_code == 1
    assert "There is no searchable kind called 'recipes'" in result.output


def test_a_brands_language_is_a_setting(app, runner, shop):
    topic = factories.make_topic(
        app, shop.discussion, shop.member, title="Les chevaux du moulin", body="Bonjour."
    )
    assert runner.invoke(args=["search", "language", "northwind"]).output == "northwind: english\n"
    result = runner.invoke(args=["search", "language", "northwind", "french"])
    assert result.exit_code == 0, result.output
    assert "northwind: french" in result.output
    with app.app_context():
        stems_languages = db.engine.dialect.name == "postgresql"
    if stems_languages:
        # French stemming: "cheval" is the singular of "chevaux".
        assert found(app, None, "cheval") == [("topic", topic.id)]
    else:
        assert "the embedded engine (SQLite FTS5) stems English only" in result.output
    refused = runner.invoke(args=["search", "language", "northwind", "klingon"])
    assert refused.exit_code == 1 and "The languages are:" in refused.output


def test_a_topic_moved_to_ideas_is_found_as_an_idea_at_once(app, shop):
    topic = factories.make_topic(app, shop.discussion, shop.member, title="Kettle with a timer")
    with app.app_context():
        forums.move_topic(
            db.session.get(User, shop.moderator.id),
            db.session.get(Topic, topic.id),
            db.session.get(type(shop.ideas), shop.ideas.id),
            now=utcnow(),
        )
    assert found(app, None, "timer", section="idea") == [("topic", topic.id)]
    assert found(app, None, "timer", section="topic") == []
