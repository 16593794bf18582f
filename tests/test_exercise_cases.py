"""Exercise 01.1 with its system prompt and turn written as content blocks, as the API also takes them (test_exercises.py
writes them as strings): the check reads the text of the text blocks, whatever else the content holds."""

from __future__ import annotations

import re

import pytest

from helpers.classroom.checks import hint_for
from helpers.classroom.exercises import text_of


def test_the_text_of_content_is_its_text_blocks_joined_and_nothing_else() -> None:
    blocks = [{"type": "text", "text": "Translate"}, {"type": "image"}, "stray", {"type": "text"}, {"type": "text", "text": "it"}]
    assert text_of(blocks) == "Translate  it"  # a text block without text adds an empty part
    assert text_of("as is") == "as is" and text_of(None) == "" and text_of({"type": "text", "text": "x"}) == ""


def test_a_translation_request_written_in_blocks_passes_and_a_spanish_one_does_not() -> None:
    def body(system: str) -> dict[str, object]:
        return {"model": "claude-haiku-4-5", "max_tokens": 50, "system": [{"type": "text", "text": system}],
                "messages": [{"role": "user", "content": [{"type": "text", "text": "Good morning"}]}]}

    assert hint_for("01.1", body("Translate into French. Reply with the translation only.")) is None
    assert hint_for("01.1", body("Translate into Spanish. Reply with the translation only.")) is not None
    assert hint_for("01.1", body("   ")) is not None


# Every hint of notebooks 00-05's checks, each from an answer that earns it, written out by hand: a check that gives the
# wrong hint (or a garbled one) misleads a learner as much as one that passes a wrong answer.
BLOG = [{"role": "user", "content": "I want to start a blog. Can you help me plan a blog strategy?"},
        {"role": "assistant", "content": "Who is the audience?"}, {"role": "user", "content": "Beginners in tech."},
        {"role": "assistant", "content": "A strategy..."},
        {"role": "user", "content": "Great. Now create a one-week content plan for that audience."}]
QUESTION = {"role": "user", "content": "Which post should I write first?"}
PLAN = "Monday: why it matters"  # 22 characters
FRENCH = {"model": "claude-haiku-4-5", "max_tokens": 50, "system": "Translate into French. Reply with the translation only.",
          "messages": [{"role": "user", "content": "Good morning"}]}
QUESTION_02 = "What would you like to learn today?"
SITUATIONS = {"ask for a shorter version of the schedule": "continue", "ask for a pasta recipe": "new chat",
              "refer back to day 3 of the plan": "continue",
              "the conversation is 80 turns long and Claude mixes up old drafts": "new chat"}
BRIEF = ("Audience: beginners learning programming. Length: two weeks, one topic per day. Posts: under 800 words, each "
         "ending with a ten-minute exercise. Week 2: small hands-on projects.")
ALTERNATE = ("Messages 0 and 1 are both 'user' turns. The kit keeps turns alternating (its own rule; the API would combine "
             "them into one turn): merge the two or add the missing turn.")
HISTORY_02 = [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": f"Hi! {QUESTION_02}"},
              {"role": "user", "content": "Python, please. I have never programmed before."}]


def chat_cases() -> list[tuple[str, object, str | None]]:
    """Cases whose answers are objects of the kit (built when the tests are collected: no request is sent)."""
    from helpers.chat import ChatWidget
    from helpers.conversation import Conversation
    from helpers.memory import BlockTrim, FullHistory, SlidingWindow

    started = Conversation(system=f"Project brief:\n{BRIEF}")
    started.messages.append({"role": "user", "content": "Hi"})
    return [
        ("03.1", "a system prompt", "Make a Conversation: Conversation(system=...)."),
        ("03.1", Conversation(), "Put the whole brief_text into the system prompt, e.g. system=f'Project brief:\\n{brief_text}'."),
        ("03.1", Conversation(system=BRIEF[:-1]), "Put the whole brief_text into the system prompt, e.g. system=f'Project brief:\\n{brief_text}'."),
        ("03.1", started, "A new chat starts with an empty history: the brief carries the decisions."),
        ("03.1", Conversation(system=f"Project brief:\n{BRIEF}"), None),
        ("04.1", "BlockTrim", "Use a strategy from helpers.memory, e.g. BlockTrim(...) or SlidingWindow(...)."),
        ("04.1", SlidingWindow(4), "Some early facts are dropped: pin exchanges 0, 1 and 2 with pinned=[0, 1, 2]."),
        ("04.1", FullHistory(cache=True), "It bills 100% of the full history with caching. Cache a stable prefix longer than "
                                          "the 4,096-token minimum: trim in blocks, with a budget above it."),
        ("04.1", BlockTrim(9000, 15, pinned=[0, 1, 2], cache=True), None),
        ("04.2", "window", "Use SlidingWindow with a window of 4 exchanges."),
        ("04.2", SlidingWindow(5, pinned=[0]), "Use SlidingWindow with a window of 4 exchanges."),
        ("04.2", SlidingWindow(4, pinned=[0, 1]), "Pin the first exchange: pinned=[0]."),
        ("04.2", SlidingWindow(4, pinned=[0]), None),
        ("05.1", Conversation(), "Make a ChatWidget: ChatWidget(Conversation(...))."),
        ("05.1", ChatWidget(Conversation(memory=SlidingWindow(4), max_tokens=150)),
         "Give the conversation memory=SlidingWindow(3), or pick 'sliding window (3 exchanges)' with chat.set_memory(...)."),
        ("05.1", ChatWidget(Conversation(memory=BlockTrim(9000, 15), max_tokens=150)),
         "Give the conversation memory=SlidingWindow(3), or pick 'sliding window (3 exchanges)' with chat.set_memory(...)."),
        ("05.1", ChatWidget(Conversation(memory=SlidingWindow(3), max_tokens=149)),
         "Cap the replies: max_tokens=150 (or chat.set_max_tokens(150))."),
        ("05.1", ChatWidget(Conversation(memory=SlidingWindow(3), max_tokens=150)), None),
    ]


CASES: list[tuple[str, object, str | None]] = [
    ("00.1", "replay", "With a key and no CONVERSE_KIT_MODE, which mode does choose_mode() pick?"),
    ("00.1", "live", None),
    ("00.2", "MODEL_VAR", "Look for MODEL_VAR in helpers/config.py (helpers.config.MODEL_VAR)."),
    ("00.2", "CONVERSE_KIT_MODEL", None),
    ("01.1", ["model"], "Build a dict with the keys model, max_tokens, system and messages."),
    ("01.1", {"model": "claude-haiku-4-5"}, "Your request is missing: max_tokens, messages, system."),
    ("01.1", {k: v for k, v in FRENCH.items() if k != "system"}, "Your request is missing: system."),
    ("01.1", {**FRENCH, "model": "claude-french"},
     "model is a model id the SDK knows, e.g. model() (the kit's default, claude-haiku-4-5)."),
    ("01.1", {**FRENCH, "model": ["claude-haiku-4-5"]},
     "model is a model id the SDK knows, e.g. model() (the kit's default, claude-haiku-4-5)."),
    ("01.1", {**FRENCH, "model": " claude-haiku-4-5 "}, None),
    ("01.1", {**FRENCH, "system": "  "}, "system is a string of instructions, e.g. 'You translate English into French. "
                                         "Reply with the translation only.'"),
    *[("01.1", {**FRENCH, "max_tokens": wrong}, "A translation of a few words needs few tokens: set max_tokens between 1 "
                                                "and 100.") for wrong in (True, 0, 101, 50.0, "50")],
    ("01.1", {**FRENCH, "max_tokens": 1}, None),
    ("01.1", {**FRENCH, "max_tokens": 100}, None),
    ("01.1", {**FRENCH, "messages": [{"role": "user", "content": "Good"}, {"role": "user", "content": "morning"}]},
     ALTERNATE),
    ("01.1", {**FRENCH, "messages": [FRENCH["messages"][0], {"role": "assistant", "content": "Bonjour"},  # type: ignore[index]
                                     {"role": "user", "content": "Good morning"}]},
     "A single-turn prompt has one user message; ask for 'Good morning' to be translated."),
    ("01.1", {**FRENCH, "messages": [{"role": "user", "content": "Good evening"}]},
     "A single-turn prompt has one user message; ask for 'Good morning' to be translated."),
    ("01.1", {**FRENCH, "messages": [{"role": "user", "content": "  GOOD \n Morning "}]}, None),
    ("01.1", {**FRENCH, "system": "Translate. Reply with the translation only."},
     "Ask for French, and only French: say so in the system prompt."),
    ("01.1", {**FRENCH, "system": "Translate into French or German."},
     "Ask for French, and only French: say so in the system prompt."),
    ("01.1", {**FRENCH, "system": "Reply with the translation only.",
              "messages": [{"role": "user", "content": "Good morning, in French please"}]}, None),
    ("01.2", "end_turn", "Look at stop_reason of the reply that was cut off in this notebook."),
    ("01.2", "max_tokens", None),
    ("02.1", [*BLOG[:4], BLOG[4], BLOG[4]], "Messages 4 and 5 are both 'user' turns. The kit keeps turns alternating (its "
                                            "own rule; the API would combine them into one turn): merge the two or add "
                                            "the missing turn."),
    ("02.1", [*BLOG, {"role": "assistant", "content": PLAN}],
     "Start from `history` (five messages, ending with the plan request), add the plan as the reply, then the question."),
    ("02.1", [{"role": "user", "content": "Plan my garden"}, *BLOG[1:], {"role": "assistant", "content": PLAN}, QUESTION],
     "Start from `history` (five messages, ending with the plan request), add the plan as the reply, then the question."),
    ("02.1", [*BLOG, {"role": "assistant", "content": PLAN[:19]}, QUESTION],
     "The sixth message is Claude's content plan: second.content[0].text, with role 'assistant'."),
    ("02.1", [*BLOG, {"role": "assistant", "content": [{"type": "text", "text": PLAN}]}, QUESTION],
     "The sixth message is Claude's content plan: second.content[0].text, with role 'assistant'."),
    ("02.1", [*BLOG, {"role": "assistant", "content": PLAN[:20]}, QUESTION], None),
    ("02.1", [*BLOG, {"role": "assistant", "content": PLAN}, {"role": "user", "content": "Which post first?"}],
     "The last message is your new question, exactly: Which post should I write first?"),
    ("02.1", [*BLOG, {"role": "assistant", "content": PLAN}, QUESTION], None),
    ("02.2", [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi!"},
              {"role": "user", "content": "Python, please. I have never programmed before."}],
     f"Keep every message's text, with its speaker: {QUESTION_02!r} belongs in an assistant message."),
    ("02.2", [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": f"Hi! {QUESTION_02} Python, please."},
              {"role": "user", "content": "I have never programmed before."}],
     "Keep every message's text, with its speaker: 'Python, please.' belongs in a user message."),
    ("02.2", [{"role": "user", "content": "Python, please."}, {"role": "assistant", "content": f"Hi! {QUESTION_02}"},
              {"role": "user", "content": "I have never programmed before."}],
     "Keep the turns in their order: Claude's question first, then your answer, then the rest of it."),
    ("02.2", [*HISTORY_02[:2], {"role": "user", "content": "I have never programmed before. Python, please."}],
     "Keep the turns in their order: Claude's question first, then your answer, then the rest of it."),
    ("02.2", HISTORY_02, None),
    ("02.2", "Hello", "The history must be a list of messages, not str."),
    ("02.2", [*HISTORY_02[:2], HISTORY_02[2], HISTORY_02[2]], "Messages 2 and 3 are both 'user' turns. The kit keeps turns "
     "alternating (its own rule; the API would combine them into one turn): merge the two or add the missing turn."),
    ("02.2", [*HISTORY_02[:2], {"role": "user", "content": [{"type": "text", "text": "Python, please."},
                                                           {"type": "text", "text": "I have never programmed before."}]}],
     None),
    ("03.2", [*SITUATIONS.values()], 'Answer with the dict from the cell above, each ... replaced by "continue" or '
                                     '"new chat".'),
    ("03.2", {**SITUATIONS, "ask for a pasta recipe": "continue"},
     "Think again about: 'ask for a pasta recipe'. Does it need the earlier turns, or are they in the way?"),
    ("03.2", {**SITUATIONS, "refer back to day 3 of the plan": None},
     "Think again about: 'refer back to day 3 of the plan'. Does it need the earlier turns, or are they in the way?"),
    ("03.2", {k: v for k, v in SITUATIONS.items() if k != "ask for a shorter version of the schedule"},
     "Think again about: 'ask for a shorter version of the schedule'. Does it need the earlier turns, or are they in "
     "the way?"),
    ("03.2", {k: f"  {v.upper().replace(' ', '-')} " for k, v in SITUATIONS.items()}, None),
    ("05.2", ["cut_off", True], "Answer with a dict: {'stop_reason': ..., 'in_history': ...}."),
    ("05.2", {"stop_reason": "cut_off"}, "Answer with a dict: {'stop_reason': ..., 'in_history': ...}."),
    ("05.2", {"stop_reason": "cut_off", "in_history": True, "text": ""},
     "Answer with a dict: {'stop_reason': ..., 'in_history': ...}."),
    ("05.2", {"stop_reason": "end_turn", "in_history": True}, "Look at stopped.stop_reason in section 3: the kit's own "
                                                              "marker for a stopped reply (helpers.chat.streaming.CUT_OFF)."),
    ("05.2", {"stop_reason": "cut_off", "in_history": False},
     "Is the stopped reply's text in trial.messages? Check the last message."),
    ("05.2", {"stop_reason": "cut_off", "in_history": 1},
     "Is the stopped reply's text in trial.messages? Check the last message."),
    ("05.2", {"stop_reason": "cut_off", "in_history": True}, None),
]


@pytest.mark.parametrize(("exercise_id", "answer", "hint"), [*CASES, *chat_cases()])
def test_each_check_gives_the_hint_its_answer_earns(exercise_id: str, answer: object, hint: str | None) -> None:
    assert hint_for(exercise_id, answer) == hint


# Notebooks 06-08. A hint that is the rulebook's own refusal is checked by its start (the rulebook's tests hold the rest).
def blocks_cases() -> list[tuple[str, object, str | None]]:
    """Cases for the checks of 06, 07 and 08 (image blocks, request bodies, tool results and tools, context edits)."""
    from helpers.conversation import Conversation
    from helpers.pictures import SAMPLE_IMAGE, image_block

    image = image_block(SAMPLE_IMAGE)
    question = {"type": "text", "text": "How many stripes?"}
    no_image = "Add an image block: image_block(SAMPLE_IMAGE) makes one with its base64 source."
    not_real = "The image's data must be a real image in base64: use image_block(SAMPLE_IMAGE)."
    png = image["source"]["data"]
    body = Conversation().request("Where is the Eiffel Tower?")
    city = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}

    def fmt(schema: object) -> dict[str, object]:
        return {**body, "output_config": {"format": {"type": "json_schema", "schema": schema}}}

    use = "Use conv.request(..., stop_sequences=[...]): it returns the body without sending it."
    schema_hint = "Make the schema an object with 'city': {'type': 'string'} in its properties, and 'city' in required."
    return [
        ("06.1", 5, "A message must be a string of text, not int. Example: conv.send('Hello')"),
        ("06.1", "How many stripes?", "Make a list of blocks: one {'type': 'image', ...} and one {'type': 'text', 'text': ...}."),
        ("06.1", [question], no_image),
        ("06.1", [{"type": "image", "source": "a picture"}, question], no_image),
        ("06.1", [{"type": "image", "source": {"type": "url", "url": "ftp://example.com/a.png"}}, question],
         "An image by URL needs 'url': 'https://...'."),
        ("06.1", [{"type": "image", "source": {"type": "url", "url": "http://example.com/a.png"}}, question], None),
        ("06.1", [{"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}, question], None),
        ("06.1", [{"type": "image", "source": {"type": "file", "file_id": " "}}, question],
         "An image from the Files API needs its 'file_id'."),
        ("06.1", [{"type": "image", "source": {"type": "file", "file_id": "file_011"}}, question], None),
        ("06.1", [{"type": "image", "source": {"type": "file"}}, question], "An image from the Files API needs its 'file_id'."),
        ("06.1", [{"type": "image", "source": {**image["source"], "media_type": "image/jpeg"}}, question], not_real),
        ("06.1", [{"type": "image", "source": {**image["source"], "media_type": "image/bmp"}}, question], not_real),
        ("06.1", [{"type": "image", "source": {**image["source"], "data": png + "!"}}, question], not_real),
        ("06.1", [{"type": "image", "source": {**image["source"], "type": "png"}}, question], not_real),
        ("06.1", [image],
         "Add a text block with your question, e.g. {'type': 'text', 'text': 'How many stripes?'}."),
        ("06.1", [image, question], None),
        ("06.1", [question, image], None),
        ("06.2", [body], use),
        ("06.2", {"model": "claude-haiku-4-5"}, use),
        ("06.2", {**body, "model": " "}, "A request names its model: use conv.request(...), which fills in model and max_tokens."),
        ("06.2", {**body, "model": None}, "A request names its model: use conv.request(...), which fills in model and max_tokens."),
        *[("06.2", {**body, "max_tokens": wrong, "stop_sequences": ["END"]},
           "A request says how long the reply may be: max_tokens, a whole number of at least 1.") for wrong in (True, 0, 1.5)],
        ("06.2", {**body, "max_tokens": 1, "stop_sequences": ["END"]}, None),
        ("06.2", {**body, "messages": []}, "The request needs your question in messages."),
        ("06.2", {**body, "messages": "hi"}, "The history must be a list of messages, not str."),
        ("06.2", body, "Pass stop_sequences=['END'] (a list; other sequences may be in it too)."),
        ("06.2", {**body, "stop_sequences": "END"}, "Pass stop_sequences=['END'] (a list; other sequences may be in it too)."),
        ("06.2", {**body, "stop_sequences": ("STOP", "END")}, None),
        ("06.3", body, "Ask for JSON with options={'output_config': {'format': {'type': 'json_schema', 'schema': {...}}}}."),
        ("06.3", {**body, "output_config": "json"},
         "Ask for JSON with options={'output_config': {'format': {'type': 'json_schema', 'schema': {...}}}}."),
        ("06.3", {**body, "output_config": {"format": {"type": "json", "schema": city}}},
         "Ask for JSON with options={'output_config': {'format': {'type': 'json_schema', 'schema': {...}}}}."),
        ("06.3", fmt("city"), "Ask for JSON with options={'output_config': {'format': {'type': 'json_schema', 'schema': {...}}}}."),
        ("06.3", fmt({**city, "type": "array"}), schema_hint),
        ("06.3", fmt({**city, "required": []}), schema_hint),
        ("06.3", fmt({**city, "properties": {"city": {"type": "integer"}}}), schema_hint),
        ("06.3", fmt({**city, "properties": ["city"]}), schema_hint),
        ("06.3", fmt({**city, "properties": {"city": {"type": ["string", "null"]}}}), None),
        ("06.3", fmt({**city, "additionalProperties": True}), "Remove minimum/maximum/multipleOf"),
        ("06.3", fmt(city), None),
        ("06.3", [fmt(city)], "Use Conversation(options={'output_config': ...}).request(...): it returns the body without "
                              "sending it."),
    ]


def tool_cases() -> list[tuple[str, object, str | None]]:
    """Cases for 07.1 (a tool_result turn) and 07.2 (a Celsius tool)."""
    result = {"type": "tool_result", "tool_use_id": "toolu_exercise_07", "content": "Sunny, 18 C"}
    travels = "A tool result travels as a list of blocks: [{'type': 'tool_result', ...}]."
    once = "Answer the one tool_use there is, once: one tool_result with tool_use_id 'toolu_exercise_07'."
    output = "Give the tool's output as content, as it returned it: 'Sunny, 18 C' (a string, or a list of text blocks)."
    worked = "The tool worked, so leave is_error out (or set it to False): True tells Claude the tool failed."

    def to_celsius(fahrenheit: float) -> float:
        """Fahrenheit to Celsius."""
        return (fahrenheit - 32) * 5 / 9

    def as_text(fahrenheit: float, digits: int = 1) -> str:
        """Fahrenheit to Celsius, as text."""
        return f"{(fahrenheit - 32) * 5 / 9:.{digits}f} C"

    def undocumented(fahrenheit: float) -> float:
        return (fahrenheit - 32) * 5 / 9

    def two(fahrenheit: float, offset: float) -> float:
        """Two numbers."""
        return fahrenheit + offset

    def named(city: str) -> float:
        """A string."""
        return 0.0

    def kelvin(fahrenheit: float) -> float:
        """Kelvin."""
        return (fahrenheit - 32) * 5 / 9 + 273.15

    def broken(fahrenheit: float) -> float:
        """Fails."""
        raise ValueError("no thermometer")

    def yes(fahrenheit: float) -> bool:
        """A bool."""
        return True

    def nothing(fahrenheit: float) -> None:
        """Prints instead."""

    def hot(fahrenheit: float) -> str:
        """Words."""
        return "hot"

    def no_input() -> float:
        """No parameter."""
        return 100.0

    class Callable:
        def __call__(self, fahrenheit: float) -> float:
            """An object."""
            return fahrenheit

    shape = "Take one number, annotated as a number (float), so the tool's input_schema says so (others need defaults)."
    return [
        ("07.1", result, travels), ("07.1", [], travels), ("07.1", [result, "Thanks"], travels),
        ("07.1", [{"type": "text", "text": "Here:"}, result], "Put the tool_result block first in the turn (text may follow it)."),
        ("07.1", [{**result, "tool_use_id": "toolu_other"}], once),
        ("07.1", [result, {**result, "tool_use_id": "toolu_other"}], once),
        ("07.1", [result, result], once),
        ("07.1", [{**result, "content": "Rainy, 9 C"}], output),
        ("07.1", [{**result, "content": [{"type": "text", "text": "Sunny, 18 C"}, {"type": "image"}]}], output),
        ("07.1", [{**result, "content": []}], output),
        ("07.1", [{**result, "content": {"type": "text", "text": "Sunny, 18 C"}}], output),
        ("07.1", [{**result, "content": [{"type": "text", "text": "Sunny, 18 C"}, {"type": "text"}]}], output),
        ("07.1", [{**result, "content": [{"type": "text", "text": "Sunny,"}, {"type": "text", "text": " 18 C"}]}], None),
        ("07.1", [{**result, "content": " Sunny,\n18  C "}], None),
        ("07.1", [{**result, "is_error": True}], worked), ("07.1", [{**result, "is_error": 0}], worked),
        ("07.1", [{**result, "is_error": False}], None), ("07.1", [result, {"type": "text", "text": "Thanks"}], None),
        ("07.2", 100.0, "Define a function, e.g. def to_celsius(fahrenheit: float) -> float, and put its name here."),
        ("07.2", Callable(), f"Your function's signature could not be read (TypeError: {Callable()!r} is not a module, "
                             "class, method, or function.).".replace(repr(Callable()), "{obj}")),
        ("07.2", undocumented, "Give it a one-line docstring: Claude reads it as the tool's description."),
        ("07.2", two, shape), ("07.2", named, shape),
        ("07.2", broken, "Calling your function with 212 failed (ValueError: no thermometer): it takes one number."),
        ("07.2", kelvin, "212 F is 100.00 C, and your tool says 373.15: (f - 32) * 5 / 9."),
        ("07.2", yes, "212 F is 100.00 C, and your tool says None: (f - 32) * 5 / 9."),
        ("07.2", nothing, "212 F is 100.00 C, and your tool says None: (f - 32) * 5 / 9."),
        ("07.2", hot, "212 F is 100.00 C, and your tool says None: (f - 32) * 5 / 9."),
        ("07.2", no_input, shape),
        ("07.2", to_celsius, None), ("07.2", as_text, None),
    ]


def context_cases() -> list[tuple[str, object, str | None]]:
    """Cases for 08.1 (a context_management value) and 08.2 (cache read or write)."""
    clear = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 30_000},
             "keep": {"type": "tool_uses", "value": 5}, "exclude_tools": ["memory"]}
    listed = "context_management is a dict with a list of edits: {'edits': [{'type': 'clear_tool_uses_20250919', ...}]}."
    trigger = "Set the trigger: 'trigger': {'type': 'input_tokens', 'value': 30000}."
    keep = "Keep the 5 most recent tool uses: 'keep': {'type': 'tool_uses', 'value': 5}."
    answers = {"the same history with one new turn added": "read",
               "the first request after clear_tool_uses cleared new results": "write",
               "the next turn, when no new results were cleared": "read",
               "a timestamp added to the start of the system prompt": "write"}
    return [
        ("08.1", [clear], listed), ("08.1", {"edits": clear}, listed), ("08.1", {"edit": [clear]}, listed),
        ("08.1", {"edits": [clear, {"type": "compact_20260112"}]},
         "Compaction summarizes the whole conversation; the exercise asks only for clearing tool results."),
        ("08.1", {"edits": [clear, {"type": "clear_everything"}]}, "Use one of the documented edit types"),
        ("08.1", {"edits": []}, "Give exactly one edit of type 'clear_tool_uses_20250919'."),
        ("08.1", {"edits": [{"type": "clear_thinking_20251015"}]}, "Give exactly one edit of type 'clear_tool_uses_20250919'."),
        ("08.1", {"edits": [{k: v for k, v in clear.items() if k != "trigger"}]}, trigger),
        ("08.1", {"edits": [{**clear, "trigger": {"type": "input_tokens", "value": 30_001}}]}, trigger),
        ("08.1", {"edits": [{**clear, "trigger": {"type": "tool_uses", "value": 30_000}}]}, trigger),
        ("08.1", {"edits": [{**clear, "trigger": {"type": "input_tokens", "value": True}}]}, "Give the trigger as"),
        ("08.1", {"edits": [{**clear, "keep": {"type": "tool_uses", "value": 4}}]}, keep),
        ("08.1", {"edits": [{**clear, "keep": {"type": "tool_uses", "value": 5.0}}]}, "Keep tool uses as"),  # the rulebook
        ("08.1", {"edits": [{**clear, "trigger": {"type": "input_tokens", "value": 30_000.0}}]}, "Give the trigger as"),
        ("08.1", {"edits": [{k: v for k, v in clear.items() if k != "keep"}]}, keep),
        ("08.1", {"edits": [{k: v for k, v in clear.items() if k != "exclude_tools"}]},
         "Spare the memory tool: 'exclude_tools': ['memory']."),
        ("08.1", {"edits": [{**clear, "exclude_tools": ["web_search"]}]}, "Spare the memory tool: 'exclude_tools': ['memory']."),
        ("08.1", {"edits": [{**clear, "exclude_tools": ["web_search", "memory"]}]}, None),
        ("08.1", {"edits": [clear]}, None),
        ("08.2", list(answers.values()), 'Answer with the dict from the cell above, each ... replaced by "read" or "write".'),
        ("08.2", {**answers, "the next turn, when no new results were cleared": "write"},
         "Think again about: 'the next turn, when no new results were cleared'. Is the start of the prompt the same as "
         "in the request before it?"),
        ("08.2", {**answers, "a timestamp added to the start of the system prompt": None},
         "Think again about: 'a timestamp added to the start of the system prompt'. Is the start of the prompt the same "
         "as in the request before it?"),
        ("08.2", {k: f" {v.upper()} " for k, v in answers.items()}, None),
    ]


RULEBOOK_HINTS = ("Remove minimum/maximum/multipleOf", "Use one of the documented edit types", "Give the trigger as",
                  "Keep tool uses as")


@pytest.mark.parametrize(("exercise_id", "answer", "hint"), [*blocks_cases(), *tool_cases(), *context_cases()])
def test_each_check_of_06_to_08_gives_the_hint_its_answer_earns(exercise_id: str, answer: object, hint: str | None) -> None:
    given = hint_for(exercise_id, answer)
    if hint in RULEBOOK_HINTS:
        assert given is not None and given.startswith(hint), given
    elif hint is not None and "{obj}" in hint:
        assert given is not None and re.sub(r"<.* at 0x[0-9a-f]+>", "{obj}", given) == hint, given
    else:
        assert given == hint
