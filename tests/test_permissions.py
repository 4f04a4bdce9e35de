"""permissions.can(): admins everywhere, roles only in their own brand, none when suspended."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Role
from fanhub.errors import Forbidden
from fanhub.extensions import db
from fanhub.permissions import SYSTEM, Action, can, require


@pytest.fixture
def world(app, make_user, make_brand):
    people = {
        name: make_user(name)
        for name in ("owner", "staffer", "moderator", "member", "outsider_staff")
    }
    people["admin"] = make_user("siteadmin", admin=True)
    home = make_brand(
        "home",
        roles={
            Role.OWNER: [people["owner"]],
            Role.STAFF: [people["staffer"]],
            Role.MODERATOR: [people["moderator"]],
        },
    )
    away = make_brand("away", roles={Role.STAFF: [people["outsider_staff"]]})
    return people, home, away


MATRIX = {
    # action: who may do it in the "home" brand
    Action.BRAND_EDIT: {"owner", "staffer", "admin"},
    Action.BRAND_ROLE_ASSIGN: {"owner", "admin"},
    Action.BRAND_STAFF_ANSWER: {"owner", "staffer", "admin"},
    Action.BRAND_MODERATE: {"owner", "moderator", "admin"},
    Action.BRAND_CREATE: {"admin"},
}


@pytest.mark.parametrize("action", list(MATRIX))
@pytest.mark.parametrize(
    "who", ["owner", "staffer", "moderator", "member", "outsider_staff", "admin"]
)
def test_each_role_may_do_exactly_its_actions_in_its_brand(app, world, action, who, now):
    people, home, _ = world
    with app.app_context():
        user = db.session.get(User, people[who].id)
        assert can(user, action, home.id, now=now) is (who in MATRIX[action])


def test_a_role_in_one_brand_gives_nothing_in_another(app, world, now):
    people, _, away = world
    with app.app_context():
        owner = db.session.get(User, people["owner"].id)
        assert not can(owner, Action.BRAND_EDIT, away.id, now=now)


def test_visitors_may_do_nothing(app, world, now):
    _, home, _ = world
    with app.app_context():
        assert not can(AnonymousUserMixin(), Action.BRAND_EDIT, home.id, now=now)


def test_a_suspended_owner_may_do_nothing(app, world, now):
    people, home, _ = world
    with app.app_context():
        owner = db.session.get(User, people["owner"].id)
        owner.status = UserStatus.SUSPENDED
        assert not can(owner, Action.BRAND_EDIT, home.id, now=now)


def test_roles_are_read_once_per_user_object(app, world, count_queries, now):
    people, home, away = world
    with app.app_context():
        owner = db.session.get(User, people["owner"].id)
        with count_queries() as statements:
            for _ in range(20):
                can(owner, Action.BRAND_EDIT, home.id, now=now)
                can(owner, Action.BRAND_MODERATE, away.id, now=now)
        assert len(statements) == 1


def test_the_command_line_operator_may_do_everything(app, world, now):
    _, home, _ = world
    with app.app_context():
        assert all(can(SYSTEM, action, home.id, now=now) for action in Action)


def test_require_says_who_may_act(app, world, now):
    people, home, _ = world
    with app.app_context():
        member = db.session.get(User, people["member"].id)
        with pytest.raises(Forbidden, match="owners can appoint"):
            require(member, Action.BRAND_ROLE_ASSIGN, home.id, now=now)
