"""A canary: nbval really compares outputs, so a changed output fails the notebook test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.config import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "01_single_turn_prompting.ipynb"


def nbval(path: Path) -> subprocess.CompletedProcess[str]:
    """Run nbval, as the suite does, on one notebook."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--nbval",
               "--nbval-current-env", "--nbval-sanitize-with", str(REPO_ROOT / "tests" / "sanitize.cfg"), str(path)]
    return subprocess.run(command, capture_output=True, text=True, cwd=path.parent, timeout=300)


def test_nbval_fails_when_a_committed_output_changes(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.outputs and c.outputs[0].get("text"))
    cell.outputs[0]["text"] = "CANARY: an output that the notebook does not produce\n"
    copy = tmp_path / NOTEBOOK.name
    nbformat.write(nb, copy)
    done = nbval(copy)
    assert done.returncode == 1, done.stdout[-3000:]
    assert "CANARY" in done.stdout and "1 failed" in done.stdout, done.stdout[-3000:]
