"""The desk's tables as CSV downloads, every cell safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from fanhub.brands.models import Brand
from fanhub.errors import NotFound
from fanhub.permissions import Actor
from fanhub.staff.services.metrics import Metrics, desk_metrics
from fanhub.staff.services.queue import unanswered_queue

CSV_TABLES = ("queue", "summary", "response-times", "ratings", "helpers", "suggestions")


def desk_table(
    actor: Actor, brand: Brand, table: str, days: int, *, now: datetime
) -> list[list[Any]]:
    """One of the desk's tables as rows (a header row first), for a CSV download.

    :raises Forbidden: the actor does not answer for the brand.
    :raises NotFound: no such table.
    :raises Invalid: the window is not one of 7, 30 or 90 days.
    """
    if table not in CSV_TABLES:
        raise NotFound("The desk has no such table.")
    if table == "queue":
        queue = unanswered_queue(actor, brand, now=now)
        rows: list[list[Any]] = [
            ["kind", "id", "title", "from", "where", "stars", "opened_at", "waiting_hours",
             "claimed_by", "claimed_until"]
        ]  # fmt: skip
        for item in (*queue.topics, *queue.reviews):
            rows.append(
                [
                    item.kind.value,
                    item.id,
                    item.title,
                    item.who.username if item.who else "",
                    item.where,
                    item.stars if item.stars is not None else "",
                    item.opened_at.isoformat(timespec="seconds"),
                    round(item.waiting_seconds / 3600, 1),
                    item.claim.holder if item.claim else "",
                    item.claim.until.isoformat(timespec="seconds") if item.claim else "",
                ]
            )
        return rows
    metrics = desk_metrics(actor, brand, days, now=now)
    if table == "summary":
        return [["metric", "value"], *summary_rows(metrics)]
    if table == "response-times":
        return [["time to first official reply", "questions"]] + [
            [b.label, b.count] for b in metrics.response_times
        ]
    if table == "ratings":
        return [["week starting", "reviews", "average rating"]] + [
            [w.starts.date().isoformat(), w.reviews, "" if w.average is None else w.average]
            for w in metrics.ratings_by_week
        ]
    if table == "suggestions":
        return [["week starting", "suggestions shown", "opened", "answered before asking"]] + [
            [w.starts.date().isoformat(), w.shown, w.opened, w.answered]
            for w in metrics.suggestions_by_week
        ]
    return [["username", "name", "accepted solutions", "helpful votes on reviews"]] + [
        [h.username, h.name, h.solutions, h.helpful_votes] for h in metrics.helpers
    ]


def summary_rows(metrics: Metrics) -> list[list[Any]]:
    """The headline figures, as label and value (seconds and shares stay raw numbers)."""

    def share(value: float | None) -> Any:
        return "" if value is None else round(value, 4)

    return [
        ["window_days", metrics.days],
        ["questions", metrics.questions],
        ["answered", metrics.answered],
        ["median_seconds_to_first_official_reply", _blank(metrics.median_seconds)],
        ["p90_seconds_to_first_official_reply", _blank(metrics.p90_seconds)],
        ["share_answered_within_24h", share(metrics.within_day_share)],
        ["support_questions", metrics.support_questions],
        ["solved_share_of_support_questions", share(metrics.solved_share)],
        ["reviews_published", metrics.reviews],
        ["review_answer_rate", share(metrics.review_answer_rate)],
        ["questions_no_reply_needed", metrics.questions_no_reply],
        ["reviews_no_reply_needed", metrics.reviews_no_reply],
        ["answered_before_asking", metrics.answered_before_asking],
    ]


def _blank(value: Any) -> Any:
    return "" if value is None else value


def to_csv(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV text, every cell safe to open in a spreadsheet.

    A text cell starting with = + - @ (or a tab or carriage return) would run as a formula
    in Excel or LibreOffice (CSV injection): it gets a leading apostrophe. Numbers stay numbers.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
    return out.getvalue()


def _safe_cell(cell: Any) -> Any:
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
