"""The staff desk at /b/<brand>/staff: the unanswered queue, claims, "no reply needed",
metrics and CSV files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from fanhub import inplace
from fanhub.brands.models import Brand
from fanhub.clock import request_time
from fanhub.errors import Conflict, Invalid
from fanhub.forms import ActionForm, require_valid_post
from fanhub.staff import (
    models,  # noqa: F401  (the tables exist before any view does)
    services,
)
from fanhub.staff.forms import NoReplyForm
from fanhub.staff.links import QueueLinks

bp = Blueprint("staff", __name__)


@bp.route("/b/<brand>/staff")
@login_required
def desk(brand: str) -> ResponseReturnValue:
    target = services.access_desk(current_user, brand, now=request_time())
    days = services.parse_window(request.args.get("days"))
    return _desk(target, days)


def _desk(target: Brand, days: int, failed: tuple[str, NoReplyForm] | None = None) -> str:
    """The desk drawn for the viewer; `failed` is the row key and form of a "no reply
    needed" that was refused, shown again on its row with her reason and the problem."""
    page = services.desk_page(current_user, target, days, now=request_time())
    return render_template(
        "staff/desk.html",
        desk=page,
        brand=target,
        action=ActionForm(),
        links=QueueLinks(target.slug),
        windows=services.WINDOWS,
        tables=services.CSV_TABLES,
        failed=failed,
    )


@bp.route("/b/<brand>/staff/<any(claim, release):change>/<kind>/<int:target_id>", methods=["POST"])
@login_required
def change_claim(brand: str, change: str, kind: str, target_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_desk(current_user, brand, now=request_time())
    item = services.parse_target(kind)
    days = services.parse_window(request.form.get("days"))
    back = url_for("staff.desk", brand=target.slug, days=days) + f"#{item.value}-{target_id}"
    state: dict[str, object] = {"claimed": change == "claim", "pressed": change == "claim"}
    try:
        if change == "claim":
            held = services.claim(current_user, target, item, target_id, now=request_time())
            message = (
                f"You're on “{held.title}” until {held.until_label}; colleagues see it's yours."
            )
            state.update(
                until=held.until.isoformat(),
                label="Release",
                status_text=f"You're on it (until {held.until_label})",
            )
        else:
            title = services.release(current_user, target, item, target_id, now=request_time())
            message = f"Released “{title}”: a colleague can take it now."
            state.update(until=None, label="Claim", status_text="")
    except Conflict as err:
        if inplace.asked_for_json():
            raise  # answered as JSON: 409 with the reason, shown beside the button
        # Back to the desk, which shows who holds it now, with the reason on top.
        flash(err.message, "error")
        return redirect(back, code=303)
    other = "claim" if change == "release" else "release"
    state["action"] = url_for(
        "staff.change_claim", brand=target.slug, change=other, kind=item.value, target_id=target_id
    )
    return inplace.answer(state, back=back, message=message)


@bp.route("/b/<brand>/staff/no-reply/<kind>/<int:target_id>", methods=["POST"])
@login_required
def mark_no_reply(brand: str, kind: str, target_id: int) -> ResponseReturnValue:
    target = services.access_desk(current_user, brand, now=request_time())
    item = services.parse_target(kind)
    form = NoReplyForm()
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)  # an expired token: the error page says to retry, as for any button
    days = services.parse_window(form.days.data or None)
    back = url_for("staff.desk", brand=target.slug, days=days)
    if valid:
        try:
            title = services.mark_no_reply(
                current_user, target, item, target_id, form.reason.data or "", now=request_time()
            )
        except Invalid as err:
            form.attach(err)
        except Conflict as err:
            flash(err.message, "error")
            return redirect(back + f"#{item.value}-{target_id}", code=303)
        else:
            flash(
                f"“{title}” needs no reply: it left the queue. Undo it below if need be.", "success"
            )
            return redirect(back + "#no-reply")
    # Her reason back on its row, with what was wrong with it.
    return _desk(target, days, failed=(f"{item.value}-{target_id}", form)), 400


@bp.route("/b/<brand>/staff/no-reply/<kind>/<int:target_id>/undo", methods=["POST"])
@login_required
def undo_no_reply(brand: str, kind: str, target_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_desk(current_user, brand, now=request_time())
    item = services.parse_target(kind)
    days = services.parse_window(request.form.get("days"))
    back = url_for("staff.desk", brand=target.slug, days=days)
    title = services.undo_no_reply(current_user, target, item, target_id, now=request_time())
    flash(f"“{title}” is back in the queue.", "success")
    return redirect(back + f"#{item.value}-{target_id}")


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


@bp.route("/b/<brand>/reviews/unanswered")
@login_required
def unanswered_reviews(brand: str) -> ResponseReturnValue:
    """Every review waiting for the brand's answer, a page at a time: the desk's list in
    full, so a review marked "no reply needed" is not waiting here either."""
    target = services.access_desk(current_user, brand, now=request_time())
    queue = services.waiting_reviews(
        current_user,
        target,
        cursor=request.args.get("after") or None,
        now=request_time(),
    )
    return render_template("reviews/unanswered.html", queue=queue, brand=target)
