"""Members appealing a decision about them: once per item, back into the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from fanhub.db import transaction
from fanhub.errors import Conflict, Invalid, NotFound
from fanhub.extensions import db
from fanhub.moderation.models import APPEAL_MAX, Appeal, Case, CaseStatus, ModerationAction
from fanhub.moderation.services.items import APPEALABLE, load_item
from fanhub.permissions import Actor


@dataclass
class AppealPage:
    action: ModerationAction
    target_url: str | None
    appeal: Appeal | None
    can_appeal: bool


def appeal_page(member: Actor, action_id: int) -> AppealPage:
    """A decision about the member, and whether she may still appeal it.

    :raises NotFound: no such action, or it was not about her.
    """
    action = _access_own_action(member, action_id)
    case = _case_for(action)
    appeal = (
        db.session.scalars(select(Appeal).where(Appeal.case_id == case.id)).first()
        if case
        else None
    )
    target = load_item(action.item_kind, action.item_id)
    url = target.url if target else None
    return AppealPage(action, url, appeal, action.action in APPEALABLE and appeal is None)


def _access_own_action(member: Actor, action_id: int) -> ModerationAction:
    action = db.session.scalars(
        select(ModerationAction)
        .options(joinedload(ModerationAction.brand))
        .where(ModerationAction.id == action_id)
    ).first()
    if action is None or action.subject_id != getattr(member, "id", None):
        raise NotFound("There is no such decision about you.")
    return action


def _case_for(action: ModerationAction) -> Case | None:
    return db.session.scalars(
        select(Case).where(Case.item_kind == action.item_kind, Case.item_id == action.item_id)
    ).first()


def appeal(member: Actor, action_id: int, body: str, *, now: datetime) -> Appeal:
    """Ask the moderators to look again, once per item: the item (or her account) goes
    back in the queue with her words.

    :raises NotFound: no such decision about her.
    :raises Invalid: nothing to appeal in this decision, or no words, or too many.
    :raises Conflict: she already appealed.
    """
    action = _access_own_action(member, action_id)
    if action.action not in APPEALABLE:
        raise Invalid("There is nothing to appeal in this decision.")
    words = body.strip()
    if not words:
        raise Invalid("Tell the moderators why they should look again.", field="body")
    if len(words) > APPEAL_MAX:
        raise Invalid(f"Keep your appeal to {APPEAL_MAX} characters.", field="body")
    if action.brand_id is None:
        raise Invalid("Write to the site admins about this decision.")
    with transaction():
        case = _case_for(action)
        if case is None:
            case = Case(brand_id=action.brand_id, item_kind=action.item_kind,
                        item_id=action.item_id, subject_id=member.id,
                        status=CaseStatus.OPEN, open_flag_count=0, opened_at=now)  # fmt: skip
            db.session.add(case)
            db.session.flush()
        row = Appeal(case_id=case.id, action_id=action.id, member_id=member.id, body=words,
                     created_at=now)  # fmt: skip
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            raise Conflict("You have already appealed: a moderator will answer once.") from None
        if case.status is CaseStatus.CLOSED:
            case.status = CaseStatus.OPEN
            case.opened_at = now
            case.closed_at = None
    return row
