"""A category counts the topics it lists and their posts, whatever moderation does to a
topic meanwhile (hidden, replied to while hidden, moved, shown again)."""

from __future__ import annotations

from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, Topic, TopicStatus
from fanhub.moderation.models import Decision, ModerationRule
from tests import factories
from tests.moderation.conftest import case_of, flag
from tests.moderation.test_spam_signals import decide


def _recount(app, category_id):
    """(topics, posts) of the category's listed topics, counted from the rows."""
    with app.app_context():
        listed = (Topic.category_id == category_id, Topic.status == TopicStatus.VISIBLE)
        topics = db.session.scalar(select(func.count()).select_from(Topic).where(*listed))
        posts = db.session.scalar(
            select(func.coalesce(func.sum(Topic.post_count), 0)).where(*listed)
        )
        stored = db.session.get(Category, category_id)
        return (stored.topic_count, stored.post_count), (topics, posts)


def test_counts_stay_equal_to_a_recount_through_hiding_replying_moving_and_restoring(
    app, shop, reporters, now
):
    factories.make_topic(app, shop.discussion, shop.member, title="A fine question", replies=1)
    spam = factories.make_topic(app, shop.discussion, shop.other_member, title="Cheap watches")
    for who in reporters:
        flag(app, who, "topic", spam.id)
    # Its author still sees it, and replies while it is hidden.
    factories.reply(app, spam, shop.other_member, "Really, they are cheap.")
    with app.app_context():
        forums.move_topic(
            db.session.get(User, shop.moderator.id),
            db.session.get(Topic, spam.id),
            db.session.get(Category, shop.support.id),
            now=now,
        )
    for category in (shop.discussion, shop.support):
        stored, recount = _recount(app, category.id)
        assert stored == recount, category.slug
    case = case_of(app, "topic", spam.id)
    decide(app, shop.moderator, case, Decision.RESTORE, rule=ModerationRule.OTHER, reason="Fine.")
    assert factories.load(app, Topic, spam.id).status is TopicStatus.VISIBLE
    for category in (shop.discussion, shop.support):
        stored, recount = _recount(app, category.id)
        assert stored == recount, category.slug
    assert _recount(app, shop.support.id)[0] == (1, 2)
