"""How a command says that a rule refused it: a DomainError becomes a Click error."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from fanhub.errors import DomainError

P = ParamSpec("P")
R = TypeVar("R")


def domain_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Let `command` fail as a page would: a DomainError it raises is printed as
    "Error: <its message>" and the command exits 1 (`click.ClickException`), with no
    traceback. Put it under the `@…command(…)` and option decorators, next to the `def`.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except DomainError as err:
            raise click.ClickException(err.message) from None

    return run
