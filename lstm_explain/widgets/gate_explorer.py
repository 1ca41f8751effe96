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
from ..i18n import N_, _, get_language, normalize_language, use_language
from .language import Bilingual, language_toggle
from .snapshot import FONT, MONO, NOTE_STYLE, Snapshot, data_uri_img

#: CSS px per inch of a figure as shown (the browser's own inch), and the PNG's pixels per inch:
#: drawn at 1.5x and shown at its natural CSS size, a figure stays sharp (never stretched).
SHOWN_DPI = 96
PNG_DPI = 144


def _png(fig: Any) -> tuple[bytes, int]:
    """The figure as PNG, and the width (CSS px) to show it at."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, pil_kwargs={"compress_level": 1})
    return buf.getvalue(), round(fig.get_figwidth() * SHOWN_DPI)


#: The controls' labels and the numbers' headings, marked for the catalog (translated when shown).
_LABELS = (N_("layer"), N_("direction"), N_("sample"), N_("gate"), N_("units"))
_STATS = (N_("mean"), N_("min"), N_("max"), N_("below_0.1"), N_("above_0.9"))

_CELL = "padding:3px 10px;border-bottom:1px solid #d0d7de;white-space:nowrap"


class GateExplorer(Bilingual, widgets.VBox):
    """An ipywidgets Box over a :class:`~lstm_explain.gates.GateTrace`.

    Args:
        source: a ``GateTrace``, or an ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` to trace on ``x``.
        x, hx: the input (and initial state) when ``source`` is a module.
        inputs: optional labels for the input steps: one string per step (e.g. tokens) used for
            every sample, or a function ``sample -> labels``; else the traced input is drawn.
        units: the units selected at start (default: the first three).
        lang: the language of labels, numbers' headings and figures (``"en"``, ``"zh_CN"``;
            default: the language in effect). The 中文 / English switch under the controls
            changes it in place, keeping the selection (also :attr:`lang`).

    Attributes:
        trace: the ``GateTrace`` shown.
        controls: ``layer``, ``direction``, ``sample``, ``gate``, ``units`` widgets; set their
            ``.value`` to drive the explorer.
        stats: ``HTML`` with the chosen gate's numbers per chosen unit (empty, with a message in
            ``error``, while no unit is chosen).
        heatmap, trajectories: ``Image`` widgets (PNG drawn at 1.5x, shown at natural size) of
            the two figures; the trajectories are hidden while no unit is chosen.

    Displayed, it also carries a static snapshot of its state as ``text/html``
    (:meth:`snapshot`), shown where the live widget cannot be (no kernel, untrusted).

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
        lang: str | None = None,
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
        self._lang = get_language() if lang is None else normalize_language(lang)
        self._quiet = False
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
        self.stats = widgets.HTML(layout=widgets.Layout(overflow="auto", max_width="100%"))

        def natural() -> widgets.Layout:
            return widgets.Layout(height="auto", align_self="flex-start", max_width="none")

        self.heatmap = widgets.Image(format="png", layout=natural())
        self.trajectories = widgets.Image(format="png", layout=natural())
        self.error = widgets.HTML()
        self._pngs: dict[str, tuple[bytes, int]] = {}
        #: The 中文 / English switch (its value is :attr:`lang`).
        self.language = language_toggle(self._lang, 250)
        self.language.observe(self._on_language, names="value")
        self._relabel()
        left = widgets.VBox(
            [self.controls[k] for k in ("layer", "direction", "sample", "gate", "units")]
            + [self.language],
            layout=widgets.Layout(flex="0 0 auto", width="260px"),
        )
        right = widgets.VBox(
            [self.error, self.stats, self.heatmap, self.trajectories],
            layout=widgets.Layout(flex="1 1 480px", min_width="0", overflow="auto"),
        )
        super().__init__([widgets.HBox([left, right], layout=widgets.Layout(flex_flow="row wrap"))])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    # --- state ---------------------------------------------------------------------------
    @property
    def selection(self) -> dict[str, Any]:
        """The current choice: layer, direction, sample, gate, units."""
        return {k: c.value for k, c in self.controls.items()}

    @property
    def stats_units(self) -> tuple[int, ...]:
        """The units whose statistics the stats table shows now (empty when none is picked)."""
        return getattr(self, "_stats_units", ())

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self.refresh()

    def _relabel(self) -> None:
        """Labels in the current language. A Dropdown's or ToggleButtons' new options would reset
        its value: each is put back, quietly, so the selection stays."""
        c = self.controls
        kept = self.selection
        self._quiet = True
        try:
            with use_language(self._lang):
                for name in c:
                    c[name].description = _(name)
                c["layer"].options = [
                    (_("layer {k}").format(k=k), k) for k in range(self.trace.num_layers)
                ]
                c["direction"].options = [(_("forward"), 0), (_("backward"), 1)][
                    : self.trace.num_directions
                ]
                c["layer"].value = kept["layer"]
                c["direction"].value = kept["direction"]
        finally:
            self._quiet = False

    # --- view ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw the figures and numbers for the current selection."""
        with use_language(self._lang):
            self._refresh()

    def _refresh(self) -> None:
        from ..plotting.gates import plot_gate_heatmaps, plot_state_trajectories

        s = self.selection
        units = list(s["units"])
        where = {"layer": s["layer"], "direction": s["direction"]}
        self._show(
            "heatmap",
            plot_gate_heatmaps(self.trace, sample=s["sample"], gates=[s["gate"]], **where),
        )
        if not units:  # no stale numbers or curves: they belonged to other units
            self.error.value = (
                "<div style='color:#a40e26;padding:4px 0'>"
                + _("pick at least one unit (ctrl/cmd-click in <b>{units}</b>)").format(
                    units=html.escape(_("units"))
                )
                + "</div>"
            )
            self.stats.value = ""
            self._stats_units = ()
            self.trajectories.layout.display = "none"
            self._pngs.pop("trajectories", None)
            return
        self.error.value = ""
        extra = () if s["gate"] in ("c", "h") else (s["gate"],)
        labels = self._inputs(s["sample"]) if callable(self._inputs) else self._inputs
        self._show(
            "trajectories",
            plot_state_trajectories(
                self.trace,
                units,
                sample=s["sample"],
                inputs=labels,
                extra_gates=extra,
                **where,
            ),
        )
        self.trajectories.layout.display = None
        self.stats.value = self._stats_html(s["gate"], units, where)
        self._stats_units = tuple(units)

    def _show(self, name: str, fig: Any) -> None:
        data, width = _png(fig)
        self._pngs[name] = (data, width)
        image = getattr(self, name)
        image.value = data
        image.layout.width = f"{width}px"  # natural size: not stretched to the box

    def _stats_html(self, gate: str, units: list[int], where: dict[str, int]) -> str:
        stats = gate_summary(self.trace, gate, **where)  # name -> (H,)
        th = f"{_CELL};text-align:right;font-weight:600;border-bottom:2px solid #8c959f"
        head = "".join(f"<th style='{th}'>{html.escape(_(name))}</th>" for name in stats)
        num = f"{_CELL};text-align:right;font-variant-numeric:tabular-nums"
        rows = [
            f"<tr><td style='{_CELL}'>{html.escape(_('unit {u}').format(u=u))}</td>"
            + "".join(
                f"<td style='{num}'>{float(v[u]):.0%}</td>"
                if name.startswith(("below", "above"))
                else f"<td style='{num}'>{float(v[u]):.3f}</td>"
                for name, v in stats.items()
            )
            + "</tr>"
            for u in units
            if u < len(stats["mean"])  # a unit beyond proj_size has no projected h
        ]
        where_text = _("layer {layer}, {direction}").format(
            layer=where["layer"], direction=(_("forward"), _("backward"))[where["direction"]]
        )
        over = _("({where}) over all samples and steps").format(where=where_text)
        return (
            f"<div class='lx-gate-stats' style=\"{MONO};font-size:13px\"><b>{html.escape(gate)}</b>"
            f" {html.escape(over)}"
            f"<table style='border-collapse:collapse;margin:4px 0'><tr><th style='{th}'></th>"
            f"{head}</tr>{''.join(rows)}</table></div>"
        )

    # --- static view -----------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current state as static HTML: the numbers and both figures (inline styles,
        PNGs as ``data:`` URIs). Display it to keep this moment in a notebook."""
        s = self.selection
        with use_language(self._lang):
            note = _(
                "Gate explorer (a snapshot: layer {layer}, {direction}, sample {sample}, gate "
                "{gate}, units {units}; run the notebook to explore)"
            ).format(
                layer=s["layer"],
                direction=(_("forward"), _("backward"))[s["direction"]],
                sample=s["sample"],
                gate=html.escape(s["gate"]),
                units=list(s["units"]),
            )
        parts = [
            f'<div style="{NOTE_STYLE}">{note}</div>',
            self.error.value,
            self.stats.value,
        ]
        for name in ("heatmap", "trajectories"):
            if name in self._pngs:
                data, width = self._pngs[name]
                img = data_uri_img(data, "image/png", name, f"width:{width}px;max-width:none")
                parts.append(f"<div style='overflow-x:auto;max-width:100%'>{img}</div>")
        return Snapshot(
            f"<div class='lx-snapshot' style=\"{FONT}\">{''.join(parts)}</div>", repr(self)
        )

    def __repr__(self) -> str:
        s = self.selection
        return (
            f"<GateExplorer: {self.trace.mode} layer {s['layer']}, direction {s['direction']}, "
            f"sample {s['sample']}, gate {s['gate']}, units {list(s['units'])}>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, plus its snapshot as ``text/html`` for front ends without a kernel."""
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = repr(self)
        data["text/html"] = self.snapshot().html
        return data
