"""How much slower nbval runs over the kit's notebooks than over as many notebooks that only `import anthropic`.

    python benchmarks/suite_overhead.py [--repeats 3] [--notebooks N]

Both sides run in one go, alternating, in replay mode with no key; the ratio of the medians is printed
with the target (at most 1.3). `--notebooks N` times only the first N of the kit's notebooks (the CI check,
tests/test_benchmarks.py, uses a few, for time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.3


def baseline_notebooks(count: int, folder: Path) -> list[Path]:
    """Notebooks whose only cell imports anthropic: the floor any notebook pays."""
    paths = []
    for i in range(count):
        path = folder / f"baseline_{i:02d}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import anthropic")]), path)
        paths.append(path)
    return paths


def nbval_seconds(paths: list[Path]) -> float:
    """Wall time of one nbval run over these notebooks (raises if it fails)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ANTHROPIC_API_KEY", "CONVERSE_KIT_MODE")}
    # no key and no mode set: replay, as a learner gets it, so the stored status lines match
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "--nbval",
               "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "sanitize.cfg"), *map(str, paths)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"nbval failed:\n{done.stdout[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Time both sides, alternating, and print the ratio of medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--notebooks", type=int, default=None, help="only the first N of the kit's notebooks")
    args = parser.parse_args(argv)
    kit = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))[: args.notebooks]
    times: dict[str, list[float]] = {"kit": [], "baseline": []}
    with tempfile.TemporaryDirectory() as folder:
        sides = {"kit": kit, "baseline": baseline_notebooks(len(kit), Path(folder))}
        for _ in tqdm(range(args.repeats), desc="nbval runs (kit + baseline)", unit="round"):
            for name, paths in sides.items():
                times[name].append(nbval_seconds(paths))
    kit_s, base_s = statistics.median(times["kit"]), statistics.median(times["baseline"])
    ratio = kit_s / base_s
    print(f"\n{len(kit)} notebooks each side, {args.repeats} runs each, medians:")
    print(f"  kit notebooks          {kit_s:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['kit'])})")
    print(f"  'import anthropic' only {base_s:6.2f} s   (runs: {', '.join(f'{t:.2f}' for t in times['baseline'])})")
    print(f"  ratio {ratio:.2f} (target at most {TARGET}): {'PASS' if ratio <= TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
