"""The structured-outputs rules (helpers/api/rules_structured.py) on requests written out by hand: the place each names,
its words, and the edges of each limit. The walk in test_rulebook.py compares a rule with itself, so a wrong path, a
garbled message or an off-by-one limit would pass there; here it fails."""

from __future__ import annotations

from typing import Any

import pytest

from helpers.api.rulebook import Request, by_name
from helpers.api.rules_structured import counts, format_schema, strict_schemas, strict_tools, subschemas

HI = {"role": "user", "content": "Hi"}
OBJ = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"], "additionalProperties": False}


def body(*messages: Any, **fields: Any) -> dict[str, Any]:
    """A request body: haiku 4.5, max_tokens 64, these messages (one "Hi" if none), and any other fields."""
    return {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": list(messages) or [HI], **fields}


def shaped(schema: Any) -> dict[str, Any]:
    """A request whose output_config.format holds this schema."""
    return body(output_config={"format": {"type": "json_schema", "schema": schema}})


def tool(name: str, schema: Any, strict: Any = True) -> dict[str, Any]:
    """A client tool with this input schema and strict flag."""
    return {"name": name, "description": "A tool.", "input_schema": schema, "strict": strict}


def found(name: str, request: Any) -> str | None:
    """What one rule finds in a request body."""
    return by_name(name).find(Request(request))


def test_the_format_schema_is_read_only_from_a_json_schema_format_with_a_schema() -> None:
    assert format_schema(shaped(OBJ)) is OBJ
    assert format_schema(["Hi"]) is None
    assert format_schema(body()) is None
    assert format_schema(body(output_config="json")) is None
    assert format_schema(body(output_config={"format": "json_schema"})) is None
    assert format_schema(body(output_config={"format": {"type": "json_schema"}})) is None
    assert format_schema(body(output_config={"format": {"type": "json_schema", "schema": "object"}})) is None


def test_strict_tools_are_those_with_strict_exactly_true() -> None:
    tools = [tool("a", OBJ), tool("b", OBJ, strict="yes"), tool("c", OBJ, strict=1), "d", tool("e", OBJ, strict=False),
             {"name": "f", "input_schema": OBJ}, tool("g", {"type": "object"})]
    assert [t["name"] for t in strict_tools(body(tools=tools))] == ["a", "g"]
    assert strict_tools(body()) == [] and strict_tools(body(tools=None)) == [] and strict_tools(["tools"]) == []


def test_the_constrained_schemas_are_the_format_s_then_each_strict_tool_s_by_its_index_among_all_tools() -> None:
    loose, odd = tool("loose", {"type": "object"}, strict=False), tool("odd", "not a schema")
    request = shaped(OBJ) | {"tools": [loose, tool("a", {"type": "object", "title": "A"}), odd, "x",
                                       tool("b", {"type": "object", "title": "B"})]}
    assert list(strict_schemas(request)) == [("output_config.format.schema", OBJ),
                                             ("tools.1.input_schema", {"type": "object", "title": "A"}),
                                             ("tools.4.input_schema", {"type": "object", "title": "B"})]
    assert list(strict_schemas(body(tools=[tool("a", OBJ)]))) == [("tools.0.input_schema", OBJ)]
    assert list(strict_schemas(body(tools=None))) == [] and list(strict_schemas("body")) == []


def test_every_schema_inside_a_schema_is_walked_with_its_path() -> None:
    leaf = {"type": "string"}
    schema = {"type": "object", "items": {"type": "integer"},
              "properties": {"a": leaf, "b": {"type": "array", "items": leaf}, "c": "not a schema"},
              "$defs": {"d": leaf}, "definitions": {"e": leaf},
              "anyOf": [leaf, {"type": "null"}], "allOf": [leaf], "oneOf": [5, leaf], "prefixItems": [leaf]}
    assert [path for path, _ in subschemas(schema, "s")] == [
        "s", "s.items", "s.properties.a", "s.properties.b", "s.properties.b.items", "s.$defs.d", "s.definitions.e",
        "s.anyOf.0", "s.anyOf.1", "s.allOf.0", "s.oneOf.1", "s.prefixItems.0"]
    walked = dict(subschemas(schema, "s"))
    assert walked["s.properties.b.items"] is leaf and walked["s.items"] == {"type": "integer"} and walked["s"] is schema
    odd = {"properties": ["a"], "$defs": "d", "anyOf": {"a": leaf}, "items": [leaf]}  # wrong shapes: nothing inside
    assert [path for path, _ in subschemas(odd, "t")] == ["t"]


UNSUPPORTED = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
               "maxItems", "uniqueItems", "minContains", "maxContains"]
WHERE = "output_config.format.schema.properties.name"


@pytest.mark.parametrize("key", UNSUPPORTED)
def test_each_unsupported_keyword_is_named_where_it_sits(key: str) -> None:
    schema = {**OBJ, "properties": {"name": {"type": "string", key: 0}}}
    assert found("output.schema", shaped(schema)) == f"{WHERE}: '{key}' is not supported in structured outputs"


SCHEMA_CASES = [
    ({"type": "array", "items": {"type": "string"}, "minItems": 0}, None),
    ({"type": "array", "items": {"type": "string"}, "minItems": 1}, None),
    ({"type": "array", "minItems": 2}, "'minItems' above 1 is not supported"),
    ({"type": "array", "minItems": "2"}, None),  # not a number: not an array constraint the page lists
    ({"type": "object", "additionalProperties": True}, "'additionalProperties' must be false"),
    ({"type": "object", "additionalProperties": {"type": "string"}}, "'additionalProperties' must be false"),
    ({"type": "object", "additionalProperties": None}, "'additionalProperties' must be false"),
    ({"type": "object", "additionalProperties": False}, None),
    ({"type": "object"}, None),
    ({"$ref": "#/$defs/person"}, None),
    ({"$ref": "https://example.com/person.json"}, "an external '$ref' is not supported"),
    ({"$ref": 5}, None),
    ({"enum": ["a", "b", 3, None]}, None),
    ({"enum": ["a", {"b": 1}]}, "an 'enum' of objects or arrays is not supported"),
    ({"enum": [["a"]]}, "an 'enum' of objects or arrays is not supported"),
    ({"enum": None}, None),
    ({"type": "integer", "maximum": 9, "minItems": 2}, "'maximum' is not supported"),  # the first problem is named
    ({"type": "array", "minItems": 2, "additionalProperties": True}, "'minItems' above 1 is not supported"),
    ({"additionalProperties": True, "$ref": "x.json", "enum": [{}]}, "'additionalProperties' must be false"),
    ({"$ref": "x.json", "enum": [{}]}, "an external '$ref' is not supported"),
]


@pytest.mark.parametrize(("schema", "problem"), SCHEMA_CASES, ids=[str(i) for i in range(len(SCHEMA_CASES))])
def test_each_schema_limitation_is_found_at_its_edge(schema: dict[str, Any], problem: str | None) -> None:
    request = shaped({**OBJ, "properties": {"name": schema}})
    assert found("output.schema", request) == (problem and f"{WHERE}: {problem} in structured outputs")


def test_the_schema_rule_reads_strict_tools_and_the_first_problem_of_the_walk() -> None:
    bad = {**OBJ, "properties": {"n": {"type": "integer", "minimum": 1}}}
    assert found("output.schema", body(tools=[tool("a", bad, strict=False), tool("b", bad)])) == \
        "tools.1.input_schema.properties.n: 'minimum' is not supported in structured outputs"
    assert found("output.schema", body(tools=[tool("a", bad, strict=False)])) is None  # a loose tool is not constrained
    nested = {**OBJ, "properties": {"list": {"type": "array", "items": {**OBJ, "additionalProperties": True}}},
              "$defs": {"x": {"type": "string", "maxLength": 3}}}
    assert found("output.schema", shaped(nested)) == \
        "output_config.format.schema.properties.list.items: 'additionalProperties' must be false in structured outputs"
    assert found("output.schema", shaped(nested) | {"tools": [tool("a", bad)]}) == \
        "output_config.format.schema.properties.list.items: 'additionalProperties' must be false in structured outputs"
    assert found("output.schema", shaped({"type": "object", "minLength": 1})) == \
        "output_config.format.schema: 'minLength' is not supported in structured outputs"
    assert found("output.schema", shaped(OBJ)) is None and found("output.schema", body()) is None


def props(count: int, *, union: int = 0) -> dict[str, Any]:
    """`count` string parameters, the first `union` of them union-typed (alternately by a type array and by anyOf)."""
    kinds = [{"type": ["string", "null"]}, {"anyOf": [{"type": "string"}, {"type": "null"}]}]
    return {f"p{i}": kinds[i % 2] if i < union else {"type": "string"} for i in range(count)}


def test_the_counts_are_strict_tools_optional_and_union_typed_parameters_over_every_strict_schema() -> None:
    first = {"type": "object", "properties": props(5, union=3), "required": ["p0", "p1"], "additionalProperties": False}
    inner = {"type": "object", "properties": {"q": {"type": "object", "properties": props(2, union=1), "required": []}},
             "required": "q"}  # required not a list: every parameter is optional
    request = shaped(first) | {"tools": [tool("a", inner), tool("b", first, strict=False), tool("c", {"type": "object"})]}
    assert counts(request) == {"strict_tools": 2, "optional_parameters": 3 + 1 + 2, "union_parameters": 3 + 1}
    odd = {"type": "object", "properties": ["p"], "required": ["p"]}
    assert counts(shaped(odd)) == {"strict_tools": 0, "optional_parameters": 0, "union_parameters": 0}
    plain = {"type": "object", "properties": {"a": "string", "b": {"type": "string"}}, "required": ["a"]}
    assert counts(shaped(plain)) == {"strict_tools": 0, "optional_parameters": 1, "union_parameters": 0}
    assert counts(body()) == {"strict_tools": 0, "optional_parameters": 0, "union_parameters": 0}


def optional(count: int, *, union: int = 0) -> dict[str, Any]:
    """A request whose format schema has `count` optional parameters, `union` of them union-typed."""
    return shaped({"type": "object", "properties": props(count, union=union), "required": [],
                   "additionalProperties": False})


def test_each_complexity_limit_allows_its_number_and_refuses_one_more() -> None:
    def strict(n: int) -> dict[str, Any]:
        return body(tools=[tool(f"t{i}", {"type": "object"}) for i in range(n)])

    assert found("output.limits", strict(20)) is None
    assert found("output.limits", strict(21)) == \
        "strict tools: 21 across the strict schemas of this request, at most 20"
    assert found("output.limits", optional(24)) is None
    assert found("output.limits", optional(25)) == \
        "optional parameters: 25 across the strict schemas of this request, at most 24"
    assert found("output.limits", optional(16, union=16)) is None
    assert found("output.limits", optional(17, union=17)) == \
        "union parameters: 17 across the strict schemas of this request, at most 16"
    assert found("output.limits", strict(21) | optional(25)) == \
        "strict tools: 21 across the strict schemas of this request, at most 20"  # the first limit is named


def test_prefill_is_refused_only_with_a_format_and_a_final_assistant_turn() -> None:
    said = "Prefilling the assistant response is not supported with output_config.format."
    prefilled = shaped(OBJ) | {"messages": [HI, {"role": "assistant", "content": "{"}]}
    assert found("output.prefill", prefilled) == said
    assert found("output.prefill", prefilled | {"output_config": {"effort": "low"}}) is None
    assert found("output.prefill", shaped(OBJ) | {"messages": [{"role": "assistant", "content": "{"}, HI]}) is None
    assert found("output.prefill", shaped(OBJ) | {"messages": [HI, {"role": "assistant", "content": "Hello"}, HI]}) is None
    assert found("output.prefill", shaped(OBJ) | {"messages": [{"role": "assistant", "content": "{"}]}) == said
    assert found("output.prefill", shaped(OBJ) | {"messages": []}) is None
    assert found("output.prefill", shaped(OBJ) | {"messages": [HI, "{"]}) is None


def document(citations: Any) -> dict[str, Any]:
    """A text document block with this citations setting."""
    return {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Ana waters."},
            "citations": citations}


def test_citations_are_refused_with_a_format_at_the_document_s_place() -> None:
    turn = {"role": "user", "content": [{"type": "text", "text": "Read:"}, document({"enabled": False}),
                                        document({"enabled": True})]}
    request = shaped(OBJ) | {"messages": [HI, {"role": "assistant", "content": "Ok."}, turn]}
    assert found("output.citations", request) == \
        "messages.2.content.2: citations cannot be enabled with output_config.format"
    assert found("output.citations", request | {"output_config": {"effort": "low"}}) is None
    for off in ({"enabled": False}, {"enabled": "yes"}, {}, True, None):
        turn_off = {"role": "user", "content": [document(off)]}
        assert found("output.citations", shaped(OBJ) | {"messages": [turn_off]}) is None
    assert found("output.citations", shaped(OBJ) | {"messages": ["Hi", HI]}) is None
