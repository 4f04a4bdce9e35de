"""How times and durations read on a page ("3 hours ago", "within 2 days")."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from fanhub.clock import request_time

_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400), ("day", 86400),
          ("hour", 3600), ("minute", 60))  # fmt: skip


def duration(seconds: int | float) -> str:
    """A rough length of time: "45 minutes", "3 hours", "2 days"."""
    seconds = int(seconds)
    for name, size in _UNITS:
        if seconds >= size:
            count = seconds // size
            return f"{count} {name}{'s' if count != 1 else ''}"
    return "a minute"


def ago(moment: datetime, now: datetime) -> str:
    """How long before `now` something happened, or its date once it is old."""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds > 30 * 86400:
        return moment.strftime("%-d %b %Y")
    return f"{duration(seconds)} ago"


def iso(moment: datetime) -> str:
    """A moment as a `<time datetime>` value: ISO 8601 to the second. HTML allows at most
    three digits of a second's fraction, and Python would write six (issue 13)."""
    return moment.isoformat(timespec="seconds")


def ago_at_request_time(moment: datetime) -> str:
    """`ago` as of the request's moment, the one every rule in the request was judged at."""
    return ago(moment, request_time())


def register(app: Flask) -> None:
    """Make the helpers available to templates as filters (`|ago`, `|duration`, `|iso`)."""
    app.add_template_filter(ago_at_request_time, "ago")
    app.add_template_filter(duration)
    app.add_template_filter(iso)
