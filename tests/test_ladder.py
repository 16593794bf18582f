"""Notebook 08's ladder helpers: the split-round check, the cache lost to edits, the cost line, and the rung table."""

from __future__ import annotations

from types import SimpleNamespace

from helpers.memory.costsim import Turn, load_script
from helpers.memory.ladder import (
    TOOL_CHAT,
    billed,
    cache_lost,
    cost_line,
    facts_in,
    rows,
    simulate_ladder,
    split_pairs,
    table,
)

USE = {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "plot_log", "input": {}}]}
RESULT = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "log"}]}
ASK = {"role": "user", "content": "Hi"}


def test_split_pairs_names_an_unanswered_call_and_an_orphaned_result() -> None:
    assert split_pairs([ASK, USE, RESULT]) == []
    assert split_pairs([ASK, USE]) == ["messages.1: tool_use t1 unanswered"]
    assert split_pairs([RESULT]) == ["messages.0: tool_result for t1 with no call before it"]


def test_cache_lost_counts_only_what_was_cached_and_not_read_again() -> None:
    steady = [Turn(5000, 0, 5000, 0), Turn(5100, 5000, 100, 0), Turn(5200, 5100, 100, 0)]
    assert cache_lost(steady) == 0
    broken = [Turn(5000, 0, 5000, 0), Turn(3000, 1000, 2000, 0)]  # an edit shrank the prompt: 2,000 cached not read
    assert cache_lost(broken) == 2000


def test_billed_weights_writes_and_reads_by_the_documented_multipliers() -> None:
    usage = SimpleNamespace(input_tokens=100, cache_creation_input_tokens=1000, cache_read_input_tokens=10_000)
    assert billed(usage) == 100 + 1250 + 1000
    assert cost_line(usage).endswith("billed 2,350 input-token equivalents")


def test_every_rung_runs_on_the_tool_script_and_the_table_lists_them() -> None:
    script = load_script(TOOL_CHAT)
    table_rows = rows(simulate_ladder(script))
    assert table_rows[0].share == 1.0 and table_rows[0].lost == 0  # the baseline is itself
    assert len({r.label for r in table_rows}) == len(table_rows) == 6
    assert all(sum(r.facts.values()) == len(script.facts) for r in table_rows)  # every rung keeps every pinned fact
    assert table(table_rows).count("\n") == len(table_rows)
    assert facts_in({"system": script.facts[0]}, script.facts) == {script.facts[0]: True, **{f: False for f in script.facts[1:]}}


def test_the_ladder_plot_has_three_panels_and_a_line_and_label_per_rung() -> None:
    from helpers.memory.ladder import plot_ladder

    script = load_script(TOOL_CHAT)
    outcomes = simulate_ladder(script)
    chart = plot_ladder(outcomes, "ladder")
    assert chart.svg.count("<polyline") == 3 * len(outcomes)
    assert "Cached tokens lost per turn" in chart.svg and all(o.label in chart.svg for o in outcomes)
