"""The widget benchmark's baseline: a bare Flask app answering a small constant JSON.

Served by the same gunicorn settings in the same run as fanhub, it is the most a Python
WSGI app on this machine can do per request; the widget's JSON and frame are measured
against it.
"""

from __future__ import annotations

from flask import Flask, Response

# About the size of the headers and envelope of a real answer, without the reviews.
CONSTANT = {"status": "ok", "product": "baseline", "rating": {"average": 4.2, "count": 12}}


def create_baseline_app() -> Flask:
    """A Flask app with `/baseline.json` and the `/healthz` the bench waits for."""
    app = Flask(__name__)

    @app.get("/baseline.json")
    def baseline() -> Response:
        return app.json.response(CONSTANT)

    @app.get("/healthz")
    def health() -> Response:
        return app.json.response({"status": "ok"})

    return app
