"""Recording files: stable keys, byte-exact bodies, and clear errors for damaged files."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import anthropic
import anthropic.types.beta
import anthropic.types.shared
import pydantic
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


def shipped() -> list[Recording]:
    """Every recording in data/recordings."""
    store = RecordingStore(SSE)
    return [store.load(path) for path in store.files()]


def sdk_type(recording: Recording) -> type[pydantic.BaseModel]:
    """The SDK type a recorded answer must have: an error, a token count, a model's info, or a Message."""
    if recording.status >= 400:
        return anthropic.types.shared.ErrorResponse
    if recording.path == "/v1/messages/count_tokens":
        return anthropic.types.MessageTokensCount
    if recording.method == "GET" and recording.path.startswith("/v1/models/"):
        return anthropic.types.ModelInfo
    assert recording.path == "/v1/messages" and recording.status == 200, f"no SDK type known for {recording.path}: add one"
    return anthropic.types.beta.BetaMessage if recording.beta else anthropic.types.Message


@pytest.mark.parametrize("recording", shipped(), ids=lambda r: r.key)
def test_every_shipped_answer_is_in_the_apis_wire_shape(recording: Recording) -> None:
    """Each answer has exactly the top-level fields of its SDK type and parses as it; a stream's message_start too."""
    kind = sdk_type(recording)
    if recording.response.startswith("event:"):
        start = json.loads(recording.response.split("\n")[1].removeprefix("data: "))
        assert start["type"] == "message_start" and recording.response.endswith("\n\n")
        data = start["message"]
    else:
        data = json.loads(recording.response)
    assert set(data) == set(kind.model_fields), f"{recording.path} {recording.status}: not a {kind.__name__}'s fields"
    kind.model_validate(data)
    if kind is anthropic.types.shared.ErrorResponse:
        objects = typing.get_args(kind.model_fields["error"].annotation)
        named = [o for o in objects if typing.get_args(o.model_fields["type"].annotation) == (data["error"]["type"],)]
        assert len(named) == 1 and set(data["error"]) == set(named[0].model_fields), data["error"]
        assert data["type"] == "error" and data["error"]["message"]
    elif kind is anthropic.types.ModelInfo:
        assert data["type"] == "model" and recording.path == f"/v1/models/{data['id']}"
    elif kind is not anthropic.types.MessageTokensCount:
        assert (data["type"], data["role"]) == ("message", "assistant")
        assert data["model"] == recording.body["model"]


def test_the_wire_shape_test_checks_every_kind_of_answer_shipped() -> None:
    kinds = {sdk_type(recording).__name__ for recording in shipped()}
    assert {"Message", "MessageTokensCount", "ModelInfo", "ErrorResponse"} <= kinds
