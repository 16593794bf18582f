"""Every shipped recording conforms to the installed SDK's response types, and names only what the SDK knows.

Each response is parsed by the real SDK with strict response validation (`_strict_response_validation=True`),
and its raw JSON carries every field the parsed type declares (null allowed where the type is Optional).
Every stop_reason, model id and beta name in a notebook, script or recording is one the SDK knows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import pytest
from anthropic.types.beta import BetaRawMessageStreamEvent
from anthropic.types.model_capabilities import ModelCapabilities
from pydantic import BaseModel, TypeAdapter

from helpers.api_facts import BETA_NAMES, MODEL_IDS, STOP_REASONS
from helpers.config import REPO_ROOT
from helpers.conversation import CUT_OFF
from helpers.replay.recordings import Recording

RECORDINGS = sorted((REPO_ROOT / "data" / "recordings").rglob("*.json"))
ERRORS = sorted((REPO_ROOT / "data" / "authored" / "errors").glob("*.json"))
SOURCES = sorted([*(REPO_ROOT / "notebooks").glob("*.ipynb"), *(REPO_ROOT / "scripts").glob("*.py")])


def strict_client(status: int, headers: dict[str, str], body: str) -> anthropic.Anthropic:
    """A client with strict response validation that answers every request with this response."""
    response = httpx2.Response(status, headers=headers, content=body.encode())
    return anthropic.Anthropic(api_key="conformance", max_retries=0, _strict_response_validation=True,
                               http_client=httpx2.Client(transport=httpx2.MockTransport(lambda _: response)))


def missing_fields(parsed: Any, raw: Any, where: str = "") -> list[str]:
    """The fields a parsed SDK model declares that its raw JSON lacks, recursively."""
    if isinstance(parsed, list) and isinstance(raw, list):
        return [m for i, (p, r) in enumerate(zip(parsed, raw, strict=True)) for m in missing_fields(p, r, f"{where}[{i}]")]
    if not (isinstance(parsed, BaseModel) and isinstance(raw, dict)):
        return []
    missing = []
    for name, field in type(parsed).model_fields.items():
        key = field.alias or name
        if key not in raw:
            missing.append(f"{where}.{key}")
        else:
            missing += missing_fields(getattr(parsed, name), raw[key], f"{where}.{key}")
    return missing


def events(body: str) -> list[dict[str, Any]]:
    """The JSON data of every server-sent event except ping."""
    return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ") and '"ping"' not in line]


ASK: dict[str, Any] = {"model": "claude-haiku-4-5", "max_tokens": 1, "messages": [{"role": "user", "content": "x"}]}


def parse(recording: Recording) -> tuple[Any, Any]:
    """The recorded response parsed strictly by the SDK call that made it, and its raw JSON."""
    client = strict_client(recording.status, recording.headers, recording.response)
    path, raw = recording.path, None if "event-stream" in recording.headers.get("content-type", "") else recording.response
    if recording.status >= 400:
        with pytest.raises(anthropic.APIStatusError) as caught:
            client.messages.create(**ASK)
        return anthropic.types.ErrorResponse.model_validate(caught.value.body), caught.value.body
    if path.endswith("/count_tokens"):
        return client.messages.count_tokens(model="claude-haiku-4-5", messages=ASK["messages"]), json.loads(recording.response)
    if path.rstrip("/") == "/v1/models":
        return client.models.list(), json.loads(recording.response)
    if path.startswith("/v1/models/"):
        return client.models.retrieve(path.rsplit("/", 1)[1]), json.loads(recording.response)
    messages: Any = client.beta.messages if recording.beta else client.messages
    if raw is None:  # a stream: every event validates as the SDK's event type, and the SDK accumulates them
        event_type = BetaRawMessageStreamEvent if recording.beta else anthropic.types.RawMessageStreamEvent
        raw_events = events(recording.response)
        parsed = [TypeAdapter(event_type).validate_python(e) for e in raw_events]
        with messages.stream(**ASK) as stream:
            assert stream.get_final_message().stop_reason is not None
        return parsed, raw_events
    return messages.create(**ASK), json.loads(raw)


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: f"{p.parent.name}/{p.name[:40]}")
def test_every_recording_parses_strictly_and_carries_every_declared_field(path: Path) -> None:
    recording = Recording.from_json(json.loads(path.read_text(encoding="utf-8")), path)
    parsed, raw = parse(recording)
    assert missing_fields(parsed, raw) == [], path.name
    for info in model_infos(recording.path, raw):  # the Models API: capabilities is a full ModelCapabilities, never null
        assert isinstance(info.get("capabilities"), dict), f"{path.name}: {info.get('id')} has no capabilities"
        capabilities = ModelCapabilities.model_validate(info["capabilities"], strict=True)
        assert missing_fields(capabilities, info["capabilities"]) == [], f"{path.name}: {info.get('id')}"


def model_infos(path: str, raw: Any) -> list[dict[str, Any]]:
    """The ModelInfo bodies of a Models API response (none for other endpoints)."""
    if path.split("?")[0].rstrip("/") == "/v1/models":
        return list(raw["data"])
    return [raw] if path.startswith("/v1/models/") and isinstance(raw, dict) else []


@pytest.mark.parametrize("path", ERRORS, ids=lambda p: p.name)
def test_every_authored_error_is_an_sdk_error_response(path: Path) -> None:
    sample = json.loads(path.read_text(encoding="utf-8"))
    parsed = anthropic.types.ErrorResponse.model_validate(sample["body"], strict=False)
    assert missing_fields(parsed, sample["body"]) == []


def test_the_field_check_catches_a_missing_field() -> None:
    raw = {"id": "m", "type": "message", "role": "assistant", "model": "claude-haiku-4-5", "content": [],
           "stop_reason": "end_turn", "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}
    assert ".usage.cache_creation" in missing_fields(anthropic.types.Message.model_validate(raw), raw)


def recorded_values() -> tuple[set[str], set[str], set[str]]:
    """Stop reasons, model ids and beta names in every recording."""
    stops, models, betas = set(), set(), set()
    for path in RECORDINGS:
        data = json.loads(path.read_text(encoding="utf-8"))
        body = data["request"].get("body") or {}
        models.add(body["model"]) if isinstance(body, dict) and "model" in body else None
        betas.update(b for b in (data["request"].get("anthropic_beta") or "").split(",") if b)
        text = "\n".join(data["response"]["body_lines"])
        stops.update(re.findall(r'"stop_reason": ?"([a-z_]+)"', text))
        models.update(re.findall(r'"model": ?"([a-z0-9-]+)"', text))
    return stops, models, betas


def test_every_stop_reason_model_and_beta_in_the_recordings_is_known_to_the_sdk() -> None:
    stops, models, betas = recorded_values()
    assert stops and stops <= set(STOP_REASONS.value)
    assert models and models <= set(MODEL_IDS.value)
    assert betas <= set(BETA_NAMES.value)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_notebooks_and_scripts_name_only_what_the_sdk_knows(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    stops = {w for w in re.findall(r"stop_reason[\s\"'`:=\\]{1,6}(?:is[\s`]{1,3})?([a-z_]{3,})", text) if "_" in w}
    assert stops <= {*STOP_REASONS.value, CUT_OFF}, stops - {*STOP_REASONS.value, CUT_OFF}
    models = set(re.findall(r"\bclaude-[a-z0-9-]*[a-z0-9]", text))
    assert models <= set(MODEL_IDS.value), models - set(MODEL_IDS.value)
    betas = set(re.findall(r"\b[a-z]+(?:-[a-z0-9]+)*-20\d\d-\d\d-\d\d\b", text))
    assert betas <= set(BETA_NAMES.value), betas - set(BETA_NAMES.value)
