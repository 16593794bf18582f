"""Conversations in a terminal: what the example scripts print."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from ..conversation import Conversation
from ..errors import KitError


def print_history(conversation: Conversation) -> None:
    """Print the history list the first request starts from: every message, with its role."""
    print(f"The history so far ({len(conversation.messages)} messages), sent again with every request:")
    for message in conversation.messages:
        content = message["content"]
        print(f"  {message['role']}: {content}" if isinstance(content, str) else f"  {message['role']}: {content!r}")


def run_turns(conversation: Conversation, turns: Iterable[str]) -> int:
    """Print the starting history, send each turn, print it with its labelled reply; return an exit code (1 after an error)."""
    print_history(conversation)
    try:
        for text in turns:
            reply = conversation.send(text)
            print(f"\nUser: {text}\n\nClaude: {reply.text}\n{reply.footer()}")
    except KitError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    print(f"\n{len(conversation.messages)} messages in the conversation; tokens in all: {conversation.usage}.")
    return 0
