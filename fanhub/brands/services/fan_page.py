"""The fan page: what it shows, how well the brand answers, and following the brand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from fanhub.brands.models import Brand, BrandRole, Follow, Role
from fanhub.brands.services.lifecycle import closed_refusal, require_open
from fanhub.brands.services.team import StaffMember, brand_team
from fanhub.clock import cached_at
from fanhub.db import rows_changed, transaction
from fanhub.extensions import db
from fanhub.forums.models import Category, CategoryKind, Topic, TopicStatus
from fanhub.permissions import Action, Actor, can, require
from fanhub.reviews.models import Product

RESPONSIVENESS_DAYS = 90
RESPONSIVENESS_CACHE_SECONDS = 300
FAN_PAGE_PRODUCTS = 12
# Where customers expect the brand to answer; announcements and ideas are not questions.
ANSWERABLE_KINDS = (CategoryKind.SUPPORT, CategoryKind.DISCUSSION)


@dataclass(frozen=True)
class Responsiveness:
    """How well a brand answers: over the last 90 days of support and discussion topics."""

    days: int
    topics: int
    answered: int
    median_seconds: int | None

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.topics if self.topics else None


@dataclass
class FanPage:
    brand: Brand
    team: list[StaffMember]
    categories: list[Category]
    announcements: list[Topic]
    recent_topics: list[Topic]
    products: list[Product]
    responsiveness: Responsiveness
    is_following: bool
    can_follow: bool
    can_edit: bool
    can_manage_categories: bool
    can_send_news: bool = False
    can_manage_team: bool = False


def responsiveness(brand: Brand, *, now: datetime) -> Responsiveness:
    """Share of recent questions the brand answered officially, and its median time to do so.

    A 90-day figure moves slowly, so it is computed at most once every few minutes per
    brand (the fan page shows it on every visit): figures computed less than
    RESPONSIVENESS_CACHE_SECONDS before `now` are reused.
    """
    return cached_at(
        f"responsiveness:{brand.id}",
        now,
        RESPONSIVENESS_CACHE_SECONDS,
        lambda: _responsiveness(brand, now),
    )


def customer_questions(brand_id: int) -> tuple[Any, ...]:
    """Conditions on `Topic` that pick the brand's customer questions: topics in its support
    and discussion categories, opened by someone outside its team.

    The one definition of "a question waiting for the brand", shared by the fan page's
    responsiveness and the staff desk's queue and metrics.
    """
    return (
        Topic.brand_id == brand_id,
        # Spam and abuse that moderation took away are nobody's question.
        Topic.status == TopicStatus.VISIBLE,
        Topic.category_id.in_(
            select(Category.id).where(
                Category.brand_id == brand_id, Category.kind.in_(ANSWERABLE_KINDS)
            )
        ),
        # Questions come from customers: topics the brand's own team opened are not
        # waiting for its answer.
        Topic.author_id.not_in(
            select(BrandRole.user_id).where(
                BrandRole.brand_id == brand_id, BrandRole.role.in_((Role.OWNER, Role.STAFF))
            )
        ),
    )


def _responsiveness(brand: Brand, now: datetime) -> Responsiveness:
    since = now - timedelta(days=RESPONSIVENESS_DAYS)
    in_window = (*customer_questions(brand.id), Topic.created_at >= since)
    total, answered = db.session.execute(
        select(func.count(), func.count(Topic.first_response_seconds)).where(*in_window)
    ).one()
    median = None
    if answered:
        # The middle one or two of the sorted response times: one indexed query on any database.
        middle = db.session.scalars(
            select(Topic.first_response_seconds)
            .where(*in_window, Topic.first_response_seconds.is_not(None))
            .order_by(Topic.first_response_seconds)
            .offset((answered - 1) // 2)
            .limit(2 if answered % 2 == 0 else 1)
        ).all()
        median = sum(filter(None, middle)) // len(middle)  # IS NOT NULL above
    return Responsiveness(RESPONSIVENESS_DAYS, total, answered, median)


def fan_page(viewer: Actor, brand: Brand, *, now: datetime) -> FanPage:
    """Everything the fan page shows, and what this viewer may do there at `now`."""
    every = list(
        db.session.scalars(
            select(Category)
            .where(Category.brand_id == brand.id)
            .order_by(Category.position, Category.id)
        )
    )
    # An archived category, and what is in it, is left out (its address still works).
    categories = [c for c in every if not c.is_archived]
    archived_ids = [c.id for c in every if c.is_archived]
    announcement_ids = [c.id for c in categories if c.kind is CategoryKind.ANNOUNCEMENTS]
    listed = [Topic.brand_id == brand.id, Topic.status == TopicStatus.VISIBLE]
    if archived_ids:
        listed.append(Topic.category_id.not_in(archived_ids))
    recent = list(
        db.session.scalars(
            select(Topic)
            .options(joinedload(Topic.last_poster))
            .where(*listed)
            .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
            .limit(10)
        )
    )
    announcements: list[Topic] = []
    if announcement_ids:
        announcements = list(
            db.session.scalars(
                select(Topic)
                .where(Topic.category_id.in_(announcement_ids), Topic.status == TopicStatus.VISIBLE)
                .order_by(Topic.created_at.desc(), Topic.id.desc())
                .limit(3)
            )
        )
    by_id = {c.id: c for c in categories}
    for topic in (*recent, *announcements):
        # Already loaded above; set here so templates can name the category for free.
        set_committed_value(topic, "category", by_id.get(topic.category_id))
    # The most reviewed first: what visitors most likely came to read about.
    products = list(
        db.session.scalars(
            select(Product)
            .where(Product.brand_id == brand.id)
            .order_by(Product.rating_count.desc(), Product.name, Product.id)
            .limit(FAN_PAGE_PRODUCTS)
        )
    )
    signed_in = getattr(viewer, "is_authenticated", False)
    following = (
        signed_in
        and db.session.scalar(
            select(Follow.id).where(Follow.user_id == viewer.id, Follow.brand_id == brand.id)
        )
        is not None
    )
    return FanPage(
        brand=brand,
        team=brand_team(brand),
        categories=categories,
        announcements=announcements,
        recent_topics=recent,
        products=products,
        responsiveness=responsiveness(brand, now=now),
        is_following=bool(following),
        # Unfollowing a closed brand is still hers to do; following it is not.
        can_follow=can(viewer, Action.BRAND_FOLLOW, brand.id, now=now)
        and (bool(following) or closed_refusal(viewer, brand.id) is None),
        can_edit=can(viewer, Action.BRAND_EDIT, brand.id, now=now),
        can_manage_categories=can(viewer, Action.CATEGORY_MANAGE, brand.id, now=now),
        can_send_news=can(viewer, Action.BRAND_NEWS_SEND, brand.id, now=now),
        can_manage_team=can(viewer, Action.BRAND_ROLE_ASSIGN, brand.id, now=now),
    )


def follow(actor: Actor, brand: Brand, *, now: datetime) -> int:
    """Become a fan of the brand (following twice changes nothing); returns how many fans
    it has now.

    :raises Forbidden: the member is suspended or not logged in, or the brand is closed.
    """
    require(actor, Action.BRAND_FOLLOW, brand.id, now=now)
    require_open(actor, brand.id)
    with transaction():
        try:
            with db.session.begin_nested():
                db.session.add(Follow(user_id=actor.id, brand_id=brand.id, created_at=now))
        except IntegrityError:
            return _follower_count(brand)  # already a fan: the unique key answered
        # In SQL, so two fans following at once both count.
        return db.session.execute(
            update(Brand)
            .where(Brand.id == brand.id)
            .values(follower_count=Brand.follower_count + 1)
            .returning(Brand.follower_count)
            .execution_options(synchronize_session=False)
        ).scalar_one()


def unfollow(actor: Actor, brand: Brand, *, now: datetime) -> int:
    """Stop being a fan of the brand (unfollowing twice changes nothing); returns how many
    fans it has now.

    :raises Forbidden: the member is suspended or not logged in.
    """
    require(actor, Action.BRAND_FOLLOW, brand.id, now=now)
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(Follow).where(Follow.user_id == actor.id, Follow.brand_id == brand.id)
            )
        )
        if not removed:
            return _follower_count(brand)
        return db.session.execute(
            update(Brand)
            .where(Brand.id == brand.id)
            .values(follower_count=Brand.follower_count - removed)
            .returning(Brand.follower_count)
            .execution_options(synchronize_session=False)
        ).scalar_one()


def _follower_count(brand: Brand) -> int:
    # Read, not taken from `brand`: the row may have changed since the page loaded it.
    return db.session.execute(select(Brand.follower_count).where(Brand.id == brand.id)).scalar_one()
