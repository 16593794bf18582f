"""Memory strategies: whole exchanges only, user first, pinned kept, budgets respected, the view is what is sent."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kit import stand_in_client

from helpers import Conversation, check_history
from helpers.memory.caching import Block, PromptCache, request_blocks
from helpers.memory.chunked import (
    CachedCompaction,
    ChunkedWindow,
    ClearingBreakpoint,
    MemoryChunks,
    SystemBreakpoint,
)
from helpers.memory.costsim import ExtractiveSummarizer, facts_kept, load_script, lower_bound, simulate
from helpers.memory.pricing import cost, input_equivalents, price
from helpers.memory.rungs import ServerEdits
from helpers.memory.strategies import (
    BlockTrim,
    FullHistory,
    SlidingWindow,
    Strategy,
    SummarizeOlder,
    TokenBudget,
    tokens_of,
)
from helpers.reply import Usage
from helpers.standin import StandIn

SCRIPT = load_script()


def body_at(turn: int) -> dict[str, Any]:
    """The full-history request body of the scripted conversation at a turn."""
    history = [m for pair in SCRIPT.exchanges[:turn] for m in pair]
    return {"model": "m", "max_tokens": 100, "system": SCRIPT.system, "messages": [*history, SCRIPT.exchanges[turn][0]]}


def every_strategy() -> list[Strategy]:
    """One of each strategy, with pins and caching in the mix."""
    return [FullHistory(), SlidingWindow(3), SlidingWindow(5, pinned=[0]), TokenBudget(3000), TokenBudget(3000, pinned=[0, 1]),
            BlockTrim(3000, 4, pinned=[0], cache=True), SummarizeOlder(3000, 4, summarizer=ExtractiveSummarizer()),
            ChunkedWindow(3000, 1500, pinned=[0], cache=True)]


@pytest.mark.parametrize("strategy", every_strategy(), ids=lambda s: s.label)
@pytest.mark.parametrize("turn", [0, 1, 7, 30, 99])
def test_requests_are_whole_exchanges_starting_with_the_user(strategy: Strategy, turn: int) -> None:
    body = strategy.prepare(body_at(turn))
    check_history(body["messages"])  # starts with a user turn, roles alternate
    full = body_at(turn)["messages"]
    assert body["messages"][-1] == full[-1], "the new user turn is always sent"
    pairs = [body["messages"][i : i + 2] for i in range(0, len(body["messages"]) - 1, 2)]
    assert all(pair in [full[j : j + 2] for j in range(0, len(full) - 1, 2)] for pair in pairs), "no pair is split"


@pytest.mark.parametrize("strategy", [s for s in every_strategy() if s.pinned], ids=lambda s: s.label)
def test_pinned_exchanges_are_never_dropped(strategy: Strategy) -> None:
    for turn in (10, 50, 99):
        messages = strategy.prepare(body_at(turn))["messages"]
        for i in strategy.pinned:
            assert SCRIPT.exchanges[i][0] in messages and SCRIPT.exchanges[i][1] in messages


@pytest.mark.parametrize("strategy", [TokenBudget(3000), TokenBudget(2500, pinned=[0]), BlockTrim(3000, 4)], ids=repr)
def test_the_budget_is_respected(strategy: Strategy) -> None:
    for turn in range(5, 100, 7):
        body = strategy.prepare(body_at(turn))
        used = tokens_of(body["system"]) + sum(tokens_of(m) for m in body["messages"])
        assert used <= strategy.budget + 50, f"turn {turn}: {used} tokens"  # type: ignore[attr-defined]


@pytest.mark.parametrize("pinned", [(), (0,)])
def test_a_token_budget_keeps_the_newest_exchanges_up_to_the_first_that_does_not_fit(pinned: tuple[int, ...]) -> None:
    """An exchange too big for what is left stops the count: no older, smaller exchange is sent past the gap."""
    small, big = ("short question", "short answer"), ("long question " * 100, "long answer " * 100)
    sizes = [small, small, big, small, small]
    history = [{"role": role, "content": text} for pair in sizes for role, text in zip(("user", "assistant"), pair, strict=True)]
    body = {"model": "m", "max_tokens": 10, "messages": [*history, {"role": "user", "content": "new"}]}
    strategy = TokenBudget(200, pinned=pinned)
    sent = strategy.prepare(body)["messages"]
    assert sent == [*history[:2]] * bool(pinned) + history[6:] + body["messages"][-1:]
    assert strategy.dropped == [i for i in range(3) if i not in pinned]


def test_a_token_budget_stops_reading_at_the_first_exchange_that_does_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the budget is spent no older exchange can fit, so a long chat is not read to its start every turn."""
    import helpers.memory.strategies as strategies

    read: list[int] = []
    counted = strategies.tokens_of
    monkeypatch.setattr(strategies, "tokens_of", lambda item: read.append(1) or counted(item))
    pairs, _ = strategies.split(body_at(99)["messages"])
    kept = TokenBudget(3000).keep(pairs, 0)
    assert 0 < len(kept) < len(pairs) - 1 and len(read) == len(kept) + 1


def test_a_sliding_window_keeps_exactly_its_last_exchanges() -> None:
    body = SlidingWindow(3).prepare(body_at(40))
    assert body["messages"][:-1] == [m for pair in SCRIPT.exchanges[37:40] for m in pair]


def test_block_trim_keeps_a_stable_prefix_between_drops() -> None:
    strategy, starts = BlockTrim(3000, 5), []
    for turn in range(1, 60):
        starts.append(strategy.prepare(body_at(turn))["messages"][0])
    changes = sum(1 for a, b in zip(starts, starts[1:], strict=False) if a != b)
    assert 0 < changes <= 60 // 5, "the first message changes only when a block is dropped"


def test_summarize_older_leads_with_an_editable_summary() -> None:
    strategy = SummarizeOlder(3000, 4, summarizer=ExtractiveSummarizer())
    body = strategy.prepare(body_at(60))
    assert body["system"].startswith("Summary of the earlier conversation:\n") and SCRIPT.system in body["system"]
    assert "My name is Ana." in strategy.summary
    strategy.summary = "Edited by the learner."
    assert "Edited by the learner." in strategy.prepare(body_at(61))["system"]


def test_caching_adds_a_breakpoint_that_moves_with_the_conversation() -> None:
    body = FullHistory(cache=True).prepare(body_at(5))
    assert body["cache_control"] == {"type": "ephemeral"}
    rows = simulate(FullHistory(cache=True), SCRIPT, turns=30)
    small = [r for r in rows if r.sent < 4096]  # under claude-haiku-4-5's documented minimum: nothing is cached
    assert small and all(r.cache_read == r.cache_write == 0 and r.uncached == r.sent for r in small)
    cached = rows[len(small):]
    assert cached[0].cache_read == 0 and cached[0].cache_write == cached[0].sent
    assert all(r.cache_read > 0 and r.cache_read + r.cache_write == r.sent for r in cached[1:])


def test_a_cold_cache_is_written_again_after_its_ttl() -> None:
    slow = simulate(FullHistory(cache=True), SCRIPT, turns=30, seconds_per_turn=400)  # slower than the 5-minute TTL
    assert all(r.cache_read == 0 for r in slow)


def test_full_history_grows_quadratically_and_caching_cuts_the_bill() -> None:
    full = simulate(FullHistory(), SCRIPT)
    assert full[99].sent > 20 * full[0].sent
    cached = simulate(FullHistory(cache=True), SCRIPT)
    assert sum(r.billed for r in cached) < 0.2 * sum(r.billed for r in full)


def test_the_best_managed_strategy_meets_the_target() -> None:
    full = sum(r.billed for r in simulate(FullHistory(), SCRIPT))
    base = sum(r.billed for r in simulate(FullHistory(cache=True), SCRIPT))
    block = BlockTrim(9000, 15, pinned=[0, 1, 2], cache=True)
    assert sum(r.billed for r in simulate(block, SCRIPT)) / base <= 0.70
    assert all(facts_kept(block, SCRIPT).values())
    assert not any(facts_kept(SlidingWindow(10), SCRIPT).values())
    under = BlockTrim(4000, 10, pinned=[0, 1, 2], cache=True)  # keeps less than the minimum: caching is forfeited
    assert 0.14 < sum(r.billed for r in simulate(under, SCRIPT)) / full < 0.16  # not the old 3.4%
    window = [sum(r.billed for r in simulate(SlidingWindow(10, cache=c), SCRIPT)) for c in (False, True)]
    assert window[1] <= window[0]  # under the minimum, caching costs nothing extra


@pytest.mark.parametrize("memory", [SlidingWindow(2), TokenBudget(200, pinned=[0]), BlockTrim(200, 2, cache=True)], ids=repr)
def test_the_request_sent_equals_the_view_shown(server: StandIn, memory: Strategy) -> None:
    conv = Conversation(client=stand_in_client(server.url), memory=memory)
    for i in range(6):
        shown = conv.request(f"Question number {i}, with a few more words to take up some tokens.")
        conv.send(f"Question number {i}, with a few more words to take up some tokens.")
        assert server.requests[-1]["body"] == shown
    assert len(conv.messages) == 12, "the full history stays in the conversation; only the request is trimmed"


def test_summarize_older_asks_the_model_through_the_conversation(server: StandIn) -> None:
    conv = Conversation(client=stand_in_client(server.url), memory=SummarizeOlder(120, 2))
    for i in range(5):
        conv.send(f"Fact {i}: the answer is {i * 7}, and here are some extra words to fill the budget quickly.")
    calls = [r["body"] for r in server.requests if "Update the running summary" in str(r["body"].get("system"))]
    assert calls and conv.memory.summary.startswith("Stand-in reply to")  # type: ignore[union-attr]


def test_prices_live_in_one_table_with_a_date() -> None:
    usage = Usage(input_tokens=1000, output_tokens=100, cache_creation_input_tokens=1000, cache_read_input_tokens=1000)
    assert input_equivalents(usage) == 1000 + 1250 + 100
    assert cost(usage, "claude-haiku-4-5") == pytest.approx((2350 * 1.0 + 100 * 5.0) / 1e6)
    with pytest.raises(KeyError, match="prices as of"):
        price("claude-unknown")


def test_the_remembered_estimate_equals_the_json_estimate() -> None:
    from helpers.memory.tokens import estimate_tokens

    message = {"role": "user", "content": 'Quotes " and accents é, and a\nnew line'}
    blocks = {"role": "user", "content": [{"type": "text", "text": "x" * 40}]}
    short = [{"role": "user", "content": "x" * n} for n in range(8)]  # lengths that round either way
    for item in (message, [message, {"role": "assistant", "content": "ok"}], blocks, [message, blocks], *short,
                 *[[m] for m in short]):
        assert tokens_of(item) == estimate_tokens(json.dumps(item, ensure_ascii=False))


def test_a_chunked_window_moves_only_past_high_and_never_below_low() -> None:
    window = ChunkedWindow.for_cache(cache=True)
    assert (window.low, window.high) == (4096, 8192)  # from claude-haiku-4-5's documented minimum, not a script
    starts, sizes = [], []
    for turn in range(100):
        body = window.prepare(body_at(turn))
        starts.append(window.start)
        sizes.append(tokens_of(body["system"]) + sum(tokens_of(m) for m in body["messages"]))
    moves = [t for t in range(1, 100) if starts[t] != starts[t - 1]]
    assert 3 <= len(moves) <= 12 and all(b - a >= 5 for a, b in zip(moves, moves[1:], strict=False))  # in chunks
    assert all(size <= window.high + 400 for size in sizes)
    assert all(sizes[t] >= window.low for t in moves)  # a move never leaves less than the cache minimum
    rows = simulate(ChunkedWindow.for_cache(cache=True), SCRIPT)
    between = [rows[t] for t in range(moves[0] + 1, moves[1])]
    assert all(r.cache_read > 0 for r in between)  # the prefix is read between moves


def test_memory_over_a_chunked_window_views_memory_where_the_window_starts() -> None:
    tools = load_script(load_script.__defaults__[0].parent / "tool_chat.json")  # type: ignore[index]
    memory = MemoryChunks.for_cache(facts=tools.facts, cache=True)
    rows = simulate(memory, tools)
    assert memory.memory == tools.facts and all(facts_kept(memory, tools).values())
    last = memory.prepare(tools.request(99))
    first = json.dumps(last["messages"][0])
    assert "<memory file=/memories/facts.md>" in first and tools.facts[0] in first
    assert not any("<memory" in json.dumps(m) for m in last["messages"][1:])  # only the window's first turn carries it
    assert sum(r.cache_read for r in rows) > 10 * sum(r.cache_write for r in rows[-10:])  # read, not rewritten each turn
    assert sum(r.side_output for r in rows) > 0  # each write's tool call is billed as output


def test_extra_breakpoints_mark_the_system_prompt_and_the_compaction_block() -> None:
    marked = SystemBreakpoint(ChunkedWindow.for_cache(cache=True)).prepare(body_at(40))
    assert marked["system"][-1]["cache_control"] == {"type": "ephemeral"} and marked["cache_control"]
    # a trigger under the documented 50,000 minimum, only to see the marking on the short script
    compaction = CachedCompaction([{"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": 8192}}],
                                  "c", cache=True)
    rows = simulate(compaction, SCRIPT)
    sent = compaction.prepare(SCRIPT.request(99))
    blocks = [b for m in sent["messages"] if isinstance(m["content"], list) for b in m["content"]]
    assert any(b.get("type") == "compaction" and b.get("cache_control") for b in blocks)
    assert sent["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert sum(r.side_output for r in rows) > 0 and compaction.summarizer.read > 8192  # the compaction step is billed


def test_the_lookback_counts_content_blocks_not_messages() -> None:
    cache, model = PromptCache(), "claude-haiku-4-5"
    head = [Block("system", 5000, "5m")]
    cache.bill(model, head, 0)
    plain = [Block("system", 5000)]  # the same prefix, its breakpoint gone: only the end's lookback can find it
    near = plain + [Block(f"m{i}", 10, None, 1) for i in range(18)] + [Block("end", 10, "5m", 1)]
    assert cache.bill(model, near, 1).read == 5000  # 19 blocks back: inside the window
    cache = PromptCache()
    cache.bill(model, head, 0)
    wide = plain + [Block(f"m{i}", 10, None, 3) for i in range(6)] + [Block("end", 10, "5m", 3)]
    assert cache.bill(model, wide, 1).read == 0  # 7 messages, but 21 content blocks back: past the window


def test_no_rung_is_billed_below_the_lower_bound() -> None:
    base = sum(r.billed for r in simulate(FullHistory(cache=True), SCRIPT))
    floor = lower_bound(SCRIPT)
    assert 0.3 * base < floor < 0.5 * base
    for strategy in (ChunkedWindow.for_cache(pinned=[0, 1, 2], cache=True), BlockTrim(9000, 15, pinned=[0, 1, 2], cache=True),
                     MemoryChunks.for_cache(facts=SCRIPT.facts, cache=True), FullHistory(cache=True)):
        assert sum(r.billed for r in simulate(strategy, SCRIPT)) >= floor, strategy.label


def test_a_summary_is_billed_for_what_it_writes() -> None:
    summarizer = ExtractiveSummarizer()
    rows = simulate(SummarizeOlder(9000, 15, summarizer=summarizer, cache=True), SCRIPT)
    assert summarizer.wrote > 0 and sum(r.side_output for r in rows) == pytest.approx(5.0 * summarizer.wrote)  # $5 / $1


def test_a_string_is_the_same_prefix_as_one_text_block() -> None:
    text = {"model": "claude-haiku-4-5", "system": "S " * 3000, "messages": [{"role": "user", "content": "Hi " * 3000}]}
    blocks = {**text, "system": [{"type": "text", "text": "S " * 3000}],
              "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi " * 3000, "cache_control": {"type": "ephemeral"}}]}]}
    assert [b.key for b in request_blocks(text)] == [b.key for b in request_blocks(blocks)]  # the SDK: string is shorthand


def test_a_breakpoint_before_the_kept_tool_uses_lets_cleared_turns_read_the_cache() -> None:
    tools = load_script(load_script.__defaults__[0].parent / "tool_chat.json")  # type: ignore[index]
    clear = {"type": "clear_tool_uses_20250919", "trigger": {"type": "input_tokens", "value": 9000},
             "keep": {"type": "tool_uses", "value": 3}, "clear_at_least": {"type": "input_tokens", "value": 2000}}
    plain, marked = (simulate(cls([clear], "c", cache=True), tools) for cls in (ServerEdits, ClearingBreakpoint))
    late = range(60, 100)  # long past the trigger: the server clears one more result on most turns
    assert sum(plain[t].cache_read for t in late) < sum(plain[t].sent for t in late) / 10  # each turn rewritten
    assert sum(marked[t].cache_read for t in late) > sum(marked[t].sent for t in late) / 2  # mostly read
    assert sum(r.billed for r in marked) < sum(r.billed for r in plain) / 2
