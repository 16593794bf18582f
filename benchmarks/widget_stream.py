"""How the cost of streaming into the chat widget depends on the history: 1,000 pieces, 1 turn vs 200 turns.

    python benchmarks/widget_stream.py [--chunks 1000] [--rounds 7]

Each round streams the same 1,000-piece reply into a ChatWidget whose conversation already holds 1 exchange,
then into one that holds 200, through the real SDK (an in-process transport serves the SSE body, so no network
is timed). Both chats are kept as they go in a chat store (SQLite, in a temporary folder) and their histories
have two branches (the last question edited), as a learner's chat has. Each round also sends a 1-piece reply into
the same history, so what a turn costs once (the rulebook's pre-send check and the bill over every message, the
store's save: both grow with the history, once a turn) is taken out: the ratio is of the median cost of the pieces
themselves, printed with the target: at most 1.2, because a piece updates only the last bubble, however many bubbles
are above it. The once-a-turn cost is printed beside it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anthropic
import httpx2
from tqdm import tqdm

from helpers import Conversation
from helpers.chat.store import ChatStore
from helpers.chat.widget import ChatWidget
from helpers.standin import stream_events

TARGET = 1.2
MODEL = "claude-haiku-4-5"


def sse_body(chunks: int) -> bytes:
    """A complete streamed reply of `chunks` text pieces, in the API's event format (as the stand-in sends it)."""
    text = " ".join(f"word{i}" for i in range(3 * chunks))  # the stand-in streams three words a piece
    message = {"id": "msg_benchmark", "type": "message", "role": "assistant", "model": MODEL,
               "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
               "usage": {"input_tokens": 10, "output_tokens": chunks}}
    return b"".join(stream_events(message))


def chat_with(exchanges: int, body: bytes, store: ChatStore) -> ChatWidget:
    """A widget, kept in `store`, whose conversation holds this many exchanges and two branches (in-process answers)."""
    transport = httpx2.MockTransport(lambda _: httpx2.Response(200, content=body, headers={"content-type": "text/event-stream"}))
    client = anthropic.Anthropic(api_key="benchmark-no-key", max_retries=0, http_client=httpx2.Client(transport=transport))
    messages: list[Any] = []
    for i in range(exchanges):
        messages += [{"role": "user", "content": f"Question {i}: how do lists, tuples and sets differ in Python?"},
                     {"role": "assistant", "content": f"Answer {i}: a list is ordered and changes, a tuple is fixed, "
                                                      "and a set keeps unique values with no order. " * 3}]
    conv = Conversation(messages=messages, model=MODEL, max_tokens=4000, client=client)
    chat = ChatWidget(conv, background=False, window=200_000, store=store)
    conv.fork_at(len(messages) - 2)  # the last question edited: a second branch beside the first
    conv.messages = [*conv.messages, {"role": "user", "content": "The last question, edited"},
                     {"role": "assistant", "content": "The answer to the edited question."}]
    conv._changed()
    if len(conv.branches()) != 2 or len(chat.chat.texts()) != len(conv.messages):
        raise RuntimeError("the benchmark chat does not have two branches")
    return chat


def stream_seconds(chat: ChatWidget, chunks: int) -> float:
    """Time one streamed turn of `chunks` pieces, then undo it so the history is as before."""
    started = time.perf_counter()
    reply = chat.send("One more question, please.")
    elapsed = time.perf_counter() - started
    if reply is None or chat.chunks != chunks:
        raise RuntimeError(f"the turn failed or streamed {chat.chunks} pieces, not {chunks}: {chat.last_note}")
    chat.undo()
    return elapsed


def main(argv: list[str] | None = None) -> int:
    """Time both histories, alternating, and print the ratio of the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    body = sse_body(args.chunks)
    folder = tempfile.TemporaryDirectory(prefix="converse-kit-stream-bench-")
    store = ChatStore(Path(folder.name) / "chats.sqlite3")
    one = sse_body(1)
    chats = {turns: (chat_with(turns, body, store), chat_with(turns, one, store)) for turns in (1, 200)}
    for chat, single in chats.values():  # warm-up: imports, first-call caches
        stream_seconds(chat, args.chunks)
        stream_seconds(single, 1)
    times: dict[int, list[float]] = {1: [], 200: []}
    turn_costs: dict[int, list[float]] = {1: [], 200: []}
    for _ in tqdm(range(args.rounds), desc=f"streaming {args.chunks:,} pieces (1 and 200 turns)", unit="round"):
        for turns, (chat, single) in chats.items():
            once = stream_seconds(single, 1)
            turn_costs[turns].append(once)
            times[turns].append(stream_seconds(chat, args.chunks) - once)
    short, long = statistics.median(times[1]), statistics.median(times[200])
    ratio = long / short
    print(f"\n{args.chunks:,} pieces streamed into the widget, {args.rounds} rounds each, medians (a turn's "
          "once-only cost taken out):")
    for turns, label in ((1, "  1-turn history  "), (200, "  200-turn history")):
        median = statistics.median(times[turns])
        print(f"{label} {median * 1000:8.1f} ms  ({median / args.chunks * 1e6:6.1f} µs a piece); once a turn "
              f"{statistics.median(turn_costs[turns]) * 1000:.1f} ms")
    print(f"  ratio {ratio:.2f} (target at most {TARGET}): {'PASS' if ratio <= TARGET else 'FAIL'}"
          " (store and branches on)")
    store.close()
    folder.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
