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
import html
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..i18n import M_, _, tr

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
        out = [f"{icon} {self.key} {tr(self.message)}"]
        for label, status, text in self.parts:
            out.append(f"  {_STYLE[status][0]} {tr(label)}{': ' + tr(text) if text else ''}")
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
        _icon, fg, bg = _STYLE[self.status]
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
        parts = [tr(self.title), tr(self.text)] if self.text else [tr(self.title)]
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
        text = f"<div>{html.escape(tr(self.text))}</div>" if self.text else ""
        return (
            '<div style="border-left:4px solid #0d47a1;background:#e3f2fd;color:#0d47a1;'
            f'padding:4px 8px;font-family:sans-serif"><b>{html.escape(tr(self.title))}</b>'
            f"{text}{code}</div>"
        )


# --- answers and their parts -----------------------------------------------------------------


class _Unusable(Exception):
    """The answer has the wrong form; the message (a Message, ``args[0]``) says which form."""


def _join(sep: str, items: Sequence[str], before: str = "", after: str = "") -> str:
    """``before + sep.join(items) + after`` whose Message items still translate when shown."""
    keys = [f"p{i}" for i in range(len(items))]
    template = before + sep.join("{" + k + "}" for k in keys) + after
    return M_(template, **dict(zip(keys, items, strict=True)))


def _is_blank(value: Any) -> bool:
    return value is Ellipsis or value is None


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Unusable(M_("give a whole number, not True/False"))
    try:
        return operator.index(value)
    except TypeError:
        if hasattr(value, "item") and getattr(value, "numel", lambda: 0)() == 1:
            return _as_int(value.item())
        raise _Unusable(M_("give a whole number (got {kind})", kind=type(value).__name__)) from None


def _as_shape(value: Any) -> Shape:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _Unusable(M_("give a shape as a tuple of whole numbers, e.g. (2, 3, 4)"))
    try:
        return tuple(_as_int(v) for v in value)
    except _Unusable:
        raise _Unusable(M_("give a shape as a tuple of whole numbers, e.g. (2, 3, 4)")) from None


def _as_ints(value: Any) -> list[int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise _Unusable(M_("give a list of whole numbers, e.g. [0, 2]"))
    try:
        return [_as_int(v) for v in value]
    except _Unusable:
        raise _Unusable(M_("give a list of whole numbers, e.g. [0, 2]")) from None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise _Unusable(M_("give True or False"))


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
                raise _Unusable(
                    M_(
                        "an index into {n} rows is between {low} and {high}",
                        n=n,
                        low=-n,
                        high=n - 1,
                    )
                )
            return i % n if n else i
        if k == "ints":
            return _as_ints(answer)
        if k == "set":
            return sorted(set(_as_ints(answer)))
        if k == "bool":
            return _as_bool(answer)
        if k == "choice":
            if not isinstance(answer, str) or _squash(answer) not in map(_squash, self.choices):
                raise _Unusable(
                    M_("choose one of {choices}", choices=", ".join(f'"{c}"' for c in self.choices))
                )
            return _squash(answer)
        if k == "slice":
            if isinstance(answer, range):
                answer = slice(answer.start, answer.stop, answer.step)
            if not isinstance(answer, slice):
                raise _Unusable(M_("give a slice of rows, e.g. slice(0, 8)"))
            r = range(self.size())[answer]
            if r.step != 1 or not len(r):
                raise _Unusable(M_("give a slice of consecutive rows, e.g. slice(0, 8)"))
            return (r.start, r.stop)
        if k == "function":
            if not callable(answer):
                raise _Unusable(M_("give a function (def ...)"))
            return answer
        raise ValueError(f"unknown part kind {k!r}")

    def _call(self, fn: Callable[..., Any]) -> Any:
        with _seeded():
            return fn(*self.args())

    def judge(self, answer: Any) -> tuple[str, str]:
        """``(status, text)`` for this part's answer: correct, wrong (with feedback) or blank."""
        if _is_blank(answer):
            return "blank", M_("not answered yet")
        try:
            got = self.normalize(answer)
        except _Unusable as exc:
            return "wrong", exc.args[0]
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
            return "wrong", M_(
                "your function raised {kind}: {exc}", kind=type(exc).__name__, exc=exc
            )
        if got is None:
            return "blank", M_("not answered yet (the function returns None)")
        if not isinstance(got, torch.Tensor):
            return "wrong", M_("return a tensor (got {kind})", kind=type(got).__name__)
        if tuple(got.shape) != tuple(truth.shape):
            return "wrong", M_(
                "it returns shape {got}; one step is {want} (N, H)",
                got=tuple(got.shape),
                want=tuple(truth.shape),
            )
        if torch.allclose(got, truth, atol=self.atol):
            return "correct", ""
        for wrong, text in self.mistakes():
            other = self._call(wrong)
            if tuple(other.shape) == tuple(got.shape) and torch.allclose(got, other, atol=1e-6):
                return "wrong", text
        return "wrong", M_("right shape, other numbers than torch's first step")

    def _generic(self, got: Any, truth: Any) -> str:
        k = self.kind
        if k == "shape":
            dims = _join(", ", self.dims)
            if len(got) != len(truth):
                if dims:
                    return M_(
                        "{label} has {n} axes: {dims}", label=self.label, n=len(truth), dims=dims
                    )
                return M_("{label} has {n} axes", label=self.label, n=len(truth))
            if sorted(got) == sorted(truth):
                return M_("the right sizes in the wrong order; the axes are ({dims})", dims=dims)
            i = next(i for i, (a, b) in enumerate(zip(got, truth, strict=True)) if a != b)
            if self.dims:
                return M_("axis {i} ({dim}) is off", i=i, dim=self.dims[i])
            return M_("axis {i} is off", i=i)
        if k == "index" and self.describe:
            return self.describe(got)
        if k == "slice" and self.describe:
            return self.describe(got)
        if k == "int":
            if got > truth:
                return M_("{got} is more than torch counts", got=got)
            return M_("{got} is less than torch counts", got=got)
        if k == "bool":
            return M_("{got} is not what torch does", got=got)
        return M_("not what torch gives")


_FORMS = {
    "shape": M_("a shape tuple"),
    "int": M_("a whole number"),
    "index": M_("an index"),
    "ints": M_("a list of whole numbers"),
    "set": M_("a list of whole numbers"),
    "bool": M_("True or False"),
    "slice": "slice(start, stop)",
}


@contextlib.contextmanager
def _seeded(seed: int = 0) -> Iterator[None]:
    """Seed torch for a computation and restore the caller's RNG state (and threads) after."""
    import torch

    from ..shapes import one_thread, quiet_rnn_warnings

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
        return _join(", ", [p.form or p.label for p in self.parts], "(", ")")

    def __repr__(self) -> str:
        return f"<Exercise {self.key}: {tr(self.title)}; {self.name} = {tr(self.form)}>"

    def _blank_message(self) -> str:
        n = self.number
        if self.parts[0].kind == "function":
            return M_(
                "not answered yet: write the body of {name} and run the cell (q[{n}].hint() "
                "for a hint)",
                name=self.name,
                n=n,
            )
        return M_(
            "not answered yet: replace the ... in {name} with {form} and run the cell "
            "(q[{n}].hint() for a hint)",
            name=self.name,
            form=self.form,
            n=n,
        )

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
                return Feedback(self.key, "correct", M_("correct: {why}", why=self.why))
            return Feedback(self.key, "wrong", M_("not yet: {text}", text=text))
        if not isinstance(answer, (tuple, list)) or len(answer) != len(parts):
            return Feedback(
                self.key,
                "wrong",
                M_("not yet: give {n} values, {form}", n=len(parts), form=self.form),
            )
        judged = [(p.label, *p.judge(a)) for p, a in zip(parts, answer, strict=True)]
        statuses = {s for _, s, _ in judged}
        if statuses == {"correct"}:
            return Feedback(self.key, "correct", M_("correct: {why}", why=self.why))
        if statuses == {"blank"}:
            return Feedback(self.key, "blank", self._blank_message())
        if "wrong" in statuses:
            wrong = [label for label, s, _ in judged if s == "wrong"]
            if len(wrong) == 1:
                message = M_("not yet: {part} is off", part=wrong[0])
            else:
                parts = wrong[0]
                for more in wrong[1:]:
                    parts = M_("{first} and {then}", first=parts, then=more)
                message = M_("not yet: {parts} are off", parts=parts)
            return Feedback(self.key, "wrong", message, tuple(judged))
        return Feedback(self.key, "blank", M_("partly answered"), tuple(judged))

    def hint(self) -> Note:
        """A nudge toward the answer."""
        return Note(M_("Hint for {key}", key=self.key), self.hint_text)

    def solution(self) -> Note:
        """The worked answer, as code that runs, and why."""
        return Note(M_("Solution to {key}", key=self.key), self.why, self.solution_code)

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
        lines = [_("notebook {nb}: {n} exercises").format(nb=self.notebook, n=len(self))]
        lines += [f"  q[{e.number}] {tr(e.title)}: {e.name} = {tr(e.form)}" for e in self]
        return "\n".join(lines)


_BANKS: dict[str, Callable[[], list[Exercise]]] = {}


def _bank(notebook: str) -> Callable[[Callable[[], list[Exercise]]], Callable[[], list[Exercise]]]:
    def register(fn: Callable[[], list[Exercise]]) -> Callable[[], list[Exercise]]:
        _BANKS[notebook] = fn
        return fn

    return register


#: The modules that hold the banks (each registers its notebooks with ``@_bank``).
BANK_MODULES = ("course_01_04", "course_05_08", "course_09_12", "course_15_17")


def _load_banks() -> None:
    import importlib

    for name in BANK_MODULES:
        importlib.import_module(f"{__package__}.{name}")


def notebooks_with_exercises() -> list[str]:
    """The notebooks that have a bank: ``["01", "02", ...]``."""
    _load_banks()
    return sorted(_BANKS)


def notebook_exercises(notebook: str | int) -> ExerciseSet:
    """The exercises of one notebook, ``q[1]`` first.

    Args:
        notebook: ``"05"``, ``5`` or a notebook's file name (``"05_bidirectional_and_stacked"``).

    Raises:
        ValueError: no bank for that notebook.
    """
    _load_banks()
    key = f"{notebook:02d}" if isinstance(notebook, int) else str(notebook)[:2]
    if key not in _BANKS:
        raise ValueError(
            f"no exercises for notebook {notebook!r}; notebooks with exercises: "
            + ", ".join(notebooks_with_exercises())
        )
    return ExerciseSet(key, _BANKS[key]())
