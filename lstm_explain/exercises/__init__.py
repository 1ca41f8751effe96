"""Checked exercises: ``q[1].check(answer)``, ``q[1].hint()``, ``q[1].solution()`` (learntools style).

``core`` holds the machinery (answers, parts, feedback, the registry); ``course_*`` hold the banks,
one function per notebook. See :mod:`lstm_explain.exercises.core` for how checking works.
"""

from .common import BATCH_FIRST_STATES, ONE_ROW_PER_DIRECTION, STATES_PER_DIRECTION
from .core import (
    Exercise,
    ExerciseSet,
    Feedback,
    Note,
    Part,
    notebook_exercises,
    notebooks_with_exercises,
)

__all__ = [
    "BATCH_FIRST_STATES",
    "ONE_ROW_PER_DIRECTION",
    "STATES_PER_DIRECTION",
    "Exercise",
    "ExerciseSet",
    "Feedback",
    "Note",
    "Part",
    "notebook_exercises",
    "notebooks_with_exercises",
]
