"""What the class key gateway adds: per non-streamed request and per streamed chunk, against the stand-in reached directly.

    python benchmarks/gateway_latency.py [--requests 200] [--streams 30]

One local stand-in of the API (no latency of its own) on 127.0.0.1, and one gateway (helpers/gateway, on Tornado)
in front of it with a class key. Each request goes out once directly and once through the gateway, alternating, on
kept-alive connections, so both see the same machine load. Prints the median and 95th percentile of each, the
gateway's added latency per request (goal: at most 5 ms median), and for streamed replies the added time to the
first chunk and per chunk after it. The gateway's work per request: the exact route, the class key's lookup, the
budget reservation and its settlement (two SQLite transactions with synchronous writes), and the relay.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx2

from helpers.gateway.ledger import Ledger
from helpers.gateway.server import Gateway
from helpers.standin import StandIn

GOAL_MS = 5.0
BODY = {"model": "claude-haiku-4-5", "max_tokens": 60, "messages": [{"role": "user", "content": "Hello, how are lists made?"}]}
LONG = " ".join(f"word{n}" for n in range(600))  # the streamed reply: 200 text deltas of three words


def timed(http: httpx2.Client, url: str, key: str) -> float:
    """Seconds for one non-streamed request."""
    started = time.perf_counter()
    answer = http.post(url + "/v1/messages", json=BODY, headers={"x-api-key": key, "anthropic-version": "2023-06-01"})
    answer.raise_for_status()
    return time.perf_counter() - started


def streamed(http: httpx2.Client, url: str, key: str) -> tuple[float, float, int]:
    """Seconds to the first chunk, seconds for the whole stream, and the number of events it carried."""
    started, first = time.perf_counter(), 0.0
    with http.stream("POST", url + "/v1/messages", json={**BODY, "stream": True, "max_tokens": 2000},
                     headers={"x-api-key": key, "anthropic-version": "2023-06-01"}) as answer:
        answer.raise_for_status()
        text = b""
        for chunk in answer.iter_raw():
            first = first or time.perf_counter() - started
            text += chunk
    return first, time.perf_counter() - started, text.count(b"\n\n")


def percentile(values: list[float], share: float) -> float:
    """A percentile of some values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table, and say whether the median added latency meets the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--streams", type=int, default=30)
    args = parser.parse_args(argv)
    direct, through = list[float](), list[float]()
    direct_first, through_first, per_chunk = list[float](), list[float](), list[float]()
    with tempfile.TemporaryDirectory() as folder, StandIn(reply=lambda body: LONG if body.get("stream") else "Lists.") as api:
        ledger = Ledger(Path(folder) / "class.sqlite")
        key = ledger.issue("bench")
        with Gateway(ledger, api.url, "dummy-real-key") as gateway, httpx2.Client(timeout=30) as http:
            for _ in range(10):  # warm both paths (connections, SQLite, Tornado)
                timed(http, api.url, "dummy"), timed(http, gateway.url, key)
            for _ in range(args.requests):
                direct.append(timed(http, api.url, "dummy"))
                through.append(timed(http, gateway.url, key))
            for _ in range(args.streams):
                first_a, total_a, events = streamed(http, api.url, "dummy")
                first_b, total_b, _ = streamed(http, gateway.url, key)
                direct_first.append(first_a)
                through_first.append(first_b)
                per_chunk.append((total_b - first_b - (total_a - first_a)) / max(1, events - 1))
        entries = ledger.entries()
    ms = 1000.0
    added = statistics.median(through) - statistics.median(direct)
    print(f"\n{args.requests} non-streamed requests and {args.streams} streams ({events} events each), "
          "alternating direct and through the gateway; local stand-in without latency\n")
    print(f"{'':36} {'median ms':>10} {'p95 ms':>8}")
    print(f"{'non-streamed, stand-in directly':36} {statistics.median(direct) * ms:>10.2f} {percentile(direct, 0.95) * ms:>8.2f}")
    print(f"{'non-streamed, through the gateway':36} {statistics.median(through) * ms:>10.2f} {percentile(through, 0.95) * ms:>8.2f}")
    print(f"{'first chunk, stand-in directly':36} {statistics.median(direct_first) * ms:>10.2f} {percentile(direct_first, 0.95) * ms:>8.2f}")
    print(f"{'first chunk, through the gateway':36} {statistics.median(through_first) * ms:>10.2f} {percentile(through_first, 0.95) * ms:>8.2f}")
    print(f"\nAdded per non-streamed request: {added * ms:.2f} ms median (goal: at most {GOAL_MS:g} ms)")
    print(f"Added to the first chunk: {(statistics.median(through_first) - statistics.median(direct_first)) * ms:.2f} ms median; "
          f"per chunk after it: {statistics.median(per_chunk) * ms:.3f} ms median")
    billed = args.requests + args.streams + 10
    print(f"Ledger entries: {entries} for {billed} replies through the gateway")
    verdict = "PASS" if added * ms <= GOAL_MS and entries == billed else "FAIL"
    print(f"Gateway latency: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
