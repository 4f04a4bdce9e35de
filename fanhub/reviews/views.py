"""Product pages, writing reviews, and the conversations under them."""

from __future__ import annotations

from flask import Blueprint

from fanhub.reviews import models  # noqa: F401  (the tables exist before any view does)

bp = Blueprint("reviews", __name__)
