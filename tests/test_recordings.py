"""Recording files: stable keys, byte-exact bodies, and clear errors for damaged files."""

from __future__ import annotations

import json
from pathlib import Path

import anthropic
import anthropic.types.beta
import pytest

from helpers.errors import RecordingError
from helpers.replay.recordings import Recording, RecordingStore, request_key

SSE = Path(__file__).parent.parent / "data" / "recordings"
BODY = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]}


def sample(response: str = "event: message_stop\ndata: {}\n\n") -> Recording:
    """A small recording with an SSE body that ends in a blank line."""
    return Recording("POST", "/v1/messages", None, BODY, 200, {"content-type": "text/event-stream"}, response,
                     {"source": "authored"})


def test_the_key_ignores_field_order_and_metadata() -> None:
    reordered = dict(reversed(list(BODY.items())))
    assert request_key("POST", "/v1/messages", None, BODY) == request_key("post", "/v1/messages", None, reordered)
    assert request_key("POST", "/v1/messages", None, BODY) == request_key(
        "POST", "/v1/messages", None, {**BODY, "metadata": {"user_id": "x"}}
    )


def test_the_key_changes_with_the_body_the_beta_header_and_the_path() -> None:
    base = request_key("POST", "/v1/messages", None, BODY)
    assert base != request_key("POST", "/v1/messages", None, {**BODY, "max_tokens": 51})
    assert base != request_key("POST", "/v1/messages", "message-threads-2026-08-12", BODY)
    assert base != request_key("POST", "/v1/messages/count_tokens", None, BODY)
    assert base == request_key("POST", "/prefix/v1/messages", None, BODY), "a base-URL prefix is not part of the key"


def test_a_saved_recording_reads_back_byte_exact(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path)
    body = "event: message_start\ndata: {\"a\": 1}\n\nevent: message_stop\ndata: {}\n\n"
    path = store.save(sample(body), "cassette")
    assert path.parent.name == "cassette" and path.name.startswith("hi-")
    loaded = RecordingStore(tmp_path).load(path)
    assert loaded.response == body and loaded.response.endswith("\n\n")
    assert RecordingStore(tmp_path).find(loaded.key) is not None


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda text: text[: len(text) // 2], "not readable JSON"),
        (lambda text: json.dumps({k: v for k, v in json.loads(text).items() if k != "response"}), "missing a field"),
        (lambda text: text.replace('"version": 1', '"version": 9'), "not a converse-kit recording"),
        (lambda text: text.replace('"Hi"', '"Hello"'), "changed after it was recorded"),
    ],
    ids=["truncated", "missing-field", "wrong-version", "tampered"],
)
def test_a_damaged_recording_gets_a_clear_error(tmp_path: Path, damage: object, message: str) -> None:
    path = RecordingStore(tmp_path).save(sample(), "c")
    path.write_text(damage(path.read_text()))  # type: ignore[operator]
    with pytest.raises(RecordingError, match=message) as caught:
        RecordingStore(tmp_path).index()
    assert path.name in str(caught.value) and "record" in str(caught.value)


def test_the_shipped_recordings_all_load_and_say_where_they_came_from() -> None:
    store = RecordingStore(SSE)
    assert store.files(), "the kit ships recordings"
    for path in store.files():
        recording = store.load(path)
        assert recording.provenance["source"] in ("authored", "recorded")
        if recording.provenance["source"] == "authored":
            assert "not real model output" in recording.provenance["note"]
        if recording.headers.get("content-type", "").startswith("text/event-stream"):
            assert recording.response.endswith("\n\n") and "event: message_stop" in recording.response


MESSAGE_FIELDS = set(anthropic.types.Message.model_fields)  # every field the SDK's Message declares
BETA_MESSAGE_FIELDS = set(anthropic.types.beta.BetaMessage.model_fields)


def shipped() -> list[Recording]:
    """Every recording in data/recordings."""
    store = RecordingStore(SSE)
    return [store.load(path) for path in store.files()]


@pytest.mark.parametrize("recording", shipped(), ids=lambda r: r.key)
def test_every_shipped_message_is_in_the_apis_wire_shape(recording: Recording) -> None:
    """A Message has exactly the API's top-level fields; a stream's message_start carries them too."""
    if recording.status != 200 or not recording.path.startswith("/v1/messages") or "count_tokens" in recording.path:
        return
    if recording.response.startswith("event:"):
        start = json.loads(recording.response.split("\n")[1].removeprefix("data: "))
        assert start["type"] == "message_start" and recording.response.endswith("\n\n")
        message = start["message"]
    else:
        message = json.loads(recording.response)
    assert set(message) == (BETA_MESSAGE_FIELDS if recording.beta else MESSAGE_FIELDS)
    assert (message["type"], message["role"]) == ("message", "assistant")
    assert message["model"] == recording.body["model"]
