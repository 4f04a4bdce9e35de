"""Story fixtures for the forums: a brand with its people, and one category of each kind."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from fanhub.brands.models import Role
from fanhub.forums.models import CategoryKind
from tests import factories


@dataclass
class Shop:
    """Northwind and the people around it."""

    brand: Any
    other_brand: Any
    owner: Any
    staff: Any
    moderator: Any
    member: Any
    other_member: Any
    other_staff: Any
    admin: Any
    support: Any
    discussion: Any
    ideas: Any
    announcements: Any

    def person(self, who: str) -> Any:
        """The person a test names by role ("staff", "member", "admin" …)."""
        return getattr(self, who)


@pytest.fixture
def shop(app) -> Shop:
    return make_shop(app)


def make_shop(app) -> Shop:
    """The story's world on `app` (the fixture's, or an app of a test's own)."""
    people = {
        name: factories.make_user(app, name)
        for name in ("owner", "staff", "moderator", "member", "other_member", "other_staff")
    }
    admin = factories.make_user(app, "siteadmin", admin=True)
    brand = factories.make_brand(
        app,
        "northwind",
        name="Northwind",
        roles={
            Role.OWNER: [people["owner"]],
            Role.STAFF: [people["staff"]],
            Role.MODERATOR: [people["moderator"]],
        },
    )
    other_brand = factories.make_brand(
        app, "acme", name="Acme", roles={Role.STAFF: [people["other_staff"]]}
    )
    categories = {
        kind: factories.make_category(app, brand, kind, slug=kind.value) for kind in CategoryKind
    }
    return Shop(
        brand=brand,
        other_brand=other_brand,
        admin=admin,
        support=categories[CategoryKind.SUPPORT],
        discussion=categories[CategoryKind.DISCUSSION],
        ideas=categories[CategoryKind.IDEAS],
        announcements=categories[CategoryKind.ANNOUNCEMENTS],
        **people,
    )


def login_as(client, who) -> None:
    """Log the test client in as a person from the story (None stays anonymous)."""
    if who is not None:
        factories.login(client, who.username)
