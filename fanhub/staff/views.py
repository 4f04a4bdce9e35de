"""The staff desk at /b/<brand>/staff."""

from __future__ import annotations

from flask import Blueprint

from fanhub.staff import models  # noqa: F401  (the tables exist before any view does)

bp = Blueprint("staff", __name__)
