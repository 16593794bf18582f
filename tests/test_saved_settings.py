"""A saved tool conversation keeps its tools and thinking settings, so its next turn goes out as the first ones did."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kit import stand_in_client

from helpers import Conversation
from helpers.errors import SavedConversationError
from helpers.standin import StandIn
from helpers.tools import run_tools, tool_spec


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def one_tool_round(body: dict[str, Any]) -> Any:
    """Ask for `add` once, then answer with the result."""
    last = body["messages"][-1]["content"]
    if isinstance(last, list) and last[0].get("type") == "tool_result":
        return f"Done: {last[0]['content']}"
    return [{"type": "tool_use", "name": "add", "input": {"a": 2, "b": 3}}]


def test_save_and_load_keep_tools_and_the_next_turn_sends_them(tmp_path: Path) -> None:
    with StandIn(reply=one_tool_round) as server:
        conv = Conversation(client=stand_in_client(server.url))
        run_tools(conv, "What is 2 + 3?", [add], show=lambda _: None)
        assert json.loads(conv.save(tmp_path / "tools.json").read_text())["tools"] == [tool_spec(add)]
        loaded = Conversation.load(tmp_path / "tools.json", client=stand_in_client(server.url))
        assert loaded.tools == [tool_spec(add)]
        loaded.send("And 4 + 4?")
        sent = server.requests[-1]["body"]
    assert sent["tools"] == [tool_spec(add)], "the history's tool blocks go out with their tools"


def test_save_and_load_keep_thinking(tmp_path: Path) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    with StandIn() as server:
        conv = Conversation(client=stand_in_client(server.url), max_tokens=2048, thinking=thinking)
        conv.send("Think about lists.")
        assert json.loads(conv.save(tmp_path / "thinking.json").read_text())["thinking"] == thinking
        loaded = Conversation.load(tmp_path / "thinking.json", client=stand_in_client(server.url))
        loaded.send("And tuples?")
        sent = server.requests[-1]["body"]
    assert loaded.thinking == thinking and sent["thinking"] == thinking


def test_a_file_saved_before_tools_were_kept_still_loads(tmp_path: Path) -> None:
    old = {"format": "converse-kit/conversation", "version": 1, "system": None, "model": "claude-haiku-4-5",
           "max_tokens": 20, "messages": [], "usage": {}}
    (tmp_path / "old.json").write_text(json.dumps(old))
    loaded = Conversation.load(tmp_path / "old.json")
    assert (loaded.tools, loaded.thinking) == (None, None)


@pytest.mark.parametrize(("field", "value"), [("tools", "add"), ("tools", [1]), ("thinking", "on")])
def test_bad_tools_or_thinking_in_a_file_get_a_clear_error(tmp_path: Path, field: str, value: Any) -> None:
    data = {"format": "converse-kit/conversation", "version": 1, "system": None, "model": "claude-haiku-4-5",
            "max_tokens": 20, "messages": [], "usage": {}, field: value}
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(SavedConversationError, match=f"not a valid saved conversation: {field}"):
        Conversation.load(tmp_path / "bad.json")
