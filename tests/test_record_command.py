"""The record command: refuses without a key; with one, records a script or notebook and replays it offline."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from kit import DUMMY_KEY

from helpers.replay import record
from helpers.standin import StandIn

SCRIPT = """from helpers import Conversation, setup
setup()
print(Conversation().send("hi from the script").text)
"""


def test_without_a_key_it_refuses_and_says_where_the_key_goes(
    tmp_path: Path, recordings: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("helpers.config.load_env_files", lambda: None)  # ignore a developer's own .env
    script = tmp_path / "tiny.py"
    script.write_text(SCRIPT)
    assert record.main([str(script)]) == 2
    said = capsys.readouterr().out
    assert ".env" in said and "ANTHROPIC_API_KEY" in said and "Nothing was recorded" in said
    assert not recordings.exists() or not list(recordings.rglob("*.json"))


def test_it_records_a_script_that_then_replays_offline(
    tmp_path: Path, recordings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "tiny.py"
    script.write_text(SCRIPT)
    with StandIn() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", DUMMY_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        assert record.main([str(script)]) == 0
    files = list((recordings / "tiny").glob("*.json"))
    assert len(files) == 1 and DUMMY_KEY not in files[0].read_text()
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_BASE_URL")
    from helpers.replay import notebooks

    done = notebooks.run_script(script, notebooks.environment(CONVERSE_KIT_MODE="replay", CONVERSE_KIT_CASSETTE="tiny"))
    assert done.returncode == 0 and "Stand-in reply to: hi from the script" in done.stdout


def test_it_records_a_notebook_and_stores_its_replay_outputs(
    tmp_path: Path, recordings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tiny.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SCRIPT.replace("script", "notebook"))])
    nbformat.write(nb, path)
    with StandIn() as server:
        monkeypatch.setenv("ANTHROPIC_API_KEY", DUMMY_KEY)
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        assert record.main([str(path)]) == 0
    text = "".join(out.get("text", "") for out in nbformat.read(path, as_version=4).cells[0].outputs)
    assert "Mode: replay" in text and "Stand-in reply to: hi from the notebook" in text
    assert json.loads(next((recordings / "tiny").glob("*.json")).read_text())["provenance"]["source"] == "local-server"


def test_a_failed_recording_keeps_the_old_recordings(tmp_path: Path, recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = recordings / "broken" / "old.json"
    old.parent.mkdir(parents=True)
    old.write_text("{}")
    script = tmp_path / "broken.py"
    script.write_text("raise SystemExit('this script fails')\n")
    monkeypatch.setenv("ANTHROPIC_API_KEY", DUMMY_KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    assert record.main([str(script)]) == 1
    assert old.read_text() == "{}"


def test_unknown_targets_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="give a notebook"):
        record.targets([str(tmp_path / "missing.txt")])


def test_every_error_a_notebook_shows_is_one_record_mode_keeps_for_it() -> None:
    import json

    from helpers.config import DEFAULT_RECORDINGS
    from helpers.replay.record import TAUGHT_ERRORS

    for path in DEFAULT_RECORDINGS.glob("*/*.json"):
        status = json.loads(path.read_text(encoding="utf-8"))["response"]["status"]
        if status >= 400:  # recording again drops an error answer unless the notebook is listed as teaching it
            assert str(status) in TAUGHT_ERRORS.get(path.parent.name, "").split(), f"{path.name}: add it to TAUGHT_ERRORS"
    assert all((DEFAULT_RECORDINGS.parent.parent / "notebooks" / f"{name}.ipynb").exists() for name in TAUGHT_ERRORS)
