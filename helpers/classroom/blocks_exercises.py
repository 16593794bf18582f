"""Exercise checks of notebooks 06 (content blocks) and 07 (tools and thinking)."""

from __future__ import annotations

import math
from typing import Any

from ..blocks import check_content
from ..tools import tool_spec
from .checks import exercise

GIVEN_TOOL_USE_ID = "toolu_exercise_07"


@exercise("06.1")
def _image_turn(turn: Any) -> str | None:
    """A user turn with an image block and a question about it, in either order."""
    try:
        blocks = check_content(turn)
    except (TypeError, ValueError) as error:
        return str(error)
    if isinstance(blocks, str):
        return "Make a list of blocks: one {'type': 'image', ...} and one {'type': 'text', 'text': ...}."
    images = [b for b in blocks if b["type"] == "image"]
    if not images or not isinstance(images[0].get("source"), dict) or not images[0]["source"].get("data"):
        return "Add an image block: image_block(SAMPLE_IMAGE) makes one with its base64 source."
    if not any(b["type"] == "text" for b in blocks):
        return "Add a text block with your question, e.g. {'type': 'text', 'text': 'How many stripes?'}."
    return None


@exercise("06.2")
def _stop_at_end(body: Any) -> str | None:
    """A request body whose stop_sequences include 'END'."""
    if not isinstance(body, dict) or "messages" not in body:
        return "Use conv.request(..., stop_sequences=[...]): it returns the body without sending it."
    stops = body.get("stop_sequences")
    if not isinstance(stops, list) or "END" not in stops:
        return "Pass stop_sequences=['END'] (a list; other sequences may be in it too)."
    return None


@exercise("07.1")
def _tool_result_turn(turn: Any) -> str | None:
    """A user turn answering the tool_use with id GIVEN_TOOL_USE_ID, tool_result first."""
    if not isinstance(turn, list) or not turn or not isinstance(turn[0], dict):
        return "A tool result travels as a list of blocks: [{'type': 'tool_result', ...}]."
    first = turn[0]
    if first.get("type") != "tool_result":
        return "Put the tool_result block first in the turn (text may follow it)."
    if first.get("tool_use_id") != GIVEN_TOOL_USE_ID:
        return f"tool_use_id must be the id of the tool_use it answers: {GIVEN_TOOL_USE_ID!r}."
    content = first.get("content")
    if not (isinstance(content, str) and content.strip()) and not (isinstance(content, list) and content):
        return "Give the tool's output as content: a string such as 'Sunny, 18 C', or a list of text blocks."
    if "is_error" in first and not isinstance(first["is_error"], bool):
        return "is_error is True or False (leave it out when the tool worked)."
    return None


@exercise("07.2")
def _celsius_tool(function: Any) -> str | None:
    """A typed, documented function that converts Fahrenheit to Celsius."""
    if not callable(function):
        return "Define a function, e.g. def to_celsius(fahrenheit: float) -> float, and put its name here."
    try:
        spec = tool_spec(function)
        value = function(212)
    except Exception as error:
        return f"Calling your function failed ({type(error).__name__}: {error}): it takes one number."
    if spec["description"] == function.__name__:
        return "Give it a one-line docstring: Claude reads it as the tool's description."
    types = [p["type"] for p in spec["input_schema"]["properties"].values()]
    if types not in (["number"], ["integer"]):
        return "Annotate the one parameter as a number (float), so the tool's input_schema says so."
    if not isinstance(value, int | float) or not math.isclose(value, 100, abs_tol=0.01):
        return "212 F is 100 C: (f - 32) * 5 / 9."
    return None
