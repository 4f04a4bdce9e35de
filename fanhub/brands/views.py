"""The brands directory, each brand's fan page, following, and editing the page."""

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
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from fanhub import inplace
from fanhub.brands import services
from fanhub.brands.forms import BrandNewsForm, BrandPageForm
from fanhub.clock import request_time
from fanhub.errors import DomainError
from fanhub.extensions import limiter
from fanhub.forms import ActionForm, form_status, require_valid_post
from fanhub.permissions import Action

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
    css = render_template("brands/theme.css", brand=target)
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
    return render_template("brands/edit.html", form=form, brand=target), form_status(form, failure)


def _news_limit() -> str:
    return current_app.config["RATELIMIT_BRAND_NEWS"]


def _news_key() -> str:
    return f"brand-news:{(request.view_args or {}).get('brand', '')}"


def _was_sent(response: Response) -> bool:
    return response.status_code == 302


@bp.route("/b/<brand>/news", methods=["GET", "POST"])
@login_required
# Per brand, counting only news that went out: a refused or mistyped try costs nothing.
@limiter.limit(_news_limit, methods=["POST"], key_func=_news_key, deduct_when=_was_sent)
def news(brand: str) -> ResponseReturnValue:
    page = services.brand_news_page(current_user, brand, now=request_time())
    form = BrandNewsForm()
    form.product.choices = [SelectChoice("", "No product: link to the fan page")] + [
        SelectChoice(product.slug, product.name) for product in page.products
    ]
    failure = None
    if form.validate_on_submit():
        try:
            told = services.send_brand_news(
                current_user, page.brand, form.to_draft(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            if told:
                flash(f"Sent to {told} follower{'s' if told != 1 else ''}.", "success")
            else:
                flash("No follower has asked for product news yet, so no one was told.", "info")
            return redirect(url_for("brands.news", brand=page.brand.slug))
    return render_template("brands/news.html", form=form, page=page, brand=page.brand), form_status(
        form, failure
    )
