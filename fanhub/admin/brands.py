"""/admin/brands: every brand, a new one, and one brand's name, page, team, owner and
whether it is open (issue 13). Each change is a brands service, on the moderation log."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from fanhub.admin import brand_pages
from fanhub.admin.blueprint import SECTIONS, bp
from fanhub.admin.forms import (
    BrandCreateForm,
    BrandEditForm,
    BrandRoleForm,
    CloseBrandForm,
    ReopenBrandForm,
    TransferForm,
)
from fanhub.brands import services as brand_services
from fanhub.brands.models import Brand, Role
from fanhub.brands.services import lifecycle
from fanhub.clock import request_time
from fanhub.errors import DomainError
from fanhub.forms import AttachableForm, form_status

SECTIONS.append(("admin.brands", "Brands"))


@bp.route("/brands")
def brands() -> ResponseReturnValue:
    rows = brand_pages.brand_rows(current_user, now=request_time())
    return render_template("admin/brands.html", rows=rows, active="admin.brands")


@bp.route("/brands/new", methods=["GET", "POST"])
def new_brand() -> ResponseReturnValue:
    form = BrandCreateForm()
    failure = None
    if form.validate_on_submit():
        try:
            brand = brand_services.create_brand(current_user, form.to_draft(), now=request_time())
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(f"{brand.name} is open at /b/{brand.slug}. Appoint its owner below.", "success")
            return redirect(url_for("admin.brand", slug=brand.slug))
    return render_template("admin/brands_new.html", form=form, active="admin.brands"), form_status(
        form, failure
    )


def _brand_page(slug: str, **shown: AttachableForm) -> str:
    """The brand's console page, with the form that failed (if any) as it was posted."""
    page = brand_pages.brand_admin_page(current_user, slug, now=request_time())
    forms: dict[str, AttachableForm] = {
        "edit": BrandEditForm(formdata=None, obj=page.brand),
        "role": BrandRoleForm(formdata=None, prefix="role"),
        "transfer": TransferForm(formdata=None, prefix="transfer"),
        "close": CloseBrandForm(formdata=None, prefix="close"),
        "reopen": ReopenBrandForm(formdata=None, prefix="reopen"),
    }
    forms.update(shown)
    return render_template(
        "admin/brands_edit.html", page=page, target=page.brand, active="admin.brands", **forms
    )


@bp.route("/brands/<slug>", methods=["GET", "POST"])
def brand(slug: str) -> ResponseReturnValue:
    form = BrandEditForm()
    if not form.is_submitted():
        return _brand_page(slug)
    page = brand_pages.brand_admin_page(current_user, slug, now=request_time())
    failure = None
    if form.validate_on_submit():
        try:
            changed = lifecycle.edit_brand(
                current_user,
                page.brand,
                form.name.data or "",
                form.to_draft(page.brand),
                now=request_time(),
            )
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash("Saved." if changed else "Nothing changed.", "success" if changed else "info")
            return redirect(url_for("admin.brand", slug=slug))
    return _brand_page(slug, edit=form), form_status(form, failure)


def _act(
    slug: str, name: str, form: AttachableForm, do: Callable[[Brand], str], anchor: str = ""
) -> ResponseReturnValue:
    """One of the brand page's forms posted: `do` makes the change through the brands
    service and says what happened; a refusal re-shows the page with her form and the
    problem beside it (as `name`, the form's place on the page)."""
    page = brand_pages.brand_admin_page(current_user, slug, now=request_time())
    failure = None
    if form.validate_on_submit():
        try:
            message = do(page.brand)
        except DomainError as err:
            form.attach(err)
            failure = err
        else:
            flash(message, "success")
            return redirect(url_for("admin.brand", slug=slug) + anchor)
    return _brand_page(slug, **{name: form}), form_status(form, failure)


@bp.route("/brands/<slug>/roles", methods=["POST"])
def add_brand_role(slug: str) -> ResponseReturnValue:
    form = BrandRoleForm(prefix="role")

    def appoint(brand: Brand) -> str:
        member = brand_pages.member_named(form.username.data or "")
        brand_services.add_role(
            current_user, brand, member, Role(form.role.data), now=request_time()
        )
        return f"{member.username} is now {form.role.data} of {brand.name}."

    return _act(slug, "role", form, appoint, "#team")


@bp.route("/brands/<slug>/transfer", methods=["POST"])
def transfer_brand(slug: str) -> ResponseReturnValue:
    form = TransferForm(prefix="transfer")

    def hand_over(brand: Brand) -> str:
        member = brand_pages.member_named(form.username.data or "")
        return lifecycle.transfer_ownership(
            current_user, brand, member, keep_as_staff=form.keep_as_staff, now=request_time()
        )

    return _act(slug, "transfer", form, hand_over, "#team")


@bp.route("/brands/<slug>/close", methods=["POST"])
def close_brand(slug: str) -> ResponseReturnValue:
    form = CloseBrandForm(prefix="close")

    def close(brand: Brand) -> str:
        lifecycle.close_brand(current_user, brand, form.reason.data or "", now=request_time())
        return f"{brand.name} is closed. Reopen it here at any time."

    return _act(slug, "close", form, close)


@bp.route("/brands/<slug>/reopen", methods=["POST"])
def reopen_brand(slug: str) -> ResponseReturnValue:
    form = ReopenBrandForm(prefix="reopen")

    def reopen(brand: Brand) -> str:
        lifecycle.reopen_brand(current_user, brand, form.reason.data or "", now=request_time())
        return f"{brand.name} is open again."

    return _act(slug, "reopen", form, reopen)
