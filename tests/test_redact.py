"""helpers/redact.py on its own: exact secrets scrubbed everywhere (keys, values, nesting), key shapes masked, text capped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import Conversation
from helpers.redact import MESSAGE_LIMIT, REMOVED, SECRET_VARS, clip, env_secrets, header_secrets, mask, scrub

GONE = "[key removed]"  # the marker, spelled out: a changed marker must fail here
KEY = "sk-" + "ant-api03-" + "Q9x" * 10  # built in pieces so the secret scan does not flag this file
AUTH, XKEY = "authori" + "zation", "x-api" + "-key"  # header names in pieces, for the same scan
TOKEN = "gw-" + "class-token-" + "7h" * 8  # an auth token: not shaped like a key, so only its exact value finds it

# Secrets are upper case and digits, the text around them lower case: a secret can only be found where one was put,
# and never inside the marker (which is lower case).
SECRET_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
FILLER = st.text(alphabet="abcdefghij .:/", min_size=1, max_size=8)
BASE = st.text(alphabet=SECRET_CHARS, min_size=8, max_size=30)


@st.composite
def secret_sets(draw: st.DrawFn) -> list[str]:
    """A few secrets, some of them inside others (a prefix, a suffix or the middle of a longer one)."""
    bases = draw(st.lists(BASE, min_size=1, max_size=4, unique=True))
    inner = []
    for base in bases:
        if len(base) > 8 and draw(st.booleans()):
            start = draw(st.integers(0, len(base) - 8))
            end = draw(st.integers(start + 8, len(base)))
            inner.append(base[start:end])
    return list(dict.fromkeys(bases + inner))


def template(depth: int = 3) -> st.SearchStrategy[Any]:
    """JSON-shaped data whose strings are lists of pieces: filler text, or the index of a secret."""
    piece = st.one_of(FILLER, st.integers(0, 20))
    text = st.lists(piece, min_size=1, max_size=5).map(lambda pieces: ("text", pieces))
    leaf = st.one_of(text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(st.lists(inner, max_size=4),
                                st.lists(st.tuples(text, inner), max_size=4).map(lambda items: ("dict", items))),
        max_leaves=depth * 6,
    )


def render(shape: Any, secrets: list[str]) -> Any:
    """The data a template stands for, each secret index written as `secrets[i]` (fillers between two secrets)."""
    if isinstance(shape, tuple) and shape[0] == "text":
        out = ""
        for piece in shape[1]:
            out += secrets[piece % len(secrets)] + "-" if isinstance(piece, int) else piece
        return out
    if isinstance(shape, tuple) and shape[0] == "dict":
        return {"abcdefghij"[n] + ":" + render(key, secrets): render(value, secrets)  # keys stay distinct
                for n, (key, value) in enumerate(shape[1])}
    if isinstance(shape, list):
        return [render(item, secrets) for item in shape]
    return shape


@settings(max_examples=300, deadline=None)
@given(secret_sets(), template())
def test_scrub_replaces_each_secret_whole_wherever_it_is(secrets: list[str], shape: Any) -> None:
    data = render(shape, secrets)
    expected = render(shape, [GONE] * len(secrets))
    assert scrub(data, secrets) == expected
    assert not any(secret in json.dumps(scrub(data, secrets)) for secret in secrets)


@settings(max_examples=200, deadline=None)
@given(secret_sets(), template())
def test_scrub_leaves_data_without_secrets_as_it_was_and_copies_it(secrets: list[str], shape: Any) -> None:
    data = render(shape, secrets)
    clean = render(shape, [GONE] * len(secrets))
    assert scrub(clean, secrets) == clean, "scrubbing twice changes nothing"
    assert scrub(data, []) == data, "no secrets, no change"
    copy = scrub(data, secrets)
    if isinstance(copy, list | dict):
        assert copy is not data


@settings(max_examples=200, deadline=None)
@given(BASE, st.integers(1, 6), FILLER)
def test_the_longest_secret_goes_first_so_no_tail_of_it_is_left(longer: str, cut: int, filler: str) -> None:
    shorter = longer[: max(8, len(longer) - cut)]
    text = f"{filler}{longer}{filler}"
    for order in ([shorter, longer], [longer, shorter]):
        assert scrub(text, order) == f"{filler}{GONE}{filler}"


def test_scrub_by_example() -> None:
    secret = "ABCDEFGH12345678"
    data = {"k": secret, secret: [1, f"x{secret}y", {"deep": [secret, None, 2.5, True]}], "n": 3}
    assert scrub(data, [secret]) == {"k": GONE, GONE: [1, f"x{GONE}y", {"deep": [GONE, None, 2.5, True]}], "n": 3}
    assert scrub(f"{secret}{secret}", [secret]) == GONE + GONE
    assert scrub(secret, [secret[:8], secret]) == GONE
    assert scrub(secret, [secret, secret[4:]]) == GONE
    assert scrub((secret,), [secret]) == (secret,), "only JSON shapes are walked"
    assert scrub({1: secret}, [secret]) == {"1": GONE}, "a key is a string in JSON"
    assert REMOVED == GONE


@pytest.mark.parametrize("text", [
    f"my key is {KEY}.",
    "sk-ant-abc123",
    "Authorization: Bearer abcdefghijkl",
    "authorization: bearer abc.def_ghi~jk+/=-",
    "BEARER    ABCDEFGHIJKLMNOP",
])
def test_mask_removes_anything_shaped_like_a_key(text: str) -> None:
    masked = mask(text)
    assert GONE in masked
    assert "sk-ant-" not in masked and "abcdefghijkl" not in masked.lower()


@pytest.mark.parametrize("text", ["sk-ant-abc12", "Bearer abcdefghijk", "bearer", "a plain sentence", "sk-ant abc123456"])
def test_mask_leaves_text_that_is_not_a_key(text: str) -> None:
    assert mask(text) == text


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=6, max_size=40),
       st.sampled_from(["Bearer ", "bearer ", "BEARER\t"]), FILLER)
def test_mask_removes_every_key_and_bearer_token(body: str, bearer: str, filler: str) -> None:
    masked = mask(f"{filler} sk-ant-{body} {filler}")
    assert masked == f"{filler} {GONE} {filler}"
    if len(body) >= 12:
        assert mask(f"{filler} {bearer}{body} {filler}") == f"{filler} {GONE} {filler}"


def test_mask_removes_the_exact_secrets_given_and_those_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert mask(f"token {TOKEN} and pw hunter2hunter2", ["hunter2hunter2"]) == f"token {GONE} and pw {GONE}"
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN")
    assert mask(f"token {TOKEN}") == f"token {TOKEN}"


def test_env_secrets_reads_both_credentials_the_sdk_reads() -> None:
    assert SECRET_VARS == ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN")
    assert env_secrets({"ANTHROPIC_AUTH_TOKEN": TOKEN}) == [TOKEN]
    assert env_secrets({"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_AUTH_TOKEN": f"  {TOKEN}\n"}) == [KEY, TOKEN]
    assert env_secrets({"ANTHROPIC_API_KEY": "1234567", "OTHER": KEY}) == [], "too short to be a key; other names ignored"
    assert env_secrets({"ANTHROPIC_API_KEY": "12345678"}) == ["12345678"]
    assert env_secrets({}) == []


def test_env_secrets_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    assert env_secrets() == [KEY, TOKEN]


def test_header_secrets_finds_both_ways_a_key_is_sent() -> None:
    assert header_secrets({XKEY: KEY}) == [KEY]
    assert header_secrets({AUTH: f"Bearer {TOKEN}"}) == [TOKEN]
    assert header_secrets({AUTH: f"bearer  {TOKEN} "}) == [TOKEN]
    assert header_secrets({XKEY: f" {KEY} ", AUTH: f"Bearer {TOKEN}"}) == [KEY, TOKEN]
    assert header_secrets({AUTH: f"Basic {TOKEN}"}) == [], "only a Bearer credential"
    assert header_secrets({AUTH: "Bearer 1234567", XKEY: "short"}) == []
    assert header_secrets({AUTH: "Bearer 12345678", XKEY: "abcdefgh"}) == ["abcdefgh", "12345678"]
    assert header_secrets({}) == []


def test_clip_keeps_short_text_on_one_line_and_cuts_long_text_with_its_length() -> None:
    assert MESSAGE_LIMIT == 300
    assert clip("a\n b\t\tc ") == "a b c"
    assert clip("x" * 300) == "x" * 300
    assert clip("x" * 301) == "x" * 300 + "... (cut: 301 characters in all)"
    assert clip("abcd efgh", limit=5) == "abcd... (cut: 9 characters in all)", "no space before the dots"
    assert clip("y" * 1234, limit=4) == "yyyy... (cut: 1,234 characters in all)"
    assert clip("abcde", limit=5) == "abcde"


def test_a_pasted_auth_token_is_not_written_by_save(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_AUTH_TOKEN", TOKEN)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    notices: list[str] = []
    conv = Conversation(messages=[{"role": "user", "content": f"my token is {TOKEN}"},
                                  {"role": "assistant", "content": "Please do not share it."}])
    conv.notice = notices.append
    written = conv.save(tmp_path / "chat.json").read_text()
    assert TOKEN not in written and GONE in written
    assert len(notices) == 1 and GONE in notices[0]
