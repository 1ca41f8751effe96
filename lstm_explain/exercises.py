"""Checked exercises: ``q[1].check(answer)``, ``q[1].hint()``, ``q[1].solution()`` (learntools style).

Each notebook's "Check yourself" questions form a small bank::

    from lstm_explain.exercises import notebook_exercises
    q = notebook_exercises("05")
    answer_1 = ...            # the learner replaces ... with an answer
    q[1].check(answer_1)      # ✓ / ✗ with specific feedback / "not answered yet"

The right answer is never typed here: each part's ``truth`` computes it by running torch (a
seeded module, a real call, an experiment on the weights). Each part also lists the usual wrong
answers (computed from the same sizes) with the feedback that explains them; any other wrong
answer gets feedback derived from the truth (the axis that is off, the row it points at).
``check`` never raises on a learner's answer: a blank (``...`` or ``None``) reports "not answered
yet", an answer of the wrong type says what form to give. Feedback is plain, deterministic text.
"""

from __future__ import annotations

import contextlib
import functools
import html
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

Shape = tuple[int, ...]
#: (wrong answer, feedback); the answer may be a callable for function exercises.
Mistake = tuple[Any, str]


# --- results ---------------------------------------------------------------------------------

_STYLE = {
    "correct": ("✓", "#1b5e20", "#e8f5e9"),
    "wrong": ("✗", "#b71c1c", "#ffebee"),
    "blank": ("…", "#37474f", "#eceff1"),
}


@dataclass(frozen=True)
class Feedback:
    """What ``check`` says: ``status`` is ``"correct"``, ``"wrong"`` or ``"blank"``.

    ``str()`` and the plain repr are the message (a line, plus one line per part of a
    several-part answer); ``_repr_html_`` is the same, styled inline.
    """

    key: str
    status: str
    message: str
    parts: tuple[tuple[str, str, str], ...] = ()  # (label, status, text)

    @property
    def ok(self) -> bool:
        return self.status == "correct"

    def lines(self) -> list[str]:
        icon = _STYLE[self.status][0]
        out = [f"{icon} {self.key} {self.message}"]
        for label, status, text in self.parts:
            out.append(f"  {_STYLE[status][0]} {label}{': ' + text if text else ''}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return str(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.key,
            "status": self.status,
            "ok": self.ok,
            "message": self.message,
            "parts": [{"label": a, "status": s, "text": t} for a, s, t in self.parts],
        }

    def _repr_html_(self) -> str:
        _, fg, bg = _STYLE[self.status]
        rows = "".join(
            f'<div style="margin-left:1.5em">{html.escape(line.strip())}</div>'
            for line in self.lines()[1:]
        )
        return (
            f'<div style="border-left:4px solid {fg};background:{bg};color:{fg};'
            f'padding:4px 8px;font-family:sans-serif">'
            f"<b>{html.escape(self.lines()[0])}</b>{rows}</div>"
        )


@dataclass(frozen=True)
class Note:
    """A hint or a solution: a title, text and (for a solution) code that runs."""

    title: str
    text: str
    code: str = ""

    def __str__(self) -> str:
        parts = [self.title, self.text] if self.text else [self.title]
        if self.code:
            parts.append(self.code)
        return "\n".join(parts)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        code = (
            f'<pre style="background:#f5f5f5;padding:4px 8px;margin:4px 0">'
            f"{html.escape(self.code)}</pre>"
            if self.code
            else ""
        )
        text = f"<div>{html.escape(self.text)}</div>" if self.text else ""
        return (
            '<div style="border-left:4px solid #0d47a1;background:#e3f2fd;color:#0d47a1;'
            f'padding:4px 8px;font-family:sans-serif"><b>{html.escape(self.title)}</b>'
            f"{text}{code}</div>"
        )


# --- answers and their parts -----------------------------------------------------------------


class _Unusable(Exception):
    """The answer has the wrong form; the message says which form to give."""


def _is_blank(value: Any) -> bool:
    return value is Ellipsis or value is None


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Unusable("give a whole number, not True/False")
    try:
        return operator.index(value)
    except TypeError:
        if hasattr(value, "item") and getattr(value, "numel", lambda: 0)() == 1:
            return _as_int(value.item())
        raise _Unusable(f"give a whole number (got {type(value).__name__})") from None


def _as_shape(value: Any) -> Shape:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _Unusable("give a shape as a tuple of whole numbers, e.g. (2, 3, 4)")
    try:
        return tuple(_as_int(v) for v in value)
    except _Unusable:
        raise _Unusable("give a shape as a tuple of whole numbers, e.g. (2, 3, 4)") from None


def _as_ints(value: Any) -> list[int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _Unusable("give a list of whole numbers, e.g. [0, 2]")
    try:
        return [_as_int(v) for v in value]
    except _Unusable:
        raise _Unusable("give a list of whole numbers, e.g. [0, 2]") from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise _Unusable("give True or False")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(eq=False)
class Part:
    """One value of an answer: its label, kind and the computation that gives the truth.

    Kinds: ``"shape"`` (a tuple of ints), ``"int"``, ``"index"`` (an index into an axis of
    ``size()``; negative indices count from the end), ``"ints"`` (a list of ints, in order),
    ``"set"`` (ints in any order), ``"bool"``,
    ``"choice"`` (one of ``choices``, spaces ignored), ``"slice"`` (rows ``start:stop`` of an axis
    of ``size()``), ``"function"`` (a function, called on ``args()``, whose result must match the
    truth within ``atol``).
    """

    label: str
    kind: str
    truth: Callable[[], Any]
    mistakes: Callable[[], Sequence[Mistake]] = lambda: ()
    dims: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    size: Callable[[], int] | None = None
    describe: Callable[[Any], str] | None = None
    args: Callable[[], tuple[Any, ...]] | None = None
    atol: float = 1e-6
    form: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def value(self) -> Any:
        """The right answer, computed once (with torch seeded and its RNG state restored)."""
        if "truth" not in self._cache:
            with _seeded():
                truth = self.truth()
                self._cache["truth"] = truth if self.kind == "function" else self.normalize(truth)
        return self._cache["truth"]

    def normalize(self, answer: Any) -> Any:
        """The comparable form of an answer; raises ``_Unusable`` for the wrong form."""
        k = self.kind
        if k == "shape":
            return _as_shape(answer)
        if k == "int":
            return _as_int(answer)
        if k == "index":
            i, n = _as_int(answer), self.size() if self.size else None
            if n is not None and not -n <= i < n:
                raise _Unusable(f"an index into {n} rows is between {-n} and {n - 1}")
            return i % n if n else i
        if k == "ints":
            return _as_ints(answer)
        if k == "set":
            return sorted(set(_as_ints(answer)))
        if k == "bool":
            return _as_bool(answer)
        if k == "choice":
            if not isinstance(answer, str) or _squash(answer) not in map(_squash, self.choices):
                raise _Unusable("choose one of " + ", ".join(f'"{c}"' for c in self.choices))
            return _squash(answer)
        if k == "slice":
            if isinstance(answer, range):
                answer = slice(answer.start, answer.stop, answer.step)
            if not isinstance(answer, slice):
                raise _Unusable("give a slice of rows, e.g. slice(0, 8)")
            r = range(self.size())[answer]
            if r.step != 1 or not len(r):
                raise _Unusable("give a slice of consecutive rows, e.g. slice(0, 8)")
            return (r.start, r.stop)
        if k == "function":
            if not callable(answer):
                raise _Unusable("give a function (def ...)")
            return answer
        raise ValueError(f"unknown part kind {k!r}")

    def _call(self, fn: Callable[..., Any]) -> Any:
        with _seeded():
            return fn(*self.args())

    def judge(self, answer: Any) -> tuple[str, str]:
        """``(status, text)`` for this part's answer: correct, wrong (with feedback) or blank."""
        if _is_blank(answer):
            return "blank", "not answered yet"
        try:
            got = self.normalize(answer)
        except _Unusable as exc:
            return "wrong", str(exc)
        truth = self.value()
        if self.kind == "function":
            return self._judge_function(got, truth)
        if got == truth:
            return "correct", ""
        for wrong, text in self.mistakes():
            try:
                if self.normalize(wrong) == got:
                    return "wrong", text
            except _Unusable:
                continue
        return "wrong", self._generic(got, truth)

    def _judge_function(self, fn: Callable[..., Any], truth: Any) -> tuple[str, str]:
        import torch

        try:
            got = self._call(fn)
        except Exception as exc:  # the learner's code: report, never raise
            return "wrong", f"your function raised {type(exc).__name__}: {exc}"
        if got is None:
            return "blank", "not answered yet (the function returns None)"
        if not isinstance(got, torch.Tensor):
            return "wrong", f"return a tensor (got {type(got).__name__})"
        if tuple(got.shape) != tuple(truth.shape):
            return "wrong", (
                f"it returns shape {tuple(got.shape)}; one step is {tuple(truth.shape)} (N, H)"
            )
        if torch.allclose(got, truth, atol=self.atol):
            return "correct", ""
        for wrong, text in self.mistakes():
            other = self._call(wrong)
            if tuple(other.shape) == tuple(got.shape) and torch.allclose(got, other, atol=1e-6):
                return "wrong", text
        return "wrong", "right shape, other numbers than torch's first step"

    def _generic(self, got: Any, truth: Any) -> str:
        k = self.kind
        if k == "shape":
            dims = f" {', '.join(self.dims)}" if self.dims else ""
            if len(got) != len(truth):
                return f"{self.label} has {len(truth)} axes{':' + dims if dims else ''}"
            if sorted(got) == sorted(truth):
                return f"the right sizes in the wrong order; the axes are ({', '.join(self.dims)})"
            i = next(i for i, (a, b) in enumerate(zip(got, truth, strict=True)) if a != b)
            name = f" ({self.dims[i]})" if self.dims else ""
            return f"axis {i}{name} is off"
        if k == "index" and self.describe:
            return self.describe(got)
        if k == "slice" and self.describe:
            return self.describe(got)
        if k == "int":
            return f"{got} is {'more' if got > truth else 'less'} than torch counts"
        if k == "bool":
            return f"{got} is not what torch does"
        return "not what torch gives"


_FORMS = {
    "shape": "a shape tuple",
    "int": "a whole number",
    "index": "an index",
    "ints": "a list of whole numbers",
    "set": "a list of whole numbers",
    "bool": "True or False",
    "slice": "slice(start, stop)",
}


@contextlib.contextmanager
def _seeded(seed: int = 0) -> Iterator[None]:
    """Seed torch for a computation and restore the caller's RNG state (and threads) after."""
    import torch

    from .shapes import one_thread, quiet_rnn_warnings

    with torch.random.fork_rng(devices=[]), one_thread(), quiet_rnn_warnings():
        torch.manual_seed(seed)
        yield


# --- the exercise ----------------------------------------------------------------------------


@dataclass(eq=False)
class Exercise:
    """One question: its parts, a hint and a worked solution (code that runs).

    ``check(answer)`` takes one value for a one-part question, a tuple in ``parts`` order for
    several. ``solution_code`` sets ``answer_{number}`` and runs on its own.
    """

    notebook: str
    number: int
    title: str
    parts: tuple[Part, ...]
    hint_text: str
    solution_code: str
    why: str

    @property
    def key(self) -> str:
        return f"{self.notebook}.{self.number}"

    @property
    def name(self) -> str:
        """The scaffold's variable: ``answer_1``."""
        return f"answer_{self.number}"

    @property
    def form(self) -> str:
        """What to write: ``a shape tuple``, ``(output, h_n)``, ..."""
        if len(self.parts) == 1:
            part = self.parts[0]
            return part.form or _FORMS.get(part.kind, part.label)
        return "(" + ", ".join(p.form or p.label for p in self.parts) + ")"

    def __repr__(self) -> str:
        return f"<Exercise {self.key}: {self.title}; {self.name} = {self.form}>"

    def _blank_message(self) -> str:
        n = self.number
        todo = (
            f"write the body of {self.name}"
            if self.parts[0].kind == "function"
            else f"replace the ... in {self.name} with {self.form}"
        )
        return f"not answered yet: {todo} and run the cell (q[{n}].hint() for a hint)"

    def check(self, answer: Any = Ellipsis) -> Feedback:
        """Compare ``answer`` with what torch computes; never raises on the learner's answer."""
        parts = self.parts
        if _is_blank(answer):
            return Feedback(self.key, "blank", self._blank_message())
        if len(parts) == 1:
            status, text = parts[0].judge(answer)
            if status == "blank":
                return Feedback(self.key, "blank", self._blank_message())
            if status == "correct":
                return Feedback(self.key, "correct", f"correct: {self.why}")
            return Feedback(self.key, "wrong", f"not yet: {text}")
        if not isinstance(answer, (tuple, list)) or len(answer) != len(parts):
            return Feedback(self.key, "wrong", f"not yet: give {len(parts)} values, {self.form}")
        judged = [(p.label, *p.judge(a)) for p, a in zip(parts, answer, strict=True)]
        statuses = {s for _, s, _ in judged}
        if statuses == {"correct"}:
            return Feedback(self.key, "correct", f"correct: {self.why}")
        if statuses == {"blank"}:
            return Feedback(self.key, "blank", self._blank_message())
        if "wrong" in statuses:
            wrong = [label for label, s, _ in judged if s == "wrong"]
            message = f"not yet: {' and '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} off"
            return Feedback(self.key, "wrong", message, tuple(judged))
        return Feedback(self.key, "blank", "partly answered", tuple(judged))

    def hint(self) -> Note:
        """A nudge toward the answer."""
        return Note(f"Hint for {self.key}", self.hint_text)

    def solution(self) -> Note:
        """The worked answer, as code that runs, and why."""
        return Note(f"Solution to {self.key}", self.why, self.solution_code)

    def truth(self) -> Any:
        """The computed right answer (one value, or a tuple for several parts)."""
        values = [p.value() for p in self.parts]
        return values[0] if len(values) == 1 else tuple(values)


class ExerciseSet(Sequence[Exercise]):
    """A notebook's exercises, numbered from 1 as in the notebook: ``q[1]``."""

    def __init__(self, notebook: str, exercises: Sequence[Exercise]) -> None:
        self.notebook = notebook
        self._items = list(exercises)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, number: Any) -> Any:
        if isinstance(number, slice):
            raise TypeError("exercises are numbered from 1: use q[1], q[2], ...")
        n = operator.index(number)
        if not 1 <= n <= len(self._items):
            raise IndexError(
                f"notebook {self.notebook} has exercises 1..{len(self._items)} (got {n})"
            )
        return self._items[n - 1]

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self._items)

    def __repr__(self) -> str:
        lines = [f"notebook {self.notebook}: {len(self)} exercises"]
        lines += [f"  q[{e.number}] {e.title}: {e.name} = {e.form}" for e in self]
        return "\n".join(lines)


# --- helpers for the banks -------------------------------------------------------------------


def _row(k: int, num_layers: int, D: int) -> str:
    """``h_n[4] is layer 2, forward`` in plain words."""
    direction = ("forward", "backward")[k % D] if D == 2 else "the only direction"
    return f"h_n[{k}] is layer {k // D}, {direction}"


def _row_feedback(num_layers: int, D: int) -> Callable[[int], str]:
    def describe(k: int) -> str:
        return f"{_row(k, num_layers, D)}; rows are ordered layer * D + direction"

    return describe


def _run(module: Any, *args: Any) -> Any:
    import torch

    with torch.no_grad():
        return module(*args)


def _count(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def _shape_dims(config: Any, name: str) -> tuple[str, ...]:
    from .shapes import predict_shapes

    return predict_shapes(config)[name][1]


_BANKS: dict[str, Callable[[], list[Exercise]]] = {}


def _bank(notebook: str) -> Callable[[Callable[[], list[Exercise]]], Callable[[], list[Exercise]]]:
    def register(fn: Callable[[], list[Exercise]]) -> Callable[[], list[Exercise]]:
        _BANKS[notebook] = fn
        return fn

    return register


def notebooks_with_exercises() -> list[str]:
    """The notebooks that have a bank: ``["01", "02", ...]``."""
    return sorted(_BANKS)


def notebook_exercises(notebook: str | int) -> ExerciseSet:
    """The exercises of one notebook, ``q[1]`` first.

    Args:
        notebook: ``"05"``, ``5`` or a notebook's file name (``"05_bidirectional_and_stacked"``).

    Raises:
        ValueError: no bank for that notebook.
    """
    key = f"{notebook:02d}" if isinstance(notebook, int) else str(notebook)[:2]
    if key not in _BANKS:
        raise ValueError(
            f"no exercises for notebook {notebook!r}; notebooks with exercises: "
            + ", ".join(notebooks_with_exercises())
        )
    return ExerciseSet(key, _BANKS[key]())


def _ex(
    nb: str, n: int, title: str, parts: Sequence[Part], hint: str, code: str, why: str
) -> Exercise:
    return Exercise(nb, n, title, tuple(parts), hint, code.strip("\n"), why)


BATCH_FIRST_STATES = "(N, L*D, H)? batch_first never changes the states: h_n is (L*D, N, H)"
ONE_ROW_PER_DIRECTION = "(L, N, H)? a bidirectional model has one row per layer AND direction"
STATES_PER_DIRECTION = "h_n holds each direction separately: its last axis is H, not D*H"


# --- the banks: one per notebook -------------------------------------------------------------


@_bank("01")
def _nb01() -> list[Exercise]:
    from .config import RNNConfig

    cfg = RNNConfig(
        "GRU", 32, 16, num_layers=3, bidirectional=True, batch_first=True, seq_len=12, batch=5
    )
    N, T, L, D, H = 5, 12, 3, 2, 16

    def run() -> tuple[Any, Any]:
        from .shapes import shape_report

        r = shape_report(cfg)
        return r.values["output"], r.values["h_n"]

    def row() -> int:
        out, h_n = run()
        return next(k for k in range(L * D) if h_n[k].equal(out[:, -1, :H]))

    return [
        _ex(
            "01",
            1,
            "shapes of output and h_n",
            [
                Part(
                    "output",
                    "shape",
                    lambda: run()[0].shape,
                    lambda: [
                        ((T, N, D * H), "batch_first=True puts the batch first: (N, T, D*H)"),
                        ((N, T, H), "a bidirectional output holds both directions: D*H features"),
                    ],
                    dims=_shape_dims(cfg, "output"),
                ),
                Part(
                    "h_n",
                    "shape",
                    lambda: run()[1].shape,
                    lambda: [
                        ((N, L * D, H), BATCH_FIRST_STATES),
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                        ((L * D, N, D * H), STATES_PER_DIRECTION),
                    ],
                    dims=_shape_dims(cfg, "h_n"),
                ),
            ],
            "output is (N, T, D*H) with batch_first; h_n is (L*D, N, H) in every layout.",
            """
answer_1 = ((5, 12, 32), (6, 5, 16))  # output (N, T, D*H), h_n (L*D, N, H)
# see it in torch:
gru = nn.GRU(32, 16, num_layers=3, bidirectional=True, batch_first=True)
output, h_n = gru(torch.randn(5, 12, 32))
print(tuple(output.shape), tuple(h_n.shape))
""",
            "batch_first moves N to the front of input and output only; h_n keeps (L*D, N, H).",
        ),
        _ex(
            "01",
            2,
            "the row of h_n that equals output[:, -1, :16]",
            [
                Part(
                    "row",
                    "index",
                    row,
                    lambda: [
                        (
                            -1,
                            "h_n[-1] is the top layer's backward direction, which ends at t = 0: "
                            "it equals output[:, 0, 16:]",
                        ),
                        (0, "h_n[0] is layer 0; output comes from the top layer only"),
                    ],
                    size=lambda: L * D,
                    describe=_row_feedback(L, D),
                    form="an index into h_n",
                ),
            ],
            "output[:, -1, :16] is the forward half at the last step, of the top layer.",
            """
answer_2 = -2  # the top layer's forward direction: row (L-1)*D + 0 = 4, i.e. h_n[-2]
""",
            "the forward direction of the top layer ends at the last step: h_n[-2] (row 4).",
        ),
    ]


@_bank("02")
def _nb02() -> list[Exercise]:
    import torch
    from torch import nn

    def pick() -> str:
        x = torch.randn(8, 12, 50)  # (N, T, H_in)
        choices = {"x[2]": x[2], "x[:, 2]": x[:, 2]}
        target = x.transpose(0, 1)[:, 2]  # sentence 2 in the time-first copy
        return next(k for k, v in choices.items() if v.shape == target.shape and v.equal(target))

    return [
        _ex(
            "02",
            1,
            "shape of a time-first batch of embedded sentences",
            [
                Part(
                    "input",
                    "shape",
                    lambda: nn.Embedding(1000, 50)(torch.zeros(12, 8, dtype=torch.long)).shape,
                    lambda: [
                        ((8, 12, 50), "that is batch-first; time first is (T, N, H_in)"),
                        ((12, 8), "the embedding adds a feature axis: (T, N, H_in)"),
                        ((12, 50), "a batch of 8 keeps its batch axis: (T, N, H_in)"),
                    ],
                    dims=("T", "N", "H_in"),
                )
            ],
            "Time first means the step index comes first, then the sentence, then the features.",
            """
answer_1 = (12, 8, 50)  # (T, N, H_in)
print(tuple(nn.Embedding(1000, 50)(torch.zeros(12, 8, dtype=torch.long)).shape))
""",
            "(T, N, H_in): 12 steps, 8 sentences, 50 numbers per word.",
        ),
        _ex(
            "02",
            2,
            "index of one sentence in a batch-first tensor",
            [
                Part(
                    "expression",
                    "choice",
                    pick,
                    lambda: [
                        (
                            "x[:, 2]",
                            "x[:, 2] is step 2 of every sentence; with batch_first the sentence "
                            "index comes first",
                        )
                    ],
                    choices=("x[2]", "x[:, 2]"),
                    form='"x[2]" or "x[:, 2]"',
                )
            ],
            "Which axis of a (N, T, H_in) tensor counts sentences?",
            """
answer_2 = "x[2]"  # (N, T, H_in): axis 0 is the sentence
""",
            "batch_first puts N first, so x[2] is sentence 2, all its steps: (T, H_in).",
        ),
        _ex(
            "02",
            3,
            "h_n of an unbatched input",
            [
                Part(
                    "h_n",
                    "shape",
                    lambda: _run(nn.RNN(4, 6), torch.randn(7, 4))[1].shape,
                    lambda: [
                        ((1, 1, 6), "unbatched input gives unbatched states: no batch axis"),
                        ((6,), "h_n keeps its first axis, one row per layer and direction"),
                        ((7, 6), "that is output's shape (T, H); h_n has one row per layer"),
                    ],
                    dims=("L*D", "H"),
                )
            ],
            "Drop the batch axis from (L*D, N, H).",
            """
answer_3 = (1, 6)  # (L*D, H): no batch axis
print(tuple(nn.RNN(4, 6)(torch.randn(7, 4))[1].shape))
""",
            "without a batch axis in the input, the states lose it too: (L*D, H).",
        ),
        _ex(
            "02",
            4,
            "does reshape give the batch-first layout?",
            [
                Part(
                    "answer",
                    "bool",
                    lambda: (x := torch.randn(6, 4, 5)).reshape(4, 6, 5).equal(x.transpose(0, 1)),
                    lambda: [
                        (
                            True,
                            "reshape keeps the numbers in memory order and regroups them, "
                            "mixing steps of different sequences; transpose(0, 1) swaps axes",
                        )
                    ],
                    form="True or False",
                )
            ],
            "Compare x.reshape(N, T, H_in) with x.transpose(0, 1) on a small tensor.",
            """
answer_4 = False
x = torch.randn(6, 4, 5)  # (T, N, H_in)
print(x.reshape(4, 6, 5).equal(x.transpose(0, 1)))  # False: use transpose(0, 1)
""",
            "reshape regroups the numbers in memory order; only transpose(0, 1) swaps T and N.",
        ),
    ]


@_bank("03")
def _nb03() -> list[Exercise]:
    import torch
    from torch import nn

    from .config import RNNConfig
    from .shapes import predict_num_parameters

    cfg = RNNConfig("RNN", 30, 16, num_layers=3)

    def pair() -> tuple[int, int]:
        rnn = nn.RNN(30, 16, num_layers=3)
        out, h = _run(rnn, torch.randn(7, 2, 30))
        return next((k, t) for k in range(3) for t in range(7) if h[k].equal(out[t]))

    def step_args() -> tuple[Any, Any]:
        return nn.RNN(30, 16), torch.randn(7, 2, 30)

    def step_truth() -> Any:
        rnn, x = step_args()
        return _run(rnn, x)[0][0]  # (N, H)

    def no_bias_hh(rnn: Any, x: Any) -> Any:
        return torch.tanh(x[0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0)

    def last_step(rnn: Any, x: Any) -> Any:
        return torch.tanh(x[-1] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0)

    def no_tanh(rnn: Any, x: Any) -> Any:
        return x[0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0

    return [
        _ex(
            "03",
            1,
            "shape of weight_ih_l2",
            [
                Part(
                    "weight_ih_l2",
                    "shape",
                    lambda: nn.RNN(30, 16, num_layers=3).weight_ih_l2.shape,
                    lambda: [
                        ((16, 30), "only layer 0 reads the input; layer 2 reads layer 1's H = 16"),
                        ((30, 16), "weights are (out, in): (H, H_in of the layer)"),
                    ],
                    dims=("H", "in"),
                )
            ],
            "What does layer 2 read? Weights are (rows = H, columns = the layer's input).",
            """
answer_1 = (16, 16)  # layer 2 reads layer 1's 16-vector
print(tuple(nn.RNN(30, 16, num_layers=3).weight_ih_l2.shape))
""",
            "layer 2's input is layer 1's h, of size H = 16: (H, H).",
        ),
        _ex(
            "03",
            2,
            "parameters of nn.RNN(30, 16, num_layers=3)",
            [
                Part(
                    "count",
                    "int",
                    lambda: _count(nn.RNN(30, 16, num_layers=3)),
                    lambda: [
                        (
                            predict_num_parameters(cfg.replace(bias=False)),
                            "you left out the biases: bias_ih and bias_hh, H each, per layer",
                        ),
                        (
                            3 * (16 * (30 + 16) + 2 * 16),
                            "layers 1 and 2 read H = 16 features, not input_size = 30",
                        ),
                        (
                            predict_num_parameters(cfg) - 3 * 16,
                            "every layer has two bias vectors, bias_ih and bias_hh",
                        ),
                    ],
                    form="a whole number",
                )
            ],
            "Per layer: H*(in + H) + 2*H, with in = 30 for layer 0 and in = H above.",
            """
answer_2 = (16 * (30 + 16) + 2 * 16) + 2 * (16 * (16 + 16) + 2 * 16)  # 1856
print(sum(p.numel() for p in nn.RNN(30, 16, num_layers=3).parameters()))
""",
            "layer 0: H*(30 + H) + 2H; layers 1, 2: H*(H + H) + 2H each; 1,856 in all.",
        ),
        _ex(
            "03",
            3,
            "the row of h_n and the step of output that hold the same numbers",
            [
                Part(
                    "k",
                    "index",
                    lambda: pair()[0],
                    lambda: [(0, "h_n[0] is layer 0; output comes from the top layer")],
                    size=lambda: 3,
                    describe=lambda k: f"h_n[{k}] is layer {k}; output holds the top layer",
                    form="k",
                ),
                Part(
                    "t",
                    "index",
                    lambda: pair()[1],
                    lambda: [(0, "output[0] is the first step; h_n is the state after the last")],
                    size=lambda: 7,
                    describe=lambda t: f"output[{t}] is step {t}; h_n is the final state",
                    form="t",
                ),
            ],
            "output holds the top layer at every step; h_n every layer at the last step.",
            """
answer_3 = (2, 6)  # the top layer (index L-1 = 2), the last step (index T-1 = 6)
rnn3 = nn.RNN(30, 16, num_layers=3)
out3, h3 = rnn3(torch.randn(7, 2, 30))
print(h3[2].equal(out3[6]))
""",
            "the top layer's final state is h_n[L-1] = h_n[-1] and output[T-1] = output[-1].",
        ),
        _ex(
            "03",
            4,
            "one step of layer 0 with rnn_step",
            [
                Part(
                    "step",
                    "function",
                    step_truth,
                    lambda: [
                        (no_bias_hh, "add both biases, bias_ih and bias_hh, even from h = 0"),
                        (last_step, "the first step reads x[0], not x[-1]"),
                        (no_tanh, "h_t = tanh(...): the step ends with the nonlinearity"),
                    ],
                    args=step_args,
                    form="def answer_4(rnn, x): ... (N, H)",
                )
            ],
            "h_0 is zeros of shape (N, H); call rnn_step(x[0], h_0, **layer_weights(rnn, 0)).",
            """
from lstm_explain.recurrence import layer_weights, rnn_step


def answer_4(rnn, x):
    \"\"\"x (T, N, H_in) -> the first step of rnn's output, (N, H).\"\"\"
    h_0 = torch.zeros(x.shape[1], rnn.hidden_size)  # (N, H): the zero state
    return rnn_step(x[0], h_0, **layer_weights(rnn, 0))
""",
            "from a zero state, step 0 is tanh(x_0 W_ih^T + b_ih + b_hh): output[0].",
        ),
    ]


def _gate_rows(H: int) -> dict[str, tuple[int, int]]:
    from .config import GATE_NAMES

    return {g: (i * H, (i + 1) * H) for i, g in enumerate(GATE_NAMES["LSTM"])}


def _forget_block(H: int) -> tuple[int, int]:
    """The LSTMCell bias rows that, set very negative, make c independent of the old c."""
    import torch
    from torch import nn

    for _gate, (a, b) in _gate_rows(H).items():
        cell = nn.LSTMCell(10, H)
        with torch.no_grad():
            cell.bias_ih[a:b] = -1e4
            x, h = torch.randn(2, 10), torch.randn(2, H)
            _, c_a = cell(x, (h, torch.randn(2, H)))
            _, c_b = cell(x, (h, torch.randn(2, H)))
        if torch.allclose(c_a, c_b):
            return a, b
    raise AssertionError("no block forgets")  # pragma: no cover


@_bank("04")
def _nb04() -> list[Exercise]:
    import torch
    from torch import nn

    H = 32

    def other_gates() -> list[Mistake]:
        words = {"i": "input gate", "g": "cell candidate (tanh)", "o": "output gate"}
        return [
            (slice(a, b), f"rows {a}:{b} are the {words[g]} {g}; the blocks are i, f, g, o")
            for g, (a, b) in _gate_rows(H).items()
            if g != "f"
        ]

    def describe_slice(rows: tuple[int, int]) -> str:
        return f"rows {rows[0]}:{rows[1]} are not one whole gate block; each has H = {H} rows"

    def lstm2() -> tuple[Any, int]:
        out, (_, c) = _run(nn.LSTM(10, 32, num_layers=2), torch.randn(7, 5, 10))
        return c.shape, out.shape[0]

    return [
        _ex(
            "04",
            1,
            "shape of weight_hh_l0",
            [
                Part(
                    "weight_hh_l0",
                    "shape",
                    lambda: nn.LSTM(10, 32).weight_hh_l0.shape,
                    lambda: [
                        ((32, 32), "four gate blocks are stacked: 4*H rows"),
                        ((128, 10), "weight_hh reads h (H columns); weight_ih reads x"),
                        ((32, 128), "weights are (rows, columns) = (4*H, H)"),
                    ],
                    dims=("4*H", "H"),
                )
            ],
            "Rows: one block of H per gate i, f, g, o. Columns: what it multiplies.",
            """
answer_1 = (128, 32)  # (4 * H, H)
print(tuple(nn.LSTM(10, 32).weight_hh_l0.shape))
""",
            "(4*H, H): the four gates' blocks stacked, each multiplying h of size H.",
        ),
        _ex(
            "04",
            2,
            "the rows of bias_ih_l0 that belong to the forget gate",
            [
                Part(
                    "rows",
                    "slice",
                    lambda: slice(*_forget_block(H)),
                    other_gates,
                    size=lambda: 4 * H,
                    describe=describe_slice,
                    form="slice(start, stop)",
                )
            ],
            "PyTorch stacks the blocks in the order i, f, g, o, H rows each.",
            """
answer_2 = slice(32, 64)  # rows H:2H (order i, f, g, o)
cell = nn.LSTMCell(10, 32)
with torch.no_grad():
    cell.bias_ih[answer_2] = -1e4  # forget gate shut
x, h = torch.randn(2, 10), torch.randn(2, 32)
_, c_a = cell(x, (h, torch.randn(2, 32)))
_, c_b = cell(x, (h, torch.randn(2, 32)))  # a different old cell state
print(torch.allclose(c_a, c_b))  # forgotten: the old c makes no difference
""",
            "the second block, rows H:2H: shut it and the new c no longer depends on the old c.",
        ),
        _ex(
            "04",
            3,
            "shape of c_n and the steps of output",
            [
                Part(
                    "c_n",
                    "shape",
                    lambda: lstm2()[0],
                    lambda: [
                        ((1, 5, 32), "one c per layer: (L*D, N, H)"),
                        ((5, 32), "a batched call keeps the batch axis: (L*D, N, H)"),
                    ],
                    dims=("L*D", "N", "H"),
                ),
                Part(
                    "T",
                    "int",
                    lambda: lstm2()[1],
                    lambda: [(2, "h_n's first axis counts layers, not steps")],
                    form="T",
                ),
            ],
            "c_n has the same shape as h_n; output has one row per input step.",
            """
answer_3 = ((2, 5, 32), 7)
out, (h_n, c_n) = nn.LSTM(10, 32, num_layers=2)(torch.randn(7, 5, 10))
print(tuple(c_n.shape), out.shape[0])
""",
            "c_n is (L*D, N, H) like h_n, and output has the input's T = 7 steps.",
        ),
        _ex(
            "04",
            4,
            "parameters of nn.LSTM(10, 32)",
            [
                Part(
                    "count",
                    "int",
                    lambda: _count(nn.LSTM(10, 32)),
                    lambda: [
                        (4 * 32 * (10 + 32), "you left out the biases: 2 vectors of 4*H"),
                        (32 * (10 + 32) + 2 * 32, "an LSTM has 4 gate blocks: 4*H rows"),
                        (4 * 32 * (10 + 32) + 4 * 32, "two bias vectors, bias_ih and bias_hh"),
                    ],
                    form="a whole number",
                )
            ],
            "4*H*(H_in + H) weights and 2*4*H biases.",
            """
answer_4 = 4 * 32 * (10 + 32) + 2 * 4 * 32  # 5632
print(sum(p.numel() for p in nn.LSTM(10, 32).parameters()))
""",
            "G*H*(H_in + H) + 2*G*H with G = 4 gate blocks: 5,632.",
        ),
    ]


@_bank("05")
def _nb05() -> list[Exercise]:
    import torch
    from torch import nn

    from .recurrence import first_layers

    L, D, H, N, T = 3, 2, 64, 5, 7

    def run() -> tuple[Any, Any, Any, Any]:
        ex = nn.LSTM(50, 64, num_layers=3, bidirectional=True)
        x = torch.randn(7, 5, 50)
        out, (h, _) = _run(ex, x)
        return ex, x, out, h

    def layer1_backward() -> int:
        ex, x, _, h = run()
        _, (h_low, _) = _run(first_layers(ex, 2), x)  # layers 0, 1: h_low[-1] is layer 1 bwd
        return next(k for k in range(L * D) if torch.allclose(h[k], h_low[-1], atol=1e-6))

    def step() -> int:
        _, _, out, h = run()
        return next(t for t in range(T) if out[t][:, H:].equal(h[-1]))

    return [
        _ex(
            "05",
            1,
            "shapes of output and h_n",
            [
                Part(
                    "output",
                    "shape",
                    lambda: run()[2].shape,
                    lambda: [((T, N, H), "output concatenates both directions: D*H features")],
                    dims=("T", "N", "D*H"),
                ),
                Part(
                    "h_n",
                    "shape",
                    lambda: run()[3].shape,
                    lambda: [
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                        ((L * D, N, D * H), STATES_PER_DIRECTION),
                        ((D, N, H), "h_n has a row for every layer, not only the top one"),
                    ],
                    dims=("L*D", "N", "H"),
                ),
            ],
            "output: (T, N, D*H); h_n: (L*D, N, H).",
            """
answer_1 = ((7, 5, 128), (6, 5, 64))  # (T, N, D*H), (L*D, N, H)
""",
            "output stacks both directions' features; h_n stacks one row per layer and direction.",
        ),
        _ex(
            "05",
            2,
            "the row of h_n that is layer 1's backward direction",
            [
                Part(
                    "row",
                    "index",
                    layer1_backward,
                    lambda: [(2, _row(2, L, D) + "; the backward one comes right after it")],
                    size=lambda: L * D,
                    describe=_row_feedback(L, D),
                    form="an index into h_n",
                )
            ],
            "Rows are ordered layer * D + direction, with direction 0 forward, 1 backward.",
            """
answer_2 = 3  # layer * D + direction = 1 * 2 + 1
""",
            "row = layer * D + direction = 1 * 2 + 1 = 3.",
        ),
        _ex(
            "05",
            3,
            "the step where the backward half of output equals h_n[-1]",
            [
                Part(
                    "t",
                    "index",
                    step,
                    lambda: [
                        (
                            T - 1,
                            "at the last step the backward direction has read one step only; "
                            "it finishes at t = 0",
                        )
                    ],
                    size=lambda: T,
                    describe=lambda t: f"output[{t}] is step {t}; where does the backward run end?",
                    form="a step t",
                )
            ],
            "The backward direction reads the sequence from t = T-1 down to t = 0.",
            """
answer_3 = 0  # the backward direction ends at the first step
""",
            "the backward direction runs from T-1 down to 0, so its final state is at t = 0.",
        ),
        _ex(
            "05",
            4,
            "shape of weight_ih_l2",
            [
                Part(
                    "weight_ih_l2",
                    "shape",
                    lambda: run()[0].weight_ih_l2.shape,
                    lambda: [
                        ((4 * H, 50), "only layer 0 reads the input; layer 2 reads layer 1"),
                        ((4 * H, H), "layer 2 reads both directions of layer 1: D*H features"),
                        ((H, D * H), "four gate blocks are stacked: 4*H rows"),
                    ],
                    dims=("4*H", "D*H"),
                )
            ],
            "Layer 2 reads layer 1's output, which holds both directions.",
            """
answer_4 = (4 * 64, 2 * 64)  # (4H, D*H): layer 2 reads both directions of layer 1
""",
            "(4*H, D*H): four gate blocks, reading both directions of the layer below.",
        ),
    ]


@_bank("06")
def _nb06() -> list[Exercise]:
    import torch
    from torch import nn

    N, T, L, D, H = 5, 9, 2, 2, 32

    def run() -> tuple[Any, Any]:
        m = nn.LSTM(16, 32, num_layers=2, bidirectional=True, batch_first=True)
        out, (_, c) = _run(m, torch.randn(5, 9, 16))
        return out.shape, c.shape

    def pick() -> str:
        out, h = _run(nn.RNN(8, 4, batch_first=True), torch.randn(6, 5, 8))
        choices = {"output[-1]": out[-1], "output[:, -1]": out[:, -1]}
        return next(k for k, v in choices.items() if v.shape == h[-1].shape and v.equal(h[-1]))

    def raises() -> bool:
        rnn = nn.RNN(8, 4, num_layers=3, batch_first=True)
        try:
            _run(rnn, torch.randn(3, 5, 8), torch.zeros(3, 3, 4))  # N = 3 = L*D
        except RuntimeError:
            return True
        return False

    return [
        _ex(
            "06",
            1,
            "shapes of output and c_n with batch_first",
            [
                Part(
                    "output",
                    "shape",
                    lambda: run()[0],
                    lambda: [
                        ((T, N, D * H), "batch_first=True makes output (N, T, D*H)"),
                        ((N, T, H), "output concatenates both directions: D*H"),
                    ],
                    dims=("N", "T", "D*H"),
                ),
                Part(
                    "c_n",
                    "shape",
                    lambda: run()[1],
                    lambda: [
                        ((N, L * D, H), BATCH_FIRST_STATES.replace("h_n", "c_n")),
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                ),
            ],
            "batch_first changes input and output only.",
            """
answer_1 = ((5, 9, 64), (4, 5, 32))  # (N, T, D*H) and (L*D, N, H)
""",
            "output is (N, T, D*H) with batch_first; c_n keeps (L*D, N, H).",
        ),
        _ex(
            "06",
            2,
            "the expression that equals h_n[-1] with batch_first",
            [
                Part(
                    "expression",
                    "choice",
                    pick,
                    lambda: [
                        (
                            "output[-1]",
                            "with batch_first axis 0 is the batch: output[-1] is the last "
                            "sequence, all its steps",
                        )
                    ],
                    choices=("output[-1]", "output[:, -1]"),
                    form='"output[-1]" or "output[:, -1]"',
                )
            ],
            "In (N, T, H), which index picks the last step of every sequence?",
            """
answer_2 = "output[:, -1]"  # (N, T, H): the last step is on axis 1
""",
            "the last step is output[:, -1] when the batch comes first.",
        ),
        _ex(
            "06",
            3,
            "does an h_0 laid out (N, L*D, H) always raise?",
            [
                Part(
                    "answer",
                    "bool",
                    raises,
                    lambda: [
                        (
                            True,
                            "only when N != L*D; with N == L*D the shapes agree and the layer "
                            "runs silently with the wrong states",
                        )
                    ],
                    form="True or False",
                )
            ],
            "Try a batch of N = 3 with a 3-layer RNN: what shape does h_0 need?",
            """
answer_3 = False  # only when N != L*D; otherwise it silently runs with the wrong states
rnn = nn.RNN(8, 4, num_layers=3, batch_first=True)
rnn(torch.randn(3, 5, 8), torch.zeros(3, 3, 4))  # runs: N = 3 = L*D
""",
            "when N equals L*D the wrong layout has the right shape, and nothing complains.",
        ),
    ]


@_bank("07")
def _nb07() -> list[Exercise]:
    import torch
    from torch import nn

    from .cells import cells_from_module

    def cells() -> tuple[int, int]:
        stack = cells_from_module(nn.LSTM(10, 16, num_layers=3, bidirectional=True))
        return sum(len(layer) for layer in stack.layers), stack.layers[2][0].input_size

    def row() -> int:
        out, h = _run(nn.GRU(3, 4, num_layers=2, bidirectional=True), torch.randn(5, 2, 3))
        return next(k for k in range(4) if torch.allclose(h[k], out[0, :, 4:], atol=1e-6))

    def needs_batch() -> bool:
        try:
            nn.RNNCell(3, 4)(torch.randn(3))
        except (RuntimeError, ValueError):
            return True
        return False

    return [
        _ex(
            "07",
            1,
            "what a GRUCell returns",
            [
                Part(
                    "h",
                    "shape",
                    lambda: nn.GRUCell(5, 7)(torch.randn(3, 5), torch.zeros(3, 7)).shape,
                    lambda: [
                        ((1, 3, 7), "a cell returns h itself: no layers-and-directions axis"),
                        ((3, 21), "the 3 gate blocks stay inside; the cell returns h, (N, H)"),
                    ],
                    dims=("N", "H"),
                )
            ],
            "A cell does one step and returns the new h.",
            """
answer_1 = (3, 7)  # (N, H)
""",
            "one step: the new h, (N, H).",
        ),
        _ex(
            "07",
            2,
            "cells in a 3-layer bidirectional LSTM, and layer 2's input_size",
            [
                Part(
                    "cells",
                    "int",
                    lambda: cells()[0],
                    lambda: [(3, "one cell per layer AND direction")],
                    form="cells",
                ),
                Part(
                    "input_size",
                    "int",
                    lambda: cells()[1],
                    lambda: [
                        (16, "layer 2 reads both directions of layer 1: 2 * 16"),
                        (10, "only layer 0 reads the input"),
                    ],
                    form="input_size",
                ),
            ],
            "Count layers times directions; a layer above 0 reads [forward h, backward h].",
            """
answer_2 = (6, 32)  # 3 layers x 2 directions; layer 2 reads [forward h, backward h] = 2 * 16
""",
            "L*D = 6 cells; above layer 0 each cell reads D*H = 32 features.",
        ),
        _ex(
            "07",
            3,
            "the row of h_n that is layer 1's backward cell",
            [
                Part(
                    "row",
                    "index",
                    row,
                    lambda: [(2, _row(2, 2, 2) + "; the backward one comes right after it")],
                    size=lambda: 4,
                    describe=_row_feedback(2, 2),
                    form="an index into h_n",
                )
            ],
            "Rows are ordered layers first, then directions: layer * D + direction.",
            """
answer_3 = 3  # k * D + d = 1 * 2 + 1
""",
            "row = layer * D + direction = 1 * 2 + 1 = 3.",
        ),
        _ex(
            "07",
            4,
            "does a cell need a batch axis?",
            [
                Part(
                    "answer",
                    "bool",
                    needs_batch,
                    lambda: [
                        (True, "torch accepts an unbatched x_t of shape (H_in,) and returns (H,)")
                    ],
                    form="True or False",
                )
            ],
            "Call nn.RNNCell(3, 4) on torch.randn(3) and see.",
            """
answer_4 = False
print(tuple(nn.RNNCell(3, 4)(torch.randn(3)).shape))  # (4,): unbatched works
""",
            "cells accept an unbatched step (H_in,) and return h of shape (H,).",
        ),
    ]


@_bank("08")
def _nb08() -> list[Exercise]:
    import torch
    from torch import nn

    H = 7

    def gate() -> str:
        lstm = nn.LSTM(5, H)
        with torch.no_grad():
            lstm.bias_ih_l0[H : 2 * H] = -1e4
        x, h0 = torch.randn(4, 3, 5), torch.zeros(1, 3, H)
        _, (h_a, c_a) = _run(lstm, x, (h0, torch.zeros(1, 3, H)))
        _, (_, c_b) = _run(lstm, x, (h0, torch.randn(1, 3, H)))
        shut = {
            "i": bool((c_a == 0).all()),
            "f": torch.equal(c_a, c_b),
            "o": bool((h_a == 0).all()),
        }
        (name,) = (g for g, s in shut.items() if s)
        return name

    def gate_mistakes() -> list[Mistake]:
        rows = _gate_rows(H)
        return [
            ("i", "i is the first block, rows {}-{}".format(rows["i"][0], rows["i"][1] - 1)),
            ("o", "o is the last block, rows {}-{}".format(rows["o"][0], rows["o"][1] - 1)),
            ("g", "g is the tanh candidate, not a sigmoid gate"),
        ]

    def ratio() -> bool:
        lstm, gru = nn.LSTM(13, 29, num_layers=2), nn.GRU(13, 29, num_layers=2)
        return Fraction(_count(lstm), _count(gru)) == Fraction(4, 3)

    return [
        _ex(
            "08",
            1,
            "parameters of nn.GRU(8, 16)",
            [
                Part(
                    "count",
                    "int",
                    lambda: _count(nn.GRU(8, 16)),
                    lambda: [
                        (3 * 16 * (8 + 16), "you left out the biases: 2 vectors of 3*H"),
                        (_count(nn.LSTM(8, 16)), "that is the LSTM's count; a GRU has 3 blocks"),
                        (
                            _count(nn.RNN(8, 16)),
                            "that is the plain RNN's count; a GRU has 3 blocks",
                        ),
                    ],
                    form="a whole number",
                )
            ],
            "G*H*(H_in + H) + 2*G*H with G = 3 for a GRU (r, z, n).",
            """
answer_1 = 3 * 16 * (8 + 16) + 2 * 3 * 16  # G*H*(in + H) + 2*G*H = 1248
""",
            "three blocks r, z, n: 3*16*(8 + 16) + 2*3*16 = 1,248.",
        ),
        _ex(
            "08",
            2,
            "rows of weight_hh_l0 in nn.LSTM(5, 7), and the gate of rows 7 to 13",
            [
                Part(
                    "rows",
                    "int",
                    lambda: nn.LSTM(5, H).weight_hh_l0.shape[0],
                    lambda: [(H, "the four blocks i, f, g, o are stacked: 4*H rows")],
                    form="rows",
                ),
                Part(
                    "gate",
                    "choice",
                    gate,
                    gate_mistakes,
                    choices=("i", "f", "g", "o"),
                    form='"i", "f" or "o"',
                ),
            ],
            "Blocks of H = 7 rows in the order i, f, g, o.",
            """
answer_2 = (28, "f")  # 4 blocks of H = 7 rows: i (0-6), f (7-13), g (14-20), o (21-27)
""",
            "4*H = 28 rows; rows 7-13 are the second block, the forget gate f.",
        ),
        _ex(
            "08",
            3,
            "shape of c_n with proj_size",
            [
                Part(
                    "c_n",
                    "shape",
                    lambda: _run(nn.LSTM(10, 20, proj_size=5), torch.randn(4, 3, 10))[1][1].shape,
                    lambda: [((1, 3, 5), "only h is projected; c keeps hidden_size")],
                    dims=("L*D", "N", "H"),
                )
            ],
            "Which of h and c does weight_hr multiply?",
            """
answer_3 = (1, 3, 20)  # c keeps hidden_size; only h is projected
""",
            "the projection shrinks h (and output, h_n); c_n keeps hidden_size.",
        ),
        _ex(
            "08",
            4,
            "is an LSTM exactly 4/3 of a GRU?",
            [
                Part(
                    "answer",
                    "bool",
                    ratio,
                    lambda: [
                        (
                            False,
                            "every term of G*H*(in + H) + 2*G*H scales with G: 4 blocks against "
                            "3, exactly, as a Fraction shows",
                        )
                    ],
                    form="True or False",
                )
            ],
            "Write both counts with the formula: what differs between them?",
            """
from fractions import Fraction

answer_4 = True
lstm, gru = nn.LSTM(13, 29, num_layers=2), nn.GRU(13, 29, num_layers=2)
count = lambda m: sum(p.numel() for p in m.parameters())
print(Fraction(count(lstm), count(gru)))  # 4/3
""",
            "the count is G times the same sum, so LSTM / GRU = 4/3 exactly.",
        ),
    ]


@_bank("09")
def _nb09() -> list[Exercise]:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    def packed() -> Any:
        return pack_padded_sequence(torch.zeros(4, 3, 6), [4, 1, 3], enforce_sorted=False)

    def pick() -> str:
        lstm = nn.LSTM(3, 4)
        x = torch.randn(5, 3, 3)
        p = pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
        out_p, (h_n, _) = _run(lstm, p)
        output, _ = pad_packed_sequence(out_p)
        choices = {
            "output[-1, 2]": output[-1, 2],
            "output[2, 2]": output[2, 2],
            "output[3, 2]": output[3, 2],
        }
        return next(k for k, v in choices.items() if torch.allclose(v, h_n[-1, 2], atol=1e-6))

    def dropout_changes() -> bool:
        x = torch.randn(6, 2, 3)
        torch.manual_seed(5)
        with_dropout = nn.LSTM(3, 4, num_layers=2, dropout=0.5).eval()
        torch.manual_seed(5)
        without = nn.LSTM(3, 4, num_layers=2)  # the same seed: the same weights
        return not torch.equal(_run(with_dropout, x)[0], _run(without, x)[0])

    return [
        _ex(
            "09",
            1,
            "batch_sizes and sorted_indices for lengths [4, 1, 3]",
            [
                Part(
                    "batch_sizes",
                    "ints",
                    lambda: packed().batch_sizes.tolist(),
                    lambda: [
                        ([4, 1, 3], "those are the lengths; batch_sizes counts sequences per step"),
                        ([3, 3, 3, 3], "batch_sizes counts the sequences still running at step t"),
                    ],
                    form="batch_sizes",
                ),
                Part(
                    "sorted_indices",
                    "ints",
                    lambda: packed().sorted_indices.tolist(),
                    lambda: [
                        ([1, 2, 0], "sorted_indices lists original indices, longest first"),
                    ],
                    form="sorted_indices",
                ),
            ],
            "At step t, count the sequences longer than t; sort the indices by length, longest first.",
            """
answer_1 = ([3, 2, 2, 1], [0, 2, 1])
""",
            "3 sequences run at t=0, 2 at t=1 and t=2, 1 at t=3; by length: 0 (4), 2 (3), 1 (1).",
        ),
        _ex(
            "09",
            2,
            "shape of packed.data",
            [
                Part(
                    "data",
                    "shape",
                    lambda: packed().data.shape,
                    lambda: [
                        ((4, 3, 6), "packed data has no padding and no batch axis"),
                        ((12, 6), "one row per real step: sum(lengths), not T*N"),
                    ],
                    dims=("sum(lengths)", "H_in"),
                )
            ],
            "One row per real (not padded) step, H_in features each.",
            """
answer_2 = (8, 6)  # sum(lengths) rows
""",
            "sum(lengths) = 8 rows of H_in = 6 features.",
        ),
        _ex(
            "09",
            3,
            "sequence 2's real final output",
            [
                Part(
                    "expression",
                    "choice",
                    pick,
                    lambda: [
                        (
                            "output[-1, 2]",
                            "output[-1] is padding for a sequence shorter than T: zeros",
                        ),
                        ("output[3, 2]", "the last real step has index length - 1"),
                    ],
                    choices=("output[-1, 2]", "output[2, 2]", "output[3, 2]"),
                    form='"output[-1, 2]", "output[2, 2]" or "output[3, 2]"',
                )
            ],
            "Sequence 2 has length 3: which index is its last real step?",
            """
answer_3 = "output[2, 2]"  # lengths[2] - 1 = 2
""",
            "its last real step is lengths[2] - 1 = 2; later steps are padding.",
        ),
        _ex(
            "09",
            4,
            "does dropout=0.5 change the output in eval mode?",
            [
                Part(
                    "answer",
                    "bool",
                    dropout_changes,
                    lambda: [(True, "dropout acts in training mode only; eval() turns it off")],
                    form="True or False",
                )
            ],
            "What does .eval() switch off?",
            """
answer_4 = False  # dropout is active in training mode only
""",
            "in eval mode dropout is the identity: the outputs are equal.",
        ),
    ]


@_bank("10")
def _nb10() -> list[Exercise]:
    import torch
    from torch import nn

    L, D, N, H = 3, 2, 4, 16

    def run() -> tuple[Any, Any]:
        m = nn.GRU(8, 16, num_layers=3, bidirectional=True, batch_first=True)
        return _run(m, torch.randn(4, 9, 8))

    def row() -> int:
        out, h = run()
        return next(k for k in range(L * D) if torch.allclose(h[k], out[:, -1, :H], atol=1e-6))

    def features() -> int:
        out, _ = _run(nn.LSTM(5, 32, bidirectional=True), torch.randn(6, 2, 5))
        return out.shape[-1]

    def c_in_unit_interval() -> bool:
        _, (_, c) = _run(nn.LSTM(4, 8), 3 * torch.randn(20, 3, 4))
        return bool(((c > 0) & (c < 1)).all())

    return [
        _ex(
            "10",
            1,
            "shape of h_n of a batch-first bidirectional GRU",
            [
                Part(
                    "h_n",
                    "shape",
                    lambda: run()[1].shape,
                    lambda: [
                        ((N, L * D, H), BATCH_FIRST_STATES),
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                        ((L * D, N, D * H), STATES_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                )
            ],
            "batch_first touches input and output only.",
            """
answer_1 = (6, 4, 16)  # (L*D, N, H): batch_first does not touch it
""",
            "(L*D, N, H) = (6, 4, 16), whatever batch_first says.",
        ),
        _ex(
            "10",
            2,
            "the row of h_n that is the last layer's forward state",
            [
                Part(
                    "row",
                    "index",
                    row,
                    lambda: [
                        (-1, _row(L * D - 1, L, D) + ": it ends at t = 0, not at the last step"),
                    ],
                    size=lambda: L * D,
                    describe=_row_feedback(L, D),
                    form="an index into h_n",
                )
            ],
            "Rows: l0 fwd, l0 bwd, l1 fwd, l1 bwd, l2 fwd, l2 bwd.",
            """
answer_2 = 4  # (L-1) * D + 0, i.e. h_n[-2]
""",
            "the last layer's forward row is (L-1)*D = 4, i.e. h_n[-2].",
        ),
        _ex(
            "10",
            3,
            "in_features of a linear head on a bidirectional LSTM",
            [
                Part(
                    "in_features",
                    "int",
                    features,
                    lambda: [(32, "output concatenates both directions: D*H")],
                    form="a whole number",
                )
            ],
            "What is the last axis of output for D = 2?",
            """
answer_3 = 64  # D * H
""",
            "output's last axis is D*H = 64.",
        ),
        _ex(
            "10",
            4,
            "does c_n always lie between 0 and 1?",
            [
                Part(
                    "answer",
                    "bool",
                    c_in_unit_interval,
                    lambda: [
                        (
                            True,
                            "c is a sum, f*c + i*g, and g = tanh(...) is negative as often as "
                            "not: c is unbounded and signed, only the gates lie in (0, 1)",
                        )
                    ],
                    form="True or False",
                )
            ],
            "c_t = f * c_{t-1} + i * g: what is the range of g?",
            """
answer_4 = False
_, (_, c_n) = nn.LSTM(4, 8)(3 * torch.randn(20, 3, 4))
print(bool((c_n < 0).any()))  # True: c_n takes negative values
""",
            "c adds up i*g with g in (-1, 1), so it is signed and can grow beyond 1.",
        ),
    ]


@_bank("12")
def _nb12() -> list[Exercise]:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    from .cells import cells_from_module
    from .models import RowClassifier

    def lstm003() -> tuple[Any, Any]:
        out, (h, _) = _run(
            nn.LSTM(100, 20, num_layers=4, bidirectional=True), torch.rand(10, 3, 100)
        )
        return out.shape, h.shape

    def row_classifier() -> tuple[Any, Any]:
        m = RowClassifier(hidden_size=16, num_layers=3, bidirectional=True)
        seen: dict[str, Any] = {}
        hook = m.fc.register_forward_hook(lambda _m, args, _o: seen.update(fc=args[0].shape))
        try:
            _, (h, _) = _run(m.lstm, torch.zeros(5, 8, 8))  # 5 digit images (N, rows, cols)
            _run(m, torch.zeros(5, 8, 8))
        finally:
            hook.remove()
        return h.shape, seen["fc"]

    def packed() -> Any:
        x = torch.randn(3, 6, 4)
        return pack_padded_sequence(x, [6, 2, 5], batch_first=True, enforce_sorted=False)

    def trace_rows() -> int:
        from .tracing import trace_shapes

        stack3 = cells_from_module(nn.LSTM(4, 6, num_layers=3))
        return len(trace_shapes(stack3, torch.randn(4, 2, 4), expand=True).calls)

    return [
        _ex(
            "12",
            1,
            "post 003's layer: shapes of output and h_n",
            [
                Part(
                    "output",
                    "shape",
                    lambda: lstm003()[0],
                    lambda: [((10, 3, 20), "output concatenates both directions: D*H")],
                    dims=("T", "N", "D*H"),
                ),
                Part(
                    "h_n",
                    "shape",
                    lambda: lstm003()[1],
                    lambda: [
                        ((4, 3, 20), ONE_ROW_PER_DIRECTION),
                        ((8, 3, 40), STATES_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                ),
            ],
            "Write (T, N, D*H) and (L*D, N, H), then put in the numbers.",
            """
T, N, L, D, H = 10, 3, 4, 2, 20
answer_1 = ((T, N, D * H), (L * D, N, H))
""",
            "output (T, N, D*H) = (10, 3, 40); h_n (L*D, N, H) = (8, 3, 20).",
        ),
        _ex(
            "12",
            2,
            "RowClassifier: h_n and the input of fc",
            [
                Part(
                    "h_n",
                    "shape",
                    lambda: row_classifier()[0],
                    lambda: [
                        ((5, 6, 16), BATCH_FIRST_STATES),
                        ((3, 5, 16), ONE_ROW_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                ),
                Part(
                    "fc input",
                    "shape",
                    lambda: row_classifier()[1],
                    lambda: [
                        ((5, 16), "fc reads both directions' final states side by side: D*H"),
                        ((5, 8, 32), "fc reads the final states, not every step"),
                    ],
                    dims=("N", "D*H"),
                ),
            ],
            "The LSTM is batch-first; fc gets the top layer's two final states side by side.",
            """
L, D, N, H = 3, 2, 5, 16
answer_2 = ((L * D, N, H), (N, D * H))
""",
            "h_n (L*D, N, H) = (6, 5, 16); fc reads (N, D*H) = (5, 32).",
        ),
        _ex(
            "12",
            3,
            "rows and batch_sizes of a PackedSequence with lengths [6, 2, 5]",
            [
                Part(
                    "rows",
                    "int",
                    lambda: packed().data.shape[0],
                    lambda: [(18, "packed data holds real steps only: sum(lengths)")],
                    form="rows",
                ),
                Part(
                    "batch_sizes",
                    "ints",
                    lambda: packed().batch_sizes.tolist(),
                    lambda: [([6, 2, 5], "those are the lengths; count sequences per step")],
                    form="batch_sizes",
                ),
            ],
            "At step t, count the sequences longer than t.",
            """
lens = [6, 2, 5]
answer_3 = (sum(lens), [sum(n > s for n in lens) for s in range(max(lens))])  # 13, [3, 3, 2, 2, 2, 1]
""",
            "sum(lengths) = 13 rows; batch_sizes[t] counts the sequences longer than t.",
        ),
        _ex(
            "12",
            4,
            "rows of an expanded trace of a 3-layer stack over 4 steps",
            [
                Part(
                    "rows",
                    "int",
                    trace_rows,
                    lambda: [
                        (12, "the stack itself is a row too, before its cell calls"),
                        (1 + 3, "expand=True records every cell call: one per layer per step"),
                    ],
                    form="a whole number",
                )
            ],
            "One row for the stack, then one per cell call.",
            """
answer_4 = 1 + 3 * 4  # the stack, then one row per cell call
""",
            "1 row for the stack + 3 layers x 4 steps = 13.",
        ),
    ]


@_bank("15")
def _nb15() -> list[Exercise]:

    from .models import RowClassifier

    @functools.cache
    def digits() -> Any:
        from .data import digits_data

        return digits_data()

    def columns() -> tuple[bool, bool]:
        x = digits().x_val
        cols = x.transpose(1, 2)  # (N, columns, pixels per column)
        try:
            _run(RowClassifier(), cols)
            runs = True
        except (RuntimeError, ValueError):
            runs = False
        return tuple(cols.shape) == tuple(x.shape), runs

    H, H_in = 64, 8

    return [
        _ex(
            "15",
            1,
            "steps per image and numbers per step",
            [
                Part(
                    "(T, H_in)",
                    "shape",
                    lambda: digits().x_val.shape[1:],
                    lambda: [
                        (
                            (64, 1),
                            "each row is a step: 8 steps of 8 pixels (64 x 1 is another model)",
                        ),
                        ((1, 64), "the LSTM reads the image row by row: T = rows"),
                    ],
                    dims=("T = rows", "H_in = pixels per row"),
                    form="(T, H_in)",
                )
            ],
            "data.x_val is (N, T, H_in); an image has 8 rows of 8 pixels.",
            """
answer_1 = (8, 8)  # T = 8 rows, H_in = 8 pixels each
""",
            "8 steps (rows) of 8 numbers (pixels).",
        ),
        _ex(
            "15",
            2,
            "parameters of model.lstm",
            [
                Part(
                    "count",
                    "int",
                    lambda: _count(RowClassifier().lstm),
                    lambda: [
                        (4 * (H * H_in + H * H), "you left out the biases: two of H per block"),
                        (4 * (H * H_in + H * H + H), "each block has two biases, b_ih and b_hh"),
                        (3 * (H * H_in + H * H + 2 * H), "an LSTM has four blocks, not three"),
                    ],
                    form="a whole number",
                )
            ],
            "4 blocks x (H*H_in + H*H + 2*H) with H = 64, H_in = 8.",
            """
H, H_in = 64, 8
answer_2 = 4 * (H * H_in + H * H + 2 * H)  # 19,456
""",
            "4 x (64*8 + 64*64 + 2*64) = 19,456.",
        ),
        _ex(
            "15",
            3,
            "reading columns: same shape? does the model accept it?",
            [
                Part(
                    "same shape",
                    "bool",
                    lambda: columns()[0],
                    lambda: [(False, "an 8 x 8 image transposed is still (N, 8, 8)")],
                    form="same shape (True/False)",
                ),
                Part(
                    "runs",
                    "bool",
                    lambda: columns()[1],
                    lambda: [
                        (
                            False,
                            "the LSTM checks only the shape, which is unchanged: it runs, reading "
                            "a sequence it was not trained on",
                        )
                    ],
                    form="runs (True/False)",
                ),
            ],
            "columns = data.x_val.transpose(1, 2): compare shapes; what does the LSTM check?",
            """
answer_3 = (True, True)  # (N, 8, 8) either way: it runs, but reads other sequences
""",
            "the shape is unchanged, so it runs; the accuracy shows what it costs.",
        ),
    ]


@_bank("16")
def _nb16() -> list[Exercise]:
    @functools.cache
    def data() -> Any:
        from .data import co2_forecast_data

        return co2_forecast_data(window=24)

    def windows() -> int:
        return len(data().x_train)

    def windows_mistakes() -> list[Mistake]:
        d = data()
        S = d.split - 1  # training changes
        return [
            (S - 24 + 1, "S - T + 1 counts a last window with no target after it: S - T"),
            (S, "one window per change? each window needs T inputs and 1 more value as target"),
            (len(d.levels) - 1 - 24, "only the training part is cut into training windows"),
        ]

    def month() -> str:
        d = data()
        m = d.months.index("1991-12") - (d.split - 1)
        return d.months[d.split + m]

    return [
        _ex(
            "16",
            1,
            "training windows from 405 changes with window=24",
            [
                Part(
                    "windows",
                    "int",
                    windows,
                    windows_mistakes,
                    form="a whole number",
                )
            ],
            "A window needs T inputs and 1 more value as its target.",
            """
answer_1 = 405 - 24  # a series of S values gives S - T windows: 381
""",
            "S - T = 405 - 24 = 381: each window needs T inputs and one more value as target.",
        ),
        _ex(
            "16",
            2,
            "why the Scaler is fitted on the training changes only",
            [
                Part(
                    "reason",
                    "choice",
                    lambda: "a",
                    lambda: [
                        ("b", "speed is not the point: the scaler is fitted once, in microseconds"),
                        (
                            "c",
                            "noise is not the point: a forecast made at the split could not "
                            "know the test period's values at all",
                        ),
                    ],
                    choices=("a", "b", "c"),
                    form='"a", "b" or "c"',
                )
            ],
            "What could a forecast made at the split know?",
            """
answer_2 = "a"  # fitted on everything, the scaler would carry the test period's values
""",
            "a scaler fitted on all changes carries information from the future into the inputs.",
        ),
        _ex(
            "16",
            3,
            "the forecast month whose last input is the change into 1991-12",
            [
                Part(
                    "month",
                    "choice",
                    month,
                    lambda: [
                        ("1991-12", "the change into 1991-12 is an input; the target comes after"),
                        ("1992-02", "a window's last input is the change just before its target"),
                    ],
                    choices=("1991-11", "1991-12", "1992-01", "1992-02"),
                    form='a month "YYYY-MM"',
                )
            ],
            "Test window m's last input is the change into month split-1+m; it forecasts split+m.",
            """
answer_3 = "1992-01"  # the month right after the change it last reads
""",
            "the change into 1991-12 is the last input of the forecast of the month after it.",
        ),
    ]


@_bank("17")
def _nb17() -> list[Exercise]:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    from .data import PAD, pad_batch

    lens = [7, 3, 5]

    def batch() -> tuple[Any, Any]:
        return pad_batch([[2] * n for n in lens])

    def facts() -> tuple[Any, int, int]:
        ids, lengths = batch()
        p = pack_padded_sequence(ids, lengths, batch_first=True, enforce_sorted=False)
        return ids.shape, int((ids == PAD).sum()), p.data.shape[0]

    def equal_rows() -> list[int]:
        ids, lengths = batch()
        emb, lstm = nn.Embedding(10, 4), nn.LSTM(4, 5, batch_first=True)
        p = pack_padded_sequence(emb(ids), lengths, batch_first=True, enforce_sorted=False)
        out, (h, _) = _run(lstm, p)
        padded, _ = pad_packed_sequence(out, batch_first=True)
        return [i for i in range(3) if torch.equal(padded[i, -1], h[-1, i])]

    return [
        _ex(
            "17",
            1,
            "a padded batch of lengths [7, 3, 5]: shape, pads, packed rows",
            [
                Part(
                    "shape",
                    "shape",
                    lambda: facts()[0],
                    lambda: [((7, 3), "pad_batch is batch-first: (N, T)")],
                    dims=("N", "T"),
                ),
                Part(
                    "pads",
                    "int",
                    lambda: facts()[1],
                    lambda: [(15, "that is the number of real tokens: N*T - sum(lengths)")],
                    form="pads",
                ),
                Part(
                    "packed rows",
                    "int",
                    lambda: facts()[2],
                    lambda: [(21, "packing drops the padding: sum(lengths) rows")],
                    form="packed rows",
                ),
            ],
            "(N, T) with T = the longest length; pads = N*T - sum(lengths).",
            """
answer_1 = ((3, 7), 3 * 7 - 15, 15)  # (N, T); 21 - 15 pads; sum(lengths) packed rows
""",
            "(N, T) = (3, 7); 21 - 15 = 6 pads; 15 packed rows.",
        ),
        _ex(
            "17",
            2,
            "the texts for which output[:, -1] equals h_n[-1]",
            [
                Part(
                    "texts",
                    "set",
                    equal_rows,
                    lambda: [
                        (
                            [0, 1, 2],
                            "h_n holds each text's state at its own last step; output past a "
                            "text's length is padding (zeros)",
                        ),
                        ([], "the longest text (length 7 = T) does end at the last column"),
                    ],
                    form="a list of text indices",
                )
            ],
            "Which texts have a real token in the last column?",
            """
answer_2 = [0]  # only the longest (length 7 = T): the others' last column is padding
""",
            "only text 0 has length T; the others end earlier and their last column is padding.",
        ),
        _ex(
            "17",
            3,
            "why the vocabulary is built from the training texts only",
            [
                Part(
                    "reason",
                    "choice",
                    lambda: "a",
                    lambda: [
                        (
                            "b",
                            "memory is not the problem; what the vocabulary tells the test texts is",
                        ),
                        ("c", "padding does not depend on the vocabulary"),
                    ],
                    choices=("a", "b", "c"),
                    form='"a", "b" or "c"',
                )
            ],
            "Which words of the test texts would a vocabulary from all texts know?",
            """
answer_3 = "a"  # words never seen in training get ids whose embeddings are never trained
""",
            "a vocabulary from all texts gives untrained ids to unseen words and flatters the test.",
        ),
    ]
