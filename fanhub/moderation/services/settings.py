"""Site settings changed by a site admin, on the record (issue 13): the console's settings
page and `flask settings set` both come here.

The settings themselves (what there is, what each may hold, how it is read) are the shared
module `fanhub.site_settings`; this is the one way to change them, since each change is a
decision logged beside the moderators' own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from fanhub import site_settings
from fanhub.accounts.models import User
from fanhub.db import transaction
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision, ItemKind
from fanhub.permissions import Action, Actor, require
from fanhub.site_settings import SETTINGS, Setting


@dataclass(frozen=True)
class SettingRow:
    """One setting as the settings page and `flask settings show` present it."""

    setting: Setting
    value: Any
    default: Any
    changed_by: str | None
    changed_at: datetime | None

    @property
    def is_default(self) -> bool:
        return self.changed_at is None


def settings_page(viewer: Actor, *, now: datetime) -> list[SettingRow]:
    """Every setting with its value, its default and who last changed it (two queries).

    :raises Forbidden: the viewer is not a site admin.
    """
    require(viewer, Action.SITE_ADMIN, now=now)
    rows = site_settings.stored_rows()
    ids = {row.changed_by_id for row in rows.values() if row.changed_by_id is not None}
    names = (
        {
            user_id: username
            for user_id, username in db.session.execute(
                select(User.id, User.username).where(User.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    shown = []
    for item in SETTINGS:
        row = rows.get(item.key)
        shown.append(
            SettingRow(
                item,
                row.value if row is not None else site_settings.default(item.key),
                site_settings.default(item.key),
                names.get(row.changed_by_id) if row and row.changed_by_id else None,
                row.changed_at if row is not None else None,
            )
        )
    return shown


def change_settings(actor: Actor, typed: Mapping[str, str], *, now: datetime) -> list[str]:
    """Set each named setting to the value typed for it (keyed by setting key or form
    field), all or none; each one that really changes writes one row of the audit log.
    Returns the changes in words ("Flags that hide an item: 3 → 2"), empty if none.

    :raises Forbidden: the actor is not a site admin.
    :raises Invalid: a key names no setting, or a value is not one the setting takes
        (every bad value is named, each on its own field).
    """
    require(actor, Action.SITE_ADMIN, now=now)
    wanted: dict[str, tuple[Setting, Any]] = {}
    problems: dict[str, str] = {}
    for key, raw in typed.items():
        item = site_settings.setting(key)
        try:
            wanted[item.key] = (item, site_settings.parse_setting(item, raw))
        except Invalid as err:
            problems[item.field] = err.message
    if problems:
        (field, message), *rest = problems.items()
        raise Invalid(message, field=field, also=dict(rest))
    # Read before any write: a write makes the next read query again.
    current = {key: site_settings.value(key) for key in wanted}
    changed = []
    with transaction():
        for item, new in wanted.values():
            old = current[item.key]
            if old == new:
                continue
            row = site_settings.store_setting(item, new, changed_by=actor.id, now=now)
            record_action(
                actor,
                Decision.SETTING,
                item_kind=ItemKind.SETTING,
                item_id=row.id,
                brand_id=None,
                subject_id=None,
                before={item.field: old},
                after={item.field: new},
                reason=item.label,
                now=now,
            )
            changed.append(f"{item.label}: {old} → {new}")
    return changed
