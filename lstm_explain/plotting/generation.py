"""Figures for the generation notebooks (19, 20): loss curves with a reference line, and the
next-character distribution at several temperatures. Each returns a matplotlib ``Figure``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from ..i18n import N_, _, tr

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def plot_loss_curves(
    curves: Mapping[str, Sequence[float]],
    title: str = N_("Loss per epoch"),
    *,
    ylabel: str = N_("loss (nats per token)"),
    reference: float | None = None,
    reference_label: str = "",
) -> Figure:
    """One line per named curve against the epoch (1-based), and an optional dotted reference line."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.add_subplot()
    for name, values in curves.items():
        ax.plot(range(1, len(values) + 1), list(values), marker=".", markersize=3, label=name)
    if reference is not None:
        ax.axhline(reference, color="gray", ls=":", label=reference_label or None)
    ax.set_xlabel(_("epoch"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(tr(ylabel))
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title(tr(title))
    return fig


def _label(ch: str) -> str:
    return {"\n": "\\n", " ": "␣"}.get(ch, ch)


def plot_temperatures(
    probs: Mapping[float, Tensor], itos: Sequence[str], top: int = 12, title: str = ""
) -> Figure:
    """Bars of ``probs[temperature]`` ``(V,)`` for the ``top`` most likely characters (at temperature 1
    if given, else the first), one panel per temperature; space is shown as ``␣``, newline as ``\\n``."""
    from matplotlib.figure import Figure

    temps = list(probs)
    ref = probs[1.0] if 1.0 in probs else probs[temps[0]]
    order = torch.argsort(ref, descending=True)[:top]
    labels = [_label(itos[int(i)]) for i in order]
    fig = Figure(figsize=(2.4 * len(temps) + 0.6, 2.8), layout="constrained")
    axes = fig.subplots(1, len(temps), sharey=True)
    axes = list(axes) if len(temps) > 1 else [axes]
    for ax, t in zip(axes, temps, strict=True):
        p = probs[t][order]
        ax.bar(range(len(order)), p.numpy(), color="tab:blue")
        ax.set_xticks(range(len(order)), labels, fontsize=8)
        ax.set_title(_("temperature {t:g}").format(t=t), fontsize=9)
        ax.set_ylim(0, 1)
    axes[0].set_ylabel(_("probability"))
    if title:
        fig.suptitle(title, fontsize=10)
    return fig
