"""Fixtures for moderation: a spam reply in Northwind's forum, flags, and the queue's form."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.moderation import services
from fanhub.moderation.models import Case, Decision, Flag, FlagReason, ItemKind, ModerationAction
from tests import factories


def flag(
    app: Flask, who: Any, kind: str, item_id: int, reason: str = "spam", note: str = ""
) -> Case:
    """A flag through the service, as the member would raise it."""
    with app.app_context():
        target = services.access_target(kind, item_id)
        case = services.flag_item(
            db.session.get(User, who.id),
            target,
            services.FlagDraft(FlagReason(reason), note),
            now=utcnow(),
        )
        db.session.refresh(case)
        return case


def case_of(app: Flask, kind: str, item_id: int) -> Case | None:
    with app.app_context():
        return db.session.scalars(
            select(Case).where(Case.item_kind == ItemKind(kind), Case.item_id == item_id)
        ).first()


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def actions(app: Flask) -> list[ModerationAction]:
    """The log's rows about members and their content, oldest first: the brands the stories
    create are on the log too (issue 13), and no test here is about them."""
    with app.app_context():
        return list(
            db.session.scalars(
                select(ModerationAction)
                .where(ModerationAction.item_kind != ItemKind.BRAND)
                .order_by(ModerationAction.id)
            )
        )


def flags(app: Flask) -> list[Flag]:
    with app.app_context():
        return list(db.session.scalars(select(Flag).order_by(Flag.id)))


@pytest.fixture
def spam(app, shop) -> Any:
    """A topic by `member`, and a spam reply in it by `other_member`."""
    topic = factories.make_topic(app, shop.discussion, shop.member, title="Which kettle to buy?")
    post = factories.reply(app, topic, shop.other_member, "Buy cheap watches at spam.example!")
    return post


@pytest.fixture
def reporters(app) -> list[Any]:
    return [factories.make_user(app, f"reporter{n}") for n in range(1, 4)]


def held_case(app: Flask, kind: str, item_id: int) -> Case:
    """The queue's case for an item (held, flagged or appealed), as stored now."""
    with app.app_context():
        case = db.session.scalars(
            select(Case).where(Case.item_kind == ItemKind(kind), Case.item_id == item_id)
        ).one()
        db.session.refresh(case)
        return case


def decide(app: Flask, who: Any, case: Case, decision: Decision, **extra: Any) -> None:
    """One moderator's decision on one case through the service (`now=` to set the clock)."""
    now = extra.pop("now", None) or utcnow()
    with app.app_context():
        services.decide(
            db.session.get(User, who.id),
            [f"case:{case.id}"],
            services.DecisionDraft(decision, **extra),
            now=now,
        )
