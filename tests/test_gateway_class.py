"""The gateway in a class: a fair share of one rate limit, a restart mid-class, and the teacher's commands."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
        interrupted = check.execute("SELECT COUNT(*) FROM usage WHERE status LIKE 'interrupted%'").fetchone()[0]
    assert completed[0] == 48
    assert 48 <= ledger.entries() - interrupted <= answered, "every reply a learner got is in the ledger, and none twice"
    assert interrupted <= len(keys), "at most the requests on their way when the gateway was killed, at their reservation"
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


class Hanging(BaseHTTPRequestHandler):
    """An upstream whose reply has begun (message_start and a delta sent) and then hangs before its end."""

    release = threading.Event()

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """The models list the start-up probe asks for."""
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_POST(self) -> None:
        """Begin a streamed reply, then hang until released."""
        self.rfile.read(int(self.headers["content-length"]))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        start = {"type": "message_start", "message": {"id": "msg_hang", "type": "message", "role": "assistant",
                 "content": [], "model": "claude-haiku-4-5", "usage": {"input_tokens": 9, "output_tokens": 1}}}
        delta = {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Half a rep"}}
        for event in (start, delta):
            self.wfile.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode())
        self.wfile.flush()
        self.release.wait(30)


def test_a_gateway_killed_between_the_reply_and_the_ledger_write_bills_the_reservation_once(tmp_path: Path) -> None:
    db, key_file, port = tmp_path / "class.sqlite", tmp_path / "real.key", free_port()
    key_file.write_text("the-real-key-" + "for-the-crash-test\n")
    ledger = Ledger(db)
    key = ledger.issue("kim", budget_tokens=10_000)
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Hanging)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{upstream.server_port}"
    gateway = start_gateway(db, key_file, url, port)
    try:
        body = {"model": "claude-haiku-4-5", "max_tokens": 300, "stream": True, "messages": [{"role": "user", "content": "Hi"}]}
        with httpx2.stream("POST", f"http://127.0.0.1:{port}/v1/messages", json=body, timeout=10,
                           headers={"authorization": f"Bearer {key}", "anthropic-version": "2023-06-01"}) as reply:
            arrived, pieces = b"", reply.iter_raw()  # the two events may come in one piece or two
            while b"Half a rep" not in arrived:
                arrived += next(pieces)  # the reply reached the learner (a read that never comes fails at 10 s)
            with sqlite3.connect(db) as check:
                assert check.execute("SELECT status FROM usage").fetchall() == [("reserved",)], "written ahead"
            os.kill(gateway.pid, signal.SIGKILL)
            gateway.wait()
        gateway = start_gateway(db, key_file, url, port)
        with sqlite3.connect(db) as check:
            (state, tokens_in, tokens_out), = check.execute("SELECT status, input_tokens, output_tokens FROM usage")
        assert state.startswith("interrupted") and tokens_out == 300 and tokens_in > 0, "billed at its worst case"
        assert ledger.entries() == 1, "nothing lost, nothing billed twice"
        os.kill(gateway.pid, signal.SIGTERM)
        gateway.wait(timeout=10)
        gateway = start_gateway(db, key_file, url, port)
        assert ledger.entries() == 1 and ledger.spent("kim")[1] == tokens_in + 300, "a second restart changes nothing"
    finally:
        Hanging.release.set()
        os.kill(gateway.pid, signal.SIGTERM)
        gateway.wait(timeout=10)
        upstream.shutdown()
        upstream.server_close()
