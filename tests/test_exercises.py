"""Exercise checks: an untried exercise says so, a right answer passes, a wrong one gets a hint."""

from __future__ import annotations

import pytest

import helpers.classroom.exercises  # noqa: F401  (registers the checks)
from helpers import Conversation
from helpers.classroom.checks import check, passes
from helpers.classroom.exercises import CHECKS
from helpers.config import choose_mode
from helpers.memory import BlockTrim, SlidingWindow
from helpers.pictures import SAMPLE_IMAGE, image_block


def to_celsius(fahrenheit: float) -> float:
    """Convert Fahrenheit to Celsius."""
    return (fahrenheit - 32) * 5 / 9


def undocumented(fahrenheit: float) -> float:
    return (fahrenheit - 32) * 5 / 9

RIGHT_AND_WRONG = {
    "00.1": (choose_mode({"ANTHROPIC_API_KEY": "x"})[0], "replay"),
    "00.2": ("CONVERSE_KIT_MODEL", "MODEL"),
    "01.1": ({"model": "claude-haiku-4-5", "max_tokens": 50, "system": "Translate to French; reply with the translation only.",
              "messages": [{"role": "user", "content": "Good morning"}]},
             {"model": "m", "max_tokens": 5000, "system": "s", "messages": [{"role": "user", "content": "Good morning"}]}),
    "01.2": ("max_tokens", "end_turn"),
    "02.2": ([{"role": "user", "content": "Hello"},
              {"role": "assistant", "content": "Hi! What would you like to learn today?"},
              {"role": "user", "content": "Python, please. I have never programmed before."}],
             [{"role": "user", "content": "Python, please."}]),
    "03.1": (Conversation(system="Brief: Audience: beginners learning programming. Length: two weeks, one topic per day. "
                              "Posts: under 800 words, each ending with a ten-minute exercise. Week 2: small hands-on projects."),
             Conversation(system="Brief: Audience: beginners learning programming. Two weeks.")),
    "03.2": ({"ask for a shorter version of the schedule": "continue", "ask for a pasta recipe": "new chat",
              "refer back to day 3 of the plan": "continue",
              "the conversation is 80 turns long and Claude mixes up old drafts": "new chat"},
             {"ask for a pasta recipe": "continue"}),
    "04.1": (BlockTrim(9000, 15, pinned=[0, 1, 2], cache=True), BlockTrim(4000, 10, pinned=[0, 1, 2], cache=True)),
    "04.2": (SlidingWindow(4, pinned=[0]), SlidingWindow(4)),
    "06.1": ([image_block(SAMPLE_IMAGE), {"type": "text", "text": "How many stripes are there?"}],
             [{"type": "text", "text": "How many stripes are there?"}]),
    "06.2": (Conversation().request("List three tips, then write END.", stop_sequences=["END"]),
             Conversation().request("List three tips, then write END.")),
    "07.1": ([{"type": "tool_result", "tool_use_id": "toolu_exercise_07", "content": "Sunny, 18 C"}],
             [{"type": "tool_result", "tool_use_id": "toolu_other", "content": "Sunny, 18 C"}]),
    "07.2": (to_celsius, undocumented),
    "08.1": ({"edits": [{"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 30000},
                         "keep": {"type": "tool_uses", "value": 5}, "exclude_tools": ["memory"]}]},
             {"edits": [{"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 30000},
                         "keep": {"type": "tool_uses", "value": 5}}]}),
    "08.2": ({"the same history with one new turn added": "read",
              "the first request after clear_tool_uses cleared new results": "write",
              "the next turn, when no new results were cleared": "read",
              "a timestamp added to the start of the system prompt": "write"},
             {"the same history with one new turn added": "write"}),
}


@pytest.mark.parametrize("exercise_id", sorted(CHECKS))
def test_an_untried_exercise_says_so(exercise_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    check(exercise_id, ...)
    assert "not tried yet" in capsys.readouterr().out
    assert not passes(exercise_id, ...)


@pytest.mark.parametrize("exercise_id", sorted(RIGHT_AND_WRONG))
def test_right_passes_and_wrong_gets_a_hint(exercise_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    right, wrong = RIGHT_AND_WRONG[exercise_id]
    check(exercise_id, right)
    assert capsys.readouterr().out.strip() == f"Exercise {exercise_id}: PASS"
    check(exercise_id, wrong)
    assert "not yet. Hint:" in capsys.readouterr().out


def test_02_1_accepts_the_worked_solution() -> None:
    history = [
        {"role": "user", "content": "I want to start a blog. Can you help me plan a blog strategy?"},
        {"role": "assistant", "content": "Who is the audience?"},
        {"role": "user", "content": "Beginners in tech."},
        {"role": "assistant", "content": "A strategy..."},
        {"role": "user", "content": "Great. Now create a one-week content plan for that audience."},
    ]
    plan = {"role": "assistant", "content": "**Week 1: Welcome to tech** ..."}
    assert passes("02.1", [*history, plan, {"role": "user", "content": "Which post should I write first?"}])
    assert not passes("02.1", [*history, {"role": "user", "content": "Which post should I write first?"}])


def test_an_unknown_exercise_is_an_error() -> None:
    with pytest.raises(KeyError, match="Known"):
        check("99.9", 1)


GOOD_MORNING = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Good morning"}],
                "system": "You translate English into French. Reply with the translation only."}


def test_01_1_rejects_a_wrong_model_system_or_language_and_accepts_french_either_way() -> None:
    assert passes("01.1", GOOD_MORNING)
    assert passes("01.1", {**GOOD_MORNING, "system": "Reply with the translation only.",
                           "messages": [{"role": "user", "content": "Translate into French: Good morning"}]})
    assert not passes("01.1", {**GOOD_MORNING, "model": 42, "system": None})
    assert not passes("01.1", {**GOOD_MORNING, "system": "Translate into Spanish. Reply with the translation only."})


def test_02_1_accepts_any_plan_text_as_in_live_mode_and_names_the_sixth_message(capsys: pytest.CaptureFixture[str]) -> None:
    history = [{"role": "user", "content": "I want to start a blog. Can you help me plan a blog strategy?"},
               {"role": "assistant", "content": "Who is the audience?"}, {"role": "user", "content": "Beginners in tech."},
               {"role": "assistant", "content": "A strategy..."},
               {"role": "user", "content": "Great. Now create a one-week content plan for that audience."}]
    live_plan = {"role": "assistant", "content": "Monday: why tech matters. Tuesday: your first tool. Wednesday: ..."}
    assert passes("02.1", [*history, live_plan, {"role": "user", "content": "Which post should I write first?"}])
    check("02.1", [*history, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "Which post should I write first?"}])
    assert "sixth message" in capsys.readouterr().out


def test_02_2_keeps_each_line_with_its_speaker() -> None:
    merged = [{"role": "user", "content": "Hi! What would you like to learn today? Python, please. I have never programmed before."}]
    assert not passes("02.2", merged)


def test_03_1_needs_the_whole_brief() -> None:
    brief = ("Audience: beginners learning programming. Length: two weeks, one topic per day. Posts: under 800 words, "
             "each ending with a ten-minute exercise. Week 2: small hands-on projects.")
    assert passes("03.1", Conversation(system=f"Project brief:\n{brief}"))
    assert not passes("03.1", Conversation(system="Audience: beginners learning programming."))


def test_06_and_07_accept_every_right_answer() -> None:
    image, question = image_block(SAMPLE_IMAGE), {"type": "text", "text": "How many stripes?"}
    assert passes("06.1", [image, question]) and passes("06.1", [question, image])
    assert passes("06.2", Conversation().request("Tips, then END", stop_sequences=["STOP", "END"]))
    turn = {"type": "tool_result", "tool_use_id": "toolu_exercise_07"}
    assert passes("07.1", [{**turn, "content": "Sunny, 18 C"}])
    assert passes("07.1", [{**turn, "content": [{"type": "text", "text": "Sunny, 18 C"}]}, {"type": "text", "text": "Thanks"}])
    assert passes("07.1", [{**turn, "content": "Sunny, 18 C", "is_error": False}])
    assert not passes("07.1", [{"type": "text", "text": "Thanks"}, {**turn, "content": "Sunny, 18 C"}])

    def whole(fahrenheit: int) -> float:
        """Fahrenheit to Celsius, whole degrees in."""
        return round((fahrenheit - 32) / 1.8, 2)

    assert passes("07.2", whole)
