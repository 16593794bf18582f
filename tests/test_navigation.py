"""Navigation cells and the README's contents are generated, and must be current."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import nbformat

from helpers.config import REPO_ROOT


def load_make_nav() -> ModuleType:
    """Import tools/make_nav.py by path (tools is not a package)."""
    spec = importlib.util.spec_from_file_location("make_nav", REPO_ROOT / "tools" / "make_nav.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_nav = load_make_nav()


def copy_kit(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the notebooks folder and README to change freely."""
    shutil.copytree(REPO_ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copy(REPO_ROOT / "README.md", tmp_path / "README.md")
    return tmp_path / "notebooks", tmp_path / "README.md"


def test_repo_navigation_and_contents_are_current() -> None:
    assert make_nav.stale() == [], "navigation or README contents are stale: run python tools/make_nav.py"


def test_every_h1_matches_its_file_name() -> None:
    for path in sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        title, subtitle = make_nav.title_and_subtitle(nbformat.read(path, as_version=4))
        assert title == path.stem, f"{path.name}: H1 is {title!r}"
        assert subtitle, f"{path.name}: the first cell needs a '> ' subtitle line"


def test_check_fails_on_a_stale_nav_cell_and_regeneration_fixes_it(tmp_path: Path) -> None:
    notebooks, readme = copy_kit(tmp_path)
    first = sorted(notebooks.glob("*.ipynb"))[0]
    nb = nbformat.read(first, as_version=4)
    nb.cells[-1].source = "old navigation"
    nbformat.write(nb, first)
    assert make_nav.stale(notebooks, readme) == [first]
    assert make_nav.main(["--check", "--notebooks", str(notebooks), "--readme", str(readme)]) == 1
    assert make_nav.main(["--notebooks", str(notebooks), "--readme", str(readme)]) == 0
    assert make_nav.stale(notebooks, readme) == []


def test_a_new_notebook_without_a_readme_row_is_stale(tmp_path: Path) -> None:
    notebooks, readme = copy_kit(tmp_path)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 99_extra\n> An extra notebook.")])
    nbformat.write(nb, notebooks / "99_extra.ipynb")
    assert readme in make_nav.stale(notebooks, readme)
    make_nav.main(["--notebooks", str(notebooks), "--readme", str(readme)])
    assert "[99_extra](notebooks/99_extra.ipynb) | An extra notebook." in readme.read_text()


def test_first_has_no_previous_and_last_has_no_next(tmp_path: Path) -> None:
    paths = [tmp_path / "00_a.ipynb", tmp_path / "01_b.ipynb", tmp_path / "02_c.ipynb"]
    assert make_nav.nav_source(paths, 0) == "[Contents](../README.md#contents) | [01_b >](01_b.ipynb)"
    assert make_nav.nav_source(paths, 2) == "[< 01_b](01_b.ipynb) | [Contents](../README.md#contents)"
    assert "[< 00_a]" in make_nav.nav_source(paths, 1) and "[02_c >]" in make_nav.nav_source(paths, 1)


def test_a_readme_without_the_contents_block_is_an_error(tmp_path: Path) -> None:
    notebooks, readme = copy_kit(tmp_path)
    readme.write_text("# no contents block here\n")
    try:
        make_nav.stale(notebooks, readme)
    except ValueError as error:
        assert "contents:start" in str(error)
    else:
        raise AssertionError("a README without a contents block was accepted")
