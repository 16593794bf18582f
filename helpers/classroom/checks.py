"""Exercise checks: each prints PASS or a hint, offline, from what the learner wrote."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..history import check_history

Check = Callable[[Any], "str | None"]  # returns None when the answer passes, else a hint


def known() -> Mapping[str, Check]:
    """Every exercise id and its check (the table in `exercises`, imported when first asked for)."""
    from .exercises import CHECKS

    return CHECKS


def untried(answer: Any) -> bool:
    """Whether an answer is still the `...` placeholder (or a dict or list whose values all are)."""
    if isinstance(answer, dict):
        return bool(answer) and all(value is ... for value in answer.values())
    if isinstance(answer, list | tuple):
        return bool(answer) and all(item is ... for item in answer)
    return answer is ...


def hint_for(exercise_id: str, answer: Any) -> str | None:
    """None when the answer passes, else a hint (raises KeyError for an unknown exercise)."""
    checks = known()
    if exercise_id not in checks:
        raise KeyError(f"No exercise {exercise_id!r}. Known: {', '.join(sorted(checks))}")
    if untried(answer):
        return "not tried yet. Replace the ... in the cell above with your answer."
    try:
        return checks[exercise_id](answer)
    except Exception as error:  # a wrong shape of answer is a hint, not a crash
        return f"{type(error).__name__}: {error}"


def passes(exercise_id: str, answer: Any) -> bool:
    """Whether an answer passes its exercise's check (prints nothing)."""
    return hint_for(exercise_id, answer) is None


def check(exercise_id: str, answer: Any) -> None:
    """Check an exercise answer and print PASS or a hint."""
    hint = hint_for(exercise_id, answer)
    if hint is None:
        print(f"Exercise {exercise_id}: PASS")
    elif untried(answer):
        print(f"Exercise {exercise_id}: {hint}")
    else:
        print(f"Exercise {exercise_id}: not yet. Hint: {hint}")


def valid_history(messages: Any) -> str | None:
    """A hint if a message list would be rejected, else None."""
    try:
        check_history(messages)
    except (TypeError, ValueError) as error:
        return str(error)
    return None
