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
