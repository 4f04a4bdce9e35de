"""The command line: each domain's commands, plus demo seeding."""

from __future__ import annotations

import click
from flask import Flask

from fanhub import benchdata, demo, rerender
from fanhub.accounts import cli as accounts_cli
from fanhub.accounts.services import count_members
from fanhub.brands import cli as brands_cli
from fanhub.brands import rerender as brands_rerender
from fanhub.command_errors import domain_errors
from fanhub.content import searchables
from fanhub.db import utcnow
from fanhub.forums import cli as forums_cli
from fanhub.forums import rerender as forums_rerender
from fanhub.moderation import cli as moderation_cli
from fanhub.notifications import cli as notifications_cli
from fanhub.reviews import cli as reviews_cli
from fanhub.reviews import rerender as reviews_rerender
from fanhub.search import cli as search_cli


def register(app: Flask) -> None:
    """Attach every command to `flask --app fanhub`."""
    accounts_cli.register(app)
    brands_cli.register(app)
    forums_cli.register(app)
    moderation_cli.register(app)
    # The mail worker also sends the brands' scheduled product news that is due.
    notifications_cli.register(app, before_mail=[brands_cli.send_due_news])
    reviews_cli.register(app)
    search_cli.register(app)
    rerender.register(
        app,
        [*brands_rerender.STORED_HTML, *forums_rerender.STORED_HTML, *reviews_rerender.STORED_HTML],
    )

    @app.cli.command("seed-demo")
    @click.option(
        "--scale",
        type=click.Choice(["demo", "large"]),
        default="demo",
        show_default=True,
        help="demo: a few people to explore; large: the benchmark's 100,000-post brand.",
    )
    @domain_errors
    def seed_demo(scale: str) -> None:
        """Fill an empty database with demo brands and people, and print their logins."""
        if scale == "large":
            built = benchdata.build_bench_data(benchdata.LARGE, echo=click.echo, now=utcnow())
            click.echo(
                f"Large data set ready in {built.seconds:.0f} s: /b/{benchdata.BRAND_SLUG}, "
                f"the very long thread is /t/{built.long_topic_id} "
                f"({built.long_thread_pages} pages), {built.reviews:,} reviews of "
                f"{built.products} products (most of /b/{benchdata.BRAND_SLUG}/p/"
                f"{benchdata.HOT_PRODUCT_SLUG}); password {demo.DEMO_PASSWORD}"
            )
            _index_for_search()
            return
        if count_members():
            click.echo("The database already has accounts, so no demo data was added.")
            logins = demo.demo_logins()
            click.echo(
                f"If it was seeded before, these logins use the password {demo.DEMO_PASSWORD}:"
            )
        else:
            logins = demo.seed_demo(now=utcnow())
            click.echo(f"Demo data is ready. Every demo password is: {demo.DEMO_PASSWORD}")
        for login in logins:
            click.echo(f"  {login.username:<8} {login.what}")
        _index_for_search()


def _index_for_search() -> None:
    """Rebuild the search index over what seeding wrote (issue 14: the demo is searchable;
    the large data set is written in bulk, past the index's write hook)."""
    kinds = [kind.search_kind for kind in searchables()]
    written = search_cli.rebuild(kinds)
    click.echo(f"Search index ready: {written:,} documents.")
