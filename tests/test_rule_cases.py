"""Each rule of the rulebook on requests written out by hand: what it finds (the API's words, the place it names) and
what it lets through, at its edges. The walk in test_rulebook.py compares a rule with itself (the stand-in answers with
the rule's own text), so a wrong index, a garbled message or an off-by-one limit would pass there; here it fails."""

from __future__ import annotations

from typing import Any

import pytest

from helpers.api.rulebook import Request, by_name, check_request, rules

HI = {"role": "user", "content": "Hi"}
SYS = {"role": "system", "content": "Be brief."}


def say(text: Any, who: str = "assistant") -> dict[str, Any]:
    """One message."""
    return {"role": who, "content": text}


def body(*messages: Any, **fields: Any) -> dict[str, Any]:
    """A request body: haiku 4.5, max_tokens 64, these messages, and any other fields."""
    return {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": list(messages), **fields}


def found(name: str, request: Any, betas: tuple[str, ...] = ()) -> str | None:
    """What one rule finds in a request body."""
    return by_name(name).find(Request(request, betas=betas))


GOOD = [
    body(HI),
    body(HI, say("Hello"), HI),
    body(HI, say("{"), model="claude-haiku-4-5"),
    body(HI, say("Hello"), say("And?", "user"), max_tokens=1),
    {"model": "claude-opus-4-8", "max_tokens": 64, "messages": [HI, SYS, say("Hello")]},
]


@pytest.mark.parametrize("request_body", GOOD)
def test_a_request_that_keeps_every_rule_passes_every_rule(request_body: dict[str, Any]) -> None:
    kit_rules = {"kit.two_roles"} if request_body["model"] == "claude-opus-4-8" else set()
    assert [r.name for r in rules() if r.find(Request(request_body)) and r.name not in kit_rules] == []


TURN_CASES = [
    ("shape.required", ["Hi"], "The request body must be a JSON object."),
    ("shape.required", {"messages": [HI], "max_tokens": 64}, "model: Field required"),
    ("shape.required", {"model": "m"}, "messages: Field required"),
    ("shape.required", {"model": "m", "messages": [HI]}, "max_tokens: Field required"),
    ("shape.max_tokens", body(HI, max_tokens=-1), "max_tokens: Input should be greater than or equal to 0"),
    ("shape.max_tokens", body(HI, max_tokens=True), "max_tokens: Input should be greater than or equal to 0"),
    ("shape.max_tokens", body(HI, max_tokens="64"), "max_tokens: Input should be greater than or equal to 0"),
    ("shape.max_tokens", body(HI, max_tokens=0), None),
    ("kit.max_tokens", body(HI, max_tokens=0), "max_tokens must be a whole number of at least 1 here, not 0."),
    ("kit.max_tokens", body(HI, max_tokens=1), None),
    ("shape.messages", body(), "messages: at least one message is required"),
    ("shape.messages", body() | {"messages": "Hi"}, "messages: at least one message is required"),
    ("shape.messages", body(*[HI] * 100_000), None),
    ("shape.messages", body(*[HI] * 100_001), "messages: a request may hold at most 100,000 messages, found 100,001"),
    ("shape.message", body(HI, {"role": "user"}),
     "messages.1: each message needs a role and content, like {'role': 'user', 'content': 'Hi'}"),
    ("shape.message", body("Hi"), "messages.0: each message needs a role and content, like {'role': 'user', 'content': 'Hi'}"),
    ("shape.message", body({"content": "Hi"}),
     "messages.0: each message needs a role and content, like {'role': 'user', 'content': 'Hi'}"),
    ("shape.message", body(HI | {"name": "x", "id": "y"}), "messages.0.id: Extra inputs are not permitted"),
    ("shape.message", body(HI, say("Hi", "tool")), "messages.1.role: Input should be 'user', 'assistant' or 'system'"),
    ("shape.message", body(HI, SYS, say("Hi")), None),
    ("shape.message", body(say(5, "user")),
     "messages.0.content: Input should be a valid string or a list of content blocks with a type"),
    ("shape.message", body(say([{"text": "Hi"}], "user")),
     "messages.0.content: Input should be a valid string or a list of content blocks with a type"),
    ("shape.message", body(say(["Hi"], "user")),
     "messages.0.content: Input should be a valid string or a list of content blocks with a type"),
    ("shape.message", body(say([{"type": "text", "text": "Hi"}], "user")), None),
    ("content.empty", body(say("", "user")),
     "messages.0: all messages must have non-empty content except for the optional final assistant message"),
    ("content.empty", body(HI, say(""), HI),
     "messages.1: all messages must have non-empty content except for the optional final assistant message"),
    ("content.empty", body(say(""), HI),
     "messages.0: all messages must have non-empty content except for the optional final assistant message"),
    ("content.empty", body(HI, say("Hello"), say([], "user")),
     "messages.2: all messages must have non-empty content except for the optional final assistant message"),
    ("content.empty", body(HI, say("")), None),
    ("content.empty", body(HI, say([])), None),
    ("content.blank_text", body(say(" \n", "user")), "messages.0: text content blocks must contain non-whitespace text"),
    ("content.blank_text", body(HI, say([{"type": "text", "text": "\t"}])),
     "messages.1: text content blocks must contain non-whitespace text"),
    ("content.blank_text", body(say([{"type": "text", "text": "Hi"}, {"type": "text"}], "user")),
     "messages.0: text content blocks must contain non-whitespace text"),
    ("content.blank_text", body(say("", "user")), None),
    ("content.blank_text", body(say([{"type": "image"}, {"type": "text", "text": " a "}], "user")), None),
    ("kit.first_user", body(say("Hello"), HI), "The history starts with an assistant turn."),
    ("kit.first_user", body(), None),
    ("kit.first_user", body(HI, say("Hello")), None),
    ("kit.two_roles", body(HI, say("Hello"), HI, SYS, SYS), "Message 3 has role 'system'."),
    ("kit.two_roles", body(HI, say("Hello")), None),
    ("kit.alternating", body(HI, say("Hello"), say("Hm")), "Messages 1 and 2 are both 'assistant' turns."),
    ("kit.alternating", body(HI, HI), "Messages 0 and 1 are both 'user' turns."),
    ("kit.alternating", body(HI, SYS, SYS, say("Hello")), None),
    ("kit.alternating", body(HI, say("Hello"), HI), None),
    ("system.model", body(HI, say("Hello"), HI, SYS), "messages.3: role 'system' is not supported on this model"),
    ("system.model", body(HI, SYS, model="claude-opus-4-8"), None),
    ("system.model", body(HI, SYS, model="claude-someday-9"), None),  # unverified: the API answers
    ("system.model", body(HI, say("Hello")), None),
    ("system.placement", body(SYS, HI), "messages.0: a system message must come right after a user turn"),
    ("system.placement", body(HI, say("Hello"), SYS), "messages.2: a system message must come right after a user turn"),
    ("system.placement", body(HI, SYS, say("Hello")), None),
    ("prefill.model", body(HI, say("{"), model="claude-sonnet-4-6"),
     "This model does not support assistant message prefill. The conversation must end with a user message."),
    ("prefill.model", body(HI, say("Hello"), HI, model="claude-sonnet-4-6"), None),
    ("prefill.model", body(HI, say("{"), model="claude-someday-9"), None),  # unverified: the API answers
    ("prefill.model", body(HI, say("{")), None),
    ("prefill.whitespace", body(HI, say("Here: ")), "final assistant content cannot end with trailing whitespace"),
    ("prefill.whitespace", body(HI, say([{"type": "text", "text": "A"}, {"type": "text", "text": "list\n"}])),
     "final assistant content cannot end with trailing whitespace"),
    ("prefill.whitespace", body(HI, say([{"type": "text", "text": "A "}, {"type": "text", "text": "list"}])), None),
    ("prefill.whitespace", body(HI, say("Here:")), None),
    ("prefill.whitespace", body(HI, say("Hello"), HI, say("Here: ")), "final assistant content cannot end with trailing whitespace"),
    ("prefill.whitespace", body(HI, say([{"type": "text", "text": "Here "}, {"type": "text"}])),
     "final assistant content cannot end with trailing whitespace"),  # a text block without text adds nothing
    ("prefill.whitespace", body(say("Hi "), HI), None),  # an earlier assistant turn is not prefill
    ("prefill.thinking", body(HI, say("{"), thinking={"type": "enabled", "budget_tokens": 1024}),
     "Prefilling the assistant response is not supported when thinking is enabled."),
    ("prefill.thinking", body(HI, say("{"), thinking={"type": "adaptive"}),
     "Prefilling the assistant response is not supported when thinking is enabled."),
    ("prefill.thinking", body(HI, say("{"), thinking={"type": "disabled"}), None),
    ("prefill.thinking", body(HI, thinking={"type": "adaptive"}), None),
]


@pytest.mark.parametrize(("name", "request_body", "expected"), TURN_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(TURN_CASES)])
def test_each_turn_rule_finds_what_it_says_in_the_api_s_words(name: str, request_body: Any, expected: str | None) -> None:
    assert found(name, request_body) == expected


def test_a_refusal_is_the_rule_s_advice_and_a_kit_rule_names_what_it_found() -> None:
    with pytest.raises(ValueError) as caught:
        check_request(body(HI, HI))
    assert str(caught.value) == ("Messages 0 and 1 are both 'user' turns. The kit keeps turns alternating (its own rule; "
                                 "the API would combine them into one turn): merge the two or add the missing turn.")
    with pytest.raises(ValueError) as caught:
        check_request(body(HI, say("Here: ")))
    assert str(caught.value) == ("Remove the space or newline at the end of prefill=...: the reply continues right after "
                                 "your text. (The API answers 400: 'final assistant content cannot end with trailing "
                                 "whitespace'. Nothing was sent.)")


TOOL = {"name": "add", "description": "Add two numbers.", "input_schema": {"type": "object", "properties": {}}}
USE = {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {}}
USE2 = USE | {"id": "toolu_2"}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "5"}
RESULT2 = RESULT | {"tool_use_id": "toolu_2"}
SIGNED = {"type": "thinking", "thinking": "2 + 3 is 5.", "signature": "sig"}
THINK = {"type": "enabled", "budget_tokens": 1024}
LOOP = (HI, say([USE]), say([RESULT], "user"))
INTERLEAVED = ("interleaved-thinking-2025-05-14",)
MARK = {"cache_control": {"type": "ephemeral"}}


def marked(count: int) -> list[dict[str, Any]]:
    """A system prompt of `count` text blocks, each with a cache breakpoint."""
    return [{"type": "text", "text": f"Part {n}.", **MARK} for n in range(count)]


BLOCK_CASES = [
    ("thinking.budget_minimum", body(HI, max_tokens=4096, thinking=THINK | {"budget_tokens": 1023}),
     "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"),
    ("thinking.budget_minimum", body(HI, max_tokens=4096, thinking={"type": "enabled"}),
     "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"),
    ("thinking.budget_minimum", body(HI, max_tokens=4096, thinking=THINK), None),
    ("thinking.budget_minimum", body(HI, thinking={"type": "adaptive", "budget_tokens": 10}), None),
    ("thinking.budget_minimum", body(HI, thinking="enabled"), None),
    ("thinking.budget_below_max", body(HI, max_tokens=1024, thinking=THINK),
     "`max_tokens` must be greater than `thinking.budget_tokens`"),
    ("thinking.budget_below_max", body(HI, max_tokens=1025, thinking=THINK), None),
    ("thinking.budget_below_max", body(HI, max_tokens=512, thinking={"type": "adaptive", "budget_tokens": 1024}), None),
    ("thinking.budget_below_max", body(HI, max_tokens=1024, thinking=THINK, tools=[TOOL]),
     "`max_tokens` must be greater than `thinking.budget_tokens`"),  # tools without the interleaved beta
    ("thinking.forced_tool", body(HI, thinking=THINK, tools=[TOOL], tool_choice={"type": "any"}),
     "Thinking may not be enabled when tool_choice forces tool use."),
    ("thinking.forced_tool", body(HI, thinking={"type": "adaptive"}, tools=[TOOL], tool_choice={"type": "tool", "name": "add"}),
     "Thinking may not be enabled when tool_choice forces tool use."),
    ("thinking.forced_tool", body(HI, thinking=THINK, tools=[TOOL], tool_choice={"type": "auto"}), None),
    ("thinking.forced_tool", body(HI, tools=[TOOL], tool_choice={"type": "any"}), None),
    ("thinking.signature", body(HI, say([{"type": "text", "text": "So"}, {"type": "thinking", "thinking": "Hm."}]), HI),
     "messages.1.content.1.thinking.signature: Field required"),
    ("thinking.signature", body(HI, say([SIGNED | {"signature": ""}]), HI), "messages.1.content.0.thinking.signature: Field required"),
    ("thinking.signature", body(HI, say([SIGNED | {"signature": 5}]), HI), "messages.1.content.0.thinking.signature: Field required"),
    ("thinking.signature", body(HI, say([SIGNED]), HI), None),
    ("thinking.tool_loop", body(*LOOP, thinking=THINK, tools=[TOOL]),
     "messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is "
     "enabled, a final `assistant` message must start with a thinking block."),
    ("thinking.tool_loop", body(HI, say([SIGNED, USE]), say([RESULT], "user"), say([USE2]), say([RESULT2], "user"),
                                thinking=THINK, tools=[TOOL]),
     "messages.3.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is "
     "enabled, a final `assistant` message must start with a thinking block."),
    ("thinking.tool_loop", body(HI, say([{"type": "redacted_thinking", "data": "x"}, USE]), say([RESULT], "user"),
                                thinking=THINK, tools=[TOOL]), None),
    ("thinking.tool_loop", body(HI, say([SIGNED, USE]), say([RESULT], "user"), thinking=THINK, tools=[TOOL]), None),
    ("thinking.tool_loop", body(*LOOP, tools=[TOOL]), None),
    ("thinking.tool_loop", body(HI, say([USE]), thinking=THINK, tools=[TOOL]), None),  # not yet answered
    ("thinking.tool_loop", body(HI, say("Hello"), HI, thinking=THINK), None),
    ("thinking.tool_loop", body(HI, thinking=THINK), None),
    ("thinking.tool_loop", body(thinking=THINK), None),  # no history at all: nothing to find, and no crash
    ("tools.answered", body(HI, say([USE, USE2]), say([RESULT], "user"), tools=[TOOL]),
     "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_2. Each `tool_use` "
     "block must have a corresponding `tool_result` block in the next message."),
    ("tools.answered", body(HI, say("Hello"), HI, say([USE, USE2]), say("Never mind", "user"), tools=[TOOL]),
     "messages.3: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1, toolu_2. Each "
     "`tool_use` block must have a corresponding `tool_result` block in the next message."),
    ("tools.answered", body(HI, say([USE, USE2]), say([RESULT2, RESULT], "user"), tools=[TOOL]), None),
    ("tools.answered", body(HI, say([USE]), tools=[TOOL]), None),
    ("tools.answered", body(HI, say([USE]), say("Hm"), tools=[TOOL]), None),  # only a user turn can leave a tool unanswered
    ("tools.stray_result", body(HI, say("Hello"), say([RESULT], "user"), tools=[TOOL]),
     "messages.2.content: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1. Each `tool_result` block "
     "must have a corresponding `tool_use` block in the previous message."),
    ("tools.stray_result", body(say([RESULT2], "user"), tools=[TOOL]),
     "messages.0.content: unexpected `tool_use_id` found in `tool_result` blocks: toolu_2. Each `tool_result` block "
     "must have a corresponding `tool_use` block in the previous message."),
    ("tools.stray_result", body(HI, say([USE]), say([RESULT, RESULT2], "user"), tools=[TOOL]),
     "messages.2.content: unexpected `tool_use_id` found in `tool_result` blocks: toolu_2. Each `tool_result` block "
     "must have a corresponding `tool_use` block in the previous message."),
    ("tools.stray_result", body(*LOOP, tools=[TOOL]), None),
    ("tools.stray_result", body(HI, say([RESULT]), tools=[TOOL]), None),  # results are read in user turns only
    ("tools.results_first", body(HI, say([USE]), say([{"type": "text", "text": "Here:"}, RESULT], "user"), tools=[TOOL]),
     "messages.2: Did not find 1 `tool_result` block(s) at the beginning of this message. Messages following "
     "`tool_use` blocks must begin with a matching number of `tool_result` blocks."),
    ("tools.results_first", body(HI, say([USE, USE2]), say([RESULT, {"type": "text", "text": "x"}, RESULT2], "user"),
                                 tools=[TOOL]),
     "messages.2: Did not find 2 `tool_result` block(s) at the beginning of this message. Messages following "
     "`tool_use` blocks must begin with a matching number of `tool_result` blocks."),
    ("tools.results_first", body(HI, say([USE]), say([RESULT, {"type": "text", "text": "Thanks"}], "user"), tools=[TOOL]),
     None),
    ("tools.defined", body(*LOOP), "Requests which include `tool_use` or `tool_result` blocks must define tools."),
    ("tools.defined", body(say([RESULT], "user"), tools=[]),
     "Requests which include `tool_use` or `tool_result` blocks must define tools."),
    ("tools.defined", body(HI, say([USE])), "Requests which include `tool_use` or `tool_result` blocks must define tools."),
    ("tools.defined", body(*LOOP, tools=[TOOL]), None),
    ("tools.name", body(HI, tools=[TOOL, TOOL | {"name": "a" * 65}]),
     "tools.1.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"),
    ("tools.name", body(HI, tools=[TOOL | {"name": ""}]), "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"),
    ("tools.name", body(HI, tools=[{"description": "x", "input_schema": {}}]),
     "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'"),
    ("tools.name", body(HI, tools=[TOOL | {"name": "get_Weather-2" + "a" * 51}]), None),  # 64 characters
    ("tools.name", body(HI, tools=[{"type": "web_search_20250305", "name": "web search"}]), None),  # no schema: a server tool
    ("tools.choice", body(HI, tools=[TOOL], tool_choice={"type": "required"}),
     "tool_choice: Input tag 'required' found using 'type' does not match any of the expected tags: "
     "'auto', 'any', 'tool', 'none'"),
    ("tools.choice", body(HI, tools=[TOOL], tool_choice="auto"),
     "tool_choice: Input tag None found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"),
    ("tools.choice", body(HI, tools=[TOOL], tool_choice={"type": "tool"}), "tool_choice.tool.name: Field required"),
    ("tools.choice", body(HI, tools=[TOOL], tool_choice={"type": "tool", "name": "add"}), None),
    ("tools.choice", body(HI, tools=[TOOL], tool_choice={"type": "none"}), None),
    ("tools.choice", body(HI, tools=[TOOL], tool_choice={"type": "any"}), None),
    ("tools.choice", body(HI, tools=[TOOL], tool_choice={"type": "auto"}), None),
    ("stop_sequences.list", body(HI, stop_sequences="END"), "stop_sequences: Input should be a valid list of strings"),
    ("stop_sequences.list", body(HI, stop_sequences=["END", 5]), "stop_sequences: Input should be a valid list of strings"),
    ("stop_sequences.list", body(HI, stop_sequences=[]), None),
    ("stop_sequences.list", body(HI, stop_sequences=["\n\n", "END"]), None),
    ("kit.stop_sequences", body(HI, stop_sequences=["END", ""]), "stop_sequences holds ''."),
    ("kit.stop_sequences", body(HI, stop_sequences=["\n\n"]), None),
    ("kit.stop_sequences", body(HI, stop_sequences=""), None),
    ("cache.breakpoints", body(HI, system=marked(5)), "A maximum of 4 blocks with cache_control may be provided. Found 5."),
    ("cache.breakpoints", body(HI, system=marked(4)), None),
    ("cache.breakpoints", body(say([{"type": "text", "text": "Hi", **MARK}], "user"), system=marked(3), tools=[TOOL | MARK, TOOL]),
     "A maximum of 4 blocks with cache_control may be provided. Found 5."),  # 3 in the system, 1 tool, 1 turn
    ("cache.breakpoints", body(say([{"type": "text", "text": "Hi", **MARK}], "user"), HI, system=marked(2), **MARK),
     None),  # 2 + 1 + the top-level one (the last block has none): 4
    ("cache.breakpoints", body(HI, say("Hello"), say([{"type": "text", "text": "Hi", **MARK}], "user"), system=marked(3),
                               **MARK), None),  # the top-level mark falls on the last block, already marked
    ("cache.breakpoints", body(say([{"type": "text", "text": "Hi", **MARK}], "user"), say("Hello"), HI, system=marked(3),
                               **MARK), "A maximum of 4 blocks with cache_control may be provided. Found 5."),
]


@pytest.mark.parametrize(("name", "request_body", "expected"), BLOCK_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(BLOCK_CASES)])
def test_each_block_rule_finds_what_it_says_in_the_api_s_words(name: str, request_body: Any, expected: str | None) -> None:
    assert found(name, request_body) == expected


def test_a_budget_at_max_tokens_is_allowed_only_with_interleaved_thinking_and_tools() -> None:
    request = body(*LOOP, max_tokens=1024, thinking=THINK, tools=[TOOL])
    assert found("thinking.budget_below_max", request, INTERLEAVED) is None
    assert found("thinking.budget_below_max", request | {"tools": []}, INTERLEAVED) is not None
    assert found("thinking.budget_below_max", request, ("some-other-beta",)) is not None


def test_an_edited_thinking_block_is_named_by_its_place_and_its_kind() -> None:
    redacted = {"type": "redacted_thinking", "data": "abc"}
    request = body(HI, say([SIGNED, {"type": "text", "text": "5"}]), HI, say([{"type": "text", "text": "x"}, redacted]), HI)
    rule = by_name("thinking.unmodified")
    assert rule.find(Request(request, lambda block: True)) is None
    assert rule.find(Request(request, lambda block: block is not SIGNED)) == \
        "messages.1.content.0: Invalid `signature` in `thinking` block"
    assert rule.find(Request(request, lambda block: block is not redacted)) == \
        "messages.3.content.1: Invalid `data` in `redacted_thinking` block"


def image(media: str = "image/png", data: bytes = b"", kind: str = "base64") -> dict[str, Any]:
    """One image block."""
    import base64

    return {"type": "image", "source": {"type": kind, "media_type": media, "data": base64.b64encode(data).decode()}}


def png_header(width: int, height: int) -> bytes:
    """The first 24 bytes of a PNG of this size (all the side check reads)."""
    import struct

    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height)


def webp_header(width: int, height: int) -> bytes:
    """The first 30 bytes of an extended (VP8X) WebP of this size: its size sits at bytes 24 to 29."""
    chunk = b"\0" * 4 + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + (22).to_bytes(4, "little") + b"WEBP" + b"VP8X" + (10).to_bytes(4, "little") + chunk


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG's start: an APP0 segment, then the start-of-frame segment that holds the size (bytes 16 to 24)."""
    import struct

    app0 = b"\xff\xe0" + struct.pack(">H", 12) + b"JFIF\0" + b"\0" * 5
    return b"\xff\xd8" + app0 + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, height, width) + b"\x03"


def images(*blocks: dict[str, Any]) -> dict[str, Any]:
    """A request whose one user turn holds these blocks."""
    return body(say([*blocks, {"type": "text", "text": "What is this?"}], "user"))


SIDES = "At least one image's longest side exceeds"
MEDIA_CASES = [
    ("image.media_type", images(image("image/bmp")), "messages.0.content.0.image.source.base64.media_type: Input should "
     "be 'image/jpeg', 'image/png', 'image/gif', 'image/webp'"),
    ("image.media_type", images(image("image/jpeg"), image("image/png"), image("image/gif"), image("image/webp")), None),
    ("image.media_type", images({"type": "image", "source": {"type": "url", "url": "https://example.com/a.bmp"}}), None),
    ("image.media_type", images({"type": "image"}), None),
    ("image.bytes", images(image(data=b"\0" * 10), image(data=b"\0" * (5 * 1024 * 1024 + 1))),
     "messages.0.content.1.image.source.base64: image exceeds 5 MB maximum: 5242881 bytes > 5242880 bytes"),
    ("image.bytes", images({"type": "image", "source": {"type": "base64", "media_type": "image/png"}}), None),
    ("image.bytes", images({"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                        "data": "AAAA" * (2 * 1024 * 1024) + "!"}}), None),  # not base64
    ("image.dimensions", images(image(data=png_header(600, 8001))), f"{SIDES} 8000 pixels: messages.0.content.0"),
    ("image.dimensions", images(image(data=b"not an image"), image(data=png_header(9000, 10)), image(data=png_header(10, 10)),
                                image(data=png_header(8001, 8001))),
     f"{SIDES} 8000 pixels: messages.0.content.1, messages.0.content.3"),
    ("image.dimensions", images(*[image(data=png_header(2001, 100))] * 20), None),  # 20 images: still 8000
    ("image.dimensions", images(image("image/webp", webp_header(9000, 600))), f"{SIDES} 8000 pixels: messages.0.content.0"),
    ("image.dimensions", images(image("image/jpeg", jpeg_header(600, 9000))), f"{SIDES} 8000 pixels: messages.0.content.0"),
    ("image.dimensions", images(image("image/jpeg", jpeg_header(8000, 8000))), None),
    ("image.dimensions", images(*[image(data=png_header(2000, 2000))] * 21), None),
    ("image.dimensions", images(*[image(data=png_header(100, 100))] * 20, image(data=png_header(100, 2001))),
     f"{SIDES} 2000 pixels: messages.0.content.20"),
]

MODEL_CASES = [
    ("thinking.type_model", body(HI, thinking={"type": "adaptive"}),
     "thinking.type: 'adaptive' is not supported on claude-haiku-4-5"),
    ("thinking.type_model", body(HI, model="claude-opus-4-8", thinking=THINK),
     "thinking.type: 'enabled' is not supported on claude-opus-4-8"),
    ("thinking.type_model", body(HI, model="claude-opus-4-8", thinking={"type": "adaptive"}), None),
    ("thinking.type_model", body(HI, model="claude-someday-9", thinking={"type": "adaptive"}), None),  # unknown: the API answers
    ("thinking.type_model", body(HI, thinking="adaptive"), None),
    ("effort.model", body(HI, output_config={"effort": "low"}), "output_config.effort: 'low' is not supported on claude-haiku-4-5"),
    ("effort.model", body(HI, model="claude-sonnet-4-6", output_config={"effort": "xhigh"}),
     "output_config.effort: 'xhigh' is not supported on claude-sonnet-4-6"),
    ("effort.model", body(HI, model="claude-sonnet-4-6", output_config={"effort": "max"}), None),
    ("effort.model", body(HI, output_config={"effort": "turbo"}),  # a level the data does not name, on a model with no effort
     "output_config.effort: 'turbo' is not supported on claude-haiku-4-5"),
    ("effort.model", body(HI, model="claude-someday-9", output_config={"effort": "low"}), None),
    ("effort.model", body(HI, output_config={"format": {"type": "json_schema", "schema": {}}}), None),
    ("effort.model", body(HI, output_config="low"), None),
    ("thinking.display", body(HI, model="claude-sonnet-4-6", thinking={"type": "adaptive", "display": "full"}),
     "thinking.adaptive.display: Input should be 'summarized' or 'omitted'"),
    ("thinking.display", body(HI, thinking={"type": "enabled", "budget_tokens": 1024, "display": "all"}),
     "thinking.enabled.display: Input should be 'summarized' or 'omitted'"),
    ("thinking.display", body(HI, thinking={"type": "adaptive", "display": "omitted"}), None),
    ("thinking.display", body(HI, thinking={"type": "adaptive", "display": None}), None),
    ("thinking.display", body(HI, thinking="summarized"), None),
    ("thinking.adaptive_budget", body(HI, model="claude-sonnet-4-6", thinking={"type": "adaptive", "budget_tokens": 2048}),
     "thinking.adaptive.budget_tokens: Extra inputs are not permitted"),
    ("thinking.adaptive_budget", body(HI, thinking={"type": "enabled", "budget_tokens": 2048}), None),
    ("thinking.adaptive_budget", body(HI, thinking={"type": "adaptive"}), None),
    ("compaction.model", body(HI, context_management={"edits": [{"type": "clear_tool_uses_20250919"}, {"type": "compact_20260112"}]}),
     "context_management.edits.1: compact_20260112 is not supported on claude-haiku-4-5"),
    ("compaction.model", body(HI, model="claude-sonnet-4-6", context_management={"edits": [{"type": "compact_20260112"}]}), None),
    ("compaction.model", body(HI, model="claude-someday-9", context_management={"edits": [{"type": "compact_20260112"}]}),
     None),  # a model the data does not know: the API answers
    ("compaction.model", body(HI, context_management={"edits": ["compact_20260112", {"type": "clear_tool_uses_20250919"}]}),
     None),
]


@pytest.mark.parametrize(("name", "request_body", "expected"), MEDIA_CASES + MODEL_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(MEDIA_CASES + MODEL_CASES)])
def test_each_image_and_model_rule_finds_what_it_says(name: str, request_body: Any, expected: str | None) -> None:
    assert found(name, request_body) == expected


def test_the_context_window_is_the_model_s_and_the_prompt_is_counted_as_the_api_reads_it() -> None:
    from helpers.api.bill import estimate_request_tokens

    long = body(say("word " * 120_000, "user"), say("word " * 120_000, "user"))
    size = estimate_request_tokens(body(say([{"type": "text", "text": "word " * 120_000}] * 2, "user")))  # one turn
    assert 200_000 < size < 1_000_000
    assert found("context.window", long) == f"prompt is too long: {size} tokens > 200000 maximum"
    assert found("context.window", long | {"model": "claude-someday-9"}) == f"prompt is too long: {size} tokens > 200000 maximum"
    assert found("context.window", long | {"model": "claude-opus-4-8"}) is None  # a 1,000,000-token window
    assert found("context.window", body(HI)) is None
    fits = body(say("word " * 10, "user"))
    assert found("context.window", fits | {"max_tokens": 10}) is None
    # a prompt of exactly the window fits; one token more does not
    low, high = 1, 1_000_000
    while low < high:  # the fewest characters whose estimate reaches the window
        middle = (low + high) // 2
        low, high = (middle + 1, high) if estimate_request_tokens(body(say("a" * middle, "user"))) < 200_000 else (low, middle)
    exact = body(say("a" * low, "user"))
    assert estimate_request_tokens(exact) == 200_000
    assert found("context.window", exact) is None
    over = body(say("a" * (low + 4), "user"))
    assert found("context.window", over) == f"prompt is too long: {estimate_request_tokens(over)} tokens > 200000 maximum"


def test_the_context_window_check_counts_the_prompt_after_the_server_s_edits() -> None:
    from helpers.api.bill import estimate_request_tokens
    from helpers.api.edits import edited

    use = {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {}}
    result = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "word " * 200_000}
    request = body(HI, say([use]), say([result], "user"), say("Done."), HI, tools=[TOOL],
                   context_management={"edits": [{"type": "clear_tool_uses_20250919",
                                                  "trigger": {"type": "input_tokens", "value": 1000}, "keep": {"type": "tool_uses", "value": 0}}]})
    before = estimate_request_tokens(request)
    after = estimate_request_tokens(edited(request).body)
    assert after < 200_000 < before  # the edit clears the long result: what the model reads fits
    assert found("context.window", request) is None
    assert found("context.window", request | {"context_management": None}) == f"prompt is too long: {before} tokens > 200000 maximum"


def edits(*items: Any) -> dict[str, Any]:
    """A request with these context_management edits."""
    return body(HI, context_management={"edits": list(items)})


CLEAR_TOOLS, CLEAR_THINKING, COMPACT = "clear_tool_uses_20250919", "clear_thinking_20251015", "compact_20260112"
EDIT_TAGS = "'clear_tool_uses_20250919', 'clear_thinking_20251015', 'compact_20260112'"
CONTEXT_CASES = [
    ("context.edit_type", edits({"type": CLEAR_TOOLS}, {"type": "clear_everything"}),
     f"context_management.edits.1: Input tag 'clear_everything' found using 'type' does not match any of the expected tags: {EDIT_TAGS}"),
    ("context.edit_type", edits("clear"),
     f"context_management.edits.0: Input tag None found using 'type' does not match any of the expected tags: {EDIT_TAGS}"),
    ("context.edit_type", edits({"type": CLEAR_TOOLS}, {"type": CLEAR_THINKING}, {"type": COMPACT}), None),
    ("context.edit_type", body(HI, context_management={"edits": {"type": "clear_everything"}}), None),
    ("context.edit_type", body(HI, context_management="clear"), None),
    ("context.trigger", edits({"type": CLEAR_TOOLS}, {"type": COMPACT, "trigger": {"type": "tool_uses", "value": 5}}),
     "context_management.edits.1.trigger: Input should be input_tokens with a whole-number value"),
    ("context.trigger", edits({"type": CLEAR_TOOLS, "trigger": {"type": "tokens", "value": 5}}),
     "context_management.edits.0.trigger: Input should be input_tokens or tool_uses with a whole-number value"),
    ("context.trigger", edits({"type": CLEAR_TOOLS, "trigger": {"type": "input_tokens", "value": -1}}),
     "context_management.edits.0.trigger: Input should be input_tokens or tool_uses with a whole-number value"),
    ("context.trigger", edits({"type": COMPACT, "trigger": {"type": "input_tokens", "value": True}}),
     "context_management.edits.0.trigger: Input should be input_tokens with a whole-number value"),
    ("context.trigger", edits({"type": COMPACT, "trigger": {"type": "input_tokens", "value": "5"}}),
     "context_management.edits.0.trigger: Input should be input_tokens with a whole-number value"),
    ("context.trigger", edits({"type": COMPACT, "trigger": {"type": "input_tokens"}}),
     "context_management.edits.0.trigger: Input should be input_tokens with a whole-number value"),
    ("context.trigger", edits({"type": COMPACT, "trigger": 5}),
     "context_management.edits.0.trigger: Input should be input_tokens with a whole-number value"),
    ("context.trigger", edits({"type": CLEAR_TOOLS, "trigger": {"type": "tool_uses", "value": 0}},
                              {"type": COMPACT, "trigger": {"type": "input_tokens", "value": 150_000}}), None),
    ("context.trigger", edits({"type": CLEAR_THINKING, "trigger": "soon"}, {"type": COMPACT}), None),
    ("compaction.trigger_min", edits({"type": CLEAR_TOOLS, "trigger": {"type": "input_tokens", "value": 1000}},
                                     {"type": COMPACT, "trigger": {"type": "input_tokens", "value": 49_999}}),
     "context_management.edits.1.trigger.value: Input should be greater than or equal to 50000"),
    ("compaction.trigger_min", edits({"type": COMPACT, "trigger": {"type": "input_tokens", "value": 50_000}}), None),
    ("compaction.trigger_min", edits({"type": COMPACT, "trigger": {"type": "tool_uses", "value": 5}}), None),  # context.trigger's
    ("compaction.trigger_min", edits({"type": COMPACT}), None),  # the default trigger, 150,000
    ("context.keep", edits({"type": COMPACT, "keep": 5}, {"type": CLEAR_TOOLS, "keep": 3}),
     "context_management.edits.1.keep: Input should be {'type': 'tool_uses', 'value': N}"),
    ("context.keep", edits({"type": CLEAR_TOOLS, "keep": {"type": "thinking_turns", "value": 1}}),
     "context_management.edits.0.keep: Input should be {'type': 'tool_uses', 'value': N}"),
    ("context.keep", edits({"type": CLEAR_THINKING, "keep": 1}),
     "context_management.edits.0.keep: Input should be {'type': 'thinking_turns', 'value': N}, {'type': 'all'} or 'all'"),
    ("context.keep", edits({"type": CLEAR_THINKING, "keep": {"type": "tool_uses", "value": 1}}),
     "context_management.edits.0.keep: Input should be {'type': 'thinking_turns', 'value': N}, {'type': 'all'} or 'all'"),
    ("context.keep", edits({"type": CLEAR_TOOLS, "keep": {"type": "tool_uses", "value": 3}}, {"type": CLEAR_THINKING, "keep": "all"},
                           {"type": CLEAR_THINKING, "keep": {"type": "all"}},
                           {"type": CLEAR_THINKING, "keep": {"type": "thinking_turns", "value": 1}}, {"type": CLEAR_TOOLS}), None),
    ("context.clear_options", edits({"type": CLEAR_THINKING, "exclude_tools": "x", "clear_at_least": 5},
                                    {"type": CLEAR_TOOLS, "clear_at_least": {"type": "tool_uses", "value": 1}}),
     "context_management.edits.1.clear_at_least: Input should be {'type': 'input_tokens', 'value': N}"),
    ("context.clear_options", edits({"type": CLEAR_TOOLS, "exclude_tools": "memory"}),
     "context_management.edits.0.exclude_tools: Input should be a valid list of strings"),
    ("context.clear_options", edits({"type": CLEAR_TOOLS, "exclude_tools": ["memory", 5]}),
     "context_management.edits.0.exclude_tools: Input should be a valid list of strings"),
    ("context.clear_options", edits({"type": CLEAR_TOOLS, "exclude_tools": ["memory"],
                                     "clear_at_least": {"type": "input_tokens", "value": 5000}}), None),
    ("compaction.with_editing", body(HI, compaction={"type": "summarize"}, context_management={"edits": []}),
     "compaction: cannot be combined with context_management"),
    ("compaction.with_editing", body(HI, compaction={"type": "summarize"}), None),
    ("compaction.with_editing", edits({"type": CLEAR_TOOLS}), None),
    ("compaction.empty_content", body(HI, say("Hi"), HI, say([{"type": "text", "text": "x"}, {"type": "compaction", "content": ""}]), HI),
     "messages.3.content.1.content: empty string content is not allowed for a compaction block"),
    ("compaction.empty_content", body(HI, say([{"type": "compaction", "content": None}]), HI), None),
    ("compaction.empty_content", body(HI, say([{"type": "text", "text": ""}]), HI), None),
    ("compaction.empty_content", body("Hi", HI), None),  # a message that is not a dict: the shape rule's, no crash here
    ("output.format", body(HI, output_config={"format": {"type": "json"}}),
     "output_config.format: Input should be {'type': 'json_schema', 'schema': {...}}"),
    ("output.format", body(HI, output_config={"format": {"type": "json_schema"}}),
     "output_config.format: Input should be {'type': 'json_schema', 'schema': {...}}"),
    ("output.format", body(HI, output_config={"format": "json_schema"}),
     "output_config.format: Input should be {'type': 'json_schema', 'schema': {...}}"),
    ("output.format", body(HI, output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}}), None),
    ("output.format", body(HI, output_config={"effort": "low"}), None),
    ("tools.strict", body(HI, tools=[TOOL | {"strict": True}, TOOL | {"strict": "yes"}]),
     "tools.1.custom.strict: Input should be a valid boolean"),
    ("tools.strict", body(HI, tools=[TOOL | {"strict": False}, TOOL]), None),
    ("tools.parallel", body(HI, tools=[TOOL], tool_choice={"type": "none", "disable_parallel_tool_use": False}),
     "tool_choice.none.disable_parallel_tool_use: Extra inputs are not permitted"),
    ("tools.parallel", body(HI, tools=[TOOL], tool_choice={"type": "auto", "disable_parallel_tool_use": "yes"}),
     "tool_choice.auto.disable_parallel_tool_use: Input should be a valid boolean"),
    ("tools.parallel", body(HI, tools=[TOOL], tool_choice={"type": "any", "disable_parallel_tool_use": True}), None),
    ("tools.parallel", body(HI, tools=[TOOL], tool_choice={"type": "none"}), None),
    ("tools.parallel", body(HI, tools=[TOOL], tool_choice="auto"), None),
]


@pytest.mark.parametrize(("name", "request_body", "expected"), CONTEXT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CONTEXT_CASES)])
def test_each_context_rule_finds_what_it_says(name: str, request_body: Any, expected: str | None) -> None:
    assert found(name, request_body) == expected
