"""The benchmarks run as the README says: context cost offline and --live (against a stand-in), a small classroom."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kit import live_environment

from helpers.config import REPO_ROOT
from helpers.replay import notebooks
from helpers.standin import StandIn

BENCHMARK = REPO_ROOT / "benchmarks" / "context_cost.py"
CLASSROOM = REPO_ROOT / "benchmarks" / "classroom_load.py"


def run(env: dict[str, str], *args: str, script: Path = BENCHMARK) -> subprocess.CompletedProcess[str]:
    """Run a benchmark as a reader would, from the kit's folder."""
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env,
                          cwd=REPO_ROOT, timeout=600)


def best_share(stdout: str) -> float:
    """The best managed strategy's share of the full history with caching, as printed."""
    line = next(line for line in stdout.splitlines() if line.startswith("Best managed strategy"))
    assert line.endswith("of the full history with caching (target at most 0.50)"), line
    return float(line.split(": ")[1].split(" ")[0])


def tool_share(stdout: str) -> float:
    """The tool-heavy script's best share, as printed."""
    line = next(line for line in stdout.splitlines() if line.startswith("Tool-heavy script: best managed"))
    return float(line.split(": ")[2].split(" ")[0])


def test_offline_prints_the_table_and_writes_the_plot(tmp_path: Path) -> None:
    out = tmp_path / "cost.svg"
    done = run(notebooks.environment(CONVERSE_KIT_HITS_LOG=None), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "offline estimate" in done.stdout
    assert "block trim" in done.stdout and "sliding window (10) + cache" in done.stdout
    assert "minimum cacheable prefix 4,096 tokens" in done.stdout  # the default model's documented minimum
    assert best_share(done.stdout) <= 0.70  # today's best (block trim, 0.67) must not get worse; the goal is 0.50
    assert ("PASS" in done.stdout) == (best_share(done.stdout) <= 0.50 and tool_share(done.stdout) <= 0.50)
    for rung in ("clear tool uses (server) + cache", "compaction (server) + cache", "memory tool + sliding window (10) + cache",
                 "memory tool + chunked window (4,096-8,192) + cache", "chunked window (4,096-8,192) + pinned + cache",
                 "compaction + instructions, 3 breakpoints (server) + cache",
                 "clear tool uses, breakpoint before the kept uses (server) + cache"):
        rows = [line for line in done.stdout.splitlines() if re.match(re.escape(rung) + r" +[\d,]+ ", line)]
        assert len(rows) == 2, rung  # on both scripts
    assert "Tool-heavy script (facts mid-sentence" in done.stdout and 0 < tool_share(done.stdout) <= 1.0
    floors = [float(line.split("): ")[1].split(" ")[0]) for line in done.stdout.splitlines() if line.startswith("Lower bound")]
    assert len(floors) == 2 and floors[0] <= best_share(done.stdout) and floors[1] <= tool_share(done.stdout)
    same = next(line for line in done.stdout.splitlines() if line.startswith("One rung, one set of parameters"))
    shares = [float(part.split(" ")[0]) for part in same.split(": ")[2].split(", ")]
    assert shares[0] >= best_share(done.stdout) and shares[1] >= tool_share(done.stdout)  # each best is at most it
    assert out.read_text().startswith("<svg") and out.read_text().count("<polyline") >= 8  # two panels, a line per strategy


def test_live_counts_every_request_with_count_tokens(server: StandIn, tmp_path: Path) -> None:
    done = run(live_environment(server.url), "--live", "--out", str(tmp_path / "cost.svg"))
    assert done.returncode == 0, done.stderr
    assert "count_tokens" in done.stdout
    counted = [r for r in server.requests if r["path"].endswith("/count_tokens")]
    assert len(counted) == 2 * 100 * 19  # every turn of each of the nineteen rungs, on both scripts
    assert 0 < best_share(done.stdout) <= 1.0


def test_a_small_classroom_loses_no_turn_with_the_workshop_setting_or_the_gateway() -> None:
    done = run(notebooks.environment(CONVERSE_KIT_HITS_LOG=None), "--learners", "8", "--turns", "3", "--rate", "4",
               script=CLASSROOM)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line[:34].strip(): line[34:].split() for line in done.stdout.splitlines() if "req/s" in line or "no limit" in line}
    assert rows["no limit, kit default"][:2] == ["24", "0"]
    assert rows["4 req/s, workshop setting"][:2] == ["24", "0"]
    assert int(rows["4 req/s, workshop setting"][2]) > 0, "the limit was really hit"
    assert "0 of 24 turns lost (target 0): PASS" in done.stdout
    assert rows["4 req/s, gateway at 3.6/s"][:2] == ["24", "0"], "through the class key gateway, nothing lost"
    assert "Class key gateway: 0 of 24 turns lost (target 0), 24 ledger entries for 24 replies: PASS" in done.stdout


def test_the_gateway_latency_benchmark_measures_both_paths_and_bills_every_reply() -> None:
    done = run(notebooks.environment(CONVERSE_KIT_HITS_LOG=None), "--requests", "20", "--streams", "3",
               script=REPO_ROOT / "benchmarks" / "gateway_latency.py")
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: over the 5 ms goal on a loaded machine
    assert "non-streamed, through the gateway" in done.stdout and "per chunk after it" in done.stdout
    assert "Ledger entries: 33 for 33 replies through the gateway" in done.stdout


def ratio_line(stdout: str) -> str:
    """The benchmark's closing line: the ratio, its target and PASS or FAIL."""
    return next(line.strip() for line in stdout.splitlines() if line.strip().startswith("ratio "))


def test_streaming_into_a_long_chat_costs_no_more_than_into_a_short_one() -> None:
    """A regression check at the goal (ratio at most 1.2): a piece that re-rendered every bubble was 151x slower."""
    done = run(notebooks.environment(CONVERSE_KIT_HITS_LOG=None), "--chunks", "1000", "--rounds", "5",
               script=REPO_ROOT / "benchmarks" / "widget_stream.py")
    assert done.returncode == 0, done.stderr
    assert "(target at most 1.2): PASS" in ratio_line(done.stdout), done.stdout


def test_the_suite_costs_little_more_than_notebooks_that_only_import_anthropic() -> None:
    """A regression check at the goal (ratio at most 1.3), over the first notebooks only, for CI's time."""
    done = run(notebooks.environment(CONVERSE_KIT_HITS_LOG=None), "--repeats", "1", "--notebooks", "4",
               script=REPO_ROOT / "benchmarks" / "suite_overhead.py")
    assert done.returncode == 0, done.stderr
    assert ratio_line(done.stdout).endswith("(target at most 1.3): PASS"), done.stdout
