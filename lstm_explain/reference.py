"""The recurrent cells written as their equations: the teaching code, one line per equation.

Each function computes one time step exactly as the PyTorch docs write it (``nn.RNNCell``,
``nn.LSTMCell``, ``nn.GRUCell``), from the same weights those cells hold: ``weight_ih``
``(G*H, H_in)``, ``weight_hh`` ``(G*H, H)``, ``bias_ih``/``bias_hh`` ``(G*H,)``, with the gate
blocks stacked in PyTorch's order (LSTM ``i, f, g, o``; GRU ``r, z, n``; G = 4, 3 or 1).

Shapes: ``x`` ``(N, H_in)``, states ``(N, H)``; an unbatched ``(H_in,)`` / ``(H,)`` works too.
Pass a cell's weights with ``**cell_weights(cell)`` or a layer's with
``**cell_weights(module, layer, direction)``. :func:`unroll` (one direction) and
:func:`unroll_layers` (stacked layers and directions) are the package's one loop over time:
``recurrence.rnn_states`` and ``cells.run_cells`` step through them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Sequence

    from torch import Tensor, nn


def _affine(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    """``x W^T + b``: the "W x + b" of every equation below."""
    out = x @ weight.T
    return out if bias is None else out + bias


def rnn_cell(
    x: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One Elman RNN step (``nn.RNNCell``).

    .. math::
        h_t = \\tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    Returns ``h_t`` ``(N, H)``. ``nonlinearity="relu"`` uses ``max(0, ·)`` instead of tanh.
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(
            f"nonlinearity must be 'tanh' or 'relu' (got nonlinearity={nonlinearity!r})"
        )
    # the pre-activation: the input's contribution plus the previous state's
    a = _affine(x, weight_ih, bias_ih) + _affine(h, weight_hh, bias_hh)
    # h_t = tanh(a)  (or relu(a))
    return a.tanh() if nonlinearity == "tanh" else a.relu()


def lstm_cell(
    x: Tensor,
    state: tuple[Tensor, Tensor],
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    weight_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step (``nn.LSTMCell``; with ``weight_hr``, one step of ``nn.LSTM(proj_size=P)``).

    .. math::
        i_t &= \\sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\\\
        f_t &= \\sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\\\
        g_t &= \\tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\\\
        o_t &= \\sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\\\
        c_t &= f_t \\odot c_{t-1} + i_t \\odot g_t \\\\
        h_t &= o_t \\odot \\tanh(c_t) \\qquad (h_t = W_{hr} h_t \\text{ if projected})

    Args:
        state: ``(h_{t-1}, c_{t-1})``, ``(N, H_out)`` and ``(N, H)``.

    Returns:
        ``(h_t, c_t)``.
    """
    h, c = state
    # all four pre-activations at once, then split in PyTorch's block order i, f, g, o
    pre_i, pre_f, pre_g, pre_o = (
        _affine(x, weight_ih, bias_ih) + _affine(h, weight_hh, bias_hh)
    ).chunk(4, dim=-1)
    i = pre_i.sigmoid()  # input gate: how much of the candidate to write
    f = pre_f.sigmoid()  # forget gate: how much of the old cell state to keep
    g = pre_g.tanh()  # candidate values, in (-1, 1)
    o = pre_o.sigmoid()  # output gate: how much of the cell state to show
    c_next = f * c + i * g  # c_t = f ⊙ c_{t-1} + i ⊙ g
    h_next = o * c_next.tanh()  # h_t = o ⊙ tanh(c_t)
    if weight_hr is not None:
        h_next = h_next @ weight_hr.T  # h_t = W_hr h_t (proj_size > 0)
    return h_next, c_next


def gru_cell(
    x: Tensor,
    h: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
) -> Tensor:
    """One GRU step (``nn.GRUCell``).

    .. math::
        r_t &= \\sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\\\
        z_t &= \\sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\\\
        n_t &= \\tanh(W_{in} x_t + b_{in} + r_t \\odot (W_{hn} h_{t-1} + b_{hn})) \\\\
        h_t &= (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}

    Note where ``r`` acts: on ``W_hn h + b_hn`` *after* the product (the original paper puts it
    on ``h`` before); PyTorch follows the former.

    Returns ``h_t`` ``(N, H)``.
    """
    x_r, x_z, x_n = _affine(x, weight_ih, bias_ih).chunk(3, dim=-1)  # input parts of r, z, n
    h_r, h_z, h_n = _affine(h, weight_hh, bias_hh).chunk(3, dim=-1)  # state parts of r, z, n
    r = (x_r + h_r).sigmoid()  # reset gate
    z = (x_z + h_z).sigmoid()  # update gate: 1 keeps the old state
    n = (x_n + r * h_n).tanh()  # candidate: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    return (1 - z) * n + z * h  # h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}


def cell_weights(module: nn.Module, layer: int = 0, direction: int = 0) -> dict[str, Any]:
    """The weights of a cell, or of one layer and direction of a recurrent layer, by keyword.

    ``rnn_cell(x, h, **cell_weights(nn.RNNCell(...)))`` and
    ``lstm_cell(x, (h, c), **cell_weights(nn.LSTM(...), layer=1, direction=1))`` both work.
    Keys: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` (None without bias), plus
    ``weight_hr`` for a projected LSTM and ``nonlinearity`` for an RNN.

    Raises:
        ValueError: for another module type, or a layer/direction the module does not have.
    """
    from .modules import layer_weights, mode_of

    out = layer_weights(module, layer, direction).kwargs()
    if mode_of(module) == "RNN":
        out["nonlinearity"] = module.nonlinearity
    return out


def unroll(
    cell: Callable[..., Any],
    x: Tensor,
    state: Any,
    weights: dict[str, Any] | None = None,
    reverse: bool = False,
) -> tuple[Tensor, Any]:
    """Apply a cell along time: ``x`` ``(T, N, H_in)`` -> outputs ``(T, N, H_out)``, final state.

    The one loop over time of the package: :func:`unroll_layers`, ``recurrence.rnn_states`` and
    ``cells.run_cells`` all step through it. ``cell(x_t, state, **weights)`` computes one step
    (one of the functions above, or a ``*Cell`` module with ``weights`` left out). The output
    at ``t`` is ``h_t`` (the first element of an LSTM state). ``reverse=True`` reads
    ``t = T-1 .. 0`` (a backward direction) and still returns outputs in real time order.
    """
    import torch

    kwargs = weights or {}
    steps = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    outputs: list[Tensor] = [None] * x.shape[0]  # type: ignore[list-item]
    for t in steps:
        state = cell(x[t], state, **kwargs)
        outputs[t] = state[0] if isinstance(state, tuple) else state
    return torch.stack(outputs), state


def unroll_layers(
    steps: Sequence[Sequence[Callable[[Tensor, Any], Any]]],
    x: Tensor,
    states: Sequence[Any],
) -> tuple[list[list[Tensor]], list[Any]]:
    """Stacked layers, each read forward (and backward): the loop ``nn.RNN/LSTM/GRU`` runs.

    Layer ``k`` reads layer ``k-1``'s output at every step: its directions' outputs side by
    side, ``[forward, backward]`` on the last axis. Each direction is one :func:`unroll`.

    Args:
        steps: ``steps[layer][direction]``, a step ``(x_t, state) -> state`` (e.g. a cell).
        x: the layer-0 input, time-major ``(T, N, H_in)``.
        states: the initial state of each layer and direction, in ``h_0``'s row order
            (``layer * D + direction``).

    Returns:
        ``(outputs, finals)``: ``outputs[layer][direction]`` ``(T, N, H_out)`` in real time
        order, and the final states in ``h_n``'s row order.
    """
    import torch

    outputs: list[list[Tensor]] = []
    finals: list[Any] = []
    layer_in = x  # (T, N, H_in), then (T, N, D*H_out)
    for k, layer in enumerate(steps):
        halves = []
        for d, step in enumerate(layer):
            seq, final = unroll(step, layer_in, states[k * len(layer) + d], reverse=d == 1)
            halves.append(seq)
            finals.append(final)
        outputs.append(halves)
        if k + 1 < len(steps):  # the next layer reads both directions side by side
            layer_in = torch.cat(halves, dim=-1)
    return outputs, finals
