"""Live mode never crashes on the model's choice: notebooks 06 and 07 run top to bottom against a stand-in whose
model never calls a tool and never thinks, and each cell that expected one says what came instead."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kit import live_environment

from helpers.api.rules_structured import format_schema
from helpers.config import REPO_ROOT
from helpers.replay import notebooks
from helpers.standin import StandIn
from helpers.standin.structured import sample


def plain_answer(body: dict[str, Any]) -> str:
    """A model that answers every request in plain text: no tool call, no thinking block (under output_config.format
    its text is JSON valid against the schema, as constrained decoding makes it)."""
    schema = format_schema(body)
    return json.dumps(sample(schema)) if schema is not None else "I would rather answer straight away: it may rain, so take an umbrella."


@pytest.mark.parametrize("name", ["06_content_blocks", "07_tools_and_thinking"])
def test_a_notebook_says_what_happened_when_the_model_skips_the_tool_or_the_thinking(name: str) -> None:
    with StandIn(reply=plain_answer) as server:
        nb = notebooks.execute(REPO_ROOT / "notebooks" / f"{name}.ipynb", live_environment(server.url))  # raises on an error
    text = "".join(str(out.get("text", "")) for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs)
    assert "Mode: live" in text
    if name == "07_tools_and_thinking":
        assert "reply has no tool_use block" in text and "reply has no thinking block" in text
    if name == "06_content_blocks":  # the strict tool's cell; the JSON cells still parse (their replies are JSON)
        assert "reply has no tool_use block" in text and "parsed and valid:" in text
