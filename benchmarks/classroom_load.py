"""A classroom at once: 30 learners, each holding a 10-turn conversation, against one shared rate limit.

    python benchmarks/classroom_load.py [--learners 30] [--turns 10] [--rate 10]

Every learner is a thread with its own kit client (as if on their own laptop), talking through the kit's
`Conversation` to a local stand-in of the API on 127.0.0.1 that answers 429 with `retry-after: 1` above
`--rate` requests per second, shared by the whole room. Four runs, one after another, in one go:
no limit (the baseline), the limit with the kit's default client (the SDK's 2 retries), the limit
with the workshop setting (CONVERSE_KIT_WORKSHOP=1), and the class key gateway (helpers/gateway): each
learner with their own class key and the kit's default client, the gateway holding the one key and sharing
`--rate` fairly among them, patient on the server's side. Prints turns completed and lost (target: 0 lost
with the workshop setting and with the gateway), retries, and the median and 95th-percentile turn time,
with their ratio to the baseline's median.
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
from helpers.gateway.ledger import Ledger
from helpers.gateway.server import Gateway
from helpers.replay.client import make_client
from helpers.standin import StandIn

DUMMY_KEY = "dummy-key-for-the-local-stand-in"
CLASS_SHARE = 0.9  # the gateway's class limit as a share of the key's limit: a margin for timing at the edges


@dataclass
class Run:
    """What one run of the classroom measured."""

    name: str
    times: list[float] = field(default_factory=list)
    lost: int = 0
    requests: int = 0
    billed: int = 0  # ledger entries, for the gateway run

    @property
    def completed(self) -> int:
        """Turns that got their reply."""
        return len(self.times)

    def percentile(self, share: float) -> float:
        """A percentile of the completed turns' times, in seconds."""
        ordered = sorted(self.times) or [float("nan")]
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def learner(number: int, turns: int, settings: Settings, url: str, run: Run, lock: threading.Lock,
            progress: tqdm, key: str = DUMMY_KEY) -> None:
    """One learner: a conversation of `turns` turns, each timed; a failed turn is counted as lost."""
    client = make_client(settings).with_options(api_key=key, base_url=url)
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


def classroom(name: str, learners: int, turns: int, rate: float | None, workshop: bool, recordings: Path,
              gateway: bool = False) -> Run:
    """Run the whole room at once against a fresh stand-in (through a fresh gateway if asked); return what it measured."""
    settings = Settings(mode="live", model=DEFAULT_MODEL, reason="benchmark", recordings=recordings,
                        cassette="classroom", has_key=True, workshop=workshop)
    run, lock = Run(name), threading.Lock()
    with StandIn(rate_limit=rate, retry_after=1.0, latency=0.05) as server, \
            tqdm(total=learners * turns, desc=name, unit="turn", leave=False) as progress:
        url, keys = server.url, [DUMMY_KEY] * learners
        if gateway:
            ledger = Ledger(recordings / "gateway.sqlite")
            keys = [ledger.issue(f"learner{n}") for n in range(learners)]
            class_rate = None if rate is None else rate * CLASS_SHARE
            front = Gateway(ledger, server.url, DUMMY_KEY, rate=class_rate, patience=90.0).start()
            url = front.url
        threads = [threading.Thread(target=learner, args=(n, turns, settings, url, run, lock, progress, keys[n]))
                   for n in range(learners)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if gateway:
            front.stop()
            run.billed = ledger.entries()
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
            classroom(f"{args.rate:g} req/s, gateway at {args.rate * CLASS_SHARE:g}/s", args.learners, args.turns, args.rate, False, Path(empty),
                      gateway=True),
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
    workshop, gateway = runs[-2], runs[-1]
    verdict = "PASS" if workshop.lost == 0 and workshop.completed == total else "FAIL"
    print(f"\nWorkshop setting: {workshop.lost} of {total} turns lost (target 0): {verdict}")
    fair = "PASS" if gateway.lost == 0 and gateway.completed == total == gateway.billed else "FAIL"
    print(f"Class key gateway: {gateway.lost} of {total} turns lost (target 0), {gateway.billed} ledger entries "
          f"for {gateway.completed} replies: {fair}")
    return 0 if verdict == fair == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
