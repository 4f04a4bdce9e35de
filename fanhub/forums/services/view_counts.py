"""Topic view counts, buffered per process and written in batches."""

from __future__ import annotations

import threading
import time
from collections import Counter

from flask import current_app
from sqlalchemy import (
    update,
)

from fanhub.db import transaction
from fanhub.extensions import db
from fanhub.forums.models import (
    Topic,
)

VIEW_BUFFER_KEY = "fanhub.topic_views"


class _ViewBuffer:
    """Views counted in this process since the last write, per topic."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: Counter[int] = Counter()
        self.flushed_at = time.monotonic()


def count_view(topic_id: int, *, flush_every: float) -> None:
    """Count one page view; write the counts at most once per interval per process.

    A write per page view would make the busiest topic the slowest; a view lost in a
    crash costs nothing.
    """
    buffer: _ViewBuffer = current_app.extensions.setdefault(VIEW_BUFFER_KEY, _ViewBuffer())
    with buffer.lock:
        buffer.pending[topic_id] += 1
        if time.monotonic() - buffer.flushed_at < flush_every:
            return
        batch = dict(buffer.pending)
        buffer.pending.clear()
        buffer.flushed_at = time.monotonic()
    flush_views(batch)


def flush_views(batch: dict[int, int]) -> None:
    """Add buffered view counts to their topics."""
    if not batch:
        return
    with transaction():
        for topic_id, views in sorted(batch.items()):
            db.session.execute(
                update(Topic)
                .where(Topic.id == topic_id)
                .values(view_count=Topic.view_count + views)
                .execution_options(synchronize_session=False)
            )
