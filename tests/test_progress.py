"""Learner progress: read from the saved check cells of the notebooks, offline."""

from __future__ import annotations

from pathlib import Path

import nbformat

from helpers.classroom.progress import exercises, progress
from helpers.replay import notebooks


def saved_notebook(folder: Path, name: str, cells: list[tuple[str, str]]) -> None:
    """Write a notebook whose code cells have these sources and printed outputs."""
    nb = nbformat.v4.new_notebook()
    for source, printed in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed)] if printed else []
        nb.cells.append(cell)
    nbformat.write(nb, folder / name)


def test_each_exercise_state_is_read_from_its_saved_output(tmp_path: Path) -> None:
    saved_notebook(tmp_path, "01_a.ipynb", [('check("01.1", x)', "Exercise 01.1: PASS\n"),
                                            ('check("01.2", y)', "Exercise 01.2: not yet. Hint: more\n")])
    saved_notebook(tmp_path, "02_b.ipynb", [("check('02.1', z)", "Exercise 02.1: not tried yet. Replace...\n"),
                                            ('check("02.2", w)', "")])
    assert [(e.id, e.state) for e in exercises(tmp_path)] == [
        ("01.1", "pass"), ("01.2", "not yet"), ("02.1", "not tried"), ("02.2", "not run")]
    shown = progress(tmp_path)
    assert "1 of 4 exercises pass" in repr(shown)
    assert "| 01_a | 1/2 |" in shown._repr_markdown_()


def test_the_kit_as_shipped_has_every_exercise_untried() -> None:
    found = exercises()
    assert len(found) >= 2 * len(notebooks.kit_notebooks()) - 2
    assert {e.state for e in found} == {"not tried"}, [e for e in found if e.state != "not tried"]
