"""Example 1: a three-message history, then a new turn asking for a one-week content plan.

Run it from the kit's top folder: python scripts/multi_message_conversation.py
Without a key it replays recorded replies (authored samples, labelled as such); with ANTHROPIC_API_KEY
in .env it calls Claude live.
"""

from __future__ import annotations

import sys

from helpers import Conversation, KitError, MessageDict, setup

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
    try:
        for text in (str(HISTORY[-1]["content"]), NEW_TURN):
            reply = conversation.send(text)
            print(f"\nUser: {text}\n\nClaude: {reply.text}\n{reply.footer()}")
    except KitError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    print(f"\nThe last request sent {len(conversation.messages) - 1} messages; tokens in all: {conversation.usage}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
