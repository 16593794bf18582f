"""Refresh constraints.txt, the class's pinned versions: `python tools/refresh_constraints.py`.

Installs requirements-test.txt (which includes the learner's requirements.txt) into a throwaway virtual
environment with the pins ignored, so pip picks today's newest compatible releases, then writes every
installed version to constraints.txt. Run the tests afterwards, and commit the new file only if they pass.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = ("requirements.txt", "requirements-test.txt")
HEADER = """\
# The pinned versions a class installs: both requirements files use it (-c constraints.txt).
# Written by `python tools/refresh_constraints.py`; tests/test_dependencies.py checks every direct dependency is here.
"""


def unpinned_copies(folder: Path) -> Path:
    """Copies of the requirement files without their `-c` lines (and `-e .` pointing at the kit); returns the test file."""
    for name in FILES:
        lines = [line for line in (ROOT / name).read_text().splitlines() if not line.startswith("-c ")]
        text = "\n".join(f"-e {ROOT}" if line.strip() == "-e ." else line for line in lines)
        (folder / name).write_text(text + "\n")
    return folder / "requirements-test.txt"


def main() -> int:
    """Install without pins into a fresh environment and write what was installed."""
    with tempfile.TemporaryDirectory(prefix="converse-kit-lock-") as temp:
        folder = Path(temp)
        subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)
        pip = [str(folder / "venv" / "bin" / "python"), "-m", "pip"]
        subprocess.run([*pip, "install", "-q", "-r", str(unpinned_copies(folder))], check=True)
        frozen = subprocess.run([*pip, "freeze", "--exclude-editable"], check=True, capture_output=True, text=True).stdout
    pins = sorted((line for line in frozen.splitlines() if "==" in line), key=str.lower)
    (ROOT / "constraints.txt").write_text(HEADER + "\n".join(pins) + "\n")
    print(f"constraints.txt: {len(pins)} pinned packages. Now run the tests: python -m pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
