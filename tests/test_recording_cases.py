"""Recording files and the store of them, case by case: the key, the label, the file's fields, which cassette answers a
request, the clear errors, and where a new recording is written (test_recordings.py checks the shipped ones)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from helpers.errors import RecordingError
from helpers.replay.recordings import FORMAT, Recording, RecordingStore, normalize_path, request_key, slug

BODY = {"model": "claude-haiku-4-5", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi there, owl!"}]}


def sample(response: str = "{}", body: object = BODY, source: str = "authored") -> Recording:
    """A small JSON recording."""
    return Recording("POST", "/v1/messages", None, body, 200, {"content-type": "application/json"}, response,
                     {"source": source})


def test_the_path_is_kept_from_v1_on() -> None:
    assert normalize_path("/proxy/v1/messages") == "/v1/messages"
    assert normalize_path("/v1/messages/count_tokens") == "/v1/messages/count_tokens"
    assert normalize_path("/health") == "/health"
    assert normalize_path("/gateway/v1/anthropic/v1/messages") == "/v1/messages"  # a prefix that holds /v1/ itself


def test_the_key_is_the_hash_of_the_canonical_request() -> None:
    canonical = json.dumps({"method": "POST", "path": "/v1/messages", "beta": None, "body": BODY}, sort_keys=True,
                           separators=(",", ":"), ensure_ascii=False)
    assert request_key("post", "/x/v1/messages", "", BODY) == hashlib.sha256(canonical.encode()).hexdigest()[:16]
    assert request_key("GET", "/v1/models", None, None) != request_key("GET", "/v1/models", None, {})
    assert request_key("POST", "/v1/messages", None, ["metadata"]) != request_key("POST", "/v1/messages", None, [])
    accented = {"messages": [{"role": "user", "content": "Café"}]}
    raw = json.dumps({"method": "POST", "path": "/v1/messages", "beta": "b", "body": accented}, sort_keys=True,
                     separators=(",", ":"), ensure_ascii=False)
    assert request_key("POST", "/v1/messages", "b", accented) == hashlib.sha256(raw.encode()).hexdigest()[:16]
    assert sample().key == request_key("POST", "/v1/messages", None, BODY)


def test_the_label_says_honestly_where_the_reply_came_from() -> None:
    assert sample().label == "replayed: authored sample (hand-written, not model output)"
    recorded = sample(source="recorded")
    assert recorded.label == "replayed: recorded from the live API on ?"
    recorded.provenance["date"] = "2026-12-01"
    assert recorded.label == "replayed: recorded from the live API on 2026-12-01"
    captured = Recording("POST", "/v1/messages", None, BODY, 200, {}, "{}", {"source": "captured", "server": "a gateway"})
    assert captured.label == "replayed: captured from a gateway (not the live API)"
    assert Recording("POST", "/v1/messages", None, BODY, 200, {}, "{}").label == \
        "replayed: captured from a non-Anthropic server (not the live API)"


def test_the_file_holds_every_field_and_reads_back_as_it_was(tmp_path: Path) -> None:
    recording = Recording("POST", "/v1/messages", "beta-1", BODY, 400, {"a": "b"}, "line 1\nline 2\n", {"source": "authored"})
    data = recording.to_json()
    assert data == {"format": FORMAT, "version": 1, "key": recording.key, "provenance": {"source": "authored"},
                    "request": {"method": "POST", "path": "/v1/messages", "anthropic_beta": "beta-1", "body": BODY},
                    "response": {"status": 400, "headers": {"a": "b"}, "body_lines": ["line 1", "line 2", ""]}}
    assert Recording.from_json(data, tmp_path / "r.json") == recording
    assert Recording.from_json({**data, "request": {k: v for k, v in data["request"].items() if k != "anthropic_beta"},
                                "key": request_key("POST", "/v1/messages", None, BODY)}, tmp_path / "r.json").beta is None


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: {**d, "response": {**d["response"], "status": "oops"}}, "Recording r.json is missing a field"),
    (lambda d: {**d, "response": {**d["response"], "headers": 5}}, "Recording r.json is missing a field"),
    (lambda d: {k: v for k, v in d.items() if k != "provenance"}, "Recording r.json is missing a field ('provenance')"),
    (lambda d: {k: v for k, v in d.items() if k != "format"}, "r.json is not a converse-kit recording of version 1."),
    (lambda d: {**d, "format": "other"}, "r.json is not a converse-kit recording of version 1."),
    (lambda d: {**d, "key": "0" * 16}, "Recording r.json was changed after it was recorded (its key no longer matches)."),
])
def test_a_damaged_file_says_what_is_wrong_and_how_to_restore_it(tmp_path: Path, change: object, message: str) -> None:
    data = change(sample().to_json())  # type: ignore[operator]
    with pytest.raises(RecordingError) as caught:
        Recording.from_json(data, tmp_path / "r.json")
    assert str(caught.value).startswith(message)
    assert str(caught.value).endswith(f"Restore it with `git checkout -- {tmp_path / 'r.json'}` or delete it and record "
                                      "again (python -m helpers.replay.record).")


def test_a_slug_is_short_lowercase_and_safe() -> None:
    assert slug("Hi there, Owl!") == "hi-there-owl"
    assert slug("  --  ") == "request"
    assert slug("a" * 50) == "a" * 40
    assert slug("Ça va?") == "a-va"


def test_the_store_reads_every_cassette_but_hidden_folders(tmp_path: Path) -> None:
    assert RecordingStore(tmp_path / "missing").files() == []
    store = RecordingStore(tmp_path)
    first = store.save(sample('{"a": 1}'), "one")
    assert first == tmp_path / "one" / f"hi-there-owl-{sample().key}.json"
    assert first.read_text(encoding="utf-8") == json.dumps(sample('{"a": 1}').to_json(), indent=1, ensure_ascii=False) + "\n"
    accented = store.save(sample('{"text": "Café"}', {**BODY, "messages": [{"role": "user", "content": "Café?"}]}), "one")
    assert "Café?" in accented.read_text(encoding="utf-8"), "the file stays readable: no \\u escapes"
    accented.unlink()
    hidden = tmp_path / ".staging" / "x.json"
    hidden.parent.mkdir()
    hidden.write_text("not json")
    top = tmp_path / "top.json"
    top.write_text(json.dumps(sample('{"top": 1}', {**BODY, "max_tokens": 7}).to_json()))
    assert RecordingStore(tmp_path).files() == [first, top]
    index = RecordingStore(tmp_path).index()
    assert set(index[sample().key]) == {"one"} and set(index[request_key("POST", "/v1/messages", None, {**BODY, "max_tokens": 7})]) == {""}
    no_user = store.save(Recording("GET", "/v1/models/claude-haiku-4-5", None, None, 200, {}, "{}", {}), "one")
    assert no_user.name.startswith("v1-models-claude-haiku-4-5-")


def test_a_file_that_is_not_json_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "c" / "bad.json"
    bad.parent.mkdir()
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(RecordingError) as caught:
        RecordingStore(tmp_path).load(bad)
    assert str(caught.value).startswith(f"Recording {bad} is not readable JSON (")
    assert str(caught.value).endswith(f"Restore it with `git checkout -- {bad}` or delete it and record again.")
    with pytest.raises(RecordingError, match="is not readable JSON"):
        RecordingStore(tmp_path).load(tmp_path / "c" / "missing.json")


def test_a_request_is_answered_by_its_own_cassette_then_by_others_that_agree(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path)
    store.save(sample('{"from": "one"}'), "one")
    store.save(sample('{"from": "two"}'), "two")
    reader = RecordingStore(tmp_path)
    assert reader.find(sample().key, "two").response == '{"from": "two"}'  # type: ignore[union-attr]
    with pytest.raises(RecordingError) as caught:
        reader.find(sample().key, "three")
    assert str(caught.value) == (f"The request {sample().key} is recorded in 2 cassettes with different replies (one, two), so "
                                 "replay cannot tell which one you meant.\nRecord them again together: python -m "
                                 "helpers.replay.record --authored <each notebook>")
    assert reader.conflicts("one") == ["two"] and reader.conflicts("two") == ["one"] and reader.conflicts("nine") == []
    store.save(sample('{"from": "two"}'), "one")
    agreeing = RecordingStore(tmp_path)
    assert agreeing.find(sample().key, "three").response == '{"from": "two"}'  # type: ignore[union-attr]
    assert agreeing.conflicts("one") == []
    assert agreeing.find("0" * 16) is None


def test_the_index_is_read_once_and_a_hit_is_answered_from_it(tmp_path: Path) -> None:
    store = RecordingStore(tmp_path)
    assert store.index() == {}  # read once, before the save
    path = store.save(sample(), "c")
    path.unlink()
    assert store.find(sample().key, "c") == sample(), "a saved recording is in the index at once"
    assert store.find(sample().key, "c") == sample(), "a hit does not read the folder again"
    assert sample().key in store.index()
    assert store.index(refresh=True) == {}


def test_a_request_with_no_cassette_is_answered_by_the_top_folder_s_own_file(tmp_path: Path) -> None:
    RecordingStore(tmp_path).save(sample('{"from": "c"}'), "c")
    (tmp_path / "top.json").write_text(json.dumps(sample('{"from": "top"}').to_json()))
    assert RecordingStore(tmp_path).find(sample().key).response == '{"from": "top"}'  # type: ignore[union-attr]


def test_conflicts_are_read_from_the_folder_as_it_is_now_for_every_key(tmp_path: Path) -> None:
    other = {**BODY, "messages": [{"role": "user", "content": "Zebras?"}]}
    reader = RecordingStore(tmp_path)
    reader.save(sample('{"n": 1}'), "one")  # hi-there-owl-...: read first
    reader.save(sample('{"n": 2}', other), "one")  # zebras-...: read after the owl
    assert reader.conflicts("one") == []
    RecordingStore(tmp_path).save(sample('{"n": 3}'), "two")  # another process: clashes on the owl only
    assert reader.conflicts("one") == ["two"]
    RecordingStore(tmp_path).save(sample('{"n": 2}', other), "two")  # agrees on the zebras: the owl's clash still counts
    assert reader.conflicts("one") == ["two"]


def test_a_recording_written_after_the_index_was_read_is_found(tmp_path: Path) -> None:
    reader = RecordingStore(tmp_path)
    assert reader.find(sample().key) is None
    RecordingStore(tmp_path).save(sample(), "later")  # another process writes it
    assert reader.find(sample().key, "later") is not None


def test_a_folder_that_refuses_the_write_probe_is_refused_before_anything_is_sent(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only folder, as the probe meets it (chmod does not stop root, so the probe's own error stands in)."""
    import helpers.replay.recordings as recordings

    made = recordings.tempfile.TemporaryFile

    def refused(**kwargs: object) -> object:
        if kwargs.get("dir") == tmp_path / "c":
            raise PermissionError(13, "Permission denied")
        return made(**kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(recordings.tempfile, "TemporaryFile", refused)
    with pytest.raises(RecordingError) as caught:
        RecordingStore(tmp_path).check_writable("c")
    assert str(caught.value).startswith(f"Record mode cannot write recordings to {tmp_path / 'c'} (Permission denied), so "
                                        "nothing was sent.")


def test_a_file_where_the_folder_should_be_is_refused_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "c").write_text("a file")
    with pytest.raises(RecordingError) as caught:
        RecordingStore(tmp_path).check_writable("c")
    assert str(caught.value).startswith(f"Record mode cannot write recordings to {tmp_path / 'c'} (")
    assert str(caught.value).endswith("), so nothing was sent.\nMake that folder writable, or set CONVERSE_KIT_RECORDINGS "
                                      "to a folder you can write.")
    RecordingStore(tmp_path).check_writable("new/deeper")
    RecordingStore(tmp_path).check_writable("new/deeper")  # a folder that is already there is fine
    assert (tmp_path / "new" / "deeper").is_dir() and list((tmp_path / "new" / "deeper").iterdir()) == []
