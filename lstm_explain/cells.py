"""Cell loops: a stacked, optionally bidirectional RNN/GRU/LSTM built from ``*Cell`` modules.

A cell (``nn.RNNCell``, ``nn.GRUCell``, ``nn.LSTMCell``) computes **one step of one layer in one
direction**. ``cells_from_module(module)`` builds one cell per layer and direction that uses the
module's own parameters (``weight_ih_l1_reverse`` becomes the ``weight_ih`` of cell ``[1][1]``), and
``run_cells(cells, x, hx)`` loops them over time and layers exactly as the fused module does, so
its ``output`` and final states equal the module's (in eval mode; dropout between layers is not
applied by the loop). "Equal" means equal up to float32 rounding: ``loop_difference`` measures
how far apart the two paths are (on CPU: bit for bit for ``nn.RNN``, about ``1e-7`` for GRU and
LSTM, i.e. float32 rounding: the module's kernel and the cells do not run the very same sequence
of float operations).

Shapes: ``x`` ``(T, N, H_in)`` (``(N, T, H_in)`` if batch_first, ``(T, H_in)`` unbatched),
``h_0``/``h_n``/``c_n`` ``(L*D, N, H)``, ``output`` ``(T, N, D*H)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from .modules import is_cell, is_layer, layer_weights, mode_of
from .reference import unroll_layers

__all__ = ["CELL_CLASSES", "CellStack", "cells_from_module", "loop_difference", "run_cells"]

#: The cell class that computes one step of each recurrent module.
CELL_CLASSES: dict[str, type[nn.RNNCellBase]] = {
    "RNN": nn.RNNCell,
    "GRU": nn.GRUCell,
    "LSTM": nn.LSTMCell,
}

State = Tensor | tuple[Tensor, Tensor]


def _mode_of_cell(cell: Any) -> str:
    if not is_cell(cell):
        raise ValueError(
            f"cells must be nn.RNNCell, nn.GRUCell or nn.LSTMCell (got a {type(cell).__name__})"
        )
    return mode_of(cell)


class CellStack(nn.Module):
    """Cells arranged as ``layers[layer][direction]``; calling it runs :func:`run_cells`.

    Args:
        cells: one sequence per layer, each with 1 cell (forward) or 2 (forward, backward).
            All cells are of one kind and one ``hidden_size``; layer ``k > 0`` takes
            ``D * hidden_size`` inputs.
        batch_first: input and output are ``(N, T, *)`` instead of ``(T, N, *)``.

    Raises:
        ValueError: mixed cell kinds, a layer with 0 or more than 2 cells, or sizes that do not
            chain from one layer to the next.
    """

    def __init__(self, cells: Sequence[Sequence[nn.RNNCellBase]], *, batch_first: bool = False):
        super().__init__()
        layers = [list(layer) for layer in cells]
        if not layers:
            raise ValueError("cells must hold at least one layer (got cells=[])")
        directions = {len(layer) for layer in layers}
        if directions - {1, 2} or len(directions) != 1:
            raise ValueError(
                "every layer must hold 1 cell (forward) or 2 (forward, backward), the same in "
                f"every layer (got {[len(layer) for layer in layers]} cells per layer)"
            )
        modes = {_mode_of_cell(c) for layer in layers for c in layer}
        if len(modes) != 1:
            raise ValueError(f"cells must all be of one kind (got {sorted(modes)})")
        hidden = {c.hidden_size for layer in layers for c in layer}
        if len(hidden) != 1:
            raise ValueError(f"cells must share one hidden_size (got {sorted(hidden)})")
        self.mode: str = modes.pop()
        self.hidden_size: int = hidden.pop()
        self.num_directions: int = directions.pop()
        self.batch_first = batch_first
        width = self.num_directions * self.hidden_size
        for k, layer in enumerate(layers[1:], start=1):
            for c in layer:
                if c.input_size != width:
                    raise ValueError(
                        f"layer {k} cells must take input_size=D*hidden_size={width}, the width "
                        f"of layer {k - 1}'s output (got input_size={c.input_size})"
                    )
        self.layers = nn.ModuleList(nn.ModuleList(layer) for layer in layers)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def bidirectional(self) -> bool:
        return self.num_directions == 2

    @property
    def input_size(self) -> int:
        return self.layers[0][0].input_size

    def forward(self, x: Tensor, hx: State | None = None) -> tuple[Tensor, State]:
        """Same call and return as ``nn.RNN`` / ``nn.GRU`` / ``nn.LSTM``."""
        return run_cells(self, x, hx)

    def extra_repr(self) -> str:
        return (
            f"mode={self.mode!r}, num_layers={self.num_layers}, "
            f"bidirectional={self.bidirectional}, batch_first={self.batch_first}"
        )


def cells_from_module(module: nn.Module, *, share: bool = True) -> CellStack:
    """One cell per layer and direction of ``module``, holding the module's own weights.

    Args:
        module: an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` (without ``proj_size``).
        share: ``True`` makes each cell's parameters the very tensors of the module (train one,
            you train both); ``False`` gives them independent copies.

    Returns:
        A :class:`CellStack` with ``layers[k][0]`` the forward cell of layer ``k`` (parameters
        ``*_l{k}``) and ``layers[k][1]`` the backward cell (``*_l{k}_reverse``).

    Raises:
        ValueError: not a recurrent module, or an LSTM with ``proj_size > 0`` (``nn.LSTMCell``
            has no projection).
    """
    if not is_layer(module):
        raise ValueError(
            f"module must be nn.RNN, nn.GRU or nn.LSTM (got module={type(module).__name__})"
        )
    if getattr(module, "proj_size", 0):
        raise ValueError(
            f"proj_size must be 0: nn.LSTMCell has no projection (got proj_size={module.proj_size})"
        )
    mode = mode_of(module)
    cls = CELL_CLASSES[mode]
    d = 2 if module.bidirectional else 1
    kwargs: dict[str, Any] = {"bias": module.bias, "device": "meta"}
    if mode == "RNN":
        kwargs["nonlinearity"] = module.nonlinearity
    layers = []
    for k in range(module.num_layers):
        in_size = module.input_size if k == 0 else d * module.hidden_size
        layer = []
        for direction in range(d):
            # Built on the meta device (no memory), then given the module's parameters.
            cell = cls(in_size, module.hidden_size, **kwargs)
            for name, p in layer_weights(module, k, direction).kwargs().items():
                if p is not None:
                    setattr(cell, name, p if share else nn.Parameter(p.detach().clone()))
            layer.append(cell)
        layers.append(layer)
    return CellStack(layers, batch_first=module.batch_first)


def _zeros_state(mode: str, size: tuple[int, ...], like: Tensor) -> State:
    h = like.new_zeros(size)
    return (h, h.clone()) if mode == "LSTM" else h


def run_cells(
    cells: CellStack | Sequence[Sequence[nn.RNNCellBase]],
    x: Tensor,
    hx: State | None = None,
    *,
    batch_first: bool | None = None,
) -> tuple[Tensor, State]:
    """Run stacked cells over a sequence, layer by layer, as ``nn.RNN/GRU/LSTM`` does.

    Layer ``k`` reads layer ``k-1``'s output at every step; the forward cell steps
    ``t = 0 .. T-1``, the backward cell ``t = T-1 .. 0``, and their outputs are concatenated
    ``[forward, backward]`` on the last axis.

    Args:
        cells: a :class:`CellStack` (e.g. from :func:`cells_from_module`) or ``cells[layer][dir]``.
        x: ``(T, N, H_in)``, ``(N, T, H_in)`` if batch_first, or unbatched ``(T, H_in)``.
        hx: ``h_0`` ``(L*D, N, H)`` (``(h_0, c_0)`` for LSTM; ``(L*D, H)`` unbatched);
            zeros if ``None``.
        batch_first: overrides ``cells.batch_first``.

    Returns:
        ``(output, h_n)``, or ``(output, (h_n, c_n))`` for LSTM cells: ``output`` ``(T, N, D*H)``
        in the input's layout, states ``(L*D, N, H)``.

    Raises:
        ValueError: ``x`` not 2-D or 3-D, or its last axis is not the first cells' input_size.
    """
    stack = cells if isinstance(cells, CellStack) else CellStack(cells)
    if batch_first is None:
        batch_first = stack.batch_first
    lstm = stack.mode == "LSTM"
    if x.dim() not in (2, 3):
        raise ValueError(
            f"x must be (T, N, H_in), (N, T, H_in) or unbatched (T, H_in) (got x.shape="
            f"{tuple(x.shape)})"
        )
    if x.shape[-1] != stack.input_size:
        raise ValueError(
            f"x.shape[-1] must equal the cells' input_size={stack.input_size} "
            f"(got x.shape={tuple(x.shape)})"
        )
    unbatched = x.dim() == 2
    if unbatched:
        x = x.unsqueeze(1)  # (T, 1, H_in)
        if hx is not None:
            hx = tuple(s.unsqueeze(1) for s in hx) if lstm else hx.unsqueeze(1)
    elif batch_first:
        x = x.transpose(0, 1)  # (T, N, H_in)
    N = x.shape[1]
    L, D, H = stack.num_layers, stack.num_directions, stack.hidden_size
    if hx is None:
        hx = _zeros_state(stack.mode, (L * D, N, H), x)
    h_0, c_0 = hx if lstm else (hx, None)

    # the one loop over layers, directions and time: each cell is one step
    states = [(h_0[j], c_0[j]) if lstm else h_0[j] for j in range(L * D)]
    outputs, finals = unroll_layers(stack.layers, x, states)
    output = torch.cat(outputs[-1], dim=-1)  # (T, N, D*H)
    h_n = [s[0] if lstm else s for s in finals]
    c_n = [s[1] for s in finals] if lstm else []
    h = torch.stack(h_n)  # (L*D, N, H)
    c = torch.stack(c_n) if lstm else None
    if unbatched:
        output, h = output.squeeze(1), h.squeeze(1)
        c = c.squeeze(1) if c is not None else None
    elif batch_first:
        output = output.transpose(0, 1)
    return output, ((h, c) if lstm else h)


def loop_difference(module: nn.Module, x: Tensor, hx: State | None = None) -> dict[str, float]:
    """How far the cell loop is from the fused module: ``max |module - cells|`` per result.

    Runs ``module(x, hx)`` and :func:`run_cells` over :func:`cells_from_module` (same weights)
    without gradients and compares them element by element.

    Args:
        module: an ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` (without ``proj_size``), in eval mode
            if it has dropout.
        x: its input, ``(T, N, H_in)`` (``(N, T, H_in)`` if batch_first, or ``(T, H_in)``).
        hx: ``h_0`` (``(h_0, c_0)`` for LSTM), or ``None`` for zeros.

    Returns:
        ``{"output": …, "h_n": …}`` (and ``"c_n"`` for LSTM): the largest absolute difference,
        ``0.0`` when the two paths agree bit for bit.

    Raises:
        ValueError: as :func:`cells_from_module` and :func:`run_cells`.
    """
    stack = cells_from_module(module)
    with torch.no_grad():
        fused = module(x) if hx is None else module(x, hx)
        looped = run_cells(stack, x, hx)
    names = ("output", "h_n", "c_n") if stack.mode == "LSTM" else ("output", "h_n")
    flat = []
    for out, state in (fused, looped):
        flat.append([out, *state] if isinstance(state, tuple) else [out, state])
    return {
        name: float((a - b).abs().max()) if a.numel() else 0.0
        for name, a, b in zip(names, *flat, strict=True)
    }
