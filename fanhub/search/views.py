"""The search pages: `/search` over every brand, `/b/<brand>/search` over one (issue 14)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from fanhub.brands.models import Brand
from fanhub.brands.services import access_brand
from fanhub.clock import request_time
from fanhub.search import services, suggestions

bp = Blueprint("search", __name__)


@bp.route("/search")
def site() -> ResponseReturnValue:
    return _search(None)


@bp.route("/b/<brand>/search")
def brand(brand: str) -> ResponseReturnValue:
    return _search(access_brand(brand))


def _search(target: Brand | None) -> ResponseReturnValue:
    page = services.search_page(current_user, request.args, brand=target, now=request_time())
    status = 400 if page.problem else 200
    return render_template(
        "search/search.html",
        page=page,
        brand=target,
        sections=services.SECTIONS,
        section_names=services.SECTION_NAMES,
        page_size=services.PAGE_SIZE,
        answers=services.ANSWERS,
    ), status


# ------------------------------------------------------------ answers before asking


@bp.route("/b/<brand>/search/suggest")
def suggest(brand: str) -> ResponseReturnValue:
    """The new-topic composer's suggestions for the title typed so far (a fragment)."""
    target = access_brand(brand)
    now = request_time()
    found = suggestions.suggest(current_user, target, request.args.get("q", ""), now=now)
    token = suggestions.valid_token(request.args.get("s"))
    if found and token:
        suggestions.note_shown(target, token, now=now)
    response = render_template(
        "search/_suggestions.html", suggestions=found, brand=target, token=token
    )
    return response, 200, {"Cache-Control": "no-store"}


@bp.route("/b/<brand>/search/suggest/open")
def open_suggestion(brand: str) -> ResponseReturnValue:
    """A suggestion opened: counted for its composer, then its topic (a page of this site)."""
    access_brand(brand)
    path = suggestions.topic_path(request.args.get("to"))
    if path is None:
        abort(404)
    token = suggestions.valid_token(request.args.get("s"))
    if token:
        suggestions.note_opened(token, now=request_time())
    return redirect(path)


@bp.route("/b/<brand>/search/suggest/submitted", methods=["POST"])
@login_required
def suggestion_submitted(brand: str) -> ResponseReturnValue:
    """The composer that showed suggestions submitted its topic (sent as the form goes)."""
    access_brand(brand)
    token = suggestions.valid_token(request.form.get("s"))
    if token is None:
        abort(400)
    suggestions.note_submitted(token, now=request_time())
    return "", 204
