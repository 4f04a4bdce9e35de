"""Who may open the staff desk, its metrics windows and item kinds from the URL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fanhub.brands.models import Brand
from fanhub.brands.services import access_brand_as
from fanhub.errors import Invalid, NotFound
from fanhub.inputs import optional_int
from fanhub.permissions import Action, Actor
from fanhub.staff.models import ClaimTarget

WINDOWS = (7, 30, 90)
DEFAULT_WINDOW = 30


def access_desk(actor: Actor, brand_slug: str, *, now: datetime) -> Brand:
    """The brand whose desk the actor works at: its owners and staff, and site admins.

    :raises NotFound: no such brand.
    :raises Forbidden: the actor does not answer for the brand.
    """
    return access_brand_as(actor, brand_slug, Action.BRAND_STAFF_ANSWER, now=now)


def parse_window(raw: str | None) -> int:
    """The metrics window in days from `?days=`: 7, 30 or 90 (30 when absent).

    :raises Invalid: anything else.
    """
    message = "Choose a window of 7, 30 or 90 days."
    days = optional_int(raw, lo=1, hi=max(WINDOWS), field="days", message=message)
    if days is None:
        return DEFAULT_WINDOW
    if days not in WINDOWS:
        raise Invalid(message, field="days")
    return days


def parse_target(raw: str) -> ClaimTarget:
    """A claim's kind from the URL.

    :raises NotFound: not a kind of item the desk knows.
    """
    try:
        return ClaimTarget(raw)
    except ValueError:
        raise NotFound("There is no such item on the desk.") from None


def name_of(person: Any) -> str:
    """How the desk names a member: her display name, or her username without one."""
    return getattr(person, "name", None) or person.username
