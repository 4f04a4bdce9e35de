"""Fixtures for search: a search as a given person, and a kettle shop to search in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.permissions import Visitor
from fanhub.search import services
from fanhub.search.services import SearchFilters, SearchResults
from tests import factories
from tests.reviews.conftest import make_product, write_review


def search(
    app: Flask, who: Any, query: str, *, live: bool = False, page: int = 1, **filters: Any
) -> SearchResults:
    """The service's answer to `who` (None: a visitor) at this moment."""
    with app.app_context():
        viewer = Visitor() if who is None else db.session.get(User, who.id)
        return services.search(
            viewer, query, SearchFilters(**filters), now=utcnow(), live=live, page=page
        )


def found(app: Flask, who: Any, query: str, **options: Any) -> list[tuple[str, int]]:
    """What a search finds, as (document kind, item id), best first."""
    return [(r.kind, r.item_id) for r in search(app, who, query, **options).results]


def titles(app: Flask, who: Any, query: str, **options: Any) -> list[str]:
    """The titles of what a search finds, best first, without their marks."""
    return [
        str(r.title).replace("<mark>", "").replace("</mark>", "")
        for r in search(app, who, query, **options).results
    ]


@dataclass
class Kettles:
    """Northwind's kettle: a support question answered by staff, a discussion, a review."""

    question: Any
    answer: Any
    chat: Any
    kettle: Any
    toaster: Any
    review: Any


@pytest.fixture
def kettles(app, shop) -> Kettles:
    question = factories.make_topic(
        app,
        shop.support,
        shop.member,
        title="Kettle lid will not close",
        body="The lid of my new kettle springs open while it boils.",
    )
    answer = factories.reply(
        app, question, shop.staff, "Press the hinge until it clicks: the lid then locks."
    )
    chat = factories.make_topic(
        app,
        shop.discussion,
        shop.other_member,
        title="Favourite tea for mornings",
        body="I boil water in my kettle and brew a strong black tea.",
    )
    kettle = make_product(app, shop.brand, "kettle", "Aroma Kettle", description="Boils fast.")
    toaster = make_product(app, shop.brand, "toaster", "Crisp Toaster")
    review = write_review(
        app,
        kettle,
        shop.other_member,
        5,
        title="Quiet and quick",
        body="The kettle boils a full litre in three minutes, quietly.",
    )
    return Kettles(question, answer, chat, kettle, toaster, review)
