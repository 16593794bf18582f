"""Exercise 01.1 with its system prompt and turn written as content blocks, as the API also takes them (test_exercises.py
writes them as strings): the check reads the text of the text blocks, whatever else the content holds."""

from __future__ import annotations

from helpers.classroom.checks import hint_for
from helpers.classroom.exercises import text_of


def test_the_text_of_content_is_its_text_blocks_joined_and_nothing_else() -> None:
    blocks = [{"type": "text", "text": "Translate"}, {"type": "image"}, "stray", {"type": "text"}, {"type": "text", "text": "it"}]
    assert text_of(blocks) == "Translate  it"  # a text block without text adds an empty part
    assert text_of("as is") == "as is" and text_of(None) == "" and text_of({"type": "text", "text": "x"}) == ""


def test_a_translation_request_written_in_blocks_passes_and_a_spanish_one_does_not() -> None:
    def body(system: str) -> dict[str, object]:
        return {"model": "claude-haiku-4-5", "max_tokens": 50, "system": [{"type": "text", "text": system}],
                "messages": [{"role": "user", "content": [{"type": "text", "text": "Good morning"}]}]}

    assert hint_for("01.1", body("Translate into French. Reply with the translation only.")) is None
    assert hint_for("01.1", body("Translate into Spanish. Reply with the translation only.")) is not None
    assert hint_for("01.1", body("   ")) is not None
