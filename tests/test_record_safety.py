"""Record mode cannot lose or leak: a killed run changes no recording, a key split across any kind of streamed delta
is never saved, and replay answers from the notebook's own cassette (a key two cassettes disagree on is an error)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from kit import DUMMY_KEY

from helpers.config import REPO_ROOT
from helpers.errors import RecordingError
from helpers.replay.recordings import Recording, RecordingStore
from helpers.replay.transport import RecordTransport, ReplayTransport
from helpers.standin import StandIn
from helpers.wire import WireLog

SECRET = DUMMY_KEY  # the key the request carries, which record mode must never write down


def sse(*deltas: dict[str, object]) -> bytes:
    """A streamed reply whose content blocks carry these deltas (each with its block index)."""
    start = {"type": "message_start", "message": {"id": "msg_rec", "type": "message", "role": "assistant", "content": [],
             "model": "claude-haiku-4-5", "usage": {"input_tokens": 5, "output_tokens": 1}}}
    events = [start, *({"type": "content_block_delta", **d} for d in deltas), {"type": "message_stop"}]
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


def record_through(tmp_path: Path, body: bytes) -> tuple[list[Path], list[str]]:
    """Send one streamed request through record mode to an upstream that answers `body`; the files saved, the notices."""
    upstream = httpx2.MockTransport(lambda request: httpx2.Response(200, headers={"content-type": "text/event-stream"},
                                                                    content=body))
    notices: list[str] = []
    store = RecordingStore(tmp_path / "recordings")
    transport = RecordTransport(store, "nb", WireLog(), upstream, notice=notices.append)
    with httpx2.Client(transport=transport) as http:
        reply = http.post("https://api.anthropic.com/v1/messages", headers={"x-api-key": SECRET},
                          json={"model": "claude-haiku-4-5", "max_tokens": 9, "stream": True,
                                "messages": [{"role": "user", "content": "Say the key"}]})
        reply.read()
    return store.files(), notices


def halves(text: str) -> tuple[str, str]:
    """A text cut in two in its middle."""
    return text[: len(text) // 2], text[len(text) // 2 :]


@pytest.mark.parametrize(("kind", "field"), [("input_json_delta", "partial_json"), ("thinking_delta", "thinking"),
                                             ("text_delta", "text")])
def test_a_key_split_across_streamed_pieces_of_any_kind_is_never_saved(tmp_path: Path, kind: str, field: str) -> None:
    first, second = halves(SECRET)
    body = sse({"index": 0, "delta": {"type": kind, field: '{"key": "' + first}},
               {"index": 0, "delta": {"type": kind, field: second + '"}'}})
    files, notices = record_through(tmp_path, body)
    assert files == [] and any("across streamed pieces" in n for n in notices)


def test_a_key_reassembled_only_across_blocks_is_never_saved(tmp_path: Path) -> None:
    first, second = halves(SECRET)
    body = sse({"index": 0, "delta": {"type": "thinking_delta", "thinking": first}},
               {"index": 1, "delta": {"type": "text_delta", "text": second}})
    files, _ = record_through(tmp_path, body)
    assert files == []


def test_a_reply_without_the_key_is_saved(tmp_path: Path) -> None:
    files, notices = record_through(tmp_path, sse({"index": 0, "delta": {"type": "thinking_delta", "thinking": "hmm"}}))
    assert len(files) == 1 and notices == [] and SECRET not in files[0].read_text()


def cassette(root: Path, name: str, reply: str) -> Recording:
    """One recording of the same request in cassette `name`, answering `reply`."""
    recording = Recording("POST", "/v1/messages", None, {"model": "m", "max_tokens": 5, "messages": [
        {"role": "user", "content": "Hi"}]}, 200, {"content-type": "application/json"}, reply, {"source": "authored"})
    RecordingStore(root).save(recording, name)
    return recording


def replayed(root: Path, name: str) -> str:
    """What replay answers that request with, for a notebook whose cassette is `name`."""
    transport = ReplayTransport(RecordingStore(root), "record it", WireLog(), name)
    with httpx2.Client(transport=transport) as http:
        return http.post("https://api.anthropic.com/v1/messages",
                         json={"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "Hi"}]}).text


def test_replay_prefers_the_notebooks_own_cassette_and_a_disagreement_elsewhere_is_an_error(tmp_path: Path) -> None:
    cassette(tmp_path, "02_multi_turn_conversations", '{"new": 1}')
    cassette(tmp_path, "zz_seed_script", '{"old": 1}')  # sorted last: it used to win for every notebook
    assert replayed(tmp_path, "02_multi_turn_conversations") == '{"new": 1}'
    assert replayed(tmp_path, "zz_seed_script") == '{"old": 1}'
    with pytest.raises(RecordingError, match="recorded in 2 cassettes with different replies"):
        replayed(tmp_path, "another_notebook")
    assert RecordingStore(tmp_path).conflicts("02_multi_turn_conversations") == ["zz_seed_script"]
    cassette(tmp_path, "zz_seed_script", '{"new": 1}')
    assert replayed(tmp_path, "another_notebook") == '{"new": 1}' and RecordingStore(tmp_path).conflicts("zz_seed_script") == []


def test_the_shipped_recordings_never_disagree_across_cassettes() -> None:
    store = RecordingStore(REPO_ROOT / "data" / "recordings")
    assert {name: store.conflicts(name) for name in {p.parent.name for p in store.files()}} == {
        name: [] for name in {p.parent.name for p in store.files()}}


SLOW_SCRIPT = """import time
from helpers import Conversation, setup
setup()
conversation = Conversation(max_tokens=20)
for turn in range(4):
    conversation.send(f"turn {turn}")
print("sent", flush=True)
time.sleep(60)
"""


def test_a_record_run_killed_midway_changes_no_recording_and_the_next_run_tidies_up(
        tmp_path: Path, recordings: Path) -> None:
    old = recordings / "slow" / "old-request-0123456789abcdef.json"
    old.parent.mkdir(parents=True)
    old.write_text('{"the": "old recording"}\n')
    script = tmp_path / "slow.py"
    script.write_text(SLOW_SCRIPT)
    with StandIn() as server:
        env = {**os.environ, "ANTHROPIC_API_KEY": DUMMY_KEY, "ANTHROPIC_BASE_URL": server.url,
               "CONVERSE_KIT_RECORDINGS": str(recordings)}
        run = subprocess.Popen([sys.executable, "-m", "helpers.replay.record", str(script)], cwd=REPO_ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        staging = recordings / ".staging" / "slow"
        deadline = time.monotonic() + 60
        while len(list(staging.glob("*.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list(staging.glob("*.json"))) == 4, "the run records into its staging folder"
        os.killpg(run.pid, signal.SIGKILL)  # the terminal closed, kill -9, out of memory
        run.wait()
        assert sorted(p.name for p in (recordings / "slow").iterdir()) == [old.name]
        assert old.read_text() == '{"the": "old recording"}\n', "the old cassette is whole"
        assert RecordingStore(recordings).files() == [old], "replay never reads the staged half"
        script.write_text(SLOW_SCRIPT.replace("time.sleep(60)", "").replace("range(4)", "range(2)"))
        done = subprocess.run([sys.executable, "-m", "helpers.replay.record", str(script)], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "partial recordings of an interrupted record run of slow were discarded" in done.stdout
    assert len(list((recordings / "slow").glob("*.json"))) == 2 and not old.exists()
    assert not (recordings / ".staging").exists()
