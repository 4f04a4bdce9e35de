"""Claims on the desk: "I'm on it" for a waiting topic or review, and giving it up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from fanhub.accounts.models import User
from fanhub.brands.models import Brand
from fanhub.content import Answerable, ItemKind, content_kind
from fanhub.db import rows_changed, transaction
from fanhub.errors import Conflict, NotFound
from fanhub.extensions import db
from fanhub.permissions import Action, Actor, require
from fanhub.staff.models import CLAIM_MINUTES, Claim, ClaimTarget
from fanhub.staff.services.access import name_of


@dataclass(frozen=True)
class ClaimState:
    """Who is on an item and until when, as the desk shows it."""

    kind: ClaimTarget
    target_id: int
    title: str
    holder: str
    holder_id: int
    until: datetime

    @property
    def until_label(self) -> str:
        return f"{self.until:%H:%M} UTC"


def claim(
    actor: User, brand: Brand, kind: ClaimTarget, target_id: int, *, now: datetime
) -> ClaimState:
    """Say "I'm on it" for one waiting topic or review, for CLAIM_MINUTES.

    Claiming again extends one's own claim; an expired claim is taken over in the same
    row. Two people claiming at the same instant: exactly one wins.

    :raises Forbidden: the actor does not answer for the brand.
    :raises NotFound: the item is not the brand's.
    :raises Conflict: the item is already answered, or a colleague holds it.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    title = _waiting_item_title(brand, kind, target_id)
    until = now + timedelta(minutes=CLAIM_MINUTES)
    with transaction():
        # Take over an expired claim (or extend one's own) in one UPDATE: on PostgreSQL a
        # second claimer waits on the row lock and re-checks the condition, so only one of
        # two people taking over the same expired claim gets the row.
        taken = rows_changed(
            db.session.execute(
                update(Claim)
                .where(
                    Claim.target_kind == kind,
                    Claim.target_id == target_id,
                    or_(Claim.expires_at <= now, Claim.staff_id == actor.id),
                )
                .values(staff_id=actor.id, brand_id=brand.id, claimed_at=now, expires_at=until)
                .execution_options(synchronize_session=False)
            )
        )
        if not taken:
            try:
                with db.session.begin_nested():
                    db.session.add(
                        Claim(
                            brand_id=brand.id,
                            target_kind=kind,
                            target_id=target_id,
                            staff_id=actor.id,
                            claimed_at=now,
                            expires_at=until,
                        )
                    )
            except IntegrityError:
                # The unique (kind, target) key answered: a colleague holds it.
                holder = _holder(kind, target_id)
                raise Conflict(
                    f"{holder.holder} is already answering this (until {holder.until_label})."
                    if holder
                    else "Someone else just claimed this; reload the desk."
                ) from None
    return ClaimState(kind, target_id, title, name_of(actor), actor.id, until)


def release(actor: Actor, brand: Brand, kind: ClaimTarget, target_id: int, *, now: datetime) -> str:
    """Give up one's claim so a colleague can take the item; returns the item's title.

    Releasing an item nobody holds changes nothing. A colleague's claim is hers to
    release, until it expires.

    :raises Forbidden: the actor does not answer for the brand.
    :raises NotFound: the item is not the brand's.
    :raises Conflict: a colleague holds the item.
    """
    require(actor, Action.BRAND_STAFF_ANSWER, brand.id, now=now)
    title = _item_title(brand, kind, target_id)
    with transaction():
        removed = rows_changed(
            db.session.execute(
                delete(Claim)
                .where(
                    Claim.target_kind == kind,
                    Claim.target_id == target_id,
                    or_(Claim.staff_id == actor.id, Claim.expires_at <= now),
                )
                .execution_options(synchronize_session=False)
            )
        )
        if not removed:
            holder = _holder(kind, target_id)
            if holder is not None and holder.holder_id != actor.id:
                raise Conflict(
                    f"{holder.holder} is on this until {holder.until_label}; "
                    "only they can release it before then."
                )
    return title


def _holder(kind: ClaimTarget, target_id: int) -> ClaimState | None:
    row = db.session.execute(
        select(Claim, User)
        .join(User, User.id == Claim.staff_id)
        .where(Claim.target_kind == kind, Claim.target_id == target_id)
    ).first()
    if row is None:
        return None
    held, person = row
    return ClaimState(kind, target_id, "", name_of(person), person.id, held.expires_at)


def _item_title(brand: Brand, kind: ClaimTarget, target_id: int) -> str:
    """The topic's or review's title, if it is the brand's.

    :raises NotFound: it is not.
    """
    row = _item(brand, kind, target_id)
    if row is None:
        raise NotFound("There is no such item on this desk.")
    return row[0]


def _waiting_item_title(brand: Brand, kind: ClaimTarget, target_id: int) -> str:
    """The item's title, if it still waits for the brand's answer.

    :raises NotFound: it is not the brand's.
    :raises Conflict: it has an official answer already.
    """
    row = _item(brand, kind, target_id)
    if row is None:
        raise NotFound("There is no such item on this desk.")
    title, answered = row
    if answered is not None:
        raise Conflict(f"“{title}” already has an official answer.")
    return title


def _item(brand: Brand, kind: ClaimTarget, target_id: int) -> tuple[str, datetime | None] | None:
    # A claim's target is a kind of content the brand answers: the registry says whose
    # it is and whether it is answered (ClaimTarget's values are ItemKind's).
    answers = content_kind(ItemKind(kind.value))
    if not isinstance(answers, Answerable):
        return None
    return answers.answer_state(brand.id, target_id)
