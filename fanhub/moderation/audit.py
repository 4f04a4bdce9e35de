"""The one way to write a row of the append-only moderation log (issue 5, point 3).

It imports only models, so every domain whose services moderate (the queue, the forum's
topic tools, review moderation) can record its actions here without an import cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fanhub.extensions import db
from fanhub.moderation.models import (
    REASON_MAX,
    Decision,
    ItemKind,
    ModerationAction,
    ModerationRule,
)
from fanhub.permissions import Actor


def record_action(
    moderator: Actor | None,
    action: Decision,
    *,
    item_kind: ItemKind,
    item_id: int,
    brand_id: int | None,
    subject_id: int | None,
    before: dict[str, Any],
    after: dict[str, Any],
    rule: ModerationRule | None = None,
    reason: str = "",
    now: datetime,
) -> ModerationAction:
    """Add the one audit row of a moderation action to the caller's transaction (no commit).

    `moderator` is the acting user (None, or the command-line SYSTEM, leaves the column
    empty); `before` and `after` are JSON snapshots of what the action changed.
    """
    row = ModerationAction(
        brand_id=brand_id,
        moderator_id=getattr(moderator, "id", None),
        action=action,
        item_kind=item_kind,
        item_id=item_id,
        subject_id=subject_id,
        rule=rule,
        reason=" ".join(reason.split())[:REASON_MAX],
        state_before=before,
        state_after=after,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()  # its id goes into the member's link to appeal
    return row
