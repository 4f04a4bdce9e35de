"""Support questions get a solution; ideas get votes and an official status."""

from __future__ import annotations

import pytest

from fanhub.extensions import db
from fanhub.forums.models import IdeaStatus, Post, Topic
from tests.factories import load, make_topic, reply
from tests.stories import login_as


@pytest.mark.parametrize("who", ["member", "staff", "owner"])
def test_the_asker_or_staff_mark_a_reply_as_the_solution(app, client, shop, who):
    topic = make_topic(app, shop.support, shop.member, title="Grinder is noisy")
    answer = reply(app, topic, shop.staff, body="Tighten the burr screw.")
    login_as(client, shop.person(who))
    assert client.post(f"/p/{answer.id}/solution").status_code == 302
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    solution = page.split('data-testid="solution"')[1].split("</section>")[0]
    assert "Tighten the burr screw." in solution
    assert load(app, Topic, topic.id).is_solved


@pytest.mark.parametrize("who", ["other_member", "moderator", "other_staff"])
def test_others_cannot_mark_the_solution(app, client, shop, who):
    topic = make_topic(app, shop.support, shop.member)
    answer = reply(app, topic, shop.staff)
    login_as(client, shop.person(who))
    assert client.post(f"/p/{answer.id}/solution").status_code == 403
    assert not load(app, Topic, topic.id).is_solved


def test_the_question_itself_cannot_be_its_solution(app, client, shop):
    topic = make_topic(app, shop.support, shop.member)
    first = load(app, Topic, topic.id)
    login_as(client, shop.member)
    with app.app_context():
        question_id = db.session.scalar(
            db.select(Post.id).where(Post.topic_id == first.id, Post.position == 1)
        )
    assert client.post(f"/p/{question_id}/solution").status_code == 400


def test_discussions_have_no_solutions(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    answer = reply(app, topic, shop.staff)
    login_as(client, shop.member)
    response = client.post(f"/p/{answer.id}/solution")
    assert response.status_code == 400
    assert "Only support questions have solutions." in response.get_data(as_text=True)


def test_the_category_list_shows_solved_topics(app, client, shop):
    topic = make_topic(app, shop.support, shop.member, title="Solved question here")
    answer = reply(app, topic, shop.staff)
    login_as(client, shop.member)
    client.post(f"/p/{answer.id}/solution")
    row = (
        client.get("/b/northwind/c/support").get_data(as_text=True).split("Solved question here")[1]
    )
    assert "badge--solved" in row.split("</li>")[0]


def test_members_vote_once_per_idea_and_can_take_it_back(app, client, shop):
    idea = make_topic(app, shop.ideas, shop.member, title="Offer decaf pods")
    login_as(client, shop.other_member)
    client.post(f"/t/{idea.id}/vote")
    assert load(app, Topic, idea.id).vote_count == 1
    assert 'data-testid="vote-count">1<' in client.get(f"/t/{idea.id}").get_data(as_text=True)
    client.post(f"/t/{idea.id}/vote")
    assert load(app, Topic, idea.id).vote_count == 0


def test_only_ideas_take_votes(app, client, shop):
    topic = make_topic(app, shop.discussion, shop.member)
    login_as(client, shop.other_member)
    assert client.post(f"/t/{topic.id}/vote").status_code == 400


def test_ideas_sort_by_votes_or_newest(app, client, shop, make_user):
    quiet = make_topic(app, shop.ideas, shop.member, title="Quiet idea number one")
    loud = make_topic(app, shop.ideas, shop.member, title="Loud idea number two")
    for n in range(3):
        voter = make_user(f"voter{n}")
        voter_client = app.test_client()
        login_as(voter_client, voter)
        voter_client.post(f"/t/{loud.id}/vote")
    reply(app, quiet, shop.other_member)  # the quiet one is the most recently active
    by_votes = client.get("/b/northwind/c/ideas?sort=votes").get_data(as_text=True)
    assert by_votes.index("Loud idea") < by_votes.index("Quiet idea")
    by_activity = client.get("/b/northwind/c/ideas").get_data(as_text=True)
    assert by_activity.index("Quiet idea") < by_activity.index("Loud idea")


def test_staff_set_an_ideas_status_with_an_official_comment(app, client, shop):
    idea = make_topic(app, shop.ideas, shop.member, title="Offer decaf pods")
    login_as(client, shop.staff)
    response = client.post(
        f"/t/{idea.id}/status",
        data={"status": "planned", "comment": "Coming in the spring range."},
    )
    assert response.status_code == 302
    stored = load(app, Topic, idea.id)
    assert stored.idea_status is IdeaStatus.PLANNED
    page = client.get(f"/t/{idea.id}").get_data(as_text=True)
    status = page.split('data-testid="idea-status"')[1].split("</section>")[0]
    assert "Coming in the spring range." in status
    assert "Brand staff · Northwind" in status
    listing = client.get("/b/northwind/c/ideas").get_data(as_text=True)
    assert "Planned" in listing


@pytest.mark.parametrize("who", ["member", "moderator", "other_staff"])
def test_only_the_brands_staff_set_an_ideas_status(app, client, shop, who):
    idea = make_topic(app, shop.ideas, shop.member)
    login_as(client, shop.person(who))
    response = client.post(f"/t/{idea.id}/status", data={"status": "done", "comment": "Done!"})
    assert response.status_code == 403
    assert load(app, Topic, idea.id).idea_status is None
