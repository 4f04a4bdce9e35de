"""Valid objects with sensible defaults, made through the services so every rule holds."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fanhub.accounts import services as accounts
from fanhub.accounts.models import User
from fanhub.brands import services as brands
from fanhub.brands.models import Brand, Role
from fanhub.db import transaction, utcnow
from fanhub.extensions import db
from fanhub.forums import services as forums
from fanhub.forums.models import Category, CategoryKind, Post, Topic
from fanhub.notifications.models import OutboundEmail
from fanhub.permissions import SYSTEM

PASSWORD = "correct-horse-battery-staple"
_sequence = itertools.count(1)

# Each factory takes `now=` for a test that places its data in time, and otherwise makes it
# at the current reading of the run's clock: the one tests/conftest.py controls (moved by
# FANHUB_TEST_CLOCK and FANHUB_TEST_CLOCK_SHIFT_DAYS), never a fixed date.


def _loaded(obj: Any) -> Any:
    """Load every column now, so the object is usable after its session closes."""
    db.session.refresh(obj)
    return obj


def make_user(
    app: Flask,
    username: str | None = None,
    *,
    email: str | None = None,
    password: str = PASSWORD,
    admin: bool = False,
    verified: bool = True,
    display_name: str = "",
    trust_level: int = 1,
    now: datetime | None = None,
) -> User:
    """A member (confirmed email unless `verified=False`).

    At trust level 1 unless asked: an established member who posts freely. The level-0
    limits, spam signals and pre-moderation (issue 5) are tested with `trust_level=0`,
    which is what registering through the site gives.
    """
    n = next(_sequence)
    username = username or f"member{n}"
    now = now or utcnow()
    with app.app_context():
        user = accounts.register(
            accounts.RegistrationDraft(username, email or f"{username}@example.com", password),
            is_admin=admin,
            verified=verified,
            now=now,
        )
        if display_name:
            accounts.update_profile(SYSTEM, user, accounts.ProfileDraft(display_name, ""), now=now)
        if trust_level != user.trust_level:
            with transaction():  # set-up, not an admin's decision: nothing to log
                user.trust_level = trust_level
        return _loaded(user)


def make_new_members(app: Flask, *people: User) -> None:
    """Put these members back at trust level 0, where registering on the site starts."""
    with app.app_context(), transaction():
        for person in people:
            db.session.get(User, person.id).trust_level = 0


def make_brand(
    app: Flask,
    slug: str | None = None,
    *,
    name: str | None = None,
    roles: dict[Role, list[User]] | None = None,
    now: datetime | None = None,
) -> Brand:
    """A brand, with people appointed to roles in it."""
    n = next(_sequence)
    slug = slug or f"brand{n}"
    now = now or utcnow()
    with app.app_context():
        brand = brands.create_brand(SYSTEM, brands.BrandDraft(slug, name or f"Brand {n}"), now=now)
        for role, people in (roles or {}).items():
            for person in people:
                brands.add_role(SYSTEM, brand, db.session.get(User, person.id), role, now=now)
        return _loaded(brand)


def login(client: FlaskClient, login: str, password: str = PASSWORD, **extra: Any) -> Any:
    """Log `client` in through the real form."""
    return client.post("/login", data={"login": login, "password": password, **extra})


def sent_emails(app: Flask, kind: str | None = None) -> list[OutboundEmail]:
    """The outbox rows (oldest first), optionally only those of one kind."""
    with app.app_context():
        query = select(OutboundEmail).order_by(OutboundEmail.id)
        if kind is not None:
            query = query.where(OutboundEmail.kind == kind)
        return list(db.session.scalars(query))


def link_in(email: OutboundEmail, base_url: str = "http://localhost") -> str:
    """The path of the first link to fanhub in an email's text part."""
    match = re.search(re.escape(base_url) + r"(/\S+)", email.body_text)
    assert match, f"no link to {base_url} in: {email.body_text}"
    return match.group(1)


def reload_user(app: Flask, user_id: int) -> User:
    """The member's row as the database holds it now."""
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user is not None
        return _loaded(user)


def make_category(
    app: Flask,
    brand: Brand,
    kind: CategoryKind = CategoryKind.DISCUSSION,
    slug: str | None = None,
    *,
    now: datetime | None = None,
) -> Category:
    """A category of the brand."""
    n = next(_sequence)
    slug = slug or f"{kind.value}{n}"
    with app.app_context():
        category = forums.create_category(
            SYSTEM,
            db.session.get(Brand, brand.id),
            forums.CategoryDraft(slug, f"{kind.value.capitalize()} {n}", kind),
            now=now or utcnow(),
        )
        return _loaded(category)


def make_topic(
    app: Flask,
    category: Category,
    author: User,
    *,
    title: str = "A question about my order",
    body: str = "It arrived broken. What can I do?",
    replies: int = 0,
    repliers: list[User] | None = None,
    now: datetime | None = None,
) -> Topic:
    """A topic started through the service, with `replies` replies by `repliers` in turn."""
    now = now or utcnow()
    with app.app_context():
        topic = forums.start_topic(
            db.session.get(User, author.id),
            db.session.get(Category, category.id),
            forums.TopicDraft(title, body),
            now=now,
        )
        people = [db.session.get(User, u.id) for u in (repliers or [author])]
        for n in range(replies):
            forums.reply_to_topic(
                people[n % len(people)], topic, forums.ReplyDraft(f"Reply number {n + 1}."), now=now
            )
        return _loaded(topic)


def reply(
    app: Flask,
    topic: Topic,
    author: User,
    body: str = "Here is what I found.",
    *,
    reply_to_id: int | None = None,
    now: datetime | None = None,
) -> Post:
    """One reply through the service."""
    with app.app_context():
        post = forums.reply_to_topic(
            db.session.get(User, author.id),
            db.session.get(Topic, topic.id),
            forums.ReplyDraft(body, reply_to_id),
            now=now or utcnow(),
        )
        return _loaded(post)


def load(app: Flask, model: type[Any], ident: int) -> Any:
    """A row as the database holds it now."""
    with app.app_context():
        row = db.session.get(model, ident)
        assert row is not None
        return _loaded(row)


def run_together(app: Flask, work: Callable[[int], Any], count: int) -> None:
    """Run work(index) in `count` threads, each in its own app context, released at the same
    instant (the races concurrency tests are about); re-raise any failure."""
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def runner(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait()
                work(index)
        except BaseException as err:  # noqa: BLE001 - handed back to the test below
            failures.append(err)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
