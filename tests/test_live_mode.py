"""Every notebook and script also runs top to bottom in live mode, against a local stand-in of the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kit import live_environment

from helpers.replay import notebooks
from helpers.standin import StandIn

TARGETS = notebooks.kit_notebooks() + notebooks.kit_scripts()


@pytest.fixture(scope="module")
def server() -> Iterator[StandIn]:
    """One stand-in for the module."""
    with StandIn() as standin:
        yield standin


@pytest.mark.parametrize("path", TARGETS, ids=[p.name for p in TARGETS])
def test_runs_live_against_a_local_server(path: Path, server: StandIn, tmp_path: Path) -> None:
    env = live_environment(server.url)
    before = len(server.requests)
    if path.suffix == ".py":
        done = notebooks.run_script(path, env)
        assert done.returncode == 0, done.stderr
        assert "live reply" in done.stdout
    else:
        nb = notebooks.execute(path, env)  # raises on any unexpected error output
        text = "".join(str(out.get("text", "")) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
        assert "Mode: live" in text
    assert len(server.requests) > before, "live mode made no request to the server"
