"""The stand-in honours tool_choice, disable_parallel_tool_use and thinking display as the SDK's types and the docs say
(helpers/standin/choices.py); a sample the API could never send is refused loudly for its author."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from kit import stand_in_client

from helpers.api.rulebook import UnsendableHistoryError
from helpers.api_facts import TOOL_USE_COUNTS
from helpers.conversation import Conversation
from helpers.standin import StandIn
from helpers.thinking import capability_rows, thinking_for

WEATHER = {"name": "get_weather", "description": "Today's weather in a city.",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
CONVERT = {"name": "convert", "description": "Convert euros.",
           "input_schema": {"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]}}
TWO_CALLS = [{"type": "text", "text": "Checking both."},
             {"type": "tool_use", "name": "get_weather", "input": {"city": "Oslo"}},
             {"type": "tool_use", "name": "get_weather", "input": {"city": "Lisbon"}}]
ASK = [{"role": "user", "content": "Oslo or Lisbon today?"}]


def send(reply: Any, **args: Any) -> anthropic.types.Message:
    """One request to a stand-in that answers with `reply`."""
    with StandIn(reply=lambda body: reply) as server:
        body = {"model": "claude-haiku-4-5", "max_tokens": 200, "messages": ASK, "tools": [WEATHER, CONVERT], **args}
        return stand_in_client(server.url).messages.create(**body)


def kinds(message: anthropic.types.Message) -> list[str]:
    """The block types of a reply."""
    return [block.type for block in message.content]


def test_by_default_a_reply_may_call_several_tools() -> None:
    assert kinds(send(TWO_CALLS)) == ["text", "tool_use", "tool_use"]


@pytest.mark.parametrize("kind", ["auto", "any", "tool"])
def test_two_calls_under_disable_parallel_tool_use_are_refused_loudly(kind: str) -> None:
    choice = {"type": kind, "disable_parallel_tool_use": True, **({"name": "get_weather"} if kind == "tool" else {})}
    with pytest.raises(anthropic.InternalServerError) as caught:
        send(TWO_CALLS, tool_choice=choice)
    assert "impossible" in str(caught.value) and "at most 1 tool_use" in str(caught.value)


def test_one_call_under_disable_parallel_tool_use_is_served() -> None:
    reply = send(TWO_CALLS[:2], tool_choice={"type": "auto", "disable_parallel_tool_use": True})
    assert kinds(reply) == ["text", "tool_use"] and reply.stop_reason == "tool_use"


def test_tool_choice_none_never_answers_with_a_tool_use() -> None:
    with pytest.raises(anthropic.InternalServerError, match="at most 0 tool_use"):
        send(TWO_CALLS[:2], tool_choice={"type": "none"})
    assert kinds(send("No tools today.", tool_choice={"type": "none"})) == ["text"]
    with StandIn() as server:  # the stand-in's own default reply calls no tool under none
        body = {"model": "claude-haiku-4-5", "max_tokens": 200, "messages": ASK, "tools": [WEATHER]}
        reply = stand_in_client(server.url).messages.create(**body, tool_choice={"type": "none"})
    assert kinds(reply) == ["text"] and reply.stop_reason == "end_turn"


@pytest.mark.parametrize(("choice", "name"), [({"type": "any"}, "get_weather"),
                                               ({"type": "tool", "name": "convert"}, "convert")])
def test_any_and_tool_always_answer_with_a_tool_use(choice: dict[str, str], name: str) -> None:
    reply = send("I'd rather just talk.", tool_choice=choice)  # a model that would not call: the call comes anyway
    uses = [block for block in reply.content if block.type == "tool_use"]
    assert reply.stop_reason == "tool_use" and [use.name for use in uses] == [name] and uses[0].id.startswith("toolu_")


def test_tool_choice_tool_refuses_a_call_of_another_tool() -> None:
    with pytest.raises(anthropic.InternalServerError, match="forces the tool 'convert'"):
        send(TWO_CALLS[:2], tool_choice={"type": "tool", "name": "convert"})


THINKING_REPLY = [{"type": "thinking", "thinking": "Oslo rains more."}, {"type": "text", "text": "Lisbon."}]


def test_adaptive_thinking_returns_a_signed_thinking_block() -> None:
    reply = send(THINKING_REPLY, model="claude-sonnet-4-6", max_tokens=2000, thinking={"type": "adaptive"},
                 output_config={"effort": "low"})
    assert kinds(reply) == ["thinking", "text"] and reply.content[0].thinking == "Oslo rains more."
    assert reply.content[0].signature


@pytest.mark.parametrize(("model", "display", "shown"), [("claude-sonnet-4-6", "summarized", True),
                                                          ("claude-sonnet-4-6", "omitted", False),
                                                          ("claude-sonnet-4-6", None, True),
                                                          ("claude-opus-4-7", None, False)])
def test_display_omitted_leaves_the_text_out_keeps_the_signature_and_bills_it_all(model: str, display: str | None,
                                                                                  shown: bool) -> None:
    thinking: dict[str, Any] = {"type": "adaptive", **({"display": display} if display else {})}
    reply = send(THINKING_REPLY, model=model, max_tokens=2000, thinking=thinking)
    full = send(THINKING_REPLY, model=model, max_tokens=2000, thinking={"type": "adaptive", "display": "summarized"})
    block = reply.content[0]
    assert block.type == "thinking" and (block.thinking == "Oslo rains more.") is shown and block.signature
    assert reply.usage.output_tokens == full.usage.output_tokens  # billed for the full thinking either way


def test_an_omitted_thinking_block_goes_back_with_its_signature_in_a_tool_loop() -> None:
    with StandIn(reply=lambda body: [{"type": "thinking", "thinking": "Check first."}, TWO_CALLS[1]]
                 if len(body["messages"]) == 1 else "Rain in Oslo.") as server:
        conv = Conversation(model="claude-sonnet-4-6", tools=[WEATHER], max_tokens=2000, client=stand_in_client(server.url),
                            thinking={"type": "adaptive", "display": "omitted"})
        conv.send("Umbrella in Oslo?")
        kept = conv.messages[-1]["content"][0]
        assert isinstance(kept, dict) and kept["thinking"] == "" and kept["signature"]
        use = conv.messages[-1]["content"][1]
        assert isinstance(use, dict)
        assert conv.send([{"type": "tool_result", "tool_use_id": use["id"], "content": "Rain"}]).text == "Rain in Oslo."
        assert server.requests[-1]["body"]["messages"][1]["content"][0] == kept  # sent back as it came


def test_a_forged_omitted_signature_is_refused() -> None:
    with StandIn(reply=lambda body: "Fine.") as server:
        forged = {"type": "thinking", "thinking": "", "signature": "standin-sig-omitted-short"}
        body = {"model": "claude-sonnet-4-6", "max_tokens": 2000, "thinking": {"type": "adaptive"},
                "messages": [*ASK, {"role": "assistant", "content": [forged, {"type": "text", "text": "Lisbon."}]},
                             {"role": "user", "content": "Why?"}]}
        with pytest.raises(anthropic.BadRequestError, match="Invalid `signature`"):
            stand_in_client(server.url).messages.create(**body)


def test_the_kit_chooses_adaptive_with_effort_or_a_budget_from_the_models_data() -> None:
    assert thinking_for("claude-sonnet-4-6", "high") == ({"type": "adaptive"}, {"output_config": {"effort": "high"}})
    assert thinking_for("claude-opus-4-7", "low", "omitted")[0] == {"type": "adaptive", "display": "omitted"}
    assert thinking_for("claude-haiku-4-5") == ({"type": "enabled", "budget_tokens": 2048}, {})  # no effort on Haiku 4.5
    rows = {row["model"]: row for row in capability_rows(["claude-haiku-4-5", "claude-opus-4-7"])}
    assert rows["claude-opus-4-7"]["thinking"] == "adaptive" and "max" in rows["claude-opus-4-7"]["effort"]
    assert rows["claude-haiku-4-5"] == {"model": "claude-haiku-4-5", "thinking": "enabled", "effort": "none"}


def test_the_kit_refuses_a_budget_on_adaptive_thinking_and_an_unknown_display() -> None:
    conv = Conversation(model="claude-sonnet-4-6", max_tokens=4000, thinking={"type": "adaptive", "budget_tokens": 2048})
    with pytest.raises(UnsendableHistoryError, match="budget_tokens: Extra inputs"):
        conv.request("Hi")
    conv.thinking = {"type": "adaptive", "display": "full"}
    with pytest.raises(UnsendableHistoryError, match="'summarized' or 'omitted'"):
        conv.request("Hi")


def test_an_omitted_thinking_block_streams_only_its_signature() -> None:
    with StandIn(reply=lambda body: THINKING_REPLY) as server:
        body = {"model": "claude-opus-4-7", "max_tokens": 2000, "messages": ASK, "thinking": {"type": "adaptive"}}
        with stand_in_client(server.url).messages.stream(**body) as stream:
            deltas = [event.delta.type for event in stream if event.type == "content_block_delta" and event.index == 0]
            final = stream.get_final_message()
    assert deltas == ["signature_delta"] and final.content[0].thinking == "" and final.content[0].signature


CALLS = [{"type": "tool_use", "name": "get_weather", "input": {"city": city}} for city in ("Oslo", "Lisbon", "Rome")]


@pytest.mark.parametrize(("kind", "single"), [(k, s) for k, s in TOOL_USE_COUNTS.value])
@pytest.mark.parametrize("calls", [0, 1, 2, 3])
def test_every_entry_of_the_tool_use_counts_is_what_the_stand_in_serves(kind: str, single: bool, calls: int) -> None:
    fewest, most = TOOL_USE_COUNTS.value[(kind, single)]
    choice = {"type": kind, **({"name": "get_weather"} if kind == "tool" else {}),
              **({"disable_parallel_tool_use": True} if single else {})}
    reply = [{"type": "text", "text": "Here."}, *CALLS[:calls]]
    if most is not None and calls > most:
        with pytest.raises(anthropic.InternalServerError, match="impossible"):
            send(reply, tool_choice=choice)
        return
    served = [block for block in send(reply, tool_choice=choice).content if block.type == "tool_use"]
    assert len(served) == max(calls, fewest) and (most is None or len(served) <= most)
