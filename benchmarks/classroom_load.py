"""A classroom at once: 30 learners, each holding a 10-turn conversation, against one shared rate limit.

    python benchmarks/classroom_load.py [--learners 30] [--turns 10] [--rate 10]

Every learner is a thread with its own kit client (as if on their own laptop), talking through the kit's
`Conversation` to a local stand-in of the API on 127.0.0.1 that answers 429 with `retry-after: 1` above
`--rate` requests per second, shared by the whole room. Three runs, one after another, in one go:
no limit (the baseline), the limit with the kit's default client (the SDK's 2 retries), and the limit
with the workshop setting (CONVERSE_KIT_WORKSHOP=1). Prints turns completed and lost (target: 0 lost
with the workshop setting), retries, and the median and 95th-percentile turn time, with their ratio
to the baseline's median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from helpers import Conversation, KitError
from helpers.config import DEFAULT_MODEL, Settings
from helpers.replay.client import make_client
from helpers.standin import StandIn

DUMMY_KEY = "dummy-key-for-the-local-stand-in"


@dataclass
class Run:
    """What one run of the classroom measured."""

    name: str
    times: list[float] = field(default_factory=list)
    lost: int = 0
    requests: int = 0

    @property
    def completed(self) -> int:
        """Turns that got their reply."""
        return len(self.times)

    def percentile(self, share: float) -> float:
        """A percentile of the completed turns' times, in seconds."""
        ordered = sorted(self.times) or [float("nan")]
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def learner(number: int, turns: int, settings: Settings, url: str, run: Run, lock: threading.Lock,
            progress: tqdm) -> None:
    """One learner: a conversation of `turns` turns, each timed; a failed turn is counted as lost."""
    client = make_client(settings).with_options(api_key=DUMMY_KEY, base_url=url)
    conversation = Conversation(f"You are helping learner {number}.", client=client, max_tokens=60)
    for turn in range(turns):
        started = time.monotonic()
        try:
            conversation.send(f"Learner {number}, turn {turn + 1}: what should I try next?")
            outcome: float | None = time.monotonic() - started
        except KitError:
            outcome = None
        with lock:
            if outcome is None:
                run.lost += 1
            else:
                run.times.append(outcome)
            progress.update()


def classroom(name: str, learners: int, turns: int, rate: float | None, workshop: bool, recordings: Path) -> Run:
    """Run the whole room at once against a fresh stand-in; return what it measured."""
    settings = Settings(mode="live", model=DEFAULT_MODEL, reason="benchmark", recordings=recordings,
                        cassette="classroom", has_key=True, workshop=workshop)
    run, lock = Run(name), threading.Lock()
    with StandIn(rate_limit=rate, retry_after=1.0, latency=0.05) as server, \
            tqdm(total=learners * turns, desc=name, unit="turn", leave=False) as progress:
        threads = [threading.Thread(target=learner, args=(n, turns, settings, server.url, run, lock, progress))
                   for n in range(learners)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        run.requests = len(server.requests)
    return run


def main(argv: list[str] | None = None) -> int:
    """Run the three classrooms and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--rate", type=float, default=10.0, help="the shared limit, requests per second")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as empty:  # no recordings: every turn must really be answered
        runs = [
            classroom("no limit, kit default", args.learners, args.turns, None, False, Path(empty)),
            classroom(f"{args.rate:g} req/s, kit default", args.learners, args.turns, args.rate, False, Path(empty)),
            classroom(f"{args.rate:g} req/s, workshop setting", args.learners, args.turns, args.rate, True, Path(empty)),
        ]
    total = args.learners * args.turns
    base = statistics.median(runs[0].times)
    print(f"\n{args.learners} learners x {args.turns} turns = {total} turns per run; "
          f"local stand-in, 429 with retry-after: 1 s above the limit\n")
    print(f"{'run':34} {'completed':>9} {'lost':>5} {'retries':>8} {'median s':>9} {'p95 s':>7} {'median/base':>12}")
    for run in runs:
        attempted = run.completed + run.lost
        print(f"{run.name:34} {run.completed:>9} {run.lost:>5} {run.requests - attempted:>8} "
              f"{run.percentile(0.5):>9.2f} {run.percentile(0.95):>7.2f} {run.percentile(0.5) / base:>12.1f}")
    workshop = runs[-1]
    verdict = "PASS" if workshop.lost == 0 and workshop.completed == total else "FAIL"
    print(f"\nWorkshop setting: {workshop.lost} of {total} turns lost (target 0): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
