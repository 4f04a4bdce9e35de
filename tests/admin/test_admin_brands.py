"""A site admin runs the brands from /admin/brands (issue 13): creates, edits, appoints,
hands a brand to a new owner, closes and reopens it; every change is on the log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, Role
from fanhub.brands.services import lifecycle
from fanhub.content import ItemKind
from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid
from fanhub.extensions import db
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, ModerationRule
from tests import factories
from tests.admin.admin_support import log_rows, owners, roles_in, stored_brand
from tests.stories import login_as


def _brand(app, slug: str) -> Brand | None:
    with app.app_context():
        return db.session.scalars(select(Brand).where(Brand.slug == slug)).first()


# ------------------------------------------------------------------------- the list


def test_the_list_shows_every_brand_with_its_owners_followers_and_state(app, client, shop, now):
    with app.app_context():
        lifecycle.close_brand(
            db.session.get(User, shop.admin.id), db.session.get(Brand, shop.other_brand.id),
            now=now,
        )  # fmt: skip
    login_as(client, shop.admin)

    page = client.get("/admin/brands").get_data(as_text=True)

    northwind = page.split('data-brand="northwind"')[1].split("</tr>")[0]
    acme = page.split('data-brand="acme"')[1].split("</tr>")[0]
    assert "owner" in northwind and "Open" in northwind
    assert "No owner" in acme and "Closed" in acme


def test_the_brands_list_costs_the_same_queries_however_many_brands(
    app, client, shop, make_brand, count_queries
):
    login_as(client, shop.admin)
    client.get("/admin/brands")
    with count_queries() as few:
        client.get("/admin/brands")
    for _ in range(6):
        make_brand(roles={Role.OWNER: [shop.owner]})
    with count_queries() as many:
        client.get("/admin/brands")

    assert len(many) == len(few)


# ------------------------------------------------------------------------- creating


def test_a_site_admin_creates_a_brand_and_it_is_logged(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/brands/new", data={"name": "Kettle  Co", "slug": "kettleco", "tagline": "Tea"}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/brands/kettleco"
    created = _brand(app, "kettleco")
    assert created is not None and created.name == "Kettle Co"
    [row] = [r for r in log_rows(app, ItemKind.BRAND, Decision.CREATE) if r.item_id == created.id]
    assert row.moderator_id == shop.admin.id
    assert row.state_after == {"slug": "kettleco", "name": "Kettle Co"}


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"name": "Kettle Co", "slug": "Not A Slug!"}, 400, "lower-case letters"),
        (
            {"name": "Kettle Co", "slug": "northwind"},
            409,
            "There is already a brand at /b/northwind",
        ),
        ({"name": "", "slug": "kettleco"}, 400, "This field is required"),
    ],
)
def test_a_brand_that_breaks_a_rule_is_refused_with_the_form_shown_again(
    app, client, shop, data, status, message
):
    login_as(client, shop.admin)

    response = client.post("/admin/brands/new", data=data)

    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    assert f'value="{data["slug"]}"' in page  # what they typed, kept
    assert _brand(app, "kettleco") is None


# -------------------------------------------------------------------------- editing


def test_a_site_admin_renames_a_brand_and_changes_its_page(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/brands/northwind",
        data={
            "name": "Northwind Trading",
            "tagline": "Kettles since 1901",
            "description": "We **love** tea.",
            "accent_color": "#123456",
        },
    )

    assert response.status_code == 302
    brand = stored_brand(app, shop.brand)
    assert (brand.name, brand.tagline, brand.accent_color) == (
        "Northwind Trading",
        "Kettles since 1901",
        "#123456",
    )
    assert "<strong>love</strong>" in brand.description_html
    [row] = log_rows(app, ItemKind.BRAND, Decision.EDIT)
    assert row.moderator_id == shop.admin.id
    assert ("name", "Northwind", "Northwind Trading") in row.changes


def test_an_edit_keeps_the_brands_own_review_settings(app, client, shop):
    with app.app_context(), transaction():
        brand = db.session.get(Brand, shop.brand.id)
        brand.premoderate_new_members = True
        brand.widget_origins = "https://shop.example"
    login_as(client, shop.admin)

    client.post(
        "/admin/brands/northwind",
        data={"name": "Northwind", "tagline": "", "description": "", "accent_color": "#123456"},
    )

    brand = stored_brand(app, shop.brand)
    assert brand.premoderate_new_members and brand.widget_origins == "https://shop.example"


def test_a_bad_colour_is_refused_next_to_its_field_and_nothing_changes(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/brands/northwind",
        data={"name": "Renamed", "tagline": "", "description": "", "accent_color": "red"},
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="accent_color-error"' in page and "Give the colour as #rrggbb" in page
    assert 'value="Renamed"' in page
    assert stored_brand(app, shop.brand).name == "Northwind"
    assert log_rows(app, ItemKind.BRAND, Decision.EDIT) == []


# ------------------------------------------------------------------------ the team


def test_a_site_admin_appoints_a_member_by_username(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/brands/acme/roles", data={"role-username": "Member", "role-role": "moderator"}
    )

    assert response.status_code == 302
    assert Role.MODERATOR in roles_in(app, shop.other_brand)["member"]


def test_appointing_someone_who_does_not_exist_says_so_beside_the_username(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/brands/acme/roles", data={"role-username": "nobody", "role-role": "staff"}
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="role-username-error"' in page and "There is no member called “nobody”" in page
    assert "nobody" not in roles_in(app, shop.other_brand)


def test_handing_a_brand_over_keeps_the_old_owner_as_staff(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/brands/northwind/transfer",
        data={"transfer-username": "other_member", "transfer-previous": "staff"},
    )

    assert response.status_code == 302
    held = roles_in(app, shop.brand)
    assert held["other_member"] == {Role.OWNER}
    assert held["owner"] == {Role.STAFF}
    [row] = log_rows(app, ItemKind.BRAND, Decision.TRANSFER)
    assert row.subject_id == shop.other_member.id
    assert ("owners", "owner", "other_member") in row.changes
    assert row.reason == "owner stays on as staff."


def test_handing_a_brand_over_can_take_the_old_owners_role_away(app, client, shop):
    login_as(client, shop.admin)

    client.post(
        "/admin/brands/northwind/transfer",
        data={"transfer-username": "staff", "transfer-previous": "remove"},
    )

    held = roles_in(app, shop.brand)
    assert "owner" not in held
    assert held["staff"] == {Role.OWNER, Role.STAFF}


def test_a_brand_with_no_owner_gets_one(app, client, shop):
    login_as(client, shop.admin)

    client.post(
        "/admin/brands/acme/transfer",
        data={"transfer-username": "member", "transfer-previous": "staff"},
    )

    assert owners(app, shop.other_brand) == {"member"}


def test_a_brand_is_never_left_without_an_owner(app, shop, now):
    """Whatever is refused, and whoever it goes to, there is an owner before and after."""
    gone = factories.make_user(app, "leaving")
    with app.app_context():
        admin = db.session.get(User, shop.admin.id)
        leaving = db.session.get(User, gone.id)
        leaving.status = UserStatus.DELETED
        db.session.commit()
        brand = db.session.get(Brand, shop.brand.id)
        with pytest.raises(Invalid):
            lifecycle.transfer_ownership(admin, brand, leaving, keep_as_staff=False, now=now)
        with pytest.raises(Conflict, match="already the owner"):
            lifecycle.transfer_ownership(
                admin, brand, db.session.get(User, shop.owner.id), keep_as_staff=False, now=now
            )
        moderation.sanction_member(
            admin, db.session.get(User, shop.member.id),
            moderation.DecisionDraft(None, ModerationRule.SPAM, "", Decision.SUSPEND, 3), now=now,
        )  # fmt: skip
        with pytest.raises(Conflict, match="suspended or banned"):
            lifecycle.transfer_ownership(
                admin, brand, db.session.get(User, shop.member.id), keep_as_staff=False, now=now
            )
    assert owners(app, shop.brand) == {"owner"}
    for successor in ("staff", "moderator", "owner"):
        with app.app_context():
            lifecycle.transfer_ownership(
                db.session.get(User, shop.admin.id),
                db.session.get(Brand, shop.brand.id),
                db.session.scalars(select(User).where(User.username == successor)).one(),
                keep_as_staff=False,
                now=now,
            )
        assert owners(app, shop.brand) == {successor}


def test_handing_over_to_the_owner_already_there_is_a_conflict_shown_on_the_page(app, client, shop):
    login_as(client, shop.admin)

    response = client.post(
        "/admin/brands/northwind/transfer",
        data={"transfer-username": "owner", "transfer-previous": "staff"},
    )

    assert response.status_code == 409
    assert "owner is already the owner of Northwind" in response.get_data(as_text=True)
    assert log_rows(app, ItemKind.BRAND, Decision.TRANSFER) == []


# ------------------------------------------------------------ closing and reopening


def test_closing_a_brand_needs_the_tick_box(app, client, shop):
    login_as(client, shop.admin)

    response = client.post("/admin/brands/northwind/close", data={"close-reason": "Gone"})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Tick the box to close the brand." in page and 'value="Gone"' in page
    assert stored_brand(app, shop.brand).closed_at is None


def test_a_site_admin_closes_and_reopens_a_brand_on_the_record(app, client, shop):
    login_as(client, shop.admin)

    closed = client.post(
        "/admin/brands/northwind/close",
        data={"close-reason": "The shop went out of business", "close-confirm": "y"},
    )
    assert closed.status_code == 302
    assert stored_brand(app, shop.brand).closed_at is not None
    assert "Closed" in client.get("/admin/brands/northwind").get_data(as_text=True)

    assert client.post("/admin/brands/northwind/reopen").status_code == 302
    assert stored_brand(app, shop.brand).closed_at is None

    close, reopen = log_rows(app, ItemKind.BRAND, Decision.CLOSE, Decision.REOPEN)
    assert (close.action, reopen.action) == (Decision.CLOSE, Decision.REOPEN)
    assert close.reason == "The shop went out of business"
    assert close.moderator_id == reopen.moderator_id == shop.admin.id
    assert close.changes == [("closed", "false", "true")]
    history = client.get("/admin/brands/northwind").get_data(as_text=True)
    assert "Closed the brand" in history and "Reopened the brand" in history


def test_closing_a_closed_brand_or_reopening_an_open_one_is_a_conflict(app, client, shop):
    login_as(client, shop.admin)
    client.post("/admin/brands/northwind/close", data={"close-confirm": "y"})

    again = client.post("/admin/brands/northwind/close", data={"close-confirm": "y"})
    assert again.status_code == 409
    assert "Northwind is already closed." in again.get_data(as_text=True)
    client.post("/admin/brands/northwind/reopen")
    assert client.post("/admin/brands/northwind/reopen").status_code == 409
    assert len(log_rows(app, ItemKind.BRAND, Decision.CLOSE, Decision.REOPEN)) == 2


def test_the_command_lines_brand_is_on_the_log_too(app, runner):
    result = runner.invoke(args=["brand", "create", "teaco", "Tea Co"])

    assert result.exit_code == 0, result.output
    [row] = [
        r
        for r in log_rows(app, ItemKind.BRAND, Decision.CREATE)
        if r.state_after["slug"] == "teaco"
    ]
    assert row.moderator_id is None
