"""The facilitator's day-before check runs every notebook and script offline and prints a table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.classroom.daycheck import main
from helpers.config import REPO_ROOT
from helpers.replay import notebooks


def test_the_day_before_check_passes_on_the_kit_and_prints_its_table(capsys: pytest.CaptureFixture[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "helpers.classroom.daycheck"], capture_output=True, text=True, cwd=REPO_ROOT,
                          env=notebooks.environment(ANTHROPIC_API_KEY="a-key-it-must-ignore"), timeout=900)
    with capsys.disabled():
        print(f"\n{done.stdout}")  # the facilitator's table, in the CI log
    assert done.returncode == 0, done.stdout + done.stderr
    for path in notebooks.kit_notebooks() + notebooks.kit_scripts():
        row = next(line for line in done.stdout.splitlines() if line.startswith(path.name))
        assert row.split()[1] == "PASS" and float(row.split()[2]) > 0
    total = len(notebooks.kit_notebooks()) + len(notebooks.kit_scripts())
    assert f"{total} of {total} passed offline" in done.stdout
    assert "day-before check" in done.stderr, "the progress bar is shown"


def test_a_failing_notebook_is_reported_with_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "99_broken.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('raise ValueError("this cell is broken")')])
    nbformat.write(nb, broken)
    assert main([str(broken)]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("99_broken.ipynb"))
    assert "FAIL" in row and "this cell is broken" in row
    assert main([str(tmp_path / "missing.ipynb")]) == 2
