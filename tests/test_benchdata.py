"""The benchmark's data set: bulk-inserted, yet every counter equals a recount of its rows."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from fanhub.accounts.models import User
from fanhub.benchdata import BRAND_SLUG, LONG_THREAD_TITLE, BenchData, Sizes, build_bench_data
from fanhub.brands.models import Brand, Follow
from fanhub.errors import Conflict
from fanhub.extensions import db
from fanhub.forums.models import Category, IdeaVote, Post, Reaction, ReactionKind, Topic
from fanhub.reviews.models import Product, Review, ReviewReply, ReviewVote

SMALL = Sizes(
    topics=24,
    posts=260,
    long_thread_posts=70,
    members=15,
    products=4,
    hot_product_reviews=12,
    reviews=30,
)


@pytest.fixture
def built(app, now) -> BenchData:
    with app.app_context():
        return build_bench_data(SMALL, now=now)


def test_builder_makes_the_sizes_asked_for(app, built):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Topic)) == SMALL.topics
        assert db.session.scalar(select(func.count()).select_from(Post)) == SMALL.posts
        long_count = db.session.scalar(
            select(func.count()).where(Post.topic_id == built.long_topic_id)
        )
        assert long_count == SMALL.long_thread_posts
        assert db.session.get(Topic, built.long_topic_id).title == LONG_THREAD_TITLE
        # The members, plus the brand's owner and three staff.
        assert db.session.scalar(select(func.count()).select_from(User)) == SMALL.members + 4
        assert db.session.scalar(select(func.count()).select_from(Category)) == 5
        users = db.session.scalars(select(User)).all()
        assert all(u.username == u.username.lower() and u.email == u.email.lower() for u in users)


def test_category_counters_equal_recounts(app, built):
    with app.app_context():
        for category in db.session.scalars(select(Category)):
            topics = db.session.scalar(select(func.count()).where(Topic.category_id == category.id))
            posts = db.session.scalar(
                select(func.count())
                .select_from(Post)
                .join(Topic, Topic.id == Post.topic_id)
                .where(Topic.category_id == category.id)
            )
            assert (category.topic_count, category.post_count) == (topics, posts), category.slug


def test_positions_run_from_one_to_post_count_without_gaps(app, built):
    with app.app_context():
        rows = db.session.execute(
            select(
                Topic.post_count,
                func.count(Post.id),
                func.min(Post.position),
                func.max(Post.position),
                func.count(func.distinct(Post.position)),
            )
            .join(Post, Post.topic_id == Topic.id)
            .group_by(Topic.id, Topic.post_count)
        ).all()
    assert len(rows) == SMALL.topics
    for post_count, count, first, last, distinct in rows:
        assert (count, first, last, distinct) == (post_count, 1, post_count, post_count)


def test_last_post_and_first_official_reply_match_the_posts(app, built):
    last = aliased(Post)
    with app.app_context():
        mismatched = db.session.execute(
            select(Topic.id)
            .join(last, (last.topic_id == Topic.id) & (last.position == Topic.post_count))
            .where(
                (Topic.last_posted_at != last.created_at) | (Topic.last_poster_id != last.author_id)
            )
        ).all()
        assert mismatched == []
        answered = 0
        for topic in db.session.scalars(select(Topic)):
            first_official = db.session.scalar(
                select(func.min(Post.position)).where(
                    Post.topic_id == topic.id, Post.is_official.is_(True), Post.position > 1
                )
            )
            if first_official is None:
                assert topic.first_official_reply_at is None
                assert topic.first_response_seconds is None
                continue
            answered += 1
            post = db.session.scalars(
                select(Post).where(Post.topic_id == topic.id, Post.position == first_official)
            ).one()
            assert topic.first_official_reply_at == post.created_at
            elapsed = (post.created_at - topic.created_at).total_seconds()
            assert topic.first_response_seconds == int(elapsed)
        assert answered > 0


def test_reaction_vote_and_follower_counters_equal_recounts(app, built):
    with app.app_context():
        reacted = 0
        for post in db.session.scalars(select(Post).where(Post.topic_id == built.long_topic_id)):
            for kind in ReactionKind:
                rows = db.session.scalar(
                    select(func.count()).where(Reaction.post_id == post.id, Reaction.kind == kind)
                )
                assert getattr(post, f"{kind.value}_count") == rows
                reacted += rows
        assert reacted == built.reactions > 0
        for topic in db.session.scalars(select(Topic)):
            votes = db.session.scalar(select(func.count()).where(IdeaVote.topic_id == topic.id))
            assert topic.vote_count == votes
        brand = db.session.scalars(select(Brand).where(Brand.slug == BRAND_SLUG)).one()
        fans = db.session.scalar(select(func.count()).where(Follow.brand_id == brand.id))
        assert brand.follower_count == fans > 0


def test_long_thread_first_and_last_pages_render(client, built):
    first = client.get(f"/t/{built.long_topic_id}")
    last = client.get(f"/t/{built.long_topic_id}?page={built.long_thread_pages}")
    assert first.status_code == 200
    assert last.status_code == 200
    assert 'id="post-1"' in first.text
    assert f'id="post-{SMALL.long_thread_posts}"' in last.text


def test_builder_refuses_a_database_that_has_bigbrand(app, built, now):
    with app.app_context(), pytest.raises(Conflict):
        build_bench_data(SMALL, now=now)


def test_seed_demo_large_refuses_a_database_that_has_bigbrand(runner, make_brand):
    make_brand(BRAND_SLUG)
    result = runner.invoke(args=["seed-demo", "--scale", "large"])
    assert result.exit_code == 1
    assert "already has a brand at /b/bigbrand" in result.output


def test_a_2000_post_thread_costs_the_same_queries_on_its_first_and_last_page(
    app, client, make_user, count_queries, now
):
    sizes = Sizes(topics=12, posts=2100, long_thread_posts=2000, members=20)
    with app.app_context():
        data = build_bench_data(sizes, now=now)
    make_user("reader")
    client.post("/login", data={"login": "reader", "password": "correct-horse-battery-staple"})
    with count_queries() as first:
        assert client.get(f"/t/{data.long_topic_id}").status_code == 200
    with count_queries() as last:
        page = client.get(f"/t/{data.long_topic_id}?page={data.long_thread_pages}")
    assert page.status_code == 200
    assert f'id="post-{sizes.long_thread_posts}"' in page.text
    assert len(first) == len(last) <= 8


def test_product_ratings_equal_a_recount_of_the_reviews(app, built):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == SMALL.reviews
        hot = db.session.scalar(select(Product).where(Product.slug == "bestseller"))
        assert hot.rating_count == SMALL.hot_product_reviews
        for product in db.session.scalars(select(Product)):
            rows = db.session.execute(
                select(Review.stars, func.count())
                .where(Review.product_id == product.id)
                .group_by(Review.stars)
            ).all()
            counts = dict(rows)
            assert product.histogram == {stars: counts.get(stars, 0) for stars in (5, 4, 3, 2, 1)}
            assert product.rating_sum == sum(stars * n for stars, n in counts.items())


def test_review_counters_equal_their_votes_and_answers(app, built):
    with app.app_context():
        answered = 0
        for review in db.session.scalars(select(Review)):
            votes = db.session.scalar(select(func.count()).where(ReviewVote.review_id == review.id))
            replies = db.session.scalars(
                select(ReviewReply).where(ReviewReply.review_id == review.id)
            ).all()
            assert review.helpful_count == votes
            assert review.reply_count == len(replies)
            assert review.author_id not in {
                vote.user_id
                for vote in db.session.scalars(
                    select(ReviewVote).where(ReviewVote.review_id == review.id)
                )
            }
            if replies:
                answered += 1
                assert review.latest_answer_id == max(reply.id for reply in replies)
                assert review.answered_at is not None
            else:
                assert review.latest_answer_id is None and review.answered_at is None
        assert 0 < answered < SMALL.reviews
