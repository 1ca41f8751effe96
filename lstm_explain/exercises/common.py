"""What the exercise banks share: row names of ``h_n``, running a module, counting parameters, the
usual mistakes about the states (``batch_first``, one row per layer and direction), gate rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..i18n import M_
from .core import Exercise, Part


def _row(k: int, num_layers: int, D: int) -> str:
    """``h_n[4] is layer 2, forward`` in plain words."""
    if D != 2:
        return M_("h_n[{k}] is layer {layer}, the only direction", k=k, layer=k // D)
    if k % D == 0:
        return M_("h_n[{k}] is layer {layer}, forward", k=k, layer=k // D)
    return M_("h_n[{k}] is layer {layer}, backward", k=k, layer=k // D)


def _row_feedback(num_layers: int, D: int) -> Callable[[int], str]:
    def describe(k: int) -> str:
        return M_("{row}; rows are ordered layer * D + direction", row=_row(k, num_layers, D))

    return describe


def _run(module: Any, *args: Any) -> Any:
    import torch

    with torch.no_grad():
        return module(*args)


def _count(module: Any) -> int:
    return sum(p.numel() for p in module.parameters())


def _shape_dims(config: Any, name: str) -> tuple[str, ...]:
    from ..shapes import predict_shapes

    return predict_shapes(config)[name][1]


def _ex(
    nb: str, n: int, title: str, parts: Sequence[Part], hint: str, code: str, why: str
) -> Exercise:
    return Exercise(nb, n, title, tuple(parts), hint, code.strip("\n"), why)


BATCH_FIRST_STATES = M_(
    "(N, L*D, H)? batch_first never changes the states: {state} is (L*D, N, H)", state="h_n"
)
ONE_ROW_PER_DIRECTION = M_("(L, N, H)? a bidirectional model has one row per layer AND direction")
STATES_PER_DIRECTION = M_("h_n holds each direction separately: its last axis is H, not D*H")


def _gate_rows(H: int) -> dict[str, tuple[int, int]]:
    from ..config import GATE_NAMES

    return {g: (i * H, (i + 1) * H) for i, g in enumerate(GATE_NAMES["LSTM"])}


def _forget_block(H: int) -> tuple[int, int]:
    """The LSTMCell bias rows that, set very negative, make c independent of the old c."""
    import torch
    from torch import nn

    for _gate, (a, b) in _gate_rows(H).items():
        cell = nn.LSTMCell(10, H)
        with torch.no_grad():
            cell.bias_ih[a:b] = -1e4
            x, h = torch.randn(2, 10), torch.randn(2, H)
            _, c_a = cell(x, (h, torch.randn(2, H)))
            _, c_b = cell(x, (h, torch.randn(2, H)))
        if torch.allclose(c_a, c_b):
            return a, b
    raise AssertionError("no block forgets")  # pragma: no cover
