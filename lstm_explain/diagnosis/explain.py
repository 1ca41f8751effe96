"""Explain an exception after the fact: the failing call on the traceback, or its constructor."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import types
from collections.abc import Iterator, Sequence
from typing import Any

from ..i18n import M_
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
            [
                Argument(
                    "total_length",
                    str(loc["total_length"]),
                    f">= {T}",
                    M_("the longest sequence"),
                )
            ],
            [
                Problem(
                    "total_length",
                    M_(">= {T} (the longest sequence)", T=T),
                    str(loc["total_length"]),
                    M_(
                        "total_length pads the output up to a fixed length; it cannot cut the "
                        "longest sequence ({T} steps)",
                        T=T,
                    ),
                    f"out, lengths = pad_packed_sequence(packed, total_length={T})  # or more",
                )
            ],
            torch_error=f"{type(exc).__name__}: {exc}",
        )
    return _explain_constructor(exc)


#: constructor arguments in torch's order of checks, with their defaults (RNNBase, RNN, cells)
_CTOR_ORDER = (
    "proj_size",  # RNN / GRU: checked first, before anything else
    "nonlinearity",
    "dropout",
    "bias",
    "batch_first",
    "input_size",
    "hidden_size",
    "num_layers",
    "bidirectional",
)
_DEFAULTS: dict[str, Any] = {
    "num_layers": 1,
    "nonlinearity": "tanh",
    "bias": True,
    "batch_first": False,
    "dropout": 0.0,
    "bidirectional": False,
    "proj_size": 0,
    "device": None,
    "dtype": None,
}
_BOOLS = ("bias", "batch_first", "bidirectional")
_RNN_POSITIONAL = ("input_size", "hidden_size", "num_layers", "nonlinearity", "bias",
                   "batch_first", "dropout", "bidirectional")  # fmt: skip
_POSITIONAL = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
               "bidirectional", "proj_size")  # fmt: skip


def _as_int(v: Any) -> int | None:
    """``v`` as the int it most likely means (``'10'`` -> 10, ``2.0`` -> 2), None if none."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        v = v.strip()
        try:
            return int(v)
        except ValueError:
            try:
                return round(float(v))
            except ValueError:
                return None
    if isinstance(v, float):
        return round(v) if v == v and abs(v) != float("inf") else None
    try:
        return int(v)  # numpy or 0-D tensor integers
    except (TypeError, ValueError):
        return None


def _as_bool(v: Any) -> bool:
    if isinstance(v, str):
        return v.strip().lower() in ("true", "1", "yes", "y", "on")
    try:
        return bool(v)
    except Exception:  # pragma: no cover - an object without truth value
        return True


def _as_dropout(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        return 0.2 if v else 0.0
    try:
        d = float(v)
    except (TypeError, ValueError):
        return 0.2
    if 0 <= d <= 1:
        return d
    if 1 < d <= 100 and d == int(d):
        return d / 100  # a percentage
    return 0.2


def _ctor_given(loc: dict[str, Any], cls: str) -> dict[str, Any]:
    """The constructor's arguments as the user passed them, from a frame of torch's __init__."""
    if "input_size" in loc:  # RNNBase.__init__ / RNNCellBase.__init__: named locals
        names = (*_DEFAULTS, "input_size", "hidden_size")
        given = {k: loc[k] for k in names if k in loc}
        if cls.endswith("Cell"):
            for k in ("num_layers", "batch_first", "dropout", "bidirectional", "proj_size"):
                given.pop(k, None)
        elif cls != "LSTM":  # RNN / GRU refuse a proj_size before RNNBase.__init__ runs
            given.pop("proj_size", None)
        self = loc.get("self")
        if cls == "RNN" and self is not None and "nonlinearity" in vars(self):
            given["nonlinearity"] = vars(self)["nonlinearity"]
        return given
    args, kw = tuple(loc.get("args") or ()), dict(loc.get("kwargs") or {})
    self = loc.get("self")
    sliced = self is not None and "nonlinearity" in vars(self)  # RNN.__init__ took it out
    order = _RNN_POSITIONAL if cls == "RNN" and not sliced else _POSITIONAL
    given = dict(zip(order, args, strict=False))
    given.update(kw)
    if sliced:
        given["nonlinearity"] = vars(self)["nonlinearity"]
    return given


def _ctor_check(cls: str, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple]]:
    """The corrected arguments, and ``{argument: (expected, cause)}`` for each wrong one."""
    cell = cls.endswith("Cell")
    fixed = dict(given)
    wrong: dict[str, tuple[str, str]] = {}

    def kind(v: Any) -> str:
        if isinstance(v, str):
            return M_("{v!r} is a string (read from a config file or the command line?)", v=v)
        if isinstance(v, float):
            return M_("{v!r} is a float (a division with / gives a float; // gives an int)", v=v)
        name = type(v).__name__
        if name[0] in "aeiou":
            return M_("{v!r} is an {name}", v=v, name=name)
        return M_("{v!r} is a {name}", v=v, name=name)

    for k in ("input_size", "hidden_size", "num_layers"):
        if k not in given:
            continue
        v = given[k]
        n = _as_int(v)
        if isinstance(v, int) and v > 0:
            continue
        if cell and isinstance(v, int) and not isinstance(v, bool) and v == 0:
            continue  # a cell accepts a size of 0
        if isinstance(v, int) and not isinstance(v, bool):
            fixed[k] = abs(v) if v < 0 else 1
            wrong[k] = (">= 1", M_("sizes and layer counts are positive integers"))
        else:
            fixed[k] = n if n is not None and n > 0 else (abs(n) if n else 1)
            wrong[k] = (M_("type int"), M_("{k} must be an int: {kind}", k=k, kind=kind(v)))
    hs = fixed.get("hidden_size")
    if "proj_size" in given and (cls != "LSTM" or given["proj_size"] != 0):
        v = given["proj_size"]
        if cls != "LSTM":
            del fixed["proj_size"]
            wrong["proj_size"] = (
                M_("only for nn.LSTM"),
                M_("only nn.LSTM has a projection (weight_hr_l*); RNN and GRU do not"),
            )
        elif isinstance(v, bool) or not isinstance(v, int):
            n = _as_int(v)
            fixed["proj_size"] = n if n is not None and 0 <= n < (hs or 1) else 0
            wrong["proj_size"] = (
                M_("type int"),
                M_("{k} must be an int: {kind}", k="proj_size", kind=kind(v)),
            )
        elif v < 0:
            fixed["proj_size"] = 0
            wrong["proj_size"] = (
                M_("an integer >= 0"),
                M_("proj_size is a number of features; 0 means no projection"),
            )
        elif isinstance(hs, int) and v >= hs:
            fixed["proj_size"] = hs // 2 if hs > 1 else 0
            wrong["proj_size"] = (
                f"< hidden_size={hs}",
                M_("proj_size projects h down from hidden_size to fewer features; 0 turns it off"),
            )
    if "nonlinearity" in given and given["nonlinearity"] not in ("tanh", "relu"):
        v = given["nonlinearity"]
        low = v.strip().lower() if isinstance(v, str) else ""
        fixed["nonlinearity"] = low if low in ("tanh", "relu") else "tanh"
        wrong["nonlinearity"] = (
            "'tanh' or 'relu'",
            M_("nn.{cls} applies tanh or relu; LSTM and GRU have fixed activations", cls=cls),
        )
    if "dropout" in given:
        v = given["dropout"]
        number = isinstance(v, (int, float)) and not isinstance(v, bool)
        if not (number and 0 <= v <= 1):
            fixed["dropout"] = _as_dropout(v)
            cause = M_("dropout is the probability of zeroing an element between layers")
            if not number:
                cause += M_(
                    ": {kind_v}",
                    kind_v=kind(v),
                )
            elif 1 < v <= 100 and v == int(v):
                cause += M_(
                    "; {v!r} looks like a percentage",
                    v=v,
                )
            wrong["dropout"] = (M_("a float in [0, 1)"), cause)
    for k in _BOOLS:
        if k in given and not isinstance(given[k], bool) and not (cell and k == "bias"):
            v = given[k]
            fixed[k] = _as_bool(v)
            if k == "bidirectional":  # torch accepts any truth value here: fixed, not blamed
                continue
            wrong[k] = (M_("type bool"), M_("{k} must be True or False: {kind}", k=k, kind=kind(v)))
    return fixed, wrong


def _ctor_value(k: str, v: Any) -> str:
    if k == "dtype" and v is not None:
        return "torch." + str(v).removeprefix("torch.")
    if k == "device" and v is not None:
        return repr(str(v))
    return repr(v)


def _ctor_code(cls: str, args: dict[str, Any], show: set[str]) -> str:
    """``nn.LSTM(10, 20, batch_first=True)``: sizes positional unless shown by name."""
    parts = []
    keyword = False
    for k in ("input_size", "hidden_size"):
        if k not in args:
            continue
        keyword = keyword or k in show
        parts.append(f"{k}={_ctor_value(k, args[k])}" if keyword else _ctor_value(k, args[k]))
    for k in _DEFAULTS:
        if k in args and (k in show or args[k] != _DEFAULTS[k]):
            parts.append(f"{k}={_ctor_value(k, args[k])}")
    return f"nn.{cls}({', '.join(parts)})"


def _explain_constructor(exc: BaseException) -> Diagnosis | None:
    """Bad constructor arguments of nn.RNN / nn.LSTM / nn.GRU / *Cell, from the frame's locals.

    Every argument is checked as torch would (and as ``torch.empty`` needs it for a cell); the fix
    is the whole constructor call with each wrong argument corrected (``'10'`` -> ``10``, ``1`` ->
    ``True`` for a bool, a negative size -> its absolute value), so it runs as written.
    """
    from torch import nn

    funcs = (
        nn.RNNBase.__init__,
        nn.RNN.__init__,
        nn.GRU.__init__,
        nn.LSTM.__init__,
        nn.RNNCellBase.__init__,
    )
    loc = None
    for func in funcs:
        loc = _frame_locals(exc, func)
        if loc is not None:
            break
    if loc is None:
        return None
    self = loc.get("self")
    cls = "LSTM"
    for base in (nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell):
        if isinstance(self, base):
            cls = base.__name__
    given = _ctor_given(loc, cls)
    if cls == "RNNCell":
        outer = _frame_locals(exc, nn.RNNCell.__init__)
        if outer is not None and "nonlinearity" in outer:
            given["nonlinearity"] = outer["nonlinearity"]
    fixed, wrong = _ctor_check(cls, given)
    if not wrong:
        return None
    msg = str(exc)
    named = None
    for pattern, arg in (
        (r"dropout should be a number", "dropout"),
        (r"proj_size", "proj_size"),
        (r"nonlinearity", "nonlinearity"),
        (r"^(\w+) must be greater than zero", None),
        (r"^(\w+) should be of type", None),
    ):
        m = re.search(pattern, msg)
        if m:
            named = arg or m.group(1)
            break
    order = [k for k in _CTOR_ORDER if k in wrong]
    arg = named if named in wrong else order[0]
    expected, cause = wrong[arg]
    others = [k for k in order if k != arg]
    if others:
        items = [M_("{k} ({expected})", k=k, expected=wrong[k][0]) for k in others]
        also = items[0]
        for more in items[1:]:
            also = M_("{first}, {then}", first=also, then=more)
        cause = M_("{cause}; also {others}", cause=cause, others=also)
    fix = _ctor_code(cls, fixed, set(wrong))
    if "proj_size" in wrong and cls != "LSTM":
        lstm = _ctor_code("LSTM", {**fixed, "proj_size": given["proj_size"]}, set())
        fix += f"  # drop proj_size, or use {lstm}"
    actual = repr(given.get(arg))
    return Diagnosis(
        _ctor_code(cls, given, set()),
        [Argument(arg, actual, expected, cause)],
        [Problem(arg, expected, actual, cause, fix)],
        torch_error=f"{type(exc).__name__}: {exc}",
    )


def _with_explanation(exc: BaseException, d: Diagnosis) -> BaseException:
    # torch's message comes first; the explanation does not repeat it as "torch says: ..."
    text = f"{exc}\n\n{dataclasses.replace(d, torch_error=None)}"
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
