"""Recurrent layers in a trace: tensors by role, axis names, identity checks, multiply-adds.

Multiply-adds count products with learned weights (biases and activations are not counted):

- recurrent layer: ``steps x sum over layers and directions of G*H*(H_in_l + H_out)``, plus
  ``proj_size*H`` per layer and direction with ``proj_size``; ``steps = T*N`` for a padded batch
  and ``sum(lengths)`` (the packed data's rows) for a PackedSequence, since a packed run skips the
  padding; ``G`` gate blocks (RNN 1, GRU 3, LSTM 4), ``H_in_l`` the layer's input size;
- recurrent cell: ``N * G*H*(H_in + H)`` per call;
- a recurrent kernel (``torch._VF.lstm``, ``gru``, ``rnn_tanh``, ``rnn_relu`` and their ``_cell``
  forms) called outside any recurrent module's forward: ``steps x`` the elements of its weight
  matrices (the same products as above, read from the weights it was given);
- ``nn.Linear``: ``rows * in_features * out_features`` (rows = input elements / in_features);
- ``nn.ConvNd``: ``output elements * C_in/groups * prod(kernel_size)``;
- ``nn.Embedding`` / ``nn.EmbeddingBag``: 0 (a table look-up); a leaf without parameters: 0;
- any other leaf with parameters: unknown (``None``, shown ``?``); containers: their children's.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from ..config import RNNConfig
from ..i18n import M_
from ..shapes import Check, fmt_shape, identity_checks, layer_input_size, predict_shapes
from .records import PackedSpec, TensorSpec, TracedCall, spec_of

_RECURRENT = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
_CELLS = {"RNNCell": 1, "GRUCell": 3, "LSTMCell": 4}
#: the recurrent kernels a module's forward ends in (``torch._VF.<name>``, also ``torch.<name>``)
KERNELS = ("lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_cell", "gru_cell", "rnn_tanh_cell",
           "rnn_relu_cell")  # fmt: skip
_SHORT = {"seq_len": "T", "batch": "N", "num_layers*D": "L*D"}
_LAST = {
    "input": "H_in",
    "h_0": "H_out",
    "h_n": "H_out",
    "c_0": "H",
    "c_n": "H",
    "output": "D*H_out",
}


def _is_recurrent(module: Any) -> bool:
    return isinstance(module, nn.RNNBase) and module.mode in _RECURRENT


def recurrent_mult_adds(config: RNNConfig, steps: int) -> int:
    """``steps * sum_l D * (G*H*(H_in_l + H_out) [+ proj_size*H])``: ``steps`` = T*N or
    sum(lengths)."""
    c = config
    per_step = 0
    for layer in range(c.num_layers):
        one = c.gate_blocks * c.hidden_size * (layer_input_size(c, layer) + c.h_out)
        if c.proj_size:
            one += c.proj_size * c.hidden_size
        per_step += c.num_directions * one
    return steps * per_step


def _axes(config: RNNConfig, roles: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    predicted = predict_shapes(config)
    axes: dict[str, tuple[str, ...]] = {}
    for role, spec in roles.items():
        if role not in predicted or not isinstance(spec, (TensorSpec, PackedSpec)):
            continue
        last = _LAST[role]
        if isinstance(spec, PackedSpec):
            axes[role] = ("sum(lengths)", last)
        else:
            dims = predicted[role][1]
            axes[role] = (*(_SHORT.get(d, d) for d in dims[:-1]), last)
    return axes


def _recurrent_roles(module: Any, bound: dict[str, Any], output: Any) -> dict[str, Any]:
    """A recurrent call's specs by role: input, h_0 (c_0) and, if it returned, output, h_n (c_n)."""
    hx = bound.get("hx")
    lstm = module.mode == "LSTM"
    roles: dict[str, Any] = {"input": spec_of(bound.get("input"))}
    if hx is not None:
        if lstm:
            roles["h_0"], roles["c_0"] = spec_of(hx[0]), spec_of(hx[1])
        else:
            roles["h_0"] = spec_of(hx)
    if output is not None:
        out, state = output
        roles["output"] = spec_of(out)
        roles["h_n"] = spec_of(state[0] if lstm else state)
        if lstm:
            roles["c_n"] = spec_of(state[1])
    return roles


def _recurrent_config(module: Any, x: Any) -> tuple[RNNConfig, int]:
    """The layer's RNNConfig for input ``x`` and its step count (``T*N`` or ``sum(lengths)``)."""
    if isinstance(x, PackedSequence):
        _, lengths = pad_packed_sequence(x, batch_first=module.batch_first)
        seq_len, batch = len(x.batch_sizes), len(lengths)
        lengths_list: list[int] | None = [int(n) for n in lengths]
        steps = int(x.data.shape[0])
    else:
        batched = x.dim() == 3
        seq_len = x.shape[1] if batched and module.batch_first else x.shape[0]
        batch = (x.shape[0] if module.batch_first else x.shape[1]) if batched else None
        lengths_list = None
        steps = seq_len * (batch or 1)
    config = RNNConfig.from_module(module, seq_len=seq_len, batch=batch, lengths=lengths_list)
    return config, steps


def _recurrent(
    module: Any, bound: dict[str, Any], output: Any, call: TracedCall
) -> tuple[RNNConfig, int]:
    """Fill a returned recurrent call's roles, axes and identity checks; returns (config, steps)."""
    x = bound.get("input")
    lstm = module.mode == "LSTM"
    config, steps = _recurrent_config(module, x)
    seq_len = config.seq_len
    out, state = output
    h_n, c_n = (state[0], state[1]) if lstm else (state, None)
    roles = _recurrent_roles(module, bound, output)
    padded_out = out
    if isinstance(out, PackedSequence):
        padded_out, _ = pad_packed_sequence(
            out, batch_first=module.batch_first, total_length=seq_len
        )
    with torch.no_grad():
        checks = identity_checks(config, padded_out, h_n, c_n)
    predicted = predict_shapes(config)
    observed = {role: s.shape for role, s in roles.items() if isinstance(s, TensorSpec)}
    observed["output"] = tuple(padded_out.shape)
    if isinstance(x, PackedSequence):
        padded, _ = pad_packed_sequence(x, batch_first=module.batch_first)
        observed["input"] = tuple(padded.shape)
    wrong = [
        f"{role} {fmt_shape(shape)} != {fmt_shape(predicted[role][0])}"
        for role, shape in observed.items()
        if role in predicted and tuple(shape) != tuple(predicted[role][0])
    ]
    names = ", ".join(r for r in predicted if r in observed)
    checks.insert(
        0,
        Check(
            M_("traced shapes match PyTorch's documented formulas ({names})", names=names),
            not wrong,
            "; ".join(wrong) if wrong else M_("predict_shapes(RNNConfig.from_module(...)) agrees"),
            "traced shapes",
            "predict_shapes(config)",
        ),
    )
    call.checks = checks
    call.roles = roles
    call.axes = _axes(config, roles)
    return config, steps


def _cell_gates(module: Any) -> int | None:
    """Gate blocks of a recurrent cell (RNNCell 1, GRUCell 3, LSTMCell 4), None if not a cell."""
    for cls, g in ((nn.LSTMCell, 4), (nn.GRUCell, 3), (nn.RNNCell, 1)):
        if isinstance(module, cls):
            return g
    return _CELLS.get(type(module).__name__)


def _cell_roles(module: Any, bound: dict[str, Any], output: Any) -> dict[str, Any]:
    """A cell call's specs by role: input, h_0 (c_0) and, if it returned, h_n (c_n)."""
    hx = bound.get("hx")
    lstm = isinstance(module, nn.LSTMCell)
    roles: dict[str, Any] = {"input": spec_of(bound.get("input"))}
    if hx is not None:
        if lstm and isinstance(hx, (tuple, list)) and len(hx) == 2:
            roles["h_0"], roles["c_0"] = spec_of(hx[0]), spec_of(hx[1])
        else:
            roles["h_0"] = spec_of(hx)
    if output is not None:
        if lstm and isinstance(output, (tuple, list)) and len(output) == 2:
            roles["h_n"], roles["c_n"] = spec_of(output[0]), spec_of(output[1])
        else:
            roles["h_n"] = spec_of(output)
    return roles


def _cell_axes(roles: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Axis names of a cell call: ``(N, H_in)`` input, ``(N, H)`` states; no N if unbatched."""
    axes: dict[str, tuple[str, ...]] = {}
    for role, spec in roles.items():
        if not isinstance(spec, TensorSpec) or len(spec.shape) not in (1, 2):
            continue
        last = "H_in" if role == "input" else "H"
        axes[role] = ("N", last) if len(spec.shape) == 2 else (last,)
    return axes


def kernel_mult_adds(name: str, args: tuple[Any, ...]) -> int | None:
    """Multiply-adds of one call of ``torch._VF.<name>`` (see :data:`KERNELS`), None if unread.

    Padded: ``(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)``; packed: ``(data, batch_sizes, hx, params, ...)``; a cell:
    ``(input, hx, w_ih, w_hh, b_ih, b_hh)``.
    """
    if name.endswith("_cell"):
        x, w_ih, w_hh = args[0], args[2], args[3]
        n = x.shape[0] if x.dim() == 2 else 1
        return n * (w_ih.numel() + w_hh.numel())
    x = args[0]
    packed = isinstance(args[2], torch.Tensor) or (
        name == "lstm" and isinstance(args[1], torch.Tensor)
    )
    params = args[3] if packed else args[2]
    if packed:
        steps = int(x.shape[0])
    else:
        steps = int(x.shape[0]) * (int(x.shape[1]) if x.dim() == 3 else 1)
    return steps * sum(w.numel() for w in params if isinstance(w, torch.Tensor) and w.dim() == 2)


def kernel_inputs(name: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """``{argument name: value}`` of a kernel call's tensors (weights left out)."""
    if name.endswith("_cell"):
        return {"input": args[0], "hx": args[1]}
    packed = isinstance(args[2], torch.Tensor) or (
        name == "lstm" and isinstance(args[1], torch.Tensor)
    )
    if packed:
        return {"data": args[0], "batch_sizes": args[1], "hx": args[2]}
    return {"input": args[0], "hx": args[1]}


def _leaf_mult_adds(module: Any, args: tuple[Any, ...], output: Any) -> int | None:
    """Multiply-adds of one call of a non-recurrent leaf module (the rules above)."""
    x = args[0] if args and isinstance(args[0], torch.Tensor) else None
    if isinstance(module, nn.Linear) and x is not None:
        return x.numel() * module.out_features
    g = _cell_gates(module)
    if g is not None and x is not None:
        n = x.shape[0] if x.dim() == 2 else 1
        return n * g * module.hidden_size * (module.input_size + module.hidden_size)
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
        return 0
    if isinstance(module, nn.modules.conv._ConvNd) and not module.transposed:
        if isinstance(output, torch.Tensor):
            return output.numel() * module.weight[0].numel()
        return None
    if not any(True for _ in module.parameters(recurse=False)):
        return 0
    return None
