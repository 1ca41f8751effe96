"""Figures of training and results for the worked examples: learning curves, confusion
matrices, image grids and forecasts. Each returns a matplotlib ``Figure``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import torch
from torch import Tensor

from ..i18n import N_, _, tr

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..training import History


#: The usual names of what a History was measured on, and of its metric (shown translated).
_HISTORY_WORDS = (N_("training"), N_("validation"), N_("accuracy"))


def plot_history(history: History, title: str = N_("Learning curve")) -> Figure:
    """Loss per epoch (left axis: training, and ``eval_loss`` dashed) and the metric (right axis).

    The metric's axis is labelled with what it was measured on (``history.eval_name``).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.add_subplot()
    epochs = range(1, history.epochs + 1)
    ax.plot(epochs, history.loss, color="tab:blue", marker=".", label=_("training loss"))
    if history.eval_loss:
        ax.plot(
            epochs,
            history.eval_loss,
            color="tab:blue",
            ls="--",
            marker=".",
            label=_("{name} loss").format(name=tr(history.eval_name)),
        )
        ax.legend(fontsize=8, loc="center right")
    ax.set_xlabel(_("epoch"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel(_("loss"), color="tab:blue")
    if history.metric:
        ax2 = ax.twinx()
        ax2.plot(epochs, history.metric, color="tab:orange", marker=".")
        name = tr(history.metric_name) or _("metric")
        ax2.set_ylabel(
            _("{data} {metric}").format(data=tr(history.eval_name), metric=name),
            color="tab:orange",
        )
    ax.set_title(tr(title))
    return fig


def plot_confusion_matrix(matrix: Tensor, class_names: Sequence[str] | None = None) -> Figure:
    """Heatmap of a ``(C, C)`` confusion matrix with the counts written in."""
    from matplotlib.figure import Figure

    m = torch.as_tensor(matrix).numpy()
    c = m.shape[0]
    names = list(class_names) if class_names is not None else [str(i) for i in range(c)]
    side = max(0.32 * c + 1.8, 4.0)
    fig = Figure(figsize=(side, side - 0.3), layout="constrained")
    ax = fig.add_subplot()
    ax.imshow(m, cmap="Blues")
    for i in range(c):
        for j in range(c):
            if m[i, j]:
                color = "white" if m[i, j] > m.max() / 2 else "black"
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=8, color=color)
    rotate = max(map(len, names)) > 2
    ax.set_xticks(range(c), names, rotation=45 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks(range(c), names)
    ax.set_xlabel(_("predicted"))
    ax.set_ylabel(_("true"))
    ax.set_title(_("Confusion matrix (test set)"))
    return fig


def plot_images(images: Tensor, titles: Sequence[str], ncols: int = 8) -> Figure:
    """A grid of grey images ``(N, rows, cols)`` with a title each."""
    import numpy as np
    from matplotlib.figure import Figure

    n = len(images)
    if n == 0:
        raise ValueError("images: empty, nothing to draw")
    rows = (n + ncols - 1) // ncols
    fig = Figure(figsize=(1.2 * min(n, ncols), 1.4 * rows), layout="constrained")
    axes = fig.subplots(rows, min(n, ncols), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k < n:
            ax.imshow(np.asarray(images[k]), cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(titles[k], fontsize=8)
    return fig


def plot_forecast(
    months: Sequence[str],
    truth: Sequence[float],
    forecasts: dict[str, Sequence[float]],
    history_months: Sequence[str] = (),
    history: Sequence[float] = (),
    ylabel: str = "CO2 (ppm)",
) -> Figure:
    """Held-out truth and each named forecast against time (optionally the data before it)."""
    import numpy as np
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.4), layout="constrained")
    ax = fig.add_subplot()
    n_hist = len(history)
    if n_hist:
        ax.plot(np.arange(n_hist), history, color="0.6", label=_("training data (end)"))
    x = np.arange(n_hist, n_hist + len(truth))
    ax.plot(x, truth, color="black", lw=2, label=_("truth (held out)"))
    for name, values in forecasts.items():
        ax.plot(x, values, lw=1.2, label=name)
    labels = [*history_months, *months]
    ticks = list(range(0, len(labels), max(1, len(labels) // 8)))
    ax.set_xticks(ticks, [labels[t] for t in ticks], rotation=30, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.set_title(
        _("One-step-ahead forecasts of held-out months (each from the true months before)")
    )
    return fig
