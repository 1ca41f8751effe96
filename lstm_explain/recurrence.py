"""The recurrence written out: ``nn.RNN``'s forward pass as an explicit loop over its own weights.

One step of one layer and one direction is

    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)        (relu instead of tanh if asked)

:func:`rnn_step` computes exactly that line. :func:`rnn_states` loops it over layers, directions
and time and keeps every hidden state, ``(L, D, T, N, H)``; :func:`rnn_loop` reads ``output`` and
``h_n`` off that grid the way ``nn.RNN`` returns them, so a notebook can show that

- ``output`` is the top layer at every step: ``states[-1, d, t]`` side by side over ``d``;
- ``h_n`` is every layer's state at its last step: ``states[l, 0, T-1]`` (forward) and
  ``states[l, 1, 0]`` (backward, which runs from ``t = T-1`` down to ``t = 0``).

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size, ``L`` num_layers,
``D`` directions (1 or 2).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from . import modules
from .modules import config_from_module, copy_layer_weights, is_layer, mode_of
from .reference import rnn_cell, unroll_layers

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn


def rnn_step(
    x_t: Tensor,
    h_prev: Tensor,
    weight_ih: Tensor,
    weight_hh: Tensor,
    bias_ih: Tensor | None = None,
    bias_hh: Tensor | None = None,
    nonlinearity: str = "tanh",
) -> Tensor:
    """One step of one RNN layer: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    Args:
        x_t: this step's input, ``(N, H_in)`` (or ``(H_in,)``).
        h_prev: the previous hidden state ``h_{t-1}``, ``(N, H)`` (or ``(H,)``).
        weight_ih: ``W_ih``, ``(H, H_in)``; weight_hh: ``W_hh``, ``(H, H)``.
        bias_ih, bias_hh: ``(H,)`` each, or ``None`` for a layer built with ``bias=False``.
        nonlinearity: ``"tanh"`` or ``"relu"``.

    Returns:
        ``h_t``, ``(N, H)``.

    Raises:
        ValueError: an unknown nonlinearity.
    """
    return rnn_cell(x_t, h_prev, weight_ih, weight_hh, bias_ih, bias_hh, nonlinearity)


def layer_weights(module: nn.RNN, layer: int, reverse: bool = False) -> dict[str, Any]:
    """The weights of one layer and direction, by the names :func:`rnn_step` takes.

    ``{"weight_ih": weight_ih_l{layer}[_reverse], "weight_hh": …, "bias_ih": …, "bias_hh": …}``
    (biases ``None`` when the module has ``bias=False``).
    """
    _need_rnn(module)
    if not 0 <= layer < module.num_layers:
        raise ValueError(
            f"layer must be in 0..num_layers-1={module.num_layers - 1} (got layer={layer})"
        )
    if reverse and not module.bidirectional:
        raise ValueError("reverse=True needs a bidirectional module (got bidirectional=False)")
    return modules.layer_weights(module, layer, int(reverse)).kwargs()


def _need_rnn(module: Any) -> None:
    if not is_layer(module) or mode_of(module) != "RNN":
        raise ValueError(f"module must be an nn.RNN (got module={type(module).__name__})")


def rnn_states(module: nn.RNN, x: Tensor, h_0: Tensor | None = None) -> Tensor:
    """Every hidden state of ``module`` on ``x``, computed by looping :func:`rnn_step`.

    Args:
        module: an ``nn.RNN`` (any num_layers, bidirectional, batch_first, bias, nonlinearity).
        x: the input as the module takes it: ``(T, N, H_in)``, ``(N, T, H_in)`` if batch_first,
            or unbatched ``(T, H_in)``.
        h_0: ``(L*D, N, H)`` (``(L*D, H)`` unbatched), or ``None`` for zeros, like the module.

    Returns:
        ``states`` of shape ``(L, D, T, N, H)`` (``N = 1`` for an unbatched input):
        ``states[l, d, t]`` is layer ``l``, direction ``d`` after reading step ``t``. The backward
        direction (``d = 1``) reads ``t = T-1`` first, so its final state is ``states[l, 1, 0]``.

    Raises:
        ValueError: ``module`` is not an ``nn.RNN``, or ``x`` / ``h_0`` has the wrong shape.
    """
    import torch

    _need_rnn(module)
    L, H = module.num_layers, module.hidden_size
    D = 2 if module.bidirectional else 1
    nonlinearity = module.nonlinearity
    if x.dim() not in (2, 3):
        raise ValueError(
            f"x must be 3-D (T, N, H_in) or unbatched 2-D (T, H_in) (got x.shape={tuple(x.shape)})"
        )
    if x.shape[-1] != module.input_size:
        raise ValueError(
            f"x's last dimension must equal input_size={module.input_size} "
            f"(got x.shape={tuple(x.shape)})"
        )
    batched = x.dim() == 3
    if not batched:
        x_tm = x.unsqueeze(1)  # (T, 1, H_in)
    elif module.batch_first:
        x_tm = x.transpose(0, 1)  # (T, N, H_in)
    else:
        x_tm = x
    N = x_tm.shape[1]
    expected = (L * D, N, H) if batched else (L * D, H)
    if h_0 is None:
        h0 = x_tm.new_zeros(L * D, N, H)
    else:
        if tuple(h_0.shape) != expected:
            raise ValueError(
                f"h_0 must have shape (num_layers * D, {'N, ' if batched else ''}hidden_size) = "
                f"{expected} (got h_0.shape={tuple(h_0.shape)})"
            )
        h0 = h_0 if batched else h_0.unsqueeze(1)
    # one step function per layer and direction, looped over time by reference.unroll_layers
    steps = [
        [
            partial(rnn_step, **layer_weights(module, layer, d == 1), nonlinearity=nonlinearity)
            for d in range(D)
        ]
        for layer in range(L)
    ]
    outputs, _ = unroll_layers(steps, x_tm, list(h0))  # outputs[l][d]: (T, N, H)
    return torch.stack([torch.stack(halves) for halves in outputs])  # (L, D, T, N, H)


def rnn_loop(module: nn.RNN, x: Tensor, h_0: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``nn.RNN``'s ``(output, h_n)`` rebuilt from :func:`rnn_states`, shaped as the module's.

    ``output`` is the top layer at every step, directions side by side: ``(T, N, D*H)``
    (``(N, T, D*H)`` if batch_first, ``(T, D*H)`` unbatched). ``h_n`` is every layer's and
    direction's final state, ``(L*D, N, H)`` (``(L*D, H)`` unbatched): the forward direction's
    at ``t = T-1``, the backward direction's at ``t = 0``.
    """
    import torch

    states = rnn_states(module, x, h_0)  # (L, D, T, N, H)
    L, D, T = states.shape[:3]
    output = torch.cat([states[-1, d] for d in range(D)], dim=-1)  # (T, N, D*H)
    last = [T - 1, 0]  # where each direction finishes
    h_n = torch.stack([states[layer, d, last[d]] for layer in range(L) for d in range(D)])
    if x.dim() == 2:
        return output.squeeze(1), h_n.squeeze(1)
    if module.batch_first:
        output = output.transpose(0, 1)
    return output, h_n


def first_layers(module: nn.Module, num_layers: int) -> nn.Module:
    """A copy of a stacked ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` keeping only its lowest layers.

    Layer ``l`` reads only the layers below it, so the copy's ``h_n`` holds exactly the rows
    ``0 .. num_layers*D - 1`` of the full module's ``h_n`` (given the same rows of ``h_0``):
    a way to check which row of ``h_n`` is which layer against real values, not view arithmetic.

    Args:
        module: a recurrent layer; num_layers: how many of its layers to keep, 1..module.num_layers.

    Returns:
        A new module of the same kind and settings with ``num_layers`` layers and the same weights.

    Raises:
        ValueError: not a recurrent layer, or ``num_layers`` outside 1..module.num_layers.
    """
    if not is_layer(module):
        raise ValueError(
            f"module must be an nn.RNN, nn.LSTM or nn.GRU (got module={type(module).__name__})"
        )
    if (
        not isinstance(num_layers, int)
        or isinstance(num_layers, bool)
        or not 1 <= num_layers <= module.num_layers
    ):
        raise ValueError(
            f"num_layers must be in 1..{module.num_layers} (got num_layers={num_layers!r})"
        )
    config = config_from_module(module).replace(
        num_layers=num_layers, dropout=module.dropout if num_layers > 1 else 0.0
    )
    copy = type(module)(**config.module_kwargs())
    for layer in range(num_layers):
        copy_layer_weights(module, layer, copy, layer)
    copy.train(module.training)
    return copy
