"""Time as an input: each request's moment, and slow figures cached with theirs.

Time is an input (issue 11). Services and permission checks never read the clock; they take
`now` from their caller. A view passes `request_time()`, so every rule in one request (is
she suspended, is the edit window open, how long ago was this posted) agrees on one moment,
and a test can give any moment it likes. The CLI, the mail worker and the demo data scripts
are edges too: they pass `fanhub.db.utcnow()` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar, cast

from flask import Flask, g

from fanhub.db import utcnow
from fanhub.extensions import cache

_ATTRIBUTE = "fanhub_request_time"
T = TypeVar("T")


def request_time() -> datetime:
    """The moment the current request began (UTC), the `now` its rules are judged at.

    Recorded by the hook `register` installs before any other. Outside a request (a template
    rendered by a command), or should that hook not have run, the first call records it.
    """
    moment: datetime | None = g.get(_ATTRIBUTE)
    if moment is None:
        moment = utcnow()
        setattr(g, _ATTRIBUTE, moment)
    return moment


def _record_request_time() -> None:
    # Always a fresh moment: a test may send several requests inside one app context,
    # which then share `g`.
    setattr(g, _ATTRIBUTE, utcnow())


def register(app: Flask) -> None:
    """Record each request's moment; call it before any extension adds a hook of its own."""
    app.before_request(_record_request_time)


def cached_at(key: str, now: datetime, seconds: int, compute: Callable[[], T]) -> T:
    """`compute()`, reused from the cache while it was computed less than `seconds` before `now`.

    For figures that move slowly (a brand's responsiveness, the staff desk's metrics). The
    entry keeps the moment it was computed at, so a caller at another moment (a later
    request, a test's own clock) never gets figures from its future or older than `seconds`.
    """
    entry = cache.get(key)
    # A (moment, value) pair; anything else (an entry an older release wrote) is recomputed.
    if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], datetime):
        computed_at, value = entry
        if timedelta(0) <= now - computed_at < timedelta(seconds=seconds):
            return cast(T, value)
    value = compute()
    cache.set(key, (now, value), timeout=seconds)
    return value
