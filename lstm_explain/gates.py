"""trace_gates: the exact gate activations of a real ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``.

How it stays exact and cheap: the module's own kernel is run one layer at a time (the same call
``nn.LSTM.forward`` makes, with ``num_layers=1``), which gives every layer's hidden sequence
``h_1..h_T`` exactly. The gates of a whole layer then follow in batch from two matrix products,
one on the layer input ``x_t`` and one on the shifted hidden sequence ``h_{t-1}``, as in the
equations of the PyTorch docs::

    LSTM  i, f, g, o = σ, σ, tanh, σ (W_i* x_t + b_i* + W_h* h_{t-1} + b_h*)
          c_t = f ⊙ c_{t-1} + i ⊙ g          (a cheap element-wise loop over T)
          h_t = o ⊙ tanh(c_t)                 (then h_t = W_hr h_t when proj_size > 0)
    GRU   r, z = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr), σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)
          n = tanh(W_in x_t + b_in + r ⊙ (W_hn h_{t-1} + b_hn))
          h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}
    RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)   (or relu)

Shapes: every gate tensor is ``(T, N, H)`` time-major whatever ``batch_first`` is (``"h"`` is
``(T, N, H_out)``, ``H_out = proj_size or hidden_size``); an unbatched input gives ``N = 1``.
The backward direction is indexed by real time step too: ``gates[l][1]["h"][0]`` is the backward
state that read the whole sequence, i.e. its final state.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .gate_trace import GATE_MEANINGS, SIGMOID_GATES, TRACE_GATES, GateTrace
from .modules import is_layer, layer_weights, mode_of

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn

__all__ = [
    "GATE_MEANINGS",
    "SIGMOID_GATES",
    "TRACE_GATES",
    "GateTrace",
    "gate_saturation",
    "gate_summary",
    "trace_gates",
]


def _run_layer(mode: str, module: nn.Module, layer: int, x, batch_sizes, hx):
    """One layer of the module's own kernel (the call nn.LSTM.forward makes, num_layers=1).

    ``x`` is time-major ``(T, N, H_in)`` or packed data; returns ``(out, h_n[, c_n])``.
    """
    from torch import _VF

    d = 2 if module.bidirectional else 1
    weights = [w for k in range(d) for w in layer_weights(module, layer, k).flat()]
    fn = {"LSTM": _VF.lstm, "GRU": _VF.gru}.get(mode)
    if fn is None:
        fn = _VF.rnn_tanh if module.nonlinearity == "tanh" else _VF.rnn_relu
    flags = (module.bias, 1, 0.0, False, module.bidirectional)
    with warnings.catch_warnings():  # PyTorch's note that proj_size skips oneDNN: not ours to show
        warnings.filterwarnings("ignore", message="LSTM with projections is not supported")
        if batch_sizes is None:
            return fn(x, hx, weights, *flags, False)
        return fn(x, batch_sizes, hx, weights, *flags)


def _normalise_input(module: nn.Module, mode: str, x, hx):
    """Return (time-major x or packed data, batch_sizes, sorted/unsorted indices, hx, batched).

    ``hx`` comes back batched, in the kernel's (sorted) batch order, never None.
    """
    import torch
    from torch.nn.utils.rnn import PackedSequence

    lstm = mode == "LSTM"
    d = 2 if module.bidirectional else 1
    h_out = module.proj_size if getattr(module, "proj_size", 0) > 0 else module.hidden_size
    if isinstance(x, PackedSequence):
        data, batch_sizes, sorted_idx, unsorted_idx = x
        n, batched, xt = int(batch_sizes[0]), True, data
        if hx is not None and sorted_idx is not None:
            hx = module.permute_hidden(hx, sorted_idx)
    else:
        if not isinstance(x, torch.Tensor):
            raise ValueError(f"x must be a Tensor or a PackedSequence (got x={type(x).__name__})")
        if x.dim() not in (2, 3):
            raise ValueError(
                f"x must be 3-D (batched) or 2-D (unbatched) (got x of shape {tuple(x.shape)})"
            )
        batch_sizes = sorted_idx = unsorted_idx = None
        batched = x.dim() == 3
        if not batched:
            x = x.unsqueeze(0 if module.batch_first else 1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if lstm else hx.unsqueeze(1)
        xt = x.transpose(0, 1) if module.batch_first else x
        n = xt.shape[1]
    if hx is None:
        zeros = dict(dtype=xt.dtype, device=xt.device)
        h0 = torch.zeros(module.num_layers * d, n, h_out, **zeros)
        hx = (
            (h0, torch.zeros(module.num_layers * d, n, module.hidden_size, **zeros)) if lstm else h0
        )
    # the module's own checks and messages (RuntimeError, as the module itself raises)
    module.check_forward_args(x if batch_sizes is None else xt, hx, batch_sizes)
    return xt, batch_sizes, sorted_idx, unsorted_idx, hx, batched


def trace_gates(module: nn.Module, x: Any, hx: Any = None) -> GateTrace:
    """Run ``module`` on ``x`` and return its outputs plus every gate, exactly.

    Args:
        module: an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (any num_layers, bidirectional,
            batch_first, proj_size, bias). It is not changed (no mode switch, no re-flattening).
        x: the input as the module takes it: ``(T, N, H_in)``, ``(N, T, H_in)`` if batch_first,
            ``(T, H_in)`` unbatched, or a PackedSequence.
        hx: the initial state in the module's own format (``(h_0, c_0)`` for LSTM), or None.

    Returns:
        A :class:`GateTrace` whose ``output``, ``h_n`` and ``c_n`` equal the module's own result
        and whose ``gates[layer][direction][name]`` are ``(T, N, H)``.

    Raises:
        ValueError: if ``module`` is not a recurrent layer or ``x`` has the wrong rank; PyTorch's
        own ``RuntimeError`` for a wrongly shaped ``hx``.

    Dropout between layers is never applied: the trace is the deterministic (eval-mode) forward,
    and a warning says so when the module is training with ``dropout > 0``.
    """
    import torch
    from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

    if not is_layer(module):
        raise ValueError(
            f"module must be an nn.RNN, nn.LSTM or nn.GRU (got module={type(module).__name__}); "
            "for a cell (nn.LSTMCell, ...) see lstm_explain.reference"
        )
    mode = mode_of(module)
    if module.training and module.dropout > 0 and module.num_layers > 1:
        warnings.warn(
            f"module is in training mode with dropout={module.dropout}: the trace follows the "
            "eval-mode forward (no dropout); call module.eval() to compare outputs",
            stacklevel=2,
        )
    lstm = mode == "LSTM"
    num_dirs = 2 if module.bidirectional else 1
    proj = getattr(module, "proj_size", 0)
    h_out = proj if proj > 0 else module.hidden_size
    with torch.no_grad():
        xt, batch_sizes, sorted_idx, unsorted_idx, hx, batched = _normalise_input(
            module, mode, x, hx
        )
        packed = batch_sizes is not None

        def padded(data: Tensor) -> Tensor:  # packed data -> (T, N, *) in the caller's order
            seq = PackedSequence(data, batch_sizes, sorted_idx, unsorted_idx)
            return pad_packed_sequence(seq)[0]

        lengths = valid = None
        if packed:
            layer_in, lengths = pad_packed_sequence(x)
            lengths = lengths.to(xt.device)
            steps = torch.arange(layer_in.shape[0], device=xt.device)[:, None]
            valid = steps < lengths[None, :]  # (T, N)
        else:
            layer_in = xt
        trace_input = layer_in
        h0_all = hx[0] if lstm else hx  # kernel (sorted) order
        c0_all = hx[1] if lstm else None
        # initial states in the caller's order, for the gate equations on padded tensors
        h0_user = h0_all.index_select(1, unsorted_idx) if unsorted_idx is not None else h0_all
        c0_user = None
        if lstm:
            c0_user = c0_all.index_select(1, unsorted_idx) if unsorted_idx is not None else c0_all

        gates: list[list[dict[str, Tensor]]] = []
        h_n, c_n = [], []
        data = xt
        for layer in range(module.num_layers):
            rows = slice(layer * num_dirs, (layer + 1) * num_dirs)
            layer_hx = (h0_all[rows], c0_all[rows]) if lstm else h0_all[rows]
            result = _run_layer(mode, module, layer, data, batch_sizes, layer_hx)
            data = result[0]
            h_n.append(result[1])
            if lstm:
                c_n.append(result[2])
            layer_out = padded(data) if packed else data  # (T, N, D*H_out)
            per_dir = []
            for d in range(num_dirs):
                k = layer * num_dirs + d
                per_dir.append(
                    _layer_gates(
                        mode,
                        module,
                        layer,
                        d,
                        layer_in,
                        layer_out[..., d * h_out : (d + 1) * h_out],
                        h0_user[k],
                        c0_user[k] if lstm else None,
                        valid,
                    )
                )
            gates.append(per_dir)
            layer_in = layer_out

        h_n = torch.cat(h_n)
        c_n = torch.cat(c_n) if lstm else None
        if packed:
            output = PackedSequence(data, batch_sizes, sorted_idx, unsorted_idx)
            if unsorted_idx is not None:
                h_n = h_n.index_select(1, unsorted_idx)
                c_n = c_n.index_select(1, unsorted_idx) if lstm else None
        else:
            output = data.transpose(0, 1) if module.batch_first else data
            if not batched:
                output = output.squeeze(0 if module.batch_first else 1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if lstm else None

    return GateTrace(
        config=GateTrace.config_of(module, trace_input, batched, lengths),
        output=output,
        h_n=h_n,
        c_n=c_n,
        gates=gates,
        input=trace_input,
        h_0=h0_user,
        c_0=c0_user,
        lengths=lengths,
    )


#: Compute the gate products with oneDNN on CPU float32 (False: PyTorch's default BLAS path).
USE_ONEDNN = True


def _linear(inp: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``inp @ weight.T + bias`` for ``(M, K)`` rows: the matrix product behind every gate.

    On CPU float32 this uses oneDNN, the library the module's own recurrent kernel uses, when
    PyTorch has it: the gate products then run as fast as the forward's (the default BLAS can be
    several times slower on some CPUs). Falls back to ``F.linear`` everywhere else.
    """
    import torch
    import torch.nn.functional as F

    if (
        USE_ONEDNN
        and inp.device.type == "cpu"
        and inp.dtype == torch.float32
        and torch.backends.mkldnn.is_available()
    ):
        try:  # dense in, dense out; no format conversions
            return torch.ops.mkldnn._linear_pointwise(
                inp.contiguous(), weight.contiguous(), bias, "none", [], ""
            )
        except (RuntimeError, AttributeError, NotImplementedError):  # another torch build
            pass
    return F.linear(inp, weight, bias)


def _layer_gates(
    mode: str,
    module: nn.Module,
    layer: int,
    direction: int,
    x: Tensor,
    h: Tensor,
    h_0: Tensor,
    c_0: Tensor | None,
    valid: Tensor | None,
) -> dict[str, Tensor]:
    """Gates of one layer and direction from its input ``x`` ``(T, N, H_in)`` and output ``h``.

    ``h`` ``(T, N, H_out)`` is the module's own hidden sequence; ``h_{t-1}`` is ``h`` shifted by
    one step in the direction of reading (the backward direction reads t = T-1 .. 0), with
    ``h_0`` where a sequence starts.
    """
    import torch

    steps, n = x.shape[:2]
    hid = module.hidden_size
    backward = direction == 1
    start = h_0.unsqueeze(0)  # (1, N, H_out)
    # h_{t-1} in reading order: the forward reads 0..T-1, the backward T-1..0
    h_prev = torch.cat([h[1:], start]) if backward else torch.cat([start, h[:-1]])
    next_valid = None
    if valid is not None and backward:
        # a backward sequence starts at its own last valid step, not at T-1
        next_valid = torch.cat([valid[1:], torch.zeros_like(valid[:1])]).unsqueeze(-1)
        h_prev = torch.where(next_valid, h_prev, start)

    w_ih, w_hh, b_ih, b_hh, _ = layer_weights(module, layer, direction)
    x2 = x.reshape(steps * n, -1)
    hp2 = h_prev.reshape(steps * n, -1)

    gates: dict[str, Tensor] = {}
    if mode == "LSTM":
        bias = b_ih + b_hh if module.bias else None
        pre = (
            _linear(x2, w_ih, bias).add_(_linear(hp2, w_hh, None)).view(steps, n, -1)
        )  # (T, N, 4H)
        g = pre[..., 2 * hid : 3 * hid].tanh()
        i, f, _, o = pre.sigmoid_().chunk(4, dim=-1)  # one contiguous sigmoid for i, f, o
        ig = i * g
        c = torch.empty_like(ig)
        order = range(steps - 1, -1, -1) if backward else range(steps)
        c_prev = c_0
        for t in order:  # c_t = f ⊙ c_{t-1} + i ⊙ g: element-wise, cheap
            if next_valid is not None:
                c_prev = c_0 if t == steps - 1 else torch.where(next_valid[t], c[t + 1], c_0)
            torch.addcmul(ig[t], f[t], c_prev, out=c[t])
            c_prev = c[t]
        gates.update(i=i, f=f, g=g, o=o, c=c, h=h)
    elif mode == "GRU":
        gi = _linear(x2, w_ih, b_ih).view(steps, n, -1)  # (T, N, 3H)
        gh = _linear(hp2, w_hh, b_hh).view(steps, n, -1)
        i_r, i_z, i_n = gi.chunk(3, dim=-1)
        h_r, h_z, h_n = gh.chunk(3, dim=-1)
        r = (i_r + h_r).sigmoid()
        z = (i_z + h_z).sigmoid()
        gates.update(r=r, z=z, n=torch.addcmul(i_n, r, h_n).tanh(), h=h)
    else:
        gates.update(h=h)
    if valid is not None:  # steps past a sequence's end have no gates
        pad = ~valid.unsqueeze(-1)
        gates = {k: v.masked_fill(pad, float("nan")) for k, v in gates.items()}
    return gates


def gate_saturation(
    trace: GateTrace,
    gate: str,
    layer: int = 0,
    direction: int = 0,
    low: float = 0.1,
    high: float = 0.9,
) -> tuple[Tensor, Tensor]:
    """Share of steps each unit's gate is left-saturated (``< low``) and right-saturated (``> high``).

    As in Karpathy et al., "Visualizing and Understanding Recurrent Networks" (2015): a gate
    near 0 or 1 most of the time acts as a switch. Counted over every valid step of every sample.

    Returns:
        ``(left, right)``, each ``(H,)`` with values in ``[0, 1]``.

    Raises:
        ValueError: for a gate that is not a sigmoid (:data:`SIGMOID_GATES`), bad layer or
        direction, or thresholds outside ``0 <= low < high <= 1``.
    """
    if gate not in SIGMOID_GATES or gate not in trace.gate_names:
        sig = [g for g in trace.gate_names if g in SIGMOID_GATES]
        raise ValueError(
            f"gate must be a sigmoid gate of this {trace.mode}, one of {sig} (got gate={gate!r})"
        )
    if not 0 <= low < high <= 1:
        raise ValueError(f"need 0 <= low < high <= 1 (got low={low}, high={high})")
    values = trace.gate(gate, layer, direction)  # (T, N, H)
    valid = trace.valid().unsqueeze(-1)  # (T, N, 1)
    total = valid.sum().clamp_min(1)
    left = ((values < low) & valid).sum((0, 1)) / total
    right = ((values > high) & valid).sum((0, 1)) / total
    return left, right


def gate_summary(
    trace: GateTrace, gate: str, layer: int = 0, direction: int = 0
) -> dict[str, Tensor]:
    """Per-unit statistics of one gate over every valid step of every sample.

    Returns:
        ``mean``, ``min``, ``max`` (each ``(H,)``), plus for sigmoid gates the saturation shares
        ``below_0.1`` and ``above_0.9`` from :func:`gate_saturation`.
    """
    values = trace.gate(gate, layer, direction)  # (T, N, H)
    flat = values[trace.valid()]  # (valid steps, H)
    out = {"mean": flat.mean(0), "min": flat.amin(0), "max": flat.amax(0)}
    if gate in SIGMOID_GATES:
        out["below_0.1"], out["above_0.9"] = gate_saturation(trace, gate, layer, direction)
    return out
