"""Figures of training through time: the gradient at every step, clipping, memory against distance.

Each function returns a matplotlib ``Figure`` (data from ``lstm_explain.bptt`` and
``lstm_explain.memory_tasks``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from torch import Tensor

from ..i18n import N_, _, tr

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from ..bptt import RecallRun

_COLORS = {"RNN": "tab:red", "LSTM": "tab:blue", "GRU": "tab:green"}
#: Marker and line style per mode, so that equal curves (LSTM and GRU at 1.0) stay visible.
_STYLES = {"RNN": ("o", "-", 6), "LSTM": ("s", "-", 9), "GRU": ("^", "--", 5)}


def _color(name: str, k: int) -> str:
    for mode, color in _COLORS.items():
        if name.startswith(mode):
            return color
    return f"C{k}"


def plot_state_gradients(
    gradients: Mapping[str, Tensor], title: str = N_("Gradient of the loss at every step")
) -> Figure:
    """``‖∂L/∂h_t‖`` ``(T,)`` per layer, divided by its value at the last step, on a log scale.

    Names that start with the same mode (``"LSTM"``, ``"LSTM, f open"``) share a colour; the
    second one is dashed.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 3.4), layout="constrained")
    ax = fig.add_subplot()
    seen: set[str] = set()
    for k, (name, g) in enumerate(gradients.items()):
        color = _color(name, k)
        ratio = (g / g[-1]).detach().numpy()
        ax.plot(
            range(len(ratio)), ratio, color=color, ls="--" if color in seen else "-", label=name
        )
        seen.add(color)
    ax.set_yscale("log")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_xlabel(_("step t (the loss reads the last one)"))
    ax.set_ylabel(r"$\|\partial L/\partial h_t\| \;/\; \|\partial L/\partial h_{T-1}\|$")
    ax.set_title(tr(title))
    ax.legend(fontsize=8, loc="best")
    return fig


def plot_clipping(runs: Mapping[str, RecallRun]) -> Figure:
    """Loss (left) and gradient norm (right) per training step for each run, log scales.

    The gradient norm is drawn before clipping (solid) and, for a clipped run, after (dotted).
    Steps whose loss is ``nan`` or ``inf`` are left out; a cross at the top marks the first.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.2), layout="constrained")
    ax_loss, ax_norm = fig.subplots(1, 2)
    for k, (name, run) in enumerate(runs.items()):
        color = f"C{k}"
        steps = range(1, len(run.loss) + 1)
        loss = [v if math.isfinite(v) else math.nan for v in run.loss]
        ax_loss.plot(steps, loss, color=color, label=name)
        bad = next((s for s, v in zip(steps, run.loss, strict=True) if not math.isfinite(v)), None)
        if bad is not None:
            ax_loss.plot(
                [bad], [1.0], marker="x", color=color, ms=9, transform=ax_loss.get_xaxis_transform()
            )
            ax_loss.annotate(
                _("not finite from step {step}").format(step=bad),
                (bad, 0.93),
                xycoords=ax_loss.get_xaxis_transform(),
                fontsize=8,
                color=color,
                ha="left",
            )
        before = [v if math.isfinite(v) else math.nan for v in run.norm_before]
        ax_norm.plot(
            steps, before, color=color, label=_("{name}: before clipping").format(name=name)
        )
        if run.max_norm is not None:
            ax_norm.plot(
                steps,
                run.norm_after,
                color=color,
                ls=":",
                label=_("{name}: after").format(name=name),
            )
    for ax, what in ((ax_loss, _("training loss")), (ax_norm, _("gradient norm"))):
        ax.set_yscale("log")
        ax.set_xlabel(_("training step"))
        ax.set_ylabel(what)
    ax_loss.legend(fontsize=8, loc="center right")
    ax_norm.legend(fontsize=7, loc="best")
    ax_loss.set_title(_("Loss"))
    ax_norm.set_title(_("Gradient norm"))
    return fig


def plot_accuracy_by_distance(
    accuracy: Mapping[str, Mapping[int, float]], num_symbols: int = 4
) -> Figure:
    """Test accuracy against the distance to remember, one line per mode, chance dashed."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 3.2), layout="constrained")
    ax = fig.add_subplot()
    for k, (mode, by_distance) in enumerate(accuracy.items()):
        distances = sorted(by_distance)
        ax.plot(
            distances,
            [by_distance[d] for d in distances],
            marker=_STYLES.get(mode, ("o", "-", 6))[0],
            ls=_STYLES.get(mode, ("o", "-", 6))[1],
            ms=_STYLES.get(mode, ("o", "-", 6))[2],
            color=_color(mode, k),
            label=mode,
        )
        ax.set_xticks(distances)
    ax.axhline(
        1 / num_symbols,
        color="grey",
        ls="--",
        lw=1,
        label=_("chance (1/{n})").format(n=num_symbols),
    )
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(_("distance: steps between the symbol and the read-out"))
    ax.set_ylabel(_("test accuracy"))
    ax.set_title(_('"Remember the first token"'))
    ax.legend(fontsize=8, loc="lower left")
    return fig
