"""What a new user saw (issue 21): a warning from `-m helpers.classroom.models`, a stream too fast to Stop offline,
and notebook 04's legend outside the figure."""

from __future__ import annotations

import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree

import pytest

from helpers import Conversation, setup
from helpers.chat.streaming import stream_turn
from helpers.config import REPO_ROOT
from helpers.memory.costsim import Outcome, Turn
from helpers.memory.plots import plot_costs

SYSTEM = "You are a friendly tutor for people learning Python. Keep answers under 80 words."  # as in notebook 05


def test_the_models_check_runs_without_a_runtime_warning() -> None:
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "helpers.classroom.models"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert "RuntimeWarning" not in done.stderr and "model ids known" in done.stdout, done.stderr


def test_a_paced_replay_can_be_stopped_halfway(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVERSE_KIT_REPLAY_PACE", "0.05")
    setup("05_chat_widget")
    conv, pieces, started = Conversation(SYSTEM, max_tokens=300), [], time.monotonic()
    reply = stream_turn(conv, "What is a Python list?", on_text=pieces.append, stopped=lambda: time.monotonic() - started > 0.4)
    assert reply is not None and reply.stop_reason == "cut_off" and 0 < len(pieces) < 20, len(pieces)
    monkeypatch.setenv("CONVERSE_KIT_REPLAY_PACE", "0")
    started = time.monotonic()
    assert len(list(Conversation(SYSTEM, max_tokens=300).stream("What is a Python list?"))) > len(pieces)
    assert time.monotonic() - started < 2, "without the setting a replay is not slowed"


def test_the_legend_of_eight_lines_sits_inside_the_figure_and_it_scales() -> None:
    outcomes = [Outcome(f"strategy number {i}", [Turn(10 * t + i, 0, 0, 10 * t) for t in range(5)], 1.0, {}) for i in range(8)]
    root = ElementTree.fromstring(plot_costs(outcomes, "8 ways").svg)
    width, height = (float(v) for v in root.attrib["viewBox"].split()[2:])
    assert "max-width: 100%" in root.attrib["style"]
    labels = [t for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text and t.text.startswith("strategy number")]
    assert len(labels) == 8
    for label in labels:
        assert float(label.attrib["x"]) + 6.5 * len(label.text or "") <= width and float(label.attrib["y"]) + 24 <= height
