"""Members flagging content: one case per item, and hiding it at the threshold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from fanhub import site_settings
from fanhub.content import GONE, HIDDEN, REMOVED, VISIBLE, Item, content_kind
from fanhub.db import transaction
from fanhub.errors import Conflict, Forbidden, Invalid
from fanhub.extensions import db
from fanhub.moderation.models import (
    FLAG_NOTE_MAX,
    Case,
    CaseStatus,
    Decision,
    Flag,
    FlagReason,
    FlagStatus,
)
from fanhub.moderation.services.items import FlagDraft
from fanhub.moderation.services.record import log, moderated, snapshot, tell
from fanhub.permissions import Action, Actor, require


def flag_item(reporter: Actor, target: Item, draft: FlagDraft, *, now: datetime) -> Case:
    """Report an item; once FLAG_HIDE_THRESHOLD members have open flags on it, it hides
    until a moderator decides (logged, and its author is told).

    :raises Forbidden: the reporter is suspended, or wrote the item.
    :raises Invalid: "other" without a note, or the note is too long.
    :raises Conflict: the item is already removed or hidden, or she already flagged it.
    """
    require(reporter, Action.CONTENT_FLAG, target.brand_id, now=now)
    if target.author_id == reporter.id:
        raise Forbidden(f"You can't flag your own {target.noun}.")
    if target.state in (REMOVED, GONE):
        raise Conflict(f"This {target.noun} was already removed.")
    if target.state != VISIBLE:
        raise Conflict(f"This {target.noun} is already waiting for a moderator.")
    note = " ".join(draft.note.split())
    if draft.reason is FlagReason.OTHER and not note:
        raise Invalid("Tell the moderators what is wrong with it.", field="note")
    if len(note) > FLAG_NOTE_MAX:
        raise Invalid(f"Keep the note to {FLAG_NOTE_MAX} characters.", field="note")
    threshold = site_settings.count("FLAG_HIDE_THRESHOLD")
    kind = content_kind(target.kind)
    with transaction():
        case = open_case(target, now)
        try:
            with db.session.begin_nested():  # two clicks at once: the unique index keeps one
                db.session.add(
                    Flag(case_id=case.id, reporter_id=reporter.id, reason=draft.reason,
                         note=note, status=FlagStatus.OPEN, created_at=now)
                )  # fmt: skip
        except IntegrityError:
            raise Conflict(
                f"You have already flagged this {target.noun}: a moderator will look at it."
            ) from None
        # In SQL, so flags at the same instant all count; one open flag per member, so
        # this is the number of distinct members.
        count = db.session.execute(
            update(Case)
            .where(Case.id == case.id)
            .values(open_flag_count=Case.open_flag_count + 1)
            .returning(Case.open_flag_count)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        hidden = count >= threshold
        if hidden:
            before = snapshot(target, count - 1)
            kind.set_state(target, HIDDEN, rule=None, reason="", now=now)
            moderated(target)
            after = snapshot(target, count)
            reason = f"{count} members flagged it."
            action = log(None, Decision.AUTO_HIDE, target, None, reason, before, after, now)
            tell(target.author_id, action, target,
                 f"Your {target.noun} in “{target.context}” is hidden: {count} members "
                 "reported it. A moderator will decide; you may appeal.", now=now)  # fmt: skip
    if hidden:
        kind.after_commit(target)
    return case


def open_case(target: Item, now: datetime) -> Case:
    """The item's case, opened (or reopened) and locked until commit (no commit)."""
    query = (
        select(Case)
        .where(Case.item_kind == target.kind, Case.item_id == target.id)
        .with_for_update()
    )
    case = db.session.scalars(query).first()
    if case is None:
        try:
            with db.session.begin_nested():  # the first two flags at once: one case
                case = Case(
                    brand_id=target.brand_id, item_kind=target.kind, item_id=target.id,
                    subject_id=target.author_id, status=CaseStatus.OPEN, open_flag_count=0,
                    opened_at=now,
                )  # fmt: skip
                db.session.add(case)
        except IntegrityError:
            case = db.session.scalars(query).one()
    if case.status is CaseStatus.CLOSED:
        case.status = CaseStatus.OPEN
        case.opened_at = now
        case.closed_at = None
    return case
