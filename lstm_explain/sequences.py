"""Helpers for the sequence summaries learners need: each sequence's true final state.

Shapes: ``output`` ``(T, N, D*H_out)`` (``(N, T, D*H_out)`` if batch_first), ``h_n``
``(L*D, N, H_out)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor


def last_valid_output(
    output: Tensor, lengths: Sequence[int] | Tensor, batch_first: bool = False
) -> Tensor:
    """Each sequence's output at its own last valid step: ``output[lengths[i]-1, i]``, ``(N, D*H_out)``.

    For a bidirectional layer only the forward half of this is a final state; the backward
    half's final state is at step 0 (see :func:`final_hidden`).
    """
    import torch

    lengths = torch.as_tensor(lengths, dtype=torch.long, device=output.device)
    rows = torch.arange(len(lengths), device=output.device)
    if batch_first:
        return output[rows, lengths - 1]
    return output[lengths - 1, rows]


def final_hidden(h_n: Tensor, num_layers: int, bidirectional: bool) -> Tensor:
    """The last layer's final state per sequence, directions concatenated: ``(N, D*H_out)``.

    ``h_n.view(num_layers, D, N, H_out)[-1]`` then ``[forward, backward]`` side by side: the
    right "sequence summary" for a classifier on top of a (bidirectional, stacked) layer.
    """
    import torch

    d = 2 if bidirectional else 1
    last = h_n.view(num_layers, d, *h_n.shape[1:])[-1]  # (D, N, H_out), or (D, H_out) unbatched
    return torch.cat(tuple(last), dim=-1)
