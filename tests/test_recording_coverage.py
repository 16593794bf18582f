"""Every request the notebooks and scripts make has a recording, and no recording is orphaned.

It runs after every other test (marker run_last), so it can read which recordings the notebooks used
under nbval in this same session; notebooks that nbval did not run here are executed now.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers.config import CASSETTE_VAR, DEFAULT_RECORDINGS, HITS_LOG_VAR, MODE_VAR
from helpers.replay import notebooks
from helpers.replay.recordings import RecordingStore


def run_scripts(log: Path) -> None:
    """Run each example script in replay mode; each must finish and label its replies."""
    for script in notebooks.kit_scripts():
        env = notebooks.environment(**{MODE_VAR: "replay", HITS_LOG_VAR: str(log), CASSETTE_VAR: None})
        done = notebooks.run_script(script, env)
        assert done.returncode == 0, f"{script.name} failed offline:\n{done.stdout}\n{done.stderr}"
        assert "authored sample" in done.stdout or "recorded from the live API" in done.stdout
        start, first_reply = done.stdout.find("user: I want to start"), done.stdout.find("Claude:")
        assert 0 <= start < first_reply, f"{script.name} should print its starting history before the first reply"


def run_missing_notebooks(session: pytest.Session, log: Path) -> None:
    """Execute, in replay mode, the notebooks that nbval did not run in this session."""
    ran = {Path(str(item.fspath)).resolve() for item in session.items if str(item.fspath).endswith(".ipynb")}
    for notebook in notebooks.kit_notebooks():
        if notebook.resolve() not in ran:
            notebooks.execute(notebook, notebooks.environment(**{MODE_VAR: "replay", HITS_LOG_VAR: str(log)}))


@pytest.mark.run_last
def test_every_recording_is_used_and_every_request_recorded(request: pytest.FixtureRequest) -> None:
    log = Path(os.environ[HITS_LOG_VAR])
    run_missing_notebooks(request.session, log)
    run_scripts(log)
    used = set(log.read_text().split())
    store = RecordingStore(DEFAULT_RECORDINGS)
    orphans = [str(path.relative_to(DEFAULT_RECORDINGS)) for path in store.files() if store.load(path).key not in used]
    assert not orphans, (
        "These recordings are used by no notebook or script (delete them, or re-record with "
        "python -m helpers.replay.record):\n" + "\n".join(orphans)
    )
    assert used, "no recording was used at all: the notebooks and scripts made no replayed request"
