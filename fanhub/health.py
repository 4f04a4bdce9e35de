"""Liveness: is the process up, can it reach its database, and is Redis there."""

from __future__ import annotations

import contextlib
import logging

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from fanhub.cache import redis_state
from fanhub.extensions import cache, db, limiter

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.route("/healthz")
@limiter.exempt
def healthz() -> ResponseReturnValue:
    """200 "ok"; 200 "degraded" while Redis is unreachable (pages still serve, with limits
    counted per process and no shared cache); 503 "error" while the database is."""
    redis = redis_state(current_app.extensions["cache"][cache])
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as err:
        log.warning("health check: database unreachable: %s", str(err).split("\n", 1)[0])
        with contextlib.suppress(SQLAlchemyError):  # the connection went with the server
            db.session.rollback()
        response = jsonify(status="error", database="unreachable", redis=redis)
        response.status_code = 503
        response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
        return response
    status = "degraded" if redis == "unreachable" else "ok"
    return jsonify(status=status, database="ok", redis=redis)
