"""Brand staff answer in the thread: official replies, the answered badge, responsiveness."""

from __future__ import annotations

from datetime import timedelta

from fanhub.brands.models import Brand
from fanhub.brands.services import responsiveness
from fanhub.db import utcnow
from fanhub.extensions import db
from fanhub.forums.models import AuthorBadge, Post, Topic
from tests.factories import load, make_topic, reply


def test_a_staff_reply_is_official_and_badged(app, client, shop):
    topic = make_topic(app, shop.support, shop.member)
    post = reply(app, topic, shop.staff, body="We're sending a replacement today.")
    assert post.is_official and post.author_badge is AuthorBadge.STAFF
    page = client.get(f"/t/{topic.id}").get_data(as_text=True)
    assert 'data-testid="official-badge">Brand staff · Northwind<' in page
    assert "post--official" in page


def test_an_owner_reply_is_official_too(app, shop):
    topic = make_topic(app, shop.support, shop.member)
    assert reply(app, topic, shop.owner).is_official


def test_a_moderator_reply_gets_a_moderator_badge_not_an_official_one(app, client, shop):
    topic = make_topic(app, shop.support, shop.member)
    post = reply(app, topic, shop.moderator)
    assert not post.is_official
    assert post.author_badge is AuthorBadge.MODERATOR
    assert "badge--moderator" in client.get(f"/t/{topic.id}").get_data(as_text=True)


def test_staff_of_another_brand_and_site_admins_are_not_official_here(app, shop):
    topic = make_topic(app, shop.support, shop.member)
    assert not reply(app, topic, shop.other_staff).is_official
    assert not reply(app, topic, shop.admin).is_official


def test_the_topic_remembers_its_first_official_reply(app, shop):
    start = utcnow() - timedelta(hours=5)
    topic = make_topic(app, shop.support, shop.member, now=start)
    reply(app, topic, shop.other_member, now=start + timedelta(hours=1))
    reply(app, topic, shop.staff, now=start + timedelta(hours=2))
    reply(app, topic, shop.staff, now=start + timedelta(hours=3))
    stored = load(app, Topic, topic.id)
    assert stored.first_official_reply_at == start + timedelta(hours=2)
    assert stored.first_response_seconds == 2 * 3600


def test_a_staff_members_own_question_is_not_an_answer(app, shop):
    topic = make_topic(app, shop.support, shop.staff)
    assert load(app, Topic, topic.id).first_official_reply_at is None


def test_the_category_list_shows_answered_topics(app, client, shop):
    answered = make_topic(app, shop.support, shop.member, title="Answered question here")
    make_topic(app, shop.support, shop.member, title="Waiting question here")
    reply(app, answered, shop.staff)
    page = client.get("/b/northwind/c/support").get_data(as_text=True)
    answered_row = page.split("Answered question here")[1].split("</li>")[0]
    waiting_row = page.split("Waiting question here")[1].split("</li>")[0]
    assert "Answered by the brand" in answered_row
    assert "Answered by the brand" not in waiting_row


def test_the_fan_page_shows_share_answered_and_median_time(app, client, shop):
    now = utcnow()
    for hours in (1, 3, 10):
        topic = make_topic(app, shop.support, shop.member, now=now - timedelta(days=2))
        reply(app, topic, shop.staff, now=now - timedelta(days=2) + timedelta(hours=hours))
    make_topic(app, shop.discussion, shop.member, now=now - timedelta(days=1))
    page = client.get("/b/northwind").get_data(as_text=True)
    assert "Answers 75% of questions, typically within 3 hours" in page


def test_responsiveness_ignores_old_topics_ideas_and_announcements(app, shop):
    now = utcnow()
    make_topic(app, shop.support, shop.member, now=now - timedelta(days=120))
    make_topic(app, shop.ideas, shop.member, now=now)
    make_topic(app, shop.announcements, shop.staff, now=now)
    answered = make_topic(app, shop.discussion, shop.member, now=now - timedelta(hours=3))
    reply(app, answered, shop.staff, now=now - timedelta(hours=2))
    with app.app_context():
        result = responsiveness(db.session.get(Brand, shop.brand.id), now=now)
    assert (result.topics, result.answered, result.median_seconds) == (1, 1, 3600)


def test_the_official_flag_is_stored_with_the_post(app, shop):
    topic = make_topic(app, shop.support, shop.member)
    post = reply(app, topic, shop.staff)
    assert load(app, Post, post.id).is_official


def test_topics_the_brand_opened_itself_do_not_count_as_questions(app, shop):
    now = utcnow()
    make_topic(app, shop.support, shop.staff, title="Read this before asking", now=now)
    asked = make_topic(app, shop.support, shop.member, now=now - timedelta(hours=2))
    reply(app, asked, shop.staff, now=now - timedelta(hours=1))
    with app.app_context():
        result = responsiveness(db.session.get(Brand, shop.brand.id), now=now)
    assert (result.topics, result.answered) == (1, 1)
