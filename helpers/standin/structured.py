"""The stand-in's structured outputs: replies to `output_config.format` are JSON valid against its schema, and strict
tools get inputs valid against their `input_schema`, as the structured-outputs docs say the API guarantees.

The stand-in's own default reply is made to fit (a sample value built from the schema). An authored reply that does
not fit is the author's mistake, not an API answer: the stand-in answers 500 with `x-should-retry: false` (so the SDK
does not retry it), saying what is wrong, and keeps it in `StandIn.authoring_errors` for the record command to report.
The documented exceptions are left alone: after stop_reason "refusal" or "max_tokens" the output may not match
(STRUCTURED_MAY_NOT_MATCH); the kit treats a reply cut by the context window like one cut by max_tokens, and does
not hold the text before a tool call to the schema (the grammar applies to Claude's direct output: its reading).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from ..api.rules_structured import format_schema, strict_tools
from ..api_facts import CONTEXT_EXCEEDED, STRUCTURED_MAY_NOT_MATCH
from .replies import Raw

AUTHORING = "Stand-in authoring error (not an API answer): the authored reply does not fit its request:"
BY_TYPE: dict[str, Any] = {"string": "example", "integer": 1, "number": 1, "boolean": True, "null": None}
UNCHECKED_STOPS = (*STRUCTURED_MAY_NOT_MATCH.value, CONTEXT_EXCEEDED.value, "tool_use")


def sample(schema: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """A value valid against a schema of the supported subset: the first enum or const, required properties only."""
    root = root or schema
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    if isinstance(schema.get("$ref"), str):
        *_, group, name = schema["$ref"].split("/")
        return sample(root.get(group, {}).get(name, {}), root)
    for key in ("anyOf", "allOf"):
        if schema.get(key):
            return sample(schema[key][0], root)
    kind = schema.get("type", "object")
    kind = next((k for k in kind if k != "null"), "null") if isinstance(kind, list) else kind
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: sample(properties.get(name, {}), root) for name in schema.get("required") or []}
    if kind == "array":
        return [sample(schema.get("items") or {}, root)] if schema.get("minItems") == 1 else []
    return BY_TYPE.get(str(kind), "example")


def mismatch(value: Any, schema: dict[str, Any]) -> str | None:
    """Why a value is not valid against a JSON schema (jsonschema's message and where), or None when it is."""
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "the top level"
        return f"{error.message} (at {where})"
    return None


def fitted(body: dict[str, Any], raw: Raw) -> Raw:
    """The stand-in's default reply made to fit: JSON text for a format request, schema-valid inputs for strict tools."""
    schema, strict = format_schema(body), {t.get("name"): t for t in strict_tools(body)}
    if not isinstance(raw, list):
        return json.dumps(sample(schema)) if schema is not None and isinstance(raw, str) else raw
    calls = any(b.get("type") == "tool_use" for b in raw)
    out = []
    for block in raw:
        if block.get("type") == "text" and schema is not None and not calls:
            block = {**block, "text": json.dumps(sample(schema))}
        elif block.get("type") == "tool_use" and block.get("name") in strict:
            block = {**block, "input": sample(strict[block["name"]].get("input_schema") or {})}
        out.append(block)
    return out


def authoring_problem(body: dict[str, Any], content: list[dict[str, Any]], stop: str) -> str | None:
    """What makes a reply impossible for this request: text that is not JSON valid against the format's schema, or a
    strict tool's call with an input its input_schema rejects (None when the reply fits)."""
    schema, strict = format_schema(body), {t.get("name"): t for t in strict_tools(body)}
    if schema is not None and stop not in UNCHECKED_STOPS:
        text = "".join(str(b.get("text", "")) for b in content if b.get("type") == "text")
        try:
            problem = mismatch(json.loads(text), schema)
        except ValueError as error:
            problem = f"its text is not JSON ({error}): {text[:80]!r}"
        if problem:
            return f"output_config.format: {problem}"
    names = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
    for block in (b for b in content if b.get("type") == "tool_use"):
        if strict and block.get("name") not in names:
            return f"tool_use names {block.get('name')!r}, which is not one of the request's tools"
        tool = strict.get(block.get("name"))
        problem = mismatch(block.get("input"), tool.get("input_schema") or {}) if tool else None
        if problem:
            return f"strict tool {block['name']!r}: its input {problem}"
    return None


def authoring_failure(handler: Any, problem: str) -> None:
    """Answer 500 with x-should-retry false (the SDK gives up at once), and keep the problem for the record command."""
    handler.standin.authoring_errors.append(problem)
    payload = json.dumps({"type": "error", "error": {"type": "api_error", "message": f"{AUTHORING} {problem}"}}).encode()
    handler.send_response(500)
    for name, value in (("content-type", "application/json"), ("content-length", str(len(payload))),
                        ("x-should-retry", "false"), ("request-id", f"req_standin_{handler.standin.next_id()}")):
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(payload)
