"""The moderation log: one append-only row per action, read by the brand's moderators and
admins, filtered and paged with a fixed number of queries."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update

from fanhub.db import AppendOnlyError
from fanhub.extensions import db
from fanhub.moderation.models import ModerationAction
from tests import factories
from tests.moderation.conftest import actions, flag
from tests.stories import login_as


def _remove(app, client, shop, post):
    case = flag(app, shop.member, "post", post.id)
    client.post("/mod/decide", data={"items": [f"case:{case.id}"], "decision": "remove",
                                     "rule": "spam", "reason": "Link farm"})  # fmt: skip


def test_each_action_writes_exactly_one_row_with_the_states_before_and_after(
    app, client, shop, spam
):
    login_as(client, shop.moderator)
    _remove(app, client, shop, spam)
    [row] = actions(app)
    assert (row.action.value, row.item_kind.value, row.item_id) == ("remove", "post", spam.id)
    assert row.moderator_id == shop.moderator.id and row.subject_id == shop.other_member.id
    assert row.rule.value == "spam" and row.reason == "Link farm" and row.brand_id == shop.brand.id
    assert row.state_before == {"status": "visible", "open_flags": 1}
    assert row.state_after == {"status": "removed", "open_flags": 0}


def test_the_log_can_be_neither_changed_nor_deleted(app, client, shop, spam):
    login_as(client, shop.moderator)
    _remove(app, client, shop, spam)
    with app.app_context():
        row = db.session.get(ModerationAction, actions(app)[0].id)
        row.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        row = db.session.get(ModerationAction, actions(app)[0].id)
        db.session.delete(row)
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AppendOnlyError):
            db.session.execute(update(ModerationAction).values(reason="x"))
        with pytest.raises(AppendOnlyError):
            db.session.execute(delete(ModerationAction))
        db.session.rollback()
    assert actions(app)[0].reason == "Link farm"


def test_the_log_filters_by_moderator_member_and_action(app, client, shop, spam):
    login_as(client, shop.moderator)
    _remove(app, client, shop, spam)
    page = client.get("/mod/log").get_data(as_text=True)
    assert "Link farm" in page
    assert "Link farm" in client.get("/mod/log?moderator=moderator").get_data(as_text=True)
    assert "Link farm" not in client.get("/mod/log?moderator=siteadmin").get_data(as_text=True)
    assert "Link farm" in client.get("/mod/log?member=other_member").get_data(as_text=True)
    assert "Link farm" not in client.get("/mod/log?action=ban").get_data(as_text=True)
    assert client.get("/mod/log?action=nonsense").status_code == 400


def test_the_log_shows_a_moderator_only_her_brands(app, client, shop, spam, make_user, now):
    from fanhub.accounts.models import User
    from fanhub.brands import services as brands
    from fanhub.brands.models import Brand, Role
    from fanhub.permissions import SYSTEM

    admin = app.test_client()
    login_as(admin, shop.admin)
    _remove(app, admin, shop, spam)
    outsider = make_user("acmemod")
    with app.app_context():
        brands.add_role(
            SYSTEM,
            db.session.get(Brand, shop.other_brand.id),
            db.session.get(User, outsider.id),
            Role.MODERATOR,
            now=now,
        )
    login_as(client, outsider)
    assert "Link farm" not in client.get("/mod/log").get_data(as_text=True)


def test_log_queries_do_not_grow_with_actions(app, client, shop, count_queries):
    login_as(client, shop.moderator)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    _remove(app, client, shop, factories.reply(app, topic, shop.other_member, "Spam 0"))
    with count_queries() as few:
        client.get("/mod/log")
    for n in range(1, 15):
        _remove(app, client, shop, factories.reply(app, topic, shop.other_member, f"Spam {n}"))
    with count_queries() as many:
        client.get("/mod/log?member=other_member")
    assert len(many) == len(few) <= 6


def test_removing_a_review_from_its_own_page_is_logged_too(app, client, shop):
    from tests.reviews.conftest import make_product, write_review

    kettle = make_product(app, shop.brand, "kettle")
    review = write_review(app, kettle, shop.member, 1)
    login_as(client, shop.moderator)
    client.post(f"/b/northwind/p/kettle/r/{review.id}/remove", data={"rule": "spam", "note": "Ad"})
    [row] = actions(app)
    assert (row.action.value, row.item_kind.value, row.item_id) == ("remove", "review", review.id)
    assert row.state_before == {"status": "published"} and row.state_after == {"status": "removed"}
