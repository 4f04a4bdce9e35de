"""Measure fanhub's forum pages on the large data set against a one-query baseline.

Creates a fresh database, migrates it, fills it with `flask seed-demo --scale large`,
serves `bench.app:create_bench_app()` with gunicorn (2 workers) on 127.0.0.1, and drives
each page with wrk, round-robin, three rounds by default (the median counts). Prints a
table and PASS/FAIL per target, writes bench/results/latest.json, then stops the server
and drops the database, whatever happens.

    .venv/bin/python -m bench.run                 # PostgreSQL database fanhub_bench
    .venv/bin/python -m bench.run --sqlite        # a SQLite file in a temporary folder
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from fanhub.benchdata import BRAND_SLUG, LONG_THREAD_TITLE
from fanhub.brands.models import Brand
from fanhub.forums.models import POSTS_PER_PAGE, Category, CategoryKind, Topic

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = REPO / "bench" / "results" / "latest.json"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/fanhub_bench"
HOST = "127.0.0.1"
# Targets: the topic page serves at least half the baseline's requests per second, and
# its last page (a range query on position) as fast as its first, within 10 %.
TOPIC_VS_BASELINE_MIN = 0.5
LAST_VS_FIRST_TOLERANCE = 0.10
SERVER_START_SECONDS = 60
WARMUP_REQUESTS = 30
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Measurement:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    vs_baseline: float = 1.0


@dataclass
class Check:
    target: str
    value: str
    passed: bool


class BenchError(RuntimeError):
    """Something the operator must fix before the benchmark can run."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="PostgreSQL database to DROP, recreate and fill; its name must contain 'bench' "
        f"(default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--sqlite", action="store_true", help="use a SQLite file in a temporary folder instead"
    )
    parser.add_argument("--duration", type=int, default=15, help="seconds per page and round (15)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure every page this many times, interleaved, and report the median (3)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the whole benchmark; 0 whether targets pass or fail, non-zero if it could not run."""
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "wrk, the load generator, is not installed.\n"
            "  Debian/Ubuntu: sudo apt-get install -y wrk\n"
            "  macOS:         brew install wrk",
            file=sys.stderr,
        )
        return 2
    # Ctrl-C and a plain `kill` both unwind through the clean-up below, even when the
    # shell that started us ignores SIGINT (as it does for background jobs).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    started = datetime.now(UTC)
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
            pages, database_version = _pages(url)
            port = _free_port()
            cleanup.enter_context(_gunicorn(env, port, args.workers))
            for _, path in pages:
                _warm_up(f"http://{HOST}:{port}{path}")
            load_before = os.getloadavg()
            # Round-robin rather than page after page: a neighbour's burst of CPU on this
            # machine then slows every page a little instead of one page a lot.
            rounds: list[list[Measurement]] = [[] for _ in pages]
            for round_number in range(1, args.rounds + 1):
                for index, (name, path) in enumerate(pages):
                    print(f"round {round_number}/{args.rounds}: {name} {path}", flush=True)
                    page_url = f"http://{HOST}:{port}{path}"
                    rounds[index].append(_wrk(wrk, name, path, page_url, args))
            load_after = os.getloadavg()
            results = [_median(measured) for measured in rounds]
    except KeyboardInterrupt:
        print(
            "\ninterrupted: the server it started is stopped, its database dropped.",
            file=sys.stderr,
        )
        return 130
    except BenchError as err:
        print(f"benchmark could not run: {err}", file=sys.stderr)
        return 1

    checks = _checks(results)
    _print_table(results, checks)
    write_report(
        RESULTS,
        "bench.run",
        args,
        started=started,
        database_version=database_version,
        load=(load_before[0], load_after[0]),
        builder_seconds=builder_seconds,
        results=results,
        rounds=rounds,
        checks=checks,
    )
    print(f"builder: {builder_seconds:.1f} s; results written to {RESULTS.relative_to(REPO)}")
    return 0


def write_report(
    path: Path,
    module: str,
    args: argparse.Namespace,
    *,
    started: datetime,
    database_version: str,
    load: tuple[float, float],
    builder_seconds: float,
    results: list[Measurement],
    rounds: list[list[Measurement]],
    checks: list[Check],
) -> None:
    """Write one run's numbers, settings and machine as JSON, and say where."""
    report = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, "-m", module, *sys.argv[1:]]),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "database": database_version,
        },
        "settings": {
            "backend": "sqlite" if args.sqlite else "postgresql",
            "gunicorn_workers": args.workers,
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s --latency",
            "rounds": args.rounds,
        },
        "load_average_1min": {"before": load[0], "after": load[1]},
        "builder_seconds": round(builder_seconds, 1),
        "pages": [asdict(r) for r in results],
        "rounds": [[asdict(m) for m in measured] for measured in rounds],
        "checks": [asdict(c) for c in checks],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"\nmedian of {args.rounds} round(s); load average {load[0]:.2f} before, "
        f"{load[1]:.2f} after (on {os.cpu_count()} CPUs)"
    )
    print(f"builder: {builder_seconds:.1f} s; results written to {path.relative_to(REPO)}")


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@contextmanager
def _postgres_database(url: str) -> Iterator[str]:
    """A freshly created PostgreSQL database, dropped on the way out."""
    parsed = make_url(url)
    name = parsed.database or ""
    if "bench" not in name:
        raise BenchError(f"refusing to drop database {name!r}: its name must contain 'bench'")
    identifier = sql.Identifier(name)
    print(f"creating PostgreSQL database {name} on {parsed.host or HOST}", flush=True)
    with _admin(parsed) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    try:
        yield url
    finally:
        with _admin(parsed) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        print(f"dropped database {name}", flush=True)


@contextmanager
def _admin(parsed: Any) -> Iterator[psycopg.Connection[Any]]:
    try:
        conn = psycopg.connect(
            host=parsed.host or HOST,
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            dbname="postgres",
            autocommit=True,
        )
    except psycopg.OperationalError as err:
        raise BenchError(f"cannot reach PostgreSQL: {err}") from None
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def _sqlite_database() -> Iterator[str]:
    """A SQLite file in a temporary folder, removed on the way out."""
    with tempfile.TemporaryDirectory(prefix="fanhub-bench-") as folder:
        print(f"using SQLite in {folder}", flush=True)
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def _child_environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    # Only the database is shared; in-memory limits and the mail outbox keep it that way.
    for name in ("REDIS_URL", "SMTP_URL", "FLASK_DEBUG"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(32),
        FANHUB_ENV="production",
        PYTHONUNBUFFERED="1",
    )
    return env


def _flask(env: dict[str, str], *args: str) -> None:
    command = [str(BIN / "flask"), "--app", "fanhub", *args]
    print(f"$ flask --app fanhub {' '.join(args)}", flush=True)
    if subprocess.run(command, cwd=REPO, env=env, check=False).returncode != 0:  # noqa: S603
        raise BenchError(f"`flask {' '.join(args)}` failed (see above)")


def _pages(url: str) -> tuple[list[tuple[str, str]], str]:
    """The pages to measure, found in the data set just built, and the database's version."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with Session(engine) as session:
            brand = session.scalars(select(Brand.id).where(Brand.slug == BRAND_SLUG)).one()
            topic_id, post_count = session.execute(
                select(Topic.id, Topic.post_count).where(
                    Topic.brand_id == brand, Topic.title == LONG_THREAD_TITLE
                )
            ).one()
            support = session.scalars(
                select(Category.slug)
                .where(Category.brand_id == brand, Category.kind == CategoryKind.SUPPORT)
                .order_by(Category.position)
            ).first()
            if engine.dialect.name == "sqlite":
                version = "SQLite " + session.scalar(text("select sqlite_version()"))
            else:
                version = session.scalar(text("select version()")).split(" on ")[0]
    finally:
        engine.dispose()
    last_page = math.ceil(post_count / POSTS_PER_PAGE)
    pages = [
        ("baseline", "/bench/baseline"),
        ("topic, first page", f"/t/{topic_id}"),
        (f"topic, last page ({last_page})", f"/t/{topic_id}?page={last_page}"),
        ("category (support)", f"/b/{BRAND_SLUG}/c/{support}"),
        ("fan page", f"/b/{BRAND_SLUG}"),
    ]
    return pages, version


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def _gunicorn(
    env: dict[str, str], port: int, workers: int, app: str = "bench.app:create_bench_app()"
) -> Iterator[None]:
    """gunicorn serving `app` (the bench app by default) on 127.0.0.1:port until the block
    ends."""
    log_path = Path(tempfile.gettempdir()) / f"fanhub-bench-gunicorn-{port}.log"
    command = [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--error-logfile",
        str(log_path),
        app,
    ]
    print(f"$ gunicorn -w {workers} -b {HOST}:{port} '{app}'", flush=True)
    with log_path.open("wb") as log:
        # A session of its own: Ctrl-C reaches us, and we stop it in order below.
        server = subprocess.Popen(  # noqa: S603
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_up(server, f"http://{HOST}:{port}/healthz", log_path)
        yield
    finally:
        _stop(server)
        print("server stopped", flush=True)


def _wait_until_up(server: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited at start:\n{log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer {url} within {SERVER_START_SECONDS} s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()  # the master stops its workers gracefully
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        # The process group is the one this script created for the server alone.
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def _warm_up(url: str) -> None:
    """Load templates, fill connection pools and caches in both workers first."""
    for _ in range(WARMUP_REQUESTS):
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as err:
            raise BenchError(f"{url} answered {err.code}; nothing to measure") from None


def _wrk(wrk: str, name: str, path: str, url: str, args: argparse.Namespace) -> Measurement:
    command = [
        wrk,
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    output = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, timeout=args.duration + 60
    )
    if output.returncode != 0:
        raise BenchError(f"wrk failed on {url}: {output.stderr or output.stdout}")
    return parse_wrk(name, path, output.stdout)


def parse_wrk(name: str, path: str, report: str) -> Measurement:
    """Requests per second, median and 99th percentile latency, and errors, from wrk --latency."""

    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", report, re.MULTILINE)
        if match is None:
            raise BenchError(f"no {percent}% latency in wrk's report:\n{report}")
        return float(match.group(1)) * _UNITS_MS[match.group(2)]

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", report, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in", report, re.MULTILINE)
    if rate is None or total is None:
        raise BenchError(f"cannot read wrk's report:\n{report}")
    errors = 0
    if non_2xx := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", report):
        errors += int(non_2xx.group(1))
    if sockets := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report
    ):
        errors += sum(int(n) for n in sockets.groups())
    return Measurement(
        name=name,
        path=path,
        requests_per_second=float(rate.group(1)),
        p50_ms=latency("50"),
        p99_ms=latency("99"),
        requests=int(total.group(1)),
        errors=errors,
    )


def _median(measured: list[Measurement]) -> Measurement:
    """Each figure's median over the rounds; errors are summed, never hidden."""

    return Measurement(
        name=measured[0].name,
        path=measured[0].path,
        requests_per_second=statistics.median([m.requests_per_second for m in measured]),
        p50_ms=statistics.median([m.p50_ms for m in measured]),
        p99_ms=statistics.median([m.p99_ms for m in measured]),
        requests=sum(m.requests for m in measured),
        errors=sum(m.errors for m in measured),
    )


def _checks(results: list[Measurement]) -> list[Check]:
    baseline, first, last = results[0], results[1], results[2]
    for result in results:
        result.vs_baseline = result.requests_per_second / baseline.requests_per_second
    ratio = first.vs_baseline
    drift = (last.requests_per_second - first.requests_per_second) / first.requests_per_second
    clean = not any(r.errors for r in results)
    return [
        Check(
            f"topic page >= {TOPIC_VS_BASELINE_MIN:.0%} of baseline throughput",
            f"{ratio:.2f} of baseline",
            ratio >= TOPIC_VS_BASELINE_MIN and clean,
        ),
        Check(
            f"last page within {LAST_VS_FIRST_TOLERANCE:.0%} of first page",
            f"{drift:+.1%} requests/s",
            abs(drift) <= LAST_VS_FIRST_TOLERANCE and clean,
        ),
    ]


def _print_table(results: list[Measurement], checks: list[Check]) -> None:
    print()
    print(f"{'page':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs base':>8} {'errors':>7}")
    for r in results:
        print(
            f"{r.name:<24} {r.requests_per_second:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f}"
            f" {r.vs_baseline:>8.2f} {r.errors:>7}"
        )
    print()
    for check in checks:
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.target}: {check.value}")
    if any(r.errors for r in results):
        print("some requests failed (errors column): the targets count as FAIL")


if __name__ == "__main__":
    sys.exit(main())
