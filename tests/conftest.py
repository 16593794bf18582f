"""Test settings: replay mode with no key, for the unit tests and for the kernels nbval starts."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.gateway.ledger import Ledger
from helpers.replay import notebooks
from helpers.standin import StandIn

# Set at import time: kernels started by nbval inherit these (variables set in fixtures do not reach them).
# The notebooks run as a learner with no key runs them (replay, "no API key found"), whatever a developer's .env holds.
os.environ.update(notebooks.learner_environment(dict(os.environ)))
for _name in ("ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "CONVERSE_KIT_MODEL",
              "CONVERSE_KIT_RECORDINGS", "CONVERSE_KIT_CASSETTE", "CONVERSE_KIT_AUTHORED"):
    os.environ.pop(_name, None)
# Kept chats (helpers.chat.store) go to a folder of this session, never to the tester's ~/.converse-kit.
os.environ["CONVERSE_KIT_STORE"] = str(Path(tempfile.mkdtemp(prefix="converse-kit-store-")) / "chats.sqlite3")


def pytest_configure(config: pytest.Config) -> None:
    """Give this session a fresh hits log, where replayed requests note which recording they used."""
    handle, path = tempfile.mkstemp(prefix="converse-kit-hits-", suffix=".log")
    os.close(handle)
    os.environ["CONVERSE_KIT_HITS_LOG"] = path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly when the browser or hub tests did not run for want of a tool, and the command that enables them."""
    from chromium import NOT_FOUND
    from test_hub import ENABLE_HUB

    for test_file, what, how in (("test_browser.py", "browser", NOT_FOUND), ("test_hub.py", "class hub", ENABLE_HUB)):
        skipped = [report for report in terminalreporter.stats.get("skipped", []) if test_file in report.nodeid]
        if skipped:
            terminalreporter.write_sep("=", f"{what} tests not run", yellow=True)
            terminalreporter.write_line(f"{len(skipped)} {what} tests did not run. {how}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests marked run_last after everything else (they read the hits log)."""
    items.sort(key=lambda item: item.get_closest_marker("run_last") is not None)


@pytest.fixture(autouse=True)
def _own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test keeps its chats in its own tmp_path."""
    monkeypatch.setenv("CONVERSE_KIT_STORE", str(tmp_path / "store" / "chats.sqlite3"))


@pytest.fixture(autouse=True)
def _fresh_session() -> Iterator[None]:
    """Forget the active session between tests, so no test sees another's client."""
    import helpers.session

    helpers.session._active = None
    yield
    helpers.session._active = None


@pytest.fixture
def recordings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty recordings folder for one test."""
    folder = tmp_path / "recordings"
    monkeypatch.setenv("CONVERSE_KIT_RECORDINGS", str(folder))
    return folder


@pytest.fixture
def server() -> Iterator[StandIn]:
    """A local stand-in of the Messages API for one test, on 127.0.0.1."""
    with StandIn() as standin:
        yield standin


@pytest.fixture
def upstream() -> Iterator[StandIn]:
    """A stand-in as the class gateway's upstream (the gateway tests')."""
    with StandIn() as server:
        yield server


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    """A fresh class ledger (the gateway tests')."""
    return Ledger(tmp_path / "class.sqlite")
