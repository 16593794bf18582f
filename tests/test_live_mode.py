"""Every notebook and script also runs top to bottom in live mode, against a local stand-in of the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kit import client, live_environment

from helpers import Conversation
from helpers.answers import STANDIN_VIA
from helpers.replay import notebooks
from helpers.standin import StandIn
from helpers.wire import LIVE_LABEL

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
        assert "live reply" in done.stdout and LIVE_LABEL not in done.stdout
        assert STANDIN_VIA in done.stdout, "a reply from the stand-in is labelled an authored sample"
    else:
        nb = notebooks.execute(path, env)  # raises on any unexpected error output
        shown = [out.get("text", "") or "".join((out.get("data") or {}).get(kind, "") for kind in ("text/plain", "text/markdown"))
                 for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
        text = "".join(map(str, shown))
        assert "Mode: live" in text
        assert LIVE_LABEL not in text, "no reply from the stand-in is labelled as the API's"
    assert len(server.requests) > before, "live mode made no request to the server"


def test_a_reply_from_the_stand_in_says_it_is_an_authored_sample(server: StandIn, tmp_path: Path) -> None:
    """Live mode pointed at the stand-in (the facilitator guide's projector demo) is not the API: its label says so."""
    conversation = Conversation(client=client("live", tmp_path, server.url), max_tokens=40)
    reply = conversation.send("Hello")
    assert reply.source == f"live reply through {STANDIN_VIA}"
    assert "authored sample" in reply.footer() and LIVE_LABEL not in reply.footer()
