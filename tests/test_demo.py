"""The seeded demo (`flask seed-demo`) shows each brand its own community and the
moderators a few real cases, not a queue of false positives (issue 13, point 8)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.demo import WEEK_HOURS, seed_demo
from fanhub.extensions import db
from fanhub.forums.models import Post, Topic
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Case, CaseStatus, FlagReason, ItemKind
from fanhub.moderation.trust import normalised
from fanhub.reviews.models import Review, ReviewReply


def _mia() -> User:
    return db.session.scalars(select(User).where(User.username == "mia")).one()


def test_the_demo_queue_holds_exactly_its_four_cases(app, now):
    with app.app_context():
        seed_demo(now=now)
        # Mia moderates both brands, so her queue is every case there is.
        page = moderation.queue_page(_mia(), now=now)
        cases = {
            (row.case.brand.slug, row.case.item_kind, row.case.subject.username): row
            for row in page.rows
        }
        assert page.pending == []  # no review waits outside the cases
        assert page.next_cursor is None
    assert set(cases) == {
        ("northwind", ItemKind.POST, "kurt"),
        ("northwind", ItemKind.POST, "brewdeals"),
        ("acme-outdoor", ItemKind.REVIEW, "finn"),
        ("acme-outdoor", ItemKind.TOPIC, "priya"),
    }
    rude = cases[("northwind", ItemKind.POST, "kurt")]
    assert rude.reasons == Counter({FlagReason.ABUSE: 2})
    assert [name for name, _ in rude.notes] == ["bob", "carol"]
    assert rude.case.hold_reason == ""
    assert rude.past_decisions == 1  # a moderator hid an earlier put-down by the same member
    assert "mostly links" in cases[("northwind", ItemKind.POST, "brewdeals")].case.hold_reason
    assert cases[("acme-outdoor", ItemKind.REVIEW, "finn")].case.hold_reason == (
        "A new member's review: Acme Outdoor approves new members' reviews first."
    )
    assert cases[("acme-outdoor", ItemKind.TOPIC, "priya")].case.hold_reason == (
        "A new member's post: Acme Outdoor approves new members' posts first."
    )


def test_the_demo_holds_nothing_as_repeated_text(app, now):
    with app.app_context():
        seed_demo(now=now)
        reasons = list(db.session.scalars(select(Case.hold_reason)))
    assert reasons  # the demo does hold items: for their own reasons
    assert not [reason for reason in reasons if "same text" in reason]


def test_no_two_demo_brands_share_a_post_or_review_body(app, now):
    with app.app_context():
        seed_demo(now=now)
        written = [
            *db.session.execute(
                select(Topic.brand_id, Post.body).join(Topic, Topic.id == Post.topic_id)
            ),
            *db.session.execute(select(Review.brand_id, Review.body)),
            *db.session.execute(
                select(Review.brand_id, ReviewReply.body).join(
                    Review, Review.id == ReviewReply.review_id
                )
            ),
        ]
        brand_ids = set(db.session.scalars(select(Brand.id)))
    bodies: dict[int, set[str]] = {brand_id: set() for brand_id in brand_ids}
    for brand_id, body in written:
        bodies[brand_id].add(normalised(body))
    assert len(bodies) == 2 and all(len(texts) > 10 for texts in bodies.values())
    first, second = bodies.values()
    assert first & second == set()


def test_the_demo_happens_in_the_week_up_to_the_moment_it_is_given(app, now):
    later = now + timedelta(days=400)
    with app.app_context():
        seed_demo(now=later)
        newest_post = db.session.scalar(select(func.max(Post.created_at)))
        oldest_post = db.session.scalar(select(func.min(Post.created_at)))
        opened = list(
            db.session.scalars(select(Case.opened_at).where(Case.status == CaseStatus.OPEN))
        )
    assert later - timedelta(hours=WEEK_HOURS) <= oldest_post <= newest_post <= later
    # The queue's cases came in over the last day, as a moderator's morning would find them.
    assert len(opened) == 4
    assert all(later - timedelta(days=1) <= moment <= later for moment in opened)
