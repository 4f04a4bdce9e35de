"""What the console's brand and member tests share: reading the log and the team back."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.content import ItemKind
from fanhub.extensions import db
from fanhub.moderation.models import Decision, ModerationAction


def log_rows(app: Flask, kind: ItemKind, *decisions: Decision) -> list[ModerationAction]:
    """The log's rows about one kind of thing (brands, members), oldest first, optionally
    only some actions."""
    with app.app_context():
        query = select(ModerationAction).where(ModerationAction.item_kind == kind)
        if decisions:
            query = query.where(ModerationAction.action.in_(decisions))
        return list(db.session.scalars(query.order_by(ModerationAction.id)))


def roles_in(app: Flask, brand: Any) -> dict[str, set[Role]]:
    """Who holds which roles in the brand, by username, as stored now."""
    with app.app_context():
        held: dict[str, set[Role]] = {}
        for username, role in db.session.execute(
            select(User.username, BrandRole.role)
            .join(User, User.id == BrandRole.user_id)
            .where(BrandRole.brand_id == brand.id)
        ):
            held.setdefault(username, set()).add(role)
        return held


def owners(app: Flask, brand: Any) -> set[str]:
    return {name for name, roles in roles_in(app, brand).items() if Role.OWNER in roles}


def stored_brand(app: Flask, brand: Any) -> Brand:
    with app.app_context():
        row = db.session.get(Brand, brand.id)
        assert row is not None
        db.session.refresh(row)
        return row
