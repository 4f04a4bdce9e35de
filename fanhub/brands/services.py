"""Brand rules: creating brands, appointing owners, staff and moderators, reading them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import (
    COLOR_PATTERN,
    DESCRIPTION_MAX,
    NAME_MAX,
    SLUG_PATTERN,
    TAGLINE_MAX,
    Brand,
    BrandRole,
    Follow,
    Role,
)
from fanhub.clock import cached_at
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.forums.models import Category, CategoryKind, Topic, TopicStatus
from fanhub.links import site_path
from fanhub.notifications.models import MessageKind, NotificationKind
from fanhub.notifications.preferences import wants
from fanhub.notifications.services import Notice, notify_each
from fanhub.permissions import Action, can, forget_roles, require
from fanhub.reviews import widget
from fanhub.reviews.models import Product
from fanhub.text import render_markdown

RESPONSIVENESS_DAYS = 90
RESPONSIVENESS_CACHE_SECONDS = 300
FAN_PAGE_PRODUCTS = 12
WIDGET_ORIGINS_MAX = 20
ORIGIN_MAX = 200
# Where customers expect the brand to answer; announcements and ideas are not questions.
ANSWERABLE_KINDS = (CategoryKind.SUPPORT, CategoryKind.DISCUSSION)


@dataclass(frozen=True)
class BrandDraft:
    slug: str
    name: str
    tagline: str = ""


@dataclass(frozen=True)
class BrandPageDraft:
    tagline: str
    description: str
    accent_color: str
    premoderate_new_members: bool = False
    # Origins that may frame the review widget, one per line (or separated by spaces).
    widget_origins: str = ""


@dataclass(frozen=True)
class StaffMember:
    """One person on a brand's team, as the fan page lists them."""

    username: str
    name: str
    roles: tuple[Role, ...]


def create_brand(actor: Any, draft: BrandDraft, *, now: datetime) -> Brand:
    """Create a brand with its fan page.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: the slug or name breaks its rule.
    :raises Conflict: the slug is taken.
    """
    require(actor, Action.BRAND_CREATE, now=now)
    slug = draft.slug.strip().lower()
    name = " ".join(draft.name.split())
    if not re.fullmatch(SLUG_PATTERN, slug):
        raise Invalid(
            "A brand's address uses 1–50 lower-case letters, digits and inner dashes.",
            field="slug",
        )
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"A brand needs a name of at most {NAME_MAX} characters.", field="name")
    if len(draft.tagline) > TAGLINE_MAX:
        raise Invalid(f"Use at most {TAGLINE_MAX} characters.", field="tagline")
    brand = Brand(
        slug=slug, name=name, tagline=draft.tagline.strip(), description="", created_at=now
    )
    with transaction():
        db.session.add(brand)
        try:
            db.session.flush()  # meet the unique slug now, to answer with a message
        except IntegrityError:
            raise Conflict(f"There is already a brand at /b/{slug}.", field="slug") from None
    return brand


def access_brand(slug: str) -> Brand:
    """The brand at `/b/<slug>`.

    :raises NotFound: there is no such brand.
    """
    brand = db.session.scalars(select(Brand).where(Brand.slug == slug.lower())).first()
    if brand is None:
        raise NotFound("There is no brand at that address.")
    return brand


def access_brand_as(actor: Any, slug: str, action: Action, *, now: datetime) -> Brand:
    """The brand at `/b/<slug>`, for an actor who may do `action` there at `now`.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor may not do it.
    """
    brand = access_brand(slug)
    require(actor, action, brand.id, now=now)
    return brand


def list_brands() -> list[Brand]:
    """Every brand, by name, for the directory."""
    return list(db.session.scalars(select(Brand).order_by(Brand.name)))


def add_role(actor: Any, brand: Brand, member: User, role: Role, *, now: datetime) -> BrandRole:
    """Appoint `member` to `role` in `brand`.

    :raises Forbidden: the actor is neither an owner of the brand nor a site admin.
    :raises Invalid: the member's account is deleted.
    :raises Conflict: she already holds that role there.
    """
    require(actor, Action.BRAND_ROLE_ASSIGN, brand.id, now=now)
    if member.status is UserStatus.DELETED:
        raise Invalid("Deleted accounts cannot hold a role.")
    grant = BrandRole(user_id=member.id, brand_id=brand.id, role=role, created_at=now)
    # Written before the flush: after a failed flush the session cannot load attributes.
    duplicate = f"{member.username} is already {role.value} of {brand.name}."
    with transaction():
        db.session.add(grant)
        try:
            db.session.flush()  # meet (user, brand, role) uniqueness now, with a message
        except IntegrityError:
            raise Conflict(duplicate) from None
    forget_roles(member)
    return grant


def brand_team(brand: Brand) -> list[StaffMember]:
    """The brand's owners, staff and moderators, each once with all their roles."""
    grants = db.session.scalars(
        select(BrandRole)
        .options(joinedload(BrandRole.user))
        .where(BrandRole.brand_id == brand.id)
        .order_by(BrandRole.id)
    ).all()
    team: dict[int, StaffMember] = {}
    for grant in grants:
        if grant.user.status is UserStatus.DELETED:
            continue
        current = team.get(grant.user_id)
        roles = (*current.roles, grant.role) if current else (grant.role,)
        team[grant.user_id] = StaffMember(grant.user.username, grant.user.name, roles)
    return list(team.values())


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


def fan_page(viewer: Any, brand: Brand, *, now: datetime) -> FanPage:
    """Everything the fan page shows, and what this viewer may do there at `now`."""
    categories = list(
        db.session.scalars(
            select(Category)
            .where(Category.brand_id == brand.id)
            .order_by(Category.position, Category.id)
        )
    )
    announcement_ids = [c.id for c in categories if c.kind is CategoryKind.ANNOUNCEMENTS]
    recent = list(
        db.session.scalars(
            select(Topic)
            .options(joinedload(Topic.last_poster))
            .where(Topic.brand_id == brand.id, Topic.status == TopicStatus.VISIBLE)
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
        can_follow=can(viewer, Action.BRAND_FOLLOW, brand.id, now=now),
        can_edit=can(viewer, Action.BRAND_EDIT, brand.id, now=now),
        can_manage_categories=can(viewer, Action.CATEGORY_MANAGE, brand.id, now=now),
        can_send_news=can(viewer, Action.BRAND_NEWS_SEND, brand.id, now=now),
    )


def follow(actor: Any, brand: Brand, *, now: datetime) -> None:
    """Become a fan of the brand (following twice changes nothing).

    :raises Forbidden: the member is suspended or not logged in.
    """
    require(actor, Action.BRAND_FOLLOW, brand.id, now=now)
    with transaction():
        try:
            with db.session.begin_nested():
                db.session.add(Follow(user_id=actor.id, brand_id=brand.id, created_at=now))
        except IntegrityError:
            return  # already a fan: the unique key answered
        # In SQL, so two fans following at once both count.
        db.session.execute(
            update(Brand)
            .where(Brand.id == brand.id)
            .values(follower_count=Brand.follower_count + 1)
            .execution_options(synchronize_session=False)
        )


def unfollow(actor: Any, brand: Brand, *, now: datetime) -> None:
    """Stop being a fan of the brand (unfollowing twice changes nothing).

    :raises Forbidden: the member is suspended or not logged in.
    """
    require(actor, Action.BRAND_FOLLOW, brand.id, now=now)
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(Follow).where(Follow.user_id == actor.id, Follow.brand_id == brand.id)
            )
        )
        if removed:
            db.session.execute(
                update(Brand)
                .where(Brand.id == brand.id)
                .values(follower_count=Brand.follower_count - removed)
                .execution_options(synchronize_session=False)
            )


def clean_widget_origins(raw: str) -> str:
    """The origins allowed to frame the widget, normalised and space separated.

    Each is what a browser sends as an origin (`https://shop.example`, with a port if it
    is not the usual one; `https://*.shop.example` for every subdomain, as CSP allows): a
    path, query or user name would never match, so it is refused, not silently dropped.

    :raises Invalid: an entry is not an origin, or there are too many.
    """
    origins: list[str] = []
    for entry in re.split(r"[\s,]+", raw.strip()):
        if not entry:
            continue
        origin = _origin(entry)
        if origin is None:
            raise Invalid(
                f"“{entry[:ORIGIN_MAX]}” is not a web origin: write it as "
                "https://shop.example.com (no path), one per line.",
                field="widget_origins",
            )
        if origin not in origins:
            origins.append(origin)
    if len(origins) > WIDGET_ORIGINS_MAX:
        raise Invalid(
            f"List at most {WIDGET_ORIGINS_MAX} sites; ask us if you need more.",
            field="widget_origins",
        )
    return " ".join(origins)


def _origin(entry: str) -> str | None:
    if len(entry) > ORIGIN_MAX:
        return None
    parts = urlsplit(entry.rstrip("/"))
    try:
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if (
        parts.scheme.lower() not in ("http", "https")
        or not host
        or not re.fullmatch(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*|[0-9a-f.]*:[0-9a-f:.]*", host)
        or parts.username is not None
        or parts.path
        or parts.query
        or parts.fragment
    ):
        return None
    default_port = {"http": 80, "https": 443}[parts.scheme.lower()]
    suffix = f":{port}" if port is not None and port != default_port else ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}{suffix}"


def update_brand_page(actor: Any, brand: Brand, draft: BrandPageDraft, *, now: datetime) -> Brand:
    """Change the fan page (tagline, Markdown description, accent colour) and the brand's
    review settings (pre-moderation of new members, sites allowed to frame the widget).

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Invalid: a field breaks its rule.
    """
    require(actor, Action.BRAND_EDIT, brand.id, now=now)
    tagline = " ".join(draft.tagline.split())
    description = draft.description.strip()
    color = draft.accent_color.strip().lower()
    if len(tagline) > TAGLINE_MAX:
        raise Invalid(f"Use at most {TAGLINE_MAX} characters.", field="tagline")
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(f"Use at most {DESCRIPTION_MAX:,} characters.", field="description")
    if not re.fullmatch(COLOR_PATTERN, color):
        raise Invalid("Give the colour as #rrggbb, e.g. #5b3df5.", field="accent_color")
    origins = clean_widget_origins(draft.widget_origins)
    with transaction():
        brand.tagline = tagline
        brand.description = description
        brand.description_html = render_markdown(description)
        brand.accent_color = color
        brand.premoderate_new_members = draft.premoderate_new_members
        brand.widget_origins = origins
    # The widget shows the brand's name and colour, and its frame the allowed origins.
    widget.forget_brand(brand.id, brand.slug)
    return brand


# ------------------------------------------------------------ product news and offers

NEWS_TITLE_MAX = 80
NEWS_BODY_MAX = 200
# The brand's products offered as the news's link, most reviewed first.
NEWS_PRODUCTS_MAX = 100


@dataclass(frozen=True)
class BrandNewsDraft:
    title: str
    body: str
    # The slug of one of the brand's products the news links to; empty for the fan page.
    product: str = ""


@dataclass(frozen=True)
class BrandNewsPage:
    """The form for product news and offers: who would get it, and what it may link to."""

    brand: Brand
    audience: int
    products: list[Product]


def _news_audience(brand: Brand) -> Any:
    """The brand's followers who asked for product news and offers on some channel."""
    return (
        select(Follow.user_id)
        .join(User, User.id == Follow.user_id)
        .where(
            Follow.brand_id == brand.id,
            User.status != UserStatus.DELETED,
            wants(MessageKind.OFFERS, Follow.user_id),
        )
    )


def brand_news_page(actor: Any, slug: str, *, now: datetime) -> BrandNewsPage:
    """The brand at `slug`, how many followers would get its news, and its products.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's owner or staff.
    """
    brand = access_brand_as(actor, slug, Action.BRAND_NEWS_SEND, now=now)
    audience = db.session.scalar(select(func.count()).select_from(_news_audience(brand).subquery()))
    products = list(
        db.session.scalars(
            select(Product)
            .where(Product.brand_id == brand.id)
            .order_by(Product.rating_count.desc(), Product.name, Product.id)
            .limit(NEWS_PRODUCTS_MAX)
        )
    )
    return BrandNewsPage(brand, audience or 0, products)


def send_brand_news(actor: Any, brand: Brand, draft: BrandNewsDraft, *, now: datetime) -> int:
    """Tell the brand's followers who opted into product news and offers; returns how many.

    Only those: a follower who never said yes hears nothing (the default is no, and
    every yes is in her consent record). How each is told (on the site, by email, how
    often) follows her own choices. The sender is never told of her own news.

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Invalid: no title, text too long, or a product that is not the brand's.
    """
    require(actor, Action.BRAND_NEWS_SEND, brand.id, now=now)
    title = " ".join(draft.title.split())
    body = " ".join(draft.body.split())
    if not title or len(title) > NEWS_TITLE_MAX:
        raise Invalid(f"Give it a title of at most {NEWS_TITLE_MAX} characters.", field="title")
    if len(body) > NEWS_BODY_MAX:
        raise Invalid(f"Keep it to {NEWS_BODY_MAX} characters.", field="body")
    url = site_path("brands.fan_page", brand=brand.slug)
    if draft.product:
        product = db.session.scalar(
            select(Product).where(Product.brand_id == brand.id, Product.slug == draft.product)
        )
        if product is None:
            raise Invalid(f"{brand.name} has no such product.", field="product")
        url = site_path("reviews.product", brand=brand.slug, product=product.slug)
    message = f"{brand.name}: {title}" + (f" · {body}" if body else "")
    with transaction():
        recipients = frozenset(db.session.scalars(_news_audience(brand)))
        told = notify_each(
            [Notice(recipients, NotificationKind.OFFER, message, url)], actor_id=actor.id, now=now
        )
    return told
