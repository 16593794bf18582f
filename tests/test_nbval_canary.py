"""A canary: nbval really compares outputs, so a changed output fails the notebook test.

It runs with the suite's own options from pyproject.toml, so a switch to `--nbval-lax` (which compares only cells
marked `# NBVAL_CHECK_OUTPUT`) fails it too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.config import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "01_single_turn_prompting.ipynb"


def nbval(path: Path) -> subprocess.CompletedProcess[str]:
    """Run pytest on one notebook with the project's own options (pyproject.toml's addopts), as the suite does."""
    command = [sys.executable, "-m", "pytest", "-q", "-c", str(REPO_ROOT / "pyproject.toml"), "--rootdir", str(REPO_ROOT),
               str(path)]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)


def test_nbval_fails_when_a_committed_output_changes(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.outputs and c.outputs[0].get("text"))
    cell.outputs[0]["text"] = "CANARY: an output that the notebook does not produce\n"
    copy = tmp_path / NOTEBOOK.name
    nbformat.write(nb, copy)
    done = nbval(copy)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "CANARY" in done.stdout and "1 failed" in done.stdout, done.stdout[-3000:]
