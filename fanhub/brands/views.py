"""The brands directory and each brand's fan page."""

from __future__ import annotations

from flask import Blueprint, render_template

from fanhub.brands import services

bp = Blueprint("brands", __name__)


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("brands/index.html", brands=services.list_brands())


@bp.route("/b/<brand>")
def fan_page(brand: str):  # type: ignore[no-untyped-def]
    target = services.access_brand(brand)
    return render_template("brands/fan_page.html", brand=target, team=services.brand_team(target))
