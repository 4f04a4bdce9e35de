"""Forum pages: categories, topics, replies, and the buttons that change them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from fanhub import inplace, site_settings
from fanhub.clock import request_time
from fanhub.errors import DomainError, Invalid, reshown_on_outage
from fanhub.extensions import cache, limiter, member_key
from fanhub.forms import ActionForm, forget_draft, form_status, held_message, require_valid_post
from fanhub.forums import feeds, services
from fanhub.forums.forms import (
    BulkMoveForm,
    CategoryForm,
    EditPostForm,
    IdeaStatusForm,
    MoveTopicForm,
    ReplyForm,
    TopicForm,
)
from fanhub.forums.models import (
    Category,
    IdeaStatus,
    PostStatus,
    ReactionKind,
    Topic,
    TopicStatus,
    WatchLevel,
)
from fanhub.inputs import MAX_ID, optional_int, parse_int
from fanhub.moderation import trust
from fanhub.permissions import Visitor

if TYPE_CHECKING:
    from fanhub.brands.models import Brand

bp = Blueprint("forums", __name__)


def _topic_url(topic: Topic, page: int = 1, anchor: str | None = None) -> str:
    values: dict[str, Any] = {"topic_id": topic.id, "slug": topic.slug}
    if page > 1:
        values["page"] = page
    return url_for("forums.topic", **values) + (f"#{anchor}" if anchor else "")


@site_settings.when_posted
def _post_limit() -> str:
    # Chosen per request: level-0 members get the stricter limit (issue 5, point 5), as
    # the site settings say now (issue 13).
    return trust.post_rate_limit(current_user)


@bp.route("/b/<brand>/c/<category>")
def category(brand: str, category: str) -> ResponseReturnValue:
    target = services.access_category(brand, category)
    return _category_page(target)


def _category_page(
    target: Category,
    *,
    move_form: BulkMoveForm | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """A category's topics; for staff and moderators, with the bulk move's ticks (as she
    left them, when a move is shown again with its problem)."""
    page = services.category_page(
        current_user,
        target,
        sort=request.args.get("sort", "activity"),
        cursor=request.args.get("after") or None,
        now=request_time(),
    )
    if move_form is None:
        move_form = BulkMoveForm(formdata=None)
    move_form.category.choices = [SelectChoice("", "Choose a category")] + [
        SelectChoice(str(other.id), other.name + (" (archived)" if other.is_archived else ""))
        for other in page.move_targets
    ]
    return render_template(
        "forums/category.html",
        page=page,
        brand=target.brand,
        move_form=move_form,
        ticked=set(move_form.topics.data or []),
        problems=problems or {},
    ), status


@bp.route("/b/<brand>/c/<category>/move-topics", methods=["POST"])
@login_required
def move_topics(brand: str, category: str) -> ResponseReturnValue:
    target = services.access_category(brand, category)
    form = BulkMoveForm()
    if not form.validate_on_submit():
        problem = next(iter(form.topics.errors or form.form_errors), "Tick topics from this page.")
        return _category_page(target, move_form=form, problems={"topics": problem}, status=400)
    destination = next(
        (c for c in services.list_categories(target.brand_id) if c.id == form.category_id),
        None,
    )
    try:
        if destination is None:
            raise Invalid("Choose the category to move them to.", field="category")
        done = services.move_topics(
            current_user, target, form.topic_ids, destination, now=request_time()
        )
    except DomainError as err:
        problems = {err.field or "topics": err.message, **err.also}
        # Read again: a refusal inside the move rolled back what the session held.
        target = services.access_category(brand, category)
        return _category_page(target, move_form=form, problems=problems, status=err.status)
    moved = f"{done.moved} topic{'s' if done.moved != 1 else ''}"
    message = f"Moved {moved} to {done.target.name}."
    if done.skipped:
        message += f" {done.skipped} had already left {target.name}."
    flash(message, "success")
    return redirect(url_for("forums.category", brand=brand, category=target.slug))


@bp.route("/b/<brand>/c/<category>/new", methods=["GET", "POST"])
@reshown_on_outage(TopicForm, "topic")
@login_required
@limiter.limit(_post_limit, methods=["POST"], key_func=member_key)
def new_topic(brand: str, category: str) -> ResponseReturnValue:
    target = services.access_category(brand, category)
    form = TopicForm()
    failure = None
    if form.validate_on_submit():
        try:
            topic = services.start_topic(current_user, target, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            if topic.status is TopicStatus.PENDING:
                flash(held_message("topic"), "info")
            else:
                flash("Your topic is posted.", "success")
            forget_draft(f"new-topic-{target.id}")
            return redirect(_topic_url(topic))
    return render_template(
        "forums/new_topic.html", form=form, category=target, brand=target.brand
    ), form_status(form, failure)


@bp.route("/t/<int:topic_id>")
@bp.route("/t/<int:topic_id>/<slug>")
def topic(topic_id: int, slug: str | None = None) -> ResponseReturnValue:
    target = services.access_visible_topic(current_user, topic_id, now=request_time())
    if "post" in request.args:
        # Well-formed but past the end (0, 500) is a page that isn't there: 404.
        position = parse_int(
            request.args["post"], lo=0, hi=MAX_ID, message="Posts are numbered 1, 2, 3 …"
        )
        if not 1 <= position <= target.post_count:
            abort(404)
        return redirect(_topic_url(target, services.page_of(position), f"post-{position}"))
    page_number = optional_int(
        request.args.get("page"), lo=0, hi=MAX_ID, default=1, message="Pages are numbered 1, 2, 3 …"
    )
    services.count_view(target.id, flush_every=current_app.config["VIEW_FLUSH_SECONDS"])
    # Visitors all see the same page, so it is rendered once and served again until
    # anything it shows changes (the key) or a few seconds pass. Members see their own
    # reactions and buttons, and a pending flash message is someone's own: never cached.
    if current_user.is_authenticated or session.get("_flashes"):
        return _render_topic(target, page_number)
    key = services.visitor_page_key(target, page_number)
    html = cache.get(key)
    if html is None:
        html = _render_topic(target, page_number)
        cache.set(key, html, timeout=current_app.config["ANONYMOUS_PAGE_SECONDS"])
    return html


def _render_topic(target: Topic, page_number: int, form: ReplyForm | None = None) -> str:
    page = services.topic_page(current_user, target, page_number, now=request_time())
    if form is None:
        form = ReplyForm(formdata=None, reply_to=request.args.get("reply_to", ""))
    return render_template(
        "forums/topic.html",
        page=page,
        topic=target,
        brand=target.brand,
        form=form,
        action=ActionForm(),
        move_form=_move_form(target) if page.can_moderate else None,
        status_form=IdeaStatusForm(formdata=None) if page.can_set_status else None,
        reactions=list(ReactionKind),
    )


def _move_form(topic: Topic) -> MoveTopicForm:
    form = MoveTopicForm(formdata=None, category=topic.category_id)
    form.category.choices = [
        SelectChoice(str(c.id), c.name) for c in services.list_categories(topic.brand_id)
    ]
    return form


@bp.route("/t/<int:topic_id>/reply", methods=["POST"])
@reshown_on_outage(ReplyForm, "reply")
@login_required
@limiter.limit(_post_limit, methods=["POST"], key_func=member_key)
def reply(topic_id: int) -> ResponseReturnValue:
    target = services.access_topic(topic_id)
    form = ReplyForm()
    failure = None
    if form.validate_on_submit():
        try:
            post = services.reply_to_topic(
                current_user, target, form.to_draft(), now=request_time()
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            forget_draft(f"reply-{target.id}")
            if post.status is PostStatus.PENDING:
                flash(held_message("reply"), "info")
                return redirect(
                    _topic_url(target, services.page_of(target.post_count), f"waiting-{post.id}")
                )
            return redirect(
                _topic_url(target, services.page_of(post.position), f"post-{post.position}")
            )
    html = _render_topic(target, services.page_of(target.post_count), form)
    return html, form_status(form, failure)


@bp.route("/preview", methods=["POST"])
@login_required
def preview() -> ResponseReturnValue:
    body = request.form.get("body", "")
    return jsonify(html=services.preview(body))


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@reshown_on_outage(EditPostForm, "edit")
@login_required
def edit_post(post_id: int) -> ResponseReturnValue:
    post = services.access_post(post_id)
    form = EditPostForm(obj=post if request.method == "GET" else None)
    failure = None
    if form.validate_on_submit():
        try:
            services.edit_post(current_user, post, form.body.data or "", now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("Your changes are saved.", "success")
            return redirect(
                _topic_url(post.topic, services.page_of(post.position), f"post-{post.position}")
            )
    return render_template("forums/edit_post.html", form=form, post=post), form_status(
        form, failure
    )


@bp.route("/p/<int:post_id>/history")
def post_history(post_id: int) -> ResponseReturnValue:
    post = services.access_post(post_id)
    return render_template(
        "forums/history.html", post=post, revisions=services.post_revisions(post)
    )


@bp.route("/p/<int:post_id>/delete", methods=["POST"])
@login_required
def delete_post(post_id: int) -> ResponseReturnValue:
    require_valid_post()
    post = services.access_post(post_id)
    services.delete_own_post(current_user, post)
    flash("Your post is removed.", "info")
    return redirect(
        _topic_url(post.topic, services.page_of(post.position), f"post-{post.position}")
    )


@bp.route("/p/<int:post_id>/react/<kind>", methods=["POST"])
@login_required
def react(post_id: int, kind: str) -> ResponseReturnValue:
    require_valid_post()
    try:
        reaction = ReactionKind(kind)
    except ValueError:
        abort(404)
    post = services.access_post(post_id)
    done = services.toggle_reaction(current_user, post, reaction, now=request_time())
    label = reaction.value.capitalize()
    return inplace.answer(
        {"reacted": done.on, "pressed": done.on, "count": done.count, "kind": reaction.value},
        back=_topic_url(post.topic, services.page_of(post.position), f"post-{post.position}"),
        announce=f"You reacted “{label}”." if done.on else f"Your “{label}” is taken back.",
    )


@bp.route("/p/<int:post_id>/solution", methods=["POST"])
@login_required
def mark_solution(post_id: int) -> ResponseReturnValue:
    require_valid_post()
    post = services.access_post(post_id)
    services.mark_solution(current_user, post.topic, post, now=request_time())
    flash("Marked as the solution.", "success")
    return redirect(_topic_url(post.topic))


@bp.route("/t/<int:topic_id>/solution/clear", methods=["POST"])
@login_required
def clear_solution(topic_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_topic(topic_id)
    services.mark_solution(current_user, target, None, now=request_time())
    return redirect(_topic_url(target))


@bp.route("/t/<int:topic_id>/vote", methods=["POST"])
@login_required
def vote(topic_id: int) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_topic(topic_id)
    done = services.toggle_vote(current_user, target, now=request_time())
    return inplace.answer(
        {
            "voted": done.on,
            "pressed": done.on,
            "count": done.count,
            "noun": "vote" if done.count == 1 else "votes",
            "label": "Voted" if done.on else "Vote",
        },
        back=_topic_url(target),
        message="Your vote is counted." if done.on else "Your vote is taken back.",
        category="info",
    )


@bp.route("/t/<int:topic_id>/status", methods=["POST"])
@login_required
def set_status(topic_id: int) -> ResponseReturnValue:
    target = services.access_topic(topic_id)
    form = IdeaStatusForm()
    if not form.validate_on_submit():
        raise Invalid("Choose a status and write a comment for the members.")
    services.set_idea_status(
        current_user,
        target,
        IdeaStatus(form.status.data),
        form.comment.data or "",
        now=request_time(),
    )
    flash("The idea's status is updated.", "success")
    return redirect(_topic_url(target))


@bp.route("/t/<int:topic_id>/<any(pin,unpin,lock,unlock):change>", methods=["POST"])
@login_required
def moderate_topic(topic_id: int, change: str) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_topic(topic_id)
    if change in ("pin", "unpin"):
        services.set_pinned(current_user, target, change == "pin", now=request_time())
    else:
        services.set_locked(current_user, target, change == "lock", now=request_time())
    done = {"pin": "pinned", "unpin": "unpinned", "lock": "locked", "unlock": "unlocked"}
    flash(f"Topic {done[change]}.", "success")
    return redirect(_topic_url(target))


@bp.route("/t/<int:topic_id>/move", methods=["POST"])
@login_required
def move_topic(topic_id: int) -> ResponseReturnValue:
    target = services.access_topic(topic_id)
    form = MoveTopicForm()
    form.category.choices = [
        SelectChoice(str(c.id), c.name) for c in services.list_categories(target.brand_id)
    ]
    if not form.validate_on_submit():
        raise Invalid("Choose one of this brand's categories.")
    destination = next(
        c for c in services.list_categories(target.brand_id) if c.id == form.category.data
    )
    services.move_topic(current_user, target, destination, now=request_time())
    flash(f"Topic moved to {destination.name}.", "success")
    return redirect(_topic_url(target))


@bp.route("/b/<brand>/categories", methods=["GET", "POST"])
@login_required
def manage_categories(brand: str) -> ResponseReturnValue:
    target = services.access_brand_for_management(current_user, brand, now=request_time())
    form = CategoryForm()
    failure = None
    if form.validate_on_submit():
        try:
            services.create_category(current_user, target, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("Category added.", "success")
            return redirect(url_for("forums.manage_categories", brand=target.slug))
    return _categories_page(target, form=form, status=form_status(form, failure))


def _categories_page(
    target: Brand,
    *,
    form: CategoryForm | None = None,
    problems: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "forums/categories.html",
        brand=target,
        categories=services.list_categories(target.id),
        form=form or CategoryForm(formdata=None),
        action=ActionForm(),
        problems=problems or {},
    ), status


@bp.route("/b/<brand>/c/<category>/edit", methods=["GET", "POST"])
@login_required
def edit_category(brand: str, category: str) -> ResponseReturnValue:
    target = services.access_category_for_management(
        current_user, brand, category, now=request_time()
    )
    form = CategoryForm(obj=target if request.method == "GET" else None)
    form.slug.data = target.slug
    failure = None
    if form.validate_on_submit():
        try:
            services.update_category(current_user, target, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("Category saved.", "success")
            return redirect(url_for("forums.manage_categories", brand=target.brand.slug))
    return render_template(
        "forums/edit_category.html", form=form, category=target, brand=target.brand
    ), form_status(form, failure)


@bp.route("/b/<brand>/c/<category>/<any(archive,unarchive):change>", methods=["POST"])
@login_required
def archive_category(brand: str, category: str, change: str) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_category_for_management(
        current_user, brand, category, now=request_time()
    )
    services.set_archived(current_user, target, change == "archive", now=request_time())
    if change == "archive":
        flash(
            f"{target.name} is archived: read-only, and left out of the brand's lists. Its "
            "address still works.",
            "success",
        )
    else:
        flash(f"{target.name} is open again.", "success")
    return redirect(url_for("forums.manage_categories", brand=target.brand.slug))


@bp.route("/b/<brand>/c/<category>/delete", methods=["POST"])
@login_required
def delete_category(brand: str, category: str) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_category_for_management(
        current_user, brand, category, now=request_time()
    )
    try:
        services.delete_category(current_user, target, now=request_time())
    except DomainError as err:
        problems = {err.field or f"delete-{category}": err.message}
        # Read again: the refusal rolled back what the session held.
        owner_brand = services.access_brand_for_management(current_user, brand, now=request_time())
        return _categories_page(owner_brand, problems=problems, status=err.status)
    flash(f"{target.name} is deleted.", "success")
    return redirect(url_for("forums.manage_categories", brand=target.brand.slug))


@bp.route("/b/<brand>/c/<category>/<any(up,down):direction>", methods=["POST"])
@login_required
def move_category(brand: str, category: str, direction: str) -> ResponseReturnValue:
    require_valid_post()
    target = services.access_category(brand, category)
    services.move_category(current_user, target, -1 if direction == "up" else 1, now=request_time())
    return redirect(url_for("forums.manage_categories", brand=target.brand.slug))


_WATCH_FLASHES = {
    WatchLevel.WATCHING: "You are watching this {noun}: you'll be told of new posts.",
    WatchLevel.MUTED: "This {noun} is muted: you won't be told of anything in it.",
    None: "You no longer watch or mute this {noun}.",
}


def _chosen_watch_level() -> WatchLevel | None:
    """The watch button's `level`: watching, muted, or none (clear the choice)."""
    value = request.form.get("level", "")
    if value == "none":
        return None
    try:
        return WatchLevel(value)
    except ValueError:
        raise Invalid("Choose to watch, mute, or neither.") from None


@bp.route("/t/<int:topic_id>/watch", methods=["POST"])
@login_required
def watch_topic(topic_id: int) -> ResponseReturnValue:
    require_valid_post()
    level = _chosen_watch_level()
    target = services.access_topic(topic_id)
    services.set_topic_watch(current_user, target, level)
    url = url_for("forums.watch_topic", topic_id=target.id)
    return _watched(level, "topic", url, back=_topic_url(target))


@bp.route("/b/<brand>/c/<category>/watch", methods=["POST"])
@login_required
def watch_category(brand: str, category: str) -> ResponseReturnValue:
    require_valid_post()
    level = _chosen_watch_level()
    target = services.access_category(brand, category)
    services.set_category_watch(current_user, target, level)
    url = url_for("forums.watch_category", brand=target.brand.slug, category=target.slug)
    back = url_for("forums.category", brand=target.brand.slug, category=target.slug)
    return _watched(level, "category", url, back=back)


def _watched(level: WatchLevel | None, noun: str, url: str, *, back: str) -> ResponseReturnValue:
    """The watch buttons' answer: in place, the same buttons drawn for the new level."""
    state: dict[str, Any] = {"level": level.value if level else "none"}
    if inplace.asked_for_json():
        # One macro draws the buttons for a page and for the script, so their wording
        # and choices live in one place (templates/forums/_watch.html).
        state["html"] = str(
            get_template_attribute("forums/_watch.html", "watch_buttons")(url, level, noun)
        )
    return inplace.answer(state, back=back, message=_WATCH_FLASHES[level].format(noun=noun))


@bp.route("/b/<brand>/c/<category>/feed.atom")
def category_feed(brand: str, category: str) -> ResponseReturnValue:
    target = services.access_category(brand, category)
    return _atom(feeds.category_feed(target))


@bp.route("/t/<int:topic_id>/feed.atom")
def topic_feed(topic_id: int) -> ResponseReturnValue:
    # Feed readers are nobody in particular: a hidden or removed topic has no feed.
    target = services.access_visible_topic(Visitor(), topic_id, now=request_time())
    return _atom(feeds.topic_feed(target))


def _atom(feed: feeds.Feed) -> Response:
    # The template ends in .xml, so Jinja autoescapes it like a page.
    body = render_template("forums/feed.atom.xml", feed=feed)
    return Response(body, mimetype="application/atom+xml")
