"""Fixtures for the outage tests: private servers, a served fanhub, and a small forum in it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from fanhub import create_app
from fanhub.brands.models import Role
from tests import factories
from tests.conftest import dispose_engines
from tests.embed.support import add_product
from tests.outages.servers import Gunicorn, PrivatePostgres, PrivateRedis


@dataclass(frozen=True)
class Forum:
    """What the served site holds: a member, a brand with a topic and a product."""

    member: str
    password: str
    brand: str
    topic_id: int
    product: str

    @property
    def topic(self) -> str:
        return f"/t/{self.topic_id}"

    @property
    def widget_json(self) -> str:
        return f"/embed/v1/{self.brand}/{self.product}/reviews.json"

    @property
    def widget_frame(self) -> str:
        return f"/embed/v1/{self.brand}/{self.product}/frame"

    @property
    def review_form(self) -> str:
        return f"/b/{self.brand}/p/{self.product}/review"


def seed_forum(app: Flask) -> Forum:
    """A member, a brand's staff, a topic and a product, made through the services."""
    member = factories.make_user(app, "alice")
    staff = factories.make_user(app, "sam")
    brand = factories.make_brand(app, "northwind", roles={Role.STAFF: [staff]})
    category = factories.make_category(app, brand)
    topic = factories.make_topic(app, category, staff, title="Opening hours over the holidays")
    product = add_product(app, brand, staff)
    return Forum(member.username, factories.PASSWORD, brand.slug, topic.id, product.slug)


def migrated_app(database_url: str, **settings: object) -> Flask:
    """An app on `database_url` with its schema built by the migrations (for set-up and
    for reading what the served app wrote)."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
            **settings,
        }
    )
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="module")
def postgres() -> Iterator[PrivatePostgres]:
    """A private PostgreSQL cluster the tests stop and start."""
    cluster = PrivatePostgres()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    """A private redis-server the tests kill and start again."""
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    yield server
    server.kill()


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Gunicorn]]:
    """`serve({"DATABASE_URL": ...}, workers=2)` starts gunicorn; all stop at the end."""
    started: list[Gunicorn] = []
    folder: Path = tmp_path_factory.mktemp("gunicorn")

    def start(env: dict[str, str], workers: int = 2) -> Gunicorn:
        server = Gunicorn(env, folder, workers=workers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def served_database(make_app: Callable[..., Flask]) -> Iterator[tuple[Flask, Forum]]:
    """A database of this run's backend with the forum in it, and an app to read it."""
    app = make_app()
    forum = seed_forum(app)
    dispose_engines(app)
    yield app, forum
    dispose_engines(app)
