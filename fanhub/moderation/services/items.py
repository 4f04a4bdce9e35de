"""What moderation decides about: items of any registered kind, the drafts a moderator
fills in, and the decisions they allow."""

from __future__ import annotations

from dataclasses import dataclass

from fanhub.content import (
    Item,
    ItemKind,
    WaitingList,
    content_kind,
    content_kinds,
    is_content,
)
from fanhub.errors import Invalid, NotFound
from fanhub.moderation.models import REASON_MAX, Decision, FlagReason, ModerationRule

MAX_SUSPENSION_DAYS = 365
# Decisions about an item in the queue, and what they do to it.
ITEM_DECISIONS = (Decision.DISMISS, Decision.HIDE, Decision.REMOVE, Decision.RESTORE, Decision.LOCK)
REVIEW_DECISIONS = (Decision.APPROVE, Decision.REJECT)
SANCTIONS = (Decision.SUSPEND, Decision.BAN, Decision.LIFT)
# Decisions that say the member broke a rule: they need one, and she may appeal them.
NEEDS_RULE = frozenset(
    {Decision.HIDE, Decision.REMOVE, Decision.REJECT, Decision.LOCK, Decision.SUSPEND, Decision.BAN}
)
APPEALABLE = NEEDS_RULE | {Decision.AUTO_HIDE}


@dataclass(frozen=True)
class FlagDraft:
    reason: FlagReason
    note: str = ""


@dataclass(frozen=True)
class DecisionDraft:
    """What a moderator chose in the queue: a decision about the items, a sanction for
    their authors, or both; the rule and her reason go to the member and the log."""

    decision: Decision | None
    rule: ModerationRule | None = None
    reason: str = ""
    sanction: Decision | None = None
    days: int | None = None


def waiting_lists() -> tuple[WaitingList, ...]:
    """The registered kinds whose items may wait outside the queue's cases."""
    return tuple(kind for kind in content_kinds() if isinstance(kind, WaitingList))


def access_target(kind: str, item_id: int) -> Item:
    """A flaggable item (of any registered kind of content) by kind and id.

    :raises NotFound: no such kind or item.
    """
    try:
        chosen = ItemKind(kind)
    except ValueError:
        raise NotFound("There is nothing like that to flag.") from None
    if not is_content(chosen):
        raise NotFound("There is nothing like that to flag.")
    target = content_kind(chosen).load({item_id}).get(item_id)
    if target is None:
        raise NotFound(f"There is no such {chosen.label}. It may have been deleted.")
    return target


def load_item(kind: ItemKind, item_id: int) -> Item | None:
    """The item a case or a log row is about, or None when it is gone or not content (a
    member's account)."""
    if not is_content(kind):
        return None
    return content_kind(kind).load({item_id}).get(item_id)


def check_draft(draft: DecisionDraft) -> None:
    """A decision's draft as the queue and the member page send it.

    :raises Invalid: nothing chosen, an unknown choice, no rule where one is told, bad days.
    """
    if draft.decision is None and draft.sanction is None:
        raise Invalid("Choose what to do.", field="decision")
    if draft.decision is not None and draft.decision not in ITEM_DECISIONS + REVIEW_DECISIONS:
        raise Invalid("Choose what to do.", field="decision")
    if draft.sanction is not None and draft.sanction not in SANCTIONS:
        raise Invalid("Choose suspend, ban or lift.", field="sanction")
    if draft.rule is None and (draft.decision in NEEDS_RULE or draft.sanction in NEEDS_RULE):
        raise Invalid("Choose the rule it breaks: the member is told.", field="rule")
    if len(draft.reason) > REASON_MAX:
        raise Invalid(f"Keep the reason to {REASON_MAX} characters.", field="reason")
    if draft.sanction is Decision.SUSPEND and not (
        draft.days and 1 <= draft.days <= MAX_SUSPENSION_DAYS
    ):
        raise Invalid(f"Suspend for 1 to {MAX_SUSPENSION_DAYS} days.", field="days")
    if draft.sanction is Decision.BAN and draft.days is not None and draft.days < 1:
        raise Invalid("Ban for at least a day, or leave the days empty for good.", field="days")
