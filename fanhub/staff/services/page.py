"""The desk's page: the queue with its claims, the items needing no reply, and the
window's metrics as charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fanhub.brands.models import Brand
from fanhub.permissions import Actor
from fanhub.staff.charts import BarChart, bar_chart
from fanhub.staff.models import NO_REPLY_REASON_MAX
from fanhub.staff.services.metrics import METRICS_CACHE_SECONDS, Metrics, desk_metrics
from fanhub.staff.services.no_reply import MarkedRow, marked_items
from fanhub.staff.services.queue import Queue, unanswered_queue


@dataclass(frozen=True)
class Desk:
    brand: Brand
    days: int
    queue: Queue
    metrics: Metrics
    now: datetime
    rating_chart: BarChart
    response_chart: BarChart
    # The latest items marked "no reply needed" (each can be undone), and how many in all.
    marked: list[MarkedRow]
    marked_total: int
    # Answers before asking, per week (issue 14).
    suggestion_chart: BarChart

    # The metrics half of the page is the same for every colleague until the figures are
    # computed again, so the page keeps its rendered HTML for as long as the figures
    # (docs/performance.md, the staff desk). The queue half is per viewer and never cached.
    @property
    def metrics_fragment_key(self) -> str:
        return f"staff-desk-metrics:{self.brand.id}:{self.days}:{self.metrics.version}"

    @property
    def reason_max(self) -> int:
        """How long a "no reply needed" reason may be."""
        return NO_REPLY_REASON_MAX

    @property
    def metrics_fragment_seconds(self) -> int:
        return METRICS_CACHE_SECONDS


def desk_page(actor: Actor, brand: Brand, days: int, *, now: datetime) -> Desk:
    """Everything the desk shows: the queue with its claims, the items marked "no reply
    needed", and the window's metrics.

    :raises Forbidden: the actor does not answer for the brand.
    :raises Invalid: the window is not one of 7, 30 or 90 days.
    """
    metrics = desk_metrics(actor, brand, days, now=now)
    rating_chart = bar_chart(
        [
            (f"{w.starts:%-d %b}", w.average, "–" if w.average is None else f"{w.average:.1f}")
            for w in metrics.ratings_by_week
        ],
        top_value=5,
        guide=(5, "5 ★"),
    )
    response_chart = bar_chart(
        [(b.label, b.count, str(b.count)) for b in metrics.response_times],
        tones=["good", "good", "ok", "slow", "slow", "waiting"],
    )
    suggestion_chart = bar_chart(
        [(f"{w.starts:%-d %b}", w.answered, str(w.answered)) for w in metrics.suggestions_by_week]
    )
    marked, marked_total = marked_items(actor, brand, now=now)
    return Desk(
        brand,
        days,
        unanswered_queue(actor, brand, now=now),
        metrics,
        now,
        rating_chart,
        response_chart,
        marked,
        marked_total,
        suggestion_chart,
    )
