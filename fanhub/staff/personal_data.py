"""The staff desk's part of a member's data: the questions she had claimed to answer end
with her account (her staff role itself is the brands' part)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import delete

from fanhub.extensions import db
from fanhub.personal_data import Erasure, Records
from fanhub.staff.models import Claim


class StaffData:
    """The staff desk's part of a member's data: nothing in her export."""

    name = "staff"
    files: dict[str, str] = {}

    def export(self, user_id: int) -> Iterator[tuple[str, Records]]:
        yield from ()

    def profile(self, user_id: int) -> dict[str, Any]:
        return {}

    def plan(self, user_id: int) -> dict[str, Any]:
        return {}

    def erase(self, erasure: Erasure) -> None:
        """Her claims on waiting questions go, so colleagues may pick them up."""
        db.session.execute(delete(Claim).where(Claim.staff_id == erasure.user.id))


PART = StaffData()
