"""Helpers shared by the checks: describing values, collecting findings, dtype/device checks."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..i18n import M_
from ..shapes import fmt_shape
from .results import Argument, Problem

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn

Shape = tuple[int, ...]


# --- small helpers ---------------------------------------------------------------------------


def _is_tensor(v: Any) -> bool:
    import torch

    return isinstance(v, torch.Tensor)


def _is_packed(v: Any) -> bool:
    from torch.nn.utils.rnn import PackedSequence

    return isinstance(v, PackedSequence)


def _describe(v: Any) -> str:
    """A value as the table shows it: a shape, ``tuple of 2: ...``, ``None``."""
    if v is None:
        return "None"
    if _is_packed(v):
        bs = v.batch_sizes.tolist()
        if len(bs) <= 6:
            return f"PackedSequence(data {fmt_shape(v.data.shape)}, batch_sizes {bs})"
        return M_(
            "PackedSequence(data {data}, batch_sizes [{first}, {second}, ..., {last}] "
            "({steps} steps))",
            data=fmt_shape(v.data.shape),
            first=bs[0],
            second=bs[1],
            last=bs[-1],
            steps=len(bs),
        )
    if _is_tensor(v):
        return fmt_shape(v.shape) if v.dim() else M_("0-D tensor")
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_describe(t) for t in v)
        return M_("{kind} of {n}: {inner}", kind=type(v).__name__, n=len(v), inner=inner)
    return type(v).__name__


def _var(module: nn.Module) -> str:
    """The variable name the fixes use for the module: rnn, lstm, gru or cell."""
    from torch import nn

    if isinstance(module, nn.RNNCellBase):
        return "cell"
    return {"LSTM": "lstm", "GRU": "gru"}.get(module.mode, "rnn")


def _weight(module: nn.Module) -> Tensor:
    return next(module.parameters())


def _zeros_code(shape: Shape) -> str:
    """``torch.zeros(4, 3, 20, dtype=x.dtype, device=x.device)``."""
    dims = ", ".join(str(int(s)) for s in shape)
    return f"torch.zeros({dims}, dtype=x.dtype, device=x.device)"


class _Found:
    """Collects the arguments, problems and notes of one diagnosis."""

    def __init__(self) -> None:
        self.arguments: list[Argument] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def arg(self, name: str, actual: str, expected: str, why: str) -> None:
        self.arguments.append(Argument(name, actual, expected, why))

    def problem(self, tensor: str, expected: str, actual: str, cause: str, fix: str, kind="error"):
        self.problems.append(Problem(tensor, expected, actual, cause, fix, kind))


# --- common tensor checks ----------------------------------------------------------------------


def _check_dtype_device(found: _Found, name: str, t: Tensor, module: nn.Module, var: str) -> None:
    """dtype and device of one tensor against the module's weights."""
    w = _weight(module)
    if t.dtype != w.dtype:
        if not (t.is_floating_point() or t.is_complex()):
            cause = M_(
                "{name} holds integers ({t_dtype}); a recurrent layer multiplies by "
                "float weights. If these are token ids, embed them first: "
                "nn.Embedding(vocab_size, input_size) turns (T, N) ids into (T, N, H_in) "
                "vectors; if they are real values, convert them",
                name=name,
                t_dtype=t.dtype,
            )
            fix = _ids_fix(t, module, var, str(w.dtype))
        elif name == "input":
            cause = M_(
                "input is {t_dtype} but the module's weights are {w_dtype}; torch does "
                "not mix dtypes inside a recurrent layer",
                t_dtype=t.dtype,
                w_dtype=w.dtype,
            )
            fix = f"{var} = {var}.to({w.dtype})  # or convert the model: module.to({t.dtype})"
        else:
            cause = M_(
                "{name} is {t_dtype} but the input and weights are {w_dtype}",
                name=name,
                t_dtype=t.dtype,
                w_dtype=w.dtype,
            )
            fix = f"{var} = {var}.to({w.dtype})"
        found.problem(name, f"dtype {w.dtype}", f"dtype {t.dtype}", cause, fix)
    if t.device != w.device:
        found.problem(
            name,
            f"device {w.device}",
            f"device {t.device}",
            M_(
                "{name} is on {t_device} but the module's weights are on {w_device}; "
                "every tensor of the call must be on the module's device",
                name=name,
                t_device=t.device,
                w_device=w.device,
            ),
            f"{var} = {var}.to(next(module.parameters()).device)",
        )


def _looks_like_ids(t: Any, module: nn.Module) -> bool:
    """An integer tensor one axis short of the module's input: token ids, to embed first
    ((T, N) or (T,) for a layer, (N,) for a cell)."""
    from torch import nn

    if not _is_tensor(t) or t.is_floating_point() or t.is_complex():
        return False
    top = 1 if isinstance(module, nn.RNNCellBase) else 2
    if t.dim() > top or (t.dim() == 0 and top == 2):
        return False
    return not (t.dim() == top and t.size(-1) == module.input_size)


def _ids_fix(t: Tensor, module: nn.Module, var: str, dtype: str) -> str:
    """Integers given where vectors are expected: embed them if they are ids, else convert."""

    H_in = module.input_size
    ids_shape = _looks_like_ids(t, module)
    convert = f"{var} = {var}.to({dtype})"
    embed = (
        f"embedding = nn.Embedding(int({var}.max()) + 1, {H_in})  # vocab_size, input_size\n"
        f"{var} = embedding({var})  # ids -> vectors"
    )
    if ids_shape:
        return f"{embed}\n# or, if these are values, not ids: {convert}"
    return f"{convert}  # values stored as integers\n# or, if these are token ids: {var} = embedding({var})"


def _feature_fix(x: Tensor, want: int, var: str = "x") -> tuple[str, str] | None:
    """If the feature size sits on another axis, the cause and the fix that moves it last."""
    shape = list(x.shape)
    for k, s in enumerate(shape[:-1]):
        if s == want:
            return (
                M_(
                    "the {want} features sit on axis {k}, not on the last axis (as after a "
                    "Conv1d, whose output is (N, C, T)); a recurrent layer reads features from "
                    "the last axis",
                    want=want,
                    k=k,
                ),
                f"{var} = {var}.movedim({k}, -1)  # {fmt_shape(x.shape)} -> "
                f"{fmt_shape(tuple(shape[:k] + shape[k + 1 :] + [s]))}",
            )
    return None


# --- our own runs, torch's own messages ------------------------------------------------------

_local = threading.local()  # .suspended: explain_errors' hooks ignore the calls we make


@contextlib.contextmanager
def _suspended() -> Iterator[None]:
    """Our own test runs are not recorded by explain_errors' hooks."""
    prev = getattr(_local, "suspended", False)
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = prev


def _generic_problem(exc: BaseException, default: str) -> Problem:
    """A problem from torch's message alone, when no check recognised the call."""
    msg = str(exc)
    name = default
    m = re.search(r"hidden\[(\d)\]|hidden(\d)|hx\[(\d)\]", msg)
    if m:
        idx = next(g for g in m.groups() if g is not None)
        name = "h_0" if idx == "0" else "c_0"
    elif "input" in msg.lower():
        name = "input"
    shapes = re.findall(r"[\(\[][\d, ]+[\)\]]", msg)
    expected = shapes[0] if shapes else "-"
    actual = shapes[1] if len(shapes) > 1 else "-"
    return Problem(
        name,
        expected,
        actual,
        M_(
            "torch refused the call: {msg_splitlines_0}",
            msg_splitlines_0=msg.splitlines()[0],
        ),
        M_("compare each argument's shape with the 'expected' column above"),
    )
