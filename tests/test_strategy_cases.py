"""The memory strategies on small histories written out by hand: which exchanges each keeps, what it sends besides,
how it names itself, and what a summary strategy asks the model (test_memory.py checks the same on the long script)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from helpers.memory.strategies import (
    SUMMARY_PROMPT,
    BlockTrim,
    FullHistory,
    SlidingWindow,
    Strategy,
    SummarizeOlder,
    TokenBudget,
    copied,
    model_summarizer,
    split,
    tokens_of,
)


def turn(role: str, content: Any) -> dict[str, Any]:
    """One message."""
    return {"role": role, "content": content}


def history(count: int, words: int = 1) -> list[dict[str, Any]]:
    """`count` text exchanges (question n, answer n), then a new user turn."""
    pairs = [[turn("user", f"q{n} " + "w " * words), turn("assistant", f"a{n} " + "w " * words)] for n in range(count)]
    return [m for pair in pairs for m in pair] + [turn("user", "new")]


def request(messages: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """A request body with these messages."""
    return {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": messages, **fields}


def sent_questions(body: dict[str, Any]) -> list[str]:
    """The first word of every user turn sent."""
    return [str(m["content"]).split()[0] for m in body["messages"] if m["role"] == "user"]


USE = {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "5"}


def test_an_exchange_holds_its_tool_round_and_the_new_turn_holds_a_pending_one() -> None:
    messages = [turn("user", "q0"), turn("assistant", [USE]), turn("user", [RESULT]), turn("assistant", "5"),
                turn("user", "q1"), turn("assistant", [USE]), turn("user", [RESULT])]
    pairs, tail = split(messages)
    assert pairs == [messages[:4]] and tail == messages[4:]
    assert split([turn("user", "only")]) == ([], [turn("user", "only")])
    assert split([turn("user", [{"type": "text", "text": "q"}, RESULT])])[1] == [turn("user", [{"type": "text", "text": "q"}, RESULT])]
    text_blocks = [turn("user", [{"type": "text", "text": "q0"}]), turn("assistant", "a0"), turn("user", "q1")]
    assert split(text_blocks) == ([text_blocks[:2]], text_blocks[2:])  # blocks without a tool_result start an exchange


def test_each_strategy_keeps_the_exchanges_it_says() -> None:
    body = request(history(6))
    assert sent_questions(FullHistory().prepare(body)) == ["q0", "q1", "q2", "q3", "q4", "q5", "new"]
    assert sent_questions(SlidingWindow(2).prepare(body)) == ["q4", "q5", "new"]
    assert sent_questions(SlidingWindow(2, pinned=[0, 9]).prepare(body)) == ["q0", "q4", "q5", "new"]
    assert sent_questions(SlidingWindow(10).prepare(body)) == ["q0", "q1", "q2", "q3", "q4", "q5", "new"]
    with pytest.raises(ValueError, match="^A sliding window needs at least one exchange.$"):
        SlidingWindow(0)
    assert SlidingWindow(1).keep([[turn("user", "q")]], 0) == [0]


def test_a_token_budget_counts_the_fixed_part_and_keeps_an_exchange_that_fits_exactly() -> None:
    messages = history(4)
    pairs, tail = split(messages)
    size = tokens_of(pairs[0])
    assert all(tokens_of(pair) == size for pair in pairs)  # equal exchanges, so the arithmetic is plain
    fixed = tokens_of(tail)
    exactly_two = TokenBudget(fixed + 2 * size)
    assert sent_questions(exactly_two.prepare(request(messages))) == ["q2", "q3", "new"]
    assert exactly_two.dropped == [0, 1]
    assert sent_questions(TokenBudget(fixed + 2 * size - 1).prepare(request(messages))) == ["q3", "new"]
    system = "Be brief. " * 20
    assert sent_questions(TokenBudget(fixed + 2 * size).prepare(request(messages, system=system))) == ["new"]
    pinned = TokenBudget(fixed + 3 * size, pinned=[0])
    assert sent_questions(pinned.prepare(request(messages))) == ["q0", "q2", "q3", "new"]  # the pin's tokens are fixed
    newest = TokenBudget(fixed + 3 * size, pinned=[3])  # a pinned exchange is skipped, and the count goes on past it
    assert sent_questions(newest.prepare(request(messages))) == ["q1", "q2", "q3", "new"]


def test_block_trim_drops_whole_blocks_and_stops_at_the_end() -> None:
    messages = history(6)
    pairs, tail = split(messages)
    size, fixed = tokens_of(pairs[0]), tokens_of(tail)
    assert BlockTrim(fixed + 6 * size, 2).start(pairs, fixed) == 0
    assert BlockTrim(fixed + 6 * size - 1, 2).start(pairs, fixed) == 2
    assert BlockTrim(fixed + 2 * size, 2).start(pairs, fixed) == 4
    assert BlockTrim(fixed + 2 * size - 1, 4).start(pairs, fixed) == 6  # past the end: nothing old fits
    assert BlockTrim(1, 4).start(pairs, fixed) == 6
    assert sent_questions(BlockTrim(fixed + 4 * size, 2).prepare(request(messages))) == ["q2", "q3", "q4", "q5", "new"]
    assert BlockTrim(1, 10).keep(pairs, fixed) == []
    assert BlockTrim(10**6).block == 10


def test_the_request_keeps_every_other_field_and_sends_a_system_prompt_only_when_there_is_one() -> None:
    body = request(history(2), system="Be brief.", temperature=0.5, tools=[{"name": "add"}])
    sent = SlidingWindow(1, cache=True).prepare(body)
    assert {k: v for k, v in sent.items() if k != "messages"} == {
        "model": "claude-haiku-4-5", "max_tokens": 50, "system": "Be brief.", "temperature": 0.5, "tools": [{"name": "add"}],
        "cache_control": {"type": "ephemeral"}}
    plain = FullHistory().prepare(request(history(1), system=""))
    assert "system" not in plain and "cache_control" not in plain
    assert body["messages"] == history(2), "the history itself is never changed"


def test_what_is_sent_shares_nothing_with_the_history() -> None:
    blocks = turn("user", [{"type": "text", "text": "q0"}])
    messages = [blocks, turn("assistant", "a0"), turn("user", "q1")]
    sent = FullHistory().prepare(request(messages))["messages"]
    assert sent == messages
    sent[0]["content"][0]["text"] = "changed"
    sent[1]["content"] = "changed"
    assert messages == [turn("user", [{"type": "text", "text": "q0"}]), turn("assistant", "a0"), turn("user", "q1")]
    one = copied(blocks)
    assert one == blocks and one is not blocks and one["content"] is not blocks["content"]


def test_forgetting_keeps_only_the_drops_still_in_the_history() -> None:
    strategy = SlidingWindow(1)
    strategy.prepare(request(history(4)))
    assert strategy.dropped == [0, 1, 2]
    strategy.forget(history(2)[:-1])  # 4 messages: exchanges 0 and 1 remain
    assert strategy.dropped == [0, 1]
    strategy.forget(history(1)[:-1][:1])  # 1 message: no whole exchange remains
    assert strategy.dropped == []


def test_each_strategy_names_itself_with_its_settings() -> None:
    cases: list[tuple[Strategy, str, str]] = [
        (FullHistory(), "full history", "FullHistory()"),
        (FullHistory(cache=True), "full history + cache", "FullHistory(, cache=True)"),
        (SlidingWindow(5, pinned=[0]), "sliding window (5) + pinned", "SlidingWindow(5, pinned=[0])"),
        (TokenBudget(3000, pinned=[0, 1], cache=True), "token budget (3,000) + pinned + cache",
         "TokenBudget(3000, pinned=[0, 1], cache=True)"),
        (BlockTrim(9000, 15), "block trim (9,000, 15)", "BlockTrim(9000, block=15)"),
        (SummarizeOlder(3000, 4, summarizer=lambda old, dropped: old), "summarize older (3,000, 4)",
         "SummarizeOlder(3000, block=4)"),
    ]
    for strategy, label, shown in cases:
        assert (strategy.label, repr(strategy)) == (label, shown)


def test_a_summary_covers_what_was_dropped_leads_the_system_prompt_and_restarts_when_the_history_changes() -> None:
    seen: list[tuple[str, list[list[dict[str, Any]]]]] = []

    def summarizer(old: str, dropped: list[list[dict[str, Any]]]) -> str:
        seen.append((old, dropped))
        return (old + " " if old else "") + "+".join(str(pair[0]["content"]).split()[0] for pair in dropped)

    messages = history(6)
    pairs, tail = split(messages)
    budget = tokens_of("Be brief.") + tokens_of(tail) + 3 * tokens_of(pairs[0])  # the pinned exchange and two more
    strategy = SummarizeOlder(budget, 2, summarizer=summarizer, pinned=[1])
    sent = strategy.prepare(request(messages, system="Be brief."))
    assert sent_questions(sent) == ["q1", "q4", "q5", "new"]
    assert strategy.summary == "q0+q2+q3" and strategy.summarized == 4  # the pinned exchange is sent, not summarized
    assert sent["system"] == "Summary of the earlier conversation:\nq0+q2+q3\n\nBe brief."
    assert strategy.covered == messages[:8]
    strategy.prepare(request(messages, system="Be brief."))
    assert len(seen) == 1, "nothing new dropped: the summary is not asked for again"
    longer = history(8)
    strategy.prepare(request(longer))
    assert seen[-1][0] == "q0+q2+q3" and strategy.summary == "q0+q2+q3 q4+q5"
    assert strategy.summarized == 6
    strategy.forget(longer[:12])  # undo back to exchange 5: what was summarized is still there
    assert strategy.summary == "q0+q2+q3 q4+q5"
    strategy.forget(longer[:4])  # an undo past what was summarized: start again
    assert (strategy.summary, strategy.summarized, strategy.covered) == ("", 0, [])
    strategy.summary, strategy.summarized, strategy.covered = "old", 1, [turn("user", "other")]
    assert strategy.system(request(messages), None) is not None
    assert strategy.summary != "old"  # a summary of another history is not kept
    strategy.summary, strategy.summarized, strategy.covered, strategy.dropped = "old", 1, [turn("user", "other")], []
    assert strategy.system(request(messages), None) is None and strategy.summary == ""  # restarted: nothing to say yet
    fresh = SummarizeOlder(100)
    fresh.forget([])  # before any request: nothing summarized, nothing to forget
    assert (fresh.summary, fresh.summarized, fresh.covered, fresh.block) == ("", 0, [], 10)
    empty = SummarizeOlder(10**6, summarizer=summarizer)
    assert empty.system(request(history(1)), None) is None
    assert empty.system(request(history(1), system="Be brief."), None) == "Be brief."


def test_the_model_summarizer_asks_through_the_conversation_for_a_short_summary() -> None:
    calls: list[dict[str, Any]] = []

    def create(**kwargs: Any) -> Any:
        calls.append(kwargs)
        return SimpleNamespace(content=[SimpleNamespace(type="text", text="Ana, 7."), SimpleNamespace(type="tool_use"),
                                        SimpleNamespace(type="text", text=" More.")])

    conversation = SimpleNamespace(model="claude-haiku-4-5", client=SimpleNamespace(messages=SimpleNamespace(create=create)))
    summarize = model_summarizer(conversation)  # type: ignore[arg-type]
    dropped = [[turn("user", "I am Ana."), turn("assistant", "Hi Ana.")], [turn("user", "7?"), turn("assistant", "7.")]]
    assert summarize("", dropped) == "Ana, 7. More."
    assert calls == [{"model": "claude-haiku-4-5", "max_tokens": 300, "system": SUMMARY_PROMPT, "messages": [turn(
        "user", "Summary so far:\n(none)\n\nExchanges to add:\nuser: I am Ana.\nassistant: Hi Ana.\nuser: 7?\nassistant: 7.")]}]
    summarize("Ana.", dropped[:1])
    assert calls[-1]["messages"][0]["content"].startswith("Summary so far:\nAna.\n\nExchanges to add:\nuser: I am Ana.\n")
    with pytest.raises(ValueError, match="^SummarizeOlder needs a conversation's client, or a summarizer function.$"):
        model_summarizer(None)
    assert "at most 150 words" in SUMMARY_PROMPT
