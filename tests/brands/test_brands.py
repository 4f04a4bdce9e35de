"""Brands, their roles and the command line that creates them."""

from __future__ import annotations

import pytest

from fanhub.accounts.models import User
from fanhub.brands import services
from fanhub.brands.models import Brand, BrandRole, Role
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.permissions import SYSTEM


def test_the_directory_lists_brands_by_name(client, make_brand):
    make_brand("zeta", name="Zeta Tea")
    make_brand("alpha", name="Alpha Bikes")
    page = client.get("/").get_data(as_text=True)
    assert page.index("Alpha Bikes") < page.index("Zeta Tea")


def test_a_fan_page_shows_the_team_with_their_roles(client, make_user, make_brand):
    nora = make_user("nora", display_name="Nora Lind")
    mia = make_user("mia")
    make_brand("northwind", name="Northwind", roles={Role.OWNER: [nora], Role.MODERATOR: [mia]})
    page = client.get("/b/northwind").get_data(as_text=True)
    assert "Nora Lind" in page
    assert "Owner" in page
    assert "Moderator" in page


def test_an_unknown_brand_is_not_found(client):
    assert client.get("/b/no-such-brand").status_code == 404


def test_fan_page_queries_do_not_grow_with_the_team(client, make_user, make_brand, count_queries):
    make_brand("small", roles={Role.STAFF: [make_user()]})
    make_brand("large", roles={Role.STAFF: [make_user() for _ in range(12)]})
    with count_queries() as few:
        client.get("/b/small")
    with count_queries() as many:
        client.get("/b/large")
    assert len(many) == len(few) <= 8


@pytest.mark.parametrize("slug", ["", "UPPER space", "-dash", "dash-", "a" * 51, "ünï"])
def test_bad_brand_addresses_are_refused(app, slug, now):
    with app.app_context(), pytest.raises(Invalid):
        services.create_brand(SYSTEM, services.BrandDraft(slug, "A name"), now=now)


def test_a_taken_brand_address_is_a_conflict(app, make_brand, now):
    make_brand("taken")
    with app.app_context(), pytest.raises(Conflict):
        services.create_brand(SYSTEM, services.BrandDraft("taken", "Another"), now=now)


def test_only_site_admins_create_brands(app, make_user, now):
    member = make_user("ordinary")
    with app.app_context(), pytest.raises(Forbidden):
        services.create_brand(
            db.session.get(User, member.id), services.BrandDraft("mine", "M"), now=now
        )


def test_an_owner_appoints_staff_but_staff_cannot(app, make_user, make_brand, now):
    owner, staffer, newcomer = make_user("own"), make_user("stf"), make_user("new")
    brand = make_brand("shop", roles={Role.OWNER: [owner], Role.STAFF: [staffer]})
    with app.app_context():
        target = db.session.get(Brand, brand.id)
        recruit = db.session.get(User, newcomer.id)
        with pytest.raises(Forbidden):
            services.add_role(
                db.session.get(User, staffer.id), target, recruit, Role.STAFF, now=now
            )
        services.add_role(db.session.get(User, owner.id), target, recruit, Role.STAFF, now=now)
        assert db.session.scalars(
            db.select(BrandRole.role).where(BrandRole.user_id == newcomer.id)
        ).all() == [Role.STAFF]


def test_the_same_role_twice_is_a_conflict(app, make_user, make_brand, now):
    staffer = make_user("stf")
    brand = make_brand("shop", roles={Role.STAFF: [staffer]})
    with app.app_context(), pytest.raises(Conflict):
        services.add_role(
            SYSTEM,
            db.session.get(Brand, brand.id),
            db.session.get(User, staffer.id),
            Role.STAFF,
            now=now,
        )


def test_cli_creates_a_brand_and_appoints_a_role(app, runner, make_user):
    make_user("nora")
    result = runner.invoke(args=["brand", "create", "northwind", "Northwind Coffee"])
    assert result.exit_code == 0, result.output
    assert "created brand northwind" in result.output
    result = runner.invoke(args=["brand", "add-role", "northwind", "nora", "owner"])
    assert result.exit_code == 0, result.output
    assert "nora is now owner of Northwind Coffee" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brand", "create", "Bad Slug", "Name"], "lower-case letters"),
        (["brand", "add-role", "nowhere", "nora", "staff"], "no brand at that address"),
        (["brand", "add-role", "shop", "ghost", "staff"], "no member with that name"),
    ],
)
def test_cli_mistakes_exit_non_zero_with_a_message(runner, make_user, make_brand, args, message):
    make_user("nora")
    make_brand("shop")
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert message in result.output


def test_cli_rejects_an_unknown_role(runner):
    result = runner.invoke(args=["brand", "add-role", "shop", "nora", "emperor"])
    assert result.exit_code == 2
    assert "emperor" in result.output
