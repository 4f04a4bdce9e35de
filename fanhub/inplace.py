"""Small actions answered in place (issue 13, point 13): a button's own POST answers its new
state as JSON when the page's script asks for it (static/js/actions.js), and flashes and
redirects as before otherwise, so every button works the same without JavaScript.

Errors need nothing here: a refused action raises as always, and fanhub.errors answers a
request that asked for JSON with `{"error", "message"}` and the same status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, jsonify, redirect, request
from flask.typing import ResponseReturnValue

from fanhub.errors import wants_json


def asked_for_json() -> bool:
    """True when the request prefers JSON to a page (`Accept: application/json`)."""
    return wants_json(request)


def answer(
    state: Mapping[str, Any],
    *,
    back: str,
    message: str | None = None,
    category: str = "success",
    announce: str | None = None,
    code: int = 302,
) -> ResponseReturnValue:
    """Answer a small action: `state` as JSON for the script, with the sentence it reads
    out (`announce`, else `message`); otherwise `message` (if any) flashed in `category`
    and a redirect to `back`, exactly as the button did before it had a script."""
    if asked_for_json():
        return jsonify({**state, "message": announce or message or ""})
    if message:
        flash(message, category)
    return redirect(back, code=code)
