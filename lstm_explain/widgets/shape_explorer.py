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
import re
import time
from collections import OrderedDict
from typing import Any

import ipywidgets as widgets

from ..config import Knob, RNNConfig
from ..i18n import N_, _, get_language, normalize_language, use_language
from ..plotting.unrolled import unrolled_figsize
from ..shapes import ShapeReport, fmt_shape, one_thread, shape_report
from .language import Bilingual, language_toggle
from .snapshot import FONT, MONO, NOTE_STYLE, Snapshot, data_uri_img, error_html

#: The order in which the knobs' controls are stacked in the controls column.
COLUMNS = ("top", "sizes", "input", "switches")
#: Smallest label of the diagram, in the SVG's points, and the smallest size it may be shown at
#: (CSS px, at ``text_scale=1``): the diagram scales with the space it has, never below this.
DIAGRAM_MIN_FONT = 9.0
MIN_LABEL_PX = 12.0
#: The largest it grows to, relative to the smallest (a wide screen fills, within reason).
MAX_GROWTH = 1.6
#: Width of the controls column and of a control's label, px.
CONTROLS_WIDTH = 330
LABEL_WIDTH = 112
DEFAULT_CONFIG = RNNConfig("LSTM", input_size=100, hidden_size=20, seq_len=5, batch=3)
#: Tooltips of the text-size buttons (translated when shown).
TEXT_SIZE_TIPS = (N_("as designed"), N_("larger"), N_("for the back of the room"))


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


def summary_html(report: ShapeReport, text_scale: float = 1.0) -> str:
    """The config line, then the shapes, large: ``input (5, 3, 100) → output (5, 3, 20)  h_n …``.

    Inline styles only (it is also part of the static snapshot). Each shape sits in a
    ``<span class='lx-NAME'>`` (``lx-input``, ``lx-output``, ``lx-h_n``, ``lx-c_n``).
    """
    e = html.escape
    shapes = {name: fmt_shape(t.observed) for name, t in report.tensors.items()}
    name_style = "color:#1c4f9c;font-weight:600"

    def item(name: str) -> str:
        return (
            f"<span style='{name_style}'>{name}</span>&nbsp;<span class='lx-{name}'>"
            f"{shapes[name]}</span>"
        )

    states = " &nbsp; ".join(item(n) for n in ("h_n", "c_n") if n in shapes)
    ok = sum(k.holds for k in report.checks)
    checks = _("{ok}/{total} checks").format(ok=ok, total=len(report.checks))
    verdict = (
        f"<span style='color:#1a7f37'>✓ {checks}</span>"
        if report.ok
        else f"<span style='color:#cf222e'>✗ {checks}</span>"
    )
    size, small = round(17 * text_scale), round(15 * text_scale)
    title = e(_("identity checks"))
    return (
        f"<div class='lx-summary' style=\"{MONO};font-size:{size}px;line-height:1.45;"
        f"margin:0 0 6px 0\"><div style='font-size:{small}px;color:#24292f'>"
        f"<code>{e(report.header())}</code> &nbsp; <span title='{title}'>{verdict}</span>"
        f"</div>{item('input')} &rarr; {item('output')} &nbsp;&nbsp; {states}</div>"
    )


def _strip_header(tables: str, header: str) -> str:
    """The report's HTML without its header line (the summary shows it once)."""
    h = re.escape(html.escape(header))
    pattern = rf"<(p|div)[^>]*>\s*(?:<code[^>]*>)?\s*{h}\s*(?:</code>)?\s*</\1>"
    return re.sub(pattern, "", tables, count=1)


class ShapeExplorer(Bilingual, widgets.HBox):
    """Controls for every knob of a recurrent layer and a view that follows them.

    The controls stand in a column on the left, the results beside them (the summary line, the
    unrolled diagram, then the tables); on a narrow page the results wrap below the controls.
    Displayed, the explorer also carries a static snapshot of its state as ``text/html`` (see
    :mod:`lstm_explain.widgets.snapshot`), shown wherever the live widget cannot be.

    Attributes:
        controls: widgets keyed by RNNConfig field name (``mode``, ``input_size``,
            ``hidden_size``, ``num_layers``, ``bidirectional``, ``batch_first``, ``proj_size``,
            ``seq_len``, ``batch``, ``lengths``) plus ``unbatched`` (checked: ``batch=None``).
            The ``proj_size`` slider ends at ``hidden_size - 1`` (:meth:`set` can go beyond it,
            to show PyTorch's error).
        report: the current :class:`ShapeReport`, or ``None`` while the controls are invalid.
        error_message: the ValueError's message while invalid, else ``None``.
        summary, diagram, tables: ``HTML`` widgets of the view (the diagram is inline SVG). While
            the controls are invalid the summary shows the message and the last valid diagram
            and tables stay in place, dimmed.
        image: the diagram's bytes as rendered (SVG text, or PNG with ``diagram_format="png"``).
        refresh_count: how many times the view was rebuilt (one per change).
        timings: milliseconds the last refresh spent on the report and on the diagram.
    """

    def __init__(
        self,
        config: RNNConfig | None = None,
        *,
        diagram_format: str = "svg",
        cache_size: int = 64,
        text_scale: float = 1.0,
        text_size_control: bool = False,
        lang: str | None = None,
        **fields: Any,
    ) -> None:
        """Open the explorer on ``config`` (default ``nn.LSTM(100, 20)`` on ``(5, 3, 100)``),
        with any RNNConfig field overridden by keyword, e.g. ``ShapeExplorer(num_layers=4)``.

        ``text_scale`` sizes the results' text (1.5 for a far projector); ``text_size_control``
        adds a "text size" switch (100 % / 125 % / 150 %) under the controls, as the classroom app
        does. ``lang`` (``"en"``, ``"zh_CN"``; default: the language in effect) is the language of
        its labels and results; the 中文 / English switch under the controls changes it in place,
        keeping every value (also :attr:`lang`).

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
        self._cache: OrderedDict[tuple[RNNConfig, str], tuple[ShapeReport, bytes]] = OrderedDict()
        self._cache_size = cache_size
        self._figures: dict[tuple[float, float], Any] = {}
        self._quiet = False
        self._text_scale = _check_scale(text_scale)
        self._lang = get_language() if lang is None else normalize_language(lang)
        self._shown: tuple[str, str] | None = None  # last valid (diagram, tables) HTML
        self.report: ShapeReport | None = None
        self.error_message: str | None = None
        self.image = b""
        self.refresh_count = 0
        self.timings: dict[str, Any] = {}
        with use_language(self._lang):
            self.controls = self._make_controls(base)
        self.summary = widgets.HTML(layout=widgets.Layout(min_height="58px"))
        self.diagram = widgets.HTML()
        self.tables = widgets.HTML()
        results = widgets.VBox(
            [self.summary, self.diagram, self.tables],
            layout=widgets.Layout(flex="1 1 560px", min_width="0", overflow="visible"),
        )
        controls_box = self._controls_box()
        self.text_size: widgets.ToggleButtons | None = None
        if text_size_control:
            options = [("100%", 1.0), ("125%", 1.25), ("150%", 1.5)]
            if self._text_scale not in dict(options).values():
                options.append((f"{self._text_scale:.0%}", self._text_scale))
            self.text_size = widgets.ToggleButtons(
                options=options,
                value=self._text_scale,
                description="text size",
                tooltips=list(TEXT_SIZE_TIPS[: len(options)]),
                style={
                    "description_width": f"{LABEL_WIDTH}px",
                    "button_width": f"{(CONTROLS_WIDTH - LABEL_WIDTH - 24) // len(options)}px",
                },
                layout=widgets.Layout(
                    width=f"{CONTROLS_WIDTH}px", margin="12px 0 0 0", display="flex"
                ),
            )
            self.text_size.observe(self._on_text_size, names="value")
            controls_box.children = (*controls_box.children, self.text_size)
        #: The 中文 / English switch (its value is :attr:`lang`).
        self.language = language_toggle(self._lang, CONTROLS_WIDTH)
        self.language.observe(self._on_language, names="value")
        controls_box.children = (*controls_box.children, self.language)
        self._relabel()
        self.children = [controls_box, results]
        self.layout.flex_flow = "row wrap"
        self.layout.align_items = "flex-start"
        self.layout.grid_gap = "8px 20px"
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self._sync_bounds()
        self.refresh()

    # --- controls ------------------------------------------------------------------------
    # Generated from RNNConfig.knobs(): each knob with a ``control`` gets the widget of its
    # kind (choice: toggle buttons, int: slider, bool: checkbox, ints: text box), in one column.
    @staticmethod
    def _knobs() -> list[Knob]:
        """The knobs with a control, a ``none`` switch (``unbatched``) right after its field's."""
        out = []
        for knob in RNNConfig.knobs().values():
            out += [k for k in (knob, knob.none) if k is not None and k.control is not None]
        return out

    @staticmethod
    def _widget(knob: Knob, value: Any) -> widgets.Widget:
        label = {"description_width": f"{LABEL_WIDTH}px"}
        row = widgets.Layout(width=f"{CONTROLS_WIDTH}px")
        if knob.kind == "choice":
            # one row like the sliders: label on the left, the buttons beside it
            return widgets.ToggleButtons(
                options=list(knob.choices),
                value=value,
                description=knob.label,
                style={**label, "button_width": f"{(CONTROLS_WIDTH - LABEL_WIDTH - 24) // 3}px"},
                layout=widgets.Layout(width=f"{CONTROLS_WIDTH}px", display="flex"),
            )
        if knob.kind == "int":
            lo, hi = knob.range or (0, 100)
            return widgets.IntSlider(
                value=value,
                min=lo,
                max=max(hi, value),
                description=knob.label,
                continuous_update=True,
                style=label,
                layout=row,
            )
        if knob.kind == "bool":
            # indented, under the sliders (not by the full label width: the labels are long)
            return widgets.Checkbox(
                value=value,
                description=knob.label,
                style={"description_width": f"{LABEL_WIDTH - 40}px"},
                indent=True,
                layout=row,
            )
        if knob.kind == "ints":
            return widgets.Text(
                value=_ints_text(value),
                description=knob.label,
                placeholder=knob.placeholder,
                continuous_update=False,
                style=label,
                layout=row,
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
        ordered = [w for c in COLUMNS for w in by_column.get(c, [])]
        ordered += [w for c, ws in by_column.items() if c not in COLUMNS for w in ws]
        return widgets.VBox(
            ordered, layout=widgets.Layout(flex="0 0 auto", width=f"{CONTROLS_WIDTH + 10}px")
        )

    def _sync_bounds(self) -> None:
        """The rules the sliders can follow: ``proj_size`` ends at ``hidden_size - 1``."""
        proj, hidden = self.controls.get("proj_size"), self.controls.get("hidden_size")
        if proj is None or hidden is None:
            return
        quiet, self._quiet = self._quiet, True
        try:
            proj.max = max(hidden.value - 1, 0)  # clamps a larger value down (ipywidgets)
        finally:
            self._quiet = quiet

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

    @property
    def text_scale(self) -> float:
        """Size of the results' text and diagram (1.0 = as designed; 1.5 for a far projector)."""
        return self._text_scale

    @text_scale.setter
    def text_scale(self, value: float) -> None:
        self._text_scale = _check_scale(value)
        self.refresh()

    def _on_text_size(self, change: dict[str, Any]) -> None:
        self.text_scale = change["new"]

    def _relabel(self) -> None:
        """Every label in the current language; values (and options) untouched."""
        with use_language(self._lang):
            for knob in self._knobs():
                w = self.controls[knob.name]
                w.description = _(knob.label)
                if knob.placeholder:
                    w.placeholder = _(knob.placeholder)
            if self.text_size is not None:
                self.text_size.description = _("text size")
                self.text_size.tooltips = [_(t) for t in TEXT_SIZE_TIPS][
                    : len(self.text_size.options)
                ]

    def set(self, **values: Any) -> None:
        """Set several controls at once (keys of :attr:`controls`) with a single refresh.

        A value beyond a slider's end widens the slider (so ``set(proj_size=20)`` with
        ``hidden_size=20`` shows PyTorch's error instead of being clamped).
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"no control named {unknown}; controls are {list(self.controls)}")
        self._quiet = True
        try:
            if "hidden_size" in values:
                self.controls["hidden_size"].value = values["hidden_size"]
                self._sync_bounds()
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
        if self._quiet:
            return
        if change.get("owner") is self.controls.get("hidden_size"):
            self._sync_bounds()
        self.refresh()

    # --- view ----------------------------------------------------------------------------
    def _render(self, report: ShapeReport) -> bytes:
        """The unrolled diagram as SVG (written directly, ~1 ms; labels enlarged for a screen) or
        PNG (matplotlib, one Figure reused per size)."""
        from ..plotting.unrolled import draw_unrolled, unrolled_svg

        if self._format == "svg":
            return unrolled_svg(report, title=False, min_font=DIAGRAM_MIN_FONT).encode()
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
        key = (config, self._lang)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
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
        self._cache[key] = result
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return result

    def clear_cache(self) -> None:
        """Forget computed reports and diagrams (benchmarks time the cold path)."""
        self._cache.clear()

    def _diagram_html(self, image: bytes) -> str:
        """The diagram for the live view: inline SVG that fills the width it has, between the
        size where its smallest label is ``MIN_LABEL_PX * text_scale`` and ``MAX_GROWTH`` times
        that; below it the box scrolls sideways rather than shrink the labels."""
        if self._format == "png":
            return data_uri_img(image, "image/png", "unrolled network", "max-width:none")
        svg = image.decode()
        lo = diagram_min_width(svg, self._text_scale)
        style = f"width:100%;height:auto;min-width:{lo}px;max-width:{round(lo * MAX_GROWTH)}px"
        svg = svg.replace("<svg ", f'<svg class="lx-diagram" style="{style}" ', 1)
        return f"<div style='overflow-x:auto;max-width:100%'>{svg}</div>"

    def _tables_html(self, report: ShapeReport) -> str:
        tables = _strip_header(report._repr_html_(), report.header())
        zoom = "" if self._text_scale == 1 else f"zoom:{self._text_scale:g};"
        return f"<div style='{zoom}overflow-x:auto;max-width:100%'>{tables}</div>"

    def refresh(self) -> None:
        """Rebuild report and view from the controls; an invalid value is shown, not raised."""
        with use_language(self._lang):
            self._refresh()

    def _refresh(self) -> None:
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
        self.image = image
        diagram, tables = self._diagram_html(image), self._tables_html(report)
        self._shown = (diagram, tables)
        self.summary.value = summary_html(report, self._text_scale)
        self.diagram.value = diagram
        self.tables.value = tables

    def _show_error(self, exc: Exception) -> None:
        """The message where the summary was; the last valid picture stays, dimmed, so the
        layout does not jump."""
        self.report = None
        kind = "" if isinstance(exc, ValueError) else f"{type(exc).__name__}: "
        self.error_message = kind + str(exc)
        self.summary.value = error_html(self.error_message)
        if self._shown is not None:
            dim = "opacity:0.3;filter:grayscale(1);pointer-events:none"
            self.diagram.value = f"<div style='{dim}'>{self._shown[0]}</div>"
            self.tables.value = f"<div style='{dim}'>{self._shown[1]}</div>"

    def shapes_line(self) -> str:
        """The current shapes in one line, e.g. ``input (5, 3, 100) -> output (5, 3, 20) | h_n
        (1, 3, 20)``; or the error message while the controls are invalid."""
        if self.report is None:
            with use_language(self._lang):
                return _("invalid: {message}").format(message=self.error_message)
        t = {name: fmt_shape(v.observed) for name, v in self.report.tensors.items()}
        states = "  ".join(f"{n} {t[n]}" for n in ("h_n", "c_n") if n in t)
        return f"input {t['input']} -> output {t['output']}  |  {states}"

    def view_text(self) -> str:
        """The text the view shows now (HTML tags stripped), for tests and notebooks."""
        parts = [self.summary.value, self.tables.value]
        text = re.sub(r"<style>.*?</style>", "", " ".join(parts), flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", " ", text))

    # --- static view -----------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The current state as static HTML (summary, diagram, tables; inline styles only).

        Display it to keep this moment in a notebook: ``explorer.snapshot()`` shows the state
        as it is now, whatever the explorer is set to later, with or without a kernel.
        """
        with use_language(self._lang):
            return self._snapshot()

    def _snapshot(self) -> Snapshot:
        if self.report is None:
            body = error_html(self.error_message or "")
            text = f"<ShapeExplorer snapshot: invalid: {self.error_message}>"
        else:
            from ..plotting.unrolled import unrolled_svg

            svg = unrolled_svg(self.report, title=False, min_font=DIAGRAM_MIN_FONT)
            width = diagram_min_width(svg, 1.0)
            img = data_uri_img(
                svg.encode(),
                "image/svg+xml",
                _("unrolled network: {shapes}").format(shapes=self.shapes_line()),
                f"width:{width}px;max-width:none;height:auto",
            )
            body = (
                summary_html(self.report)
                + f"<div style='overflow-x:auto;max-width:100%;margin:4px 0'>{img}</div>"
                + _strip_header(self.report._repr_html_(), self.report.header())
            )
            text = f"<ShapeExplorer snapshot: {self.report.header()}: {self.shapes_line()}>"
        note = (
            f'<div style="{NOTE_STYLE}">'
            + _("Shape explorer (a snapshot of its state; run the notebook to turn the knobs)")
            + "</div>"
        )
        return Snapshot(f"<div class='lx-snapshot' style=\"{FONT}\">{note}{body}</div>", text)

    def __repr__(self) -> str:
        if self.report is None:
            return f"<ShapeExplorer: invalid: {self.error_message}>"
        return f"<ShapeExplorer: {self.report.header()}>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, plus its snapshot as ``text/html`` for front ends without a kernel."""
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = repr(self)
        data["text/html"] = self.snapshot().html
        return data


def _check_scale(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value <= 3:
        raise ValueError(f"text_scale must be a number in [0.5, 3] (got text_scale={value!r})")
    return float(value)


def diagram_min_width(svg: str, text_scale: float = 1.0) -> int:
    """The width (CSS px) at which the diagram's smallest label shows ``MIN_LABEL_PX *
    text_scale`` px: its viewBox width times ``MIN_LABEL_PX / DIAGRAM_MIN_FONT``."""
    m = re.search(r'viewBox="0 0 ([0-9.]+) ', svg)
    width = float(m.group(1)) if m else 600.0
    return round(width * MIN_LABEL_PX / DIAGRAM_MIN_FONT * text_scale)
