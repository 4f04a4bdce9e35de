"""Under CI, a run that skipped the browser tests fails instead of going quietly green (issue 11).

On a laptop without Chromium the browser tests skip with one line saying so; CI installs
Chromium, so a skip there means the install or the launch broke, and the run must say so.
"""

from __future__ import annotations

import os

import pytest

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

_skipped_browser_tests: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if ON_CI and report.skipped and "browser" in report.keywords:
        _skipped_browser_tests.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped_browser_tests and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_browser_tests:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped_browser_tests)} browser tests were skipped "
            f"(first: {_skipped_browser_tests[0]}); CI needs them to run.",
            red=True,
        )
