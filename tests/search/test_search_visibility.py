"""A result appears only where its page would show it to this reader (issue 14): hidden,
held, removed, rejected and deleted content never; her own held items to a member; the
brand's moderators what they moderate, and another brand's team nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Post
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, ModerationRule
from tests import factories
from tests.moderation.conftest import decide, flag
from tests.reviews.conftest import make_product, write_review
from tests.search.conftest import found


def _premoderated(app: Flask, shop: Any) -> None:
    with app.app_context():
        db.session.get(Brand, shop.brand.id).premoderate_new_members = True
        db.session.commit()


def _hide(app: Flask, shop: Any, kind: str, item_id: int) -> None:
    # Reported by `member`: the hidden items here are `other_member`'s.
    case = flag(app, shop.member, kind, item_id)
    decide(app, shop.moderator, case, Decision.HIDE, rule=ModerationRule.SPAM)


@pytest.fixture
def newbie(app, make_user) -> Any:
    return make_user("newbie", trust_level=0)


def test_a_hidden_reply_is_found_only_by_its_author_and_the_brands_moderators(app, shop):
    topic = factories.make_topic(app, shop.discussion, shop.member, title="Which kettle?")
    spam = factories.reply(app, topic, shop.other_member, "Cheap watches at spam example")
    assert found(app, None, "watches") == [("post", spam.id)]
    _hide(app, shop, "post", spam.id)
    for reader in (None, shop.member, shop.staff, shop.other_staff):
        assert found(app, reader, "watches") == [], reader
    for reader in (shop.other_member, shop.moderator, shop.admin):
        assert found(app, reader, "watches") == [("post", spam.id)], reader


def test_a_hidden_topic_leaves_the_results_at_once(app, shop):
    topic = factories.make_topic(
        app, shop.discussion, shop.other_member, title="Buy followers now", body="Cheap."
    )
    _hide(app, shop, "topic", topic.id)
    assert found(app, None, "followers") == []
    assert found(app, shop.member, "followers") == []
    assert found(app, shop.other_member, "followers") == [("topic", topic.id)]
    assert found(app, shop.moderator, "followers") == [("topic", topic.id)]


def test_a_held_reply_is_found_by_its_author_and_the_moderators_only(app, shop, newbie):
    _premoderated(app, shop)
    topic = factories.make_topic(app, shop.support, shop.member, title="Descaling question")
    held = factories.reply(app, topic, newbie, "My descaler tablets foam over the rim.")
    assert held.position < 0  # waiting for a moderator
    assert found(app, newbie, "tablets") == [("post", held.id)]
    assert found(app, shop.moderator, "tablets") == [("post", held.id)]
    for reader in (None, shop.member, shop.other_staff):
        assert found(app, reader, "tablets") == [], reader


def test_a_held_topic_is_found_by_its_author_only(app, shop, newbie):
    _premoderated(app, shop)
    topic = factories.make_topic(
        app, shop.support, newbie, title="Warranty for a cracked carafe", body="It cracked."
    )
    assert found(app, newbie, "carafe") == [("topic", topic.id)]
    assert found(app, None, "carafe") == []
    assert found(app, shop.member, "carafe") == []


def test_a_held_review_is_found_by_its_author_only(app, shop, newbie):
    _premoderated(app, shop)
    kettle = make_product(app, shop.brand, "kettle", "Aroma Kettle")
    review = write_review(app, kettle, newbie, 1, body="The handle melted on the second day.")
    assert found(app, newbie, "handle melted") == [("review", review.id)]
    assert found(app, None, "handle melted") == []
    assert found(app, shop.member, "handle melted") == []


def test_a_rejected_review_is_never_found_by_others(app, shop, newbie):
    _premoderated(app, shop)
    kettle = make_product(app, shop.brand, "kettle", "Aroma Kettle")
    review = write_review(app, kettle, newbie, 1, body="Visit my shop for cheaper kettles now.")
    with app.app_context():
        moderation.decide(
            db.session.get(User, shop.moderator.id),
            [f"review:{review.id}"],
            moderation.DecisionDraft(Decision.REJECT, ModerationRule.SPAM),
            now=utcnow(),
        )
    for reader in (None, shop.member, shop.staff, shop.other_staff):
        assert found(app, reader, "cheaper") == [], reader


def test_a_post_its_author_deleted_is_found_by_nobody(app, shop):
    topic = factories.make_topic(app, shop.discussion, shop.member, title="Milk frothers")
    mine = factories.reply(app, topic, shop.other_member, "My phone number is in this reply.")
    with app.app_context():
        forums.delete_own_post(
            db.session.get(User, shop.other_member.id), db.session.get(Post, mine.id)
        )
    for reader in (None, shop.other_member, shop.moderator, shop.admin):
        assert found(app, reader, "phone number") == [], reader


def test_a_topic_whose_question_was_deleted_is_not_found_by_its_words(app, shop):
    topic = factories.make_topic(
        app, shop.discussion, shop.other_member, title="Frother tips",
        body="Write to me at my private address please.",
    )  # fmt: skip
    with app.app_context():
        first = db.session.scalars(
            db.select(Post).where(Post.topic_id == topic.id, Post.position == 1)
        ).one()
        forums.delete_own_post(db.session.get(User, shop.other_member.id), first)
    assert found(app, None, "private address") == []
    assert found(app, shop.other_member, "private address") == []


def test_a_reply_the_flags_hid_is_found_again_once_restored(app, shop, make_user):
    topic = factories.make_topic(app, shop.discussion, shop.member, title="Which kettle?")
    reply = factories.reply(app, topic, shop.other_member, "A gooseneck spout pours best.")
    for n in range(3):  # enough members' flags hide it until a moderator decides
        case = flag(app, make_user(f"reporter{n}"), "post", reply.id)
    assert found(app, None, "gooseneck") == []
    decide(app, shop.moderator, case, Decision.RESTORE, rule=ModerationRule.OTHER, reason="Fine.")
    assert found(app, None, "gooseneck") == [("post", reply.id)]


def test_the_search_page_keeps_hidden_words_from_other_readers(app, client, shop):
    topic = factories.make_topic(app, shop.discussion, shop.member, title="Which kettle?")
    spam = factories.reply(app, topic, shop.other_member, "Cheap watches at spam example")
    _hide(app, shop, "post", spam.id)
    page = client.get("/search?q=watches").get_data(as_text=True)
    assert "Cheap" not in page and 'data-testid="search-empty"' in page
    factories.login(client, shop.moderator.username)
    page = client.get("/search?q=watches").get_data(as_text=True)
    assert page.count('data-testid="search-result"') == 1
