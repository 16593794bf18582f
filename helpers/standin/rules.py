"""How the stand-in reads the rulebook: the 400 the API would give for a request, and the turns it combines.

Every rule lives in `helpers.api.rulebook` (with its source and how sure its error text is); the stand-in answers
by it, checking thinking blocks by its own signatures (`replies.signature`), as the API checks its own.
"""

from __future__ import annotations

from typing import Any

from ..api.rulebook import api_answer
from ..api.rulebook import combined as combined  # the API's merge of consecutive turns, from the rulebook
from .replies import unmodified


def check(body: Any, betas: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]] | None:
    """Why the API would refuse this messages request with a 400 (its message and error details), or None."""
    found = api_answer(body, unmodified, betas)
    if found is None:
        return None
    rule, message = found
    return message, dict(rule.extra)
