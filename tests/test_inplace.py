"""Small actions in place (issue 13, point 13): reactions, idea votes, watching, helpful
votes, following and claims answer the same POST with JSON when the page's script asks for
it, refuse it as JSON with the page's status, and redirect exactly as before otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.extensions import db
from fanhub.forums.models import Post, Topic
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision, ModerationRule
from fanhub.reviews.models import Review
from fanhub.staff import services as staff
from fanhub.staff.models import Claim, ClaimTarget
from tests import factories
from tests.factories import load, make_topic, reply
from tests.reviews.conftest import make_product, write_review
from tests.stories import login_as

JSON = {"Accept": "application/json"}


def _post_json(client: Any, url: str, data: dict[str, str] | None = None) -> Any:
    return client.post(url, data=data or {}, headers=JSON)


def _not_flashed(client: Any, url: str, message: str) -> bool:
    """The JSON answer said it: the message does not wait to show again on her next page."""
    return message not in client.get(url).get_data(as_text=True)


@pytest.fixture
def answer(app, shop) -> Post:
    """A staff reply in a member's discussion, for others to react to."""
    topic = make_topic(app, shop.discussion, shop.member, title="Grinder settings")
    return reply(app, topic, shop.staff, body="Try seven clicks from zero.")


@pytest.fixture
def idea(app, shop) -> Topic:
    return make_topic(app, shop.ideas, shop.other_member, title="A travel lid")


@pytest.fixture
def review(app, shop) -> Review:
    kettle = make_product(app, shop.brand, "kettle", "Northwind Kettle")
    return write_review(app, kettle, shop.member, 4)


def _helpful_url(review: Review, undo: bool = False) -> str:
    return f"/b/northwind/p/kettle/r/{review.id}/helpful" + ("/undo" if undo else "")


# ------------------------------------------------------------------ reactions


def test_a_reaction_answers_its_new_state_and_count_as_json(app, client, shop, answer):
    login_as(client, shop.member)
    response = _post_json(client, f"/p/{answer.id}/react/like")
    assert response.status_code == 200
    assert response.get_json() == {
        "reacted": True,
        "pressed": True,
        "count": 1,
        "kind": "like",
        "message": "You reacted “Like”.",
    }
    again = _post_json(client, f"/p/{answer.id}/react/like").get_json()
    assert (again["reacted"], again["count"], again["message"]) == (
        False,
        0,
        "Your “Like” is taken back.",
    )
    assert load(app, Post, answer.id).like_count == 0


def test_the_count_includes_other_members_reactions(app, client, shop, answer):
    other = app.test_client()
    login_as(other, shop.other_member)
    other.post(f"/p/{answer.id}/react/thanks")
    login_as(client, shop.member)
    assert _post_json(client, f"/p/{answer.id}/react/thanks").get_json()["count"] == 2


def test_a_reaction_without_json_still_returns_to_the_post(app, client, shop, answer):
    login_as(client, shop.member)
    response = client.post(f"/p/{answer.id}/react/like")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#post-{answer.position}")
    assert load(app, Post, answer.id).like_count == 1


def test_a_refused_reaction_is_json_with_the_pages_status(client, shop, answer):
    login_as(client, shop.staff)  # her own post
    response = _post_json(client, f"/p/{answer.id}/react/like")
    assert response.status_code == 403
    assert response.get_json() == {
        "error": "forbidden",
        "message": "You can't react to your own post.",
    }


def test_reacting_to_a_missing_post_is_a_json_404(client, shop):
    login_as(client, shop.member)
    response = _post_json(client, "/p/999999/react/like")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


# ------------------------------------------------------------------ idea votes


def test_an_idea_vote_answers_the_new_count_and_button(client, shop, idea):
    login_as(client, shop.member)
    response = _post_json(client, f"/t/{idea.id}/vote")
    assert response.status_code == 200
    assert response.get_json() == {
        "voted": True,
        "pressed": True,
        "count": 1,
        "noun": "vote",
        "label": "Voted",
        "message": "Your vote is counted.",
    }
    assert _not_flashed(client, f"/t/{idea.id}", "Your vote is counted.")
    taken_back = _post_json(client, f"/t/{idea.id}/vote").get_json()
    assert (taken_back["count"], taken_back["noun"], taken_back["label"]) == (0, "votes", "Vote")


def test_an_idea_vote_without_json_flashes_and_redirects(client, shop, idea):
    login_as(client, shop.member)
    response = client.post(f"/t/{idea.id}/vote")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your vote is counted." in page


def test_voting_for_a_question_is_a_json_400(app, client, shop):
    question = make_topic(app, shop.support, shop.other_member)
    login_as(client, shop.member)
    response = _post_json(client, f"/t/{question.id}/vote")
    assert response.status_code == 400
    assert response.get_json() == {"error": "invalid", "message": "Only ideas can be voted for."}


# ------------------------------------------------------------------ watching


def test_watching_answers_the_buttons_drawn_for_the_new_level(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.other_member)
    login_as(client, shop.member)
    response = _post_json(client, f"/t/{topic.id}/watch", {"level": "muted"})
    assert response.status_code == 200
    state = response.get_json()
    assert state["level"] == "muted"
    assert state["message"] == "This topic is muted: you won't be told of anything in it."
    # The same macro as the page's: the choices a muted topic offers, posting where they did.
    assert 'data-level="muted"' in state["html"]
    assert ">Unmute</button>" in state["html"] and ">Watch</button>" in state["html"]
    assert f'action="/t/{topic.id}/watch"' in state["html"]
    assert _not_flashed(client, f"/t/{topic.id}", "you won&#39;t be told of anything")


def test_clearing_a_category_watch_answers_as_json(client, shop):
    login_as(client, shop.member)
    url = "/b/northwind/c/discussion/watch"
    _post_json(client, url, {"level": "watching"})
    state = _post_json(client, url, {"level": "none"}).get_json()
    assert state["level"] == "none"
    assert state["message"] == "You no longer watch or mute this category."
    assert f'action="{url}"' in state["html"]


def test_watching_without_json_flashes_and_redirects(client, shop):
    login_as(client, shop.member)
    response = client.post("/b/northwind/c/discussion/watch", data={"level": "watching"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/b/northwind/c/discussion")


def test_a_bad_watch_level_is_a_json_400(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.other_member)
    login_as(client, shop.member)
    response = _post_json(client, f"/t/{topic.id}/watch", {"level": "loudly"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "Choose to watch, mute, or neither."


# ------------------------------------------------------------------ helpful votes


def test_a_helpful_vote_answers_the_count_and_where_the_button_posts_next(
    app, client, shop, review
):
    login_as(client, shop.other_member)
    response = _post_json(client, _helpful_url(review), {"back": "product"})
    assert response.status_code == 200
    assert response.get_json() == {
        "voted": True,
        "helpful": 1,
        "pressed": True,
        "label": "Helpful ✓",
        "count_text": "1 person found this helpful",
        "action": _helpful_url(review, undo=True),
        "message": "Thanks: your vote helps others find useful reviews.",
    }
    withdrawn = _post_json(client, _helpful_url(review, undo=True)).get_json()
    assert withdrawn["helpful"] == 0
    assert withdrawn["count_text"] == ""  # no "0 people found this helpful"
    assert withdrawn["action"] == _helpful_url(review)
    assert withdrawn["label"] == "Helpful"
    assert load(app, Review, review.id).helpful_count == 0


def test_a_second_helpful_vote_is_a_json_409(app, client, shop, review):
    login_as(client, shop.other_member)
    _post_json(client, _helpful_url(review))
    response = _post_json(client, _helpful_url(review))
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "conflict",
        "message": "You already marked this review as helpful.",
    }
    assert load(app, Review, review.id).helpful_count == 1


def test_a_helpful_vote_without_json_returns_to_the_product_page(client, shop, review):
    login_as(client, shop.other_member)
    response = client.post(_helpful_url(review), data={"back": "product"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/b/northwind/p/kettle#review-{review.id}")


# ------------------------------------------------------------------ following


def test_following_answers_the_follower_count_and_the_next_action(app, client, shop):
    login_as(client, shop.member)
    response = _post_json(client, "/b/northwind/follow")
    assert response.status_code == 200
    assert response.get_json() == {
        "following": True,
        "followers": 1,
        "pressed": True,
        "label": "Following",
        "count_text": "1 follower",
        "action": "/b/northwind/unfollow",
        "message": "You follow Northwind.",
    }
    assert _not_flashed(client, "/b/northwind", "You follow Northwind.")
    # Following twice changes nothing, and says so with the same count.
    assert _post_json(client, "/b/northwind/follow").get_json()["followers"] == 1
    gone = _post_json(client, "/b/northwind/unfollow").get_json()
    assert (gone["following"], gone["count_text"], gone["action"]) == (
        False,
        "0 followers",
        "/b/northwind/follow",
    )
    assert load(app, Brand, shop.brand.id).follower_count == 0


def test_following_without_json_flashes_and_redirects(client, shop):
    login_as(client, shop.member)
    response = client.post("/b/northwind/follow")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/b/northwind")
    assert "You follow Northwind." in client.get("/b/northwind").get_data(as_text=True)


def test_a_suspended_member_following_gets_a_json_403(app, client, shop, now):
    person = factories.make_user(app, "benched")
    with app.app_context():
        moderation.sanction_member(
            db.session.get(User, shop.admin.id),
            db.session.get(User, person.id),
            moderation.DecisionDraft(None, ModerationRule.SPAM, "Links", Decision.SUSPEND, 5),
            now=now,
        )
    login_as(client, person)
    response = _post_json(client, "/b/northwind/follow")
    assert response.status_code == 403
    assert response.get_json()["message"].startswith("Your account is suspended until")
    assert load(app, Brand, shop.brand.id).follower_count == 0


# ------------------------------------------------------------------ claims


def test_a_claim_answers_who_is_on_it_until_when(app, client, shop):
    waiting = make_topic(app, shop.support, shop.member, title="My kettle leaks")
    login_as(client, shop.staff)
    url = f"/b/northwind/staff/claim/topic/{waiting.id}"
    response = _post_json(client, url, {"days": "7"})
    assert response.status_code == 200
    state = response.get_json()
    assert (state["claimed"], state["pressed"], state["label"]) == (True, True, "Release")
    assert state["action"] == f"/b/northwind/staff/release/topic/{waiting.id}"
    with app.app_context():
        until = db.session.scalar(select(Claim.expires_at).where(Claim.target_id == waiting.id))
    assert until is not None
    assert state["until"] == until.isoformat()
    assert state["status_text"] == f"You're on it (until {until:%H:%M} UTC)"
    assert state["message"].startswith("You're on “My kettle leaks” until ")
    released = _post_json(client, state["action"]).get_json()
    assert released == {
        "claimed": False,
        "pressed": False,
        "until": None,
        "label": "Claim",
        "status_text": "",
        "action": url,
        "message": "Released “My kettle leaks”: a colleague can take it now.",
    }


def test_a_claim_lost_to_a_colleague_is_a_json_409_with_the_reason(app, client, shop, now):
    waiting = make_topic(app, shop.support, shop.member)
    with app.app_context():
        staff.claim(
            db.session.get(User, shop.owner.id), db.session.get(Brand, shop.brand.id),
            ClaimTarget.TOPIC, waiting.id, now=now,
        )  # fmt: skip
    login_as(client, shop.staff)
    response = _post_json(client, f"/b/northwind/staff/claim/topic/{waiting.id}")
    assert response.status_code == 409
    assert response.get_json()["error"] == "conflict"
    assert "owner is already answering this" in response.get_json()["message"]
    # Without JSON it is still the desk again, with the reason on top.
    assert client.post(f"/b/northwind/staff/claim/topic/{waiting.id}").status_code == 303


# ------------------------------------------------------------------ signed out, CSRF


def test_a_signed_out_script_gets_401_and_a_page_the_login_form(client, shop, idea):
    response = _post_json(client, f"/t/{idea.id}/vote")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": "unauthorized",
        "message": "You need to log in to do that.",
    }
    page = client.post(f"/t/{idea.id}/vote")
    assert page.status_code == 302
    assert "/login?next=" in page.headers["Location"]


def test_json_is_no_way_around_the_csrf_token(app, client, shop, idea, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"login": shop.member.username, "password": factories.PASSWORD, "csrf_token": token},
    )
    refused = _post_json(client, f"/t/{idea.id}/vote")
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "csrf_failed"
    assert load(app, Topic, idea.id).vote_count == 0
    page = client.get(f"/t/{idea.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    counted = _post_json(client, f"/t/{idea.id}/vote", {"csrf_token": token})
    assert counted.status_code == 200
    assert counted.get_json()["count"] == 1
