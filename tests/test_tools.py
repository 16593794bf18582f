"""The tool loop helper, memory strategies over tool rounds, and the documented image token estimate."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest
from kit import stand_in_client

from helpers import Conversation
from helpers.config import REPO_ROOT
from helpers.memory import SlidingWindow, TokenBudget, estimate_request_tokens
from helpers.pictures import SAMPLE_IMAGE, flags, image_tokens, png, size_of
from helpers.standin import StandIn
from helpers.tools import run_tools, tool_spec


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


def broken(city: str) -> str:
    """Look up the weather (always fails)."""
    raise ConnectionError(f"no weather service for {city}")


def loop_reply(body: dict[str, Any]) -> Any:
    """Ask for a tool until a tool_result comes back, then answer with what it said."""
    last = body["messages"][-1]["content"]
    if isinstance(last, list) and last[0].get("type") == "tool_result":
        return f"Done: {last[0]['content']}" + (" (the tool failed)" if last[0].get("is_error") else "")
    name = "broken" if "weather" in str(last) else "add"
    return [{"type": "tool_use", "name": name, "input": {"city": "Oslo"} if name == "broken" else {"a": 2, "b": 3}}]


@pytest.fixture
def loop_server() -> Any:
    """A stand-in that runs a one-round tool loop."""
    with StandIn(reply=loop_reply) as server:
        yield server


def test_tool_spec_reads_the_function() -> None:
    spec = tool_spec(add)
    assert spec["name"] == "add" and spec["description"] == "Add two numbers."
    assert spec["input_schema"]["properties"] == {"a": {"type": "number"}, "b": {"type": "number"}}
    assert spec["input_schema"]["required"] == ["a", "b"]


def test_run_tools_loops_until_claude_is_done(loop_server: StandIn) -> None:
    conv, shown = Conversation(client=stand_in_client(loop_server.url)), []
    reply = run_tools(conv, "What is 2 + 3?", [add, broken], show=shown.append)
    assert reply.text == "Done: 5" and reply.stop_reason == "end_turn"
    assert [m["role"] for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    assert loop_server.requests[-1]["body"]["tools"] == [tool_spec(add), tool_spec(broken)]
    assert any("add(" in line and "-> 5" in line for line in shown)


def test_a_tool_that_raises_becomes_an_is_error_result(loop_server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(loop_server.url))
    reply = run_tools(conv, "What is the weather?", [add, broken], show=lambda _: None)
    result = conv.messages[2]["content"][0]  # type: ignore[index]
    assert result["is_error"] is True and "ConnectionError" in result["content"]
    assert reply.text.endswith("(the tool failed)")


@pytest.mark.parametrize("strategy", [SlidingWindow(1), TokenBudget(60)])
def test_no_strategy_splits_a_tool_round(loop_server: StandIn, strategy: Any) -> None:
    conv = Conversation(client=stand_in_client(loop_server.url), memory=strategy)
    for question in ("What is 2 + 3?", "And again, 2 + 3?"):
        run_tools(conv, question, [add], show=lambda _: None)
    sent = conv.request("Next")["messages"]
    assert sent[0]["role"] == "user" and isinstance(sent[0]["content"], str), "the window starts at a plain user turn"
    for i, message in enumerate(sent):
        if isinstance(message["content"], list) and message["content"][0].get("type") == "tool_result":
            assert sent[i - 1]["content"][0]["type"] == "tool_use"


def test_the_kits_image_is_a_real_png_and_costs_the_documented_estimate() -> None:
    data = flags()
    assert SAMPLE_IMAGE.read_bytes() == data, "data/flag.png is the image the kit makes (helpers.pictures.flags)"
    assert size_of(data) == (300, 200) and data.startswith(b"\x89PNG")
    assert image_tokens(1000, 1000) == 1334 and image_tokens(200, 200) == 54  # the docs' table: ~1334 and ~54
    assert image_tokens(3136, 3136) == image_tokens(1568, 1568), "scaled to the long-edge limit first"
    block = {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                         "data": base64.standard_b64encode(png([[(0, 0, 0)] * 750] * 750)).decode()}}
    body = {"messages": [{"role": "user", "content": [block, {"type": "text", "text": "What is it?"}]}]}
    text_only = {"messages": [{"role": "user", "content": [{"type": "text", "text": "What is it?"}]}]}
    assert estimate_request_tokens(body) - estimate_request_tokens(text_only) == 750


def test_a_cell_that_expects_a_tool_or_thinking_says_what_came_instead() -> None:
    from helpers.tools import expected_block

    plain = Conversation(messages=[{"role": "user", "content": "Umbrella for Oslo?"},
                                   {"role": "assistant", "content": "Probably: Oslo is often rainy."}])
    said: list[str] = []
    assert expected_block(plain, "tool_use", show=said.append) is None
    assert expected_block(plain, "thinking", show=said.append) is None
    assert len(said) == 2 and "no tool_use block" in said[0] and "no thinking block" in said[1] and "['text']" in said[0]
    asked = Conversation(messages=[{"role": "user", "content": "Umbrella for Oslo?"}, {"role": "assistant", "content": [
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}]}])
    block = expected_block(asked, "tool_use", show=said.append)
    assert block is not None and block["id"] == "toolu_1" and len(said) == 2


@pytest.mark.parametrize("name", ["06_content_blocks", "07_tools_and_thinking"])
def test_no_notebook_cell_indexes_a_block_the_model_may_not_send(name: str) -> None:
    cells = json.loads((REPO_ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert not re.search(r"tool_uses\([^)]*\)\)?\[0\]|\[\"content\"\]\[0\]", code), \
        "a cell takes the first tool_use or thinking block for granted: use helpers.tools.expected_block"


def test_a_tool_output_json_cannot_hold_becomes_text_and_every_tool_use_is_answered(loop_server: StandIn) -> None:
    import datetime
    from decimal import Decimal

    def add(a: float, b: float) -> Any:  # noqa: F811  (the same tool name, returning what json.dumps refuses)
        """Add two numbers."""
        return {"sum": Decimal("5.10"), "on": datetime.date(2026, 12, 1), "tags": {"b", "a"}}

    conv = Conversation(client=stand_in_client(loop_server.url))
    reply = run_tools(conv, "What is 2 + 3?", [add], show=lambda _: None)
    result = conv.messages[2]["content"][0]  # type: ignore[index]
    assert result["content"] == '{"sum": "5.10", "on": "2026-12-01", "tags": ["a", "b"]}' and "is_error" not in result
    assert reply.stop_reason == "end_turn" and conv.messages[-1]["role"] == "assistant"

    looped: dict[str, Any] = {}
    looped["self"] = looped

    def again(a: float, b: float) -> Any:
        """Add two numbers."""
        return looped

    again.__name__ = "add"
    conv = Conversation(client=stand_in_client(loop_server.url))
    run_tools(conv, "What is 2 + 3?", [again], show=lambda _: None)
    result = conv.messages[2]["content"][0]  # type: ignore[index]
    assert result["is_error"] is True and "ValueError" in result["content"], "an output that cannot be text: is_error"
