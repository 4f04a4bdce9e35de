"""Many members reviewing, re-rating and voting at once: the product's counters and every
helpful count end equal to a recount of the rows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.permissions import SYSTEM
from fanhub.reviews import services
from fanhub.reviews.models import Product, Review, ReviewVote
from tests import factories
from tests.factories import run_together
from tests.reviews.conftest import recount

pytestmark = pytest.mark.concurrency

WRITERS = 6  # each submits reviews of several products
EDITORS = 4  # each keeps re-rating her own review
VOTERS = 4  # each keeps toggling helpful votes on the editors' reviews
PRODUCTS = 5


def test_concurrent_reviews_edits_and_votes_leave_exact_aggregates(isolated_app, now):
    app = isolated_app
    brand = factories.make_brand(app, "busy")
    with app.app_context():
        products = [
            services.create_product(
                SYSTEM, db.session.get(type(brand), brand.id),
                services.ProductDraft(f"thing-{n}", f"T{n}", f"Thing {n}"), now=now,
            ).id
            for n in range(PRODUCTS)
        ]  # fmt: skip
    writers = [factories.make_user(app, f"writer{i}") for i in range(WRITERS)]
    editors = [factories.make_user(app, f"editor{i}") for i in range(EDITORS)]
    voters = [factories.make_user(app, f"voter{i}") for i in range(VOTERS)]
    edited: list[int] = []
    with app.app_context():
        for n, person in enumerate(editors):
            review = services.submit_review(
                db.session.get(User, person.id),
                db.session.get(Product, products[0]),
                services.ReviewDraft(1 + n % 5, "", "My first impression of this thing."),
                now=now,
            )
            edited.append(review.id)

    def work(index):
        if index < WRITERS:
            author = db.session.get(User, writers[index].id)
            for n, product_id in enumerate(products):
                services.submit_review(
                    author,
                    db.session.get(Product, product_id),
                    services.ReviewDraft(1 + (index + n) % 5, "", "Written while others write."),
                    now=now,
                )
        elif index < WRITERS + EDITORS:
            author = db.session.get(User, editors[index - WRITERS].id)
            review_id = edited[index - WRITERS]
            for n in range(12):
                services.edit_review(
                    author,
                    services.access_review(review_id),
                    services.ReviewDraft(1 + (index + n) % 5, "", f"Changed my mind, take {n}."),
                    now=now,
                )
        else:
            voter = db.session.get(User, voters[index - WRITERS - EDITORS].id)
            for n in range(15):
                review = services.access_review(edited[n % len(edited)])
                voted = db.session.scalar(
                    select(ReviewVote.id).where(
                        ReviewVote.review_id == review.id, ReviewVote.user_id == voter.id
                    )
                )
                if voted is None:
                    services.vote_helpful(voter, review, now=now)
                else:
                    services.withdraw_helpful(voter, review, now=now)

    run_together(app, work, WRITERS + EDITORS + VOTERS)

    for product_id in products:
        stored = factories.load(app, Product, product_id)
        assert (stored.rating_count, stored.rating_sum, dict(stored.histogram)) == recount(
            app, stored
        )
    assert factories.load(app, Product, products[0]).rating_count == WRITERS + EDITORS
    with app.app_context():
        for review in db.session.scalars(select(Review)):
            votes = db.session.scalar(select(func.count()).where(ReviewVote.review_id == review.id))
            assert review.helpful_count == votes
        # Every edit changed the text, so every one left a revision and counted.
        assert db.session.scalar(select(func.sum(Review.edit_count))) == EDITORS * 12
