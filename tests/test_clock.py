"""Time is an input (issue 11): one moment per request, and only the edges read the clock."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from flask import render_template_string

from fanhub.clock import cached_at, request_time
from fanhub.db import utcnow
from fanhub.errors import Invalid
from fanhub.tokens import load_token, serializer

FANHUB = Path(__file__).resolve().parents[1] / "fanhub"
# Where a moment may come from: the clock's own module, the request's hook and the commands.
# Every service, permission check and template helper is handed `now` instead.
EDGES = {"db.py", "clock.py", "cli.py"}
CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
}


def _reads_the_clock(call: ast.Call) -> bool:
    function = call.func
    if isinstance(function, ast.Name):
        return function.id == "utcnow"
    return (
        isinstance(function, ast.Attribute)
        and isinstance(function.value, ast.Name)
        and (function.value.id, function.attr) in CLOCK_CALLS
    )


def test_only_the_edges_read_the_wall_clock():
    readers = [
        f"{path.relative_to(FANHUB.parent)}:{node.lineno}"
        for path in sorted(FANHUB.rglob("*.py"))
        if path.name not in EDGES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and _reads_the_clock(node)
    ]
    assert readers == []


def test_a_request_keeps_the_moment_it_began_however_long_it_runs(app, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    with app.test_request_context("/"):
        app.preprocess_request()
        began = request_time()
        time_machine.shift(timedelta(minutes=5))
        assert utcnow() == began + timedelta(minutes=5)
        assert request_time() == began
    with app.test_request_context("/"):
        app.preprocess_request()
        assert request_time() == began + timedelta(minutes=5)


def test_how_long_ago_is_told_at_the_request_s_moment(app, time_machine):
    time_machine.move_to(utcnow(), tick=False)
    with app.test_request_context("/"):
        app.preprocess_request()
        posted = request_time() - timedelta(hours=3)
        time_machine.shift(timedelta(days=2))  # the wall clock runs on; the request's does not
        assert render_template_string("{{ posted | ago }}", posted=posted) == "3 hours ago"


def test_cached_figures_serve_only_the_minute_after_the_moment_they_were_computed(app, now):
    computed: list[int] = []

    def compute() -> int:
        computed.append(len(computed) + 1)
        return computed[-1]

    with app.app_context():
        assert cached_at("clock-test", now, 60, compute) == 1
        assert cached_at("clock-test", now + timedelta(seconds=59), 60, compute) == 1
        # Asked for a moment before they were computed: from its future, so computed again.
        assert cached_at("clock-test", now - timedelta(seconds=1), 60, compute) == 2
        assert cached_at("clock-test", now + timedelta(seconds=59), 60, compute) == 3


def test_a_link_s_age_is_judged_at_the_moment_the_caller_gives(app, now):
    with app.app_context():
        token = serializer("clock-test", now=now).dumps({"u": 7})
        assert load_token(token, "clock-test", 60, now=now + timedelta(seconds=60)) == {"u": 7}
        with pytest.raises(Invalid, match="expired"):
            load_token(token, "clock-test", 60, now=now + timedelta(seconds=61))
