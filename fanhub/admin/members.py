"""/admin/members: finding members, a new account, and one member's record with what a
site admin may do for or about them (issue 13). Suspensions, bans and trust levels go
through moderation's services, exactly as the moderation pages and the command line."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from fanhub.admin import member_pages
from fanhub.admin.blueprint import SECTIONS, bp
from fanhub.admin.forms import (
    SANCTION_FORMS,
    BanForm,
    LiftForm,
    MemberCreateForm,
    SuspendForm,
    TrustForm,
)
from fanhub.clock import request_time
from fanhub.errors import DomainError
from fanhub.forms import ActionForm, AttachableForm, form_status, require_valid_post
from fanhub.moderation import services as moderation
from fanhub.moderation import trust

SECTIONS.append(("admin.members", "Members"))


@bp.route("/members")
def members() -> ResponseReturnValue:
    filters = member_pages.read_filters(
        q=request.args.get("q", ""),
        status=request.args.get("status", ""),
        trust=request.args.get("trust", ""),
        sanctioned=request.args.get("sanctioned", ""),
    )
    page = member_pages.members_page(
        current_user, filters, cursor=request.args.get("before") or None, now=request_time()
    )
    return render_template(
        "admin/members.html",
        page=page,
        statuses=member_pages.STATUSES,
        active="admin.members",
    )


@bp.route("/members/new", methods=["GET", "POST"])
def new_member() -> ResponseReturnValue:
    form = MemberCreateForm()
    failure = None
    if form.validate_on_submit():
        try:
            member = member_pages.create_member(
                current_user, form.to_draft(), is_admin=bool(form.is_admin.data), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(f"Made the account {member.username} <{member.email}>.", "success")
            return redirect(url_for("admin.member", member_id=member.id))
    return render_template(
        "admin/members_new.html", form=form, active="admin.members"
    ), form_status(form, failure)


def _member_page(member_id: int, **shown: AttachableForm) -> str:
    """Her record, with the form that failed (if any) as it was posted."""
    now = request_time()
    member = member_pages.access_member(current_user, member_id, now=now)
    forms: dict[str, AttachableForm] = {
        "suspend_form": SuspendForm(formdata=None, prefix="suspend"),
        "ban_form": BanForm(formdata=None, prefix="ban"),
        "lift_form": LiftForm(formdata=None, prefix="lift"),
        "trust_form": TrustForm(formdata=None, prefix="trust", level=member.trust_level),
    }
    forms.update(shown)
    return render_template(
        "admin/member.html",
        record=member_pages.member_record(current_user, member, now=now),
        now=now,
        action=ActionForm(),
        active="admin.members",
        **forms,
    )


@bp.route("/members/<int:member_id>")
def member(member_id: int) -> ResponseReturnValue:
    return _member_page(member_id)


@bp.route("/members/<int:member_id>/<any(suspend,ban,lift):sanction>", methods=["POST"])
def sanction_member(member_id: int, sanction: str) -> ResponseReturnValue:
    target = member_pages.access_member(current_user, member_id, now=request_time())
    form = SANCTION_FORMS[sanction](prefix=sanction)
    failure = None
    if form.validate_on_submit():
        try:
            message = moderation.sanction_member(
                current_user, target, form.to_draft(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(message, "success")
            return redirect(url_for("admin.member", member_id=member_id))
    return _member_page(member_id, **{f"{sanction}_form": form}), form_status(form, failure)


@bp.route("/members/<int:member_id>/trust", methods=["POST"])
def set_member_trust(member_id: int) -> ResponseReturnValue:
    target = member_pages.access_member(current_user, member_id, now=request_time())
    form = TrustForm(prefix="trust")
    failure = None
    if form.validate_on_submit():
        try:
            message = trust.set_trust_level(
                current_user, target, form.level.data, form.reason.data or "", now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(message, "success")
            return redirect(url_for("admin.member", member_id=member_id))
    return _member_page(member_id, trust_form=form), form_status(form, failure)


@bp.route("/members/<int:member_id>/<any(confirmation,'password-reset'):link>", methods=["POST"])
def send_member_link(member_id: int, link: str) -> ResponseReturnValue:
    require_valid_post()
    target = member_pages.access_member(current_user, member_id, now=request_time())
    send = (
        member_pages.resend_confirmation
        if link == "confirmation"
        else member_pages.start_password_reset
    )
    try:
        message = send(current_user, target, now=request_time())
    except DomainError as err:
        flash(err.message, "error")
        return _member_page(member_id), err.status
    flash(message, "success")
    return redirect(url_for("admin.member", member_id=member_id))
