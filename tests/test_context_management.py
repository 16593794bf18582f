"""The stand-in's context editing, compaction and cache diagnostics, one test per documented behaviour, read back through
the SDK's Beta types (client.beta.messages.create parses every reply into BetaMessage)."""

from __future__ import annotations

from typing import Any

import pytest
from kit import stand_in_client

from helpers.api.bill import estimate_request_tokens
from helpers.api.edits import PLACEHOLDER, after_compaction, edited
from helpers.standin import StandIn

MODEL = "claude-haiku-4-5"
COMPACTOR = "claude-sonnet-4-6"
TOOL = {"name": "lookup", "description": "Look a word up.", "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}
NOTE = {"name": "note", "description": "Read the pinned note.", "input_schema": {"type": "object", "properties": {}}}
BIG = "result " * 400  # a tool result of about 700 tokens


def tool_history(uses: int, name: str = "lookup") -> list[dict[str, Any]]:
    """A history of `uses` tool loops, each a call and its long result, ending with a user question."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Start."}]
    for i in range(uses):
        tool = name if i % 2 == 0 else "lookup"
        messages += [{"role": "assistant", "content": [{"type": "tool_use", "id": f"toolu_{i}", "name": tool, "input": {"q": f"w{i}"}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": f"{i} {BIG}"}]}]
    messages[-1]["content"].append({"type": "text", "text": "And now?"})
    return messages


def body(messages: list[dict[str, Any]], *edits: dict[str, Any], tools: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A request with these edits (compaction on a model that has it: the compaction page's supported models)."""
    compacts = any(edit.get("type") == "compact_20260112" for edit in edits)
    return {"model": COMPACTOR if compacts else MODEL, "max_tokens": 64, "tools": tools or [TOOL, NOTE], "messages": messages,
            "context_management": {"edits": list(edits)}}


def results(request: dict[str, Any]) -> list[str]:
    """Each tool result's content, in order."""
    return [str(b["content"]) for m in request["messages"] if isinstance(m["content"], list)
            for b in m["content"] if b.get("type") == "tool_result"]


def test_below_the_trigger_nothing_is_cleared() -> None:
    request = body(tool_history(5), {"type": "clear_tool_uses_20250919"})  # default trigger: 100,000 input tokens
    result = edited(request)
    assert result.applied == [] and result.body["messages"] == request["messages"]


def test_clearing_keeps_the_most_recent_uses_and_replaces_the_oldest_results() -> None:
    request = body(tool_history(6), {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 1000},
                                     "keep": {"type": "tool_uses", "value": 2}})
    result = edited(request)
    assert results(result.body) [:4] == [PLACEHOLDER] * 4 and all(BIG in r for r in results(result.body)[4:])
    applied = result.applied[0]
    assert applied["cleared_tool_uses"] == 4
    assert applied["cleared_input_tokens"] == estimate_request_tokens(request) - estimate_request_tokens(result.body) > 2000
    assert all(BIG in r for r in results(request))  # the client's history is not changed: the edit is server-side


def test_a_tool_uses_trigger_and_exclude_tools_spare_the_excluded_tool() -> None:
    request = body(tool_history(6, name="note"), {"type": "clear_tool_uses_20250919", "trigger": {"type": "tool_uses", "value": 6},
                                                  "keep": {"type": "tool_uses", "value": 1}, "exclude_tools": ["note"]})
    kept = results(edited(request).body)
    assert [BIG in r for r in kept] == [True, False, True, False, True, True]  # note (even) spared; last lookup kept
    assert edited({**request, "context_management": {"edits": [{**request["context_management"]["edits"][0],
                                                                 "trigger": {"type": "tool_uses", "value": 7}}]}}).applied == []


def test_clear_at_least_edits_nothing_when_too_little_would_go() -> None:
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 1000},
            "keep": {"type": "tool_uses", "value": 5}, "clear_at_least": {"type": "input_tokens", "value": 5000}}
    result = edited(body(tool_history(6), edit))
    assert result.applied == [] and all(BIG in r for r in results(result.body))


def test_clear_tool_inputs_clears_the_calls_too() -> None:
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 1}, "clear_tool_inputs": True,
            "keep": {"type": "tool_uses", "value": 0}}
    seen = edited(body(tool_history(2), edit)).body
    assert [b["input"] for m in seen["messages"] for b in m["content"] if isinstance(b, dict) and b.get("type") == "tool_use"] == [{}, {}]


def thinking_history(turns: int) -> list[dict[str, Any]]:
    """A history of `turns` exchanges, each assistant turn with a thinking block."""
    messages: list[dict[str, Any]] = []
    for i in range(turns):
        messages += [{"role": "user", "content": f"Question {i}."},
                     {"role": "assistant", "content": [{"type": "thinking", "thinking": f"Thought {i}", "signature": "s"},
                                                       {"type": "text", "text": f"Answer {i}."}]}]
    return [*messages, {"role": "user", "content": "Last."}]


@pytest.mark.parametrize(("keep", "cleared"), [(None, 2), ({"type": "thinking_turns", "value": 2}, 1), ("all", 0),
                                               ({"type": "all"}, 0)])
def test_clearing_thinking_keeps_the_last_turns_thinking(keep: Any, cleared: int) -> None:
    edit = {"type": "clear_thinking_20251015", **({"keep": keep} if keep is not None else {})}
    result = edited(body(thinking_history(3), edit))
    left = [b for m in result.body["messages"] if m["role"] == "assistant" for b in m["content"] if b["type"] == "thinking"]
    assert len(left) == 3 - cleared
    assert [a["cleared_thinking_turns"] for a in result.applied] == ([cleared] if cleared else [])


def test_the_stand_in_reports_applied_edits_and_clearing_costs_the_cache_reads() -> None:
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 5000}, "keep": {"type": "tool_uses", "value": 1}}
    cached = tool_history(8)  # above the 4,096-token minimum cacheable prefix of claude-haiku-4-5
    cached[-1]["content"][-1]["cache_control"] = {"type": "ephemeral"}
    with StandIn() as standin:
        client = stand_in_client(standin.url).beta.messages
        first = client.create(**body(cached, betas_free := {"type": "clear_tool_uses_20250919",
                                                           "trigger": {"type": "input_tokens", "value": 10**6}}),
                              betas=["context-management-2025-06-27"])
        again = client.create(**body(cached, betas_free), betas=["context-management-2025-06-27"])
        cleared = client.create(**body(cached, edit), betas=["context-management-2025-06-27"])
    assert first.context_management is not None and first.context_management.applied_edits == []
    assert again.usage.cache_read_input_tokens and again.usage.cache_read_input_tokens > 4000
    assert cleared.context_management is not None
    applied = cleared.context_management.applied_edits[0]
    assert applied.type == "clear_tool_uses_20250919" and applied.cleared_tool_uses == 7  # type: ignore[union-attr]
    assert (cleared.usage.cache_read_input_tokens or 0) < 1000  # the edited prefix is new: written, not read
    assert cleared.usage.input_tokens + (cleared.usage.cache_creation_input_tokens or 0) < 2000


def long_chat(turns: int) -> list[dict[str, Any]]:
    """A plain chat of `turns` long exchanges with a fact in the first user turn."""
    messages: list[dict[str, Any]] = []
    for i in range(turns):
        messages += [{"role": "user", "content": ("My name is Ana. " if i == 0 else "") + f"Turn {i}. " + "words " * 300},
                     {"role": "assistant", "content": f"Reply {i}. " + "words " * 300}]
    return [*messages, {"role": "user", "content": "What is my name?"}]


def compact(trigger: int, pause: bool = False) -> dict[str, Any]:
    """A compact_20260112 edit."""
    return {"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": trigger}, "pause_after_compaction": pause}


def test_compaction_returns_its_block_first_and_its_usage_apart_from_the_top_level() -> None:
    request = body(long_chat(70), compact(50_000), tools=[TOOL])
    with StandIn(reply=lambda _: "You are Ana.") as standin:
        reply = stand_in_client(standin.url).beta.messages.create(**request, betas=["compact-2026-01-12"])
        below = stand_in_client(standin.url).beta.messages.create(**{**request, "context_management": {"edits": [compact(10**6)]}},
                                                                 betas=["compact-2026-01-12"])
    block = reply.content[0]
    assert block.type == "compaction" and block.content and "My name is Ana." in block.content and block.signature
    assert reply.content[1].type == "text" and reply.stop_reason == "end_turn"
    assert reply.usage.iterations is not None
    compaction, message = reply.usage.iterations
    assert compaction.type == "compaction" and compaction.input_tokens >= 50_000
    assert message.type == "message" and reply.usage.input_tokens == message.input_tokens < compaction.input_tokens
    assert below.content[0].type == "text" and below.usage.iterations is None


def test_pause_after_compaction_returns_the_block_alone_with_stop_reason_compaction() -> None:
    with StandIn(reply=lambda _: "You are Ana.") as standin:
        reply = stand_in_client(standin.url).beta.messages.create(**body(long_chat(70), compact(50_000, pause=True), tools=[TOOL]),
                                                                 betas=["compact-2026-01-12"])
    assert [b.type for b in reply.content] == ["compaction"] and reply.stop_reason == "compaction"


def test_the_next_request_drops_everything_before_the_compaction_block() -> None:
    messages = long_chat(70)  # about 63,000 tokens: past the least trigger of 50,000
    with StandIn(reply=lambda _: "You are Ana.") as standin:
        client = stand_in_client(standin.url).beta.messages
        reply = client.create(**body(messages, compact(50_000), tools=[TOOL]), betas=["compact-2026-01-12"])
        later = [*messages, {"role": "assistant", "content": [b.to_dict() for b in reply.content]},
                 {"role": "user", "content": "And the plan?"}]
        after = client.create(**body(later, compact(10**6), tools=[TOOL]), betas=["compact-2026-01-12"])
    seen = after_compaction(later)
    assert seen[0]["content"][0]["type"] == "compaction" and len(seen) == 2
    assert after.usage.input_tokens < 1000 < estimate_request_tokens({"messages": later})


def test_cache_diagnostics_name_the_three_common_misses() -> None:
    base = {"model": MODEL, "max_tokens": 64, "system": "You help. " * 2000, "tools": [TOOL],
            "messages": [{"role": "user", "content": "Hi"}]}
    with StandIn() as standin:
        client = stand_in_client(standin.url).beta.messages
        first = client.create(**base, diagnostics={"previous_message_id": None}, betas=["cache-diagnosis-2026-04-07"])
        assert first.diagnostics is None

        def reason(**change: Any) -> str | None:
            reply = client.create(**{**base, **change}, diagnostics={"previous_message_id": first.id},
                                  betas=["cache-diagnosis-2026-04-07"])
            return reply.diagnostics.cache_miss_reason.type if reply.diagnostics and reply.diagnostics.cache_miss_reason else None

        assert reason(system="It is 10:42. " + base["system"]) == "system_changed"  # a timestamp in the system prompt
        assert reason(tools=[TOOL, NOTE]) == "tools_changed"
        assert reason(messages=[{"role": "user", "content": "Hello"}]) == "messages_changed"  # an edited earlier turn
        assert reason(messages=[*base["messages"], {"role": "assistant", "content": "Hi!"},
                                {"role": "user", "content": "More"}]) is None  # only appended: no miss
        assert reason(speed="fast") == "model_changed"  # CacheMissModelChanged: 'model or speed'
        assert reason(tool_choice={"type": "any"}) == "unavailable"  # CacheMissUnavailable: tool_choice or thinking
        assert reason(thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=2048) == "unavailable"
        unknown = client.create(**base, diagnostics={"previous_message_id": "msg_unknown"}, betas=["cache-diagnosis-2026-04-07"])
        assert unknown.diagnostics and unknown.diagnostics.cache_miss_reason
        assert unknown.diagnostics.cache_miss_reason.type == "previous_message_not_found"


def test_the_benchmark_rungs_carry_the_compaction_block_and_write_each_fact_to_memory_once() -> None:
    from helpers.memory.costsim import load_script, simulate
    from helpers.memory.rungs import MemoryTool, ServerEdits

    script = load_script(load_script.__defaults__[0].parent / "tool_chat.json")  # type: ignore[index]
    compaction = ServerEdits([{"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 9000}}], "c")
    rows = simulate(compaction, script)
    assert compaction.block is not None and max(r.sent for r in rows) < 9000 + 2000  # compacted, never far above the trigger
    assert compaction.summarizer.read > 9000  # each compaction's own input is billed
    memory = MemoryTool(10, script.facts)
    simulate(memory, script)
    assert memory.memory == script.facts  # written once each, in the order they were stated


def test_without_keep_the_three_most_recent_uses_keep_their_results() -> None:
    request = body(tool_history(6), {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 1000}})
    assert [BIG in r for r in results(edited(request).body)] == [False, False, False, True, True, True]  # keep: 3 by default


def test_clear_tool_inputs_with_a_list_clears_only_the_named_tools_calls() -> None:
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 1}, "clear_tool_inputs": ["note"],
            "keep": {"type": "tool_uses", "value": 0}}
    seen = edited(body(tool_history(2, name="note"), edit)).body
    inputs = [(b["name"], b["input"]) for m in seen["messages"] for b in m["content"] if isinstance(b, dict) and b.get("type") == "tool_use"]
    assert inputs == [("note", {}), ("lookup", {"q": "w1"})]


def test_compaction_waits_for_its_default_trigger_of_150000_input_tokens() -> None:
    request = body(long_chat(70), {"type": "compact_20260112"}, tools=[TOOL])  # about 63,000 tokens: below the default
    assert edited(request).compaction is None
    assert edited({**request, "context_management": {"edits": [compact(50_000)]}}).compaction is not None


def test_after_a_clearing_the_next_turn_reads_the_newly_cached_prefix() -> None:
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 5000}, "keep": {"type": "tool_uses", "value": 7}}
    history = tool_history(14)  # 7 results kept: above the 4,096-token minimum cacheable prefix
    with StandIn(reply=lambda _: "Done.") as standin:
        client = stand_in_client(standin.url).beta.messages
        cleared = client.create(**body(history, edit), cache_control={"type": "ephemeral"}, betas=["context-management-2025-06-27"])
        later = [*history, {"role": "assistant", "content": "Done."}, {"role": "user", "content": "And the next?"}]
        again = client.create(**body(later, edit), cache_control={"type": "ephemeral"}, betas=["context-management-2025-06-27"])
    assert cleared.usage.cache_read_input_tokens == 0 and (cleared.usage.cache_creation_input_tokens or 0) > 0
    assert again.context_management is not None and again.context_management.applied_edits[0].cleared_tool_uses == 7  # type: ignore[union-attr]
    # docs: "subsequent requests can reuse the newly cached prefix"
    assert again.usage.cache_read_input_tokens == cleared.usage.cache_creation_input_tokens
