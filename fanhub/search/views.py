"""The search pages: `/search` over every brand, `/b/<brand>/search` over one (issue 14)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from fanhub.brands.models import Brand
from fanhub.brands.services import access_brand
from fanhub.clock import request_time
from fanhub.search import services

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
