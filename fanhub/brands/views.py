"""The brands directory, each brand's fan page, following, and editing the page; the
owners' team page and invitations; product news, its preview, schedule and history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from fanhub import inplace
from fanhub.brands import services
from fanhub.brands.forms import (
    NO_COUNT,
    BrandNewsForm,
    BrandPageForm,
    RoleChangeForm,
    ScheduleNewsForm,
    SendNewsForm,
    TeamInviteForm,
)
from fanhub.brands.theme import palette
from fanhub.clock import request_time
from fanhub.errors import DomainError
from fanhub.extensions import limiter
from fanhub.forms import ActionForm, form_status, require_valid_post
from fanhub.headers import forbid_storing
from fanhub.permissions import Action, can

if TYPE_CHECKING:
    from fanhub.brands.models import Brand

bp = Blueprint("brands", __name__)


@bp.route("/")
def index() -> ResponseReturnValue:
    return render_template("brands/index.html", brands=services.list_brands())


@bp.route("/b/<brand>")
def fan_page(brand: str) -> ResponseReturnValue:
    target = services.access_brand(brand)
    return render_template(
        "brands/fan_page.html",
        page=services.fan_page(current_user, target, now=request_time()),
        brand=target,
        action=ActionForm(),
    )


@bp.route("/b/<brand>/theme.css")
def theme(brand: str) -> ResponseReturnValue:
    # A stylesheet, not an inline style: the CSP allows styles from this site only.
    target = services.access_brand(brand)
    css = render_template("brands/theme.css", brand=target, palette=palette(target.accent_color))
    return (
        css,
        200,
        {"Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=300"},
    )


@bp.route("/b/<brand>/<any(follow,unfollow):change>", methods=["POST"])
@login_required
def follow(brand: str, change: str) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_brand(brand)
    following = change == "follow"
    if following:
        followers = services.follow(current_user, target, now=request_time())
    else:
        followers = services.unfollow(current_user, target, now=request_time())
    return inplace.answer(
        {
            "following": following,
            "followers": followers,
            "pressed": following,
            "label": "Following" if following else "Follow",
            "count_text": f"{followers} {'follower' if followers == 1 else 'followers'}",
            "action": url_for(
                "brands.follow", brand=target.slug, change="unfollow" if following else "follow"
            ),
        },
        back=url_for("brands.fan_page", brand=target.slug),
        message=f"You follow {target.name}."
        if following
        else f"You no longer follow {target.name}.",
        category="success" if following else "info",
    )


@bp.route("/b/<brand>/edit", methods=["GET", "POST"])
@login_required
def edit(brand: str) -> ResponseReturnValue:
    target = services.access_brand_as(current_user, brand, Action.BRAND_EDIT, now=request_time())
    form = BrandPageForm(obj=target if request.method == "GET" else None)
    if request.method == "GET":
        form.widget_origins.data = "\n".join(target.widget_origins.split())
    failure = None
    if form.validate_on_submit():
        try:
            services.update_brand_page(current_user, target, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("The fan page is updated.", "success")
            return redirect(url_for("brands.fan_page", brand=target.slug))
    return render_template(
        "brands/edit.html",
        form=form,
        brand=target,
        # Where else the brand is run from, for those who may (the links, not the rules).
        manages_team=can(current_user, Action.BRAND_ROLE_ASSIGN, target.id, now=request_time()),
        manages_categories=can(current_user, Action.CATEGORY_MANAGE, target.id, now=request_time()),
    ), form_status(form, failure)


def _news_limit() -> str:
    return current_app.config["RATELIMIT_BRAND_NEWS"]


def _news_key() -> str:
    return f"brand-news:{(request.view_args or {}).get('brand', '')}"


def _was_sent(response: Response) -> bool:
    return response.status_code == 302


# Per brand, shared by sending now and scheduling, counting only news that went out (or
# was scheduled to): a refused or mistyped try costs nothing. Drafts and tests are free.
news_limit = limiter.shared_limit(
    _news_limit, scope="brand-news", key_func=_news_key, methods=["POST"], deduct_when=_was_sent
)

# The preview's frame shows the email as mail programs do, inline styles and all: its
# own document, sandboxed (no script, no forms, an origin of its own), framed by our pages.
EMAIL_FRAME_POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' https: data:",
        "upgrade-insecure-requests",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "sandbox",
    ]
)


def _offer_products(form: BrandNewsForm, products: list[Any]) -> None:
    form.product.choices = [SelectChoice("", "No product: link to the fan page")] + [
        SelectChoice(product.slug, product.name) for product in products
    ]


@bp.route("/b/<brand>/news", methods=["GET", "POST"])
@login_required
def news(brand: str) -> ResponseReturnValue:
    page = services.brand_news_page(current_user, brand, now=request_time())
    form = BrandNewsForm()
    _offer_products(form, page.products)
    failure = None
    if form.validate_on_submit():
        try:
            draft = services.save_news_draft(
                current_user, page.brand, form.to_draft(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            return redirect(url_for("brands.news_item", brand=page.brand.slug, news_id=draft.id))
    return render_template("brands/news.html", form=form, page=page, brand=page.brand), form_status(
        form, failure
    )


def _schedule_form(brand_id: int, form: ScheduleNewsForm | None = None) -> ScheduleNewsForm:
    if form is None:
        form = ScheduleNewsForm(formdata=None, time_zone=services.last_time_zone(brand_id))
    form.time_zone.choices = [SelectChoice(zone, zone) for zone in services.time_zones()]
    return form


def _news_item_page(
    brand: str,
    news_id: int,
    *,
    problems: dict[str, str] | None = None,
    schedule_form: ScheduleNewsForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The news's page: the email as followers will get it, and what can be done with it."""
    item = services.access_news(current_user, brand, news_id, now=request_time())
    preview = services.news_preview(current_user, item, now=request_time())
    return render_template(
        "brands/news_item.html",
        preview=preview,
        item=item,
        brand=preview.brand,
        send_form=SendNewsForm(formdata=None, audience=str(preview.audience)),
        schedule_form=_schedule_form(item.brand_id, schedule_form),
        action=ActionForm(),
        problems=problems or {},
    ), status


def _problem(err: DomainError, control: str) -> dict[str, str]:
    return {err.field or control: err.message}


@bp.route("/b/<brand>/news/<int:news_id>")
@login_required
def news_item(brand: str, news_id: int) -> ResponseReturnValue:
    return _news_item_page(brand, news_id)


@bp.route("/b/<brand>/news/<int:news_id>/email")
@login_required
def news_email(brand: str, news_id: int) -> ResponseReturnValue:
    item = services.access_news(current_user, brand, news_id, now=request_time())
    html = services.news_email_html(current_user, item, now=request_time())
    return html, 200, {"Content-Security-Policy": EMAIL_FRAME_POLICY}


@bp.route("/b/<brand>/news/<int:news_id>/edit", methods=["GET", "POST"])
@login_required
def edit_news(brand: str, news_id: int) -> ResponseReturnValue:
    page = services.brand_news_page(current_user, brand, now=request_time())
    item = services.access_news(current_user, brand, news_id, now=request_time())
    form = BrandNewsForm(obj=item if request.method == "GET" else None)
    _offer_products(form, page.products)
    if request.method == "GET":
        product = next((p for p in page.products if p.id == item.product_id), None)
        form.product.data = product.slug if product is not None else ""
    failure = None
    if form.validate_on_submit():
        try:
            services.save_news_draft(
                current_user, page.brand, form.to_draft(), news=item, now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            return redirect(url_for("brands.news_item", brand=page.brand.slug, news_id=item.id))
    return render_template(
        "brands/news_edit.html", form=form, item=item, brand=page.brand
    ), form_status(form, failure)


@bp.route("/b/<brand>/news/<int:news_id>/test", methods=["POST"])
@login_required
def test_news(brand: str, news_id: int) -> ResponseReturnValue:
    require_valid_post()
    item = services.access_news(current_user, brand, news_id, now=request_time())
    try:
        address = services.send_test_news(current_user, item, now=request_time())
    except DomainError as err:
        return _news_item_page(brand, news_id, problems=_problem(err, "test"), status=err.status)
    flash(f"A test is on its way to {address}: only you get it.", "success")
    return redirect(url_for("brands.news_item", brand=brand, news_id=news_id))


@bp.route("/b/<brand>/news/<int:news_id>/send", methods=["POST"])
@login_required
@news_limit
def send_news(brand: str, news_id: int) -> ResponseReturnValue:
    item = services.access_news(current_user, brand, news_id, now=request_time())
    form = SendNewsForm()
    if not form.validate_on_submit():
        problem = next(iter(form.audience.errors or form.form_errors), NO_COUNT)
        return _news_item_page(brand, news_id, problems={"send": problem}, status=400)
    try:
        told = services.send_news(current_user, item, expected=form.expected, now=request_time())
    except DomainError as err:
        return _news_item_page(brand, news_id, problems=_problem(err, "send"), status=err.status)
    if told:
        flash(f"Sent to {told} follower{'s' if told != 1 else ''}.", "success")
    else:
        flash("No follower has asked for product news yet, so no one was told.", "info")
    return redirect(url_for("brands.news", brand=brand))


@bp.route("/b/<brand>/news/<int:news_id>/schedule", methods=["POST"])
@login_required
@news_limit
def schedule_news(brand: str, news_id: int) -> ResponseReturnValue:
    item = services.access_news(current_user, brand, news_id, now=request_time())
    form = _schedule_form(item.brand_id, ScheduleNewsForm())
    failure = None
    if form.validate_on_submit():
        try:
            services.schedule_news(
                current_user, item, form.local_time, form.time_zone.data or "", now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(
                f"Scheduled for {item.local_send_at:%d %b %Y at %H:%M} ({item.time_zone}). You "
                "can cancel it until then.",
                "success",
            )
            return redirect(url_for("brands.news_item", brand=brand, news_id=news_id))
    return _news_item_page(brand, news_id, schedule_form=form, status=form_status(form, failure))


@bp.route("/b/<brand>/news/<int:news_id>/cancel", methods=["POST"])
@login_required
def cancel_news(brand: str, news_id: int) -> ResponseReturnValue:
    require_valid_post()
    item = services.access_news(current_user, brand, news_id, now=request_time())
    try:
        services.cancel_news(current_user, item, now=request_time())
    except DomainError as err:
        return _news_item_page(brand, news_id, problems=_problem(err, "cancel"), status=err.status)
    flash("The scheduled send is cancelled: it is a draft again.", "success")
    return redirect(url_for("brands.news_item", brand=brand, news_id=news_id))


@bp.route("/b/<brand>/news/<int:news_id>/delete", methods=["POST"])
@login_required
def delete_news(brand: str, news_id: int) -> ResponseReturnValue:
    require_valid_post()
    item = services.access_news(current_user, brand, news_id, now=request_time())
    try:
        services.discard_news(current_user, item, now=request_time())
    except DomainError as err:
        return _news_item_page(brand, news_id, problems=_problem(err, "delete"), status=err.status)
    flash("The draft is deleted.", "info")
    return redirect(url_for("brands.news", brand=brand))


def _team_page(
    target: Brand,
    *,
    form: TeamInviteForm | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    page = services.team_page(current_user, target, now=request_time())
    return render_template(
        "brands/team.html",
        page=page,
        brand=target,
        form=form or TeamInviteForm(formdata=None),
        action=ActionForm(),
        problems=problems or {},
    ), status


@bp.route("/b/<brand>/team", methods=["GET", "POST"])
@login_required
def team(brand: str) -> ResponseReturnValue:
    target = services.access_brand_as(
        current_user, brand, Action.BRAND_ROLE_ASSIGN, now=request_time()
    )
    form = TeamInviteForm()
    failure = None
    if form.validate_on_submit():
        try:
            invitation = services.invite_to_team(
                current_user, target, form.who.data or "", form.chosen_role, now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(
                f"Invitation sent to {invitation.email}: the link works for "
                f"{services.INVITATION_DAYS} days.",
                "success",
            )
            return redirect(url_for("brands.team", brand=target.slug))
    return _team_page(target, form=form, status=form_status(form, failure))


def _after_team_change(target: Brand) -> ResponseReturnValue:
    # An owner who gave up her own ownership can no longer see the team page.
    if can(current_user, Action.BRAND_ROLE_ASSIGN, target.id, now=request_time()):
        return redirect(url_for("brands.team", brand=target.slug))
    return redirect(url_for("brands.fan_page", brand=target.slug))


@bp.route("/b/<brand>/team/<int:grant_id>/role", methods=["POST"])
@login_required
def change_role(brand: str, grant_id: int) -> ResponseReturnValue:
    target = services.access_brand_as(
        current_user, brand, Action.BRAND_ROLE_ASSIGN, now=request_time()
    )
    form = RoleChangeForm()
    if not form.validate_on_submit():
        return _team_page(
            target, problems={f"seat-{grant_id}": "Choose one of the roles."}, status=400
        )
    try:
        seat = services.change_role(
            current_user, target, grant_id, form.chosen_role, now=request_time()
        )
    except DomainError as err:
        problems = _problem(err, f"seat-{grant_id}")
        return _team_page(target, problems=problems, status=err.status)
    flash(f"{seat.username} is now {seat.role.value} of {target.name}.", "success")
    return _after_team_change(target)


@bp.route("/b/<brand>/team/<int:grant_id>/remove", methods=["POST"])
@login_required
def remove_role(brand: str, grant_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_brand_as(
        current_user, brand, Action.BRAND_ROLE_ASSIGN, now=request_time()
    )
    try:
        seat = services.remove_role(current_user, target, grant_id, now=request_time())
    except DomainError as err:
        problems = _problem(err, f"seat-{grant_id}")
        return _team_page(target, problems=problems, status=err.status)
    flash(f"{seat.username} is no longer {seat.role.value} of {target.name}.", "success")
    return _after_team_change(target)


@bp.route("/b/<brand>/team/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(brand: str, invitation_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_brand_as(
        current_user, brand, Action.BRAND_ROLE_ASSIGN, now=request_time()
    )
    try:
        invitation = services.revoke_invitation(
            current_user, target, invitation_id, now=request_time()
        )
    except DomainError as err:
        problems = _problem(err, f"invitation-{invitation_id}")
        return _team_page(target, problems=problems, status=err.status)
    flash(f"The invitation to {invitation.email} is withdrawn: its link no longer works.", "info")
    return redirect(url_for("brands.team", brand=target.slug))


def _invitation_page(token: str, problem: str | None = None, status: int = 200) -> Response:
    view = services.read_invitation(current_user, token, now=request_time())
    response = make_response(
        render_template(
            "brands/invitation.html",
            view=view,
            brand=view.brand,
            token=token,
            problem=problem or view.problem,
            action=ActionForm(),
        ),
        status,
    )
    # The link is personal: no shared cache keeps its page, whoever reads it.
    forbid_storing(response)
    return response


@bp.route("/invitations/<token>")
def invitation(token: str) -> ResponseReturnValue:
    return _invitation_page(token)


@bp.route("/invitations/<token>/<any(accept,decline):answer>", methods=["POST"])
@login_required
def answer_invitation(token: str, answer: str) -> ResponseReturnValue:
    require_valid_post()
    accept = answer == "accept"
    try:
        invitation = services.answer_invitation(current_user, token, accept, now=request_time())
    except DomainError as err:
        return _invitation_page(token, err.message, err.status)
    brand = invitation.brand
    if accept:
        flash(f"Welcome to the {brand.name} team: you are now {invitation.role.value}.", "success")
        return redirect(url_for("brands.fan_page", brand=brand.slug))
    flash(f"You declined the invitation to the {brand.name} team.", "info")
    return redirect(url_for("brands.index"))
