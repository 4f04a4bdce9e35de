"""Two people registering the same name at the same instant: one wins, one is told why."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from fanhub.accounts import services
from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.errors import Conflict
from fanhub.extensions import db
from tests.factories import PASSWORD

pytestmark = pytest.mark.concurrency


def _race(app, drafts):
    barrier = threading.Barrier(len(drafts))
    outcomes: list[object] = [None] * len(drafts)

    def attempt(index, draft):
        with app.app_context():
            barrier.wait()
            try:
                outcomes[index] = services.register(draft, now=utcnow()).username
            except Conflict as err:
                outcomes[index] = err

    threads = [threading.Thread(target=attempt, args=(i, d)) for i, d in enumerate(drafts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_username_registered_at_once_gives_one_account(isolated_app, attempt):
    drafts = [
        services.RegistrationDraft("racer", f"racer{i}@example.com", PASSWORD) for i in range(2)
    ]
    outcomes = _race(isolated_app, drafts)
    winners = [o for o in outcomes if o == "racer"]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert losers[0].field == "username"
    assert "taken" in losers[0].message
    with isolated_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_same_email_registered_at_once_gives_one_account(isolated_app):
    drafts = [
        services.RegistrationDraft(f"racer{i}", "same@example.com", PASSWORD) for i in range(2)
    ]
    outcomes = _race(isolated_app, drafts)
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(losers) == 1, outcomes
    assert losers[0].field == "email"
