"""The staff desk's rules: who may open it, the unanswered queue, claims, "no reply
needed", and the metrics.

Views and tests call `services.claim`, `services.mark_no_reply`, `services.desk_page`…:
each name is re-exported here from the module named for what it does.
"""

from fanhub.staff.services.access import (
    DEFAULT_WINDOW,
    WINDOWS,
    access_desk,
    name_of,
    parse_target,
    parse_window,
)
from fanhub.staff.services.claims import ClaimState, claim, release
from fanhub.staff.services.export import CSV_TABLES, desk_table, summary_rows, to_csv
from fanhub.staff.services.metrics import (
    DAY_SECONDS,
    HELPERS_SHOWN,
    METRICS_CACHE_SECONDS,
    RESPONSE_BUCKETS,
    SLOWEST_BUCKET,
    UNANSWERED_BUCKET,
    Bucket,
    Helper,
    Metrics,
    WeekRating,
    _rank,
    desk_metrics,
    metrics_cache_key,
    week_starts,
)
from fanhub.staff.services.no_reply import (
    MARKS_SHOWN,
    MarkedRow,
    check_reason,
    mark_no_reply,
    marked_items,
    undo_no_reply,
)
from fanhub.staff.services.page import Desk, desk_page
from fanhub.staff.services.queue import (
    EXCERPT_CHARS,
    QUEUE_TOPICS,
    Customer,
    Queue,
    QueueRow,
    unanswered_queue,
    waiting_reviews,
)

__all__ = [
    "CSV_TABLES",
    "DAY_SECONDS",
    "DEFAULT_WINDOW",
    "EXCERPT_CHARS",
    "HELPERS_SHOWN",
    "MARKS_SHOWN",
    "METRICS_CACHE_SECONDS",
    "QUEUE_TOPICS",
    "RESPONSE_BUCKETS",
    "SLOWEST_BUCKET",
    "UNANSWERED_BUCKET",
    "WINDOWS",
    "Bucket",
    "ClaimState",
    "Customer",
    "Desk",
    "Helper",
    "MarkedRow",
    "Metrics",
    "Queue",
    "QueueRow",
    "WeekRating",
    "_rank",
    "access_desk",
    "check_reason",
    "claim",
    "desk_metrics",
    "desk_page",
    "desk_table",
    "mark_no_reply",
    "marked_items",
    "metrics_cache_key",
    "name_of",
    "parse_target",
    "parse_window",
    "release",
    "summary_rows",
    "to_csv",
    "undo_no_reply",
    "unanswered_queue",
    "waiting_reviews",
    "week_starts",
]
