"""Exercise checks of notebooks 06 (content blocks) and 07 (tools and thinking)."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..api.content import output_format
from ..api.rulebook import UnsendableHistoryError, check_request
from ..blocks import check_content
from ..tools import tool_spec
from .checks import Check, valid_history

GIVEN_TOOL_USE_ID = "toolu_exercise_07"
GIVEN_OUTPUT = "Sunny, 18 C"


IMAGE_MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff", "image/gif": b"GIF8", "image/webp": b"RIFF"}


def image_problem(block: dict[str, Any]) -> str | None:
    """A hint when an image block's source is not one the API reads (base64 data, a URL, a file id), else None."""
    source = block.get("source")
    if not isinstance(source, dict):
        return "Add an image block: image_block(SAMPLE_IMAGE) makes one with its base64 source."
    kind = source.get("type")
    if kind == "url":
        url = str(source.get("url", ""))
        return None if url.startswith(("https://", "http://")) else "An image by URL needs 'url': 'https://...'."
    if kind == "file":
        return None if str(source.get("file_id", "")).strip() else "An image from the Files API needs its 'file_id'."
    magic = IMAGE_MAGIC.get(str(source.get("media_type")))
    try:
        data = base64.b64decode(str(source.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if kind != "base64" or magic is None or not data.startswith(magic):
        return "The image's data must be a real image in base64: use image_block(SAMPLE_IMAGE)."
    return None


def _image_turn(turn: Any) -> str | None:
    """A user turn with an image block and a question about it, in either order."""
    try:
        blocks = check_content(turn)
    except (TypeError, ValueError) as error:
        return str(error)
    if isinstance(blocks, str):
        return "Make a list of blocks: one {'type': 'image', ...} and one {'type': 'text', 'text': ...}."
    images = [b for b in blocks if b["type"] == "image"]
    if not images:
        return "Add an image block: image_block(SAMPLE_IMAGE) makes one with its base64 source."
    problem = next((p for p in map(image_problem, images) if p), None)
    if problem:
        return problem
    if not any(b["type"] == "text" for b in blocks):  # check_content refused a blank one
        return "Add a text block with your question, e.g. {'type': 'text', 'text': 'How many stripes?'}."
    return None


def body_problem(body: Any, how: str) -> str | None:
    """A hint when a request body is not complete enough to send (model, max_tokens, a valid history), else None."""
    if not isinstance(body, dict) or "messages" not in body:
        return f"Use {how}: it returns the body without sending it."
    if not isinstance(body.get("model"), str) or not body["model"].strip():
        return "A request names its model: use conv.request(...), which fills in model and max_tokens."
    if isinstance(body.get("max_tokens"), bool) or not isinstance(body.get("max_tokens"), int) or body["max_tokens"] < 1:
        return "A request says how long the reply may be: max_tokens, a whole number of at least 1."
    return valid_history(body["messages"]) if body["messages"] else "The request needs your question in messages."


def _stop_at_end(body: Any) -> str | None:
    """A request body, complete enough to send, whose stop_sequences include 'END'."""
    hint = body_problem(body, "conv.request(..., stop_sequences=[...])")
    if hint:
        return hint
    stops = body.get("stop_sequences")
    if not isinstance(stops, list | tuple) or "END" not in stops:
        return "Pass stop_sequences=['END'] (a list; other sequences may be in it too)."
    return None


def result_text(content: Any) -> str | None:
    """A tool_result's content as text (a string, or a list of text blocks), or None for another shape."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and content and all(isinstance(b, dict) and b.get("type") == "text"
                                                     and isinstance(b.get("text"), str) for b in content):
        return "".join(b["text"] for b in content)
    return None


def _tool_result_turn(turn: Any) -> str | None:
    """A user turn answering the tool_use with id GIVEN_TOOL_USE_ID with the tool's output, tool_result first."""
    if not isinstance(turn, list) or not turn or not all(isinstance(b, dict) for b in turn):
        return "A tool result travels as a list of blocks: [{'type': 'tool_result', ...}]."
    first = turn[0]
    if first.get("type") != "tool_result":
        return "Put the tool_result block first in the turn (text may follow it)."
    results = [b for b in turn if b.get("type") == "tool_result"]
    if any(b.get("tool_use_id") != GIVEN_TOOL_USE_ID for b in results) or len(results) != 1:
        return f"Answer the one tool_use there is, once: one tool_result with tool_use_id {GIVEN_TOOL_USE_ID!r}."
    text = result_text(first.get("content"))
    if text is None or " ".join(text.split()) != GIVEN_OUTPUT:
        return f"Give the tool's output as content, as it returned it: {GIVEN_OUTPUT!r} (a string, or a list of text blocks)."
    if first.get("is_error", False) is not False:
        return "The tool worked, so leave is_error out (or set it to False): True tells Claude the tool failed."
    return None


CELSIUS = {212: 100.0, 32: 0.0, -40: -40.0, 98.6: 37.0, 50: 10.0, 0: -160 / 9, 451: 2095 / 9}


def number_in(value: Any) -> float | None:
    """A tool's answer as a number: a number, or the first number in its text ('100.0 C')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    found = re.search(r"-?\d+(?:\.\d+)?", value) if isinstance(value, str) else None
    return float(found.group()) if found else None


def _celsius_tool(function: Any) -> str | None:
    """A typed, documented function of one number that converts Fahrenheit to Celsius (other parameters optional)."""
    if not callable(function):
        return "Define a function, e.g. def to_celsius(fahrenheit: float) -> float, and put its name here."
    try:
        spec = tool_spec(function)
    except Exception as error:
        return f"Your function's signature could not be read ({type(error).__name__}: {error})."
    if spec["description"] == function.__name__:
        return "Give it a one-line docstring: Claude reads it as the tool's description."
    properties = spec["input_schema"]["properties"]
    first: dict[str, Any] = next(iter(properties.values()), {})
    if first.get("type") not in ("number", "integer") or len(spec["input_schema"]["required"]) > 1:
        return "Take one number, annotated as a number (float), so the tool's input_schema says so (others need defaults)."
    for fahrenheit, celsius in CELSIUS.items():
        try:
            value = number_in(function(fahrenheit))
        except Exception as error:
            return f"Calling your function with {fahrenheit} failed ({type(error).__name__}: {error}): it takes one number."
        if value is None or not math.isclose(value, celsius, abs_tol=0.05):
            return f"{fahrenheit} F is {celsius:.2f} C, and your tool says {value}: (f - 32) * 5 / 9."
    return None


def string_field(schema: Any, name: str) -> bool:
    """Whether an object schema has a required property `name` whose type is (or includes) string."""
    field = (schema.get("properties") or {}).get(name) if isinstance(schema.get("properties"), dict) else None
    kind = field.get("type") if isinstance(field, dict) else None
    return (kind == "string" or isinstance(kind, list) and "string" in kind) and name in (schema.get("required") or [])


def _city_as_json(body: Any) -> str | None:
    """A sendable request body whose output_config.format asks for a JSON object with a required string field `city`."""
    hint = body_problem(body, "Conversation(options={'output_config': ...}).request(...)")
    if hint:
        return hint
    shape = output_format(body)
    if not isinstance(shape, dict) or shape.get("type") != "json_schema" or not isinstance(shape.get("schema"), dict):
        return "Ask for JSON with options={'output_config': {'format': {'type': 'json_schema', 'schema': {...}}}}."
    schema = shape["schema"]
    if schema.get("type") != "object" or not string_field(schema, "city"):
        return "Make the schema an object with 'city': {'type': 'string'} in its properties, and 'city' in required."
    try:
        check_request(body)
    except UnsendableHistoryError as error:
        return str(error)
    return None


# exercise id -> its check (a table, not a decorator: mutmut mutates only undecorated functions)
CHECKS: Mapping[str, Check] = MappingProxyType({
    "06.1": _image_turn, "06.2": _stop_at_end, "06.3": _city_as_json, "07.1": _tool_result_turn, "07.2": _celsius_tool,
})
