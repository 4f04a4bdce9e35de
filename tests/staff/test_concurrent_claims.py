"""Two staff claiming the same item at the same instant: exactly one wins."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.errors import Conflict
from fanhub.extensions import db
from fanhub.forums.models import CategoryKind
from fanhub.staff import services
from fanhub.staff.models import Claim, ClaimTarget
from tests import factories
from tests.factories import run_together

pytestmark = pytest.mark.concurrency

THREADS = 6


@pytest.fixture
def team(isolated_app):
    app = isolated_app
    people = [factories.make_user(app, f"agent{i}") for i in range(THREADS)]
    customer = factories.make_user(app, "customer")
    brand = factories.make_brand(app, "rush", roles={Role.STAFF: people})
    support = factories.make_category(app, brand, CategoryKind.SUPPORT)
    topic = factories.make_topic(app, support, customer)
    return app, people, brand, topic


def _race(app, people, brand, topic, now):
    winners, refusals = [], []

    def work(index):
        try:
            services.claim(
                db.session.get(User, people[index].id),
                db.session.get(Brand, brand.id),
                ClaimTarget.TOPIC,
                topic.id,
                now=now,
            )
        except Conflict as err:
            refusals.append(err.message)
        else:
            winners.append(people[index].id)

    run_together(app, work, THREADS)
    return winners, refusals


def test_staff_claiming_a_free_item_at_once_leave_exactly_one_claim(team):
    app, people, brand, topic = team
    winners, refusals = _race(app, people, brand, topic, utcnow())
    assert len(winners) == 1
    assert len(refusals) == THREADS - 1
    assert all("is already answering this" in message for message in refusals)
    with app.app_context():
        rows = db.session.scalars(db.select(Claim)).all()
        assert [r.staff_id for r in rows] == winners


def test_staff_taking_over_an_expired_claim_at_once_leave_exactly_one_holder(team):
    app, people, brand, topic = team
    now = utcnow()
    with app.app_context():
        services.claim(
            db.session.get(User, people[0].id), db.session.get(Brand, brand.id),
            ClaimTarget.TOPIC, topic.id, now=now - timedelta(hours=2),
        )  # fmt: skip
    winners, refusals = _race(app, people, brand, topic, now)
    assert len(winners) == 1
    assert len(refusals) == THREADS - 1
    with app.app_context():
        rows = db.session.scalars(db.select(Claim)).all()
        assert [(r.staff_id, r.expires_at) for r in rows] == [
            (winners[0], now + timedelta(hours=1))
        ]
