"""Exercise progress: which notebooks' exercises pass, read offline from the saved check cells' outputs.

In a notebook: `from helpers.classroom.progress import progress; progress()`.
For a facilitator: `python -m helpers.classroom.progress [folder-of-notebooks]`.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT

CHECK_CALL = re.compile(r"""check\(\s*["'](\d\d\.\d+)["']""")


@dataclass(frozen=True)
class Exercise:
    """One exercise and what its saved check cell says."""

    notebook: str
    id: str
    state: str  # "pass", "not yet", "not tried", "not run"


def state_of(output: str) -> str:
    """The state a check cell's printed output shows."""
    if ": PASS" in output:
        return "pass"
    if "not tried yet" in output:
        return "not tried"
    if "not yet" in output:
        return "not yet"
    return "not run"


def exercises(folder: Path = REPO_ROOT / "notebooks") -> list[Exercise]:
    """Every exercise check in the notebooks of a folder, with its saved state."""
    found = []
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            text = "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))
            for exercise_id in CHECK_CALL.findall("".join(cell["source"])):
                found.append(Exercise(path.stem, exercise_id, state_of(text)))
    return found


class Progress:
    """A table of exercises by notebook; shown as Markdown in Jupyter and as text in a terminal."""

    MARKS = {"pass": "✅ pass", "not yet": "❌ not yet", "not tried": "· not tried", "not run": "· not run"}

    def __init__(self, items: list[Exercise]) -> None:
        self.items = items

    def rows(self) -> list[tuple[str, str, str]]:
        """(notebook, passed of total, each exercise's mark)."""
        notebooks = dict.fromkeys(e.notebook for e in self.items)
        rows = []
        for name in notebooks:
            mine = [e for e in self.items if e.notebook == name]
            passed = sum(e.state == "pass" for e in mine)
            rows.append((name, f"{passed}/{len(mine)}", ", ".join(f"{e.id} {self.MARKS[e.state]}" for e in mine)))
        return rows

    def summary(self) -> str:
        """One line: how many exercises pass."""
        passed = sum(e.state == "pass" for e in self.items)
        return f"{passed} of {len(self.items)} exercises pass (from the saved notebooks: save after running a check)."

    def _repr_markdown_(self) -> str:
        """The table in Markdown."""
        lines = ["| notebook | passed | exercises |", "|---|---|---|"]
        lines += [f"| {name} | {count} | {marks} |" for name, count, marks in self.rows()]
        return "\n".join(lines) + f"\n\n{self.summary()}"

    def __repr__(self) -> str:
        """The table in plain text."""
        width = max((len(r[0]) for r in self.rows()), default=8)
        lines = [f"{name:{width}}  {count:>5}  {marks}" for name, count, marks in self.rows()]
        return "\n".join([*lines, self.summary()])


def progress(folder: str | Path = REPO_ROOT / "notebooks") -> Progress:
    """Which exercises pass, notebook by notebook (read from the saved notebooks, offline)."""
    return Progress(exercises(Path(folder)))


if __name__ == "__main__":
    print(repr(progress(sys.argv[1] if len(sys.argv) > 1 else REPO_ROOT / "notebooks")))
