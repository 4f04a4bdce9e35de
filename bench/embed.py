"""Measure the review widget's endpoints against a bare Flask app in the same run.

Builds the large data set (its `bestseller` has 2,000 reviews), serves fanhub and
`bench.baseline:create_baseline_app()` side by side with the same gunicorn settings
(2 workers), and drives each URL with wrk, round-robin, three rounds by default (the
median counts): the baseline's constant JSON, the bestseller's `reviews.json`, and its
iframe page; then both again past the replay layer (Flask with a cached summary), for
comparison. Target: each widget URL serves at least 0.8 of the baseline's requests/s.
Prints a table and PASS/FAIL, writes bench/results/embed.json, then stops both servers
and drops the database, whatever happens.

    .venv/bin/python -m bench.embed               # PostgreSQL database fanhub_bench
    .venv/bin/python -m bench.embed --sqlite      # a SQLite file in a temporary folder
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from contextlib import ExitStack
from datetime import UTC, datetime

from bench.run import (
    HOST,
    REPO,
    BenchError,
    Check,
    Measurement,
    _child_environment,
    _exit_on_signal,
    _flask,
    _free_port,
    _gunicorn,
    _median,
    _pages,
    _postgres_database,
    _sqlite_database,
    _warm_up,
    _wrk,
    parse_args,
    write_report,
)
from fanhub.benchdata import BRAND_SLUG, HOT_PRODUCT_SLUG

RESULTS = REPO / "bench" / "results" / "embed.json"
BASELINE_APP = "bench.baseline:create_baseline_app()"
# Target: a widget request costs at most a quarter more than the cheapest Flask answer.
WIDGET_VS_BASELINE_MIN = 0.8


def main(argv: list[str] | None = None) -> int:
    """Run the widget benchmark; 0 whether targets pass or fail, non-zero if it could not run."""
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (Debian/Ubuntu: sudo apt-get install -y wrk)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    started = datetime.now(UTC)
    widget = f"/embed/v1/{BRAND_SLUG}/{HOT_PRODUCT_SLUG}"
    try:
        with ExitStack() as cleanup:
            if args.sqlite:
                url = cleanup.enter_context(_sqlite_database())
            else:
                url = cleanup.enter_context(_postgres_database(args.database_url))
            env = _child_environment(url)
            _flask(env, "db", "upgrade")
            seed_started = time.monotonic()
            _flask(env, "seed-demo", "--scale", "large")
            builder_seconds = time.monotonic() - seed_started
            _, database_version = _pages(url)
            fanhub_port, baseline_port = _free_port(), _free_port()
            cleanup.enter_context(_gunicorn(env, fanhub_port, args.workers))
            cleanup.enter_context(_gunicorn(env, baseline_port, args.workers, BASELINE_APP))
            targets = [
                ("baseline (bare Flask JSON)", baseline_port, "/baseline.json"),
                ("reviews.json", fanhub_port, f"{widget}/reviews.json"),
                ("frame", fanhub_port, f"{widget}/frame"),
                # For comparison, not a target: an argument the widget does not read sends
                # the request past the replay layer to Flask, whose summary cache still hits.
                ("reviews.json via Flask", fanhub_port, f"{widget}/reviews.json?via=flask"),
                ("frame via Flask", fanhub_port, f"{widget}/frame?via=flask"),
            ]
            for _, port, path in targets:
                _warm_up(f"http://{HOST}:{port}{path}")
            load_before = os.getloadavg()
            rounds: list[list[Measurement]] = [[] for _ in targets]
            for round_number in range(1, args.rounds + 1):
                for index, (name, port, path) in enumerate(targets):
                    print(f"round {round_number}/{args.rounds}: {name} {path}", flush=True)
                    url = f"http://{HOST}:{port}{path}"
                    rounds[index].append(_wrk(wrk, name, path, url, args))
            load_after = os.getloadavg()
            results = [_median(measured) for measured in rounds]
    except KeyboardInterrupt:
        print("\ninterrupted: the servers are stopped, the database dropped.", file=sys.stderr)
        return 130
    except BenchError as err:
        print(f"benchmark could not run: {err}", file=sys.stderr)
        return 1

    checks = _checks(results)
    _print_table(results, checks)
    write_report(
        RESULTS,
        "bench.embed",
        args,
        started=started,
        database_version=database_version,
        load=(load_before[0], load_after[0]),
        builder_seconds=builder_seconds,
        results=results,
        rounds=rounds,
        checks=checks,
    )
    return 0


def _checks(results: list[Measurement]) -> list[Check]:
    baseline = results[0]
    for result in results:
        result.vs_baseline = result.requests_per_second / baseline.requests_per_second
    clean = not any(r.errors for r in results)
    return [
        Check(
            f"{result.name} >= {WIDGET_VS_BASELINE_MIN:.0%} of baseline throughput",
            f"{result.vs_baseline:.2f} of baseline",
            result.vs_baseline >= WIDGET_VS_BASELINE_MIN and clean,
        )
        for result in results[1:3]
    ]


def _print_table(results: list[Measurement], checks: list[Check]) -> None:
    print()
    print(f"{'URL':<28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs base':>8} {'errors':>7}")
    for r in results:
        print(
            f"{r.name:<28} {r.requests_per_second:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f}"
            f" {r.vs_baseline:>8.2f} {r.errors:>7}"
        )
    print()
    for check in checks:
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.target}: {check.value}")
    if any(r.errors for r in results):
        print("some requests failed (errors column): the targets count as FAIL")


if __name__ == "__main__":
    sys.exit(main())
