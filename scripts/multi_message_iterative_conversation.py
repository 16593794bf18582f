"""Example 2: iterate from a broad idea to a narrower focus to a structured two-week schedule.

Run it from the kit's top folder: python scripts/multi_message_iterative_conversation.py
Without a key it replays recorded replies (authored samples, labelled as such); with ANTHROPIC_API_KEY
in .env it calls Claude live.
"""

from __future__ import annotations

import sys

from helpers import Conversation, MessageDict, setup
from helpers.classroom.console import run_turns

HISTORY: list[MessageDict] = [
    {"role": "user", "content": "I want to start a tech blog."},
    {"role": "assistant", "content": "That sounds exciting! Who is your target audience?"},
    {"role": "user", "content": "Beginners learning programming."},
    {"role": "assistant", "content": "Great choice. Would you like help with topics or with the structure of the blog?"},
    {"role": "user", "content": "Help me design a two-week content plan."},
]
NEW_TURN = "Make it a simple two-week schedule with one topic per day."


def main() -> int:
    """Send the five-message history, then the new turn (max_tokens=300), printing each reply."""
    setup("multi_message_iterative_conversation")
    conversation = Conversation(messages=HISTORY[:-1], max_tokens=300)
    return run_turns(conversation, [str(HISTORY[-1]["content"]), NEW_TURN])


if __name__ == "__main__":
    sys.exit(main())
