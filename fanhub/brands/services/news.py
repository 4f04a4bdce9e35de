"""Product news and offers: a brand's message to the followers who asked for them.

A piece of news starts as a draft. Its page shows it as the email will look and how many
followers would get it; the team sends a test to themselves, then sends it (confirming
that number) or schedules it for a time in their own time zone, which
`flask send-scheduled-news` keeps (a scheduled send can be cancelled until it goes). The
history lists what went out, with the outbox's delivery counts for its emails.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from flask import current_app, render_template
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import joinedload

from fanhub.accounts.models import User, UserStatus
from fanhub.brands.models import (
    NEWS_BODY_MAX,
    NEWS_TITLE_MAX,
    Brand,
    BrandNews,
    BrandNewsEmail,
    Follow,
    NewsStatus,
)
from fanhub.brands.services.directory import access_brand_as
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.links import site_path
from fanhub.notifications.emails import StopLink
from fanhub.notifications.models import (
    Channel,
    EmailStatus,
    Frequency,
    MessageKind,
    NotificationKind,
    OutboundEmail,
)
from fanhub.notifications.preferences import frequencies_by_kind, wants
from fanhub.notifications.services import (
    Notice,
    notify_each,
    preferences_link,
    queue_email,
    unsubscribe_headers,
    unsubscribe_link,
)
from fanhub.permissions import Action, Actor, require, signed_in
from fanhub.reviews.models import Product

__all__ = ["NEWS_BODY_MAX", "NEWS_TITLE_MAX"]

# The brand's products offered as the news's link, most reviewed first.
NEWS_PRODUCTS_MAX: Final = 100
# Tests of one draft a member may send herself: enough to check it, too few to spam with.
TEST_SENDS_MAX: Final = 5
# The news page lists this many sends, newest first.
NEWS_HISTORY_SHOWN: Final = 20
EMAIL_KIND: Final = "brand_news"
TEST_EMAIL_KIND: Final = "brand_news_test"


@dataclass(frozen=True)
class BrandNewsDraft:
    title: str
    body: str
    # The slug of one of the brand's products the news links to; empty for the fan page.
    product: str = ""


@dataclass(frozen=True)
class Delivery:
    """What the outbox did with one send's emails."""

    delivered: int = 0
    failed: int = 0
    waiting: int = 0


@dataclass(frozen=True)
class NewsLine:
    """One piece of news as the news page lists it."""

    news: BrandNews
    product_name: str | None
    sender: str | None
    delivery: Delivery = field(default_factory=Delivery)


@dataclass(frozen=True)
class BrandNewsPage:
    """The news page: the form, who would get it, what it may link to, the drafts, what is
    scheduled, and the history of what was sent."""

    brand: Brand
    audience: int
    products: list[Product]
    drafts: list[NewsLine]
    scheduled: list[NewsLine]
    history: list[NewsLine]


@dataclass(frozen=True)
class NewsEmail:
    """The email a follower gets, rendered for one reader."""

    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class NewsPreview:
    """One piece of news on its own page: the email as it will look, who would get it."""

    line: NewsLine
    brand: Brand
    email: NewsEmail
    notice: str
    audience: int
    tests_left: int


def _news_audience(brand_id: int) -> Any:
    """The brand's followers who asked for product news and offers on some channel."""
    return (
        select(Follow.user_id)
        .join(User, User.id == Follow.user_id)
        .where(
            Follow.brand_id == brand_id,
            User.status != UserStatus.DELETED,
            wants(MessageKind.OFFERS, Follow.user_id),
        )
    )


def _audience_size(brand_id: int, *, sender: Actor | None = None) -> int:
    """How many followers asked for the brand's news; those who would get it from
    `sender` when given (she is never told of her own news)."""
    audience = _news_audience(brand_id)
    if sender is not None and sender.id is not None:
        audience = audience.where(Follow.user_id != sender.id)
    return db.session.scalar(select(func.count()).select_from(audience.subquery())) or 0


def brand_news_page(actor: Actor, slug: str, *, now: datetime) -> BrandNewsPage:
    """The brand at `slug`, how many followers would get its news, its products, and its
    drafts, scheduled sends and history, in a fixed number of queries.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor is not the brand's owner or staff.
    """
    brand = access_brand_as(actor, slug, Action.BRAND_NEWS_SEND, now=now)
    products = list(
        db.session.scalars(
            select(Product)
            .where(Product.brand_id == brand.id)
            .order_by(Product.rating_count.desc(), Product.name, Product.id)
            .limit(NEWS_PRODUCTS_MAX)
        )
    )
    open_news = list(
        db.session.scalars(
            select(BrandNews)
            .options(joinedload(BrandNews.sender))
            .where(
                BrandNews.brand_id == brand.id,
                BrandNews.status.in_((NewsStatus.DRAFT, NewsStatus.SCHEDULED)),
            )
            .order_by(BrandNews.id.desc())
        )
    )
    sent = list(
        db.session.scalars(
            select(BrandNews)
            .options(joinedload(BrandNews.sender))
            .where(BrandNews.brand_id == brand.id, BrandNews.status == NewsStatus.SENT)
            .order_by(BrandNews.sent_at.desc(), BrandNews.id.desc())
            .limit(NEWS_HISTORY_SHOWN)
        )
    )
    lines = _lines([*open_news, *sent])
    scheduled = [line for line in lines if line.news.status is NewsStatus.SCHEDULED]
    return BrandNewsPage(
        brand,
        _audience_size(brand.id),
        products,
        drafts=[line for line in lines if line.news.status is NewsStatus.DRAFT],
        scheduled=sorted(scheduled, key=lambda line: (line.news.send_at, line.news.id)),
        history=[line for line in lines if line.news.status is NewsStatus.SENT],
    )


def _lines(rows: list[BrandNews]) -> list[NewsLine]:
    """News with its product's name, its sender and its delivery counts: two queries."""
    product_ids = {row.product_id for row in rows if row.product_id is not None}
    names: dict[int, str] = {}
    if product_ids:
        names = {
            product_id: name
            for product_id, name in db.session.execute(
                select(Product.id, Product.name).where(Product.id.in_(product_ids))
            )
        }
    sent_ids = [row.id for row in rows if row.status is NewsStatus.SENT]
    counts: dict[int, Counter[EmailStatus]] = {}
    if sent_ids:
        for news_id, status, count in db.session.execute(
            select(BrandNewsEmail.news_id, OutboundEmail.status, func.count())
            .join(OutboundEmail, OutboundEmail.id == BrandNewsEmail.email_id)
            .where(BrandNewsEmail.news_id.in_(sent_ids))
            .group_by(BrandNewsEmail.news_id, OutboundEmail.status)
        ):
            counts.setdefault(news_id, Counter())[EmailStatus(status)] += count
    return [
        NewsLine(
            row,
            names.get(row.product_id) if row.product_id is not None else None,
            _username(row.sender),
            _delivery(counts.get(row.id, Counter())),
        )
        for row in rows
    ]


def _delivery(counts: Counter[EmailStatus]) -> Delivery:
    return Delivery(
        delivered=counts[EmailStatus.SENT],
        failed=counts[EmailStatus.FAILED],
        waiting=counts[EmailStatus.PENDING] + counts[EmailStatus.SENDING],
    )


def _username(user: User | None) -> str | None:
    if user is None:
        return None
    return "a deleted member" if user.status is UserStatus.DELETED else user.username


def access_news(actor: Actor, brand_slug: str, news_id: int, *, now: datetime) -> BrandNews:
    """One piece of the brand's news, for its team.

    :raises NotFound: no such brand, or no such news of it.
    :raises Forbidden: the actor is not the brand's owner or staff.
    """
    brand = access_brand_as(actor, brand_slug, Action.BRAND_NEWS_SEND, now=now)
    news = db.session.scalar(
        select(BrandNews)
        .options(joinedload(BrandNews.sender))
        .where(BrandNews.id == news_id, BrandNews.brand_id == brand.id)
    )
    if news is None:
        raise NotFound("There is no such news. It may have been deleted.")
    return news


def _clean(brand: Brand, draft: BrandNewsDraft) -> tuple[str, str, Product | None]:
    """The draft's title, text and product, as they will be stored.

    :raises Invalid: no title, text too long, or a product that is not the brand's.
    """
    title = " ".join(draft.title.split())
    body = " ".join(draft.body.split())
    problems: dict[str, str] = {}
    if not title or len(title) > NEWS_TITLE_MAX:
        problems["title"] = f"Give it a title of at most {NEWS_TITLE_MAX} characters."
    if len(body) > NEWS_BODY_MAX:
        problems["body"] = f"Keep it to {NEWS_BODY_MAX} characters."
    product = None
    if draft.product:
        product = db.session.scalar(
            select(Product).where(Product.brand_id == brand.id, Product.slug == draft.product)
        )
        if product is None:
            problems["product"] = f"{brand.name} has no such product."
    if problems:
        (first, message), *others = problems.items()
        raise Invalid(message, field=first, also=dict(others))
    return title, body, product


def save_news_draft(
    actor: Actor,
    brand: Brand,
    draft: BrandNewsDraft,
    *,
    now: datetime,
    news: BrandNews | None = None,
) -> BrandNews:
    """Keep a draft of news (a new one, or `news` changed); nothing is sent.

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Invalid: no title, text too long, or a product that is not the brand's.
    :raises Conflict: `news` was sent or scheduled meanwhile (cancel a schedule to edit).
    """
    require(actor, Action.BRAND_NEWS_SEND, brand.id, now=now)
    title, body, product = _clean(brand, draft)
    values = {
        "title": title,
        "body": body,
        "product_id": product.id if product is not None else None,
        "updated_at": now,
    }
    with transaction():
        if news is None:
            news = BrandNews(
                brand_id=brand.id,
                author_id=actor.id,
                status=NewsStatus.DRAFT,
                recipient_count=0,
                emailed_count=0,
                test_count=0,
                created_at=now,
                **values,
            )
            db.session.add(news)
        else:
            _change_draft(news, values)
    return news


def _change_draft(news: BrandNews, values: dict[str, Any]) -> None:
    """Change a draft that is still a draft (no commit).

    :raises Conflict: it was sent or scheduled meanwhile.
    """
    changed = rows_changed(
        db.session.execute(
            update(BrandNews)
            .where(BrandNews.id == news.id, BrandNews.status == NewsStatus.DRAFT)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    )
    if not changed:
        raise Conflict(not_a_draft(news))
    db.session.refresh(news)


def not_a_draft(news: BrandNews) -> str:
    db.session.refresh(news)
    if news.status is NewsStatus.SCHEDULED:
        return "This news is scheduled: cancel the schedule to change it."
    return "This news has already gone out, so it can't be changed."


def discard_news(actor: Actor, news: BrandNews, *, now: datetime) -> None:
    """Delete a draft that was never sent.

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Conflict: it was sent or scheduled meanwhile.
    """
    require(actor, Action.BRAND_NEWS_SEND, news.brand_id, now=now)
    with transaction():
        gone = rows_changed(
            db.session.execute(
                delete(BrandNews)
                .where(BrandNews.id == news.id, BrandNews.status == NewsStatus.DRAFT)
                .execution_options(synchronize_session=False)
            )
        )
        if not gone:
            raise Conflict(not_a_draft(news))


def news_preview(actor: Actor, news: BrandNews, *, now: datetime) -> NewsPreview:
    """The news's page: the email as a follower will get it (addressed to the reader), the
    notice the site shows, and how many followers would get it now.

    :raises Forbidden: the actor is not the brand's owner or staff.
    """
    require(actor, Action.BRAND_NEWS_SEND, news.brand_id, now=now)
    brand = db.session.get_one(Brand, news.brand_id)
    product = db.session.get(Product, news.product_id) if news.product_id else None
    (line,) = _lines([news])
    reader = signed_in(actor)
    email = _render(brand, news, product, reader if isinstance(reader, User) else None, now)
    return NewsPreview(
        line,
        brand,
        email,
        _message(brand, news),
        _audience_size(brand.id, sender=actor),
        max(0, TEST_SENDS_MAX - news.test_count),
    )


def news_email_html(actor: Actor, news: BrandNews, *, now: datetime) -> str:
    """The email's HTML alone, for the preview's frame.

    :raises Forbidden: the actor is not the brand's owner or staff.
    """
    return news_preview(actor, news, now=now).email.html


def _message(brand: Brand, news: BrandNews) -> str:
    """The notice the site shows (and the notification emails and digests quote)."""
    return f"{brand.name}: {news.title}" + (f" · {news.body}" if news.body else "")


def _link(brand: Brand, product: Product | None) -> tuple[str, str]:
    """Where the news leads (a path on this site), and the words of its button."""
    if product is not None:
        return site_path("reviews.product", brand=brand.slug, product=product.slug), (
            f"See {product.name}"
        )
    return site_path("brands.fan_page", brand=brand.slug), f"Visit {brand.name} on fanhub"


def _render(
    brand: Brand, news: BrandNews, product: Product | None, reader: User | None, now: datetime
) -> NewsEmail:
    """The email for one reader (her name, her own unsubscribe link)."""
    context = _email_context(brand, news, product, reader, now)
    context.setdefault("preferences_url", preferences_link())
    return NewsEmail(
        _subject(brand, news),
        render_template("email/brand_news.html", **context),
        render_template("email/brand_news.txt", **context),
    )


def _subject(brand: Brand, news: BrandNews) -> str:
    return f"{brand.name}: {news.title}"


def _stop_links(reader: User | None, now: datetime) -> list[StopLink]:
    if reader is None:
        return []
    return [
        StopLink(
            "offers and product news", unsubscribe_link(reader.id, MessageKind.OFFERS, now=now)
        )
    ]


def send_test_news(actor: Actor, news: BrandNews, *, now: datetime) -> str:
    """Email the news to the actor herself, as a follower will get it; returns the address.

    :raises Forbidden: the actor is not the brand's owner or staff (or is the command line).
    :raises Conflict: she has sent TEST_SENDS_MAX tests of it already.
    """
    require(actor, Action.BRAND_NEWS_SEND, news.brand_id, now=now)
    reader = signed_in(actor)
    if not isinstance(reader, User) or not reader.email:
        raise Conflict("A test goes to your own email address, and this account has none.")
    brand = db.session.get_one(Brand, news.brand_id)
    product = db.session.get(Product, news.product_id) if news.product_id else None
    with transaction():
        counted = rows_changed(
            db.session.execute(
                update(BrandNews)
                .where(BrandNews.id == news.id, BrandNews.test_count < TEST_SENDS_MAX)
                .values(test_count=BrandNews.test_count + 1)
                .execution_options(synchronize_session=False)
            )
        )
        if not counted:
            raise Conflict(
                f"You have sent yourself {TEST_SENDS_MAX} tests of this news already.",
                field="test",
            )
        queue_email(
            to=reader.email,
            kind=TEST_EMAIL_KIND,
            subject=f"[Test] {_subject(brand, news)}",
            template="brand_news",
            headers=unsubscribe_headers(reader.id, MessageKind.OFFERS, now=now),
            now=now,
            **_email_context(brand, news, product, reader, now),
        )
    db.session.refresh(news)
    return reader.email


def _email_context(
    brand: Brand, news: BrandNews, product: Product | None, reader: User | None, now: datetime
) -> dict[str, Any]:
    """What the news email says to one reader (templates/email/brand_news.*)."""
    path, label = _link(brand, product)
    return {
        "user": reader,
        "brand": brand,
        "title": news.title,
        "body": news.body,
        # Paths are this site's (as notification emails link them).
        "link": current_app.config["BASE_URL"] + path,
        "link_label": label,
        "reason": f"You get this email because you follow {brand.name} and asked for "
        "its product news and offers by email.",
        "stop_links": _stop_links(reader, now),
    }


def send_news(actor: Actor, news: BrandNews, *, expected: int | None, now: datetime) -> int:
    """Send a draft now to the followers who asked for news; returns how many were told.

    `expected` is the number of recipients she confirmed: when the audience has changed
    since (followers came, went or changed their minds), nothing is sent and she is
    shown the new number to confirm instead.

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Conflict: the number changed, or the news was sent or scheduled meanwhile.
    """
    require(actor, Action.BRAND_NEWS_SEND, news.brand_id, now=now)
    audience = _audience_size(news.brand_id, sender=actor)
    if expected is not None and expected != audience:
        raise Conflict(
            f"The number of followers who would get it is now {audience}, not {expected}. "
            "Check it and send again.",
            field="send",
        )
    with transaction():
        claimed = rows_changed(
            db.session.execute(
                update(BrandNews)
                .where(BrandNews.id == news.id, BrandNews.status == NewsStatus.DRAFT)
                .values(status=NewsStatus.SENT, sent_at=now, sender_id=actor.id, updated_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if not claimed:
            raise Conflict(not_a_draft(news), field="send")
        db.session.refresh(news)
        told = deliver_news(news, now)
    return told


def send_brand_news(actor: Actor, brand: Brand, draft: BrandNewsDraft, *, now: datetime) -> int:
    """Write and send news in one step (no preview): what the command line and older
    callers use. Returns how many followers were told.

    :raises Forbidden: the actor is not the brand's owner or staff.
    :raises Invalid: no title, text too long, or a product that is not the brand's.
    """
    news = save_news_draft(actor, brand, draft, now=now)
    return send_news(actor, news, expected=None, now=now)


def deliver_news(news: BrandNews, now: datetime) -> int:
    """Tell the followers who opted into product news and offers, in the caller's
    transaction; returns how many were told.

    Only those: a follower who never said yes hears nothing (the default is no, and every
    yes is in her consent record). How each is told follows her own choices: those who
    want it by email at once get the brand's own email now (each with her unsubscribe
    link), those who chose a digest find it there, and the site's notice reaches those
    who want it on the site. The sender is never told of her own news.
    """
    brand = db.session.get_one(Brand, news.brand_id)
    product = db.session.get(Product, news.product_id) if news.product_id else None
    path, _ = _link(brand, product)
    recipients = frozenset(db.session.scalars(_news_audience(brand.id))) - {news.sender_id}
    choices = frequencies_by_kind(recipients, [MessageKind.OFFERS])[MessageKind.OFFERS]
    emailed: dict[int, OutboundEmail] = {}
    readers = db.session.scalars(
        select(User)
        .where(
            User.id.in_(_news_audience(brand.id)),
            # Only an address she confirmed is hers (as every notification email).
            User.email != "",
            User.email_verified_at.is_not(None),
        )
        .order_by(User.id)
    )
    subject = _subject(brand, news)
    for reader in readers:
        if reader.id not in recipients:
            continue
        if choices[reader.id][Channel.EMAIL] is not Frequency.INSTANT:
            continue
        emailed[reader.id] = queue_email(
            to=reader.email,
            kind=EMAIL_KIND,
            subject=subject,
            template="brand_news",
            headers=unsubscribe_headers(reader.id, MessageKind.OFFERS, now=now),
            now=now,
            **_email_context(brand, news, product, reader, now),
        )
    # The brand's news is one thread, each product's news another.
    thread_key, thread_title = f"brand:{brand.id}", brand.name
    if product is not None:
        thread_key, thread_title = f"product:{product.id}", product.name
    told = notify_each(
        [
            Notice(
                recipients,
                NotificationKind.OFFER,
                _message(brand, news),
                path,
                thread_key=thread_key,
                thread_title=thread_title,
                brand_id=brand.id,
                brand_name=brand.name,
                emailed=frozenset(emailed),
            )
        ],
        actor_id=news.sender_id,
        now=now,
    )
    if emailed:
        db.session.flush()  # the outbox rows' ids
        db.session.execute(
            insert(BrandNewsEmail),
            [{"email_id": email.id, "news_id": news.id} for email in emailed.values()],
        )
    db.session.execute(
        update(BrandNews)
        .where(BrandNews.id == news.id)
        .values(recipient_count=told, emailed_count=len(emailed))
        .execution_options(synchronize_session=False)
    )
    return told
