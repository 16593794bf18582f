"""How heavy a learner's install is: three fresh virtual environments side by side, their sizes and install times.

    python benchmarks/install_weight.py [--keep DIR]

minimal:        pip install jupyterlab anthropic python-dotenv ipywidgets   (the least a notebook kit could need)
learner:        pip install -r requirements.txt                              (the README's first command)
learner + test: pip install -r requirements-test.txt                         (the README's test command)

Each uses pip's configured package index, with pip's cache off so no environment profits from another.
Sizes are the environments' folders on disk. The last line is the target: the learner install at most 1.3x the minimal one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.3
INSTALLS = {
    "minimal": ["jupyterlab", "anthropic", "python-dotenv", "ipywidgets"],
    "learner": ["-r", "requirements.txt"],
    "learner + test": ["-r", "requirements-test.txt"],
}


def folder_size(folder: Path) -> int:
    """Bytes used by every file under a folder (symlinks not followed)."""
    return sum(path.lstat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def install(venv: Path, args: list[str]) -> tuple[float, int, int]:
    """Make a venv, install into it from the kit's folder; return seconds, bytes and the number of packages."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    env = {**os.environ, "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    start = time.perf_counter()
    done = subprocess.run([python, "-m", "pip", "install", "-q", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"pip install {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    listed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True)
    return seconds, folder_size(venv), len(listed.stdout.splitlines())


def main() -> int:
    """Create the three environments, print a table and the size ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="create the environments here and keep them (default: a temp folder)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="converse-kit-weight-"))
    results = {}
    print(f"{'install':<16}{'size':>10}{'time':>9}{'packages':>10}")
    for name, pip_args in INSTALLS.items():
        seconds, size, count = install(base / name.replace(" + ", "-"), pip_args)
        results[name] = size
        print(f"{name:<16}{size / 1e6:>7.0f} MB{seconds:>7.0f} s{count:>10}", flush=True)
    if not args.keep:
        subprocess.run(["rm", "-rf", str(base)], check=True)
    ratio = results["learner"] / results["minimal"]
    print(f"learner install / minimal install: size ratio {ratio:.2f} (target at most {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
