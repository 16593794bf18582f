"""Example 1: a three-message history, then a new turn asking for a one-week content plan.

Run it from the kit's top folder: python scripts/multi_message_conversation.py
Without a key it replays recorded replies (authored samples, labelled as such); with ANTHROPIC_API_KEY
in .env it calls Claude live.
"""

from __future__ import annotations

import sys

from helpers import Conversation, MessageDict, setup
from helpers.classroom.console import run_turns

HISTORY: list[MessageDict] = [
    {"role": "user", "content": "I want to start a blog. Can you help me plan a blog strategy?"},
    {"role": "assistant", "content": "I'd love to help! Who is the audience you want to write for?"},
    {"role": "user", "content": "Beginners in tech."},
]
NEW_TURN = "Great. Now create a one-week content plan for that audience."


def main() -> int:
    """Send the history, then the new turn, printing each reply with its label."""
    setup("multi_message_conversation")
    conversation = Conversation(messages=HISTORY[:-1], max_tokens=200)
    return run_turns(conversation, [str(HISTORY[-1]["content"]), NEW_TURN])


if __name__ == "__main__":
    sys.exit(main())
