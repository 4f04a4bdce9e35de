"""Moderation pages: flagging, the queue and its decisions, the log, appeals, sanctions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from fanhub import site_settings
from fanhub.accounts.models import User
from fanhub.clock import request_time
from fanhub.errors import DomainError
from fanhub.extensions import limiter, member_key
from fanhub.forms import form_status
from fanhub.moderation import services, trust
from fanhub.moderation.forms import AppealForm, DecisionForm, FlagForm, SanctionForm, TrustForm
from fanhub.moderation.models import Decision
from fanhub.permissions import Action, can

bp = Blueprint("moderation", __name__)


@site_settings.when_posted
def _flag_limit() -> str:
    # As the site settings say now: a site admin changes it without a restart (issue 13).
    return site_settings.rate_limit("RATELIMIT_FLAG")


@bp.app_context_processor
def _header() -> dict[str, object]:
    # The header's "Moderation" link: admins, and members who moderate a brand.
    return {"shows_moderation": lambda: services.can_moderate(current_user, now=request_time())}


@bp.route("/flag/<kind>/<int:item_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(_flag_limit, methods=["POST"], key_func=member_key)
def flag(kind: str, item_id: int) -> ResponseReturnValue:
    target = services.access_target(kind, item_id)
    form = FlagForm()
    failure = None
    if form.validate_on_submit():
        try:
            services.flag_item(current_user, target, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(f"Thanks: the moderators will look at this {target.noun}.", "success")
            return redirect(target.url)
    return render_template("moderation/flag.html", form=form, target=target), form_status(
        form, failure
    )


@bp.route("/mod")
@login_required
def queue() -> ResponseReturnValue:
    return _queue_page(DecisionForm(formdata=None))


def _queue_page(form: DecisionForm, problems: dict[str, str] | None = None) -> str:
    # `problems`: why an item ticked was left alone, by "case:<id>" or "review:<id>".
    page = services.queue_page(
        current_user,
        cursor=request.args.get("after") or None,
        pending_cursor=request.args.get("pending_after") or None,
        now=request_time(),
    )
    return render_template(
        "moderation/queue.html",
        page=page,
        form=form,
        ticked=set(form.items.data or []),
        problems=problems or {},
    )


@bp.route("/mod/decide", methods=["POST"])
@login_required
def decide() -> ResponseReturnValue:
    # A decision that can't be made shows the queue again with her choices kept and the
    # problem beside the control or the item it concerns (issue 13, point 6).
    form = DecisionForm()
    failure: DomainError | None = None
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            outcomes = services.decide(
                current_user, form.items.data or [], form.to_draft(), now=request_time()
            )
        except services.NothingDone as err:
            failure = err
            problems = {outcome.ref: outcome.message for outcome in err.outcomes}
            form.form_errors.append("None of the ticked items could be decided: " + err.message)
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            _report(outcomes)
            return redirect(url_for("moderation.queue"))
    return _queue_page(form, problems), form_status(form, failure)


def _report(outcomes: list[services.Outcome]) -> None:
    done = [outcome.message for outcome in outcomes if outcome.done]
    skipped = [outcome.message for outcome in outcomes if not outcome.done]
    flash(
        f"{len(done)} {'item' if len(done) == 1 else 'items'} done: "
        + " ".join(dict.fromkeys(done)),
        "success",
    )
    if skipped:
        flash(f"{len(skipped)} left alone: " + " ".join(dict.fromkeys(skipped)), "info")


@bp.route("/mod/log")
@login_required
def log() -> ResponseReturnValue:
    page = services.log_page(
        current_user,
        moderator=request.args.get("moderator", ""),
        member=request.args.get("member", ""),
        action=request.args.get("action", ""),
        brand=request.args.get("brand", ""),
        cursor=request.args.get("before") or None,
        now=request_time(),
    )
    return render_template("moderation/log.html", page=page, decisions=list(Decision))


@bp.route("/mod/appeal/<int:action_id>", methods=["GET", "POST"])
@login_required
def appeal(action_id: int) -> ResponseReturnValue:
    page = services.appeal_page(current_user, action_id)
    form = AppealForm()
    failure = None
    if form.validate_on_submit():
        try:
            services.appeal(current_user, action_id, form.body.data or "", now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("Your appeal is with the moderators. You'll hear from them here.", "success")
            return redirect(url_for("moderation.appeal", action_id=action_id))
    return render_template("moderation/appeal.html", page=page, form=form), form_status(
        form, failure
    )


@bp.route("/mod/members/<username>", methods=["GET", "POST"])
@login_required
def member(username: str) -> ResponseReturnValue:
    target = services.access_member(current_user, username, now=request_time())
    form = SanctionForm()
    failure = None
    if form.validate_on_submit():
        try:
            message = services.sanction_member(
                current_user, target, form.to_draft(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(message, "success")
            return redirect(url_for("moderation.member", username=target.username))
    trust_form = TrustForm(formdata=None, level=target.trust_level)
    return _member_page(target, form, trust_form), form_status(form, failure)


@bp.route("/mod/members/<username>/trust", methods=["POST"])
@login_required
def set_trust(username: str) -> ResponseReturnValue:
    target = services.access_member(current_user, username, now=request_time())
    form = TrustForm()
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
            return redirect(url_for("moderation.member", username=target.username))
    return _member_page(target, SanctionForm(formdata=None), form), form_status(form, failure)


def _member_page(target: User, form: SanctionForm, trust_form: TrustForm) -> str:
    # A brand's team sees only the trust form, with the two levels it may set.
    can_sanction = can(current_user, Action.MEMBER_SANCTION, now=request_time())
    if not can_sanction:
        trust_form.offer_team_levels()
    return render_template(
        "moderation/member.html",
        member=target,
        form=form,
        trust_form=trust_form,
        can_sanction=can_sanction,
    )
