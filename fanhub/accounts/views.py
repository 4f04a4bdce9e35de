"""Pages for registering, logging in and out, confirming email, resetting passwords, profiles."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from fanhub.accounts import invitations, privacy, services
from fanhub.accounts.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegisterForm,
)
from fanhub.clock import request_time
from fanhub.errors import Conflict, DomainError, Invalid
from fanhub.extensions import limiter, member_key
from fanhub.forms import ActionForm, form_status
from fanhub.links import safe_next

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _reset_limit() -> str:
    return current_app.config["RATELIMIT_PASSWORD_RESET"]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("brands.index"))
    # An invitation's link (issue 13): needed while registration is by invitation only.
    token = request.args.get("invitation") or None
    door = invitations.door(token, now=request_time())
    form = RegisterForm()
    if door.invitation is not None and not form.is_submitted():
        form.email.data = door.invitation.email
    # Asking to register without an invitation is refused; reading why is not.
    failure = door.refusal if token or form.is_submitted() else None
    if form.validate_on_submit():
        try:
            user = invitations.join(form.to_draft(), token, now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            login_user(user)
            confirm = (
                ""
                if user.is_email_verified
                else " We've emailed you a link to confirm your address."
            )
            flash(f"Welcome to fanhub, {user.username}!{confirm}", "success")
            # Asked, not assumed: how she hears from us is her first choice (issue 6).
            target = safe_next(request.args.get("next"), url_for("brands.index"))
            return redirect(url_for("notifications.welcome_contact", next=target))
    elif form.is_submitted():
        # Show every problem at once, not one per attempt: the rules run on what was given.
        try:
            services.check_registration(form.to_draft())
        except Invalid as err:
            form.attach(err)
    return render_template("accounts/register.html", form=form, door=door), form_status(
        form, failure
    )


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    target = safe_next(request.args.get("next"), url_for("brands.index"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    failure = None
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.login.data,
                form.password.data,
                now=request_time(),
                # As the app sees them: the proxy's client address when it is trusted.
                ip=request.remote_addr or "",
                user_agent=request.user_agent.string,
            )
        except DomainError as err:  # a wrong password (400), or a ban (403, until when)
            form.attach(err)
            failure = err
        else:
            login_user(user, remember=form.remember.data)
            flash(f"Welcome back, {user.name}.", "success")
            return redirect(target)
    return render_template("accounts/login.html", form=form), form_status(form, failure)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    form = ActionForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("brands.index"))


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def request_password_reset() -> ResponseReturnValue:
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data, now=request_time())
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form), form_status(form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    try:
        user = services.check_reset_token(token, now=request_time())
    except DomainError as err:
        return _token_problem(err, url_for("accounts.request_password_reset"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data, now=request_time())
        except Invalid as err:
            form.attach(err)
        else:
            logout_user()
            flash("Your password has been changed. Log in with your new password.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form, user=user), form_status(form)


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> ResponseReturnValue:
    # GET only shows the button: mail scanners that follow links must not confirm anything.
    try:
        user = services.check_verification_token(token, now=request_time())
    except DomainError as err:
        return _token_problem(err, url_for("accounts.settings_profile"))
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.confirm_email(token, now=request_time())
        except DomainError as err:
            return _token_problem(err, url_for("accounts.settings_profile"))
        flash("Thanks, your email address is confirmed.", "success")
        return redirect(url_for("brands.index"))
    return render_template("accounts/verify.html", form=form, user=user)


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit(_reset_limit)
def resend_verification() -> ResponseReturnValue:
    form = ActionForm()
    if form.validate_on_submit():
        try:
            services.resend_verification(current_user, current_user, now=request_time())
        except Conflict as err:
            flash(err.message, "info")
        else:
            flash(f"We've sent a new link to {current_user.email}.", "success")
    return redirect(url_for("accounts.settings_profile"))


def _token_problem(err: DomainError, retry_url: str) -> ResponseReturnValue:
    return (
        render_template("accounts/token_problem.html", message=err.message, retry_url=retry_url),
        err.status,
    )


@bp.route("/u/<username>")
def profile(username: str) -> ResponseReturnValue:
    member = privacy.access_profile_as(current_user, username)
    if member.deleted_at is not None:  # only site admins get this far (access_profile_as)
        return render_template("accounts/deleted_profile.html", member=member)
    return render_template("accounts/profile.html", member=member)


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def settings_profile() -> ResponseReturnValue:
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    password_form = ChangePasswordForm(formdata=None)
    failure = None
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, current_user, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("Your profile is saved.", "success")
            return redirect(url_for("accounts.settings_profile"))
    return render_template(
        "accounts/settings.html", form=form, password_form=password_form, resend=ActionForm()
    ), form_status(form, failure)


@bp.route("/settings/password", methods=["POST"])
@login_required
def change_password() -> ResponseReturnValue:
    password_form = ChangePasswordForm()
    if password_form.validate_on_submit():
        try:
            user = services.change_password(
                current_user,
                current_user._get_current_object(),
                password_form.current_password.data,
                password_form.new_password.data,
            )
        except DomainError as err:
            password_form.attach(err)
        else:
            # The session id carries the password fingerprint; renew ours, end the others.
            login_user(user)
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(url_for("accounts.settings_profile"))
    form = ProfileForm(formdata=None, obj=current_user)
    return render_template(
        "accounts/settings.html", form=form, password_form=password_form, resend=ActionForm()
    ), 400


def _export_limit() -> str:
    return current_app.config["RATELIMIT_DATA_EXPORT"]


@bp.route("/settings/privacy")
@login_required
def settings_privacy() -> ResponseReturnValue:
    return _privacy_page(DeleteAccountForm(formdata=None))


def _privacy_page(
    delete_form: DeleteAccountForm, failure: DomainError | None = None
) -> ResponseReturnValue:
    page = privacy.privacy_page(current_user, current_user._get_current_object())
    return render_template(
        "accounts/privacy.html", page=page, export_form=ActionForm(), delete_form=delete_form
    ), form_status(delete_form, failure)


@bp.route("/settings/privacy/export", methods=["POST"])
@login_required
@limiter.limit(_export_limit, key_func=member_key)
def export_data() -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.settings_privacy"))
    user = current_user._get_current_object()
    archive = privacy.export_member_data(current_user, user)
    filename = privacy.export_filename(user, now=request_time())
    return Response(
        archive,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/settings/privacy/delete", methods=["POST"])
@login_required
# Per member, as strict as logging in: the form checks her password.
@limiter.limit(_login_limit, key_func=member_key)
def delete_account() -> ResponseReturnValue:
    form = DeleteAccountForm()
    failure = None
    if form.validate_on_submit():
        try:
            report = privacy.delete_account(
                current_user,
                current_user._get_current_object(),
                form.password.data,
                form.remove_content,
                now=request_time(),
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            logout_user()
            return render_template("accounts/deleted.html", report=report)
    return _privacy_page(form, failure)
