"""ShapeExplorer: turn the knobs of ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` and see every shape update.

Thin by design: controls -> :class:`~lstm_explain.config.RNNConfig` ->
:func:`~lstm_explain.shapes.shape_report` -> view (summary line, the report's HTML tables and
:func:`~lstm_explain.plotting.unrolled.unrolled_svg`: the figure of ``draw_unrolled``, as SVG).
All math lives in ``shapes.py``; this module only wires widgets. Views are filled from the kernel side
(``html.value = …``, ``image.value = …``), so the same code works under plain pytest, nbval and
Voila.

Example:
    >>> ex = ShapeExplorer(mode="LSTM", input_size=100, hidden_size=20, num_layers=4,
    ...                    bidirectional=True)
    >>> ex.controls["num_layers"].value = 8
    >>> ex.report.shape("h_n")
    (16, 3, 20)
"""

from __future__ import annotations

import html
import io
import time
from collections import OrderedDict
from typing import Any

import ipywidgets as widgets

from ..config import Knob, RNNConfig
from ..plotting.unrolled import unrolled_figsize
from ..shapes import ShapeReport, fmt_shape, one_thread, report_html, shape_report

#: The explorer's columns, left to right, under the "top" row: a knob's ``control`` names one.
COLUMNS = ("sizes", "input", "switches")
#: Shown size of the diagram (its SVG is 72 pt per inch; a little larger reads well on a projector).
PX_PER_INCH = 96
DEFAULT_CONFIG = RNNConfig("LSTM", input_size=100, hidden_size=20, seq_len=5, batch=3)

_CSS = (
    "<style>.lx-summary{font-family:monospace;font-size:15px;margin:4px 0}"
    ".lx-summary b{color:#1c4f9c}.lx-error{color:#cf222e;font-family:monospace;"
    "border:1px solid #cf222e;padding:6px;margin:4px 0;white-space:pre-wrap}</style>"
)


def parse_lengths(text: str) -> tuple[int, ...] | None:
    """``"5, 3, 2"`` -> ``(5, 3, 2)``; empty -> ``None`` (no packing).

    Raises:
        ValueError: naming ``lengths`` if an entry is not an integer.
    """
    parts = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    if not parts:
        return None
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(
            f"lengths must be integers separated by commas, e.g. 5, 3, 2 (got lengths={text!r})"
        ) from None


def _ints_text(values: Any) -> str:
    """``(5, 3, 2)`` -> ``"5, 3, 2"``; ``None`` -> ``""`` (the inverse of :func:`parse_lengths`)."""
    return "" if values is None else ", ".join(map(str, values))


def summary_html(report: ShapeReport) -> str:
    """One line per tensor group, large: ``input (5, 3, 100) -> output (5, 3, 20) ...``."""
    e = html.escape
    shapes = {name: fmt_shape(t.observed) for name, t in report.tensors.items()}
    states = f"<b>h_n</b> <span class='lx-h_n'>{shapes['h_n']}</span>"
    if "c_n" in shapes:
        states += f" &nbsp; <b>c_n</b> <span class='lx-c_n'>{shapes['c_n']}</span>"
    ok = sum(k.holds for k in report.checks)
    verdict = "✓" if report.ok else "✗"
    return (
        f"{_CSS}<div class='lx-summary'><code>{e(report.header())}</code><br>"
        f"<b>input</b> <span class='lx-input'>{shapes['input']}</span> &rarr; "
        f"<b>output</b> <span class='lx-output'>{shapes['output']}</span> &nbsp; {states}"
        f" &nbsp; <span title='identity checks'>{verdict} {ok}/{len(report.checks)} checks</span>"
        "</div>"
    )


class ShapeExplorer(widgets.VBox):
    """Controls for every knob of a recurrent layer and a view that follows them.

    Attributes:
        controls: widgets keyed by RNNConfig field name (``mode``, ``input_size``,
            ``hidden_size``, ``num_layers``, ``bidirectional``, ``batch_first``, ``proj_size``,
            ``seq_len``, ``batch``, ``lengths``) plus ``unbatched`` (checked: ``batch=None``).
        report: the current :class:`ShapeReport`, or ``None`` while the controls are invalid.
        error_message: the ValueError's message while invalid, else ``None``.
        summary, tables, error: ``HTML`` widgets of the view; ``diagram``: an ``Image`` (SVG).
        refresh_count: how many times the view was rebuilt (one per change).
        timings: milliseconds the last refresh spent on the report and on the diagram.
    """

    def __init__(
        self,
        config: RNNConfig | None = None,
        *,
        diagram_format: str = "svg",
        cache_size: int = 64,
        **fields: Any,
    ) -> None:
        """Open the explorer on ``config`` (default ``nn.LSTM(100, 20)`` on ``(5, 3, 100)``),
        with any RNNConfig field overridden by keyword, e.g. ``ShapeExplorer(num_layers=4)``.

        Raises:
            ValueError: if the initial config is invalid or a keyword is not an RNNConfig field.
        """
        super().__init__()
        if diagram_format not in ("svg", "png"):
            raise ValueError(
                f"diagram_format must be 'svg' or 'png' (got diagram_format={diagram_format!r})"
            )
        unknown = sorted(set(fields) - set(RNNConfig.field_names()))
        if unknown:
            raise ValueError(
                f"unknown RNNConfig field(s) {unknown}; fields are {list(RNNConfig.field_names())}"
            )
        base = (config or DEFAULT_CONFIG).replace(**fields) if fields else config or DEFAULT_CONFIG
        if not isinstance(base, RNNConfig):
            raise ValueError(f"config must be an RNNConfig (got config={type(base).__name__})")
        # knobs without a control (bias, dropout, nonlinearity) are kept from the initial config
        self._base = base
        self._format = diagram_format
        self._cache: OrderedDict[RNNConfig, tuple[ShapeReport, bytes]] = OrderedDict()
        self._cache_size = cache_size
        self._figures: dict[tuple[float, float], Any] = {}
        self._quiet = False
        self.report: ShapeReport | None = None
        self.error_message: str | None = None
        self.refresh_count = 0
        self.timings: dict[str, Any] = {}
        self.controls = self._make_controls(base)
        self.summary = widgets.HTML()
        self.error = widgets.HTML(layout=widgets.Layout(display="none"))
        self.tables = widgets.HTML()
        self.diagram = widgets.Image(
            format="svg+xml" if diagram_format == "svg" else "png",
            layout=widgets.Layout(max_width="100%", height="auto", object_fit="contain"),
        )
        # the picture first (it is what a class looks at), the tables beside it where the screen
        # is wide enough, below it otherwise; the config line is shown once, in the summary
        self.children = [
            self._controls_box(),
            self.summary,
            self.error,
            widgets.HBox(
                [self.diagram, self.tables],
                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start"),
            ),
        ]
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self.refresh()

    # --- controls ------------------------------------------------------------------------
    # Generated from RNNConfig.knobs(): each knob with a ``control`` gets the widget of its
    # kind (choice: toggle buttons, int: slider, bool: checkbox, ints: text box), in its column.
    @staticmethod
    def _knobs() -> list[Knob]:
        """The knobs with a control, a ``none`` switch (``unbatched``) right after its field's."""
        out = []
        for knob in RNNConfig.knobs().values():
            out += [k for k in (knob, knob.none) if k is not None and k.control is not None]
        return out

    @staticmethod
    def _widget(knob: Knob, value: Any) -> widgets.Widget:
        if knob.kind == "choice":
            return widgets.ToggleButtons(
                options=list(knob.choices),
                value=value,
                description=knob.label,
                style={"button_width": "64px", "description_width": "110px"},
            )
        if knob.kind == "int":
            lo, hi = knob.range or (0, 100)
            return widgets.IntSlider(
                value=value,
                min=lo,
                max=max(hi, value),
                description=knob.label,
                continuous_update=True,
                style={"description_width": "110px"},
                layout=widgets.Layout(width="340px"),
            )
        if knob.kind == "bool":
            return widgets.Checkbox(
                value=value,
                description=knob.label,
                style={"description_width": "initial"},
                indent=False,
            )
        if knob.kind == "ints":
            return widgets.Text(
                value=_ints_text(value),
                description=knob.label,
                placeholder=knob.placeholder,
                continuous_update=False,
                style={"description_width": "110px"},
                layout=widgets.Layout(width="340px"),
            )
        raise ValueError(f"no control for a knob of kind {knob.kind!r} (knob {knob.name!r})")

    def _make_controls(self, c: RNNConfig) -> dict[str, widgets.Widget]:
        controls = {}
        for knob in RNNConfig.knobs().values():
            value = getattr(c, knob.name)
            if knob.control is not None:
                # a field that is None (batch) shows its default, and its switch is checked
                shown = knob.default if value is None and knob.none is not None else value
                controls[knob.name] = self._widget(knob, shown)
            if knob.none is not None and knob.none.control is not None:
                controls[knob.none.name] = self._widget(knob.none, value is None)
        return controls

    def _controls_box(self) -> widgets.Widget:
        by_column: dict[str, list[widgets.Widget]] = {}
        for knob in self._knobs():
            by_column.setdefault(knob.control, []).append(self.controls[knob.name])
        col = widgets.Layout(margin="0 16px 0 0")
        columns = [c for c in COLUMNS if c in by_column]
        return widgets.VBox(
            [
                *by_column.get("top", []),
                widgets.HBox(
                    [
                        widgets.VBox(by_column[c], layout=col)
                        if i < len(columns) - 1
                        else widgets.VBox(by_column[c])
                        for i, c in enumerate(columns)
                    ],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ]
        )

    # --- state ---------------------------------------------------------------------------
    def config_from_controls(self) -> RNNConfig:
        """The RNNConfig the controls stand for.

        Raises:
            ValueError: naming the field, if the controls do not form a valid config.
        """
        k = self.controls
        mode = k["mode"].value
        values: dict[str, Any] = {}
        for name, knob in RNNConfig.knobs().items():
            if knob.modes is not None and mode not in knob.modes:
                # e.g. proj_size is an LSTM knob: its (disabled) slider is ignored for RNN and GRU
                values[name] = knob.default
            elif name in k:
                value = k[name].value
                values[name] = parse_lengths(value) if knob.kind == "ints" else value
            if knob.none is not None and k[knob.none.name].value:
                values[name] = None
        # knobs without a control (bias, dropout, nonlinearity) are kept from the initial config
        return self._base.replace(**values)

    @property
    def config(self) -> RNNConfig | None:
        """The current config (``None`` while invalid)."""
        return self.report.config if self.report is not None else None

    def set(self, **values: Any) -> None:
        """Set several controls at once (keys of :attr:`controls`) with a single refresh."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"no control named {unknown}; controls are {list(self.controls)}")
        self._quiet = True
        try:
            for name, value in values.items():
                w = self.controls[name]
                if isinstance(w, widgets.Text) and not isinstance(value, str):
                    value = _ints_text(value)
                if isinstance(w, widgets.IntSlider) and value > w.max:
                    w.max = value
                w.value = value
        finally:
            self._quiet = False
        self.refresh()

    def _on_change(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self.refresh()

    # --- view ----------------------------------------------------------------------------
    def _render(self, report: ShapeReport) -> bytes:
        """The unrolled diagram as SVG (written directly, ~1 ms) or PNG (matplotlib, one Figure
        reused per size)."""
        from ..plotting.unrolled import draw_unrolled, unrolled_svg

        if self._format == "svg":
            return unrolled_svg(report, title=False).encode()
        from matplotlib.figure import Figure

        size = unrolled_figsize(report.config, title=False)
        fig = self._figures.get(size)
        if fig is None:
            fig = Figure(figsize=size, dpi=72)
            fig.add_axes((0, 0, 1, 1))
            self._figures[size] = fig
        draw_unrolled(report, ax=fig.axes[0], title=False)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi="figure", pil_kwargs={"compress_level": 1})
        return buf.getvalue()

    def _compute(self, config: RNNConfig) -> tuple[ShapeReport, bytes]:
        hit = self._cache.get(config)
        if hit is not None:
            self._cache.move_to_end(config)
            self.timings = {"report_ms": 0.0, "diagram_ms": 0.0, "cached": True}
            return hit
        start = time.perf_counter()
        with one_thread():
            report = shape_report(config)
        mid = time.perf_counter()
        result = (report, self._render(report))
        self.timings = {
            "report_ms": (mid - start) * 1e3,
            "diagram_ms": (time.perf_counter() - mid) * 1e3,
            "cached": False,
        }
        self._cache[config] = result
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return result

    def clear_cache(self) -> None:
        """Forget computed reports and diagrams (benchmarks time the cold path)."""
        self._cache.clear()

    def refresh(self) -> None:
        """Rebuild report and view from the controls; an invalid value is shown, not raised."""
        self.refresh_count += 1
        k = self.controls
        mode = k["mode"].value
        for name, knob in RNNConfig.knobs().items():
            if name in k and knob.modes is not None:
                k[name].disabled = mode not in knob.modes
            if name in k and knob.none is not None:
                k[name].disabled = k[knob.none.name].value
        try:
            config = self.config_from_controls()
            report, image = self._compute(config)
        except Exception as exc:  # shown in the view: a widget callback must not raise
            self._show_error(exc)
            return
        self.report = report
        self.error_message = None
        self.error.value = ""
        self.error.layout.display = "none"
        self.summary.value = summary_html(report)
        # the report's own header line repeats the summary's: leave it out
        header = f"<p><code>{html.escape(report.header())}</code></p>"
        self.tables.value = report_html(report).replace(header, "", 1)
        self.diagram.value = image
        # natural size (an <img> of an SVG would otherwise stretch to the page's width)
        width_in, _ = unrolled_figsize(report.config, title=False)
        self.diagram.layout.width = f"{round(width_in * PX_PER_INCH)}px"
        self.diagram.layout.display = None

    def _show_error(self, exc: Exception) -> None:
        self.report = None
        kind = "" if isinstance(exc, ValueError) else f"{type(exc).__name__}: "
        self.error_message = kind + str(exc)
        self.error.value = (
            f"{_CSS}<div class='lx-error'>✗ invalid configuration: "
            f"{html.escape(kind + str(exc))}</div>"
        )
        self.error.layout.display = None
        self.summary.value = ""
        self.tables.value = ""
        self.diagram.layout.display = "none"

    def shapes_line(self) -> str:
        """The current shapes in one line, e.g. ``input (5, 3, 100) -> output (5, 3, 20) | h_n
        (1, 3, 20)``; or the error message while the controls are invalid."""
        if self.report is None:
            return f"invalid: {self.error_message}"
        t = {name: fmt_shape(v.observed) for name, v in self.report.tensors.items()}
        states = "  ".join(f"{n} {t[n]}" for n in ("h_n", "c_n") if n in t)
        return f"input {t['input']} -> output {t['output']}  |  {states}"

    def view_text(self) -> str:
        """The text the view shows now (HTML tags stripped), for tests and notebooks."""
        import re

        parts = [self.error.value, self.summary.value, self.tables.value]
        text = re.sub(r"<style>.*?</style>", "", " ".join(parts), flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", " ", text))
