"""fanhub: a community platform brands run for their customers."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response

from fanhub import cli, errors, health, humanize
from fanhub.accounts import views as accounts_views
from fanhub.accounts.services import load_session_user
from fanhub.brands import views as brands_views
from fanhub.config import load_config
from fanhub.db import configure_sqlite
from fanhub.embed import views as embed_views
from fanhub.embed.replay import EmbedAnswers
from fanhub.embed.sessions import SessionInterface
from fanhub.extensions import cache, csrf, db, limiter, login_manager, migrate
from fanhub.forums import views as forums_views
from fanhub.moderation import views as moderation_views
from fanhub.notifications import views as notifications_views
from fanhub.reviews import views as reviews_views
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
    health.bp,
)

# No inline script or style anywhere; member images may come from any http(s) host.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' https: http: data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
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
    login_manager.user_loader(load_session_user)

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.register_error_handlers(app)
    humanize.register(app)
    cli.register(app)
    app.after_request(_security_headers)
    # Cached widget answers skip Flask's per-request work (see fanhub/embed/replay.py).
    app.wsgi_app = EmbedAnswers(app.wsgi_app, app.extensions["cache"][cache])  # type: ignore[method-assign]
    return app


def _security_headers(response: Response) -> Response:
    policy = response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    # For browsers without CSP's frame-ancestors. A page that may be framed (the widget's
    # iframe) names who may in its own policy, which X-Frame-Options cannot express.
    if "frame-ancestors" not in policy or "frame-ancestors 'none'" in policy:
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response
