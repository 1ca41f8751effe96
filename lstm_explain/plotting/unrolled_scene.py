"""The unrolled network as data: which steps and layers show, the geometry, and the scene.

A scene is every box, line and label of the figure as plain data; :mod:`.unrolled` draws it with
matplotlib or writes it as SVG. Splitting the two keeps the layout testable without a renderer.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from ..config import RNNConfig
from ..i18n import gettext
from ..shapes import fmt_shape, predict_shapes
from .unrolled_text import _fit_texts

#: Steps shown before the middle ones are elided with "…".
DEFAULT_MAX_STEPS = 12
#: Layers shown before the middle ones are elided with "⋮".
DEFAULT_MAX_LAYERS = 4

OUTPUT_FILL = "#cfe3ff"  # cells forming `output`
PLAIN_FILL = "#f4f4f4"
HN_EDGE = "#e8590c"  # cells forming `h_n`
PLAIN_EDGE = "#8a8a8a"
IO_FILL = "#ffffff"
ARROW = "#555555"
BWD_FILL = "#e6dcfa"  # backward direction's half of `output`
DIR_COLOR = ("#1c4f9c", "#6741b5")  # forward, backward: arrows and labels
TEXT = "#000000"
CONTAINER_FILL = "#fafafa"
CONTAINER_EDGE = "#d0d0d0"
_GID = "lstm_explain.unrolled"  # marks an Axes plot_unrolled drew into (cheap redraw)


def shown_steps(seq_len: int, max_steps: int | None = DEFAULT_MAX_STEPS) -> list[int | None]:
    """The time steps drawn, left to right; ``None`` marks the elided middle ("…").

    Always keeps ``t = 0`` and ``t = T-1`` (where ``h_n`` is formed). With ``seq_len <= max_steps``
    every step is shown; otherwise the first ``max_steps // 2`` and last ``max_steps - max_steps // 2``.

    Raises:
        ValueError: if ``max_steps < 2``.
    """
    return _elide(seq_len, max_steps, "max_steps")


def shown_layers(num_layers: int, max_layers: int | None = DEFAULT_MAX_LAYERS) -> list[int | None]:
    """The layers drawn, bottom to top; ``None`` marks elided middle layers (first and last kept)."""
    return _elide(num_layers, max_layers, "max_layers")


def _elide(n: int, most: int | None, name: str) -> list[int | None]:
    if most is None:
        return list(range(n))
    if isinstance(most, bool) or not isinstance(most, int) or most < 2:
        raise ValueError(f"{name} must be an integer >= 2 or None (got {name}={most!r})")
    if n <= most:
        return list(range(n))
    head = most // 2
    tail = most - head
    return [*range(head), None, *range(n - tail, n)]


def _box(xc: float, yc: float, w: float, h: float) -> list[tuple[float, float]]:
    """Corners of a ``w`` x ``h`` box centred on ``(xc, yc)``."""
    x0, x1, y0, y1 = xc - w / 2, xc + w / 2, yc - h / 2, yc + h / 2
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def _resolve(config_or_report: Any) -> tuple[RNNConfig, dict[str, tuple[int, ...]]]:
    """The config and each tensor's shape (observed if a report, else predicted)."""
    if isinstance(config_or_report, RNNConfig):
        cfg = config_or_report
        return cfg, {k: v[0] for k, v in predict_shapes(cfg).items()}
    cfg = getattr(config_or_report, "config", None)
    tensors = getattr(config_or_report, "tensors", None)
    if not isinstance(cfg, RNNConfig) or not isinstance(tensors, dict):
        raise ValueError(
            "config_or_report must be an RNNConfig or a ShapeReport "
            f"(got config_or_report={type(config_or_report).__name__})"
        )
    shapes = {
        name: tuple(t.observed if t.observed is not None else t.predicted)
        for name, t in tensors.items()
    }
    return cfg, shapes


def _step_slice(cfg: RNNConfig, name: str) -> str:
    """How one step of ``input``/``output`` is indexed in this layout, e.g. ``output[:, t]``."""
    return f"{name}[:, t]" if cfg.batch_first and cfg.batch is not None else f"{name}[t]"


def _step_shape(cfg: RNNConfig, last: int) -> tuple[int, ...]:
    return (last,) if cfg.batch is None else (cfg.batch, last)


def unrolled_layout(config: RNNConfig, max_steps: int | None = DEFAULT_MAX_STEPS) -> dict[str, Any]:
    """Which cells the diagram highlights, as data (used by the drawing and by tests).

    Returns a dict with ``steps`` (:func:`shown_steps`), ``output_cells`` (every ``(layer, d, t)``
    whose ``h`` is part of ``output``), ``h_n_cells`` (``{(layer, d, t): row of h_n}``: forward at
    ``t = T-1``, backward at ``t = 0``) and ``ends`` (packed: ``{t: [sequences ending at t]}``).
    """
    L, D, T = config.num_layers, config.num_directions, config.seq_len
    steps = shown_steps(T, max_steps)
    output_cells = {(L - 1, d, t) for d in range(D) for t in range(T)}
    h_n_cells = {}
    for layer in range(L):
        h_n_cells[(layer, 0, T - 1)] = layer * D
        if D == 2:
            h_n_cells[(layer, 1, 0)] = layer * D + 1
    ends: dict[int, list[int]] = {}
    if config.lengths is not None:
        for i, n in enumerate(config.lengths):
            ends.setdefault(n - 1, []).append(i)
    return {"steps": steps, "output_cells": output_cells, "h_n_cells": h_n_cells, "ends": ends}


def _geometry(
    cfg: RNNConfig, steps: list[int | None], layers: list[int | None], title: bool = True
) -> dict[str, Any]:
    """Positions in data units: one column per shown step, one row per layer and direction."""
    D, L = cfg.num_directions, cfg.num_layers
    xs: list[float] = []
    x = 0.0
    for i, t in enumerate(steps):
        if i:
            x += 0.7 if (t is None or steps[i - 1] is None) else 1.0
        xs.append(x)
    x_last = xs[-1] if xs else 0.0
    row_gap = 0.8
    layer_gap = 1.7 if D == 2 else 1.5  # from a layer's top row to the next layer's bottom row
    y_input = 0.0
    y_rows: dict[tuple[int, int], float] = {}
    y = y_input + 1.1
    layer_span: dict[int, tuple[float, float]] = {}
    y_skip: float | None = None  # where the elided layers would be
    for layer in layers:
        if layer is None:
            y_skip = y - 0.45
            y += 0.6
            continue
        y0 = y
        for d in range(D):
            y_rows[(layer, d)] = y
            y += row_gap
        layer_span[layer] = (y0 - 0.42, y - row_gap + 0.42)
        y += layer_gap - row_gap
    y_output = layer_span[L - 1][1] + 0.95
    # at least 9 units wide (7 in) so the titles fit; cells keep their aspect
    x_left = -3.6
    x_right = max(x_last + 3.5, x_left + 9.0)
    y_bottom = y_input - (2.55 if cfg.lengths is not None else 2.1)
    y_top = y_output + (1.9 if title else 0.85)

    width_in = round(min(max(0.78 * (x_right - x_left), 7.0), 16.0), 2)
    height_in = round(0.5 * (y_top - y_bottom), 2)
    return {
        "xs": xs,
        "x_last": x_last,
        "y_rows": y_rows,
        "layer_span": layer_span,
        "y_input": y_input,
        "y_output": y_output,
        "y_skip": y_skip,
        "extent": (x_left, x_right, y_bottom, y_top),
        "size": (width_in, height_in),
    }


def unrolled_figsize(
    config: RNNConfig,
    *,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    max_layers: int | None = DEFAULT_MAX_LAYERS,
    title: bool = True,
) -> tuple[float, float]:
    """The ``(width, height)`` in inches :func:`plot_unrolled` gives this config's figure.

    Figures of equal size can be reused (``plot_unrolled(..., ax=fig.axes[0])``), which keeps
    matplotlib's renderer and text-metrics caches warm.
    """
    shapes = {k: v[0] for k, v in predict_shapes(config).items()}
    return _scene(config, shapes, max_steps, max_layers, title).size


# --- the scene: every box, line and label as plain data ---------------------------------------
# Both renderers (matplotlib for notebooks, direct SVG for the explorer) draw the same scene, so
# the explorer shows exactly the figure a notebook shows, without matplotlib's per-artist cost.

CELL_W, CELL_H = 0.62, 0.56  # a layer's cell (data units)
IO_W, IO_H = 0.62, 0.44  # input[t] / output[t] boxes
CAT_W, CAT_H = 0.5, 0.22  # [forward | backward] output of a lower layer (bidirectional)
LANE = 0.37  # offset of the lanes that lead around a cell (bidirectional)


@dataclass
class _Scene:
    extent: tuple[float, float, float, float]  # x_left, x_right, y_bottom, y_top
    size: tuple[float, float]  # inches
    # (x0, y0, x1, y1) rounded layer containers
    containers: list[tuple[float, float, float, float]] = field(default_factory=list)
    # (x0, y0, x1, y1, face, edge, linewidth), one list per group ("cells", "legend")
    boxes: dict[str, list[tuple[float, float, float, float, str, str, float]]] = field(
        default_factory=lambda: {"cells": [], "legend": []}
    )
    # (points, colour, linewidth, arrowhead at the end?)
    lines: list[tuple[list[tuple[float, float]], str, float, bool]] = field(default_factory=list)
    # dotted (x0, y0, x1, y1): recurrence and layer flow across elided steps / layers
    dotted: list[tuple[float, float, float, float]] = field(default_factory=list)
    # junction dots (x, y, colour)
    dots: list[tuple[float, float, str]] = field(default_factory=list)
    # (x, y, text, ha, fontsize, colour, bold)
    texts: list[tuple[float, float, str, str, float, str, bool]] = field(default_factory=list)

    def box(
        self,
        xc: float,
        yc: float,
        w: float,
        h: float,
        face: str,
        edge: str = PLAIN_EDGE,
        lw: float = 0.8,
        group: str = "cells",
    ) -> None:
        self.boxes[group].append((xc - w / 2, yc - h / 2, xc + w / 2, yc + h / 2, face, edge, lw))

    def split_box(self, xc: float, yc: float, w: float, h: float) -> None:
        """A box in two halves: forward features first, then backward."""
        self.box(xc - w / 4, yc, w / 2, h, OUTPUT_FILL)
        self.box(xc + w / 4, yc, w / 2, h, BWD_FILL)

    def arrow(self, *points: tuple[float, float], color: str = ARROW, lw: float = 1.0) -> None:
        self.lines.append((list(points), color, lw, True))

    def text(
        self,
        x: float,
        y: float,
        s: str,
        ha: str = "left",
        size: float = 8.0,
        color: str = TEXT,
        bold: bool = False,
    ) -> None:
        self.texts.append((x, y, s, ha, size, color, bold))


def _half_slice(cfg: RNNConfig, half: str) -> str:
    """How one direction's half of ``output`` at step t is indexed, e.g. ``output[t, :, :20]``."""
    if cfg.batch is None:
        return f"output[t, {half}]"
    return f"output[:, t, {half}]" if cfg.batch_first else f"output[t, :, {half}]"


def _scene(
    cfg: RNNConfig,
    shapes: dict[str, tuple[int, ...]],
    max_steps: int | None,
    max_layers: int | None,
    title: bool = True,
) -> _Scene:
    layout = unrolled_layout(cfg, max_steps)
    steps: list[int | None] = layout["steps"]
    layers = shown_layers(cfg.num_layers, max_layers)
    D = cfg.num_directions
    lstm = cfg.mode == "LSTM"
    g = _geometry(cfg, steps, layers, title)
    xs, x_last, y_rows, span = g["xs"], g["x_last"], g["y_rows"], g["layer_span"]
    y_input, y_output = g["y_input"], g["y_output"]
    x_left, _, _, y_top = g["extent"]
    sc = _Scene(extent=g["extent"], size=g["size"])
    cols = [(xc, t) for xc, t in zip(xs, steps, strict=True) if t is not None]
    h_out, fs = cfg.h_out, 8.0
    hw, hh = CELL_W / 2, CELL_H / 2

    # --- boxes ---------------------------------------------------------------------------
    for lo, hi in span.values():
        sc.containers.append((xs[0] - 0.55, lo, x_last + 0.55, hi))
    out_cells, hn_cells = layout["output_cells"], layout["h_n_cells"]
    for (layer, d), yr in y_rows.items():
        for xc, t in cols:
            key = (layer, d, t)
            face = (OUTPUT_FILL, BWD_FILL)[d] if key in out_cells else PLAIN_FILL
            hn = key in hn_cells
            sc.box(xc, yr, CELL_W, CELL_H, face, HN_EDGE if hn else PLAIN_EDGE, 2.4 if hn else 0.8)
    pairs = [(a, b) for a, b in itertools.pairwise(layers) if a is not None and b is not None]
    y_cat = {a: (span[a][1] + span[b][0]) / 2 for a, b in pairs}  # between layer a and a + 1
    for xc, _ in cols:
        sc.box(xc, y_input, IO_W, IO_H, IO_FILL)
        if D == 1:
            sc.box(xc, y_output, IO_W, IO_H, OUTPUT_FILL)
        else:
            sc.split_box(xc, y_output, IO_W, IO_H)
            for yc in y_cat.values():
                sc.split_box(xc, yc, CAT_W, CAT_H)

    # --- recurrence: h (and c) to the next step; h_0 (c_0) enter where each direction starts --
    offsets = (0.11, -0.11) if lstm else (0.0,)
    names = ("h", "c") if lstm else ("h",)
    for (layer, d), yr in y_rows.items():
        color = DIR_COLOR[d]
        for i in range(len(steps) - 1):
            a, b = xs[i] + hw, xs[i + 1] - hw
            if steps[i] is None or steps[i + 1] is None:
                x0 = xs[i] + (hw if steps[i] is not None else 0.0) + 0.05
                sc.dotted.append((x0, yr, xs[i + 1] + 0.3, yr))
                continue
            for off in offsets:
                if d == 0:
                    sc.arrow((a + 0.02, yr + off), (b - 0.02, yr + off), color=color)
                else:
                    sc.arrow((b - 0.02, yr + off), (a + 0.02, yr + off), color=color)
        # label the first arrow in the direction of travel
        first = 0 if d == 0 else len(steps) - 2
        if len(steps) > 1 and None not in steps[first : first + 2]:
            xm = (xs[first] + xs[first + 1]) / 2
            for off, name in zip(offsets, names, strict=True):
                sc.text(
                    xm, yr + off + (0.14 if off >= 0 else -0.14), name, "center", fs - 1.5, color
                )
        k = layer * D + d
        x_edge, x_far = (
            (xs[0] - hw, xs[0] - hw - 0.5) if d == 0 else (x_last + hw, x_last + hw + 0.5)
        )
        for off, name in zip(offsets, names, strict=True):
            sc.arrow((x_far, yr + off), (x_edge - 0.02, yr + off), color=color)
            sc.text(
                x_far + (-0.06 if d == 0 else 0.06),
                yr + off,
                f"{name}_0[{k}]",
                "right" if d == 0 else "left",
                fs - 1.5,
                color,
            )

    # --- data flowing up: input -> layer 0 -> ... -> output ------------------------------------
    def feed(xc: float, y_from: float, layer: int) -> None:
        """Arrow(s) from a box top at ``y_from`` into ``layer`` (bidirectional: to both rows)."""
        y_f = y_rows[(layer, 0)]
        if D == 1:
            sc.arrow((xc, y_from), (xc, y_f - hh - 0.02))
            return
        y_b, y_j = y_rows[(layer, 1)], y_f - hh - 0.13
        sc.arrow((xc, y_from), (xc, y_f - hh - 0.02))
        sc.dots.append((xc, y_j, ARROW))
        y_t = y_b - hh - 0.12  # in the gap between the two rows
        sc.arrow(
            (xc, y_j),
            (xc + LANE, y_j),
            (xc + LANE, y_t),
            (xc + 0.16, y_t),
            (xc + 0.16, y_b - hh - 0.02),
        )

    def rise(xc: float, layer: int, y_to: float, w: float) -> None:
        """Arrow(s) from ``layer`` up to a box whose bottom is at ``y_to`` (halves of width w)."""
        y_f = y_rows[(layer, 0)]
        if D == 1:
            sc.arrow((xc, y_f + hh + 0.02), (xc, y_to - 0.02))
            return
        y_b = y_rows[(layer, 1)]
        y_g, y_l, xf = y_f + hh + 0.11, y_b + hh + 0.13, xc - w / 4
        sc.arrow(
            (xc - 0.16, y_f + hh + 0.02),
            (xc - 0.16, y_g),
            (xc - LANE, y_g),
            (xc - LANE, y_l),
            (xf, y_l),
            (xf, y_to - 0.02),
            color=DIR_COLOR[0],
        )
        sc.arrow((xc + w / 4, y_b + hh + 0.02), (xc + w / 4, y_to - 0.02), color=DIR_COLOR[1])

    top = layers[-1]
    for xc, _ in cols:
        feed(xc, y_input + IO_H / 2 + 0.02, layers[0])
        for a, b in pairs:
            if D == 1:
                sc.arrow((xc, y_rows[(a, 0)] + hh + 0.02), (xc, y_rows[(b, 0)] - hh - 0.02))
            else:
                rise(xc, a, y_cat[a] - CAT_H / 2, CAT_W)
                feed(xc, y_cat[a] + CAT_H / 2 + 0.02, b)
        rise(xc, top, y_output - IO_H / 2, IO_W)
    if g["y_skip"] is not None:
        below = layers[layers.index(None) - 1]
        above = layers[layers.index(None) + 1]
        lo, hi = span[below][1] + 0.05, span[above][0] - 0.05
        sc.dotted += [(xc, lo, xc, hi) for xc, _ in cols]
        n_skip = above - below - 1
        skipped = (
            gettext("⋮ layers {first}-{last} (not drawn)").format(first=below + 1, last=above - 1)
            if n_skip > 1
            else gettext("⋮ layer {layer} (not drawn)").format(layer=below + 1)
        )
        sc.text(x_left + 0.1, (lo + hi) / 2, skipped)

    # --- labels ----------------------------------------------------------------------------
    for xc, t in zip(xs, steps, strict=True):
        sc.text(xc, y_output + 0.5, "…" if t is None else f"t={t}", "center", fs - 0.5)
    direction = (gettext("layer {layer} → forward"), gettext("layer {layer} ← backward"))
    for (layer, d), yr in y_rows.items():
        row_label = direction[d] if D == 2 else gettext("layer {layer}")
        sc.text(x_left + 0.1, yr, row_label.format(layer=layer))
    for (layer, d, t), row in hn_cells.items():
        if t in steps and (layer, d) in y_rows:
            sc.text(xs[steps.index(t)], y_rows[(layer, d)], f"h_n[{row}]", "center", fs - 1.5)
    feat = D * h_out
    x_r = x_last + 0.55
    sc.text(x_left + 0.1, y_input, _step_slice(cfg, "input"))
    in_shape = fmt_shape(_step_shape(cfg, cfg.input_size))
    each_in = (
        gettext("{shape} each, to both directions") if D == 2 else gettext("{shape} each")
    ).format(shape=in_shape)
    sc.text(x_r, y_input, each_in)
    out_shape = fmt_shape(_step_shape(cfg, feat))
    out_each = gettext("{shape} each").format(shape=out_shape)
    if D == 1:
        sc.text(x_left + 0.1, y_output, _step_slice(cfg, "output"), color=DIR_COLOR[0])
        sc.text(x_r, y_output, out_each, color=DIR_COLOR[0])
    else:
        sc.text(
            x_left + 0.1,
            y_output + 0.12,
            _half_slice(cfg, f":{h_out}"),
            size=fs - 0.5,
            color=DIR_COLOR[0],
        )
        sc.text(
            x_left + 0.1,
            y_output - 0.12,
            _half_slice(cfg, f"{h_out}:"),
            size=fs - 0.5,
            color=DIR_COLOR[1],
        )
        sc.text(
            x_r,
            y_output + 0.12,
            gettext("{shape} each = 2 × {h}:").format(shape=out_shape, h=h_out),
            color=DIR_COLOR[0],
        )
        sc.text(
            x_r,
            y_output - 0.12,
            gettext("forward {h} | backward {h}").format(h=h_out),
            color=DIR_COLOR[1],
        )
    # what the next layer reads: D * H_out features per step
    if pairs:
        a, b = pairs[0]
        reads = f"{D} × {h_out} = {feat}" if D == 2 else f"{feat}"
        sc.text(
            x_r,
            y_cat[a],
            gettext("layer {layer} reads {reads} features").format(layer=b, reads=reads),
            size=fs - 0.5,
        )

    # title: the layer's code, then the shapes (two lines, so a narrow diagram keeps them whole)
    if title:
        sc.text(x_left + 0.1, y_top - 0.3, cfg.code(), size=fs + 1.5, bold=True)
        sc.text(x_left + 0.1, y_top - 0.75, shapes_line(cfg, shapes), size=fs + 1)
    legend = []
    if D == 1:
        legend.append(
            (OUTPUT_FILL, PLAIN_EDGE, 0.8, gettext("forms output (top layer, every step)"))
        )
    else:
        legend.append(
            (
                OUTPUT_FILL,
                PLAIN_EDGE,
                0.8,
                gettext("forward: top layer forms output[..., :{h}]").format(h=h_out),
            )
        )
        legend.append(
            (
                BWD_FILL,
                PLAIN_EDGE,
                0.8,
                gettext("backward: top layer forms output[..., {h}:]").format(h=h_out),
            )
        )
    if D == 2:
        hn_text = gettext("forms h_n[k] (last step: t=T-1 forward, t=0 backward)")
    else:
        hn_text = gettext("forms h_n[k] (last step: t=T-1)")
    if lstm:
        hn_text = gettext("{forms}; c_n[k] comes from the same cell").format(forms=hn_text)
    legend.append((PLAIN_FILL, HN_EDGE, 2.0, hn_text))
    y_leg = y_input - 0.75
    for face, edge, lw, label in legend:
        sc.box(x_left + 0.25, y_leg, 0.3, 0.3, face, edge, lw, group="legend")
        sc.text(x_left + 0.5, y_leg, label, size=fs - 1)
        y_leg -= 0.38
    carried = f"h: {h_out}, c: {cfg.hidden_size}" if lstm else f"h: {h_out}"
    start = "h_0[k], c_0[k]" if lstm else "h_0[k]"
    sc.arrow((x_left + 0.1, y_leg), (x_left + 0.4, y_leg), color=DIR_COLOR[0])
    sc.text(
        x_left + 0.5,
        y_leg,
        gettext(
            "{names}: the state passed to the next step ({carried} per sequence), started by "
            "{start} (zeros unless given)"
        ).format(names=", ".join(names), carried=carried, start=start),
        size=fs - 1,
    )
    if cfg.lengths is not None:
        sc.text(
            x_left + 0.1,
            y_leg - 0.4,
            gettext(
                "packed, lengths={lengths}: the forward h_n of sequence i is taken at "
                "t = lengths[i]-1 (marked 'end i'); output past it is 0"
            ).format(lengths=list(cfg.lengths)),
            size=fs - 1,
            color=HN_EDGE,
        )
        for t, seqs in layout["ends"].items():
            if t in steps and t != cfg.seq_len - 1:
                sc.text(
                    xs[steps.index(t)],
                    y_input - 0.38,
                    gettext("end {sequences}").format(sequences=",".join(map(str, seqs))),
                    "center",
                    fs - 2,
                    HN_EDGE,
                )
    _fit_texts(sc)
    return sc


def shapes_line(cfg: RNNConfig, shapes: dict[str, tuple[int, ...]]) -> str:
    """``input (5, 3, 100)   output (5, 3, 20)   h_n (1, 3, 20)   c_n (1, 3, 20)``, with the
    layout (``batch_first``, ``unbatched``) after the input."""
    line = f"input {fmt_shape(shapes['input'])}"
    if cfg.batch_first and cfg.batch is not None:
        line += " (batch_first)"
    if cfg.batch is None:
        line += gettext(" (unbatched)")
    line += f"   output {fmt_shape(shapes['output'])}   h_n {fmt_shape(shapes['h_n'])}"
    if "c_n" in shapes:
        line += f"   c_n {fmt_shape(shapes['c_n'])}"
    return line


def _arrowhead(
    pts: list[tuple[float, float]], scale: tuple[float, float]
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """The shaft (its end pulled back) and a triangular head, sized in inches not data units."""
    sx, sy = scale
    (x0, y0), (x1, y1) = pts[-2], pts[-1]
    dx, dy = (x1 - x0) * sx, (y1 - y0) * sy
    n = math.hypot(dx, dy) or 1.0
    ux, uy = dx / n, dy / n
    length, half = min(0.075, 0.8 * n), 0.032  # inches
    bx, by = x1 - ux * length / sx, y1 - uy * length / sy
    head = [
        (x1, y1),
        (bx - uy * half / sx, by + ux * half / sy),
        (bx + uy * half / sx, by - ux * half / sy),
    ]
    return [*pts[:-1], (x1 - ux * 0.6 * length / sx, y1 - uy * 0.6 * length / sy)], head


def _scale(sc: _Scene) -> tuple[float, float]:
    """Inches per data unit along x and y."""
    x0, x1, y0, y1 = sc.extent
    return sc.size[0] / (x1 - x0), sc.size[1] / (y1 - y0)


def _resolve_scene(
    config_or_report: Any, max_steps: int | None, max_layers: int | None, title: bool = True
) -> _Scene:
    cfg, shapes = _resolve(config_or_report)
    return _scene(cfg, shapes, max_steps, max_layers, title)
