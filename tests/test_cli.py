"""The operator's commands: create-user and seed-demo."""

from __future__ import annotations

from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand, BrandRole
from fanhub.demo import DEMO_PASSWORD
from fanhub.extensions import db
from fanhub.reviews.models import Product
from tests.factories import login, reload_user


def test_create_user_makes_a_confirmed_account(app, runner, client):
    result = runner.invoke(
        args=["create-user", "opsfan", "ops@example.com", "--password", "a-long-ops-secret-1"]
    )
    assert result.exit_code == 0, result.output
    assert "created member opsfan <ops@example.com>" in result.output
    assert login(client, "opsfan", "a-long-ops-secret-1").status_code == 302


def test_create_user_admin_flag_makes_a_site_admin(app, runner):
    result = runner.invoke(
        args=["create-user", "boss", "boss@example.com", "--admin", "--password", "boss-secret-123"]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "boss")).one()
    assert reload_user(app, user.id).is_admin


def test_create_user_explains_a_refusal(runner, make_user):
    make_user("taken")
    result = runner.invoke(
        args=["create-user", "taken", "t2@example.com", "--password", "some-long-secret-1"]
    )
    assert result.exit_code == 1
    assert "That username is taken" in result.output


def test_seed_demo_fills_an_empty_database_and_prints_logins(app, runner, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    assert "admin" in result.output and "owner of Northwind Coffee" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Brand)) == 2
        # Nora, Sam, Olive and Ted hold one role each; Mia moderates both brands.
        assert db.session.scalar(select(func.count()).select_from(BrandRole)) == 6
    assert login(client, "admin", DEMO_PASSWORD).status_code == 302


def test_the_demo_has_reviews_with_an_answered_and_updated_one(app, runner, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        blend = db.session.scalar(select(Product).where(Product.slug == "house-blend"))
        # alice 5, bob 4, and carol's 2 that became a 4 after the brand answered.
        assert (blend.rating_count, blend.rating_sum, blend.stars_2) == (3, 13, 0)
    page = client.get("/b/northwind/p/house-blend").get_data(as_text=True)
    assert "Bag arrived split, replaced the same day" in page
    assert "Updated from 2 to 4 stars after the brand answered" in page


def test_seed_demo_leaves_a_used_database_alone(app, runner, make_user):
    make_user("existing")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "no demo data was added" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
