"""Without Chromium the browser tests are reported as not run, with the command that enables them; CI makes that a failure."""

from __future__ import annotations

import subprocess
import sys

import pytest
from chromium import ENABLE, REQUIRE_VAR, find_chromium

from helpers.config import REPO_ROOT
from helpers.replay import notebooks

HIDDEN = {"CHROMIUM_PATH": "/nonexistent/chromium"}  # an explicit CHROMIUM_PATH is the only place looked at


def run_browser_tests(**env: str | None) -> subprocess.CompletedProcess[str]:
    """The browser tests in a fresh pytest, as the README's test command runs them."""
    return subprocess.run([sys.executable, "-m", "pytest", "tests/test_browser.py", "-p", "no:cacheprovider"],
                          cwd=REPO_ROOT, env=notebooks.environment(**env), capture_output=True, text=True, timeout=300)


def test_an_explicit_chromium_path_that_is_missing_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", HIDDEN["CHROMIUM_PATH"])
    assert find_chromium() is None
    monkeypatch.setenv("CHROMIUM_PATH", sys.executable)  # any executable file counts as found
    assert find_chromium() == sys.executable


def test_without_chromium_the_summary_says_the_browser_tests_did_not_run() -> None:
    done = run_browser_tests(**HIDDEN, **{REQUIRE_VAR: None})
    assert done.returncode == 0, done.stdout[-3000:]
    assert "browser tests not run" in done.stdout and ENABLE in done.stdout, done.stdout[-2000:]
    assert " skipped" in done.stdout and " passed" not in done.stdout


def test_when_ci_requires_chromium_its_absence_fails() -> None:
    done = run_browser_tests(**HIDDEN, **{REQUIRE_VAR: "1"})
    assert done.returncode == 1, done.stdout[-3000:]
    assert "No Chromium found" in done.stdout
