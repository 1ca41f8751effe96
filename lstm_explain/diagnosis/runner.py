"""``diagnose(module, x, hx)``: run the checks of a layer or cell, then the call itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import RNNConfig
from ..i18n import M_
from ..shapes import fmt_shape, quiet_rnn_warnings
from ._common import _Found, _generic_problem, _is_packed, _is_tensor, _suspended, _var, _weight
from .cells import _diagnose_cell
from .results import Diagnosis
from .rnn import _diagnose_rnn

if TYPE_CHECKING:  # pragma: no cover
    from torch import nn


def _module_code(module: nn.Module) -> str:
    """``nn.LSTM(100, 20, num_layers=2)`` for a module, ``nn.GRUCell(10, 20)`` for a cell."""
    from torch import nn

    if isinstance(module, nn.RNNBase):
        return RNNConfig.from_module(module).code()
    extra = ""
    if isinstance(module, nn.RNNCell) and module.nonlinearity != "tanh":
        extra = f", nonlinearity={module.nonlinearity!r}"
    if not module.bias:
        extra += ", bias=False"
    return f"nn.{type(module).__name__}({module.input_size}, {module.hidden_size}{extra})"


def _reads_past_data(module: Any, x: Any, lengths: Any) -> bool:
    """True when the call would read a packed batch past its data (a length longer than T)."""
    try:
        if _is_packed(x):
            return int(x.batch_sizes.sum()) != x.data.size(0)
        if lengths is not None and _is_tensor(x) and x.dim() >= 2:
            T = x.size(1 if getattr(module, "batch_first", False) else 0)
            return max(int(v) for v in lengths) > T
    except (TypeError, ValueError, RuntimeError):  # odd lengths: the checks above explain them
        return False
    return False


def _run(module: nn.Module, x: Any, hx: Any, lengths: Any, enforce_sorted: bool) -> str | None:
    """Call the module as described; torch's error as ``Type: message``, or None."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence

    try:
        with torch.no_grad(), quiet_rnn_warnings(), _suspended():
            if lengths is not None and _is_tensor(x):
                x = pack_padded_sequence(
                    x, lengths, batch_first=module.batch_first, enforce_sorted=enforce_sorted
                )
            if hx is None:
                module(x)
            else:
                module(x, hx)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _call_text(module: nn.Module, x: Any, hx: Any, lengths: Any) -> str:
    from torch import nn

    var = _var(module)
    cell = isinstance(module, nn.RNNCellBase)
    if cell:
        args = ["x_t"]
    else:
        args = ["pack_padded_sequence(x, lengths, ...)" if lengths is not None else "x"]
    if hx is not None:  # name the state as the user passed it: a tensor, or a tuple of k
        names = ("h", "c") if cell else ("h_0", "c_0")
        if isinstance(hx, (tuple, list)):
            k = len(hx)
            inner = [names[i] if i < 2 else f"hx[{i}]" for i in range(k)]
            args.append("(" + ", ".join(inner) + ("," if k == 1 else "") + ")")
        else:
            args.append(names[0])
    return f"{var} = {_module_code(module)};  {var}({', '.join(args)})"


def diagnose(
    module: nn.Module,
    x: Any,
    hx: Any = None,
    *,
    lengths: Any = None,
    enforce_sorted: bool = True,
    run: bool = True,
    batch: int | None = None,
) -> Diagnosis:
    """Check a call ``module(x, hx)`` and explain what is wrong, in plain words, with the fix.

    Args:
        module: ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` or ``nn.RNNCell`` / ``nn.LSTMCell`` /
            ``nn.GRUCell``.
        x: the input: ``(T, N, H_in)`` (``(N, T, H_in)`` if batch_first), ``(T, H_in)``
            unbatched, or a PackedSequence; for a cell one step ``(N, H_in)`` or ``(H_in,)``.
        hx: ``h_0`` ``(L*D, N, H_out)``, ``(h_0, c_0)`` for LSTM, ``h`` / ``(h, c)`` for a cell.
        lengths: if given, ``x`` is a padded batch to be packed with these lengths first.
        enforce_sorted: as in ``pack_padded_sequence`` (when ``lengths`` is given).
        run: after the checks, run the call (no grad) and record torch's message.
        batch: the number of sequences you mean the batch to hold, if you know it. A batch-first
            ``(N, T, H_in)`` input to a time-first layer (or the reverse) fits the layer's
            shapes and raises nothing; knowing ``N`` tells the layouts apart (a ``trap``
            problem). Without it, lengths or a state whose batch axis disagrees are the clues.

    Returns:
        A :class:`Diagnosis`: ``ok``, ``arguments``, ``problems`` (tensor, expected, actual,
        cause, fix), ``notes``, ``torch_error``.

    Raises:
        ValueError: if ``module`` is not a recurrent layer or cell.
    """
    return _diagnose(module, x, hx, lengths, enforce_sorted, run=run, batch=batch)


def _layout_hint(module: Any, x: Any, lengths: Any, batch: int | None, found: _Found) -> None:
    """A batch-first input to a time-first layer (or the reverse) raises nothing when the shapes
    fit: flag it where the evidence allows (a known batch size, the lengths)."""
    if not _is_tensor(x) or x.dim() != 3 or any(p.tensor == "input" for p in found.problems):
        return
    bf = module.batch_first
    b, t = (0, 1) if bf else (1, 0)
    N, T = int(x.size(b)), int(x.size(t))
    flipped = RNNConfig.from_module(module).replace(batch_first=not bf).code()
    layout = "(N, T, H_in)" if bf else "(T, N, H_in)"
    other = M_("(T, N, H_in), time-first") if bf else M_("(N, T, H_in), batch-first")
    fix = f"{_var(module)} = {flipped}  # or: x = x.transpose(0, 1)"
    if batch is not None and batch != N and batch == T:
        found.problem(
            "input",
            M_("{layout} with N = {batch}", layout=layout, batch=batch),
            fmt_shape(x.shape),
            M_(
                "the batch holds {batch} sequences (batch={batch}), which is input axis "
                "{t}: x is {other}, but the layer has batch_first={bf} and reads axis "
                "{b} ({N}) as the batch and axis {t} as {T} time steps. Nothing raises: "
                "the shapes fit both readings, and the layer mixes the sequences of the "
                "batch as if they were steps of one",
                batch=batch,
                t=t,
                other=other,
                bf=bf,
                b=b,
                N=N,
                T=T,
            ),
            fix,
            kind="trap",
        )
    elif batch is not None and batch not in (N, T):
        found.notes.append(
            M_(
                "batch={batch} matches no axis of x {fmt_shape_x_shape}: the layer reads "
                "N = {N} from axis {b} (batch_first={bf})",
                batch=batch,
                fmt_shape_x_shape=fmt_shape(x.shape),
                N=N,
                b=b,
                bf=bf,
            )
        )
    elif lengths is not None and not found.problems:
        try:
            values = [int(v) for v in lengths]
        except (TypeError, ValueError):
            return
        if values and len(values) == N and max(values) == N != T and max(values) < T:
            found.notes.append(
                M_(
                    "the longest length ({N}) is the size of input axis {b}, the batch axis, "
                    "while no sequence fills the time axis {t} ({T} steps): if x is {other}, "
                    "set batch_first={not_bf}",
                    N=N,
                    b=b,
                    t=t,
                    T=T,
                    other=other,
                    not_bf=not bf,
                )
            )


def _diagnose(
    module: Any,
    x: Any,
    hx: Any,
    lengths: Any,
    enforce_sorted: bool,
    *,
    run: bool = True,
    error: BaseException | None = None,
    batch: int | None = None,
) -> Diagnosis:
    from torch import nn

    found = _Found()
    if isinstance(module, nn.RNNBase):
        _diagnose_rnn(module, x, hx, lengths, enforce_sorted, found)
        _layout_hint(module, x, lengths, batch, found)
    elif isinstance(module, nn.RNNCellBase):
        if lengths is not None:
            raise ValueError("lengths is for nn.RNN / nn.LSTM / nn.GRU; a cell takes one step")
        _diagnose_cell(module, x, hx, found)
    else:
        raise ValueError(
            "module must be nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell or nn.GRUCell "
            f"(got module={type(module).__name__})"
        )
    d = Diagnosis(_call_text(module, x, hx, lengths), found.arguments, found.problems, found.notes)
    if error is not None:
        d.torch_error = f"{type(error).__name__}: {error}"
    elif (
        run
        and not any(p.kind == "silent" for p in d.problems)
        and not (_reads_past_data(module, x, lengths) and _weight(module).device.type != "cpu")
    ):  # on the CPU torch checks every read; elsewhere we do not run a call that reads past x
        d.torch_error = _run(module, x, hx, lengths, enforce_sorted)
    if d.torch_error and d.ok:
        exc = error or RuntimeError(d.torch_error.split(": ", 1)[-1])
        d.problems.append(_generic_problem(exc, "input"))
    return d
