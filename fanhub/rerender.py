"""`flask rerender`: stored HTML rendered again from its Markdown when the rules change.

Rendered HTML is made once, on write, and stored beside its source (fanhub.text). When the
renderer or the sanitiser's allow-list changes, this command walks every kind of row that
stores HTML, in batches by id, and rewrites the HTML of the rows whose rendering changed.
Each domain declares its kinds (`<domain>/rerender.py`: which columns, and the very
renderer its write path uses); `fanhub.cli` hands them here, so this module knows no domain.

An outbox email's `body_html` is not a kind: it is made from a template when the email is
queued, not from member Markdown, and is sent once; re-rendering it would change nothing
anyone reads.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import click
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute

from fanhub.db import rows_changed, transaction
from fanhub.extensions import db

BATCH_SIZE = 500


@dataclass(frozen=True)
class StoredHtml:
    """One kind of row that stores Markdown and the HTML rendered from it."""

    # What the operator types: `--kind post`.
    kind: str
    model: type[Any]
    source: InstrumentedAttribute[str]
    html: InstrumentedAttribute[str]
    # Exactly what the domain's write path stores for a source, so that a re-render under
    # unchanged rules is byte for byte what is stored.
    render: Callable[[str], str]
    # Drops what caches show of the rows whose HTML changed (called after commit).
    forget: Callable[[list[int]], None] | None = None


@dataclass(frozen=True)
class Batch:
    """What one batch did: its rows, the last id it read, and how many it rewrote."""

    rows: int
    last_id: int
    changed: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.changed


def rows_after(stored: StoredHtml, after_id: int) -> int:
    """How many rows of the kind have an id above `after_id` (the progress bar's length)."""
    return db.session.execute(
        select(func.count()).select_from(stored.model).where(stored.model.id > after_id)
    ).scalar_one()


def rerender_batch(stored: StoredHtml, *, after_id: int, size: int, dry_run: bool) -> Batch:
    """Render the next `size` rows after `after_id` again and store the HTML that changed.

    Only the HTML column is written, only where it differs: counters, edit times and
    everything else stay as they are. With `dry_run` nothing is written and `changed`
    counts what would change. One transaction per batch.
    """
    model = stored.model
    changed: list[int] = []
    with transaction():
        rows = db.session.execute(
            select(model.id, stored.source, stored.html)
            .where(model.id > after_id)
            .order_by(model.id)
            .limit(size)
        ).all()
        for row_id, source, html in rows:
            fresh = stored.render(source)
            if fresh == html:
                continue
            if dry_run:
                changed.append(row_id)
                continue
            # Only while the source is the one just rendered: an edit since the read has
            # stored its own rendering, by today's rules, and must not be overwritten.
            result = db.session.execute(
                update(model)
                .where(model.id == row_id, stored.source == source)
                .values({stored.html: fresh})
                .execution_options(synchronize_session=False)
            )
            if rows_changed(result):
                changed.append(row_id)
    if changed and not dry_run and stored.forget is not None:
        stored.forget(changed)
    return Batch(rows=len(rows), last_id=rows[-1][0] if rows else after_id, changed=len(changed))


def register(app: Flask, kinds: Sequence[StoredHtml]) -> None:
    """Add `flask rerender` for these kinds, walked in this order."""
    names = [stored.kind for stored in kinds]

    @app.cli.command("rerender")
    @click.option(
        "--kind",
        "chosen",
        multiple=True,
        type=click.Choice(names),
        help="Only this kind (repeatable); all kinds by default, in the order listed.",
    )
    @click.option(
        "--after-id",
        type=click.IntRange(min=0),
        default=0,
        help="Start the first kind after this id (the last one an interrupted run printed); "
        "the kinds after it start from the beginning.",
    )
    @click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE, show_default=True)
    @click.option("--dry-run", is_flag=True, help="Count what would change; write nothing.")
    def rerender(chosen: tuple[str, ...], after_id: int, batch_size: int, dry_run: bool) -> None:
        """Render every stored Markdown body again with today's renderer and sanitiser.

        Each batch is one transaction and prints the kind and the last id it did. An
        interrupted run prints the command that resumes it; running again from the
        start is safe too (rows already re-rendered are read, not written).
        """
        pending = [stored for stored in kinds if not chosen or stored.kind in chosen]
        verb = "would change" if dry_run else "changed"
        on_terminal = sys.stdout.isatty()
        start = after_id
        try:
            while pending:
                stored = pending[0]
                changed = unchanged = 0
                total = rows_after(stored, start)
                rows = "1 row" if total == 1 else f"{total:,} rows"
                # show_pos: the count moves with every batch, so each update redraws the bar.
                with click.progressbar(
                    length=total, label=f"{stored.kind} ({rows})", show_pos=True
                ) as bar:
                    while True:
                        batch = rerender_batch(
                            stored, after_id=start, size=batch_size, dry_run=dry_run
                        )
                        if not batch.rows:
                            break
                        start = batch.last_id
                        changed += batch.changed
                        unchanged += batch.unchanged
                        line = (
                            f"{stored.kind} through id {batch.last_id}: "
                            f"{batch.changed} {verb}, {batch.unchanged} unchanged"
                        )
                        if on_terminal:
                            # Over the bar's own line, which the update redraws below it, so
                            # the batches read as a log (tqdm.write's way).
                            line = "\r" + line.ljust(shutil.get_terminal_size().columns - 1)
                        click.echo(line)
                        bar.update(batch.rows)
                        if batch.rows < batch_size:
                            break
                click.echo(f"{stored.kind}: {changed:,} {verb}, {unchanged:,} unchanged")
                pending.pop(0)
                start = 0
        except BaseException:
            # Ctrl-C or a lost database: the batches done are committed; say how to go on.
            kinds_left = " ".join(f"--kind {stored.kind}" for stored in pending)
            resume = f" --after-id {start}" if start else ""
            flags = f" --batch-size {batch_size}" if batch_size != BATCH_SIZE else ""
            flags += " --dry-run" if dry_run else ""
            click.echo(
                f"Interrupted. To resume: flask --app fanhub rerender {kinds_left}{resume}{flags}",
                err=True,
            )
            raise
