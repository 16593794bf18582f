"""Conversations in a terminal: what the example scripts print."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from ..conversation import Conversation
from ..errors import KitError


def run_turns(conversation: Conversation, turns: Iterable[str]) -> int:
    """Send each turn, print it with its labelled reply, and return an exit code (1 after a friendly error)."""
    try:
        for text in turns:
            reply = conversation.send(text)
            print(f"\nUser: {text}\n\nClaude: {reply.text}\n{reply.footer()}")
    except KitError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    print(f"\n{len(conversation.messages)} messages in the conversation; tokens in all: {conversation.usage}.")
    return 0
