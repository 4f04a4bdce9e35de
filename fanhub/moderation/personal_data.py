"""Moderation's part of a member's data: what she reported and what moderators decided
about her, in her export. Both stay when her account is deleted, as the community's record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from fanhub.moderation.models import Case, Flag, ModerationAction
from fanhub.personal_data import Erasure, Records, records


class ModerationData:
    """Moderation's part of a member's data."""

    name = "moderation"
    files = {
        "flags.json": "what you reported to the moderators",
        "moderation_decisions.json": "decisions moderators made about you or your content",
    }

    def export(self, user_id: int) -> Iterator[tuple[str, Records]]:
        yield "flags.json", flag_records(user_id)
        yield "moderation_decisions.json", decision_records(user_id)

    def profile(self, user_id: int) -> dict[str, Any]:
        return {}

    def plan(self, user_id: int) -> dict[str, Any]:
        return {}

    def erase(self, erasure: Erasure) -> None:
        """Nothing: her flags and the moderation log stay, as the community's record."""


def flag_records(user_id: int) -> Iterator[dict[str, Any]]:
    """What she reported to the moderators, as her export's records."""
    return records(
        select(
            Case.item_kind,
            Case.item_id,
            Flag.reason,
            Flag.note,
            Flag.status,
            Flag.created_at,
            Flag.closed_at,
        )
        .join(Case, Case.id == Flag.case_id)
        .where(Flag.reporter_id == user_id)
        .order_by(Flag.id)
    )


def decision_records(user_id: int) -> Iterator[dict[str, Any]]:
    """Decisions moderators made about her or her content, as her export's records."""
    # What was decided and why, never who decided: moderators act for the community.
    return records(
        select(
            ModerationAction.action,
            ModerationAction.item_kind,
            ModerationAction.item_id,
            ModerationAction.rule,
            ModerationAction.reason,
            ModerationAction.created_at.label("at"),
        )
        .where(ModerationAction.subject_id == user_id)
        .order_by(ModerationAction.id)
    )


PART = ModerationData()
