"""Answers before asking (issue 14): while a member types a new topic's title, the brand's
solved or officially answered topics that match it, and the counts the staff desk shows.

A composer that shows suggestions names itself with a random token it made (never who
types: nothing is stored about visitors). Its row notes when it first showed one, when
one was first opened (and how many times), and whether its topic was submitted within
ANSWER_WINDOW of that opening. A composer that opened a suggestion and did not submit
within the window was **answered before asking**: counted once the window has passed,
from the rows alone, at the `now` the caller gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from fanhub.brands.models import Brand
from fanhub.db import transaction
from fanhub.errors import Invalid
from fanhub.extensions import db
from fanhub.permissions import Actor
from fanhub.search.models import TOKEN_LENGTH, SuggestionSession
from fanhub.search.services import HELPED, SearchFilters, SearchResult, search

SUGGESTIONS_MAX = 5
# Fewer letters than this suggest nothing yet.
TITLE_MIN = 3
# A composer that opened a suggestion and did not submit its topic within this was
# answered before asking.
ANSWER_WINDOW = timedelta(minutes=30)

_TOKEN = re.compile(f"[0-9a-f]{{{TOKEN_LENGTH}}}")
# Where an opened suggestion may lead: a topic's page, at one post (never another site).
_TOPIC_PATH = re.compile(r"/t/[0-9]{1,12}(?:/[a-z0-9-]{1,200})?(?:\?post=[0-9]{1,9})?")


@dataclass(frozen=True)
class SuggestionWeek:
    """One week of a brand's composers (by the week they first showed a suggestion)."""

    starts: datetime
    shown: int
    opened: int
    answered: int


def valid_token(raw: str | None) -> str | None:
    """The composer's token, or None when it isn't one (then nothing is counted)."""
    return raw if raw and _TOKEN.fullmatch(raw) else None


def topic_path(raw: str | None) -> str | None:
    """An opened suggestion's destination when it is a topic's page on this site."""
    return raw if raw and _TOPIC_PATH.fullmatch(raw) else None


def suggest(viewer: Actor, brand: Brand, title: str, *, now: datetime) -> list[SearchResult]:
    """Up to SUGGESTIONS_MAX of the brand's solved or officially answered topics whose
    words match `title` (its last word as a prefix), that `viewer` may see: the search's
    own results, by its visibility rule. Nothing for a title too short or unsearchable."""
    title = title.strip()
    if len(title) < TITLE_MIN:
        return []
    filters = SearchFilters(section="topic", brand_id=brand.id, answer=HELPED)
    try:
        found = search(viewer, title, filters, now=now, limit=SUGGESTIONS_MAX, live=True)
    except Invalid:
        return []
    return found.results


def note_shown(brand: Brand, token: str, *, now: datetime) -> None:
    """The composer `token` showed suggestions: counted once, the first time."""
    known = db.session.scalar(select(SuggestionSession.id).where(SuggestionSession.token == token))
    if known is not None:
        return
    try:
        with transaction():
            db.session.add(SuggestionSession(brand_id=brand.id, token=token, shown_at=now, opens=0))
    except IntegrityError:
        pass  # the same composer's other request counted it first


def note_opened(token: str, *, now: datetime) -> None:
    """The composer `token` opened one of its suggestions (a composer that showed none
    counts nothing)."""
    rows = SuggestionSession
    with transaction():
        db.session.execute(
            update(rows)
            .where(rows.token == token)
            .values(opens=rows.opens + 1, opened_at=func.coalesce(rows.opened_at, now))
        )


def note_submitted(token: str, *, now: datetime) -> None:
    """The composer `token` submitted its topic: noted when it opened no suggestion, or
    within ANSWER_WINDOW of opening one (later, it was answered before asking all the same)."""
    rows = SuggestionSession
    with transaction():
        db.session.execute(
            update(rows)
            .where(
                rows.token == token,
                rows.submitted_at.is_(None),
                or_(rows.opened_at.is_(None), rows.opened_at >= now - ANSWER_WINDOW),
            )
            .values(submitted_at=now)
        )


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def suggestion_weeks(
    brand_id: int, starts: list[datetime], *, now: datetime
) -> list[SuggestionWeek]:
    """The brand's composers per week starting at each of `starts` (oldest first, as the
    desk's other weekly metrics): shown, opened, answered before asking. One query."""
    if not starts:
        return []
    rows = SuggestionSession
    # Latest week first, so each composer lands in the first week it is not before.
    week = case(
        *[(rows.shown_at >= start, index) for index, start in reversed(list(enumerate(starts)))],
        else_=-1,
    ).label("week")
    answered = and_(
        rows.opened_at.is_not(None),
        rows.opened_at <= now - ANSWER_WINDOW,
        rows.submitted_at.is_(None),
    )
    counts = {
        index: (shown, opened, gone)
        for index, shown, opened, gone in db.session.execute(
            select(
                week,
                func.count(),
                _count_if(rows.opened_at.is_not(None)),
                _count_if(answered),
            )
            .where(rows.brand_id == brand_id, rows.shown_at >= starts[0])
            .group_by(week)
        )
    }
    return [
        SuggestionWeek(start, *(int(n) for n in counts.get(index, (0, 0, 0))))
        for index, start in enumerate(starts)
    ]
