"""Real servers for the outage tests: a private PostgreSQL cluster and a private Redis that
the tests stop and kill, fanhub under gunicorn with the shipped gunicorn.conf.py, and a
small HTTP client that keeps cookies and reads CSRF tokens.

Every server listens on 127.0.0.1 on a port of its own; the shared PostgreSQL and Redis
(5432, 6379) are never touched.
"""

from __future__ import annotations

import glob
import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import redis

from tests.ci_guard import ON_CI

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_binary(name: str, *patterns: str) -> str:
    """The path of a server binary; CI fails without it, a laptop skips with one line."""
    found = shutil.which(name)
    if found is None:
        candidates = sorted(
            (path for pattern in patterns for path in glob.glob(pattern)), key=_version_key
        )
        found = candidates[-1] if candidates else None
    if found is None:
        message = f"{name} is not installed (the outage tests start a private server)"
        if ON_CI:
            pytest.fail(f"CI must install it: {message}")
        pytest.skip(message)
    return found


def _version_key(path: str) -> list[int]:
    return [int(part) for part in re.findall(r"\d+", path)]


def wait_until(condition, timeout: float, step: float = 0.05, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll `condition` until it returns something truthy; return that, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(step)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary folder, on a port of its own."""

    def __init__(self) -> None:
        # Its siblings (pg_ctl, createdb) sit beside the real file, not beside a symlink.
        self.initdb = str(Path(find_binary("initdb", "/usr/lib/postgresql/*/bin/initdb")).resolve())
        self.pg_ctl = str(Path(self.initdb).with_name("pg_ctl"))
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="fanhub-outage-pg-"))
        self.data = self.folder / "data"
        # PostgreSQL refuses to run as root: as root (CI), the cluster belongs to postgres.
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            self.as_owner = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, user="postgres")
        try:
            self._run(
                self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--no-sync", "--no-instructions",
            )  # fmt: skip
            self.start()
            self._run(
                str(Path(self.initdb).with_name("createdb")),
                "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "fanhub",
            )  # fmt: skip
        except BaseException:
            self.destroy()  # no server left running when set-up fails half way
            raise

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/fanhub"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            self.pg_ctl, "-D", str(self.data), "-o", options,
            "-l", str(self.folder / "server.log"), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        """Stop as an operator would: sessions are ended, the server goes away."""
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop")

    def destroy(self) -> None:
        subprocess.run(  # noqa: S603 - our own cluster, in our own folder
            [*self.as_owner, self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True, check=False, timeout=60,
        )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, *command: str) -> None:
        result = subprocess.run(  # noqa: S603 - PostgreSQL's own tools on our own folder
            [*self.as_owner, *command], capture_output=True, text=True, check=False, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stdout}{result.stderr}")


class PrivateRedis:
    """A redis-server on a port of its own that keeps nothing on disk, and can be killed."""

    def __init__(self, folder: Path) -> None:
        self.binary = find_binary("redis-server", "/usr/bin/redis-server")
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - redis-server on loopback
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self._answers, 10, what="redis-server to answer")

    def kill(self) -> None:
        """SIGKILL: no goodbye to the clients, as when the machine goes away."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=2)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.exceptions.ConnectionError:  # still starting
            return False


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float

    def form_value(self, name: str) -> str:
        """The value of a named input (a CSRF token), or the text of a named textarea (as
        a browser reads it: without the line break HTML drops after the opening tag)."""
        match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', self.text) or re.search(
            rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', self.text
        )
        if match:
            return html.unescape(match.group(1))
        area = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>(?:\r?\n)?(.*?)</textarea>',
                         self.text, re.S)  # fmt: skip
        if area:
            return html.unescape(area.group(1))
        raise AssertionError(f"no field {name!r} in the page:\n{self.text[:2000]}")


class Browser:
    """One visitor: keeps her cookies, posts forms with their CSRF token, never follows
    redirects (the tests read them)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: Mapping[str, str], **headers: str) -> Answer:
        body = urlencode(form)
        return self.request(
            "POST", path, body,
            {"Content-Type": "application/x-www-form-urlencoded", **headers},
        )  # fmt: skip

    def submit(self, page: str, path: str, form: Mapping[str, str], **headers: str) -> Answer:
        """Open `page`, then post `form` to `path` with the CSRF token `page` carried."""
        token = self.get(page).form_value("csrf_token")
        return self.post(path, {**form, "csrf_token": token}, **headers)

    def log_in(self, login: str, password: str) -> None:
        answer = self.submit("/login", "/login", {"login": login, "password": password})
        assert answer.status == 302, answer.text[:500]

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 20,
    ) -> Answer:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        seconds = time.monotonic() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        received = {name.lower(): value for name, value in response.headers.items()}
        return Answer(response.status, received, text, seconds)


class Gunicorn:
    """fanhub served by gunicorn started in the repository root, so the shipped
    gunicorn.conf.py is the configuration under test; settings come from `env`."""

    def __init__(self, env: Mapping[str, str], log_folder: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.log = log_folder / f"gunicorn-{self.port}.log"
        runtime = log_folder / f"run-{self.port}"
        runtime.mkdir(mode=0o700)
        # Nothing from the caller's shell changes what is under test (GUNICORN_CMD_ARGS
        # would override the shipped file).
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("FANHUB_", "GUNICORN_", "RATELIMIT_"))
        }
        environment.update(
            {
                "SECRET_KEY": "outage-tests-secret-key-not-for-production",
                "FANHUB_BIND": f"127.0.0.1:{self.port}",
                "WEB_CONCURRENCY": str(workers),
                "REDIS_URL": "",
                "SMTP_URL": "",
                # Each server's control socket (gunicornc) in a folder of its own, not one
                # shared path in $HOME that two servers at once would fight over.
                "XDG_RUNTIME_DIR": str(runtime),
                **env,
            }
        )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
                [sys.executable, "-m", "gunicorn", "fanhub:create_app()"],
                cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            wait_until(self._answers, 60, step=0.1, what="gunicorn to answer")
        except AssertionError:
            self.stop()
            raise AssertionError(f"gunicorn did not start:\n{self.output()}") from None

    def browser(self) -> Browser:
        return Browser(self.port)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.output()}")
        try:
            Browser(self.port).request("GET", "/healthz", timeout=2)
        except OSError:
            return False
        return True
