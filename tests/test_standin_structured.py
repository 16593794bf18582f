"""Structured outputs on the stand-in: replies to output_config.format are JSON valid against the schema, strict tool
inputs valid against the tool's input_schema, and an authored reply that breaks either fails loudly for its author."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kit import stand_in_client
from pydantic import BaseModel

from helpers import Conversation
from helpers.api.bill import estimate_request_tokens, format_tokens
from helpers.api.rulebook import UnsendableHistoryError
from helpers.api.rules_structured import counts
from helpers.memory import request_blocks
from helpers.replay import record
from helpers.standin import StandIn
from helpers.standin.structured import AUTHORING, sample

SCHEMA = {"type": "object", "properties": {"fruits": {"type": "array", "items": {"type": "string"}},
                                           "count": {"type": "integer"}, "note": {"type": "string"}},
          "required": ["fruits", "count"], "additionalProperties": False}
FORMAT = {"format": {"type": "json_schema", "schema": SCHEMA}}
ASK = [{"role": "user", "content": "List three fruits."}]
TOOL = {"name": "get_weather", "description": "The weather in a city.", "strict": True,
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"},
                                                          "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                         "required": ["city", "unit"], "additionalProperties": False}}


def create(server: StandIn, **extra: Any) -> anthropic.types.Message:
    """One plain SDK request to the stand-in, without retries."""
    return stand_in_client(server.url).messages.create(  # type: ignore[call-overload, no-any-return]
        **{"model": "claude-haiku-4-5", "max_tokens": 300, "messages": ASK, **extra})


def test_the_stand_in_s_own_reply_to_a_format_request_is_json_valid_against_the_schema(server: StandIn) -> None:
    message = create(server, output_config=FORMAT)
    jsonschema.validate(json.loads(message.content[0].text), SCHEMA)
    assert message.stop_reason == "end_turn"


def test_the_sdk_parse_helper_reads_the_reply_into_its_type(server: StandIn) -> None:
    class Fruits(BaseModel):
        fruits: list[str]
        count: int

    parsed = stand_in_client(server.url).messages.parse(model="claude-haiku-4-5", max_tokens=300, messages=ASK,
                                                        output_format=Fruits)  # type: ignore[arg-type]
    assert isinstance(parsed.parsed_output, Fruits)
    assert server.requests[-1]["body"]["output_config"]["format"]["type"] == "json_schema"


@pytest.mark.parametrize("reply", ["Here are three fruits: apple, pear, plum.", '{"fruits": ["apple"]}',
                                   '{"fruits": ["apple"], "count": "one"}', '{"fruits": [], "count": 1, "colour": "red"}'])
def test_an_authored_reply_that_does_not_fit_the_schema_fails_loudly_once(reply: str) -> None:
    with StandIn(reply=lambda body: reply) as server:
        client = stand_in_client(server.url, retries=2)
        with pytest.raises(anthropic.InternalServerError) as caught:
            client.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=ASK, output_config=FORMAT)  # type: ignore[arg-type]
    assert AUTHORING in str(caught.value) and "output_config.format" in str(caught.value)
    assert len(server.requests) == 1 and len(server.authoring_errors) == 1  # x-should-retry: false, no retries


def test_a_fitting_authored_reply_passes_and_the_documented_exceptions_are_left_alone() -> None:
    replies = {"fits": '{"fruits": ["apple", "pear", "plum"], "count": 3}', "refusal":
               {"content": [{"type": "text", "text": "I can't help with that."}], "stop_reason": "refusal"}}
    with StandIn(reply=lambda body: replies.get(body["messages"][-1]["content"], '{"fruits": ["apple", "pe')) as server:
        assert create(server, messages=[{"role": "user", "content": "fits"}], output_config=FORMAT).stop_reason == "end_turn"
        assert create(server, messages=[{"role": "user", "content": "refusal"}], output_config=FORMAT).stop_reason == "refusal"
        cut = create(server, messages=[{"role": "user", "content": "cut"}], output_config=FORMAT, max_tokens=3)
        assert cut.stop_reason == "max_tokens"  # the docs: a reply cut at max_tokens may not match the schema
    assert server.authoring_errors == []


def test_strict_tool_inputs_follow_the_input_schema(server: StandIn) -> None:
    call = next(b for b in create(server, tools=[TOOL]).content if b.type == "tool_use")
    jsonschema.validate(call.input, TOOL["input_schema"])  # type: ignore[arg-type]
    wrong = [{"type": "tool_use", "name": "get_weather", "input": {"city": "Oslo", "unit": "kelvin"}}]
    with StandIn(reply=lambda body: wrong) as strict:
        with pytest.raises(anthropic.InternalServerError, match="strict tool 'get_weather'"):
            create(strict, tools=[TOOL])
        loose = {**TOOL, "strict": False}
        assert create(strict, tools=[loose]).stop_reason == "tool_use"  # a tool without strict is not held to it


@settings(max_examples=40, deadline=None)
@given(st.recursive(st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {"type": "null"},
                                     {"enum": ["a", "b"]}, {"const": 3}, {"type": ["string", "null"]}]),
                    lambda inner: st.one_of(
                        st.builds(lambda items: {"type": "array", "items": items}, inner),
                        st.dictionaries(st.sampled_from("abcde"), inner, max_size=4).map(
                            lambda props: {"type": "object", "properties": props, "required": sorted(props)[:2],
                                           "additionalProperties": False})), max_leaves=8))
def test_the_sample_value_is_valid_against_any_supported_schema(schema: dict[str, Any]) -> None:
    jsonschema.validate(sample(schema), schema)


def test_the_kit_refuses_prefill_and_unsupported_schemas_with_a_format_before_sending() -> None:
    with pytest.raises(UnsendableHistoryError, match="already makes the whole reply JSON"):
        Conversation(options={"output_config": FORMAT}).request("List fruits.", prefill="{")
    limited = {**SCHEMA, "properties": {**SCHEMA["properties"], "count": {"type": "integer", "maximum": 5}}}
    with pytest.raises(UnsendableHistoryError, match="'maximum' is not supported"):
        Conversation(options={"output_config": {"format": {"type": "json_schema", "schema": limited}}}).request("Go")
    with pytest.raises(UnsendableHistoryError, match="'maxLength' is not supported"):
        Conversation(tools=[{**TOOL, "input_schema": {**TOOL["input_schema"], "properties": {  # type: ignore[dict-item]
            "city": {"type": "string", "maxLength": 20}}}}]).request("Go")
    assert counts({"output_config": FORMAT, "tools": [TOOL, {**TOOL, "strict": False}]}) == \
        {"strict_tools": 1, "optional_parameters": 1, "union_parameters": 0}


def test_the_format_is_billed_and_a_new_format_is_a_new_cache_prefix() -> None:
    body = {"model": "claude-haiku-4-5", "max_tokens": 300, "messages": ASK}
    with_format = {**body, "output_config": FORMAT}
    assert format_tokens(body) == 0 < format_tokens(with_format)
    assert estimate_request_tokens(with_format) == estimate_request_tokens(body) + format_tokens(with_format)
    other = {**body, "output_config": {"format": {"type": "json_schema", "schema": {**SCHEMA, "required": ["count"]}}}}
    assert request_blocks(with_format)[0].key != request_blocks(other)[0].key != request_blocks(body)[0].key


def test_the_record_command_reports_an_authored_reply_that_does_not_fit(
    tmp_path: Path, recordings: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    authored = tmp_path / "authored"
    authored.mkdir()
    entry = {"user": "List fruits as JSON.", "knows": ["fruits"], "reply": "apple, pear and plum"}
    (authored / "tiny.json").write_text(json.dumps({"replies": [entry]}))
    script = tmp_path / "tiny.py"
    script.write_text("from helpers import Conversation, setup\nsetup()\n"
                      f"Conversation(options={{'output_config': {FORMAT!r}}}).send('List fruits as JSON.')\n")
    monkeypatch.setattr(record, "AUTHORED_REPLIES", authored)
    assert record.main(["--authored", str(script)]) == 1
    said = capsys.readouterr().err
    assert "FAILED authored reply does not fit its request: output_config.format: its text is not JSON" in said
    assert not (recordings / "tiny").exists()  # nothing recorded from a reply the API could not give
