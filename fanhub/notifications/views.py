"""The in-app inbox: a member's notifications, and marking them read."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from fanhub.forms import ActionForm
from fanhub.notifications import services

bp = Blueprint("notifications", __name__)


def _require_valid_post() -> None:
    """Field-less buttons: refuse a POST whose CSRF token failed (ActionForm checks it)."""
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/notifications")
@login_required
def inbox():  # type: ignore[no-untyped-def]
    page = services.notifications_page(
        current_user, before_id=request.args.get("before", None, type=int)
    )
    return render_template("notifications/index.html", page=page, action=ActionForm())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_all_read():  # type: ignore[no-untyped-def]
    _require_valid_post()
    marked = services.mark_all_read(current_user)
    if marked:
        flash("All caught up: every notification is marked read.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def open_notification(notification_id: int):  # type: ignore[no-untyped-def]
    _require_valid_post()
    notification = services.mark_read(current_user, notification_id)
    # A path on this site: notify() refuses anything else when it is written.
    return redirect(notification.url)
