"""The widget's public endpoints (script, JSON, iframe page) and the staff embed page.

The public endpoints are the hottest path fanhub has (one shop page view is one widget
request), so they never touch the session or the signed-in member: no cookie, no
`Vary: Cookie`, no user loaded, and a cache hit runs no SQL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from fanhub.clock import request_time
from fanhub.config import DEFAULT_BASE_URL
from fanhub.embed import services
from fanhub.embed.replay import SUMMARY_USED
from fanhub.embed.sessions import PUBLIC_PREFIX
from fanhub.errors import Invalid, NotFound, Unavailable, is_outage, note_outage
from fanhub.extensions import limiter
from fanhub.links import absolute_url
from fanhub.permissions import Action
from fanhub.reviews import services as reviews
from fanhub.reviews import widget

bp = Blueprint("embed", __name__)


@limiter.request_filter
def _unlimited() -> bool:
    """The public endpoints carry no rate limit: they are served from a cache (and meant
    to sit behind a CDN), and checking for limits that never apply costs a quarter of
    a cached answer's time."""
    return request.path.startswith(PUBLIC_PREFIX)


# Browsers and CDNs may serve a summary for 5 minutes and keep serving it for 10 more
# while they fetch a fresh one; the server's own cache is what changes drop at once.
PUBLIC_CACHE = "public, max-age=300, stale-while-revalidate=600"
SCRIPT_CACHE = "public, max-age=3600"
SCRIPT_FOLDER = "embed"


@bp.after_request
def _public_headers(response: Response) -> Response:
    """Anyone may read the widget's answers, errors included, from any site."""
    if request.endpoint != "embed.staff_embed":
        response.headers["Access-Control-Allow-Origin"] = "*"
        # Shops that isolate their pages (Cross-Origin-Embedder-Policy) can still load it.
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/embed/v1/widget.js")
def script() -> Response:
    folder = Path(current_app.static_folder or "static") / SCRIPT_FOLDER
    body = services.widget_script(str(folder))
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = SCRIPT_CACHE
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.make_conditional(request)  # turns it into a 304 in place when the ETag matches
    return response


@bp.get("/embed/v1/<brand>/<product>/reviews.json")
def reviews_json(brand: str, product: str) -> Response:
    summary = widget.cached_summary(brand, product, by_sku=_by_sku())
    _built_from(summary)
    return _conditional(summary.body, summary.etag, "application/json")


@bp.get("/embed/v1/<brand>/<product>/frame")
def frame(brand: str, product: str) -> Response:
    try:
        services.check_frame_arguments(request.args.to_dict(flat=False))
        options = services.widget_options(
            request.args.get("theme"), request.args.get("accent"), request.args.get("count")
        )
        summary = widget.cached_summary(brand, product, by_sku=_by_sku())
    except (Invalid, NotFound) as err:
        # A page in someone's iframe, not JSON: the JSON error (framed by no one) would
        # show the shop's visitors the browser's broken-frame icon.
        return _frame_problem(services.frame_problem(err, request.args.get("theme")))
    except Exception as err:
        if not is_outage(err):
            raise
        # The database is down and no saved answer stands in: the same small empty frame,
        # saying so, rather than JSON (or the site's page) inside the shop's iframe.
        note_outage(err)
        response = _frame_problem(
            services.frame_problem(
                Unavailable("Reviews are briefly unavailable. Please try again in a minute."),
                request.args.get("theme"),
            )
        )
        response.headers["Retry-After"] = str(current_app.config["RETRY_AFTER_SECONDS"])
        response.headers["Cache-Control"] = "no-store"
        return response
    _built_from(summary)
    page = services.frame_page(summary, options)
    html = _render_frame("embed/frame.html", page=page)
    response = _conditional(html.encode(), page.etag, "text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = services.frame_policy(page)
    return response


@bp.get("/b/<brand>/p/<product>/embed")
@login_required
def staff_embed(brand: str, product: str) -> ResponseReturnValue:
    target = reviews.access_product_as(
        current_user, brand, product, Action.PRODUCT_MANAGE, now=request_time()
    )
    code = services.snippets(
        target.brand.slug,
        target.slug,
        target.sku,
        target.name,
        script_url=_public_url("embed.script"),
        frame_url=_public_url("embed.frame", brand=target.brand.slug, product=target.slug),
    )
    return render_template(
        "embed/staff.html",
        product=target,
        brand=target.brand,
        code=code,
        options=services.WidgetOptions(),
    )


def _public_url(endpoint: str, **values: Any) -> str:
    """Where shops reach fanhub: BASE_URL when the deployment sets one, otherwise the
    address this page was asked for (a development server, a preview host), never a
    made-up host."""
    if current_app.config["BASE_URL"] != DEFAULT_BASE_URL:
        return absolute_url(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _render_frame(template: str, **context: Any) -> str:
    # The environment's template, not render_template: the context processors would load
    # the signed-in member, touching the session (Vary: Cookie) on a page that is public.
    return current_app.jinja_env.get_template(template).render(**context)


def _frame_problem(problem: services.FrameProblem) -> Response:
    """The small empty frame with the problem's status and the frame's own policy; no
    ETag, so no cache or replay takes it for the widget."""
    html = _render_frame("embed/frame_problem.html", problem=problem)
    response = Response(html, status=problem.status, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = services.frame_policy(None)
    return response


def _built_from(summary: widget.CachedSummary) -> None:
    """Tell the replay layer which summary this answer shows (see embed.replay)."""
    request.environ[SUMMARY_USED] = (summary.etag, summary.widget_origins)


def _by_sku() -> bool:
    lookup = request.args.get("by", "slug")
    if lookup not in ("slug", "sku"):
        raise Invalid("by must be slug or sku.", field="by")
    return lookup == "sku"


def _conditional(body: bytes, etag: str, content_type: str) -> Response:
    """A publicly cacheable answer, or 304 when the client's copy has this ETag."""
    # Weak comparison, as RFC 9110 says for If-None-Match: "abc", W/"abc" and * all match;
    # a header that parses as no tag at all matches nothing, so garbage gets a full 200.
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(body, content_type=content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response
