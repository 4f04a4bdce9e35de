"""What every moderation action writes beside its change: the log row, the event, and
the member's notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fanhub import events
from fanhub.content import Item
from fanhub.links import site_path
from fanhub.moderation.audit import record_action
from fanhub.moderation.models import Decision, ModerationAction, ModerationRule
from fanhub.moderation.services.items import DecisionDraft
from fanhub.notifications.models import MESSAGE_MAX, NotificationKind
from fanhub.notifications.services import notify
from fanhub.permissions import Actor


def snapshot(target: Item, flags: int) -> dict[str, Any]:
    """An item's state as the log records it before and after an action."""
    return {"status": target.state, "open_flags": flags}


def log(
    moderator: Actor | None,
    decision: Decision,
    target: Item,
    rule: ModerationRule | None,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
    now: datetime,
    brand_id: int | None = None,
) -> ModerationAction:
    """Write the one audit row of an action (no commit)."""
    return record_action(
        moderator,
        decision,
        item_kind=target.kind,
        item_id=target.id,
        brand_id=brand_id if brand_id is not None else (target.brand_id or None),
        subject_id=target.author_id,
        rule=rule,
        reason=reason,
        before=before,
        after=after,
        now=now,
    )


def moderated(target: Item) -> None:
    """Tell the event's subscribers, after commit, that the item's state changed."""
    events.emit(
        events.ContentModerated(
            brand_id=target.brand_id, kind=target.kind.value, item_id=target.id, state=target.state
        )
    )


def tell(
    member_id: int | None, action: ModerationAction, target: Item, message: str, *, now: datetime
) -> None:
    """Notify the member of an action about her, linking to where she may appeal it."""
    if member_id is None:
        return
    if len(message) > MESSAGE_MAX:
        message = message[: MESSAGE_MAX - 1] + "…"
    notify(
        [member_id],
        kind=NotificationKind.MODERATION,
        message=message,
        url=site_path("moderation.appeal", action_id=action.id),
        actor_id=action.moderator_id,
        now=now,
        # Each action is a thread of its own, as its appeal page is.
        thread_key=f"appeal:{action.id}",
        thread_title=target.context or None,
        brand_id=target.brand_id or None,
    )


def with_rule(message: str, draft: DecisionDraft) -> str:
    """The member's notice of a decision, with the rule it broke and how to appeal."""
    rule = draft.rule.label if draft.rule else "it breaks the guidelines"
    reason = " ".join(draft.reason.split())
    text = f"{message}: {rule}."
    if reason:
        text += f" “{reason}”"
    return text + " You may appeal once."


# What a moderator did, as a sentence about `what` ("the post", "it"): the labels are
# headings ("Dismissed the flags"), and "Dismissed the flags the post" is no sentence.
_DID: dict[Decision, str] = {
    Decision.DISMISS: "Dismissed the flags on {}",
    Decision.AUTO_HIDE: "Hid {} (members' flags)",
    Decision.TRUST: "Changed the trust level of {}",
}


def did(decision: Decision, what: str) -> str:
    """What a decision did to `what`, as the queue tells the moderator: "Hid the post"."""
    template = _DID.get(decision)
    return template.format(what) if template else f"{decision.label} {what}"
