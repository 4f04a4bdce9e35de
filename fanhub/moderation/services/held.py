"""Approving or rejecting what waits for a moderator before anyone sees it: items the
trust rules held (in the queue's cases) and those waiting on their own list."""

from __future__ import annotations

from datetime import datetime

from fanhub.content import Item, content_kind
from fanhub.db import transaction
from fanhub.errors import Conflict
from fanhub.moderation import trust
from fanhub.moderation.models import Case, Decision
from fanhub.moderation.services.items import REVIEW_DECISIONS, DecisionDraft
from fanhub.moderation.services.record import did, log, moderated, snapshot, tell, with_rule
from fanhub.moderation.services.sanctions import sanction_author
from fanhub.permissions import Actor


def decide_held(
    moderator: Actor, case: Case, target: Item, draft: DecisionDraft, now: datetime
) -> str:
    """Approve a held topic, post, review or reply under a review (published as if
    written now, counted and told as publishing it does) or reject it (it stays out of
    sight), logged and told to its author (no commit).

    :raises Conflict: not approve or reject, or someone else decided on it meanwhile.
    """
    if draft.decision not in REVIEW_DECISIONS:
        raise Conflict(f"A {target.noun} waiting for a moderator is approved or rejected.")
    before = snapshot(target, 0)
    if case.hold_reason:
        before["held_because"] = case.hold_reason
    kind = content_kind(target.kind)
    where = kind.where(target)
    if draft.decision is Decision.APPROVE:
        kind.approve_held(target, now=now)
        message = f"A moderator approved your {target.noun} {where}: it is published."
    else:
        kind.reject_held(target, rule=draft.rule, reason=draft.reason, now=now)
        message = with_rule(f"A moderator did not publish your {target.noun} {where}", draft)
    moderated(target)
    action = log(moderator, draft.decision, target, draft.rule, draft.reason, before,
                 snapshot(target, 0), now, case.brand_id)  # fmt: skip
    tell(target.author_id, action, target, message, now=now)
    return did(draft.decision, f"the {target.noun}") + "."


def decide_waiting(moderator: Actor, waiting: Item, draft: DecisionDraft, now: datetime) -> str:
    """Approve or reject an item waiting on its own list (a pending review), with any
    sanction of its author, in one unit of work; any case opened on it meanwhile closes.

    :raises Conflict: not approve or reject, or someone else decided on it meanwhile.
    """
    if draft.decision not in REVIEW_DECISIONS:
        raise Conflict(f"A {waiting.noun} waiting for a moderator is approved or rejected.")
    kind = content_kind(waiting.kind)
    target = kind.load({waiting.id})[waiting.id]
    where = kind.where(target)
    with transaction():
        before = snapshot(target, 0)
        if draft.decision is Decision.APPROVE:
            kind.approve_held(target, now=now)
        else:
            kind.reject_held(target, rule=draft.rule, reason=draft.reason, now=now)
        trust.release(target.kind, target.id, moderator.id, draft.decision, now)
        moderated(target)
        action = log(moderator, draft.decision, target, draft.rule, draft.reason, before,
                     snapshot(target, 0), now)  # fmt: skip
        if draft.decision is Decision.APPROVE:
            message = f"Your {target.noun} {where} is published."
        else:
            message = with_rule(f"Your {target.noun} {where} was not published", draft)
        tell(target.author_id, action, target, message, now=now)
        done = [did(draft.decision, f"the {target.noun}") + "."]
        if draft.sanction is not None:
            done.append(sanction_author(moderator, target, draft, now))
    kind.after_commit(target)
    return " ".join(done)
