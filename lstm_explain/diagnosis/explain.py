"""Explain an exception after the fact: the failing call on the traceback, or its constructor."""

from __future__ import annotations

import contextlib
import re
import types
from collections.abc import Iterator, Sequence
from typing import Any

from ._common import _generic_problem, _is_tensor, _local
from .packing import diagnose_pack
from .results import Argument, Diagnosis, Problem
from .runner import _diagnose

_EXPLAINED = (RuntimeError, ValueError, IndexError, TypeError, AttributeError)


def _tb_frames(exc: BaseException) -> list[types.FrameType]:
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _failed_call(
    exc: BaseException, recorded: list[tuple[Any, tuple]]
) -> tuple[Any, tuple, dict] | None:
    """The innermost recorded recurrent module whose call is on the traceback: module, args, kwargs."""
    import torch

    call_impl = torch.nn.Module._call_impl.__code__
    wrapped = torch.nn.Module._wrapped_call_impl.__code__
    frames = _tb_frames(exc)
    for module, args in reversed(recorded):
        for f in reversed(frames):
            if f.f_code in (call_impl, wrapped) and f.f_locals.get("self") is module:
                args = tuple(f.f_locals.get("args", args))
                return module, args, dict(f.f_locals.get("kwargs") or {})
    return None


def _frame_locals(exc: BaseException, func: Any) -> dict[str, Any] | None:
    code = getattr(func, "__code__", None)
    for f in reversed(_tb_frames(exc)):
        if f.f_code is code:
            return dict(f.f_locals)
    return None


def explain(exc: BaseException, recorded: Sequence[tuple[Any, tuple]] = ()) -> Diagnosis | None:
    """A Diagnosis for an exception raised by a recurrent layer, packing or a constructor.

    ``recorded`` lists ``(module, args)`` of recurrent calls seen by :func:`explain_errors`'
    hooks; without it the module is found from the traceback alone.
    """
    import torch
    from torch.nn.utils import rnn as rnn_utils

    calls = list(recorded)
    if not calls:  # find recurrent modules on the traceback
        for f in _tb_frames(exc):
            m = f.f_locals.get("self")
            if isinstance(m, (torch.nn.RNNBase, torch.nn.RNNCellBase)) and f.f_code is (
                torch.nn.Module._call_impl.__code__
            ):
                calls.append((m, tuple(f.f_locals.get("args", ()))))
    hit = _failed_call(exc, calls)
    if hit is not None:
        module, args, kwargs = hit
        x = args[0] if args else kwargs.get("input")
        hx = args[1] if len(args) > 1 else kwargs.get("hx")
        return _diagnose(module, x, hx, None, True, run=False, error=exc)
    loc = _frame_locals(exc, rnn_utils.pack_padded_sequence)
    if loc is not None:
        si = loc.get("sorted_indices")
        if _is_tensor(si) and _is_tensor(loc.get("lengths")):  # undo enforce_sorted=False's sort
            inv = torch.empty_like(si)
            inv[si] = torch.arange(len(si), device=si.device)
            loc["lengths"] = loc["lengths"][inv.cpu()]
            bdim = 0 if loc.get("batch_first") else 1
            loc["input"] = loc["input"].index_select(bdim, inv.to(loc["input"].device))
        d = diagnose_pack(
            loc["input"],
            loc["lengths"],
            batch_first=loc.get("batch_first", False),
            enforce_sorted=loc.get("enforce_sorted", True),
            run=False,
        )
        d.torch_error = f"{type(exc).__name__}: {exc}"
        if d.ok:
            d.problems.append(_generic_problem(exc, "lengths"))
        return d
    loc = _frame_locals(exc, rnn_utils.pad_packed_sequence)
    if loc is not None and "total_length" in str(exc):
        T = int(loc["sequence"].batch_sizes.size(0))
        return Diagnosis(
            "pad_packed_sequence(packed, total_length=...)",
            [Argument("total_length", str(loc["total_length"]), f">= {T}", "the longest sequence")],
            [
                Problem(
                    "total_length",
                    f">= {T} (the longest sequence)",
                    str(loc["total_length"]),
                    "total_length pads the output up to a fixed length; it cannot cut the "
                    f"longest sequence ({T} steps)",
                    f"out, lengths = pad_packed_sequence(packed, total_length={T})  # or more",
                )
            ],
            torch_error=f"{type(exc).__name__}: {exc}",
        )
    return _explain_constructor(exc)


def _explain_constructor(exc: BaseException) -> Diagnosis | None:
    """Bad constructor arguments of nn.RNN / nn.LSTM / nn.GRU / *Cell, from the frame's locals."""
    from torch import nn

    msg = str(exc)
    loc = None
    for func in (nn.RNNBase.__init__, nn.RNN.__init__, nn.GRU.__init__, nn.RNNCellBase.__init__):
        loc = _frame_locals(exc, func)
        if loc is not None:
            break
    if loc is None:
        return None
    kw = dict(loc.get("kwargs") or {})
    args = tuple(loc.get("args") or ())
    for i, k in enumerate(("input_size", "hidden_size", "num_layers")):
        if i < len(args):
            kw.setdefault(k, args[i])
    for k in ("input_size", "hidden_size", "num_layers", "dropout", "proj_size", "bias"):
        if k in loc:
            kw[k] = loc[k]
    cls = type(loc.get("self")).__name__ if "self" in loc else "LSTM"
    hs = kw.get("hidden_size")
    rules: list[tuple[str, str, str, str, str]] = [
        # (message regex, argument, expected, cause, fix)
        (
            r"dropout should be a number in range \[0, 1\]",
            "dropout",
            "a float in [0, 1)",
            "dropout is the probability of zeroing an element between layers",
            f"nn.{cls}(..., dropout=0.2)",
        ),
        (
            r"proj_size has to be smaller than hidden_size",
            "proj_size",
            f"< hidden_size={hs}",
            "proj_size projects h down from hidden_size to fewer features; 0 turns it off",
            f"nn.{cls}(..., hidden_size={hs}, proj_size={max(1, (hs or 2) // 2)})",
        ),
        (
            r"proj_size should be a positive integer or zero",
            "proj_size",
            "an integer >= 0",
            "proj_size is a number of features; 0 means no projection",
            f"nn.{cls}(..., proj_size=0)",
        ),
        (
            r"proj_size argument is only supported for LSTM",
            "proj_size",
            "only for nn.LSTM",
            "only nn.LSTM has a projection (weight_hr_l*); RNN and GRU do not",
            f"nn.{cls}(input_size, hidden_size)  # drop proj_size, or use nn.LSTM",
        ),
        (
            r"Unknown nonlinearity",
            "nonlinearity",
            "'tanh' or 'relu'",
            "nn.RNN applies tanh or relu; LSTM and GRU have fixed activations",
            "nn.RNN(input_size, hidden_size, nonlinearity='tanh')",
        ),
        (
            r"(input_size|hidden_size|num_layers) must be greater than zero",
            "",
            ">= 1",
            "sizes and layer counts are positive integers",
            "",
        ),
        (
            r"(\w+) should be of type (\w+), got: (\w+)",
            "",
            "",
            "",
            "",
        ),
    ]
    for pattern, arg, expected, cause, fix in rules:
        m = re.search(pattern, msg)
        if not m:
            continue
        if not arg:
            arg = m.group(1)
        if not expected:
            expected = f"type {m.group(2)}"
            cause = f"{arg} must be a {m.group(2)}"
        if not fix:
            good = "True" if arg == "bias" else "1"
            if arg in ("input_size", "hidden_size") and isinstance(kw.get(arg), float):
                good = str(int(kw[arg]))
            fix = f"nn.{cls}(..., {arg}={good})"
        actual = repr(kw.get(arg, loc.get(arg, loc.get("self") and getattr(loc["self"], arg, "?"))))
        return Diagnosis(
            f"nn.{cls}(...)",
            [Argument(arg, actual, expected, cause)],
            [Problem(arg, expected, actual, cause, fix)],
            torch_error=f"{type(exc).__name__}: {exc}",
        )
    return None


def _with_explanation(exc: BaseException, d: Diagnosis) -> BaseException:
    text = f"{exc}\n\n{d}"
    try:
        new = type(exc)(text)
    except Exception:
        new = RuntimeError(text)
    new.diagnosis = d  # type: ignore[attr-defined]
    return new


@contextlib.contextmanager
def explain_errors() -> Iterator[None]:
    """Re-raise a recurrent layer's shape/argument error with a plain-language explanation.

    Inside the block, global forward pre-hooks record each call of an ``nn.RNN`` / ``nn.LSTM`` /
    ``nn.GRU`` / cell (removed on exit). When torch raises, the failing call is diagnosed and a
    new exception of the same type is raised ``from`` the original: its message is torch's,
    then the explanation; ``err.diagnosis`` holds the :class:`Diagnosis`. Errors that are not
    about a recurrent layer, ``pack_padded_sequence`` or their constructors pass unchanged.
    """
    from torch import nn
    from torch.nn.modules.module import (
        register_module_forward_hook,
        register_module_forward_pre_hook,
    )

    recorded: list[tuple[Any, tuple]] = []

    def pre(module: nn.Module, args: tuple) -> None:
        if isinstance(module, (nn.RNNBase, nn.RNNCellBase)) and not getattr(
            _local, "suspended", False
        ):
            recorded.append((module, args))

    def post(module: nn.Module, args: tuple, output: Any) -> None:
        if recorded and recorded[-1][0] is module:
            recorded.pop()

    handles = [register_module_forward_pre_hook(pre), register_module_forward_hook(post)]
    try:
        yield
    except _EXPLAINED as exc:
        if hasattr(exc, "diagnosis"):
            raise
        try:
            d = explain(exc, recorded)
        except Exception:  # never hide torch's error behind a bug of ours
            d = None
        if d is None or d.ok:
            raise
        raise _with_explanation(exc, d) from exc
    finally:
        for h in handles:
            h.remove()
