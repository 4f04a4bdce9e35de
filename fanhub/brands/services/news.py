"""Product news and offers: a brand's message to the followers who asked for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import Brand, Follow
from fanhub.brands.services.directory import access_brand_as
from fanhub.db import transaction
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.links import site_path
from fanhub.notifications.models import MessageKind, NotificationKind
from fanhub.notifications.preferences import wants
from fanhub.notifications.services import Notice, notify_each
from fanhub.permissions import Action, Actor, require
from fanhub.reviews.models import Product

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


def brand_news_page(actor: Actor, slug: str, *, now: datetime) -> BrandNewsPage:
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


def send_brand_news(actor: Actor, brand: Brand, draft: BrandNewsDraft, *, now: datetime) -> int:
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
    # The brand's news is one thread, each product's news another.
    thread_key, thread_title = f"brand:{brand.id}", brand.name
    if draft.product:
        product = db.session.scalar(
            select(Product).where(Product.brand_id == brand.id, Product.slug == draft.product)
        )
        if product is None:
            raise Invalid(f"{brand.name} has no such product.", field="product")
        url = site_path("reviews.product", brand=brand.slug, product=product.slug)
        thread_key, thread_title = f"product:{product.id}", product.name
    message = f"{brand.name}: {title}" + (f" · {body}" if body else "")
    with transaction():
        recipients = frozenset(db.session.scalars(_news_audience(brand)))
        notice = Notice(
            recipients,
            NotificationKind.OFFER,
            message,
            url,
            thread_key=thread_key,
            thread_title=thread_title,
            brand_id=brand.id,
            brand_name=brand.name,
        )
        told = notify_each([notice], actor_id=actor.id, now=now)
    return told
