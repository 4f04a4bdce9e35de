"""The staff desk at /b/<brand>/staff: the unanswered queue, claims, metrics and CSV files."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from fanhub.clock import request_time
from fanhub.errors import Conflict
from fanhub.forms import ActionForm, require_valid_post
from fanhub.staff import (
    models,  # noqa: F401  (the tables exist before any view does)
    services,
)
from fanhub.staff.links import QueueLinks

bp = Blueprint("staff", __name__)


@bp.route("/b/<brand>/staff")
@login_required
def desk(brand: str) -> ResponseReturnValue:
    target = services.access_desk(current_user, brand, now=request_time())
    days = services.parse_window(request.args.get("days"))
    page = services.desk_page(current_user, target, days, now=request_time())
    return render_template(
        "staff/desk.html",
        desk=page,
        brand=target,
        action=ActionForm(),
        links=QueueLinks(target.slug),
        windows=services.WINDOWS,
        tables=services.CSV_TABLES,
    )


@bp.route("/b/<brand>/staff/<any(claim, release):change>/<kind>/<int:target_id>", methods=["POST"])
@login_required
def change_claim(brand: str, change: str, kind: str, target_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_desk(current_user, brand, now=request_time())
    item = services.parse_target(kind)
    days = services.parse_window(request.form.get("days"))
    back = url_for("staff.desk", brand=target.slug, days=days) + f"#{item.value}-{target_id}"
    try:
        if change == "claim":
            held = services.claim(current_user, target, item, target_id, now=request_time())
            flash(
                f"You're on “{held.title}” until {held.until_label}; colleagues see it's yours.",
                "success",
            )
        else:
            title = services.release(current_user, target, item, target_id, now=request_time())
            flash(f"Released “{title}”: a colleague can take it now.", "success")
    except Conflict as err:
        # Back to the desk, which shows who holds it now, with the reason on top.
        flash(err.message, "error")
        return redirect(back, code=303)
    return redirect(back)


_TABLES = ", ".join(f'"{name}"' for name in services.CSV_TABLES)


@bp.route(f"/b/<brand>/staff/<any({_TABLES}):table>.csv")
@login_required
def download(brand: str, table: str) -> ResponseReturnValue:
    target = services.access_desk(current_user, brand, now=request_time())
    days = services.parse_window(request.args.get("days"))
    rows = services.desk_table(current_user, target, table, days, now=request_time())
    filename = f"{target.slug}-{table}-{days}d.csv"
    return Response(
        services.to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
