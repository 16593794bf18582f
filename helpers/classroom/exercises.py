"""The notebooks' exercise checks and hints (solutions are in each notebook's <details> block)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..api_facts import MODEL_IDS
from ..config import choose_mode
from . import blocks_exercises, context_exercises
from .checks import Check, check, valid_history

__all__ = ["CHECKS", "check"]


# 00_setup
def _mode_with_key(answer: Any) -> str | None:
    """The mode chosen for a key in .env and no CONVERSE_KIT_MODE."""
    expected, _ = choose_mode({"ANTHROPIC_API_KEY": "sk-ant-example"})
    return None if answer == expected else "With a key and no CONVERSE_KIT_MODE, which mode does choose_mode() pick?"


def _model_variable(answer: Any) -> str | None:
    """The variable that overrides the model."""
    return None if answer == "CONVERSE_KIT_MODEL" else "Look for MODEL_VAR in helpers/config.py (helpers.config.MODEL_VAR)."


# 01_single_turn_prompting
def _translation_request(body: Any) -> str | None:
    """A request body for a short translation with a system prompt."""
    if not isinstance(body, dict):
        return "Build a dict with the keys model, max_tokens, system and messages."
    missing = {"model", "max_tokens", "system", "messages"} - set(body)
    if missing:
        return f"Your request is missing: {', '.join(sorted(missing))}."
    if not isinstance(body["model"], str) or body["model"].strip() not in MODEL_IDS.value:
        return "model is a model id the SDK knows, e.g. model() (the kit's default, claude-haiku-4-5)."
    system = text_of(body["system"])
    if not system.strip():
        return "system is a string of instructions, e.g. 'You translate English into French. Reply with the translation only.'"
    if isinstance(body["max_tokens"], bool) or not isinstance(body["max_tokens"], int) or not 1 <= body["max_tokens"] <= 100:
        return "A translation of a few words needs few tokens: set max_tokens between 1 and 100."
    hint = valid_history(body["messages"])
    if hint:
        return hint
    asked = " ".join(text_of(body["messages"][0]["content"]).lower().split()) if len(body["messages"]) == 1 else ""
    if "good morning" not in asked:
        return "A single-turn prompt has one user message; ask for 'Good morning' to be translated."
    said = f"{system} {asked}".lower()
    others = [lang for lang in OTHER_LANGUAGES if lang in said]
    if "french" not in said or others:
        return "Ask for French, and only French: say so in the system prompt."
    return None


OTHER_LANGUAGES = ("spanish", "german", "italian", "portuguese", "dutch", "japanese", "chinese", "english only")


def text_of(content: Any) -> str:
    """A system prompt's or a message's text: a string, or the text of its text blocks."""
    if isinstance(content, str):
        return content
    blocks = content if isinstance(content, list) else []
    return " ".join(str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text")


def _cut_off_reason(answer: Any) -> str | None:
    """The stop_reason of a reply cut off by max_tokens."""
    return None if answer == "max_tokens" else "Look at stop_reason of the reply that was cut off in this notebook."


# 02_multi_turn_conversations
def _continue_by_hand(messages: Any) -> str | None:
    """The history that continues the blog conversation after the content plan."""
    hint = valid_history(messages)
    if hint:
        return hint
    if len(messages) != 7 or "blog strategy" not in str(messages[0]["content"]):
        return "Start from `history` (five messages, ending with the plan request), add the plan as the reply, then the question."
    plan = messages[-2]["content"]
    if messages[-2]["role"] != "assistant" or not isinstance(plan, str) or len(plan.strip()) < 20:
        return "The sixth message is Claude's content plan: second.content[0].text, with role 'assistant'."
    if messages[-1]["content"] != "Which post should I write first?":
        return "The last message is your new question, exactly: Which post should I write first?"
    return None


def _fixed_history(messages: Any) -> str | None:
    """The broken history, fixed without losing any text."""
    hint = valid_history(messages)
    if hint:
        return hint
    transcript = [(m["role"], text_of(m["content"])) for m in messages]
    place = (-1, -1)
    for role, kept in KEPT_TURNS:
        found = next(((i, text.find(kept)) for i, (who, text) in enumerate(transcript) if who == role and kept in text), None)
        if found is None:
            article = "an" if role == "assistant" else "a"  # "a user", not "an user"
            return f"Keep every message's text, with its speaker: {kept!r} belongs in {article} {role} message."
        if found < place:
            return "Keep the turns in their order: Claude's question first, then your answer, then the rest of it."
        place = found
    return None


KEPT_TURNS = (("assistant", "What would you like to learn today?"), ("user", "Python, please."),
              ("user", "I have never programmed before."))


# 03_iterative_refinement
BRIEF_SENTENCES = ("Audience: beginners learning programming.", "Length: two weeks, one topic per day.",
                   "Posts: under 800 words, each ending with a ten-minute exercise.", "Week 2: small hands-on projects.")


def _new_chat_from_brief(conversation: Any) -> str | None:
    """A new Conversation whose system prompt carries the whole brief."""
    from ..conversation import Conversation

    if not isinstance(conversation, Conversation):
        return "Make a Conversation: Conversation(system=...)."
    system = conversation.system or ""
    if not all(sentence in system for sentence in BRIEF_SENTENCES):
        return "Put the whole brief_text into the system prompt, e.g. system=f'Project brief:\\n{brief_text}'."
    if conversation.messages:
        return "A new chat starts with an empty history: the brief carries the decisions."
    return None


def _continue_or_new(decisions: Any) -> str | None:
    """Continue the conversation, or start a new chat."""
    answers = {
        "ask for a shorter version of the schedule": "continue",
        "ask for a pasta recipe": "new chat",
        "refer back to day 3 of the plan": "continue",
        "the conversation is 80 turns long and Claude mixes up old drafts": "new chat",
    }
    if not isinstance(decisions, dict):
        return 'Answer with the dict from the cell above, each ... replaced by "continue" or "new chat".'
    for situation, answer in answers.items():
        given = decisions.get(situation)
        if not isinstance(given, str) or " ".join(given.lower().replace("-", " ").split()) != answer:
            return f"Think again about: {situation!r}. Does it need the earlier turns, or are they in the way?"
    return None


# 04_memory_and_limits
def _cheap_and_remembers(strategy: Any) -> str | None:
    """A strategy that keeps the three early facts and bills at most 75% of the full history with caching."""
    from ..api_facts import cache_minimum
    from ..config import DEFAULT_MODEL
    from ..memory import FullHistory, Strategy, compare, load_script

    if not isinstance(strategy, Strategy):
        return "Use a strategy from helpers.memory, e.g. BlockTrim(...) or SlidingWindow(...)."
    (outcome,) = compare([strategy], load_script(), FullHistory(cache=True))
    if not all(outcome.facts.values()):
        return "Some early facts are dropped: pin exchanges 0, 1 and 2 with pinned=[0, 1, 2]."
    if outcome.share > 0.75:
        return (f"It bills {outcome.share:.0%} of the full history with caching. Cache a stable prefix longer than the "
                f"{cache_minimum(DEFAULT_MODEL):,}-token minimum: trim in blocks, with a budget above it.")
    return None


def _pinned_window(strategy: Any) -> str | None:
    """A sliding window of 4 exchanges that always keeps the first one."""
    from ..memory import SlidingWindow

    if not isinstance(strategy, SlidingWindow) or strategy.exchanges != 4:
        return "Use SlidingWindow with a window of 4 exchanges."
    return None if tuple(strategy.pinned) == (0,) else "Pin the first exchange: pinned=[0]."


# 05_chat_widget
def _windowed_chat(chat: Any) -> str | None:
    """A ChatWidget whose conversation sends the last 3 exchanges and caps replies at 150 tokens."""
    from ..chat import ChatWidget
    from ..memory import SlidingWindow

    if not isinstance(chat, ChatWidget):
        return "Make a ChatWidget: ChatWidget(Conversation(...))."
    memory = chat.conversation.memory
    if not isinstance(memory, SlidingWindow) or memory.exchanges != 3:
        return "Give the conversation memory=SlidingWindow(3), or pick 'sliding window (3 exchanges)' with chat.set_memory(...)."
    return None if chat.conversation.max_tokens == 150 else "Cap the replies: max_tokens=150 (or chat.set_max_tokens(150))."


def _stopped_reply(answer: Any) -> str | None:
    """What happens to a reply you stop: its stop_reason, and whether the history keeps it."""
    if not isinstance(answer, dict) or set(answer) != {"stop_reason", "in_history"}:
        return "Answer with a dict: {'stop_reason': ..., 'in_history': ...}."
    if answer["stop_reason"] != "cut_off":
        return "Look at stopped.stop_reason in section 3: the kit's own marker for a stopped reply (helpers.chat.streaming.CUT_OFF)."
    return None if answer["in_history"] is True else "Is the stopped reply's text in trial.messages? Check the last message."


# exercise id -> its check, every notebook's (a table, not a decorator: mutmut mutates only undecorated functions)
CHECKS: Mapping[str, Check] = MappingProxyType({
    "00.1": _mode_with_key, "00.2": _model_variable, "01.1": _translation_request, "01.2": _cut_off_reason,
    "02.1": _continue_by_hand, "02.2": _fixed_history, "03.1": _new_chat_from_brief, "03.2": _continue_or_new,
    "04.1": _cheap_and_remembers, "04.2": _pinned_window, "05.1": _windowed_chat, "05.2": _stopped_reply,
    **blocks_exercises.CHECKS, **context_exercises.CHECKS,
})
