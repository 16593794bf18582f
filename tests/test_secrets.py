"""No key and no Authorization header anywhere in what git tracks."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from helpers.config import REPO_ROOT

KEY = re.compile("sk-" + r"ant-[A-Za-z0-9_-]{20,}")
HEADER = re.compile(r'"(authorization|x-api-key)"\s*:\s*"(?!<redacted>)[^"]{8,}"', re.I)


def tracked_files() -> list[Path]:
    """The files git tracks, or every kit file when this is not a git checkout."""
    done = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, text=True)
    names = [n for n in done.stdout.split("\0") if n] if done.returncode == 0 else []
    if not names:
        names = [str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.rglob("*") if p.is_file() and ".git" not in p.parts]
    return [REPO_ROOT / name for name in names]


def secrets_in(paths: list[Path]) -> list[str]:
    """The files that hold something shaped like an API key or an auth header value."""
    found = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="ignore") if path.is_file() else ""
        if KEY.search(text) or HEADER.search(text):
            found.append(str(path))
    return found


def test_nothing_tracked_holds_a_key_or_an_auth_header() -> None:
    paths = tracked_files()
    assert any(p.suffix == ".ipynb" for p in paths) and any(p.suffix == ".json" for p in paths)
    assert secrets_in(paths) == []


def test_the_scan_catches_a_planted_key_and_header(tmp_path: Path) -> None:
    planted_key = tmp_path / "cell.ipynb"
    planted_key.write_text('{"outputs": ["' + "sk-" + "ant-api03-" + "A1b2C3d4" * 4 + '"]}')
    planted_header = tmp_path / "rec.json"
    planted_header.write_text('{"headers": {"Author' + 'ization": "Bearer abcdefghijklmnop"}}')
    clean = tmp_path / "clean.json"
    clean.write_text('{"headers": {"authorization": "<redacted>"}, "key": "sk-ant-..."}')
    assert secrets_in([planted_key, planted_header, clean]) == [str(planted_key), str(planted_header)]


def test_dotenv_is_ignored_by_git() -> None:
    done = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=REPO_ROOT)
    assert done.returncode == 0 or ".env" in (REPO_ROOT / ".gitignore").read_text().splitlines()
