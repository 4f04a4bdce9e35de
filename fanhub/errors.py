"""Domain errors and the handlers that turn every error into a page or a JSON answer."""

from __future__ import annotations

import logging
import uuid
from typing import ClassVar

from flask import Flask, Request, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from fanhub.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no; the message is written for the person who asked."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(
        self, message: str, field: str | None = None, *, also: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Further fields that broke their rules, so a form can show every problem at once.
        self.also = dict(also or {})


class Invalid(DomainError):
    status = 400
    code = "invalid"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


# What a person sees for each status when no rule wrote a message of its own.
DEFAULT_MESSAGES = {
    400: ("Bad request", "Something in that request was not right. Please check it and try again."),
    401: ("Please log in", "You need to log in to do that."),
    403: ("Not allowed", "You don't have permission to do that."),
    404: ("Page not found", "We couldn't find that page. It may have moved or been removed."),
    405: ("Not allowed", "That page can't be used that way."),
    409: ("Conflict", "That clashes with something that already exists."),
    413: ("Too large", "That request is too large. The limit is 1 MB."),
    429: ("Slow down", "Too many attempts in a short time. Please wait a moment and try again."),
    500: ("Something went wrong", "Sorry, something broke on our side. We've logged it."),
    503: ("Unavailable", "fanhub is briefly unavailable. Please try again in a minute."),
}


def wants_json(req: Request) -> bool:
    """JSON for the machine-facing URLs and for clients that prefer it to HTML."""
    if req.path.startswith(("/embed/", "/api/")) or req.path == "/healthz":
        return True
    best = req.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and req.accept_mimetypes[best] > req.accept_mimetypes["text/html"]
    )


def _respond(status: int, message: str | None, code: str) -> tuple[object, int]:
    title, default = DEFAULT_MESSAGES.get(status, (f"Error {status}", "Something went wrong."))
    text = message or default
    if wants_json(request):
        return jsonify(error=code, message=text), status
    template = f"errors/{status}.html" if status in DEFAULT_MESSAGES else "errors/generic.html"
    return render_template(template, title=title, message=text, status=status), status


def register_error_handlers(app: Flask) -> None:
    """Map domain errors, werkzeug's HTTP errors and crashes to pages or JSON."""

    @app.errorhandler(DomainError)
    def _domain(err: DomainError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return _respond(err.status, err.message, err.code)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):  # type: ignore[no-untyped-def]
        return _respond(
            400,
            "Your form expired or was sent from somewhere else. Please go back, reload and retry.",
            "csrf_failed",
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):  # type: ignore[no-untyped-def]
        status = err.code or 500
        # werkzeug's own descriptions are fine for most codes, but ours are friendlier.
        message = None if status in DEFAULT_MESSAGES else err.description
        if status == 429:
            message = DEFAULT_MESSAGES[429][1]
        response, code = _respond(status, message, (err.name or "error").lower().replace(" ", "_"))
        if status == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            return response, code, {"Allow": ", ".join(err.valid_methods)}
        return response, code

    @app.errorhandler(Exception)
    def _crash(err: Exception):  # type: ignore[no-untyped-def]
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", incident, request.method, request.path)
        db.session.rollback()
        return _respond(500, f"{DEFAULT_MESSAGES[500][1]} Reference: {incident}.", "server_error")
