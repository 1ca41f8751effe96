"""Checked exercises: every solution passes, every listed wrong answer fails with its feedback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from lstm_explain.exercises import (
    Exercise,
    Feedback,
    notebook_exercises,
    notebooks_with_exercises,
)

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = [e for nb in notebooks_with_exercises() for e in notebook_exercises(nb)]
IDS = [e.key for e in EXERCISES]


def _solution_answer(exercise: Exercise) -> Any:
    """Run the solution's code on its own, as a learner would paste it."""
    namespace: dict[str, Any] = {"torch": torch, "nn": nn}
    exec(exercise.solution_code, namespace)
    return namespace[exercise.name]


def test_every_notebook_with_a_check_yourself_has_a_bank() -> None:
    assert notebooks_with_exercises() == [
        "01",
        "02",
        "03",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
        "10",
        "12",
        "15",
        "16",
        "17",
    ]
    assert len(EXERCISES) >= 45


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_solution_passes_its_check(exercise: Exercise) -> None:
    feedback = exercise.check(_solution_answer(exercise))
    assert feedback.ok, str(feedback)
    assert str(feedback).startswith(f"✓ {exercise.key} correct: ")


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_each_listed_mistake_fails_with_its_feedback(exercise: Exercise) -> None:
    right = _solution_answer(exercise)
    listed = 0
    for i, part in enumerate(exercise.parts):
        for wrong, text in part.mistakes():
            if len(exercise.parts) == 1:
                answer = wrong
            else:
                answer = tuple(wrong if j == i else right[j] for j in range(len(exercise.parts)))
            feedback = exercise.check(answer)
            assert feedback.status == "wrong", (wrong, str(feedback))
            assert text in str(feedback), (wrong, str(feedback))
            listed += 1
    assert listed >= 1, "each exercise lists at least one typical wrong answer"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_blank_is_not_answered_yet_and_never_raises(exercise: Exercise) -> None:
    for blank in (..., None):
        feedback = exercise.check(blank)
        assert feedback.status == "blank" and not feedback.ok
        assert "not answered yet" in str(feedback)
        assert f"q[{exercise.number}].hint()" in str(feedback)
    assert exercise.check(object()).status == "wrong"  # an unusable answer: feedback, no error


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_hint_solution_and_repr(exercise: Exercise) -> None:
    assert exercise.hint().text and exercise.hint()._repr_html_().startswith("<div")
    solution = exercise.solution()
    assert exercise.name in solution.code and exercise.solution_code in str(solution)
    assert "\n" not in repr(exercise) and exercise.key in repr(exercise)


def test_the_briefs_example_feedback() -> None:
    """h_n of a bidirectional 2-layer-or-more batch-first model: the two classic mistakes."""
    q = notebook_exercises("10")
    bf = q[1].check((4, 6, 16))
    assert str(bf) == (
        "✗ 10.1 not yet: (N, L*D, H)? batch_first never changes the states: h_n is (L*D, N, H)"
    )
    layers = q[1].check((3, 4, 16))
    assert "(L, N, H)? a bidirectional model has one row per layer AND direction" in str(layers)
    assert str(q[1].check((6, 4, 16))) == (
        "✓ 10.1 correct: (L*D, N, H) = (6, 4, 16), whatever batch_first says."
    )


def test_generic_feedback_for_unlisted_wrong_answers() -> None:
    q = notebook_exercises("05")
    assert "the right sizes in the wrong order" in str(q[1].check(((5, 7, 128), (6, 5, 64))))
    assert "axis 2 (D*H) is off" in str(q[1].check(((7, 5, 100), (6, 5, 64))))
    assert "h_n[5] is layer 2, backward" in str(q[2].check(5))
    assert "between -6 and 5" in str(q[2].check(9))
    assert str(q[2].check(-3)).startswith("✓")  # -3 is row 3 counted from the end
    assert "give a whole number" in str(q[2].check("3"))
    partly = q[1].check(((7, 5, 128), ...))
    assert partly.status == "blank" and "partly answered" in str(partly)


def test_function_exercise_runs_the_learners_code_safely() -> None:
    q = notebook_exercises("03")

    def raises(rnn: Any, x: Any) -> Any:
        raise KeyError("oops")

    assert "your function raised KeyError" in str(q[4].check(raises))
    assert "not answered yet" in str(q[4].check(lambda rnn, x: None))
    assert "one step is (2, 16)" in str(q[4].check(lambda rnn, x: rnn(x)[0]))


def test_check_leaves_the_callers_random_state_alone() -> None:
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    notebook_exercises("06")[1].check(((5, 9, 64), (4, 5, 32)))
    assert torch.equal(torch.rand(3), expected)


def test_feedback_protocol() -> None:
    fb = notebook_exercises("02")[4].check(True)
    assert isinstance(fb, Feedback) and fb.status == "wrong"
    assert fb.to_dict()["ok"] is False and json.dumps(fb.to_dict(), ensure_ascii=False)
    assert 'style="' in fb._repr_html_() and "&lt;" not in fb._repr_html_()
    assert repr(fb) == str(fb)


def test_notebook_lookup() -> None:
    assert notebook_exercises(5).notebook == "05"
    assert notebook_exercises("05_bidirectional_and_stacked").notebook == "05"
    with pytest.raises(ValueError, match="notebooks with exercises: 01"):
        notebook_exercises("11")
    q = notebook_exercises("05")
    with pytest.raises(IndexError, match=r"exercises 1\.\.4"):
        q[0]
    assert "q[4]" in repr(q)


@pytest.mark.parametrize("nb", notebooks_with_exercises())
def test_stored_notebook_shows_blank_scaffolds(nb: str) -> None:
    """Each exercise appears in its notebook as `answer_n = ...` and its stored feedback is blank."""
    (path,) = (ROOT / "notebooks").glob(f"{nb}_*.ipynb")
    cells = json.loads(path.read_text())["cells"]
    q = notebook_exercises(nb)
    for exercise in q:
        check = f"q[{exercise.number}].check({exercise.name})"
        (cell,) = [c for c in cells if c["cell_type"] == "code" and check in "".join(c["source"])]
        source = "".join(cell["source"])
        assert f"{exercise.name} = ..." in source or "    ..." in source, source
        text = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in cell["outputs"])
        assert str(exercise.check(...)) == text, text
