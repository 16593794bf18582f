"""Exercise 01.1 with its system prompt and turn written as content blocks, as the API also takes them (test_exercises.py
writes them as strings): the check reads the text of the text blocks, whatever else the content holds."""

from __future__ import annotations

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
