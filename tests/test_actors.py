"""Who a service acts for is typed: a member (`User`), a visitor (`Visitor`) or the command
line (`SYSTEM`), all `permissions.Actor`, so the type checker catches a rule reading what a
visitor doesn't have."""

from __future__ import annotations

import ast
from pathlib import Path

from flask_login import current_user

from fanhub.permissions import SYSTEM, Action, Visitor, can, signed_in

FANHUB = Path(__file__).resolve().parent.parent / "fanhub"
# The names a function gives whoever acts or looks.
ACTOR_NAMES = {"actor", "viewer", "moderator", "reporter", "author", "staff", "owner", "member"}


def test_a_visitor_is_the_anonymous_user(app):
    with app.test_request_context("/"):
        visitor = current_user._get_current_object()
        assert isinstance(visitor, Visitor)
        assert (visitor.id, visitor.is_authenticated, visitor.is_admin) == (None, False, False)


def test_a_visitor_may_do_nothing_and_is_not_signed_in(app, now):
    with app.app_context():
        assert signed_in(Visitor()) is None
        assert not can(Visitor(), Action.CONTENT_FLAG, now=now)
        assert signed_in(SYSTEM) is SYSTEM


def test_no_function_takes_an_untyped_actor():
    loose = []
    for path in sorted(FANHUB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            for argument in arguments:
                annotation = ast.unparse(argument.annotation) if argument.annotation else None
                if argument.arg in ACTOR_NAMES and annotation in (None, "Any"):
                    where = f"{path.relative_to(FANHUB.parent)}:{node.lineno}"
                    loose.append(f"{where} {node.name}({argument.arg})")
    assert loose == []
