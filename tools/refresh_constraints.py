"""Refresh constraints.txt, the class's pinned versions: `python tools/refresh_constraints.py`.

Resolves requirements-test.txt (which includes the learner's requirements.txt) and the kit's own dependencies with
the pins ignored, so pip picks today's newest compatible releases, for the OLDEST Python the kit supports
(`requires-python` in pyproject.toml): a pin that needs a newer Python (soupsieve 4.1.3 needs 3.11.5; Debian 12 ships
3.11.2) would make the install fail on a learner's machine. Writes every resolved version to constraints.txt.
Run the tests afterwards, and commit the new file only if they pass.
"""

from __future__ import annotations

import json
import re
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


def oldest_python() -> str:
    """The oldest Python the kit supports, from pyproject.toml's requires-python (e.g. `3.11`)."""
    found = re.search(r'^requires-python = ">=([0-9.]+)"', (ROOT / "pyproject.toml").read_text(), flags=re.M)
    assert found, "pyproject.toml needs requires-python = \">=X.Y\""
    return found[1]


def unpinned(folder: Path) -> Path:
    """One requirements file: every direct dependency (the files' and pyproject's), without pins or options."""
    lines = [line for name in FILES for line in (ROOT / name).read_text().splitlines()
             if line.strip() and not line.startswith(("#", "-"))]
    block = re.search(r"^dependencies = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), flags=re.S | re.M)
    assert block, "pyproject.toml has no dependencies list"
    lines += re.findall(r'"([^"]+)"', block[1])
    (folder / "requirements.txt").write_text("\n".join(lines) + "\n")
    return folder / "requirements.txt"


def main() -> int:
    """Resolve without pins for the oldest supported Python, and write what pip chose."""
    python = oldest_python()
    with tempfile.TemporaryDirectory(prefix="converse-kit-lock-") as temp:
        folder = Path(temp)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--dry-run", "--ignore-installed",
                        "--report", str(folder / "report.json"), "--python-version", python, "--only-binary=:all:",
                        "--target", str(folder / "target"), "-r", str(unpinned(folder))], check=True)
        report = json.loads((folder / "report.json").read_text())
    pins = sorted((f"{item['metadata']['name']}=={item['metadata']['version']}" for item in report["install"]), key=str.lower)
    (ROOT / "constraints.txt").write_text(HEADER + "\n".join(pins) + "\n")
    print(f"constraints.txt: {len(pins)} pinned packages, resolved for Python {python}. Now run the tests: python -m pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
