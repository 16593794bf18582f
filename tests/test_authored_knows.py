"""Authored samples know only what was sent: each reply's `knows` phrases are in the request it answers, it names
nothing that only another request of its notebook was told, and its stop reason is one its request could produce."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from helpers.config import REPO_ROOT
from helpers.memory import estimate_request_tokens
from helpers.replay.record import AUTHORED_REPLIES, AuthoredReplies
from helpers.standin.server import CONTEXT_WINDOW

RECORDINGS = REPO_ROOT / "data" / "recordings"
# Words too common to name anything: a reply may share them with any request.
COMMON = set(["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these", "those", "i", "you", "we", "he", "she", "they", "me", "my", "your", "our", "his", "her", "their", "them", "us", "do", "does", "did", "can", "could", "will", "would", "should", "shall", "may", "might", "must", "have", "has", "had", "not", "no", "yes", "so", "if", "then", "than", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "all", "any", "each", "every", "some", "one", "two", "three", "more", "most", "much", "many", "very", "just", "also", "only", "own", "same", "other", "such", "into", "out", "up", "down", "over", "under", "again", "about", "after", "before", "here", "there", "now", "please", "let", "make", "made", "get", "got", "give", "say", "said", "tell", "told", "like", "ask", "asked", "use", "used", "new", "first", "last"])


@dataclass(frozen=True)
class Exchange:
    """One authored recording: the cassette, the file, what the request sent, the reply entry, and the answer."""

    cassette: str
    path: Path
    body: dict[str, Any]
    sent: str
    entry: dict[str, Any]
    stop_reason: str | None
    output_tokens: int


def normal(text: str) -> str:
    """Lower case, one space between words, straight quotes: the form phrases are compared in."""
    return " ".join(text.lower().replace("\u2019", "'").split())


def block_text(block: Any) -> str:
    """The words a content block carries (text, a document's text, a tool call or result, thinking)."""
    if isinstance(block, str):
        return block
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind == "document":
        return f"{block.get('title', '')} {block.get('source', {}).get('data', '')}"
    if kind == "image":
        return "[image]"  # what an image shows cannot be matched as text: see test_the_sample_image_shows_what_06_says
    if kind == "tool_use":
        return f"{block.get('name', '')} {json.dumps(block.get('input', {}))}"
    if kind == "tool_result":
        content = block.get("content", "")
        inner = content if isinstance(content, str) else " ".join(block_text(b) for b in content)
        return f"{inner}{' [is_error]' if block.get('is_error') else ''}"
    if kind == "thinking":
        return str(block.get("thinking", ""))
    return ""


def content_text(content: Any) -> str:
    """The words of a message's content, a string or a list of blocks."""
    return content if isinstance(content, str) else " ".join(block_text(b) for b in content or [])


def request_text(body: dict[str, Any], responses: dict[str, tuple[dict[str, Any], str]]) -> str:
    """What a request told the model: system, tools and messages, and for a thread turn the turns the server kept."""
    system = body.get("system") or ""
    parts = [system if isinstance(system, str) else content_text(system)]
    parts += [f"{t.get('name', '')} {t.get('description', '')}" for t in body.get("tools") or []]
    parts += [json.dumps(body["output_config"].get("format"))] if isinstance(body.get("output_config"), dict) else []
    previous = (body.get("thread") or {}).get("previous_message_id")
    if previous in responses:
        earlier, reply = responses[previous]
        parts += [request_text(earlier, responses), reply]
    parts += [content_text(m.get("content")) for m in body.get("messages") or []]
    return normal(" ".join(parts))


def reply_text(raw: Any) -> str:
    """The words of an authored reply: text, or content blocks (a dict reply keeps them under `content`)."""
    blocks = raw.get("content", []) if isinstance(raw, dict) else raw
    return normal(blocks if isinstance(blocks, str) else content_text(blocks))


def answer_of(response: dict[str, Any]) -> tuple[str | None, str, int, str]:
    """A recorded response's message id, its text, its last stop reason and its output tokens."""
    lines = "\n".join(response.get("body_lines") or [])
    ids = re.findall(r'"id": "(msg_[^"]+)"', lines)
    stops = re.findall(r'"stop_reason": "([a-z_]+)"', lines)
    outputs = re.findall(r'"output_tokens": (\d+)', lines)
    texts = re.findall(r'"(?:text|text_delta)": "((?:[^"\\]|\\.)*)"', lines)
    text = "".join(json.loads(f'"{t}"') for t in texts)
    return (ids[0] if ids else None), (stops[-1] if stops else ""), int(outputs[-1]) if outputs else 0, text


@cache
def exchanges() -> tuple[Exchange, ...]:
    """Every authored recording of a message request, with the authored entry that answered it."""
    replies = AuthoredReplies(AUTHORED_REPLIES)
    raw = []
    for path in sorted(RECORDINGS.glob("*/*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        body = data["request"]["body"]
        if data["provenance"]["source"] == "authored" and data["request"]["path"] == "/v1/messages" and body:
            raw.append((path, body, answer_of(data["response"])))
    responses = {msg_id: (body, text) for _, body, (msg_id, _, _, text) in raw if msg_id}
    found = []
    for path, body, (_, stop, output, _) in raw:
        entry = replies.entry_for(body)
        if entry is not None:
            found.append(Exchange(path.parent.name, path, body, request_text(body, responses), entry, stop or None, output))
    return tuple(found)


def entries() -> list[tuple[str, dict[str, Any]]]:
    """Every authored entry with the file it is in."""
    return [(path.name, entry) for path in sorted(AUTHORED_REPLIES.glob("*.json"))
            for entry in json.loads(path.read_text(encoding="utf-8"))["replies"]]


def named(entry: dict[str, Any]) -> str:
    """A short name for an entry in a test id."""
    return f"{entry.get('user') or entry.get('user_starts')}"[:50]


def test_recordings_were_found() -> None:
    assert len(exchanges()) > 40


@pytest.mark.parametrize(("file", "entry"), entries(), ids=[f"{f}:{named(e)}" for f, e in entries()])
def test_every_authored_reply_declares_what_it_knows(file: str, entry: dict[str, Any]) -> None:
    knows = entry.get("knows")
    assert isinstance(knows, list) and all(isinstance(k, str) and k.strip() for k in knows), \
        f"{file}: give the reply to {named(entry)!r} a knows list: the phrases of its request it relies on"
    used = [x for x in exchanges() if x.entry is entry or x.entry == entry]
    assert used, f"{file}: no recording is answered by the reply to {named(entry)!r}: re-record, or remove the entry"


@pytest.mark.parametrize("exchange", exchanges(), ids=lambda x: f"{x.cassette}/{x.path.stem[:40]}")
def test_a_reply_knows_only_what_its_request_sent(exchange: Exchange) -> None:
    absent = [phrase for phrase in exchange.entry.get("knows", []) if normal(phrase) not in exchange.sent]
    assert not absent, f"{exchange.path.name}: the reply relies on {absent}, which its request never sent"


def pairs(text: str) -> set[tuple[str, str]]:
    """Neighbouring pairs of words that can name something ("stretch goal"; numbers and common words never do)."""
    words = re.findall(r"[a-z0-9][a-z0-9'-]*", text)
    return {(a, b) for a, b in zip(words, words[1:], strict=False)
            if not ({a, b} & COMMON) and not (a.isdigit() or b.isdigit())}


def siblings(one: dict[str, Any], other: dict[str, Any]) -> bool:
    """Whether two requests start alike and then part (neither's messages begin the other's): sibling forks."""
    a, b = one.get("messages") or [], other.get("messages") or []
    return bool(a and b) and a[0] == b[0] and b != a[: len(b)] and a != b[: len(a)]


def told_elsewhere(exchange: Exchange) -> set[tuple[str, str]]:
    """Word pairs that a sibling fork of this conversation was told in its new user turn, and this request was not."""
    others = [x for x in exchanges() if x.cassette == exchange.cassette and siblings(exchange.body, x.body)]
    told: set[tuple[str, str]] = set()
    for other in others:
        told |= pairs(normal(content_text(other.body["messages"][-1]["content"])))
    return told - pairs(exchange.sent)


@pytest.mark.parametrize("exchange", exchanges(), ids=lambda x: f"{x.cassette}/{x.path.stem[:40]}")
def test_a_reply_names_nothing_only_another_request_was_told(exchange: Exchange) -> None:
    leaked = sorted(" ".join(p) for p in pairs(reply_text(exchange.entry["reply"])) & told_elsewhere(exchange))
    assert not leaked, f"{exchange.path.name}: the reply names {leaked}, which only another request was told"


def server_tools(body: dict[str, Any]) -> list[str]:
    """The server tools a request offers (a tool with a versioned type and no input_schema runs on the API's side)."""
    return [str(t.get("name")) for t in body.get("tools") or [] if "input_schema" not in t and t.get("type") not in (None, "custom")]


@pytest.mark.parametrize("exchange", exchanges(), ids=lambda x: f"{x.cassette}/{x.path.stem[:40]}")
def test_a_stop_reason_comes_only_from_a_request_that_could_produce_it(exchange: Exchange) -> None:
    body, stop = exchange.body, exchange.stop_reason
    if stop == "pause_turn":
        assert server_tools(body), f"{exchange.path.name}: pause_turn comes from a long server-tool turn, and the request has no server tool"
    if stop == "model_context_window_exceeded":
        need = estimate_request_tokens(body) + int(body["max_tokens"])
        assert need > CONTEXT_WINDOW, f"{exchange.path.name}: a context-window stop from a request of {need:,} tokens " \
                                      f"(input and max_tokens), far below the {CONTEXT_WINDOW:,}-token window"
    if stop == "tool_use":
        assert body.get("tools"), f"{exchange.path.name}: tool_use from a request that offers no tool"


def test_the_checks_catch_a_reply_that_knows_too_much() -> None:
    """The planted bug of 03: the `shorter` fork's reply naming the stretch goals only `projects` was told."""
    shorter = next(x for x in exchanges() if x.entry.get("user") == "Make every post shorter: one idea per post.")
    planted = {**shorter.entry, "reply": f"{shorter.entry['reply']} Each project's stretch goal closes its second post.",
               "knows": [*shorter.entry["knows"], "stretch goal"]}
    leaky = Exchange(shorter.cassette, shorter.path, shorter.body, shorter.sent, planted, "end_turn", 1)
    with pytest.raises(AssertionError, match="stretch goal"):
        test_a_reply_knows_only_what_its_request_sent(leaky)
    with pytest.raises(AssertionError, match="stretch goal"):
        test_a_reply_names_nothing_only_another_request_was_told(leaky)


def test_the_record_command_hands_the_stand_in_only_the_reply() -> None:
    replies = AuthoredReplies(AUTHORED_REPLIES)
    body = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hello!"}]}
    entry = replies.entry_for(body)
    assert entry is not None and "knows" in entry
    assert replies(body) == entry["reply"] and not replies.missing
