"""`flask search …`: rebuild the index, and set the language a brand's words are stemmed in."""

from __future__ import annotations

import click
from flask import Flask

from fanhub.brands.services import access_brand
from fanhub.command_errors import domain_errors
from fanhub.content import searchables
from fanhub.db import utcnow
from fanhub.permissions import SYSTEM
from fanhub.search import indexing, settings


def rebuild(kinds: list[str], *, after: int = 0, size: int = indexing.BATCH_SIZE) -> int:
    """Rebuild the index for `kinds` in order (the first from the row after `after`), with
    a progress bar per kind; stopped anywhere (Ctrl-C, an error), it says where and how to
    go on from there. How many documents it wrote."""
    written = 0
    kind, position = kinds[0], after
    try:
        for n, kind in enumerate(kinds):
            position = after if n == 0 else 0
            with click.progressbar(
                length=indexing.rows_to_index(kind, after=position),
                label=f"Indexing {kind} rows",
            ) as bar:
                for done in indexing.reindex([kind], after=position, size=size):
                    written += done.documents
                    position = done.last_id
                    bar.update(done.rows)
    except BaseException:
        rest = " ".join(f"--kind {name}" for name in kinds[kinds.index(kind) :])
        click.echo(
            f"Stopped in {kind} rows after id {position}: everything up to it is indexed. "
            f"Go on with: flask search reindex {rest} --from-id {position}",
            err=True,
        )
        raise
    return written


def register(app: Flask) -> None:
    """Add the `search` command group to the app's CLI."""

    @app.cli.group("search")
    def search_group() -> None:
        """The search index."""

    @search_group.command("reindex")
    @click.option(
        "--kind",
        "kinds",
        multiple=True,
        help="Only this kind (topic, post, review, review_reply, product); repeat for more.",
    )
    @click.option(
        "--from-id",
        default=0,
        show_default=True,
        type=click.IntRange(min=0),
        help="Go on after this row id of the first kind (what a stopped rebuild printed).",
    )
    @click.option("--batch-size", default=indexing.BATCH_SIZE, show_default=True, type=int)
    @domain_errors
    def reindex(kinds: tuple[str, ...], from_id: int, batch_size: int) -> None:
        """Rebuild the search index in batches, each committed as it is done."""
        chosen = list(kinds) or [kind.search_kind for kind in searchables()]
        for kind in chosen:
            indexing.searchable(kind)  # an unknown kind stops here, before any work
        written = rebuild(chosen, after=from_id, size=batch_size)
        click.echo(f"Indexed {written:,} documents; the index holds {indexing.document_count():,}.")

    @search_group.command("language")
    @click.argument("brand")
    @click.argument("language", required=False)
    @domain_errors
    def language(brand: str, language: str | None) -> None:
        """Show, or set, the LANGUAGE BRAND's words are stemmed in (english, french…)."""
        target = access_brand(brand)
        if language is None:
            click.echo(f"{target.slug}: {settings.brand_language(target)}")
            return
        changed = settings.set_brand_language(SYSTEM, target, language, now=utcnow())
        click.echo(f"{target.slug}: {settings.brand_language(target)} ({changed:,} documents)")
        if not settings.engine_stems_languages():
            click.echo(
                "Note: the embedded engine (SQLite FTS5) stems English only; the language "
                "takes effect on PostgreSQL."
            )
