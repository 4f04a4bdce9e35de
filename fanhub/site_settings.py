"""Site settings a site admin changes at /admin/settings without touching code or the
environment (issue 13): the flag threshold, trust and spam thresholds, posting and flagging
rate limits, and whether registration is open or by invitation.

Each setting is stored as one row of `site_settings` (its JSON value, who changed it and
when) and read through the typed getters here, with the app's configuration value of the
same name as its default. The rows are read once per request, and only by a request that
asks for a setting, so a page that needs none costs no query. Changing a setting is a
site admin's decision on the record: `fanhub.moderation.services.settings` validates with
`parse_setting`, writes with `store_setting` and logs it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, g, has_request_context, request
from limits import parse_many
from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from fanhub.db import UTCDateTime
from fanhub.errors import Invalid
from fanhub.extensions import Model, db

KEY_MAX = 40
RATE_LIMIT_MAX = 100
# The most requests a stored rate limit may allow in its window: beyond this a limit is
# no limit at all, and a typo ("10000000 per second") should not switch one off.
RATE_LIMIT_MOST = 100_000


class Registration(enum.StrEnum):
    """Who may make an account at /register."""

    OPEN = "open"
    INVITE_ONLY = "invite_only"


class Kind(enum.StrEnum):
    """What a setting's value is, and so how it is parsed and checked."""

    COUNT = "count"
    RATE_LIMIT = "rate_limit"
    CHOICE = "choice"


@dataclass(frozen=True)
class Setting:
    """One setting: its key (the configuration key that holds its default), how it is shown,
    and what values it may take."""

    key: str
    group: str
    label: str
    help: str
    kind: Kind
    lowest: int = 0
    highest: int = 0
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def field(self) -> str:
        """The form field (and the error's field) that edits it."""
        return self.key.lower()


_NEW = "New members (trust level 0)"

# The settings, in the order the settings page shows them.
SETTINGS: tuple[Setting, ...] = (
    Setting("FLAG_HIDE_THRESHOLD", "Flags", "Flags that hide an item",
            "How many different members' open flags hide a post or review until a "
            "moderator decides.", Kind.COUNT, 1, 100),
    Setting("TRUST0_MAX_LINKS", _NEW, "Links per post",
            "The most links a new member's post, review or reply may hold.", Kind.COUNT, 0, 50),
    Setting("TRUST1_APPROVED_POSTS", _NEW, "Published posts for level 1",
            "How many published posts make a new member level 1.", Kind.COUNT, 1, 1000),
    Setting("TRUST1_MIN_AGE_HOURS", _NEW, "Hours before level 1",
            "How long a new member must have been registered before reaching level 1.",
            Kind.COUNT, 0, 24 * 365),
    Setting("SPAM_DUPLICATE_MINUTES", _NEW, "Repeated-text window (minutes)",
            "A new member's text repeated within this many minutes waits for a moderator "
            "(0 turns the check off).", Kind.COUNT, 0, 24 * 60),
    Setting("SPAM_WORDS_PER_LINK", _NEW, "Words per link",
            "A new member's text of two or more links with fewer words than this per link "
            "waits for a moderator (0 turns the check off).", Kind.COUNT, 0, 200),
    Setting("RATELIMIT_POST", "Rate limits", "Posting",
            "Topics, replies, reviews and review replies per member, e.g. "
            "“10 per minute;60 per hour”.", Kind.RATE_LIMIT),
    Setting("RATELIMIT_POST_NEW", "Rate limits", "Posting by new members",
            "The same, for trust level 0 members outside any brand's team.", Kind.RATE_LIMIT),
    Setting("RATELIMIT_FLAG", "Rate limits", "Flagging", "Flags per member.", Kind.RATE_LIMIT),
    Setting("REGISTRATION_MODE", "Registration", "Who may register",
            "Open to anyone, or only people a site admin invited by email.", Kind.CHOICE,
            choices=((Registration.OPEN.value, "Anyone"),
                     (Registration.INVITE_ONLY.value, "By invitation only"))),
)  # fmt: skip

_BY_KEY = {setting.key: setting for setting in SETTINGS}


class SiteSetting(Model):
    """The stored value of one setting; a key without a row has its configured default."""

    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_MAX), unique=True)
    value: Mapped[Any] = mapped_column(JSON)
    # Who changed it last (NULL from the command line, or once her account is deleted).
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


def setting(key: str) -> Setting:
    """The setting called `key` (as `flask settings` and the errors name it).

    :raises Invalid: there is no such setting.
    """
    found = _BY_KEY.get(key.strip().upper())
    if found is None:
        names = ", ".join(item.key for item in SETTINGS)
        raise Invalid(f"There is no setting called {key!r}: choose one of {names}.", field="key")
    return found


def _stored() -> dict[str, Any]:
    # One query per request (or per app context: a command, a test), on first use.
    cached: dict[str, Any] | None = g.get("_site_settings")
    if cached is None:
        rows = db.session.execute(select(SiteSetting.key, SiteSetting.value))
        cached = {key: stored for key, stored in rows}
        g._site_settings = cached
    return cached


def forget_cached() -> None:
    """Read the settings again on next use (after they changed in this context)."""
    g.pop("_site_settings", None)


def default(key: str) -> Any:
    """The value a setting has until a site admin changes it: the app's configuration."""
    return current_app.config[key]


def value(key: str) -> Any:
    """A setting's current value: stored, or its default."""
    stored = _stored()
    return stored[key] if key in stored else default(key)


def count(key: str) -> int:
    """A whole-number setting (the flag threshold, a trust or spam threshold)."""
    return int(value(key))


def rate_limit(key: str) -> str:
    """A rate-limit setting, as Flask-Limiter reads it ("10 per minute;60 per hour")."""
    return str(value(key))


def registration() -> Registration:
    """Whether anyone may register, or only people invited."""
    return Registration(value("REGISTRATION_MODE"))


def when_posted(choose: Callable[[], str]) -> Callable[[], str]:
    """A Flask-Limiter limit for a POST-only rate limit that reads the stored settings only
    when a POST arrives.

    Flask-Limiter asks a route's limit on every request, the form page's GET included, and
    only then sees that the limit does not apply to a GET: without this, showing the form
    would cost a query for a limit it is exempt from.
    """

    def limit() -> str:
        if has_request_context() and request.method != "POST":
            return _UNUSED_LIMIT
        return choose()

    return limit


# What an exempt request is told: parsed by Flask-Limiter, never counted.
_UNUSED_LIMIT = "1000 per second"


def parse_setting(item: Setting, raw: str) -> Any:
    """The value `raw` (as typed in the form or on the command line) gives `item`.

    :raises Invalid: on the setting's field, saying what it takes.
    """
    text = " ".join(str(raw).split())
    if item.kind is Kind.COUNT:
        span = f"a whole number from {item.lowest} to {item.highest}"
        if not text.isascii() or not text.isdigit():
            raise Invalid(f"Write {span}.", field=item.field)
        number = int(text[:12])  # more digits than that is out of range anyway
        if len(text) > 12 or not item.lowest <= number <= item.highest:
            raise Invalid(f"Write {span}.", field=item.field)
        return number
    if item.kind is Kind.RATE_LIMIT:
        return _parse_rate_limit(item, text)
    allowed = [choice for choice, _ in item.choices]
    if text not in allowed:
        raise Invalid(f"Choose one of: {', '.join(allowed)}.", field=item.field)
    return text


def _parse_rate_limit(item: Setting, text: str) -> str:
    example = "write it as “10 per minute;60 per hour”"
    if not text:
        raise Invalid(f"Give a rate limit: {example}.", field=item.field)
    if len(text) > RATE_LIMIT_MAX:
        raise Invalid(f"Keep it to {RATE_LIMIT_MAX} characters.", field=item.field)
    try:
        limits = parse_many(text)
    except ValueError:
        raise Invalid(f"That is not a rate limit: {example}.", field=item.field) from None
    if not limits or any(not 1 <= limit.amount <= RATE_LIMIT_MOST for limit in limits):
        raise Invalid(
            f"Each limit allows from 1 to {RATE_LIMIT_MOST:,} requests: {example}.",
            field=item.field,
        )
    return text


def store_setting(item: Setting, new: Any, *, changed_by: int | None, now: datetime) -> SiteSetting:
    """Write a setting's new value in the caller's transaction (no commit); later reads in
    this context see it."""
    row = db.session.scalars(
        select(SiteSetting).where(SiteSetting.key == item.key).with_for_update()
    ).first()
    if row is None:
        row = SiteSetting(key=item.key)
        db.session.add(row)
    row.value = new
    row.changed_by_id = changed_by
    row.changed_at = now
    db.session.flush()  # its id names it in the audit log
    forget_cached()
    return row


def stored_rows() -> dict[str, SiteSetting]:
    """The stored rows by key, for the settings page (who changed what, and when)."""
    return {row.key: row for row in db.session.scalars(select(SiteSetting))}
