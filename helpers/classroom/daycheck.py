"""The day-before check: `python -m helpers.classroom.daycheck [path ...]` runs every notebook and script offline.

Each one runs top to bottom in replay mode (no key, no network, whatever `.env` says), with a progress
bar; then a table gives each one's result and time. The exit code is 1 if any failed.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from ..config import MODE_VAR, REPO_ROOT
from ..replay import notebooks


@dataclass(frozen=True)
class Result:
    """How one notebook or script did."""

    name: str
    ok: bool
    seconds: float
    detail: str = ""


def offline_environment() -> dict[str, str]:
    """This environment forced into replay mode, with no key and no other server."""
    return notebooks.environment(**{MODE_VAR: "replay", "ANTHROPIC_API_KEY": None, "ANTHROPIC_BASE_URL": None,
                                    "CONVERSE_KIT_HITS_LOG": None})


def run_one(path: Path) -> Result:
    """Run one notebook or script offline and time it; a failure keeps its first line of explanation."""
    started = time.monotonic()
    try:
        if path.suffix == ".ipynb":
            notebooks.execute(path, offline_environment())
        else:
            done = notebooks.run_script(path, offline_environment())
            if done.returncode != 0:
                raise RuntimeError((done.stderr.strip() or done.stdout.strip() or "failed").splitlines()[-1])
    except Exception as error:  # noqa: BLE001 - any failure is reported in the table, not raised
        lines = [line for line in str(error).splitlines() if line.strip()]
        return Result(path.name, False, time.monotonic() - started, (lines[-1] if lines else type(error).__name__)[:120])
    return Result(path.name, True, time.monotonic() - started)


def table(results: list[Result]) -> str:
    """The per-notebook table: name, PASS or FAIL, seconds, and why for a failure."""
    width = max(len(r.name) for r in results)
    lines = [f"{'notebook or script':{width}}  result  seconds", f"{'-' * width}  ------  -------"]
    for r in results:
        lines.append(f"{r.name:{width}}  {'PASS' if r.ok else 'FAIL':6}  {r.seconds:7.1f}" + (f"  {r.detail}" if r.detail else ""))
    passed = sum(r.ok for r in results)
    lines.append(f"\n{passed} of {len(results)} passed offline in {sum(r.seconds for r in results):.0f} s.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run everything (or the paths given), print the table, and exit 1 on any failure."""
    names = sys.argv[1:] if argv is None else argv
    paths = [Path(n).resolve() for n in names] or notebooks.kit_notebooks() + notebooks.kit_scripts()
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"Not found: {', '.join(missing)}. Give notebooks or scripts of the kit, or nothing for all of them.")
        return 2
    results = []
    with tqdm(paths, desc="day-before check", unit="notebook") as progress:
        for path in progress:
            progress.set_postfix_str(path.name)
            results.append(run_one(path))
    print(table(results))
    if not all(r.ok for r in results):
        print(f"Run a failing notebook in JupyterLab to see the error in full (from {REPO_ROOT}).")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
