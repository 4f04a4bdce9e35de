"""The CI guard: a skipped browser test fails a CI run and only a CI run (issue 11)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CONFTEST = 'pytest_plugins = ["tests.ci_guard"]\n'
TESTS = """
import pytest


@pytest.mark.skip(reason="no chromium here")
@pytest.mark.browser
def test_drives_a_browser():
    pass


def test_plain():
    assert 1 + 1 == 2
"""


def _run(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_guarded.py").write_text(TESTS)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(  # noqa: S603 - our own interpreter on our own files
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
         "markers=browser: x", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_skipped_browser_test_fails_a_ci_run(tmp_path: Path, ci: str) -> None:
    result = _run(tmp_path, ci)
    assert result.returncode == 1, result.stdout
    assert "browser tests were skipped" in result.stdout


def test_a_skipped_browser_test_is_only_reported_on_a_laptop(tmp_path: Path) -> None:
    result = _run(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
