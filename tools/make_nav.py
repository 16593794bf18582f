"""Generate each notebook's navigation cell, the README's contents table and its map of the helpers.

    python tools/make_nav.py          # rewrite what is stale
    python tools/make_nav.py --check  # change nothing; exit 1 and list what is stale
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- contents:start -->", "<!-- contents:end -->"
MAP_START, MAP_END = "<!-- helpers:start -->", "<!-- helpers:end -->"
NAV_TAG = "navigation"


def title_and_subtitle(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """The H1 and the `> ` subtitle of a notebook's first cell."""
    lines = nb.cells[0].source.splitlines()
    title = next((line[2:].strip() for line in lines if line.startswith("# ")), "")
    subtitle = next((line[2:].strip() for line in lines if line.startswith("> ")), "")
    return title, subtitle


def nav_source(paths: list[Path], index: int) -> str:
    """The navigation line of the notebook at `index`: previous | contents | next."""
    parts = [f"[< {paths[index - 1].stem}]({paths[index - 1].name})"] if index > 0 else []
    parts.append("[Contents](../README.md#contents)")
    if index + 1 < len(paths):
        parts.append(f"[{paths[index + 1].stem} >]({paths[index + 1].name})")
    return " | ".join(parts)


def with_nav(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """The notebook with its last cell set to the navigation cell (appended if missing)."""
    cell = nbformat.v4.new_markdown_cell(source)
    cell.id, cell.metadata = "navigation", {"tags": [NAV_TAG]}
    if nb.cells and NAV_TAG in nb.cells[-1].metadata.get("tags", []):
        nb.cells[-1] = cell
    else:
        nb.cells.append(cell)
    return nb


def contents_table(paths: list[Path]) -> str:
    """The README's contents table."""
    rows = ["| # | Notebook | What you learn |", "|---|---|---|"]
    for path in paths:
        title, subtitle = title_and_subtitle(nbformat.read(path, as_version=4))
        rows.append(f"| {path.name[:2]} | [{title}](notebooks/{path.name}) | {subtitle} |")
    return "\n".join(rows)


def with_block(readme: str, table: str, start: str = START, end: str = END) -> str:
    """The README text with the block between `start` and `end` replaced."""
    if start not in readme or end not in readme:
        raise ValueError(f"README.md needs a block between {start} and {end}.")
    head, rest = readme.split(start, 1)
    return f"{head}{start}\n{table}\n{end}{rest.split(end, 1)[1]}"


def first_sentence(init: Path) -> str:
    """The first sentence of a package's docstring, after its title up to the colon."""
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    return " ".join(doc.split("\n\n")[0].split()).split(": ", 1)[-1].split(". ")[0].rstrip(".")


def helpers_map(package: Path) -> str:
    """The README's map of the helpers: the core, then one row a wing, with the modules inside."""
    rows = ["| where | modules | what it holds |", "|---|---|---|"]
    core = sorted(p.stem for p in package.glob("*.py") if p.stem != "__init__")
    rows.append(f"| `helpers/` (core) | {', '.join(f'`{m}`' for m in core)} | {first_sentence(package / '__init__.py')} |")
    for wing in sorted(p.parent for p in package.glob("*/__init__.py")):
        modules = sorted(p.stem for p in wing.glob("*.py") if not p.stem.startswith("__"))
        rows.append(f"| `helpers/{wing.name}/` | {', '.join(f'`{m}`' for m in modules)} | {first_sentence(wing / '__init__.py')} |")
    return "\n".join(rows)


def planned(notebooks: Path, readme: Path) -> dict[Path, str]:
    """Every file's wanted content."""
    paths = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    wanted = {p: nbformat.writes(with_nav(nbformat.read(p, as_version=4), nav_source(paths, i))) + "\n"
              for i, p in enumerate(paths)}
    text = with_block(readme.read_text(encoding="utf-8"), contents_table(paths))
    wanted[readme] = with_block(text, helpers_map(ROOT / "helpers"), MAP_START, MAP_END)
    return wanted


def stale(notebooks: Path = ROOT / "notebooks", readme: Path = ROOT / "README.md") -> list[Path]:
    """The files whose navigation or contents are out of date."""
    return [path for path, text in planned(notebooks, readme).items() if path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    """Rewrite stale files, or with --check list them and exit 1."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is stale")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    wanted = planned(args.notebooks, args.readme)
    out_of_date = [p for p, text in wanted.items() if p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in out_of_date:
            print(f"stale: {path.name} (run: python tools/make_nav.py)")
        return 1 if out_of_date else 0
    for path in out_of_date:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"updated {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
