"""Figures of a :class:`~lstm_explain.gates.GateTrace`: what the gates of a real module did.

- :func:`plot_gate_heatmaps`: each gate as a heatmap of unit x time for one sample.
- :func:`plot_gate_saturation`: per unit, the share of steps a gate is near 0 vs near 1
  (Karpathy et al., "Visualizing and Understanding Recurrent Networks", 2015).
- :func:`plot_state_trajectories`: ``c`` and ``h`` of chosen units over time, under the input.
- :func:`plot_state_vs_quantity`: a unit's ``c`` / ``h`` at every step against the quantity it
  should track (e.g. the count), with the mean state for each value: is the relation a line?

Each returns a ``matplotlib.figure.Figure`` (no pyplot state); matplotlib is imported inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..gates import SIGMOID_GATES, gate_saturation
from ..i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure
    from torch import Tensor

    from ..gates import GateTrace

_DIRECTIONS = (N_("forward"), N_("backward"))
_DESCRIPTIONS = {
    "i": N_("input gate i"),
    "f": N_("forget gate f"),
    "g": N_("candidate g"),
    "o": N_("output gate o"),
    "c": N_("cell state c"),
    "h": N_("hidden state h"),
    "r": N_("reset gate r"),
    "z": N_("update gate z"),
    "n": N_("candidate n"),
}


def _check_where(trace: GateTrace, layer: int, direction: int, sample: int | None = None) -> None:
    trace.gate(trace.gate_names[0], layer, direction)  # validates layer and direction
    if sample is not None and (
        isinstance(sample, bool) or not isinstance(sample, int) or not 0 <= sample < trace.batch
    ):
        raise ValueError(
            f"sample must be an integer in [0, {trace.batch - 1}] (got sample={sample!r})"
        )


def _gate_list(trace: GateTrace, gates: Sequence[str] | None, allowed: Sequence[str]) -> list[str]:
    names = list(allowed) if gates is None else list(gates)
    bad = [g for g in names if g not in allowed]
    if bad or not names:
        raise ValueError(
            f"gates must be a non-empty subset of {list(allowed)} (got gates={gates!r})"
        )
    return names


def _colour_scale(trace: GateTrace, name: str, values: Tensor) -> dict[str, Any]:
    """Fixed ranges where the activation has one: sigmoid (0, 1), tanh (-1, 1)."""
    if name in SIGMOID_GATES:
        return {"cmap": "viridis", "vmin": 0.0, "vmax": 1.0}
    bounded = (
        name in ("g", "n")
        or (name == "h" and trace.mode != "RNN" and not trace.proj_size)
        or (name == "h" and trace.nonlinearity == "tanh")
    )
    if bounded:
        return {"cmap": "RdBu_r", "vmin": -1.0, "vmax": 1.0}
    import torch

    top = float(torch.nan_to_num(values).abs().max()) or 1.0
    return {"cmap": "RdBu_r", "vmin": -top, "vmax": top}


def _where(trace: GateTrace, layer: int, direction: int) -> str:
    where = _("{mode} layer {layer}").format(mode=trace.mode, layer=layer)
    return where + (f" {_(_DIRECTIONS[direction])}" if trace.num_directions == 2 else "")


def plot_gate_heatmaps(
    trace: GateTrace,
    layer: int = 0,
    direction: int = 0,
    sample: int = 0,
    gates: Sequence[str] | None = None,
) -> Figure:
    """One heatmap per gate: units (rows) x time steps (columns) for one sample.

    Sigmoid gates share the scale 0..1, tanh values -1..1; ``c`` (unbounded) is centred on 0.
    Steps past a packed sequence's end are blank.

    Raises:
        ValueError: for a layer, direction, sample or gate name the trace does not have.
    """
    from matplotlib.figure import Figure

    _check_where(trace, layer, direction, sample)
    names = _gate_list(trace, gates, trace.gate_names)
    steps = trace.seq_len
    fig = Figure(
        figsize=(min(2.0 + 0.12 * steps, 12.0), 0.4 + 1.5 * len(names)), layout="constrained"
    )
    axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
    for ax, name in zip(axes, names, strict=True):
        values = trace.gates[layer][direction][name][:, sample].detach().cpu().float()  # (T, H)
        image = ax.imshow(
            values.T.numpy(), aspect="auto", interpolation="nearest", origin="lower",
            **_colour_scale(trace, name, values),
        )  # fmt: skip
        ax.set_ylabel(_("{name}\nunit").format(name=name))
        ax.set_title(_(_DESCRIPTIONS[name]), fontsize=9, loc="left")
        fig.colorbar(image, ax=ax, pad=0.01)
    axes[-1].set_xlabel(_("time step t"))
    fig.suptitle(
        _("{where}, sample {sample}").format(where=_where(trace, layer, direction), sample=sample),
        fontsize=10,
    )
    return fig


def plot_gate_saturation(
    trace: GateTrace,
    layer: int = 0,
    direction: int = 0,
    gates: Sequence[str] | None = None,
    low: float = 0.1,
    high: float = 0.9,
) -> Figure:
    """Per gate, one dot per unit: share of steps below ``low`` (x) vs above ``high`` (y).

    Dots near the top-left corner are units whose gate is almost always open (``> 0.9``),
    bottom-right almost always closed, on the diagonal ``x + y = 1`` a switch that is always
    saturated one way or the other; near the origin, a gate that works in its soft middle.

    Raises:
        ValueError: for an RNN (no gates), or a gate that is not a sigmoid of this module.
    """
    from matplotlib.figure import Figure

    _check_where(trace, layer, direction)
    sigmoid = [g for g in trace.gate_names if g in SIGMOID_GATES]
    if not sigmoid:
        raise ValueError(
            f"a plain {trace.mode} has no sigmoid gates to saturate (mode={trace.mode!r})"
        )
    names = _gate_list(trace, gates, sigmoid)
    fig = Figure(figsize=(2.9 * len(names) + 0.4, 3.2), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names, strict=True):
        left, right = gate_saturation(trace, name, layer, direction, low, high)
        ax.plot([0, 1], [1, 0], color="0.7", lw=1, ls="--")
        ax.scatter(left.cpu().numpy(), right.cpu().numpy(), s=18, alpha=0.8)
        if len(left) <= 32:  # label the dots with their unit while that stays readable
            for u, (x, y) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
                ax.annotate(str(u), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=7)
        ax.set_xlim(-0.03, 1.03)
        ax.set_ylim(-0.03, 1.03)
        ax.set_aspect("equal")
        ax.set_title(_(_DESCRIPTIONS[name]), fontsize=9)
        ax.set_xlabel(_("share of steps < {low}").format(low=low))
        ax.set_ylabel(_("share of steps > {high}").format(high=high))
    fig.suptitle(
        _("gate saturation, {where}").format(where=_where(trace, layer, direction)), fontsize=10
    )
    return fig


def plot_state_trajectories(
    trace: GateTrace,
    units: Sequence[int],
    layer: int = 0,
    direction: int = 0,
    sample: int = 0,
    inputs: Sequence[str] | Tensor | None = None,
    extra_gates: Sequence[str] = (),
    overlay: Tensor | None = None,
    overlay_label: str = "target",
    marks: Tensor | Sequence[int] | None = None,
) -> Figure:
    """``c`` (LSTM) and ``h`` of the chosen units over time, aligned with the input sequence.

    Args:
        units: unit indices (each ``< hidden_size``; ``h`` shows those ``< proj_size`` if projected).
        inputs: what to show for the input: token strings (one per step, used as x tick labels),
            a ``(T,)`` or ``(T, F)`` tensor, or None for the traced layer-0 input of ``sample``.
        extra_gates: more gates to draw for the same units (e.g. ``("f",)``).
        overlay: a ``(T,)`` series drawn on a second axis of the first state panel (e.g. the
            quantity a unit should track).
        marks: steps to mark with a vertical line on every panel (indices, or a ``(T,)`` bool).

    Raises:
        ValueError: for bad layer/direction/sample, an empty or out-of-range ``units``, unknown
        gates, or inputs/overlay/marks whose length is not ``T``.
    """
    import torch
    from matplotlib.figure import Figure

    _check_where(trace, layer, direction, sample)
    units = [int(u) for u in units]
    hid = trace.hidden_size
    if not units or any(not 0 <= u < hid for u in units):
        raise ValueError(
            f"units must be a non-empty list of integers in [0, {hid - 1}] (got units={units})"
        )
    extra = _gate_list(trace, extra_gates, trace.gate_names) if extra_gates else []
    states = [s for s in ("c", "h") if s in trace.gate_names]
    panels = ["input", *states, *[g for g in extra if g not in states]]
    steps = trace.seq_len
    tokens = None
    if inputs is None:
        inputs = trace.input[:, sample]
    elif not isinstance(inputs, torch.Tensor):
        tokens = [str(s) for s in inputs]
        if len(tokens) != steps:
            raise ValueError(f"inputs must have one entry per step, T={steps} (got {len(tokens)})")
    if isinstance(inputs, torch.Tensor) and inputs.shape[0] != steps:
        raise ValueError(f"inputs must have T={steps} rows (got shape {tuple(inputs.shape)})")
    if overlay is not None and len(overlay) != steps:
        raise ValueError(f"overlay must have T={steps} values (got {len(overlay)})")
    mark_steps: list[int] = []
    if marks is not None:
        marks = torch.as_tensor(marks)
        if marks.dtype == torch.bool:
            if marks.shape != (steps,):
                raise ValueError(
                    f"marks as a mask must have shape ({steps},) (got {tuple(marks.shape)})"
                )
            marks = marks.nonzero().flatten()
        mark_steps = [int(m) for m in marks]

    time = list(range(steps))
    fig = Figure(
        figsize=(min(3.0 + 0.16 * steps, 13.0), 1.0 + 1.6 * len(panels)), layout="constrained"
    )
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, panel in zip(axes, panels, strict=True):
        if panel == "input":
            if tokens is not None:
                ax.set_yticks([])
                for t, tok in enumerate(tokens):
                    ax.text(t, 0.5, tok, ha="center", va="center", fontsize=9, family="monospace")
                ax.set_ylim(0, 1)
            else:
                values = inputs.detach().cpu().float()
                if values.dim() == 1 or values.shape[-1] == 1:
                    ax.plot(time, values.reshape(steps).numpy(), color="0.3")
                else:
                    ax.imshow(
                        values.T.numpy(), aspect="auto", interpolation="nearest", origin="lower",
                        cmap="Greys", extent=(-0.5, steps - 0.5, -0.5, values.shape[-1] - 0.5),
                    )  # fmt: skip
            ax.set_ylabel(_("input"))
            ax.set_title(
                _("{where}, sample {sample}").format(
                    where=_where(trace, layer, direction), sample=sample
                ),
                fontsize=10,
                loc="left",
            )
        else:
            values = trace.gates[layer][direction][panel][:, sample].detach().cpu().float()
            for u in units:
                if u < values.shape[-1]:
                    ax.plot(
                        time,
                        values[:, u].numpy(),
                        marker=".",
                        ms=3,
                        label=_("unit {u}").format(u=u),
                    )
            ax.set_ylabel(panel)
            ax.set_title(_(_DESCRIPTIONS[panel]), fontsize=9, loc="left")
            if panel in SIGMOID_GATES:
                ax.set_ylim(-0.05, 1.05)
            ax.axhline(0, color="0.8", lw=0.8, zorder=0)
        for m in mark_steps:
            ax.axvline(m, color="tab:red", alpha=0.25, lw=2, zorder=0)
    axes[1].legend(loc="upper left", fontsize=8, ncols=min(len(units), 4))
    if overlay is not None:
        twin = axes[1].twinx()
        twin.plot(
            time,
            torch.as_tensor(overlay).detach().cpu().float().numpy(),
            color="0.4",
            ls="--",
            lw=1,
        )
        twin.set_ylabel(overlay_label, color="0.4")
    if tokens is not None:
        axes[-1].set_xticks(time)
    axes[-1].set_xlabel(_("time step t"))
    axes[-1].set_xlim(-0.5, steps - 0.5)
    return fig


def plot_state_vs_quantity(
    trace: GateTrace,
    unit: int,
    quantity: Tensor,
    states: Sequence[str] | None = None,
    layer: int = 0,
    direction: int = 0,
    label: str = "count",
) -> Figure:
    """A unit's states at every valid step of every sample against ``quantity``: one scatter each.

    A straight-line relation shows as points along a line; the line through the mean state at
    each distinct value of ``quantity`` shows bends and saturation that a correlation hides.

    Args:
        unit: the unit (``< hidden_size``; ``< proj_size`` for a projected ``h``).
        quantity: ``(T, N)``, the value at each step (e.g. the count).
        states: which of ``"c"``, ``"h"`` to draw (default: those the trace has).
        label: the x axis label, the name of ``quantity``.

    Raises:
        ValueError: for bad layer/direction, an out-of-range ``unit``, unknown states, or a
        ``quantity`` whose shape is not ``(T, N)``.
    """
    import torch
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    _check_where(trace, layer, direction)
    allowed = [s for s in ("c", "h") if s in trace.gate_names]
    names = _gate_list(trace, states, allowed)
    gates = trace.gates[layer][direction]
    size = min(gates[s].shape[-1] for s in names)
    if isinstance(unit, bool) or not isinstance(unit, int) or not 0 <= unit < size:
        raise ValueError(f"unit must be an integer in [0, {size - 1}] (got unit={unit!r})")
    q = torch.as_tensor(quantity).detach().cpu().double()
    if tuple(q.shape) != (trace.seq_len, trace.batch):
        raise ValueError(
            f"quantity must have shape (T, N) = ({trace.seq_len}, {trace.batch})"
            f" (got {tuple(q.shape)})"
        )
    fig = Figure(figsize=(3.6 * len(names), 3.2), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names, strict=True):
        v = gates[name][..., unit].detach().cpu().double()  # (T, N)
        keep = ~torch.isnan(v)  # padded steps of a packed input are NaN
        x, y = q[keep], v[keep]
        ax.scatter(x.numpy(), y.numpy(), s=8, alpha=0.25, lw=0, label=_("one step"))
        values = torch.unique(x)
        means = torch.stack([y[x == k].mean() for k in values])
        ax.plot(values.numpy(), means.numpy(), color="tab:red", marker="o", ms=3, label=_("mean"))
        ax.set_xlabel(label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(_("{name} of unit {unit}").format(name=name, unit=unit))
        ax.set_title(_(_DESCRIPTIONS[name]), fontsize=9, loc="left")
        ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    axes[0].legend(loc="upper left", fontsize=8)
    fig.suptitle(
        _("{where}, unit {unit} against {label}").format(
            where=_where(trace, layer, direction), unit=unit, label=label
        ),
        fontsize=10,
    )
    return fig
