"""GateExplorer: pick layer, direction, sample, gate and units of a traced module; the plots follow.

Thin by design: controls -> (trace, choice) -> :mod:`lstm_explain.plotting.gates` figures and
:func:`~lstm_explain.gates.gate_saturation` numbers -> view. No math here. Views are filled from
the kernel side (``html.value = …``, ``image.value = …``), so the same code works under plain
pytest, nbval and Voila.

Example:
    >>> ex = GateExplorer(nn.LSTM(3, 6, num_layers=2), torch.randn(10, 4, 3))
    >>> ex.controls["layer"].value = 1
    >>> ex.controls["gate"].value = "f"
    >>> ex.controls["units"].value = (0, 5)
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..gates import GateTrace, gate_summary, trace_gates


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


class GateExplorer(widgets.VBox):
    """An ipywidgets Box over a :class:`~lstm_explain.gates.GateTrace`.

    Args:
        source: a ``GateTrace``, or an ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` to trace on ``x``.
        x, hx: the input (and initial state) when ``source`` is a module.
        inputs: optional labels for the input steps: one string per step (e.g. tokens) used for
            every sample, or a function ``sample -> labels``; else the traced input is drawn.
        units: the units selected at start (default: the first three).

    Attributes:
        trace: the ``GateTrace`` shown.
        controls: ``layer``, ``direction``, ``sample``, ``gate``, ``units`` widgets; set their
            ``.value`` to drive the explorer.
        stats: ``HTML`` with the chosen gate's numbers per chosen unit.
        heatmap, trajectories: ``Image`` widgets (PNG) of the two figures.

    Raises:
        ValueError: if ``source`` is a module and ``x`` is missing, or units are out of range.
    """

    def __init__(
        self,
        source: GateTrace | Any,
        x: Any = None,
        hx: Any = None,
        inputs: Sequence[str] | Callable[[int], Sequence[str]] | None = None,
        units: Sequence[int] | None = None,
    ) -> None:
        if isinstance(source, GateTrace):
            trace = source
        else:
            if x is None:
                raise ValueError("x is needed to trace a module (got x=None)")
            trace = trace_gates(source, x, hx)
        hid = trace.hidden_size
        units = tuple(range(min(3, hid))) if units is None else tuple(int(u) for u in units)
        if not units or any(not 0 <= u < hid for u in units):
            raise ValueError(f"units must be integers in [0, {hid - 1}] (got units={list(units)})")
        self.trace = trace
        self._inputs = inputs if inputs is None or callable(inputs) else list(inputs)
        default_gate = "f" if "f" in trace.gate_names else ("z" if "z" in trace.gate_names else "h")
        style = {"description_width": "70px"}
        self.controls: dict[str, widgets.ValueWidget] = {
            "layer": widgets.Dropdown(
                options=[(f"layer {k}", k) for k in range(trace.num_layers)],
                value=0,
                description="layer",
                style=style,
            ),
            "direction": widgets.ToggleButtons(
                options=[("forward", 0), ("backward", 1)][: trace.num_directions],
                value=0,
                description="direction",
                style=style,
            ),
            "sample": widgets.IntSlider(
                value=0, min=0, max=max(trace.batch - 1, 0), description="sample", style=style
            ),
            "gate": widgets.Dropdown(
                options=list(trace.gate_names), value=default_gate, description="gate", style=style
            ),
            "units": widgets.SelectMultiple(
                options=list(range(hid)),
                value=units,
                rows=min(hid, 6),
                description="units",
                style=style,
            ),
        }
        self.controls["sample"].disabled = trace.batch == 1
        self.stats = widgets.HTML()
        self.heatmap = widgets.Image(format="png")
        self.trajectories = widgets.Image(format="png")
        self.error = widgets.HTML()
        left = widgets.VBox([self.controls[k] for k in ("layer", "direction", "sample", "gate")])
        top = widgets.HBox([left, self.controls["units"], self.stats])
        super().__init__([top, self.error, self.heatmap, self.trajectories])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    # --- state ---------------------------------------------------------------------------
    @property
    def selection(self) -> dict[str, Any]:
        """The current choice: layer, direction, sample, gate, units."""
        return {k: c.value for k, c in self.controls.items()}

    def _on_change(self, change: dict[str, Any]) -> None:
        self.refresh()

    # --- view ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the figures and numbers for the current selection."""
        from ..plotting.gates import plot_gate_heatmaps, plot_state_trajectories

        s = self.selection
        units = list(s["units"])
        if not units:
            self.error.value = "<b>pick at least one unit</b>"
            return
        self.error.value = ""
        where = {"layer": s["layer"], "direction": s["direction"]}
        self.heatmap.value = _png(
            plot_gate_heatmaps(self.trace, sample=s["sample"], gates=[s["gate"]], **where)
        )
        extra = () if s["gate"] in ("c", "h") else (s["gate"],)
        labels = self._inputs(s["sample"]) if callable(self._inputs) else self._inputs
        self.trajectories.value = _png(
            plot_state_trajectories(
                self.trace,
                units,
                sample=s["sample"],
                inputs=labels,
                extra_gates=extra,
                **where,
            )
        )
        self.stats.value = self._stats_html(s["gate"], units, where)

    def _stats_html(self, gate: str, units: list[int], where: dict[str, int]) -> str:
        stats = gate_summary(self.trace, gate, **where)  # name -> (H,)
        head = "".join(f"<th>{html.escape(name)}</th>" for name in stats)
        rows = [
            f"<tr><td>unit {u}</td>"
            + "".join(
                f"<td>{float(v[u]):.0%}</td>"
                if name.startswith(("below", "above"))
                else f"<td>{float(v[u]):.3f}</td>"
                for name, v in stats.items()
            )
            + "</tr>"
            for u in units
            if u < len(stats["mean"])  # a unit beyond proj_size has no projected h
        ]
        return (
            f"<div style='font-family:monospace;font-size:12px'><b>{html.escape(gate)}</b> over all "
            f"samples and steps<table><tr><th></th>{head}</tr>{''.join(rows)}</table></div>"
        )
