"""Many members writing to one topic at once: no lost counts, no duplicate or missing positions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.extensions import db
from fanhub.forums import services
from fanhub.forums.models import CategoryKind, IdeaVote, Post, Reaction, ReactionKind, Topic
from tests import factories
from tests.factories import run_together

pytestmark = pytest.mark.concurrency

THREADS = 8


@pytest.fixture
def arena(isolated_app):
    app = isolated_app
    people = [factories.make_user(app, f"writer{i}") for i in range(THREADS)]
    brand = factories.make_brand(app, "busy")
    discussion = factories.make_category(app, brand, CategoryKind.DISCUSSION)
    ideas = factories.make_category(app, brand, CategoryKind.IDEAS)
    topic = factories.make_topic(app, discussion, people[0])
    idea = factories.make_topic(app, ideas, people[0])
    return app, people, topic, idea


def test_eight_writers_posting_fifty_replies_each_leave_exact_positions(arena, now):
    app, people, topic, _ = arena
    replies_each = 50

    def write(index):
        author = db.session.get(User, people[index].id)
        target = db.session.get(Topic, topic.id)
        for n in range(replies_each):
            services.reply_to_topic(
                author, target, services.ReplyDraft(f"reply {index}/{n}"), now=now
            )

    run_together(app, write, THREADS)
    with app.app_context():
        positions = db.session.scalars(
            select(Post.position).where(Post.topic_id == topic.id).order_by(Post.position)
        ).all()
        stored = db.session.get(Topic, topic.id)
        assert positions == list(range(1, THREADS * replies_each + 2))
        assert stored.reply_count == THREADS * replies_each


def test_concurrent_reaction_toggles_keep_counts_equal_to_a_recount(arena, now):
    app, people, topic, _ = arena
    post = factories.reply(app, topic, people[0], body="React to me")

    def toggle(index):
        actor = db.session.get(User, people[index].id)
        if actor.id == post.author_id:
            return
        target = services.access_post(post.id)
        for n in range(15):  # odd for some kinds, even for others: both states get exercised
            services.toggle_reaction(actor, target, list(ReactionKind)[n % 3], now=now)

    run_together(app, toggle, THREADS)
    with app.app_context():
        stored = db.session.get(Post, post.id)
        for kind in ReactionKind:
            recount = db.session.scalar(
                select(func.count()).where(Reaction.post_id == post.id, Reaction.kind == kind)
            )
            assert getattr(stored, f"{kind.value}_count") == recount


def test_concurrent_votes_keep_the_count_equal_to_a_recount(arena, now):
    app, people, _, idea = arena

    def vote(index):
        actor = db.session.get(User, people[index].id)
        target = services.access_topic(idea.id)
        for _ in range(3 + index % 2):  # half end voted, half end not
            services.toggle_vote(actor, target, now=now)

    run_together(app, vote, THREADS)
    with app.app_context():
        recount = db.session.scalar(select(func.count()).where(IdeaVote.topic_id == idea.id))
        assert db.session.get(Topic, idea.id).vote_count == recount == THREADS // 2
