"""Static checks run with the tests: ruff over the kit, mypy (strict) over the helpers."""

from __future__ import annotations

import subprocess
import sys

from helpers.config import REPO_ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """Run a tool from the repo root and capture what it says."""
    return subprocess.run([sys.executable, "-m", *command], cwd=REPO_ROOT, capture_output=True, text=True)


def test_ruff_is_clean() -> None:
    done = run("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    done = run("mypy", "--no-incremental")
    assert done.returncode == 0, done.stdout + done.stderr
