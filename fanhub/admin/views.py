"""/admin: the console's front page. Each section's pages live in a module beside this one
and are imported at the end, so that their routes join the blueprint."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from fanhub.admin.blueprint import bp


@bp.route("")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html", active="admin.index")


from fanhub.admin import brands, members, site  # noqa: E402,F401
