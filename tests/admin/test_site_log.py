"""The site-wide moderation log in the admin console (issue 13): every brand's actions and
the site's own, filtered by brand, moderator, action and member, paged by id."""

from __future__ import annotations

from typing import Any

from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, Role
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, ModerationRule
from fanhub.moderation.services import LOG_PAGE_SIZE
from fanhub.moderation.services import settings as setting_services
from fanhub.moderation.trust import set_trust_level
from fanhub.permissions import SYSTEM
from tests import factories
from tests.moderation.conftest import flag
from tests.stories import login_as


def _hide(app: Any, moderator: Any, reporter: Any, post_id: int, reason: str) -> None:
    case = flag(app, reporter, "post", post_id)
    with app.app_context():
        moderation.decide(
            db.session.get(User, moderator.id),
            [f"case:{case.id}"],
            moderation.DecisionDraft(Decision.HIDE, ModerationRule.SPAM, reason),
            now=utcnow(),
        )


def _world(app: Any, shop: Any, make_user: Any) -> None:
    """A hide in Northwind, a hide in Acme, and a site-level setting change."""
    acme_mod = make_user("acme_mod")
    factories.make_brand(app, "spare")  # a brand with nothing in the log
    with app.app_context():
        brands.add_role(
            SYSTEM,
            db.session.get(Brand, shop.other_brand.id),
            db.session.get(User, acme_mod.id),
            Role.MODERATOR,
            now=utcnow(),
        )
    acme_category = factories.make_category(app, shop.other_brand, slug="talk")
    north = factories.make_topic(app, shop.discussion, shop.member)
    acme = factories.make_topic(app, acme_category, shop.member)
    _hide(app, shop.moderator, shop.member, factories.reply(app, north, shop.other_member).id,
          "Northwind spam")  # fmt: skip
    _hide(app, acme_mod, shop.member, factories.reply(app, acme, shop.other_member).id,
          "Acme spam")  # fmt: skip
    with app.app_context():
        setting_services.change_settings(
            db.session.get(User, shop.admin.id), {"FLAG_HIDE_THRESHOLD": "5"}, now=utcnow()
        )


def test_the_admin_log_shows_every_brand_and_the_sites_own_actions(app, client, shop, make_user):
    _world(app, shop, make_user)
    login_as(client, shop.admin)
    page = client.get("/admin/log").get_data(as_text=True)
    assert "Northwind spam" in page and "Acme spam" in page
    assert 'data-action="setting"' in page
    assert '<option value="spare">' in page  # every brand can be chosen


def test_the_admin_log_filters_by_brand_and_by_site_wide(app, client, shop, make_user):
    _world(app, shop, make_user)
    login_as(client, shop.admin)
    north = client.get("/admin/log?brand=northwind").get_data(as_text=True)
    assert "Northwind spam" in north and "Acme spam" not in north
    assert 'data-action="setting"' not in north
    site = client.get("/admin/log?brand=-").get_data(as_text=True)
    assert 'data-action="setting"' in site and 'data-action="hide"' not in site
    assert "No actions match." in client.get("/admin/log?brand=nobody").get_data(as_text=True)


def test_the_admin_log_filters_by_moderator_action_and_member(app, client, shop, make_user):
    _world(app, shop, make_user)
    with app.app_context():
        set_trust_level(
            db.session.get(User, shop.admin.id),
            db.session.get(User, shop.member.id),
            2,
            "Helps everyone",
            now=utcnow(),
        )
    login_as(client, shop.admin)
    by_acme = client.get("/admin/log?moderator=acme_mod").get_data(as_text=True)
    assert "Acme spam" in by_acme and "Northwind spam" not in by_acme
    settings = client.get("/admin/log?action=setting").get_data(as_text=True)
    assert 'data-action="setting"' in settings and 'data-action="hide"' not in settings
    member = client.get("/admin/log?member=member").get_data(as_text=True)
    assert "Helps everyone" in member and "Acme spam" not in member
    assert client.get("/admin/log?action=nonsense").status_code == 400
    # The filter links lead back to the console's log, not the moderators'.
    assert 'href="/admin/log?moderator=acme_mod"' in client.get("/admin/log").get_data(as_text=True)


def test_the_admin_log_pages_by_id_with_a_fixed_number_of_queries(app, client, shop, count_queries):
    with app.app_context():
        admin = db.session.get(User, shop.admin.id)
        for n in range(LOG_PAGE_SIZE + 2):
            setting_services.change_settings(
                admin, {"FLAG_HIDE_THRESHOLD": str(n % 2 + 4)}, now=utcnow()
            )
    login_as(client, shop.admin)
    with count_queries() as first:
        page = client.get("/admin/log").get_data(as_text=True)
    assert page.count('data-action="setting"') == LOG_PAGE_SIZE
    older = page.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    with count_queries() as second:
        rest = client.get(older).get_data(as_text=True)
    assert rest.count('data-action="setting"') == 2 and 'rel="next"' not in rest
    assert len(first) == len(second)


def test_a_brands_moderator_may_filter_her_log_by_her_brand_only(app, client, shop, make_user):
    _world(app, shop, make_user)
    login_as(client, shop.moderator)
    mine = client.get("/mod/log?brand=northwind").get_data(as_text=True)
    assert "Northwind spam" in mine
    theirs = client.get("/mod/log?brand=acme").get_data(as_text=True)
    assert "Acme spam" not in theirs and "No actions match." in theirs
