"""Moderation rules: flagging, hiding at the threshold, the queue and its decisions,
appeals, suspensions and bans, and the append-only log every action writes.

Every kind of content is reached through the content registry (`fanhub.content`): this
package names no other domain's models. Callers keep writing `services.decide(...)`.
"""

from __future__ import annotations

from fanhub.moderation.services.appeals import AppealPage, appeal, appeal_page
from fanhub.moderation.services.decisions import NothingDone, Outcome, decide
from fanhub.moderation.services.flags import flag_item
from fanhub.moderation.services.items import (
    APPEALABLE,
    ITEM_DECISIONS,
    MAX_SUSPENSION_DAYS,
    NEEDS_RULE,
    REVIEW_DECISIONS,
    SANCTIONS,
    DecisionDraft,
    FlagDraft,
    WaitingList,
    access_target,
)
from fanhub.moderation.services.pages import (
    LOG_PAGE_SIZE,
    PAGE_SIZE,
    SITE_WIDE,
    LogPage,
    PendingRow,
    QueuePage,
    QueueRow,
    access_member,
    can_moderate,
    log_page,
    queue_page,
)
from fanhub.moderation.services.sanctions import sanction_member

__all__ = [
    "APPEALABLE",
    "ITEM_DECISIONS",
    "LOG_PAGE_SIZE",
    "MAX_SUSPENSION_DAYS",
    "NEEDS_RULE",
    "PAGE_SIZE",
    "REVIEW_DECISIONS",
    "SANCTIONS",
    "SITE_WIDE",
    "AppealPage",
    "DecisionDraft",
    "FlagDraft",
    "LogPage",
    "NothingDone",
    "Outcome",
    "PendingRow",
    "QueuePage",
    "QueueRow",
    "WaitingList",
    "access_member",
    "access_target",
    "appeal",
    "appeal_page",
    "can_moderate",
    "decide",
    "flag_item",
    "log_page",
    "queue_page",
    "sanction_member",
]
