"""Domain errors and the handlers that turn every error into a page or a JSON answer."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_login import login_url
from flask_wtf.csrf import CSRFError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, DisconnectionError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException

from fanhub.extensions import db, login_manager

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])


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


class Unavailable(DomainError):
    """A server fanhub needs (the database, Redis) cannot be reached: try again shortly."""

    status = 503
    code = "unavailable"


# PostgreSQL's SQLSTATEs for "no connection to be had": connection exceptions (class 08),
# the server shutting down or starting up (57P01-57P03), and no free connection slot.
_PG_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
# SQLite's counterparts: the file or its disk is gone. "database is locked" is not one:
# that is another writer, and the request's own error.
_SQLITE_UNREACHABLE = ("unable to open database", "disk i/o error")


def is_outage(err: BaseException | None) -> bool:
    """True when `err` says a server fanhub depends on cannot be reached just now, so the
    same request would succeed in a moment: not a broken rule, not a bug of ours."""
    seen = 0
    while err is not None and seen < 5:  # the error itself, or what it was raised from
        if _unreachable(err):
            return True
        err, seen = err.__cause__, seen + 1
    return False


def _unreachable(err: BaseException) -> bool:
    if isinstance(err, Unavailable | RedisConnectionError | RedisTimeoutError):
        return True
    # No pooled connection came free in time: the database is too slow or gone.
    if isinstance(err, DisconnectionError | PoolTimeoutError):
        return True
    if not isinstance(err, DBAPIError):
        return False
    if err.connection_invalidated:  # SQLAlchemy's dialect recognised a lost connection
        return True
    original = err.orig
    if isinstance(original, sqlite3.Error):
        return any(text in str(original).lower() for text in _SQLITE_UNREACHABLE)
    state = getattr(original, "sqlstate", "")
    # psycopg reports a refused or broken connection with no SQLSTATE at all.
    if state is None:
        return err.__class__.__name__ in ("OperationalError", "InterfaceError")
    return bool(state) and state.startswith(_PG_UNREACHABLE_STATES)


# Where a view keeps the form it re-shows with her text on an outage.
_RESHOWN = "fanhub_reshown_on_outage"


def reshown_on_outage(form: Callable[[], Any], what: str) -> Callable[[View], View]:
    """Mark a view whose POST, when the database or Redis cannot be reached, answers 503
    with `form` filled in with what she sent and a request to send it again, instead of
    the generic page: a reply written during an outage is not lost with the request.

    Put it right under the route decorator; `what` names the thing ("reply", "review").
    """

    def mark(view: View) -> View:
        setattr(view, _RESHOWN, (form, what))
        return view

    return mark


# What a person sees for each status when no rule wrote a message of its own.
DEFAULT_MESSAGES = {
    400: ("Bad request", "Something in that request was not right. Please check it and try again."),
    401: ("Please log in", "You need to log in to do that."),
    403: ("Not allowed", "You don't have permission to do that."),
    404: ("Page not found", "We couldn't find that page. It may have moved or been removed."),
    405: ("Not allowed", "That page can't be used that way."),
    409: ("Conflict", "That clashes with something that already exists."),
    413: ("Too large", "That request is too large. The limit is 1 MB."),
    # Issue 11: pages take form bodies only (fanhub.inputs.refuse_bodies).
    415: (
        "Not a form",
        "This address takes a form as a browser sends it, not JSON or other data.",
    ),
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


def _respond(status: int, message: str | None, code: str) -> tuple[Response | str, int]:
    if status == 503:
        return _unavailable(message), 503
    title, default = DEFAULT_MESSAGES.get(status, (f"Error {status}", "Something went wrong."))
    text = message or default
    if wants_json(request):
        return jsonify(error=code, message=text), status
    template = f"errors/{status}.html" if status in DEFAULT_MESSAGES else "errors/generic.html"
    try:
        # The page shell shows the signed-in member, whom Flask-Login loads from the
        # database: with the database gone even a 404 can only say "come back soon".
        return render_template(template, title=title, message=text, status=status), status
    except Exception as err:
        if not is_outage(err):
            raise
        note_outage(err)
        return _unavailable(), 503


def _unavailable(message: str | None = None) -> Response:
    """503 with Retry-After: JSON, her form back with her text, or the "briefly
    unavailable" page, each built without the database (it may be what is down)."""
    title, default = DEFAULT_MESSAGES[503]
    if wants_json(request):
        response = jsonify(error=Unavailable.code, message=message or default)
    else:
        view = current_app.view_functions.get(request.endpoint or "")
        reshown = getattr(view, _RESHOWN, None) if request.method == "POST" else None
        if reshown is not None:
            form, what = reshown
            html = _render_without_member(
                "errors/unsaved.html", title=f"Your {what} is not saved yet", form=form(),
                what=what, action=request.full_path.rstrip("?"), status=503,
            )  # fmt: skip
        else:
            html = _render_without_member(
                "errors/503.html", title=title, message=message or default, status=503
            )
        response = Response(html, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
    # A CDN or browser must not keep "unavailable" for longer than the outage.
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_without_member(template: str, **context: Any) -> str:
    # Straight from the environment: render_template's context processors would load
    # the signed-in member (Flask-Login) from the database to show her in the header.
    return current_app.jinja_env.get_template(template).render(**context)


def note_outage(err: BaseException) -> None:
    """Log an outage a view answered itself, and roll back what it had begun."""
    # One line, not a traceback: during an outage every request says the same thing.
    log.warning(
        "unavailable: %s on %s %s: %s",
        type(err).__name__, request.method, request.path, str(err).split("\n", 1)[0],
    )  # fmt: skip
    _roll_back()


def _roll_back() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection went with the server; the pool replaces it
        log.debug("rollback after an outage failed", exc_info=True)


def _signed_out() -> ResponseReturnValue:
    """A members' URL asked for by someone signed out: 401 for a client that asked for
    JSON (a page's script has no use for the login form), else Flask-Login's own answer,
    the login page told where to come back to."""
    if wants_json(request):
        raise Unauthorized(DEFAULT_MESSAGES[401][1])
    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))


def register_error_handlers(app: Flask) -> None:
    """Map domain errors, werkzeug's HTTP errors and crashes to pages or JSON."""

    login_manager.unauthorized_handler(_signed_out)

    def _retry_after(response: Response) -> Response:
        # Flask-Limiter rewrites Retry-After on a limited route (the login form's 503 would
        # say "in 60 s", its window); the outage's own figure must be the one that stays.
        if response.status_code == 503:
            response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
        return response

    # First in the list, so it runs last: Flask calls after_request hooks in reverse.
    app.after_request_funcs.setdefault(None, []).insert(0, _retry_after)

    @app.errorhandler(DomainError)
    def _domain(err: DomainError) -> ResponseReturnValue:
        _roll_back()
        return _respond(err.status, err.message, err.code)

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError) -> ResponseReturnValue:
        return _respond(
            400,
            "Your form expired or was sent from somewhere else. Please go back, reload and retry.",
            "csrf_failed",
        )

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> ResponseReturnValue:
        status = err.code or 500
        # Flask's last resort (an error inside an error handler or an after_request hook)
        # arrives as a 500 wrapping what went wrong.
        original = getattr(err, "original_exception", None)
        if status == 500 and original is not None and is_outage(original):
            note_outage(original)
            return _unavailable(), 503
        # werkzeug's own descriptions are fine for most codes, but ours are friendlier.
        message = None if status in DEFAULT_MESSAGES else err.description
        if status == 429:
            message = DEFAULT_MESSAGES[429][1]
        response, code = _respond(status, message, (err.name or "error").lower().replace(" ", "_"))
        if status == 405 and hasattr(err, "valid_methods") and err.valid_methods:
            return response, code, {"Allow": ", ".join(err.valid_methods)}
        return response, code

    @app.errorhandler(Exception)
    def _crash(err: Exception) -> ResponseReturnValue:
        if is_outage(err):
            note_outage(err)
            return _unavailable(), 503
        incident = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s %s", incident, request.method, request.path)
        _roll_back()
        return _respond(500, f"{DEFAULT_MESSAGES[500][1]} Reference: {incident}.", "server_error")
