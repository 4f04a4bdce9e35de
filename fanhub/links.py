"""Absolute links to fanhub pages for emails and feeds, built from BASE_URL.

Emails are queued from the CLI and workers as well as from requests, so links cannot
depend on the request's host (which a client can also forge).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def absolute_url(endpoint: str, **values: Any) -> str:
    """The public URL of `endpoint`, e.g. https://community.example.com/verify/abc."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values: Any) -> str:
    """The path of `endpoint` on this site (for links stored in rendered text)."""
    adapter = current_app.url_map.bind("localhost")
    return adapter.build(endpoint, values)


def safe_next(target: str | None, fallback: str) -> str:
    """`target` if it is a path on this site, else `fallback` (no open redirects)."""
    if not target:
        return fallback
    # Browsers treat backslashes like slashes, so "/\\evil.example" leaves the site.
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
