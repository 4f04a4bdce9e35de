"""`flask create-user`: accounts made by the operator."""

from __future__ import annotations

import click
from flask import Flask

from fanhub.accounts import services
from fanhub.command_errors import domain_errors
from fanhub.db import utcnow


def register(app: Flask) -> None:
    """Add `create-user` to the app's CLI."""

    @app.cli.command("create-user")
    @click.argument("username")
    @click.argument("email")
    @click.password_option(help="The password (asked for when not given).")
    @click.option("--admin", is_flag=True, help="Make the account a site admin.")
    @domain_errors
    def create_user(username: str, email: str, password: str, admin: bool) -> None:
        """Create an account with a confirmed email address."""
        draft = services.RegistrationDraft(username, email, password)
        user = services.register(draft, is_admin=admin, verified=True, now=utcnow())
        click.echo(f"created {'admin' if admin else 'member'} {user.username} <{user.email}>")
