"""Padding and packing, drawn from what torch actually does.

``packing_layout(lengths)`` packs a small id-coded batch with ``pack_padded_sequence`` and reads
back which (sequence, step) each row of ``PackedSequence.data`` holds, so the figures show
torch's real order, not a hand-drawn guess.

- ``plot_packing(lengths)``: the padded batch ``(T, N)`` next to ``PackedSequence.data``
  ``(sum(lengths), *)`` grouped by time step with its ``batch_sizes``.
- ``plot_last_valid(lengths)``: the padded ``output`` after ``pad_packed_sequence``: the row
  ``output[-1]`` versus each sequence's last valid step, which is what ``h_n`` holds.
"""

from __future__ import annotations

import operator
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PackingLayout",
    "draw_last_valid",
    "draw_packing",
    "packing_layout",
    "plot_last_valid",
    "plot_packing",
    "token_label",
]

_COLORS = ("#8da0cb", "#66c2a5", "#fc8d62", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3")
_PAD = "#eeeeee"
_MAX_BATCH = 26
_MAX_LEN = 40


def token_label(sequence: int, step: int) -> str:
    """``A0`` for sequence 0 at step 0, ``B2`` for sequence 1 at step 2."""
    return f"{string.ascii_uppercase[sequence]}{step}"


def _check_lengths(lengths: Sequence[int]) -> tuple[int, ...]:
    try:
        values = tuple(operator.index(n) for n in lengths)
    except TypeError:
        raise ValueError(
            f"lengths must be a sequence of positive integers (got lengths={lengths!r})"
        ) from None
    if not 1 <= len(values) <= _MAX_BATCH:
        raise ValueError(
            f"lengths must hold 1..{_MAX_BATCH} sequences to draw (got {len(values)}: "
            f"lengths={list(values)})"
        )
    for i, n in enumerate(values):
        if not 1 <= n <= _MAX_LEN:
            raise ValueError(
                f"lengths[{i}] must be in 1..{_MAX_LEN} to draw (got lengths={list(values)})"
            )
    return values


@dataclass(frozen=True)
class PackingLayout:
    """Where every token goes when a padded batch is packed.

    Attributes:
        lengths: per-sequence lengths, in batch order.
        sorted_indices: batch order sorted by decreasing length (``PackedSequence.sorted_indices``).
        batch_sizes: sequences still running at each step (``PackedSequence.batch_sizes``).
        rows: ``(sequence, step)`` held by each row of ``PackedSequence.data``, in order.
    """

    lengths: tuple[int, ...]
    sorted_indices: tuple[int, ...]
    batch_sizes: tuple[int, ...]
    rows: tuple[tuple[int, int], ...]

    @property
    def seq_len(self) -> int:
        return max(self.lengths)

    def step_rows(self, step: int) -> tuple[tuple[int, int], ...]:
        """The rows of ``data`` that hold time step ``step`` (a contiguous block)."""
        start = sum(self.batch_sizes[:step])
        return self.rows[start : start + self.batch_sizes[step]]


def packing_layout(lengths: Sequence[int]) -> PackingLayout:
    """Pack an id-coded ``(T, N, 2)`` batch with ``enforce_sorted=False`` and read the layout.

    Raises:
        ValueError: ``lengths`` empty, not integers, or outside the drawable range.
    """
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence

    values = _check_lengths(lengths)
    T, N = max(values), len(values)
    steps = torch.arange(T).view(T, 1).expand(T, N)
    seqs = torch.arange(N).view(1, N).expand(T, N)
    x = torch.stack([seqs, steps], dim=-1)  # (T, N, 2): each entry names (sequence, step)
    packed = pack_padded_sequence(x, list(values), enforce_sorted=False)
    return PackingLayout(
        lengths=values,
        sorted_indices=tuple(int(i) for i in packed.sorted_indices),
        batch_sizes=tuple(int(b) for b in packed.batch_sizes),
        rows=tuple((int(s), int(t)) for s, t in packed.data.tolist()),
    )


def _box(ax: Axes, x: float, y: float, text: str, color: str, **kw: object) -> None:
    from matplotlib.patches import Rectangle

    ax.add_patch(
        Rectangle(
            (x, y),
            0.9,
            0.9,
            facecolor=color,
            edgecolor=kw.pop("edgecolor", "#555555"),
            linewidth=kw.pop("linewidth", 0.8),
        )
    )
    ax.text(x + 0.45, y + 0.45, text, ha="center", va="center", fontsize=kw.pop("fontsize", 8))


def _grid_axes(ax: Axes, T: int, N: int) -> None:
    """Time steps as rows (t = 0 on top), sequences as columns: ``x[t, i]``, time-major."""
    ax.set_xlim(-0.2, N + 0.1)
    ax.set_ylim(T + 0.1, -0.2)
    ax.set_xticks([i + 0.45 for i in range(N)], [f"i={i}" for i in range(N)], fontsize=8)
    ax.set_yticks([t + 0.45 for t in range(T)], [f"t={t}" for t in range(T)], fontsize=8)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_aspect("equal")


def plot_packing(lengths: Sequence[int]) -> Figure:
    """The padded batch next to ``PackedSequence.data`` and ``batch_sizes``.

    Left: the padded, time-major batch ``x[t, i]`` ``(T, N, *)``; token ``B2`` is sequence 1 at
    step 2, grey cells are padding. Right: the rows of ``packed.data`` ``(sum(lengths), *)`` in
    torch's order: step 0 of every sequence (longest first), then step 1 of those still running,
    and so on; each block's size is ``batch_sizes[t]``. Padding is never stored.

    Raises:
        ValueError: as :func:`packing_layout`.
    """
    from matplotlib.figure import Figure

    layout = packing_layout(lengths)
    T, N = layout.seq_len, len(layout.lengths)
    total = len(layout.rows)
    fig = Figure(
        figsize=(1.6 + 0.6 * max(N, 2) + 3.4, 1.6 + 0.34 * max(T, total)), layout="constrained"
    )
    left, right = fig.subplots(1, 2, width_ratios=[max(N, 2) + 0.5, 3.6])
    _grid_axes(left, T, N)
    for i, n in enumerate(layout.lengths):
        for t in range(T):
            if t < n:
                _box(left, i, t, token_label(i, t), _COLORS[i % len(_COLORS)])
            else:
                _box(left, i, t, _("pad"), _PAD, edgecolor="#bbbbbb")
    left.set_title(
        _("padded batch x: (T={T}, N={N}, H_in)\nlengths = {lengths}").format(
            T=T, N=N, lengths=list(layout.lengths)
        ),
        fontsize=9,
    )

    right.set_xlim(-0.4, 3.4)
    right.set_ylim(total + 0.1, -0.2)
    right.axis("off")
    row = 0
    for t, size in enumerate(layout.batch_sizes):
        for s, step in layout.step_rows(t):
            _box(right, 0, row, token_label(s, step), _COLORS[s % len(_COLORS)])
            right.text(-0.1, row + 0.45, str(row), ha="right", va="center", fontsize=7)
            row += 1
        right.annotate(
            "",
            xy=(1.0, row - size + 0.05),
            xytext=(1.0, row - 0.15),
            arrowprops={"arrowstyle": "-", "color": "#333333"},
        )
        right.text(
            1.1, row - size / 2 - 0.05, f"t={t}: batch_sizes[{t}] = {size}", va="center", fontsize=8
        )
    right.set_title(
        f"packed.data: ({total}, H_in) = (sum(lengths), H_in)\n"
        f"sorted_indices = {list(layout.sorted_indices)}",
        fontsize=9,
    )
    fig.suptitle("pack_padded_sequence(x, lengths, enforce_sorted=False)", fontsize=10)
    return fig


def plot_last_valid(lengths: Sequence[int]) -> Figure:
    """``output`` after ``pad_packed_sequence``: ``output[-1]`` versus each last valid step.

    Valid steps are coloured; steps past a sequence's length are the zeros that
    ``pad_packed_sequence`` fills in. The bold frame marks each sequence's last valid step
    ``output[lengths[i]-1, i]``, which equals ``h_n[-1][i]`` (one direction); the red band marks
    ``output[-1]``, which is a zero row for every sequence shorter than ``T``.

    Raises:
        ValueError: as :func:`packing_layout`.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    values = _check_lengths(lengths)
    T, N = max(values), len(values)
    fig = Figure(figsize=(1.8 + 0.7 * N + 2.2, 1.2 + 0.45 * T), layout="constrained")
    ax = fig.subplots()
    _grid_axes(ax, T, N)
    for i, n in enumerate(values):
        for t in range(T):
            if t < n - 1:
                _box(ax, i, t, f"y{token_label(i, t)}", _COLORS[i % len(_COLORS)])
            elif t == n - 1:
                _box(
                    ax,
                    i,
                    t,
                    f"y{token_label(i, t)}\n= h_n",
                    _COLORS[i % len(_COLORS)],
                    edgecolor="black",
                    linewidth=2.2,
                    fontsize=7,
                )
            else:
                _box(ax, i, t, "0", _PAD, edgecolor="#bbbbbb")
    ax.add_patch(
        Rectangle((-0.1, T - 1 - 0.1), N + 0.1, 1.1, fill=False, edgecolor="#cf222e", linewidth=2.0)
    )
    ax.text(N + 0.15, T - 1 + 0.45, "output[-1]", color="#cf222e", va="center", fontsize=9)
    ax.set_xlim(-0.2, N + 2.0)
    ax.set_title(
        _(
            "output after pad_packed_sequence, lengths = {lengths}\n"
            "bold: output[lengths[i]-1, i] = h_n[-1][i];  red: output[-1]"
        ).format(lengths=list(values)),
        fontsize=9,
    )
    return fig


# The older draw_* names: aliases kept for existing notebooks (figures are plot_* everywhere).
draw_packing = plot_packing
draw_last_valid = plot_last_valid
