"""Measure the staff desk on the large data set, as a signed-in member of bigbrand's staff.

Builds the large data set (bigbrand: 10,000 topics, 100,000 posts, 20,000 reviews), serves
fanhub with gunicorn (2 workers), logs in through the real form as `bigbrand-staff1` to get
a session cookie, and drives the desk with wrk (with that cookie), round-robin with the
baseline, three rounds by default (the median counts): `/b/bigbrand/staff?days=7`,
`?days=30` and `?days=90`. Every response must be the whole desk: a run whose responses
average fewer bytes than the desk page (a redirect to the login page, say, which wrk does
not count as an error) counts all its requests as errors.

It also times, in this process, the metrics uncached and one whole desk request with its
caches cold and warm (the page caches the metrics and their rendered half for a minute
per brand and window, so under wrk nearly every request finds them warm). Target: desk
p50 under 150 ms. Prints a table, writes bench/results/desk.json, then stops the server
and drops the database.

    .venv/bin/python -m bench.desk               # PostgreSQL database fanhub_bench
    .venv/bin/python -m bench.desk --sqlite      # a SQLite file in a temporary folder
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import ExitStack
from datetime import UTC, datetime

from sqlalchemy import select

from bench.run import (
    HOST,
    REPO,
    WARMUP_REQUESTS,
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
    parse_args,
    parse_wrk,
    write_report,
)
from fanhub import create_app
from fanhub.accounts.models import User
from fanhub.benchdata import BRAND_SLUG, STAFF
from fanhub.brands.models import Brand
from fanhub.db import utcnow
from fanhub.demo import DEMO_PASSWORD
from fanhub.extensions import cache, db
from fanhub.staff import services

RESULTS = REPO / "bench" / "results" / "desk.json"
DESK_P50_MAX_MS = 150.0
STAFF_LOGIN = STAFF[1]
TIMING_REPEATS = 5
WINDOWS = (7, 30, 90)
# A response this much shorter than the desk page is not the desk.
SHORT_RESPONSE_SHARE = 0.9
_BYTE_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def main(argv: list[str] | None = None) -> int:
    """Run the desk benchmark; 0 whether the target passes or fails, non-zero if it could
    not run."""
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (Debian/Ubuntu: sudo apt-get install -y wrk)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    started = datetime.now(UTC)
    pages = [("baseline", "/bench/baseline")] + [
        (f"desk, {days} days", f"/b/{BRAND_SLUG}/staff?days={days}") for days in WINDOWS
    ]
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
            timings = _time_metrics(url)
            page_timings = _time_pages(url)
            port = _free_port()
            cleanup.enter_context(_gunicorn(env, port, args.workers))
            base = f"http://{HOST}:{port}"
            cookie = _log_in(base)
            sizes = {path: _warm_up(base + path, cookie) for _, path in pages}
            load_before = os.getloadavg()
            rounds: list[list[Measurement]] = [[] for _ in pages]
            for round_number in range(1, args.rounds + 1):
                for index, (name, path) in enumerate(pages):
                    print(f"round {round_number}/{args.rounds}: {name} {path}", flush=True)
                    rounds[index].append(
                        _wrk(wrk, name, path, base + path, cookie, args, sizes[path])
                    )
            load_after = os.getloadavg()
            results = [_median(measured) for measured in rounds]
    except KeyboardInterrupt:
        print("\ninterrupted: the server is stopped, its database dropped.", file=sys.stderr)
        return 130
    except BenchError as err:
        print(f"benchmark could not run: {err}", file=sys.stderr)
        return 1

    baseline = results[0]
    for result in results:
        result.vs_baseline = result.requests_per_second / baseline.requests_per_second
    clean = not any(r.errors for r in results)
    checks = [
        Check(f"{r.name}: p50 < {DESK_P50_MAX_MS:.0f} ms", f"{r.p50_ms:.1f} ms",
              r.p50_ms < DESK_P50_MAX_MS and clean)
        for r in results[1:]
    ] + [
        Check(f"metrics, {days} days, uncached (median of {TIMING_REPEATS})", f"{ms:.1f} ms", True)
        for days, ms in timings.items()
    ] + [
        Check(f"one desk request, {days} days, caches {state} (median of {TIMING_REPEATS})",
              f"{ms:.1f} ms", True)
        for (days, state), ms in page_timings.items()
    ]  # fmt: skip
    print()
    print(f"{'page':<16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs base':>8} {'errors':>7}")
    for r in results:
        print(
            f"{r.name:<16} {r.requests_per_second:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f}"
            f" {r.vs_baseline:>8.2f} {r.errors:>7}"
        )
    print()
    for check in checks:
        print(f"{'PASS' if check.passed else 'FAIL'}  {check.target}: {check.value}")
    if not clean:
        print("some requests failed or were not the whole page (errors column): targets FAIL")
    write_report(
        RESULTS,
        "bench.desk",
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


def _time_metrics(url: str) -> dict[int, float]:
    """How long the desk's metrics take to compute, uncached, for each window (ms)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(url), "SECRET_KEY": "bench"})
    timings: dict[int, float] = {}
    with app.app_context():
        staff = db.session.scalars(select(User).where(User.username == STAFF_LOGIN)).one()
        brand = db.session.scalars(select(Brand).where(Brand.slug == BRAND_SLUG)).one()
        for days in WINDOWS:
            spent = []
            for _ in range(TIMING_REPEATS):
                begun = time.perf_counter()
                services.desk_metrics(staff, brand, days, now=utcnow())
                spent.append((time.perf_counter() - begun) * 1000)
            timings[days] = statistics.median(spent)
        for engine in db.engines.values():
            engine.dispose()
    return timings


def _time_pages(url: str) -> dict[tuple[int, str], float]:
    """How long one whole desk request takes in this process, signed in as the staff
    member, with the page's caches emptied before each request ("cold") and kept ("warm")."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(url),
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            # This process's own cache and limits, whatever REDIS_URL says: clearing the
            # cache must not empty anyone's Redis. The test client speaks plain http.
            "CACHE_TYPE": "SimpleCache",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SESSION_COOKIE_SECURE": False,
        }
    )
    client = app.test_client()
    signed_in = client.post("/login", data={"login": STAFF_LOGIN, "password": DEMO_PASSWORD})
    if signed_in.status_code != 302:
        raise BenchError(f"logging in as {STAFF_LOGIN} in process failed ({signed_in.status_code})")
    timings: dict[tuple[int, str], float] = {}
    for days in WINDOWS:
        path = f"/b/{BRAND_SLUG}/staff?days={days}"
        client.get(path)  # compiles the templates, fills the pool: not what is measured
        for state in ("cold", "warm"):
            spent = []
            for _ in range(TIMING_REPEATS):
                if state == "cold":
                    with app.app_context():
                        cache.clear()
                begun = time.perf_counter()
                response = client.get(path)
                spent.append((time.perf_counter() - begun) * 1000)
                if response.status_code != 200:
                    raise BenchError(f"{path} answered {response.status_code} in process")
            timings[(days, state)] = statistics.median(spent)
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    return timings


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _log_in(base: str) -> str:
    """Log in through the real form (CSRF token and all); the session cookie as a header.

    Cookies are carried by hand: in production they are `Secure`, which a cookie jar
    would not send back over the benchmark's plain http.
    """
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = _session_cookie(response)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        if token is None or cookie is None:
            raise BenchError("no CSRF token or session cookie from /login")
        form = urllib.parse.urlencode(
            {"login": STAFF_LOGIN, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
        )
        conn.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        signed_in = _session_cookie(response)
    finally:
        conn.close()
    if response.status != 302 or signed_in is None:
        raise BenchError(f"logging in as {STAFF_LOGIN} failed ({response.status})")
    return signed_in


def _session_cookie(response: http.client.HTTPResponse) -> str | None:
    for header in response.headers.get_all("Set-Cookie") or []:
        if header.startswith("session="):
            return header.split(";", 1)[0]
    return None


def _warm_up(url: str, cookie: str) -> int:
    """Fill both workers' pools and caches; the smallest body seen, in bytes."""
    smallest = None
    for _ in range(WARMUP_REQUESTS):
        request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                body = response.read()
                if "/staff" in url and (b"Staff desk" not in body or b"data-desk-row" not in body):
                    raise BenchError(f"{url} did not show the desk: is the session valid?")
        except urllib.error.HTTPError as err:
            raise BenchError(f"{url} answered {err.code}; nothing to measure") from None
        smallest = len(body) if smallest is None else min(smallest, len(body))
    return smallest or 0


def _wrk(
    wrk: str,
    name: str,
    path: str,
    url: str,
    cookie: str,
    args: argparse.Namespace,
    page_bytes: int,
) -> Measurement:
    command = [
        wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
        "--timeout", "10s", "--latency", "-H", f"Cookie: {cookie}", url,
    ]  # fmt: skip
    output = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, check=False, timeout=args.duration + 60
    )
    if output.returncode != 0:
        raise BenchError(f"wrk failed on {url}: {output.stderr or output.stdout}")
    measured = parse_wrk(name, path, output.stdout)
    # wrk counts a redirect (to the login page, say) as a success: a run whose responses
    # are shorter on average than the page it should have served did not measure that page.
    read = re.search(r"^\s*\d+ requests in \S+, ([\d.]+)(B|KB|MB|GB) read", output.stdout, re.M)
    if read is None:
        raise BenchError(f"cannot read wrk's byte count:\n{output.stdout}")
    per_request = float(read.group(1)) * _BYTE_UNITS[read.group(2)] / max(measured.requests, 1)
    if per_request < page_bytes * SHORT_RESPONSE_SHARE:
        print(f"  {name}: {per_request:.0f} bytes a response, the page {page_bytes}", flush=True)
        measured.errors = max(measured.errors, measured.requests)
    return measured


if __name__ == "__main__":
    sys.exit(main())
