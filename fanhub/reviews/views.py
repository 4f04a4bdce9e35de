"""Product pages, writing reviews, and the conversations under them."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from fanhub import inplace, site_settings
from fanhub.clock import request_time
from fanhub.errors import DomainError, reshown_on_outage
from fanhub.extensions import limiter, member_key
from fanhub.forms import ActionForm, forget_draft, form_status, held_message, require_valid_post
from fanhub.links import absolute_url
from fanhub.moderation import trust
from fanhub.reviews import services
from fanhub.reviews.forms import ModerationForm, ProductForm, ReviewForm, ReviewReplyForm
from fanhub.reviews.models import Product, ReplyStatus, Review, ReviewStatus

bp = Blueprint("reviews", __name__)


@site_settings.when_posted
def _write_limit() -> str:
    # Chosen per request, as the forum's: level-0 members get the stricter limit (issue 5).
    return trust.post_rate_limit(current_user)


def _product_url(product: Product, anchor: str | None = None) -> str:
    url = url_for("reviews.product", brand=product.brand.slug, product=product.slug)
    return url + (f"#{anchor}" if anchor else "")


def _review_url(review: Review, anchor: str | None = None) -> str:
    url = url_for(
        "reviews.review",
        brand=review.product.brand.slug,
        product=review.product.slug,
        review_id=review.id,
    )
    return url + (f"#{anchor}" if anchor else "")


def _back(review: Review) -> str:
    """Where a button on a review returns to: the page it was pressed on."""
    if request.form.get("back") == "product":
        return _product_url(review.product, f"review-{review.id}")
    return _review_url(review)


# ------------------------------------------------------------------ product


@bp.route("/b/<brand>/p/<product>")
def product(brand: str, product: str) -> ResponseReturnValue:
    target = services.access_product(brand, product)
    page = services.product_page(
        current_user,
        target,
        sort=request.args.get("sort", "helpful"),
        stars=request.args.get("stars"),
        cursor=request.args.get("after") or None,
        url=absolute_url("reviews.product", brand=target.brand.slug, product=target.slug),
        now=request_time(),
    )
    return render_template(
        "reviews/product.html", page=page, product=target, brand=target.brand, action=ActionForm()
    )


@bp.route("/b/<brand>/p/<product>/review", methods=["GET", "POST"])
@reshown_on_outage(ReviewForm, "review")
@login_required
@limiter.limit(_write_limit, methods=["POST"], key_func=member_key)
def write_review(brand: str, product: str) -> ResponseReturnValue:
    target = services.access_product(brand, product)
    services.require_reviewer(current_user, target, now=request_time())
    mine = services.own_review(current_user, target)
    form = ReviewForm()
    if request.method == "GET" and mine is not None:
        form.stars.data = str(mine.stars)
        form.title.data = mine.title
        form.body.data = mine.body
        form.review_id.data = mine.id
    failure = None
    if form.validate_on_submit():
        editing = form.editing_id()
        try:
            if editing is None:
                # A first review; if she wrote one meanwhile (another tab), the service
                # refuses rather than overwrite it.
                review = services.submit_review(
                    current_user, target, form.to_draft(), now=request_time()
                )
            else:
                if mine is None or mine.id != editing:
                    abort(404)
                review = services.edit_review(
                    current_user, mine, form.to_draft(), now=request_time()
                )
        except DomainError as err:
            form.attach(err)
            failure = err
            if mine is not None:
                # A stale "first review" form: her next save edits the review she has.
                form.review_id.data = mine.id
        else:
            held = review.status is ReviewStatus.PENDING
            flash(_written_message(review, editing is not None), "info" if held else "success")
            forget_draft(f"review-{target.id}")
            return redirect(_product_url(target, "your-review"))
    return render_template(
        "reviews/write.html", form=form, product=target, brand=target.brand, mine=mine
    ), form_status(form, failure)


def _written_message(review: Review, edited: bool) -> str:
    if review.status is ReviewStatus.PENDING:
        return "Thanks! " + held_message("review")
    return "Your review is updated." if edited else "Thanks for your review."


@bp.route("/b/<brand>/p/<product>/r/<int:review_id>")
def review(brand: str, product: str, review_id: int) -> ResponseReturnValue:
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    return _render_review(target)


def _render_review(
    target: Review, form: ReviewReplyForm | None = None, status: int = 200
) -> ResponseReturnValue:
    page = services.review_page(current_user, target, now=request_time())
    return render_template(
        "reviews/review.html",
        page=page,
        review=target,
        product=target.product,
        brand=target.product.brand,
        form=form or ReviewReplyForm(formdata=None),
        moderation=ModerationForm(formdata=None) if page.can_moderate else None,
        action=ActionForm(),
    ), status


@bp.route("/b/<brand>/p/<product>/r/<int:review_id>/history")
def review_history(brand: str, product: str, review_id: int) -> ResponseReturnValue:
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    return render_template(
        "reviews/history.html",
        review=target,
        product=target.product,
        brand=target.product.brand,
        revisions=services.review_revisions(target),
    )


@bp.route("/b/<brand>/p/<product>/r/<int:review_id>/reply", methods=["POST"])
@reshown_on_outage(ReviewReplyForm, "reply")
@login_required
@limiter.limit(_write_limit, methods=["POST"], key_func=member_key)
def reply(brand: str, product: str, review_id: int) -> ResponseReturnValue:
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    form = ReviewReplyForm()
    failure = None
    if form.validate_on_submit():
        try:
            answer = services.reply_to_review(
                current_user, target, form.body.data or "", now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            if answer.status is ReplyStatus.PENDING:
                flash(held_message("reply"), "info")
            else:
                flash(
                    "Your answer is posted." if answer.is_official else "Your reply is posted.",
                    "success",
                )
            forget_draft(f"review-reply-{target.id}")
            return redirect(_review_url(target, f"reply-{answer.id}"))
    return _render_review(target, form, form_status(form, failure))


@bp.route("/b/<brand>/p/<product>/r/<int:review_id>/helpful", methods=["POST"])
@login_required
def vote_helpful(brand: str, product: str, review_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    count = services.vote_helpful(current_user, target, now=request_time())
    return _helpful(target, voted=True, count=count)


@bp.route("/b/<brand>/p/<product>/r/<int:review_id>/helpful/undo", methods=["POST"])
@login_required
def withdraw_helpful(brand: str, product: str, review_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    count = services.withdraw_helpful(current_user, target, now=request_time())
    return _helpful(target, voted=False, count=count)


def _helpful(review: Review, *, voted: bool, count: int) -> ResponseReturnValue:
    """The helpful button's answer: in place, the button turned and the count retold."""
    endpoint = "reviews.withdraw_helpful" if voted else "reviews.vote_helpful"
    people = f"{count} {'person' if count == 1 else 'people'} found this helpful"
    return inplace.answer(
        {
            "voted": voted,
            "helpful": count,
            "pressed": voted,
            "label": "Helpful ✓" if voted else "Helpful",
            "count_text": people if count else "",
            "action": url_for(
                endpoint,
                brand=review.product.brand.slug,
                product=review.product.slug,
                review_id=review.id,
            ),
        },
        back=_back(review),
        message=(
            "Thanks: your vote helps others find useful reviews."
            if voted
            else "Your helpful vote is taken back."
        ),
        category="success" if voted else "info",
    )


@bp.route(
    "/b/<brand>/p/<product>/r/<int:review_id>/<any(verify,unverify):change>", methods=["POST"]
)
@login_required
def verify(brand: str, product: str, review_id: int, change: str) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    services.set_verified_purchase(current_user, target, change == "verify", now=request_time())
    flash(
        "Marked as a verified purchase." if change == "verify" else "Verified mark removed.",
        "success",
    )
    return redirect(_back(target))


@bp.route("/b/<brand>/p/<product>/r/<int:review_id>/resolve", methods=["POST"])
@login_required
def resolve(brand: str, product: str, review_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    services.mark_resolved(current_user, target, now=request_time())
    flash("Marked resolved. The reviewer is invited to update their rating.", "success")
    return redirect(_review_url(target))


_DECISIONS = {
    "approve": "Review approved: it is published and counts.",
    "reject": "Review rejected. Its author is told why.",
    "remove": "Review removed. Its author is told why; you can restore it.",
    "restore": "Review restored: it is published and counts again.",
}


@bp.route(
    "/b/<brand>/p/<product>/r/<int:review_id>/<any(approve,reject,remove,restore):decision>",
    methods=["POST"],
)
@login_required
def moderate(brand: str, product: str, review_id: int, decision: str) -> ResponseReturnValue:
    target = services.access_visible_review(
        current_user, brand, product, review_id, now=request_time()
    )
    form = ModerationForm()
    if not form.validate_on_submit():
        abort(400)
    rule, note = form.rule.data or "", form.note.data or ""
    if decision == "approve":
        services.approve_review(current_user, target, now=request_time())
    elif decision == "reject":
        services.reject_review(current_user, target, rule, note, now=request_time())
    elif decision == "remove":
        services.remove_review(current_user, target, rule, note, now=request_time())
    else:
        services.restore_review(current_user, target, now=request_time())
    flash(_DECISIONS[decision], "success")
    if request.form.get("back") == "pending":
        return redirect(url_for("reviews.pending", brand=target.product.brand.slug))
    return redirect(_review_url(target))


# ------------------------------------------------------------ staff pages


@bp.route("/b/<brand>/products")
@login_required
def products(brand: str) -> ResponseReturnValue:
    target = services.access_brand_for_products(current_user, brand, now=request_time())
    return render_template(
        "reviews/products.html",
        brand=target,
        rows=services.product_list(current_user, target, now=request_time()),
    )


@bp.route("/b/<brand>/products/new", methods=["GET", "POST"])
@login_required
def new_product(brand: str) -> ResponseReturnValue:
    target = services.access_brand_for_products(current_user, brand, now=request_time())
    form = ProductForm()
    failure = None
    if form.validate_on_submit():
        try:
            created = services.create_product(
                current_user, target, form.to_draft(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(f"{created.name} is added.", "success")
            return redirect(url_for("reviews.products", brand=target.slug))
    return render_template(
        "reviews/product_form.html", form=form, brand=target, product=None
    ), form_status(form, failure)


@bp.route("/b/<brand>/p/<product>/edit", methods=["GET", "POST"])
@login_required
def edit_product(brand: str, product: str) -> ResponseReturnValue:
    target = services.access_product_for_management(
        current_user, brand, product, now=request_time()
    )
    form = ProductForm(obj=target if request.method == "GET" else None)
    failure = None
    if form.validate_on_submit():
        try:
            services.update_product(current_user, target, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(f"{target.name} is saved.", "success")
            return redirect(url_for("reviews.products", brand=target.brand.slug))
    return render_template(
        "reviews/product_form.html", form=form, brand=target.brand, product=target
    ), form_status(form, failure)


@bp.route("/b/<brand>/reviews/pending")
@login_required
def pending(brand: str) -> ResponseReturnValue:
    target = services.access_brand_for_moderation(current_user, brand, now=request_time())
    queue = services.pending_reviews(
        current_user, target, cursor=request.args.get("after") or None, now=request_time()
    )
    return render_template(
        "reviews/pending.html",
        queue=queue,
        brand=target,
        moderation=ModerationForm(formdata=None),
    )
