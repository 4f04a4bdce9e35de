"""Suspensions and bans: what a member may still do, what she is told, and that both end
by the clock alone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fanhub.accounts.models import User
from fanhub.errors import Forbidden
from fanhub.extensions import db
from fanhub.moderation import services
from fanhub.moderation.models import Decision, ModerationRule
from fanhub.permissions import Action, can, require
from tests import factories
from tests.moderation.conftest import actions, flag
from tests.stories import login_as

# Written out, so the dates expected in messages don't come from the code they check.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _set(app, user, **values):
    with app.app_context():
        row = db.session.get(User, user.id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def test_a_suspension_refuses_taking_part_and_says_until_when_and_why(app, now):
    member = User(id=1, username="x", email="x@example.com", password_hash="h", is_admin=False,
                  status=None, trust_level=0)  # fmt: skip
    from fanhub.accounts.models import UserStatus

    member.status = UserStatus.ACTIVE
    until = now + timedelta(days=3)
    member.suspended_until = until
    member.sanction_reason = "Posting spam links"
    with pytest.raises(Forbidden) as refused:
        require(member, Action.POST_REPLY, 1, now=now)
    day = f"{until.day} {MONTHS[until.month - 1]} {until.year}"
    assert refused.value.message == f"Your account is suspended until {day}: Posting spam links."


def test_a_suspension_ends_by_the_clock_without_a_write(app, now):
    from fanhub.accounts.models import UserStatus

    member = User(id=1, username="x", email="x@example.com", password_hash="h", is_admin=False,
                  status=UserStatus.ACTIVE, trust_level=0)  # fmt: skip
    member.suspended_until = ends = now + timedelta(days=2)
    for action in (Action.POST_REPLY, Action.POST_REACT, Action.REVIEW_WRITE, Action.REVIEW_VOTE,
                   Action.TOPIC_START, Action.CONTENT_FLAG, Action.BRAND_FOLLOW):  # fmt: skip
        assert not can(member, action, 1, now=now)
        assert not can(member, action, 1, now=ends - timedelta(hours=1))
        assert can(member, action, 1, now=ends)
        assert can(member, action, 1, now=ends + timedelta(hours=1))


def test_a_suspended_member_reads_but_her_reply_is_refused_with_the_reason(app, client, shop, now):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    _set(app, shop.other_member, suspended_until=now + timedelta(days=2), sanction_reason="Spam")
    login_as(client, shop.other_member)
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert "Your account is suspended until" in page
    refused = client.post(f"/t/{topic.id}/reply", data={"body": "Let me in"})
    assert refused.status_code == 403
    assert "Spam." in refused.get_data(as_text=True)


def test_an_expired_suspension_lets_her_post_again(app, client, shop, now):
    topic = factories.make_topic(app, shop.discussion, shop.member)
    _set(
        app,
        shop.other_member,
        suspended_until=now - timedelta(minutes=1),
        sanction_reason="Spam",
    )
    login_as(client, shop.other_member)
    assert client.post(f"/t/{topic.id}/reply", data={"body": "I'm back"}).status_code == 302


def test_a_banned_member_cannot_log_in_and_is_told_until_when(app, client, shop, now):
    until = now + timedelta(days=40)
    _set(app, shop.other_member, banned_at=now, banned_until=until, sanction_reason="Harassment")
    response = factories.login(client, shop.other_member.username)
    assert response.status_code == 403
    text = response.get_data(as_text=True)
    day = f"{until.day} {MONTHS[until.month - 1]} {until.year}"
    assert f"Your account is banned until {day}: Harassment." in text
    assert "signed-in-as" not in text


def test_a_wrong_password_does_not_reveal_a_ban(app, client, shop, now):
    _set(app, shop.other_member, banned_at=now, sanction_reason="Harassment")
    response = factories.login(client, shop.other_member.username, "wrong-password-here")
    assert response.status_code == 400
    assert "banned" not in response.get_data(as_text=True)


def test_a_ban_ends_the_open_session_on_its_next_request(app, client, shop, now):
    login_as(client, shop.other_member)
    assert 'data-testid="signed-in-as"' in client.get("/").get_data(as_text=True)
    _set(app, shop.other_member, banned_at=now, sanction_reason="Harassment")
    assert 'data-testid="signed-in-as"' not in client.get("/").get_data(as_text=True)


def test_an_expired_ban_lets_her_log_in(app, client, shop, now):
    _set(app, shop.other_member, banned_at=now - timedelta(days=3),
         banned_until=now - timedelta(seconds=1))  # fmt: skip
    assert factories.login(client, shop.other_member.username).status_code == 302


def test_a_moderator_cannot_sanction_the_brands_own_team(app, shop, spam, make_user, now):
    staff_post = factories.reply(
        app,
        factories.load(
            app, __import__("fanhub.forums.models", fromlist=["Topic"]).Topic, spam.topic_id
        ),
        shop.staff,
        "Official spam?",
    )
    case = flag(app, shop.member, "post", staff_post.id)
    draft = services.DecisionDraft(None, ModerationRule.SPAM, "", Decision.SUSPEND, 3)
    with app.app_context(), pytest.raises(Forbidden):
        services.decide(
            db.session.get(User, shop.moderator.id), [f"case:{case.id}"], draft, now=now
        )
    assert factories.reload_user(app, shop.staff.id).suspended_until is None
    assert actions(app) == []


def test_an_admin_suspends_and_lifts_from_the_member_page(app, client, shop):
    login_as(client, shop.admin)
    response = client.post(
        f"/mod/members/{shop.other_member.username}",
        data={"sanction": "suspend", "days": "3", "rule": "abuse", "reason": "Insults"},
        follow_redirects=True,
    )
    assert "Suspended other_member until" in response.get_data(as_text=True)
    assert factories.reload_user(app, shop.other_member.id).sanction_reason == "Insults"
    client.post(f"/mod/members/{shop.other_member.username}", data={"sanction": "lift"})
    assert factories.reload_user(app, shop.other_member.id).suspended_until is None
    assert [a.action.value for a in actions(app)] == ["suspend", "lift"]
