"""The one bill: count_tokens and the stand-in's usage agree with each other and with the documented formulas."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from typing import Any

import anthropic
import pytest
from kit import stand_in_client

from helpers.api import bill
from helpers.api.models import capability, capability_keys, model_info
from helpers.api_facts import TOOL_SYSTEM_PROMPT_TOKENS
from helpers.memory import estimate_request_tokens, request_blocks
from helpers.memory.costsim import units
from helpers.pictures import flags
from helpers.standin import StandIn
from helpers.standin.replies import signature
from helpers.standin.server import MODELS

MODEL = "claude-haiku-4-5"


def png_header(width: int, height: int) -> bytes:
    """The first bytes of a PNG of this size (its signature and IHDR chunk): all the bill reads."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def jpeg_header(width: int, height: int) -> bytes:
    """A JPEG's start: SOI, an APP0 segment, then a baseline start-of-frame segment with the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + app0 + b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x00" * 9


def gif_header(width: int, height: int) -> bytes:
    """A GIF's logical screen descriptor."""
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00"


def webp_header(width: int, height: int) -> bytes:
    """A WebP (extended, VP8X) header."""
    chunk = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + \
        (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def image(data: bytes, media_type: str) -> dict[str, Any]:
    """A base64 image block."""
    return {"type": "image", "source": {"type": "base64", "media_type": media_type,
                                        "data": base64.standard_b64encode(data).decode()}}


# (image block, the documented estimate worked out by hand: width x height / 750 after the resize, rounded up)
IMAGES = {
    "small PNG 60x40": (image(flags(60, 40, 0), "image/png"), 4),  # 2,400 / 750 = 3.2
    "PNG 200x200 (docs: ~54)": (image(png_header(200, 200), "image/png"), 54),
    "PNG 1000x1000 (docs: ~1334)": (image(png_header(1000, 1000), "image/png"), 1334),
    "PNG 3000x1500, long edge over 1568": (image(png_header(3000, 1500), "image/png"), 1599),  # -> 1549 x 774
    "PNG 1200x1100, over 1.15 MP": (image(png_header(1200, 1100), "image/png"), 1599),  # -> 1144 x 1048
    "JPEG 800x600": (image(jpeg_header(800, 600), "image/jpeg"), 640),
    "GIF 300x200": (image(gif_header(300, 200), "image/gif"), 80),
    "WebP 1000x1000": (image(webp_header(1000, 1000), "image/webp"), 1334),
    "URL image (size unknown offline: the cap)": ({"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                                                  1600),
}


def billed(client: anthropic.Anthropic, body: dict[str, Any]) -> tuple[int, int]:
    """What count_tokens says of a request, and the input the stand-in's usage bills for it (all three counters)."""
    counted = client.messages.count_tokens(**{k: v for k, v in body.items() if k != "max_tokens"}).input_tokens
    use = client.messages.create(**body).usage
    return counted, use.input_tokens + (use.cache_creation_input_tokens or 0) + (use.cache_read_input_tokens or 0)


def ask(content: Any, **extra: Any) -> dict[str, Any]:
    """A one-turn request."""
    return {"model": MODEL, "max_tokens": 50, "messages": [{"role": "user", "content": content}], **extra}


@pytest.mark.parametrize("name", list(IMAGES))
def test_an_image_is_billed_by_its_size_the_same_by_count_tokens_and_usage(server: StandIn, name: str) -> None:
    block, expected = IMAGES[name]
    client = stand_in_client(server.url)
    with_image = ask([block, {"type": "text", "text": "What is this?"}])
    without = ask([{"type": "text", "text": "What is this?"}])
    counted, used = billed(client, with_image)
    assert counted == used == estimate_request_tokens(with_image)
    assert counted - billed(client, without)[0] == expected, "width x height / 750 after the documented resize"


def test_the_resize_keeps_the_aspect_ratio_and_the_caps() -> None:
    width, height = bill.resized(3000, 1500)
    assert max(width, height) <= 1568 and abs(width / height - 2.0) < 0.01 and width * height <= 1_200_000
    assert bill.resized(1092, 1092) == (1092, 1092), "under both caps: unchanged"
    assert bill.image_size(jpeg_header(800, 600)) == (800, 600) and bill.image_size(webp_header(7, 9)) == (7, 9)
    with pytest.raises(ValueError, match="PNG, JPEG, GIF or WebP"):
        bill.image_size(b"BM not an image the kit reads")


@pytest.mark.parametrize("choice", ["auto", "any", "tool", "none"])
def test_tools_are_billed_as_definitions_plus_the_tool_use_system_prompt(server: StandIn, choice: str) -> None:
    tools = [{"name": "get_weather", "description": "The weather in a city.",
              "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
    tool_choice = {"type": choice, "name": "get_weather"} if choice == "tool" else {"type": choice}
    body = ask("What is the weather in Oslo?", tools=tools, tool_choice=tool_choice)
    client = stand_in_client(server.url)
    counted, used = billed(client, body)
    assert counted == used == estimate_request_tokens(body)
    expected = bill.estimate_tokens(json.dumps(tools)) + {"auto": 530, "any": 340, "tool": 340, "none": 530}[choice]
    assert expected == bill.estimate_tokens(json.dumps(tools)) + TOOL_SYSTEM_PROMPT_TOKENS.value[choice]
    assert counted - billed(client, ask("What is the weather in Oslo?"))[0] == expected


THINKING = {"type": "enabled", "budget_tokens": 1024}
_THOUGHT_TEXT = "Let me think about soil drainage for a long while. " * 20
THOUGHT = {"type": "thinking", "thinking": _THOUGHT_TEXT, "signature": signature(_THOUGHT_TEXT)}  # as the stand-in signs it
TOOL = {"name": "get_weather", "description": "The weather in a city.",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def without_thinking(body: dict[str, Any]) -> dict[str, Any]:
    """The same request with every thinking block left out of the messages."""
    messages = [{**m, "content": [b for b in m["content"] if b.get("type") != "thinking"]}
                if isinstance(m["content"], list) else m for m in body["messages"]]
    return {**body, "messages": messages}


def test_earlier_thinking_is_not_input(server: StandIn) -> None:
    body = {"model": MODEL, "max_tokens": 2000, "thinking": THINKING, "messages": [
        {"role": "user", "content": "How do raised beds drain?"},
        {"role": "assistant", "content": [THOUGHT, {"type": "text", "text": "Through the soil into the ground."}]},
        {"role": "user", "content": "And in clay?"}]}
    client = stand_in_client(server.url)
    counted, used = billed(client, body)
    assert counted == used == estimate_request_tokens(without_thinking(body)), "earlier turns' thinking is stripped"


def test_thinking_in_the_current_tool_loop_is_input(server: StandIn) -> None:
    body = {"model": MODEL, "max_tokens": 2000, "thinking": THINKING, "tools": [TOOL], "messages": [
        {"role": "user", "content": "Weather in Oslo?"},
        {"role": "assistant", "content": [THOUGHT, {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                                    "input": {"city": "Oslo"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "Rain, 8 C"}]}]}
    client = stand_in_client(server.url)
    counted, used = billed(client, body)
    thought = bill.message_tokens(body["messages"][1]) - bill.message_tokens(body["messages"][1], keep_thinking=False)
    assert thought > 100
    assert counted == used == estimate_request_tokens(without_thinking(body)) + thought, "the tool loop's thinking counts"


def test_thinking_is_billed_as_output() -> None:
    reply = [THOUGHT, {"type": "text", "text": "Rain."}]
    assert bill.output_tokens(reply) == bill.estimate_tokens(THOUGHT["thinking"] + "Rain.")


def test_a_thread_turn_bills_the_rebuilt_conversation() -> None:
    """The stand-in keeps no threads (not modelled); the bill of a continued turn is the rebuilt request's."""
    stored = {"model": MODEL, "system": "Be brief.", "tools": [TOOL],
              "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    new = [{"role": "user", "content": "Weather in Oslo?"}]
    rebuilt = {**stored, "messages": [*stored["messages"], *new]}
    assert bill.thread_turn_tokens(stored, new) == estimate_request_tokens(rebuilt) > estimate_request_tokens({**stored, "messages": new})


def test_the_cache_blocks_and_the_cost_simulation_are_sized_by_the_same_bill() -> None:
    block, _ = IMAGES["PNG 1000x1000 (docs: ~1334)"]
    body = ask([block, {"type": "text", "text": "Describe it."}], tools=[TOOL], system="Be brief.")
    assert sum(b.tokens for b in request_blocks(body)) == estimate_request_tokens(body)
    assert units(body) == bill.request_units(body) and sum(units(body)) == estimate_request_tokens(body)


def test_the_models_api_serves_every_capability_key_with_its_value(server: StandIn) -> None:
    client = stand_in_client(server.url)
    listed = client.models.list().data
    assert [m.id for m in listed] == list(MODELS)
    for info in listed:
        assert info.display_name.startswith("Claude ") and info.capabilities is not None
        assert info.model_dump(mode="json")["capabilities"] == model_info(info.id)["capabilities"]
    assert client.models.retrieve("claude-haiku-4-5").display_name == "Claude Haiku 4.5"
    assert capability("claude-opus-4-7", "thinking.types.adaptive") is True
    assert capability("claude-opus-4-7", "thinking.types.enabled") is False
    assert capability("claude-haiku-4-5", "effort.supported") is False and capability("claude-x", "effort") is None
    assert "thinking.types.between_tools" in capability_keys() and "context_management.compact_20260112" in capability_keys()


def test_consecutive_turns_are_counted_as_the_messages_endpoint_bills_them(server: StandIn) -> None:
    body = {"model": MODEL, "max_tokens": 50, "messages": [{"role": "user", "content": "First part."},
                                                          {"role": "user", "content": "Second part."}]}
    counted, used = billed(stand_in_client(server.url), body)
    assert counted == used, "count_tokens combines consecutive same-role turns as the messages endpoint does"


def test_the_models_data_names_only_models_the_sdk_knows_and_the_guard_shows_it() -> None:
    from helpers.api.models import MODEL_DATA
    from helpers.api_facts import DEPRECATED_MODELS, MODEL_IDS
    from helpers.classroom.models import described

    assert set(MODEL_DATA.value) == set(MODELS) and set(MODELS) <= set(MODEL_IDS.value)
    assert all(model_info(m)["lifecycle"] == ("deprecated" if m in DEPRECATED_MODELS.value else "active") for m in MODELS)
    assert described("claude-haiku-4-5") == "Claude Haiku 4.5, context 200,000, max_tokens 64,000"
    assert described("claude-unknown") == "no Models API data in helpers/api/models.py"
