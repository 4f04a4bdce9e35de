"""The content registry: every kind is registered, and each kind's `can_see` for one row
agrees with its `visible_clause` for a list, for members, authors and moderators."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from fanhub import CONTENT_KINDS
from fanhub.accounts.models import User
from fanhub.content import HIDDEN, ItemKind, content_kind, content_kinds, is_content
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.forums.models import Post, Topic
from fanhub.reviews.models import Review, ReviewReply
from tests import factories
from tests.reviews.conftest import answer, make_product, write_review

VIEWERS = ("visitor", "member", "other_member", "moderator", "admin")
MODELS = {
    ItemKind.TOPIC: Topic,
    ItemKind.POST: Post,
    ItemKind.REVIEW: Review,
    ItemKind.REVIEW_REPLY: ReviewReply,
}


def test_every_kind_of_content_is_registered_once(app):
    assert [kind.kind for kind in content_kinds()] == [
        ItemKind.TOPIC,
        ItemKind.POST,
        ItemKind.REVIEW,
        ItemKind.REVIEW_REPLY,
    ]
    assert content_kinds() == CONTENT_KINDS
    assert not is_content(ItemKind.MEMBER)


def _viewer(shop: Any, name: str) -> Any:
    if name == "visitor":
        return AnonymousUserMixin()
    person = shop.admin if name == "admin" else getattr(shop, name)
    return db.session.get(User, person.id)


def _hide(app: Flask, kind: ItemKind, item_id: int) -> None:
    """Hide an item as the flag threshold or a moderator does, through its kind."""
    with app.app_context(), transaction():
        item = content_kind(kind).load({item_id})[item_id]
        content_kind(kind).set_state(item, HIDDEN, rule=None, reason="", now=utcnow())


def _seen(app: Flask, shop: Any, kind: ItemKind, ids: list[int]) -> dict[str, set[int]]:
    """Which of `ids` each viewer sees, by the list rule and by the one-row rule (they
    must agree)."""
    model = MODELS[kind]
    now = utcnow()
    seen = {}
    with app.app_context():
        registered = content_kind(kind)
        for name in VIEWERS:
            viewer = _viewer(shop, name)
            listed = set(
                db.session.scalars(
                    select(model.id).where(
                        model.id.in_(ids), registered.visible_clause(viewer, now=now)
                    )
                )
            )
            one_by_one = {
                ident
                for ident in ids
                if registered.can_see(viewer, db.session.get(model, ident), now=now)
            }
            assert listed == one_by_one, name
            seen[name] = listed
    return seen


@pytest.fixture
def topics(app, shop) -> tuple[Topic, Topic]:
    """A visible topic by `other_member`, and a hidden one by `member`."""
    shown = factories.make_topic(app, shop.discussion, shop.other_member, title="Kettles")
    hidden = factories.make_topic(app, shop.discussion, shop.member, title="Toasters")
    _hide(app, ItemKind.TOPIC, hidden.id)
    return shown, hidden


def test_a_hidden_topic_shows_to_its_author_and_moderators(app, shop, topics):
    shown, hidden = topics
    seen = _seen(app, shop, ItemKind.TOPIC, [shown.id, hidden.id])
    assert seen == {
        "visitor": {shown.id},
        "member": {shown.id, hidden.id},
        "other_member": {shown.id},
        "moderator": {shown.id, hidden.id},
        "admin": {shown.id, hidden.id},
    }


def test_a_hidden_post_shows_to_its_author_and_moderators(app, shop, topics):
    shown, hidden_topic = topics
    visible = factories.reply(app, shown, shop.member, "I like the steel one.")
    hidden = factories.reply(app, shown, shop.other_member, "Cheap watches at spam.example!")
    _hide(app, ItemKind.POST, hidden.id)
    # A visible post in a hidden topic: only who sees the topic sees it.
    inside = factories.reply(app, hidden_topic, shop.member, "Mine burns the bread.")
    seen = _seen(app, shop, ItemKind.POST, [visible.id, hidden.id, inside.id])
    everyone = {visible.id}
    assert seen == {
        "visitor": everyone,
        "member": everyone | {inside.id},
        "other_member": everyone | {hidden.id},
        "moderator": everyone | {hidden.id, inside.id},
        "admin": everyone | {hidden.id, inside.id},
    }


@pytest.fixture
def reviews(app, shop) -> tuple[Review, Review]:
    """A published review by `other_member`, and a hidden one by `member`."""
    kettle = make_product(app, shop.brand, "kettle")
    toaster = make_product(app, shop.brand, "toaster")
    shown = write_review(app, kettle, shop.other_member, 5)
    hidden = write_review(app, toaster, shop.member, 1)
    _hide(app, ItemKind.REVIEW, hidden.id)
    return shown, hidden


def test_a_hidden_review_shows_to_its_author_and_moderators(app, shop, reviews):
    shown, hidden = reviews
    seen = _seen(app, shop, ItemKind.REVIEW, [shown.id, hidden.id])
    assert seen == {
        "visitor": {shown.id},
        "member": {shown.id, hidden.id},
        "other_member": {shown.id},
        "moderator": {shown.id, hidden.id},
        "admin": {shown.id, hidden.id},
    }


def test_a_hidden_reply_shows_to_its_author_and_moderators(app, shop):
    kettle = make_product(app, shop.brand, "kettle")
    toaster = make_product(app, shop.brand, "toaster")
    shown = write_review(app, kettle, shop.other_member, 5)
    later_hidden = write_review(app, toaster, shop.member, 1)
    visible = answer(app, shown, shop.member, "Same here, a fine kettle.")
    hidden = answer(app, shown, shop.other_member, "Cheap watches at spam.example!")
    # Under a review only its author and the moderators see: so are its replies.
    under = answer(app, later_hidden, shop.member, "Mine burns the bread.")
    _hide(app, ItemKind.REVIEW_REPLY, hidden.id)
    _hide(app, ItemKind.REVIEW, later_hidden.id)
    seen = _seen(app, shop, ItemKind.REVIEW_REPLY, [visible.id, hidden.id, under.id])
    everyone = {visible.id}
    assert seen == {
        "visitor": everyone,
        "member": everyone | {under.id},
        "other_member": everyone | {hidden.id},
        "moderator": everyone | {hidden.id, under.id},
        "admin": everyone | {hidden.id, under.id},
    }
