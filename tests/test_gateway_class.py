"""The gateway in a class: a fair share of one rate limit, a restart mid-class, and the teacher's commands."""

from __future__ import annotations

import csv
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest
from kit import client, snapshot

from helpers import Conversation, KitError, Usage
from helpers.config import REPO_ROOT
from helpers.errors import ThrottledError
from helpers.gateway import cli
from helpers.gateway.fairshare import FairShare
from helpers.gateway.ledger import Ledger
from helpers.gateway.server import Gateway
from helpers.standin import StandIn


def waits(share: FairShare, learner: str, out: dict[str, list[float]], started: float) -> None:
    """Ask for a turn and note how long it took (or that it was refused, as -1)."""
    why = share.acquire(learner)
    out.setdefault(learner, []).append(time.monotonic() - started if why is None else -1.0)


def test_a_learner_who_floods_waits_and_the_others_do_not() -> None:
    share, out, started = FairShare(10.0, patience=5.0, queue=4), dict[str, list[float]](), time.monotonic()
    flood = [threading.Thread(target=waits, args=(share, "flooder", out, started)) for _ in range(6)]
    for thread in flood:
        thread.start()
    time.sleep(0.02)
    others = [threading.Thread(target=waits, args=(share, f"learner{n}", out, started)) for n in range(5)]
    for thread in others:
        thread.start()
    for thread in flood + others:
        thread.join()
    flooded = sorted(out["flooder"])
    assert flooded.count(-1.0) == 1, "one served at once, 4 waiting: the 6th is refused at once"
    assert max(out[f"learner{n}"][0] for n in range(5)) < 0.75, out
    assert flooded[-1] > 0.8, "the flooder's last request waited behind everyone else's"


def test_a_request_waits_at_most_its_patience() -> None:
    share = FairShare(1.0, patience=0.3)
    assert share.acquire("ana") is None
    started = time.monotonic()
    assert share.acquire("ana") == "patience"
    assert 0.25 < time.monotonic() - started < 0.6
    with pytest.raises(ValueError):
        FairShare(0)


def test_a_throttled_learner_gets_one_line_and_the_history_unchanged(tmp_path: Path, recordings: Path) -> None:
    ledger = Ledger(tmp_path / "class.sqlite")
    key = ledger.issue("ana")
    with StandIn() as upstream, Gateway(ledger, upstream.url, "sk-real", rate=0.2, patience=0.2) as gateway:
        conversation = Conversation(client=client("live", recordings, gateway.url, key=key), max_tokens=30)
        conversation.send("First")
        before = snapshot(conversation)
        with pytest.raises(ThrottledError, match="Class rate limit: the class is busy") as throttled:
            conversation.send("Second, too soon")
        assert snapshot(conversation) == before and len(str(throttled.value).splitlines()) == 1
    assert ledger.entries() == 1


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gateway(db: Path, key_file: Path, upstream: str, port: int) -> subprocess.Popen[str]:
    """The gateway as the teacher runs it, in its own process; returns once it answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC")}
    env["CONVERSE_KIT_GATEWAY_KEY_FILE"] = str(key_file)
    process = subprocess.Popen([sys.executable, "-m", "helpers.gateway", "--db", str(db), "serve", "--port", str(port),
                                "--upstream", upstream, "--rate", "40"], env=env, cwd=REPO_ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            httpx2.get(f"http://127.0.0.1:{port}/v1/models", timeout=1.0)
            return process
        except httpx2.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"the gateway did not start: {process.communicate()[0]}")


def test_a_gateway_restarted_mid_class_loses_no_ledger_entry(tmp_path: Path, recordings: Path) -> None:
    db, key_file, port = tmp_path / "class.sqlite", tmp_path / "real.key", free_port()
    key_file.write_text("the-real-key-" + "for-the-test\n")
    ledger = Ledger(db)
    keys = {f"l{n}": ledger.issue(f"l{n}") for n in range(6)}
    completed, lock = [0], threading.Lock()

    def learner(key: str) -> None:
        conversation = Conversation(client=client("live", recordings, f"http://127.0.0.1:{port}", key=key), max_tokens=30)
        for turn in range(8):
            for _ in range(100):  # a learner whose turn failed while the gateway was down runs the cell again
                try:
                    conversation.send(f"Turn {turn}")
                except KitError:
                    time.sleep(0.1)
                    continue
                with lock:
                    completed[0] += 1
                break
            time.sleep(0.05)

    with StandIn(latency=0.02) as upstream:
        gateway = start_gateway(db, key_file, upstream.url, port)
        threads = [threading.Thread(target=learner, args=(key,)) for key in keys.values()]
        for thread in threads:
            thread.start()
        time.sleep(0.6)
        os.kill(gateway.pid, signal.SIGKILL)  # the hardest stop: no chance to tidy up
        gateway.wait()
        gateway = start_gateway(db, key_file, upstream.url, port)
        for thread in threads:
            thread.join()
        os.kill(gateway.pid, signal.SIGTERM)
        gateway.wait(timeout=10)
        answered = len([r for r in upstream.requests if r["path"] == "/v1/messages"])
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert completed[0] == 48
    assert 48 <= ledger.entries() <= answered, "every reply a learner got is in the ledger, and none twice"
    assert ledger.journal_mode() == "wal"


def test_the_teachers_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "class.sqlite"

    def teacher(*words: str, status: int = 0) -> str:
        assert cli.main(["--db", str(db), *words]) == status
        return capsys.readouterr().out

    key = teacher("issue", "ana", "--usd", "0.50").splitlines()[-1]
    assert key.startswith("ck-class-") and key not in db.read_bytes().decode("latin-1")
    teacher("issue", "ben", "--tokens", "20000")
    teacher("budget", "ben", "--usd", "1.25")
    teacher("revoke", "ana")
    listed = teacher("list")
    assert "ana" in listed and "revoked: yes" in listed and "$1.25" in listed
    Ledger(db).record("gw_1", "ben", "claude-haiku-4-5", Usage(1000, 200, 0, 50), "complete")
    report = teacher("report", "--csv", str(tmp_path / "usage.csv"))
    assert "Message content logging: off" in report
    lines = (tmp_path / "usage.csv").read_text().splitlines()
    ben = next(row for row in csv.DictReader(lines[:-1]) if row["learner"] == "ben")
    assert (ben["requests"], ben["input_tokens"], ben["output_tokens"], ben["cache_read_tokens"]) == ("1", "1000", "200", "50")
    assert float(ben["estimated_cost_usd"]) == pytest.approx((1000 + 0.1 * 50) * 1e-6 + 200 * 5e-6)
    assert lines[-1] == "# message content logged: no"
    assert "No learner named 'nobody'" in teacher("revoke", "nobody", status=2)


def test_the_commands_run_as_a_module(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "helpers.gateway", "--db", str(tmp_path / "c.sqlite"), "issue", "ana"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.splitlines()[-1].startswith("ck-class-"), done.stdout + done.stderr
