"""The app the benchmark serves: fanhub as deployed, plus one baseline route to compare with."""

from __future__ import annotations

from flask import Flask, render_template
from sqlalchemy import select

from fanhub import create_app
from fanhub.accounts.models import User
from fanhub.extensions import db

BASELINE_USERNAME = "member0001"
# As small as a page can be while still going through Jinja, the session and the
# security headers: what every fanhub page costs before it does any work of its own.
BASELINE_TEMPLATE = (
    "<!doctype html><title>baseline</title>"
    "<p>{% if user %}{{ user.username }} is member {{ user.id }}{% else %}nobody{% endif %}</p>"
)


def create_bench_app() -> Flask:
    """fanhub with `/bench/baseline`: one indexed query and a tiny template."""
    app = create_app()
    # Compiled once, as Flask caches the real templates: render_template_string would
    # compile it on every request and make the baseline look slower than it is.
    template = app.jinja_env.from_string(BASELINE_TEMPLATE)

    @app.get("/bench/baseline")
    def baseline() -> str:
        user = db.session.execute(
            select(User.id, User.username).where(User.username == BASELINE_USERNAME)
        ).first()
        return render_template(template, user=user)

    return app
