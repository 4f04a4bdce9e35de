"""The console's site pages (issue 13): the site-wide moderation log, the email outbox with
its retries, the site settings, and invitations to register. Each calls the service of
the domain that owns the thing: moderation's log and settings, notifications' outbox,
accounts' invitations."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from fanhub.accounts import invitations as invitation_services
from fanhub.admin.blueprint import SECTIONS, bp
from fanhub.admin.site_forms import InviteForm, SettingsForm
from fanhub.clock import request_time
from fanhub.errors import Conflict, DomainError
from fanhub.forms import form_status, require_valid_post
from fanhub.moderation import services as moderation
from fanhub.moderation.models import Decision
from fanhub.moderation.services import settings as setting_services
from fanhub.notifications import services as notifications
from fanhub.notifications.models import EmailStatus

SECTIONS.extend(
    [
        ("admin.log", "Moderation log"),
        ("admin.outbox", "Outbox"),
        ("admin.settings", "Settings"),
        ("admin.invitations", "Invitations"),
    ]
)


@bp.route("/log")
def log() -> ResponseReturnValue:
    page = moderation.log_page(
        current_user,
        moderator=request.args.get("moderator", ""),
        member=request.args.get("member", ""),
        action=request.args.get("action", ""),
        brand=request.args.get("brand", ""),
        cursor=request.args.get("before") or None,
        with_brands=True,
        now=request_time(),
    )
    return render_template(
        "admin/log.html",
        page=page,
        decisions=list(Decision),
        site_wide=moderation.SITE_WIDE,
        active="admin.log",
    )


def _outbox_filters() -> dict[str, Any]:
    # The outbox's filters, kept through a retry's redirect.
    return {
        name: value for name in ("status", "to") if (value := request.args.get(name, "").strip())
    }


def _outbox_page(problem: str | None = None) -> str:
    filters = _outbox_filters()
    page = notifications.outbox_page(
        current_user,
        status=filters.get("status", ""),
        recipient=filters.get("to", ""),
        cursor=request.args.get("before") or None,
        now=request_time(),
    )
    return render_template(
        "admin/outbox.html",
        page=page,
        filters=filters,
        statuses=list(EmailStatus),
        problem=problem,
        active="admin.outbox",
    )


@bp.route("/outbox")
def outbox() -> ResponseReturnValue:
    return _outbox_page()


@bp.route("/outbox/<int:email_id>/retry", methods=["POST"])
def retry_email(email_id: int) -> ResponseReturnValue:
    require_valid_post()
    try:
        email = notifications.retry_email(current_user, email_id, now=request_time())
    except Conflict as err:  # sent or retried meanwhile: the page as it is now, and why
        return _outbox_page(err.message), err.status
    flash(f"The email to {email.to_address} is queued to go again.", "success")
    return redirect(url_for("admin.outbox", **_outbox_filters()))


@bp.route("/outbox/retry-failed", methods=["POST"])
def retry_failed() -> ResponseReturnValue:
    require_valid_post()
    count = notifications.retry_failed_emails(current_user, now=request_time())
    if count:
        flash(f"{count} failed {'email is' if count == 1 else 'emails are'} queued to go again.",
              "success")  # fmt: skip
    else:
        flash("No failed emails to retry.", "info")
    return redirect(url_for("admin.outbox", **_outbox_filters()))


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> ResponseReturnValue:
    rows = setting_services.settings_page(current_user, now=request_time())
    form = SettingsForm(data={row.setting.field: str(row.value) for row in rows})
    failure: DomainError | None = None
    if form.validate_on_submit():
        try:
            changed = setting_services.change_settings(
                current_user, form.typed(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("Saved. " + "; ".join(changed) + "." if changed else "Nothing changed.",
                  "success" if changed else "info")  # fmt: skip
            return redirect(url_for("admin.settings"))
    return render_template(
        "admin/settings.html", form=form, rows=_grouped(rows), active="admin.settings"
    ), form_status(form, failure)


def _grouped(rows: list[setting_services.SettingRow]) -> list[tuple[str, list[Any]]]:
    # The page shows the settings in their groups, in the catalogue's order.
    groups: dict[str, list[Any]] = {}
    for row in rows:
        groups.setdefault(row.setting.group, []).append(row)
    return list(groups.items())


@bp.route("/invitations", methods=["GET", "POST"])
def invitations() -> ResponseReturnValue:
    form = InviteForm()
    failure: DomainError | None = None
    if form.validate_on_submit():
        try:
            invitation = invitation_services.invite(
                current_user, form.email.data or "", now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(f"Invitation sent to {invitation.email}.", "success")
            return redirect(url_for("admin.invitations"))
    page = invitation_services.invitations_page(
        current_user, cursor=request.args.get("before") or None, now=request_time()
    )
    return render_template(
        "admin/invitations.html", page=page, form=form, active="admin.invitations"
    ), form_status(form, failure)
