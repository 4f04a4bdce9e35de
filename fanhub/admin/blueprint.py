"""The console's one blueprint; every view module under `fanhub.admin` adds its routes to it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue
from flask_login import current_user

from fanhub.clock import request_time
from fanhub.extensions import login_manager
from fanhub.permissions import Action, require

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The console's sections, in the order of its navigation: (endpoint, label). A section's
# module appends itself when it is imported (see fanhub/admin/views.py).
SECTIONS: list[tuple[str, str]] = [("admin.index", "Overview")]


@bp.before_request
def _site_admins_only() -> ResponseReturnValue | None:
    """Every page of the console, GET or POST, is for site admins: a visitor is sent to sign
    in, anyone else gets 403 (the services check again for every write)."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(current_user, Action.SITE_ADMIN, now=request_time())
    return None


@bp.context_processor
def _sections() -> dict[str, Any]:
    return {"admin_sections": SECTIONS}
