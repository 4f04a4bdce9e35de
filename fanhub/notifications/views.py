"""The in-app inbox, and her say over how she is contacted: the preference centre, the
signup step, and unsubscribe links."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from fanhub.clock import request_time
from fanhub.errors import DomainError
from fanhub.extensions import csrf
from fanhub.forms import ActionForm, form_status, require_valid_post
from fanhub.inputs import MAX_ID, optional_int
from fanhub.links import safe_next
from fanhub.notifications import preferences, services
from fanhub.notifications.forms import PreferencesForm, WelcomeContactForm
from fanhub.notifications.models import Channel, ConsentSource

bp = Blueprint("notifications", __name__)


@bp.route("/notifications")
@login_required
def inbox() -> ResponseReturnValue:
    page = services.notifications_page(
        current_user,
        before_id=optional_int(
            request.args.get("before"),
            lo=1,
            hi=MAX_ID,
            message="That list position is not valid; start again from the first page.",
        ),
    )
    return render_template("notifications/index.html", page=page, action=ActionForm())


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_all_read() -> ResponseReturnValue:
    require_valid_post()
    marked = services.mark_all_read(current_user, now=request_time())
    if marked:
        flash("All caught up: every notification is marked read.", "success")
    return redirect(url_for("notifications.inbox"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def open_notification(notification_id: int) -> ResponseReturnValue:
    require_valid_post()
    notification = services.mark_read(current_user, notification_id, now=request_time())
    # A path on this site: notify() refuses anything else when it is written.
    return redirect(notification.url)


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def preference_centre() -> ResponseReturnValue:
    rows = preferences.preference_centre(current_user)
    if request.method == "GET":
        current = {
            preferences.field_name(row.kind, channel): frequency.value
            for row in rows
            for channel, frequency in row.chosen.items()
        }
        form = PreferencesForm(data=current)
    else:
        form = PreferencesForm()
    failure = None
    if form.validate_on_submit():
        try:
            changes = preferences.set_preferences(
                current_user,
                current_user,
                form.to_choices(request.form),
                ConsentSource.PREFERENCE_CENTRE,
                now=request_time(),
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(_saved_message(changes), "success")
            return redirect(url_for("notifications.preference_centre"))
    return render_template(
        "notifications/preferences.html",
        rows=rows,
        form=form,
        channels=list(Channel),
        channel_labels=preferences.CHANNEL_LABELS,
        field_name=preferences.field_name,
    ), form_status(form, failure)


def _saved_message(changes: list[preferences.PreferenceChange]) -> str:
    if not changes:
        return "Your choices are saved. Nothing changed."
    return "Your choices are saved: " + "; ".join(c.description for c in changes) + "."


@bp.route("/welcome/contact", methods=["GET", "POST"])
@login_required
def welcome_contact() -> ResponseReturnValue:
    target = safe_next(request.args.get("next"), url_for("brands.index"))
    if request.method == "GET":
        chosen = preferences.welcome_choices(current_user.id)
        form = WelcomeContactForm(
            data={
                "conversation_email": chosen.conversation_email,
                "offers_email": "yes" if chosen.offers_email else "no",
            }
        )
    else:
        form = WelcomeContactForm()
    failure = None
    if form.validate_on_submit():
        try:
            changes = preferences.answer_welcome(
                current_user, current_user, form.to_choices(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(_saved_message(changes), "success")
            return redirect(target)
    return render_template(
        "notifications/welcome_contact.html", form=form, next_url=target
    ), form_status(form, failure)


# RFC 8058 one-click: a mail client POSTs "List-Unsubscribe=One-Click" here with no
# cookies and no CSRF token. The signed token in the URL is the proof of who asks, and
# the only thing a forged POST could do is what the link's owner asked for anyway.
@csrf.exempt
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    # GET only shows what would stop: link scanners in mail systems open every link.
    try:
        if request.method == "POST":
            target = preferences.unsubscribe(token, now=request_time())
            done = True
        else:
            target = preferences.check_unsubscribe(token, now=request_time())
            done = False
    except DomainError as err:
        return render_template("notifications/unsubscribe.html", problem=err.message), err.status
    return render_template("notifications/unsubscribe.html", target=target, done=done)
