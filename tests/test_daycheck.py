"""The facilitator's day-before check runs every notebook and script offline and prints a table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.classroom import daycheck
from helpers.classroom.daycheck import main
from helpers.config import REPO_ROOT
from helpers.replay import notebooks


def test_the_day_before_check_runs_offline_whatever_the_environment_and_prints_its_table(
        capsys: pytest.CaptureFixture[str]) -> None:
    """The command as a facilitator runs it, with a key set that it must ignore, on one notebook and one script (every
    notebook and script runs offline in nbval and in tests/test_live_mode.py; running all of them a third time here
    cost CI about 45 s)."""
    chosen = [notebooks.kit_notebooks()[0], notebooks.kit_scripts()[0]]
    done = subprocess.run([sys.executable, "-m", "helpers.classroom.daycheck", *map(str, chosen)], capture_output=True,
                          text=True, cwd=REPO_ROOT, timeout=900,
                          env=notebooks.environment(ANTHROPIC_API_KEY="a-key-it-must-ignore",
                                                    ANTHROPIC_BASE_URL="http://127.0.0.1:9"))  # nothing listens there
    with capsys.disabled():
        print(f"\n{done.stdout}")  # the facilitator's table, in the CI log
    assert done.returncode == 0, done.stdout + done.stderr
    for path in chosen:
        row = next(line for line in done.stdout.splitlines() if line.startswith(path.name))
        assert row.split()[1] == "PASS" and float(row.split()[2]) > 0
    assert "2 of 2 passed offline" in done.stdout
    assert "day-before check" in done.stderr, "the progress bar is shown"


def test_with_no_paths_it_runs_every_notebook_and_script_of_the_kit(monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    ran: list[str] = []

    def run_one(path: Path) -> daycheck.Result:
        ran.append(path.name)
        return daycheck.Result(path.name, True, 0.5)

    monkeypatch.setattr(daycheck, "run_one", run_one)
    assert daycheck.main([]) == 0
    every = [p.name for p in notebooks.kit_notebooks() + notebooks.kit_scripts()]
    assert ran == every and len(every) >= 11
    assert f"{len(every)} of {len(every)} passed offline" in capsys.readouterr().out


def test_a_failing_notebook_is_reported_with_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "99_broken.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('raise ValueError("this cell is broken")')])
    nbformat.write(nb, broken)
    assert main([str(broken)]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("99_broken.ipynb"))
    assert "FAIL" in row and "this cell is broken" in row
    assert main([str(tmp_path / "missing.ipynb")]) == 2
