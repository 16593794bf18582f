"""The model retirement guard: passes on the kit, fails on a planted deprecated or unknown id, warns at setup."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from helpers import setup
from helpers.classroom.models import check, deprecated_models, known_models, main, replacement
from helpers.config import REPO_ROOT


def kit_copy(tmp_path: Path) -> Path:
    """The notebooks, scripts and recordings of the kit, in a folder the test may change."""
    for part in ("notebooks", "scripts", "data/recordings"):
        shutil.copytree(REPO_ROOT / part, tmp_path / part)
    return tmp_path


def plant(root: Path, model: str) -> None:
    """Put a model id into a code cell of the first notebook."""
    path = sorted((root / "notebooks").glob("*.ipynb"))[0]
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                              "source": [f'chat = Conversation(model="{model}")']})
    path.write_text(json.dumps(notebook), encoding="utf-8")


def test_the_guard_passes_on_the_kit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "ok   claude-haiku-4-5" in out


def test_the_guard_fails_on_a_planted_deprecated_id_and_names_the_replacement(tmp_path: Path) -> None:
    old = sorted(deprecated_models())[0]
    root = kit_copy(tmp_path)
    plant(root, old)
    report, ok = check(root)
    assert not ok
    line = next(line for line in report.splitlines() if line.startswith(f"FAIL {old}:"))
    assert "deprecated" in line and f"use {replacement(old)} instead" in line and "notebooks/00_setup.ipynb" in line
    assert replacement(old) in known_models() and replacement(old) not in deprecated_models()


def test_the_guard_fails_on_an_id_the_sdk_does_not_know(tmp_path: Path) -> None:
    root = kit_copy(tmp_path)
    plant(root, "claude-haiku-0-1")
    report, ok = check(root)
    assert not ok and "FAIL claude-haiku-0-1: not known to the installed SDK" in report


def test_setup_warns_in_one_line_when_the_model_is_deprecated(monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    old = sorted(deprecated_models())[0]
    monkeypatch.setenv("CONVERSE_KIT_MODEL", old)
    setup("scratch")
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"Warning: {old} is deprecated")
    assert f"CONVERSE_KIT_MODEL={replacement(old)}" in lines[1]
    monkeypatch.delenv("CONVERSE_KIT_MODEL")
    setup("scratch")
    assert len(capsys.readouterr().out.strip().splitlines()) == 1
