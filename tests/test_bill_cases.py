"""The bill's formulas on small inputs worked out by hand (4 characters a token, 4 tokens of framing a message, the
tool-use system prompt by tool_choice), and which thinking counts as input (test_bill.py checks them through the stand-in)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

import helpers.api.bill as bill
from helpers.api import bill_media
from helpers.api.bill import (
    estimate_request_tokens,
    estimate_tokens,
    media_tokens,
    message_tokens,
    output_tokens,
    request_units,
    system_tokens,
    thinking_counted,
    thread_turn_tokens,
    tool_tokens,
)

TOOL = {"name": "add", "description": "Add.", "input_schema": {"type": "object"}}
THINKING = {"type": "thinking", "thinking": "Let me think about this.", "signature": "s"}


def test_text_is_about_four_characters_a_token_and_never_zero_unless_empty() -> None:
    assert [estimate_tokens(text) for text in ("", "a", "abcdefgh", "abcdefghi", "abcdefghij", "a" * 14)] == [0, 1, 2, 2, 2, 4]


def test_a_message_is_its_text_as_json_its_media_and_four_tokens_of_framing() -> None:
    assert message_tokens({"role": "user", "content": "abcdefghij"}) == 2 + 4  # the text itself, not its JSON quotes
    assert message_tokens({"role": "user"}) == 4
    blocks = ["plain", {"type": "text", "text": "abcd"}]
    assert message_tokens({"role": "user", "content": blocks}) == estimate_tokens(json.dumps(blocks)) + 4
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
    one = media_tokens(image)
    assert one is not None and one > 1
    assert message_tokens({"role": "user", "content": [image, image]}) == 2 * one + estimate_tokens("[]") + 4
    document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "a" * 40}}
    assert media_tokens(document) == bill_media.media_tokens(document, estimate_tokens) == 10


def test_tools_cost_their_definitions_plus_the_tool_use_prompt_of_the_choice() -> None:
    defined = estimate_tokens(json.dumps([TOOL]))
    assert tool_tokens({}) == 0 and tool_tokens({"tools": []}) == 0
    assert tool_tokens({"tools": [TOOL]}) == defined + 530
    assert tool_tokens({"tools": [TOOL], "tool_choice": {"type": "any"}}) == defined + 340
    assert tool_tokens({"tools": [TOOL], "tool_choice": {"type": "someday"}}) == defined + 530  # unknown: as auto


def test_the_system_prompt_is_billed_as_json() -> None:
    assert system_tokens("abcdefghij") == 3  # '"abcdefghij"': 12 characters
    assert system_tokens(None) == system_tokens("") == 1
    assert system_tokens([{"type": "text", "text": "Hi"}]) == estimate_tokens(json.dumps([{"type": "text", "text": "Hi"}]))


def test_a_request_is_its_tools_with_its_system_then_each_message() -> None:
    hi = {"role": "user", "content": "abcdefghij"}
    assert request_units({"model": "m"}) == [1]
    assert request_units({"model": "m", "tools": [TOOL], "system": "abcdefghij", "messages": [hi]}) == [
        tool_tokens({"tools": [TOOL]}) + 3, 6]
    assert estimate_request_tokens({"messages": [hi, hi]}) == 1 + 6 + 6
    assert thread_turn_tokens({"model": "m"}, [hi]) == 1 + 6
    assert thread_turn_tokens({"model": "m", "messages": [hi]}, [hi]) == 1 + 6 + 6


def test_only_the_thinking_of_the_turn_still_answering_its_tools_is_input() -> None:
    question = {"role": "user", "content": [{"type": "text", "text": "q"}]}
    answer = {"role": "assistant", "content": [THINKING, {"type": "text", "text": "a"}]}
    result = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t", "content": "5"}]}
    assert thinking_counted([question, answer, question]) == [False, False, False]
    assert thinking_counted([question, answer]) == [False, True]
    assert thinking_counted([question, answer, result, answer]) == [False, True, True, True]
    assert thinking_counted([answer, result]) == [True, True]  # no turn of yours: all of it is the current loop
    assert thinking_counted([{"role": "assistant", "content": [{"type": "tool_result"}]}, question]) == [False, False]


def test_a_model_that_keeps_earlier_thinking_counts_all_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    question, answer = {"role": "user", "content": "q"}, {"role": "assistant", "content": [THINKING]}
    body: dict[str, Any] = {"model": "claude-keeps", "messages": [question, answer, question]}
    before = estimate_request_tokens(body)
    monkeypatch.setattr(bill, "KEEPS_EARLIER_THINKING", SimpleNamespace(value={"claude-keeps": True}))
    assert thinking_counted(body["messages"], "claude-keeps") == [True, True, True]
    assert thinking_counted(body["messages"], "claude-other") == [False, False, False]
    assert estimate_request_tokens(body) > before
    monkeypatch.setattr(bill, "EARLIER_THINKING_COUNTED", SimpleNamespace(value=True))
    assert thinking_counted(body["messages"]) == [True, True, True]


def test_output_is_the_text_the_tool_inputs_and_the_thinking() -> None:
    assert output_tokens([{"type": "text", "text": "abcdefgh"}]) == 2
    assert output_tokens([{"type": "text", "text": ""}, {"type": "text", "text": "abcd"}]) == 1
    assert output_tokens([{"type": "tool_use", "id": "t", "name": "weather", "input": {"city": "Paris"}}]) == \
        estimate_tokens(json.dumps({"city": "Paris"}))
    assert output_tokens([THINKING, "not a block"]) == estimate_tokens(THINKING["thinking"])
