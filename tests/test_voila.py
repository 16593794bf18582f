"""The Voila page's settings (voila.json, read from the folder Voila starts in): idle kernels are culled, code-only cells hidden."""

from __future__ import annotations

from voila.app import Voila

from helpers.config import REPO_ROOT


def voila_config() -> Voila:
    """A Voila app that has read the kit's voila.json, as `voila notebooks/05_chat_widget.ipynb` does from the kit's folder."""
    app = Voila()
    app.load_config_file("voila", path=[str(REPO_ROOT)])
    return app


def test_idle_kernels_are_culled() -> None:
    config = voila_config().config.MappingKernelManager
    assert 0 < config.cull_interval <= config.cull_idle_timeout <= 3600, config


def test_navigation_and_exercises_are_not_shown() -> None:
    tags = voila_config().config.TagRemovePreprocessor.remove_cell_tags
    assert {"navigation", "exercise"} <= set(tags)


def test_the_page_hides_the_prose_about_hidden_code_and_shows_the_full_chat() -> None:
    import json

    tags = voila_config().config.TagRemovePreprocessor.remove_cell_tags
    cells = json.loads((REPO_ROOT / "notebooks" / "05_chat_widget.ipynb").read_text(encoding="utf-8"))["cells"]
    shown = ["".join(c["source"]) for c in cells if not set(c["metadata"].get("tags", [])) & set(tags)]
    prose = " ".join(text for text, c in zip(shown, [c for c in cells if not set(c["metadata"].get("tags", [])) & set(tags)],
                                             strict=True) if c["cell_type"] == "markdown")
    assert "voila-hidden" in tags
    assert "first cell below installs" not in prose and "ChatLog" not in prose, "the page talks about code it hides"
    assert shown[-2].startswith("## 6. The full chat") or any(s.startswith("ChatWidget(") for s in shown[-4:])
