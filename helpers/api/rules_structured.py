"""The rulebook's rules about structured outputs: JSON outputs (`output_config.format`) and strict tool use.

Each rule is a statement of the structured-outputs docs page (feature compatibility, JSON Schema limitations, schema
complexity limits; checked 2026-12-02). The shape of `output_config.format` and of `strict` is checked earlier, in
rules_context. The error texts are the kit's guess at the API's wording (the page says a 400 comes "with details").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..api_facts import STRUCTURED_CHECKED, STRUCTURED_LIMITS
from .content import blocks_of, messages_of, output_format, role
from .rulebook import Request, Rule
from .rules_context import STRUCTURED_DOC

HI = {"role": "user", "content": "Hi"}
BASE = {"model": "claude-haiku-4-5", "max_tokens": 64}
SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"], "additionalProperties": False}
FORMAT = {"output_config": {"format": {"type": "json_schema", "schema": SCHEMA}}}
NUMBER_LIMITS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
UNSUPPORTED = (*NUMBER_LIMITS, "minLength", "maxLength", "maxItems", "uniqueItems", "minContains", "maxContains")
SUBSCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")


def format_schema(body: Any) -> dict[str, Any] | None:
    """The JSON schema of a request's output_config.format, or None when it asks for none."""
    shape = output_format(body)
    schema = shape.get("schema") if isinstance(shape, dict) else None
    return schema if isinstance(schema, dict) else None


def strict_tools(body: Any) -> list[dict[str, Any]]:
    """The request's client tools with strict true."""
    tools = body.get("tools") if isinstance(body, dict) else None
    return [t for t in tools or [] if isinstance(t, dict) and t.get("strict") is True]


def strict_schemas(body: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema the grammar constrains, with where it sits: the output format's, then each strict tool's."""
    schema = format_schema(body)
    if schema is not None:
        yield "output_config.format.schema", schema
    for i, tool in enumerate(body.get("tools") or [] if isinstance(body, dict) else []):
        if isinstance(tool, dict) and tool.get("strict") is True and isinstance(tool.get("input_schema"), dict):
            yield f"tools.{i}.input_schema", tool["input_schema"]


def subschemas(schema: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """A schema and every schema inside it (properties, items, anyOf/allOf/oneOf, $defs), each with its path."""
    yield path, schema
    nested: list[tuple[str, Any]] = [(f"{path}.items", schema.get("items"))]
    for key in ("properties", "$defs", "definitions"):
        named = schema.get(key)
        nested += [(f"{path}.{key}.{name}", s) for name, s in named.items()] if isinstance(named, dict) else []
    for key in SUBSCHEMA_LISTS:
        listed = schema.get(key)
        nested += [(f"{path}.{key}.{i}", s) for i, s in enumerate(listed)] if isinstance(listed, list) else []
    for where, inner in nested:
        if isinstance(inner, dict):
            yield from subschemas(inner, where)


def _unsupported_here(schema: dict[str, Any]) -> str | None:
    """The first JSON Schema feature of this one schema (not its children) that structured outputs do not support."""
    found = next((key for key in UNSUPPORTED if key in schema), None)
    if found:
        return f"'{found}' is not supported"
    if isinstance(schema.get("minItems"), int) and schema["minItems"] > 1:
        return "'minItems' above 1 is not supported"
    if "additionalProperties" in schema and schema["additionalProperties"] is not False:
        return "'additionalProperties' must be false"
    if isinstance(schema.get("$ref"), str) and not schema["$ref"].startswith("#"):
        return "an external '$ref' is not supported"
    if any(isinstance(v, dict | list) for v in schema.get("enum") or []):
        return "an 'enum' of objects or arrays is not supported"
    return None


def _unsupported(request: Request) -> str | None:
    """A schema feature outside the supported subset, in the output format's schema or a strict tool's."""
    for place, schema in strict_schemas(request.body):
        for path, inner in subschemas(schema, place):
            problem = _unsupported_here(inner)
            if problem:
                return f"{path}: {problem} in structured outputs"
    return None


def counts(body: Any) -> dict[str, int]:
    """What the complexity limits count: strict tools, optional parameters and union-typed parameters."""
    optional = unions = 0
    for place, schema in strict_schemas(body):
        for _, inner in subschemas(schema, place):
            found, wanted = inner.get("properties"), inner.get("required")
            properties: dict[str, Any] = found if isinstance(found, dict) else {}
            required: list[Any] = wanted if isinstance(wanted, list) else []
            optional += sum(1 for name in properties if name not in required)
            unions += sum(1 for p in properties.values() if isinstance(p, dict) and
                          ("anyOf" in p or isinstance(p.get("type"), list)))
    return {"strict_tools": len(strict_tools(body)), "optional_parameters": optional, "union_parameters": unions}


def _too_complex(request: Request) -> str | None:
    """More strict tools, optional parameters or union-typed parameters than the documented limits."""
    found = counts(request.body)
    over = next((k for k, most in STRUCTURED_LIMITS.value.items() if found[k] > most), None)
    if over is None:
        return None
    return f"{over.replace('_', ' ')}: {found[over]} across the strict schemas of this request, at most " \
           f"{STRUCTURED_LIMITS.value[over]}"


def _prefill(request: Request) -> str | None:
    """A final assistant message (prefill) in a request with output_config.format."""
    messages = messages_of(request.body)
    if format_schema(request.body) is None or not messages or role(messages[-1]) != "assistant":
        return None
    return "Prefilling the assistant response is not supported with output_config.format."


def _citations(request: Request) -> str | None:
    """A document with citations enabled in a request with output_config.format."""
    if format_schema(request.body) is None:
        return None
    for i, message in enumerate(messages_of(request.body)):
        for j, block in enumerate(blocks_of(message.get("content") if isinstance(message, dict) else None)):
            if isinstance(block.get("citations"), dict) and block["citations"].get("enabled") is True:
                return f"messages.{i}.content.{j}: citations cannot be enabled with output_config.format"
    return None


MANY = {f"p{i}": {"type": "string"} for i in range(25)}
STRUCTURED_RULES = (
    Rule("output.prefill", "no prefill (a final assistant turn) with output_config.format", _prefill, "refused",
         f"{STRUCTURED_DOC} (feature compatibility: 'Message Prefilling: Incompatible with JSON outputs'; the status is "
         "the kit's reading of 'incompatible')", "refuse",
         "Leave out prefill=...: output_config.format already makes the whole reply JSON that matches your schema.",
         {**BASE, **FORMAT, "messages": [HI, {"role": "assistant", "content": "{"}]}, checked=STRUCTURED_CHECKED),
    Rule("output.citations", "no document with citations enabled when output_config.format is set", _citations,
         "refused", f"{STRUCTURED_DOC} (feature compatibility: 'Returns 400 error if citations enabled with "
         "output_config.format')", "refuse", "Turn citations off on the document, or leave out output_config.format.",
         {**BASE, **FORMAT, "messages": [{"role": "user", "content": [
             {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Ana waters."},
              "citations": {"enabled": True}}, {"type": "text", "text": "Who waters?"}]}]}, checked=STRUCTURED_CHECKED),
    Rule("output.schema", "a strict schema keeps to the supported JSON Schema subset", _unsupported, "refused",
         f"{STRUCTURED_DOC} (JSON Schema limitations: not supported are numerical constraints, minLength/maxLength, "
         "array constraints beyond minItems 0 or 1, additionalProperties other than false, external $ref, complex "
         "types in enums; 'you'll receive a 400 error with details'; shared by JSON outputs and strict tools)", "refuse",
         "Remove minimum/maximum/multipleOf, minLength/maxLength and maxItems (minItems only 0 or 1), set "
         "additionalProperties to false, keep $ref inside the schema; put a limit in the field's description instead.",
         {**BASE, "output_config": {"format": {"type": "json_schema", "schema": {
             "type": "object", "properties": {"age": {"type": "integer", "minimum": 0}}, "required": ["age"],
             "additionalProperties": False}}}, "messages": [HI]}, checked=STRUCTURED_CHECKED),
    Rule("output.limits", "at most 20 strict tools, 24 optional and 16 union-typed parameters in one request",
         _too_complex, "refused", STRUCTURED_LIMITS.source, "refuse",
         "Make parameters required where a default is reasonable, cut union types, flatten nesting, or mark fewer "
         "tools strict (the docs' tips for reducing schema complexity).",
         {**BASE, "output_config": {"format": {"type": "json_schema", "schema": {
             "type": "object", "properties": MANY, "required": [], "additionalProperties": False}}},
          "messages": [HI]}, checked=STRUCTURED_CHECKED),
)
