"""The classroom wing: what teachers and the exercises use.

It holds the exercises' checks and hints (`checks`, `exercises`, `blocks_exercises`), the day-before check (`daycheck`), the model
retirement guard (`models`), learner progress (`progress`), Colab detection (`colab`) and what the example scripts
print in a terminal (`console`), and learners' private homes on the class hub (`homes`). It imports the core; of the other wings, the day-before check uses
`helpers.replay.notebooks`, and the exercise checks use names `helpers.memory` lists and
`helpers.chat.ChatWidget`.
Names the session imports: `key_from_colab`, `setup_warning`.
"""

from .colab import key_from_colab

__all__ = ["key_from_colab", "setup_warning"]


def setup_warning(model: str) -> str | None:
    """One line for the setup cell when the configured model is deprecated, or None (`models.setup_warning`).

    Imported when called, so `python -m helpers.classroom.models` runs that module once, without runpy's warning.
    """
    from .models import setup_warning as warning

    return warning(model)
