"""fanhub: a community platform brands run for their customers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from fanhub import (
    cli,
    clock,
    content,
    errors,
    events,
    health,
    humanize,
    inputs,
    personal_data,
)
from fanhub.accounts import views as accounts_views
from fanhub.accounts.services import load_session_user
from fanhub.admin import views as admin_views
from fanhub.brands import personal_data as brands_data
from fanhub.brands import views as brands_views
from fanhub.config import load_config
from fanhub.db import configure_sqlite
from fanhub.embed import views as embed_views
from fanhub.embed.replay import EmbedAnswers
from fanhub.embed.sessions import SessionInterface
from fanhub.extensions import cache, csrf, db, limiter, login_manager, migrate
from fanhub.forums import content as forums_content
from fanhub.forums import personal_data as forums_data
from fanhub.forums import search as forums_search
from fanhub.forums import views as forums_views
from fanhub.headers import security_headers
from fanhub.moderation import personal_data as moderation_data
from fanhub.moderation import views as moderation_views
from fanhub.notifications import personal_data as notifications_data
from fanhub.notifications import views as notifications_views
from fanhub.permissions import Visitor
from fanhub.reviews import content as reviews_content
from fanhub.reviews import personal_data as reviews_data
from fanhub.reviews import search as reviews_search
from fanhub.reviews import subscribers as reviews_subscribers
from fanhub.reviews import views as reviews_views
from fanhub.search import indexing as search_indexing
from fanhub.search import views as search_views
from fanhub.staff import personal_data as staff_data
from fanhub.staff import views as staff_views

ROOT = Path(__file__).resolve().parent.parent

BLUEPRINTS = (
    accounts_views.bp,
    brands_views.bp,
    forums_views.bp,
    notifications_views.bp,
    reviews_views.bp,
    embed_views.bp,
    moderation_views.bp,
    staff_views.bp,
    admin_views.bp,
    search_views.bp,
    health.bp,
)

# The content registry's one list: every kind of content, declared by its own domain
# (`<domain>/content.py`). See docs/architecture.md, "to add a kind of content".
CONTENT_KINDS: tuple[content.ContentKind, ...] = (
    forums_content.TOPIC,
    forums_content.POST,
    reviews_content.REVIEW,
    reviews_content.REVIEW_REPLY,
)

# What search indexes (issue 14), each kind declared by its own domain (`<domain>/search.py`)
# through the content registry's `Searchable` protocol; products are searchable too.
SEARCHABLE: tuple[content.Searchable, ...] = (
    forums_search.TOPIC_SEARCH,
    forums_search.POST_SEARCH,
    reviews_search.REVIEW_SEARCH,
    reviews_search.REVIEW_REPLY_SEARCH,
    reviews_search.PRODUCT_SEARCH,
)

# The personal-data registry's one list: each domain's part of a member's data (her export
# and her account's deletion), `<domain>/personal_data.py`, in the order of her export.
PERSONAL_DATA: tuple[personal_data.PersonalData, ...] = (
    forums_data.PART,
    reviews_data.PART,
    brands_data.PART,
    notifications_data.PART,
    moderation_data.PART,
    staff_data.PART,
)

# Who hears which domain event after its commit: each domain's `subscribers.py`.
SUBSCRIPTIONS: tuple[tuple[type[events.Event], events.Subscriber], ...] = (
    *reviews_subscribers.SUBSCRIPTIONS,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a fanhub application; `config` overrides settings (tests pass one)."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path), config))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    # The widget's public URLs have no session: nothing to vary on, no cookie to set.
    app.session_interface = SessionInterface()

    # First of the before-request hooks: every later one, and every view, sees its moment.
    clock.register(app)
    # The bounded converters must be in place before any blueprint's rules are added, and
    # the body gate before CSRFProtect's hook: a JSON body gets 415, not a CSRF 400.
    inputs.init_app(app)
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                configure_sqlite(engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.anonymous_user = Visitor
    login_manager.user_loader(_load_user)

    content.register(CONTENT_KINDS)
    content.register_searchable(SEARCHABLE)
    # Each commit that writes a searchable row indexes it in the same transaction.
    search_indexing.watch_writes()
    personal_data.register(PERSONAL_DATA)
    events.subscribe(SUBSCRIPTIONS)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.register_error_handlers(app)
    humanize.register(app)
    cli.register(app)
    app.after_request(security_headers)
    # Cached widget answers skip Flask's per-request work (see fanhub/embed/replay.py).
    app.wsgi_app = EmbedAnswers(app.wsgi_app, app.extensions["cache"][cache])  # type: ignore[method-assign]
    hops = app.config["TRUSTED_PROXY_HOPS"]
    if hops:
        # The client's address, scheme and host as the trusted proxies passed them on, so
        # rate limits key on the visitor rather than on the proxy (docs/deployment.md).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _load_user(session_id: str) -> Any:
    # Flask-Login's loader, judged at the request's moment: a ban ends the session then.
    return load_session_user(session_id, now=clock.request_time())
