"""Exercise checks, by property: generated right answers (other names, defaults, whitespace, case, equivalent forms)
pass, and mutations of them (the known wrong answers of issue 18) get a hint."""

from __future__ import annotations

import base64
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings

import helpers.classroom.exercises  # noqa: F401  (registers the checks)
from helpers import Conversation
from helpers.api_facts import MODEL_IDS
from helpers.classroom.checks import passes
from helpers.classroom.exercises import BRIEF_SENTENCES
from helpers.memory import BlockTrim, FullHistory, SlidingWindow
from helpers.pictures import SAMPLE_IMAGE, image_block

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
spaces = st.sampled_from(["", " ", "  ", "\n", "\t "])
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=30).filter(str.strip)


def recased(text: str) -> st.SearchStrategy[str]:
    """The text in lower, upper, title or its own case."""
    return st.sampled_from([text, text.lower(), text.upper(), text.title()])


def as_blocks(text: str) -> st.SearchStrategy[Any]:
    """The text as a string, or as one text block."""
    return st.sampled_from([text, [{"type": "text", "text": text}]])


# 01.1 -----------------------------------------------------------------------------------------------------
@st.composite
def translation_requests(draw: st.DrawFn) -> dict[str, Any]:
    """A right answer to 01.1: any model id the SDK knows, a short max_tokens, French asked for in any wording."""
    french = draw(recased("French"))
    system = draw(st.sampled_from([f"You translate English into {french}. Reply with the translation only.",
                                   f"Translate into {french}; give only the translation.", f"Answer in {french} only."]))
    asked = draw(recased("Good morning")) + draw(st.sampled_from(["", "!", "."]))
    return {"model": draw(st.sampled_from(MODEL_IDS.value)), "max_tokens": draw(st.integers(1, 100)),
            "system": draw(as_blocks(draw(spaces) + system + draw(spaces))),
            "messages": [{"role": "user", "content": draw(as_blocks(draw(spaces) + asked))}]}


@FAST
@given(translation_requests())
def test_01_1_accepts_every_right_request(body: dict[str, Any]) -> None:
    assert passes("01.1", body)


@FAST
@given(translation_requests(), st.sampled_from(["banana", "gpt-4o", "claude", "haiku", ""]),
       st.sampled_from([0, 101, 5000, True]), st.sampled_from(["Spanish", "German", "Italian"]))
def test_01_1_rejects_a_made_up_model_a_long_reply_and_a_second_language(
        body: dict[str, Any], model: str, max_tokens: int, other: str) -> None:
    assert not passes("01.1", {**body, "model": model})
    assert not passes("01.1", {**body, "max_tokens": max_tokens})
    assert not passes("01.1", {**body, "system": f"Translate into French and {other}."})  # only French
    assert not passes("01.1", {**body, "messages": [*body["messages"], {"role": "assistant", "content": "Bonjour"}]})
    assert not passes("01.1", {k: v for k, v in body.items() if k != "system"})


# 02.2 -----------------------------------------------------------------------------------------------------
QUESTION, PYTHON, NEVER = "What would you like to learn today?", "Python, please.", "I have never programmed before."


@st.composite
def fixed_histories(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A right answer to 02.2: a user turn first, Claude's question, then both user lines, merged or split by a reply."""
    hello = draw(st.sampled_from(["Hello!", "Hi", "Hi there.", "Good morning"]))
    question = draw(st.sampled_from([QUESTION, f"Hi! {QUESTION}", f"Welcome! {QUESTION}"]))
    start = [{"role": "user", "content": hello}, {"role": "assistant", "content": question}]
    if draw(st.booleans()):
        joint = draw(st.sampled_from([" ", "\n", "  "]))
        return [*start, {"role": "user", "content": draw(as_blocks(f"{PYTHON}{joint}{NEVER}"))}]
    between = draw(st.sampled_from(["Great choice!", "Tell me more."]))
    return [*start, {"role": "user", "content": PYTHON}, {"role": "assistant", "content": between},
            {"role": "user", "content": NEVER}]


@FAST
@given(fixed_histories())
def test_02_2_accepts_every_fix_that_keeps_the_text_in_order(history: list[dict[str, Any]]) -> None:
    assert passes("02.2", history)


def test_02_2_rejects_an_answer_before_its_question_a_lost_line_and_a_swapped_speaker() -> None:
    before = [{"role": "user", "content": PYTHON}, {"role": "assistant", "content": QUESTION},
              {"role": "user", "content": NEVER}]
    assert not passes("02.2", before)
    assert not passes("02.2", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": QUESTION},
                               {"role": "user", "content": PYTHON}])
    assert not passes("02.2", [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": f"{PYTHON} {NEVER}"},
                               {"role": "user", "content": "ok"}])
    assert not passes("02.2", [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": QUESTION},
                               {"role": "user", "content": f"{NEVER} {PYTHON}"}])


# 03.1 and 03.2 --------------------------------------------------------------------------------------------
@FAST
@given(st.sampled_from(["", "Project brief:\n", "Brief from before: "]), spaces, st.sampled_from(["", "\nBe brief."]))
def test_03_1_accepts_the_brief_in_any_system_prompt_and_needs_an_empty_history(head: str, gap: str, tail: str) -> None:
    system = head + (gap or " ").join(BRIEF_SENTENCES)
    assert passes("03.1", Conversation(system=system + tail))
    started = Conversation(system=system, messages=[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}])
    assert not passes("03.1", started)  # a new chat starts empty
    assert not passes("03.1", Conversation(system=" ".join(BRIEF_SENTENCES[:-1])))


SITUATIONS = {"ask for a shorter version of the schedule": "continue", "ask for a pasta recipe": "new chat",
              "refer back to day 3 of the plan": "continue",
              "the conversation is 80 turns long and Claude mixes up old drafts": "new chat"}


@FAST
@given(st.fixed_dictionaries({k: st.tuples(recased(v), spaces, st.booleans()) for k, v in SITUATIONS.items()}))
def test_03_2_reads_any_case_spacing_or_hyphen(drawn: dict[str, tuple[str, str, bool]]) -> None:
    answers = {k: f"{gap}{text.replace(' ', '-') if hyphen else text}{gap}" for k, (text, gap, hyphen) in drawn.items()}
    assert passes("03.2", answers)
    flipped = next(iter(SITUATIONS))
    assert not passes("03.2", {**answers, flipped: "new chat"})


# 04.1 and 05.1 --------------------------------------------------------------------------------------------
def test_04_1_rejects_a_cheap_strategy_that_drops_the_facts_and_a_dear_one_that_keeps_them() -> None:
    assert passes("04.1", BlockTrim(9000, 15, pinned=[0, 1, 2], cache=True))
    assert passes("04.1", BlockTrim(9000, 15, pinned=[2, 1, 0], cache=True))
    assert not passes("04.1", BlockTrim(9000, 15, cache=True))  # cheap, but the early facts are gone
    assert not passes("04.1", BlockTrim(9000, 15, pinned=[0], cache=True))
    assert not passes("04.1", FullHistory(cache=True))  # remembers, but bills everything


def test_05_1_needs_both_the_window_and_the_reply_cap() -> None:
    from helpers.chat import ChatWidget

    assert passes("05.1", ChatWidget(Conversation(memory=SlidingWindow(3), max_tokens=150)))
    assert not passes("05.1", ChatWidget(Conversation(memory=SlidingWindow(3), max_tokens=200)))
    assert not passes("05.1", ChatWidget(Conversation(memory=SlidingWindow(4), max_tokens=150)))


# 06.1 and 06.2 --------------------------------------------------------------------------------------------
IMAGE = image_block(SAMPLE_IMAGE)
URL_IMAGE = {"type": "image", "source": {"type": "url", "url": "https://example.com/flag.png"}}


@FAST
@given(st.sampled_from([IMAGE, URL_IMAGE]), recased("How many stripes are there?"), st.booleans())
def test_06_1_accepts_an_image_by_data_or_url_with_a_question_in_either_order(image: Any, text: str, first: bool) -> None:
    question = {"type": "text", "text": text}
    assert passes("06.1", [image, question] if first else [question, image])


@FAST
@given(st.binary(min_size=1, max_size=64).filter(lambda b: not b.startswith(b"\x89PNG")))
def test_06_1_rejects_an_image_whose_data_is_not_an_image(junk: bytes) -> None:
    garbage = {"type": "image", "source": {**IMAGE["source"], "data": base64.b64encode(junk).decode()}}
    assert not passes("06.1", [garbage, {"type": "text", "text": "How many stripes?"}])
    assert not passes("06.1", [{"type": "image", "source": {**IMAGE["source"], "data": "not base64 at all!"}},
                               {"type": "text", "text": "How many stripes?"}])
    assert not passes("06.1", [IMAGE])


@FAST
@given(st.lists(st.sampled_from(["STOP", "\n\n", "###", "Done"]), max_size=3), st.integers(1, 4096), words)
def test_06_2_accepts_any_sendable_body_that_stops_at_end(others: list[str], max_tokens: int, text: str) -> None:
    body = Conversation(max_tokens=max_tokens).request(text, stop_sequences=[*others, "END"])
    assert passes("06.2", body)
    assert not passes("06.2", {k: v for k, v in body.items() if k != "model"})
    assert not passes("06.2", {k: v for k, v in body.items() if k != "max_tokens"})
    assert not passes("06.2", {**body, "messages": []})
    assert not passes("06.2", {**body, "stop_sequences": others or ["end"]})


@st.composite
def city_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A right answer to 06.3: any question, a schema with a required string `city`, other fields, titles, optional parts."""
    others = draw(st.dictionaries(st.sampled_from(["country", "population", "river", "note"]),
                                  st.sampled_from([{"type": "string"}, {"type": "integer"}, {"type": "boolean"}]), max_size=3))
    city = {"type": draw(st.sampled_from(["string", ["string", "null"]])), **draw(st.sampled_from([{}, {"description": "A city"}]))}
    schema: dict[str, Any] = {"type": "object", "properties": {**others, "city": city},
                              "required": ["city", *draw(st.lists(st.sampled_from(sorted(others) or ["city"]), unique=True))]}
    schema.update(draw(st.sampled_from([{}, {"additionalProperties": False}, {"title": "Answer"}])))
    schema["required"] = list(dict.fromkeys(schema["required"]))
    output_config = {"format": {"type": "json_schema", "schema": schema}}
    return Conversation(max_tokens=draw(st.integers(1, 4096)), options={"output_config": output_config}).request(draw(words))


@FAST
@given(city_bodies())
def test_06_3_accepts_any_sendable_body_asking_for_json_with_a_string_city(body: dict[str, Any]) -> None:
    assert passes("06.3", body)
    schema = body["output_config"]["format"]["schema"]
    assert not passes("06.3", {k: v for k, v in body.items() if k != "output_config"})
    assert not passes("06.3", {**body, "output_config": {"format": {"type": "json", "schema": schema}}})
    assert not passes("06.3", {**body, "messages": [*body["messages"], {"role": "assistant", "content": "{"}]})
    without = {**schema, "required": [n for n in schema["required"] if n != "city"]}
    as_number = {**schema, "properties": {**schema["properties"], "city": {"type": "integer"}}}
    limited = {**schema, "properties": {**schema["properties"], "city": {"type": "string", "maxLength": 40}}}
    for wrong in (without, as_number, limited):
        assert not passes("06.3", {**body, "output_config": {"format": {"type": "json_schema", "schema": wrong}}})


# 07.1 -----------------------------------------------------------------------------------------------------
RESULT = {"type": "tool_result", "tool_use_id": "toolu_exercise_07"}


@FAST
@given(st.sampled_from(["Sunny, 18 C", " Sunny, 18 C ", "Sunny,  18 C"]), st.booleans(), st.sampled_from([None, False]),
       st.booleans())
def test_07_1_accepts_the_output_as_text_or_blocks_with_or_without_is_error_false(
        output: str, blocks: bool, is_error: bool | None, thanks: bool) -> None:
    content: Any = [{"type": "text", "text": output}] if blocks else output
    block = {**RESULT, "content": content, **({} if is_error is None else {"is_error": is_error})}
    assert passes("07.1", [block, *([{"type": "text", "text": "Thanks"}] if thanks else [])])


def test_07_1_rejects_an_extra_unknown_result_a_wrong_is_error_and_wrong_content() -> None:
    right = {**RESULT, "content": "Sunny, 18 C"}
    assert not passes("07.1", [right, {"type": "tool_result", "tool_use_id": "toolu_other", "content": "x"}])
    assert not passes("07.1", [right, right])
    assert not passes("07.1", [{**right, "is_error": True}])
    assert not passes("07.1", [{**right, "is_error": "no"}])
    assert not passes("07.1", [{**right, "content": "Rain, 9 C"}])
    assert not passes("07.1", [{**right, "content": ""}])
    assert not passes("07.1", [{"type": "text", "text": "Thanks"}, right])


# 07.2 -----------------------------------------------------------------------------------------------------
RIGHT_FORMULAS = ["(x - 32) * 5 / 9", "(x - 32) / 1.8", "5 * (x - 32) / 9", "(x - 32) * (5 / 9)", "round((x - 32) / 1.8, 2)"]
WRONG_FORMULAS = ["(x - 32) * 9 / 5", "(x + 32) * 5 / 9", "x * 5 / 9", "(x - 32) * 5 // 9", "100.0", "(x - 32) * 5 / 9 + 1",
                  "x - 32", "(x - 30) / 2"]


def make_tool(formula: str, *, name: str = "f", kind: str = "float", default: str = "", extra: str = "",
              text: bool = False, doc: bool = True) -> Any:
    """A function of one number built from a formula, with the given parameter name, annotation and options."""
    body = f"str({formula.replace('x', name)}) + ' C'" if text else formula.replace("x", name)
    ret = "str" if text else "float"
    source = (f"def tool({name}: {kind}{default}{extra}) -> {ret}:\n"
              + ('    """Convert Fahrenheit to Celsius."""\n' if doc else "") + f"    return {body}\n")
    space: dict[str, Any] = {}
    exec(source, space)  # a learner's function, written many ways
    return space["tool"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(RIGHT_FORMULAS), st.sampled_from(["fahrenheit", "f", "temp", "degrees_f"]),
       st.sampled_from(["float", "int"]), st.sampled_from(["", " = 32.0"]), st.sampled_from(["", ", digits: int = 2"]),
       st.booleans())
def test_07_2_accepts_every_right_tool(formula: str, name: str, kind: str, default: str, extra: str, text: bool) -> None:
    assert passes("07.2", make_tool(formula, name=name, kind=kind, default=default, extra=extra, text=text))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(WRONG_FORMULAS), st.sampled_from(["fahrenheit", "f"]), st.booleans())
def test_07_2_rejects_every_wrong_formula(formula: str, name: str, text: bool) -> None:
    assert not passes("07.2", make_tool(formula, name=name, text=text))


def test_07_2_rejects_a_tool_without_a_docstring_or_a_number() -> None:
    assert not passes("07.2", make_tool(RIGHT_FORMULAS[0], doc=False))
    assert not passes("07.2", make_tool("0", kind="str"))
    assert not passes("07.2", make_tool(RIGHT_FORMULAS[0], extra=", digits: int"))  # a second required parameter


@pytest.mark.parametrize("answer", [None, 0, "x", [], {}])
def test_every_check_gives_a_hint_for_a_wrong_shape(answer: Any) -> None:
    from helpers.classroom.exercises import CHECKS

    for exercise_id in CHECKS:
        assert not passes(exercise_id, answer), exercise_id


# 08.1 and 08.2 --------------------------------------------------------------------------------------------
CLEAR_30K = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 30000},
             "keep": {"type": "tool_uses", "value": 5}, "exclude_tools": ["memory"]}
optional_options = st.fixed_dictionaries({}, optional={
    "clear_at_least": st.builds(lambda n: {"type": "input_tokens", "value": n}, st.integers(0, 50_000)),
    "clear_tool_inputs": st.one_of(st.booleans(), st.lists(st.sampled_from(["plot_log", "memory"]), max_size=2)),
    "exclude_tools": st.lists(st.sampled_from(["plot_log", "search"]), max_size=2).map(lambda names: ["memory", *names]),
})
thinking_edit = st.sampled_from([[], [{"type": "clear_thinking_20251015"}],
                                 [{"type": "clear_thinking_20251015", "keep": {"type": "thinking_turns", "value": 2}}]])


@FAST
@given(optional_options, thinking_edit, st.booleans())
def test_08_1_accepts_the_clearing_with_any_optional_options_and_a_thinking_edit(
        options: dict[str, Any], others: list[dict[str, Any]], thinking_first: bool) -> None:
    edits = [*others, {**CLEAR_30K, **options}] if thinking_first else [{**CLEAR_30K, **options}, *others]
    assert passes("08.1", {"edits": edits})


@pytest.mark.parametrize("change", [{"trigger": {"type": "input_tokens", "value": 3000}},
                                    {"trigger": {"type": "tool_uses", "value": 30000}},
                                    {"keep": {"type": "tool_uses", "value": 3}}, {"keep": 5},
                                    {"exclude_tools": ["plot_log"]}, {"exclude_tools": "memory"}])
def test_08_1_rejects_a_wrong_trigger_keep_or_exclusion(change: dict[str, Any]) -> None:
    assert not passes("08.1", {"edits": [{**CLEAR_30K, **change}]})
    assert not passes("08.1", {"edits": [CLEAR_30K, CLEAR_30K]})  # one clearing, not two
    assert not passes("08.1", {"edits": [CLEAR_30K, {"type": "compact_20260112"}]})
    assert not passes("08.1", [CLEAR_30K])


CACHE_SITUATIONS = {"the same history with one new turn added": "read",
                    "the first request after clear_tool_uses cleared new results": "write",
                    "the next turn, when no new results were cleared": "read",
                    "a timestamp added to the start of the system prompt": "write"}


@FAST
@given(st.fixed_dictionaries({k: st.tuples(recased(v), spaces) for k, v in CACHE_SITUATIONS.items()}))
def test_08_2_reads_any_case_and_spacing(drawn: dict[str, tuple[str, str]]) -> None:
    answers = {k: f"{gap}{text}{gap}" for k, (text, gap) in drawn.items()}
    assert passes("08.2", answers)
    for situation, right in CACHE_SITUATIONS.items():
        assert not passes("08.2", {**answers, situation: "write" if right == "read" else "read"})
