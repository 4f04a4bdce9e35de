"""The command line: each domain's commands, plus demo seeding."""

from __future__ import annotations

import click
from flask import Flask

from fanhub import demo
from fanhub.accounts import cli as accounts_cli
from fanhub.accounts.services import count_members
from fanhub.brands import cli as brands_cli
from fanhub.forums import cli as forums_cli
from fanhub.notifications import cli as notifications_cli


def register(app: Flask) -> None:
    """Attach every command to `flask --app fanhub`."""
    accounts_cli.register(app)
    brands_cli.register(app)
    forums_cli.register(app)
    notifications_cli.register(app)

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Fill an empty database with demo brands and people, and print their logins."""
        if count_members():
            click.echo("The database already has accounts, so no demo data was added.")
            logins = demo.demo_logins()
            click.echo(
                f"If it was seeded before, these logins use the password {demo.DEMO_PASSWORD}:"
            )
        else:
            logins = demo.seed_demo()
            click.echo(f"Demo data is ready. Every demo password is: {demo.DEMO_PASSWORD}")
        for login in logins:
            click.echo(f"  {login.username:<8} {login.what}")
