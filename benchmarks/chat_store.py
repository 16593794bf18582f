"""How fast the chat store is: reopening a 1,000-message chat, and writing one turn.

    python benchmarks/chat_store.py [--messages 1000] [--rounds 15]

A chat of 1,000 messages (500 exchanges, with one edited turn so it has two branches) is kept in a fresh SQLite
store in a temporary folder. Timed, median of the rounds: reopening it by id into a Conversation (a new store
object each time, as after a kernel restart), reopening it into a ChatWidget (every bubble built), and writing one
turn (two new messages and the chat's row, one transaction). Targets: reopen at most 200 ms, a write at most 10 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from helpers import Conversation
from helpers.chat.store import ChatStore
from helpers.chat.widget import ChatWidget
from helpers.history import MessageDict

REOPEN_TARGET, WRITE_TARGET = 0.200, 0.010


def exchange(i: int) -> list[MessageDict]:
    """One question and a reply of about a hundred words."""
    return [{"role": "user", "content": f"Question {i}: how do lists, tuples and sets differ in Python?"},
            {"role": "assistant", "content": f"Answer {i}: a list is ordered and changes, a tuple is fixed. " * 8}]


def kept_chat(store: ChatStore, messages: int) -> tuple[str, Conversation]:
    """A chat of `messages` messages with two branches, kept in the store."""
    history = [m for i in range(messages // 2) for m in exchange(i)]
    conv = Conversation(messages=history, model="claude-haiku-4-5")
    chat = store.keep(conv)
    conv.fork_at(len(history) - 2)  # edit the last question: a second branch of the same length
    conv.messages = [*conv.messages, {"role": "user", "content": "Edited question"}, {"role": "assistant", "content": "Edited answer"}]
    conv._changed()
    return chat, conv


def median_seconds(action: object, rounds: int) -> float:
    """The median time of `rounds` calls."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Time reopening and writing, print each against its target."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="converse-kit-store-bench-") as folder:
        path = Path(folder) / "chats.sqlite3"
        store = ChatStore(path)
        chat, conv = kept_chat(store, args.messages)
        reopen = median_seconds(lambda: ChatStore(path).open(chat), args.rounds)
        reopened = ChatStore(path).open(chat)
        assert reopened.messages == conv.messages and len(reopened.branches()) == 2, "the store lost messages"
        widget = median_seconds(lambda: ChatWidget(store=ChatStore(path), background=False).open_chat(chat), max(3, args.rounds // 3))
        turn = len(conv.messages)

        def write_turn() -> None:
            """Add one exchange and let the store write it (as after a reply)."""
            nonlocal turn
            conv.messages = [*conv.messages, *exchange(turn)]
            turn += 1
            started = time.perf_counter()
            conv._changed()
            writes.append(time.perf_counter() - started)

        writes: list[float] = []
        for _ in range(args.rounds):
            write_turn()
        write = statistics.median(writes)
    print(f"\nChat store (SQLite, WAL), {args.messages:,}-message chat with 2 branches, medians of {args.rounds} rounds:")
    print(f"  reopen by id into a Conversation {reopen * 1000:7.1f} ms  (target at most {REOPEN_TARGET * 1000:.0f} ms): "
          f"{'PASS' if reopen <= REOPEN_TARGET else 'FAIL'}")
    print(f"  reopen into a ChatWidget         {widget * 1000:7.1f} ms  (every bubble built; no target)")
    print(f"  one turn's write                 {write * 1000:7.2f} ms  (target at most {WRITE_TARGET * 1000:.0f} ms): "
          f"{'PASS' if write <= WRITE_TARGET else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
