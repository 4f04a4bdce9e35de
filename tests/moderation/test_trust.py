"""Trust levels (issue 5, point 5): what a level-0 member may post, how fast, what waits
for approval when the brand pre-moderates, how level 1 comes by itself, and how a level is
set by hand, on the record: any level by a site admin, 0 or 1 by the team of a brand the
member takes part in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Post, PostStatus, Topic, TopicStatus
from fanhub.moderation import services
from fanhub.moderation.models import Case, Decision, ItemKind
from fanhub.notifications.models import Notification, NotificationKind
from tests import factories
from tests.moderation.conftest import actions
from tests.stories import login_as

THREE_LINKS = "Compare https://a.example, https://b.example and https://c.example please."
IMAGE = "Here is the crack: ![crack](https://img.example/crack.png)"
PLAIN = "My kettle clicks off before the water boils. Is that normal?"


def _premoderate(app: Flask, brand: Any) -> None:
    with app.app_context():
        db.session.get(Brand, brand.id).premoderate_new_members = True
        db.session.commit()


def _joined(app: Flask, user: Any, when: Any) -> None:
    """Say when the member joined (set-up: the clock of her account)."""
    with app.app_context():
        db.session.execute(update(User).where(User.id == user.id).values(created_at=when))
        db.session.commit()


def _category(app: Flask, category: Any) -> tuple[int, int]:
    row = factories.load(app, Category, category.id)
    return row.topic_count, row.post_count


def _new_topic_notices(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.kind == NotificationKind.NEW_TOPIC)
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (THREE_LINKS, "New members can include at most 2 links in a post: this one has 3."),
        (IMAGE, "New members can&#39;t post images yet"),
    ],
)
def test_a_new_members_post_is_refused_over_her_limits_on_the_body_field(
    app, client, shop, make_user, body, message
):
    newbie = make_user("newbie", trust_level=0)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    login_as(client, newbie)
    response = client.post(f"/t/{topic.id}/reply", data={"body": body})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert factories.load(app, Topic, topic.id).post_count == 1


def test_a_new_members_topic_with_an_image_is_refused(app, shop, make_user, now):
    newbie = make_user("newbie", trust_level=0)
    with app.app_context(), pytest.raises(Exception, match="post images yet") as caught:
        forums.start_topic(
            db.session.get(User, newbie.id),
            db.session.get(Category, shop.discussion.id),
            forums.TopicDraft("Cracked lid on arrival", IMAGE),
            now=now,
        )
    assert caught.value.field == "body"
    assert _category(app, shop.discussion) == (0, 0)


def test_level_one_members_and_the_brands_team_post_links_and_images_freely(app, shop, make_user):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    factories.make_new_members(app, shop.staff)  # a level-0 account, but the brand's staff
    for who in (shop.other_member, shop.staff):
        post = factories.reply(app, topic, who, f"{THREE_LINKS} {IMAGE}")
        assert post.status is PostStatus.VISIBLE


def test_a_new_member_gets_the_stricter_post_rate_limit(app, client, shop, make_user):
    newbie = make_user("newbie", trust_level=0)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    login_as(client, newbie)
    codes = [
        client.post(f"/t/{topic.id}/reply", data={"body": f"Reply number {n} here."}).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]  # RATELIMIT_POST_NEW: 3 per minute
    regular = app.test_client()
    login_as(regular, shop.other_member)
    codes = [
        regular.post(f"/t/{topic.id}/reply", data={"body": f"Answer {n} here."}).status_code
        for n in range(4)
    ]
    assert codes == [302, 302, 302, 302]


def test_without_pre_moderation_a_new_members_plain_post_is_published(app, shop, make_user):
    newbie = make_user("newbie", trust_level=0)
    topic = factories.make_topic(app, shop.discussion, newbie, body=PLAIN)
    assert factories.load(app, Topic, topic.id).status is TopicStatus.VISIBLE
    assert _category(app, shop.discussion) == (1, 1)


def test_with_pre_moderation_a_new_members_topic_waits_unlisted_and_uncounted(
    app, client, shop, make_user, now
):
    _premoderate(app, shop.brand)
    newbie = make_user("newbie", trust_level=0)
    watcher = app.test_client()
    login_as(watcher, shop.other_member)
    watcher.post(f"/b/northwind/c/{shop.discussion.slug}/watch", data={"level": "watching"})
    login_as(client, newbie)
    response = client.post(
        f"/b/northwind/c/{shop.discussion.slug}/new",
        data={"title": "Kettle clicks off early", "body": PLAIN},
        follow_redirects=True,
    )
    assert "Your topic is waiting for a moderator" in response.get_data(as_text=True)
    with app.app_context():
        topic = db.session.scalars(select(Topic).where(Topic.author_id == newbie.id)).one()
        case = db.session.scalars(
            select(Case).where(Case.item_kind == ItemKind.TOPIC, Case.item_id == topic.id)
        ).one()
        assert topic.status is TopicStatus.PENDING and topic.post_count == 1
        assert (
            case.hold_reason == "A new member's post: Northwind approves new members' posts first."
        )
    assert _category(app, shop.discussion) == (0, 0)
    assert _new_topic_notices(app) == 0
    listing = app.test_client().get(f"/b/northwind/c/{shop.discussion.slug}")
    assert "Kettle clicks off early" not in listing.get_data(as_text=True)
    assert app.test_client().get(f"/t/{topic.id}").status_code == 404
    own = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert "This topic is waiting for a moderator to approve it" in own

    with app.app_context():
        services.decide(
            db.session.get(User, shop.moderator.id),
            [f"case:{case.id}"],
            services.DecisionDraft(Decision.APPROVE),
            now=now,
        )
    assert factories.load(app, Topic, topic.id).status is TopicStatus.VISIBLE
    assert _category(app, shop.discussion) == (1, 1)
    assert _new_topic_notices(app) == 1  # the category's watcher hears of it now
    assert app.test_client().get(f"/t/{topic.id}").status_code == 200
    assert factories.reload_user(app, newbie.id).approved_post_count == 1


def test_with_pre_moderation_a_new_members_reply_waits_and_established_members_do_not(
    app, shop, make_user
):
    _premoderate(app, shop.brand)
    newbie = make_user("newbie", trust_level=0)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    held = factories.reply(app, topic, newbie, PLAIN)
    assert held.status is PostStatus.PENDING
    assert factories.load(app, Topic, topic.id).post_count == 1
    assert _category(app, shop.discussion) == (1, 1)
    published = factories.reply(app, topic, shop.other_member, PLAIN)
    assert published.status is PostStatus.VISIBLE and published.position == 2


def test_a_member_reaches_level_one_with_three_published_posts_and_a_day(app, shop, make_user):
    newbie = make_user("newbie", trust_level=0)
    joined = factories.reload_user(app, newbie.id).created_at
    topic = factories.make_topic(app, shop.discussion, shop.member)
    for n, hours in enumerate((1, 2, 3)):
        factories.reply(app, topic, newbie, f"Tip number {n}.", now=joined + timedelta(hours=hours))
    member = factories.reload_user(app, newbie.id)
    assert (member.approved_post_count, member.trust_level) == (3, 0)  # not yet a day
    factories.reply(
        app, topic, newbie, "One more tip.", now=joined + timedelta(hours=24, minutes=1)
    )
    member = factories.reload_user(app, newbie.id)
    assert (member.approved_post_count, member.trust_level) == (4, 1)
    [action] = [a for a in actions(app) if a.action is Decision.TRUST]
    assert action.moderator_id is None and action.subject_id == newbie.id
    assert (action.state_before, action.state_after) == ({"trust_level": 0}, {"trust_level": 1})


def test_a_day_old_member_reaches_level_one_when_her_third_post_is_approved(
    app, shop, make_user, now
):
    _premoderate(app, shop.brand)
    newbie = make_user("newbie", trust_level=0)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    with app.app_context():
        joined = db.session.get(User, newbie.id).created_at
    _joined(app, newbie, joined - timedelta(days=2))
    held = [factories.reply(app, topic, newbie, f"Question {n}?") for n in range(3)]
    assert factories.reload_user(app, newbie.id).approved_post_count == 0
    with app.app_context():
        cases = db.session.scalars(
            select(Case.id).where(Case.item_id.in_([p.id for p in held])).order_by(Case.id)
        ).all()
        services.decide(
            db.session.get(User, shop.moderator.id),
            [f"case:{case_id}" for case_id in cases],
            services.DecisionDraft(Decision.APPROVE),
            now=now,
        )
    member = factories.reload_user(app, newbie.id)
    assert (member.approved_post_count, member.trust_level) == (3, 1)
    assert [factories.load(app, Post, p.id).position for p in held] == [2, 3, 4]
    # Level 1: her next reply is published at once.
    assert factories.reply(app, topic, newbie, "Thanks all!").status is PostStatus.VISIBLE


def test_an_admin_sets_a_members_trust_level_on_the_record(app, client, shop, make_user):
    newbie = make_user("newbie", trust_level=0)
    login_as(client, shop.admin)
    assert "Level 0" in client.get("/mod/members/newbie").get_data(as_text=True)
    response = client.post(
        "/mod/members/newbie/trust",
        data={"level": "2", "reason": "Known customer from the shop"},
        follow_redirects=True,
    )
    assert "newbie is now at trust level 2." in response.get_data(as_text=True)
    assert factories.reload_user(app, newbie.id).trust_level == 2
    [action] = actions(app)
    assert action.action is Decision.TRUST and action.moderator_id == shop.admin.id
    assert action.item_kind is ItemKind.MEMBER and action.subject_id == newbie.id
    assert (action.state_before, action.state_after) == ({"trust_level": 0}, {"trust_level": 2})
    assert action.reason == "Known customer from the shop"
    log = client.get("/mod/log?action=trust").get_data(as_text=True)
    assert 'data-action="trust"' in log and "Known customer from the shop" in log


def test_setting_the_level_a_member_already_has_changes_nothing(app, client, shop):
    login_as(client, shop.admin)
    response = client.post("/mod/members/member/trust", data={"level": "1"})
    assert response.status_code == 409
    assert "member is already at trust level 1." in response.get_data(as_text=True)
    assert actions(app) == []


@pytest.mark.parametrize("who", ["moderator", "owner", "staff", "member"])
def test_only_site_admins_set_levels_above_one(app, client, shop, who):
    factories.make_topic(app, shop.discussion, shop.other_member)  # she takes part here
    login_as(client, shop.person(who))
    response = client.post("/mod/members/other_member/trust", data={"level": "3"})
    assert response.status_code == 403
    assert factories.reload_user(app, shop.other_member.id).trust_level == 1
    assert actions(app) == []


def _newcomer_in(app: Flask, shop: Any, make_user: Any) -> Any:
    """A level-0 member who has asked a question in Northwind."""
    newbie = make_user("newbie", trust_level=0)
    factories.make_topic(app, shop.support, newbie, title="Where is my order?")
    return newbie


@pytest.mark.parametrize("who", ["staff", "moderator", "owner"])
def test_a_brands_team_vouches_for_a_new_member_who_takes_part_in_it(
    app, client, shop, make_user, who
):
    newbie = _newcomer_in(app, shop, make_user)
    login_as(client, shop.person(who))
    page = client.get("/mod/members/newbie").get_data(as_text=True)
    # Only the trust form, offering the two levels a team may set.
    assert "Suspend or ban" not in page and 'name="sanction"' not in page
    assert 'value="1"' in page and 'value="2"' not in page
    response = client.post(
        "/mod/members/newbie/trust",
        data={"level": "1", "reason": "Regular customer of the shop"},
        follow_redirects=True,
    )
    assert "newbie is now at trust level 1." in response.get_data(as_text=True)
    assert factories.reload_user(app, newbie.id).trust_level == 1
    [action] = actions(app)
    assert action.action is Decision.TRUST and action.moderator_id == shop.person(who).id
    # Logged in the brand she takes part in, so its moderators read it in their log.
    assert action.brand_id == shop.brand.id
    assert (action.state_before, action.state_after) == ({"trust_level": 0}, {"trust_level": 1})
    moderator = app.test_client()
    login_as(moderator, shop.moderator)
    log = moderator.get("/mod/log?action=trust").get_data(as_text=True)
    assert "Regular customer of the shop" in log


def test_a_brands_team_takes_a_vouch_back(app, client, shop):
    factories.make_topic(app, shop.discussion, shop.other_member)
    login_as(client, shop.moderator)
    response = client.post(
        "/mod/members/other_member/trust", data={"level": "0", "reason": "Spam wave"}
    )
    assert response.status_code == 302
    assert factories.reload_user(app, shop.other_member.id).trust_level == 0
    [action] = actions(app)
    assert action.state_after == {"trust_level": 0} and action.reason == "Spam wave"


def test_a_team_cannot_touch_a_level_an_admin_set_above_one(app, client, shop):
    factories.make_topic(app, shop.discussion, shop.other_member)
    with app.app_context():
        db.session.get(User, shop.other_member.id).trust_level = 3
        db.session.commit()
    login_as(client, shop.staff)
    response = client.post("/mod/members/other_member/trust", data={"level": "0"})
    assert response.status_code == 403
    assert "a site admin sets the levels above" in response.get_data(as_text=True)
    assert factories.reload_user(app, shop.other_member.id).trust_level == 3
    assert actions(app) == []


@pytest.mark.parametrize("who", ["staff", "other_staff"])
def test_no_brand_vouches_for_a_member_who_does_not_take_part_in_it(
    app, client, shop, make_user, who
):
    # Nothing in Northwind for staff; Acme's staff for a member who took part in Northwind.
    newbie = make_user("newbie", trust_level=0)
    if who == "other_staff":
        factories.make_topic(app, shop.support, newbie, title="Where is my order?")
    login_as(client, shop.person(who))
    assert client.get("/mod/members/newbie").status_code == 403
    response = client.post("/mod/members/newbie/trust", data={"level": "1"})
    assert response.status_code == 403
    assert "take part in a brand you look after" in response.get_data(as_text=True)
    assert factories.reload_user(app, newbie.id).trust_level == 0
    assert actions(app) == []


def test_following_the_brand_is_taking_part(app, client, shop, make_user):
    newbie = make_user("newbie", trust_level=0)
    fan = app.test_client()
    login_as(fan, newbie)
    assert fan.post("/b/northwind/follow").status_code == 302
    login_as(client, shop.staff)
    response = client.post("/mod/members/newbie/trust", data={"level": "1"})
    assert response.status_code == 302
    assert factories.reload_user(app, newbie.id).trust_level == 1


def test_a_held_post_in_the_queue_offers_to_vouch_for_its_new_author(app, client, shop, make_user):
    _premoderate(app, shop.brand)
    newbie = _newcomer_in(app, shop, make_user)
    login_as(client, shop.moderator)
    queue = client.get("/mod").get_data(as_text=True)
    assert f"vouch for {newbie.username}" in queue
    assert "/mod/members/newbie" in queue


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (THREE_LINKS, "at most 2 links in a post"),
        (IMAGE, "can&#39;t post images yet"),
        ("https://a.example https://b.example", "would need a moderator&#39;s approval"),
    ],
)
def test_a_new_members_edit_meets_the_rules_her_post_met(
    app, client, shop, make_user, body, message
):
    newbie = make_user("newbie", trust_level=0)
    topic = factories.make_topic(app, shop.discussion, shop.member)
    post = factories.reply(app, topic, newbie, PLAIN)
    login_as(client, newbie)
    response = client.post(f"/p/{post.id}/edit", data={"body": body})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    stored = factories.load(app, Post, post.id)
    assert (stored.body, stored.edit_count) == (PLAIN, 0)


def test_an_established_members_edit_may_add_links(app, client, shop):
    topic = factories.make_topic(app, shop.discussion, shop.other_member)
    post = factories.reply(app, topic, shop.member, PLAIN)
    login_as(client, shop.member)
    assert client.post(f"/p/{post.id}/edit", data={"body": THREE_LINKS}).status_code == 302
    assert factories.load(app, Post, post.id).body == THREE_LINKS
