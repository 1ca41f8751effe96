"""The unrolled network: layers x time steps x directions, with ``output`` and ``h_n`` highlighted.

``draw_unrolled(config_or_report)`` returns a matplotlib ``Figure`` (no pyplot state, so it is
thread-safe and cheap to call from a widget). Each cell is one layer, one direction, one step;
arrows carry the recurrent state (forward left to right, backward right to left) and each layer's
output up to the next layer. Cells whose ``h`` forms ``output`` (the top layer, every step) are
filled blue; cells whose final state forms ``h_n`` (forward at t = T-1, backward at t = 0) have an
orange border and say which row of ``h_n`` they are.

Drawing uses a few collections (boxes, arrows) and a handful of texts, so even 8 layers x 2
directions x 13 columns draws in tens of milliseconds.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from ..config import RNNConfig
from ..shapes import fmt_shape, predict_shapes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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


def _geometry(cfg: RNNConfig, steps: list[int | None], layers: list[int | None]) -> dict[str, Any]:
    """Positions in data units: one column per shown step, one row per layer and direction."""
    D, L = cfg.num_directions, cfg.num_layers
    xs: list[float] = []
    x = 0.0
    for i, t in enumerate(steps):
        if i:
            x += 0.7 if (t is None or steps[i - 1] is None) else 1.0
        xs.append(x)
    x_last = xs[-1] if xs else 0.0
    cell_w, cell_h = 0.62, 0.56
    row_gap, layer_gap = 0.8, 0.9
    y_input = 0.0
    y_rows: dict[tuple[int, int], float] = {}
    y = y_input + 1.1
    layer_span: dict[int, tuple[float, float]] = {}
    y_skip: float | None = None  # where the elided layers would be
    for layer in layers:
        if layer is None:
            y_skip = y - 0.25
            y += 0.7
            continue
        y0 = y
        for d in range(D):
            y_rows[(layer, d)] = y
            y += row_gap
        layer_span[layer] = (y0 - 0.42, y - row_gap + 0.42)
        y += layer_gap - row_gap + 0.8
    y_output = layer_span[L - 1][1] + 0.95
    # at least 9 units wide (7 in) so the titles fit; cells keep their aspect
    x_left = -3.3
    x_right = max(x_last + 2.6, x_left + 9.0)
    y_bottom = y_input - (1.75 if cfg.lengths is not None else 1.3)
    y_top = y_output + 1.45

    width_in = round(min(max(0.78 * (x_right - x_left), 7.0), 16.0), 2)
    height_in = round(0.5 * (y_top - y_bottom), 2)
    return {
        "xs": xs,
        "x_last": x_last,
        "y_rows": y_rows,
        "layer_span": layer_span,
        "cell_w": cell_w,
        "cell_h": cell_h,
        "y_input": y_input,
        "y_output": y_output,
        "y_skip": y_skip,
        "x_left": x_left,
        "x_right": x_right,
        "y_bottom": y_bottom,
        "y_top": y_top,
        "size": (width_in, height_in),
    }


def unrolled_figsize(
    config: RNNConfig,
    *,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    max_layers: int | None = DEFAULT_MAX_LAYERS,
) -> tuple[float, float]:
    """The ``(width, height)`` in inches :func:`draw_unrolled` gives this config's figure.

    Figures of equal size can be reused (``draw_unrolled(..., ax=fig.axes[0])``), which keeps
    matplotlib's renderer and text-metrics caches warm.
    """
    steps = shown_steps(config.seq_len, max_steps)
    return _geometry(config, steps, shown_layers(config.num_layers, max_layers))["size"]


def draw_unrolled(
    config_or_report: Any,
    *,
    ax: Axes | None = None,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    max_layers: int | None = DEFAULT_MAX_LAYERS,
) -> Figure:
    """Draw the network unrolled over time: layers x steps x directions.

    Args:
        config_or_report: an ``RNNConfig`` (shapes predicted, no torch run) or a ``ShapeReport``
            (observed shapes).
        ax: draw into this Axes (it is cleared); default a new ``Figure`` sized to the network.
        max_steps: show at most this many steps, eliding the middle with "…"; ``None`` shows all.
        max_layers: show at most this many layers, eliding the middle with "⋮"; ``None`` shows all.

    Returns:
        The ``Figure``. Labels give ``input`` ``(T, N, H_in)``, ``output`` ``(T, N, D*H_out)``,
        ``h_n`` ``(L*D, N, H_out)`` (and ``c_n`` for LSTM) as text such as ``(8, 3, 20)``.

    Raises:
        ValueError: if ``config_or_report`` is neither, or ``max_steps`` is invalid.
    """
    from matplotlib.collections import PatchCollection, PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Rectangle

    cfg, shapes = _resolve(config_or_report)
    layout = unrolled_layout(cfg, max_steps)
    steps: list[int | None] = layout["steps"]
    layers = shown_layers(cfg.num_layers, max_layers)
    L, D, T = cfg.num_layers, cfg.num_directions, cfg.seq_len
    lstm = cfg.mode == "LSTM"

    g = _geometry(cfg, steps, layers)
    xs, x_last, y_rows, layer_span = g["xs"], g["x_last"], g["y_rows"], g["layer_span"]
    cell_w, cell_h, y_input, y_output = g["cell_w"], g["cell_h"], g["y_input"], g["y_output"]
    y_skip, x_left, x_right, y_bottom, y_top = (
        g["y_skip"],
        g["x_left"],
        g["x_right"],
        g["y_bottom"],
        g["y_top"],
    )
    if ax is None:
        fig = Figure(figsize=g["size"], dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure
        ax.clear()
    ax.set_xlim(x_left, x_right)
    ax.set_ylim(y_bottom, y_top)
    ax.set_axis_off()
    fs = 8.0

    def text(xt: float, yt: float, s: str, **kw: Any) -> None:
        kw.setdefault("fontsize", fs)
        kw.setdefault("va", "center")
        ax.text(xt, yt, s, **kw)

    # --- layer containers --------------------------------------------------------------------
    containers = [
        FancyBboxPatch(
            (xs[0] - 0.5, lo),
            x_last - xs[0] + 1.0,
            hi - lo,
            boxstyle="round,pad=0.02,rounding_size=0.15",
        )
        for lo, hi in layer_span.values()
    ]
    ax.add_collection(
        PatchCollection(containers, facecolor="#fafafa", edgecolor="#d0d0d0", linewidth=0.8)
    )

    # --- cells ----------------------------------------------------------------------------------
    out_cells, hn_cells = layout["output_cells"], layout["h_n_cells"]
    boxes, faces, edges, widths = [], [], [], []
    for (layer, d), yr in y_rows.items():
        for xc, t in zip(xs, steps, strict=True):
            if t is None:
                continue
            key = (layer, d, t)
            boxes.append(_box(xc, yr, cell_w, cell_h))
            faces.append(OUTPUT_FILL if key in out_cells else PLAIN_FILL)
            edges.append(HN_EDGE if key in hn_cells else PLAIN_EDGE)
            widths.append(2.4 if key in hn_cells else 0.8)
    # input x_t and output y_t boxes
    for xc, t in zip(xs, steps, strict=True):
        if t is None:
            continue
        for yr in (y_input, y_output):
            boxes.append(_box(xc, yr, cell_w, 0.44))
            faces.append(IO_FILL if yr == y_input else OUTPUT_FILL)
            edges.append(PLAIN_EDGE)
            widths.append(0.8)
    ax.add_collection(
        # one PolyCollection: far cheaper than hundreds of Rectangle patches
        PolyCollection(
            boxes, facecolors=faces, edgecolors=edges, linewidths=widths, zorder=3, gid="cells"
        )
    )

    # --- arrows (one quiver: a PolyCollection) ------------------------------------------------
    ax_, ay_, au_, av_ = [], [], [], []

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax_.append(x0)
        ay_.append(y0)
        au_.append(x1 - x0)
        av_.append(y1 - y0)

    dotted: list[tuple[float, float, float]] = []  # recurrence across the elided gap
    for (_layer, d), yr in y_rows.items():
        for i in range(len(steps) - 1):
            a, b = xs[i] + cell_w / 2, xs[i + 1] - cell_w / 2
            if steps[i] is None or steps[i + 1] is None:
                dotted.append((xs[i] + (cell_w / 2 if steps[i] is not None else 0), xs[i + 1], yr))
                continue
            if d == 0:
                arrow(a + 0.02, yr, b - 0.02, yr)
            else:
                arrow(b - 0.02, yr, a + 0.02, yr)
    for xc, t in zip(xs, steps, strict=True):
        if t is None:
            continue
        # input -> layer 0, layer l -> layer l+1, top layer -> output
        arrow(xc, y_input + 0.24, xc, layer_span[0][0] - 0.02)
        for below, above in itertools.pairwise(layers):
            if below is not None and above is not None:
                arrow(xc, layer_span[below][1] + 0.02, xc, layer_span[above][0] - 0.02)
        arrow(xc, layer_span[L - 1][1] + 0.02, xc, y_output - 0.24)
    ax.quiver(
        ax_,
        ay_,
        au_,
        av_,
        angles="xy",
        scale_units="xy",
        scale=1,
        color=ARROW,
        units="inches",
        width=0.012,
        headwidth=5,
        headlength=6,
        headaxislength=5,
        zorder=4,
    )
    if dotted:
        ax.hlines(
            [yr for _, _, yr in dotted],
            [x0 + 0.05 for x0, _, _ in dotted],
            [x1 + 0.35 for _, x1, _ in dotted],
            linestyles=":",
            colors=ARROW,
            lw=1,
            zorder=2,
        )
    if y_skip is not None:
        below = layers[layers.index(None) - 1]
        above = layers[layers.index(None) + 1]
        lo, hi = layer_span[below][1] + 0.05, layer_span[above][0] - 0.05
        xs_real = [xc for xc, t in zip(xs, steps, strict=True) if t is not None]
        ax.vlines(xs_real, lo, hi, linestyles=":", colors=ARROW, lw=1, zorder=2)
        text(
            x_left + 0.1,
            y_skip,
            f"⋮ layers {below + 1}-{above - 1}" if above - below > 2 else f"⋮ layer {below + 1}",
            ha="left",
        )

    # --- texts ----------------------------------------------------------------------------------
    for xc, t in zip(xs, steps, strict=True):
        text(xc, y_output + 0.45, "…" if t is None else f"t={t}", ha="center", fontsize=fs - 0.5)
    direction = ("→ fwd", "← bwd")
    for (layer, d), yr in y_rows.items():
        label = f"layer {layer}" if D == 1 else f"layer {layer} {direction[d]}"
        text(x_left + 0.1, yr, label, ha="left")
    for key, row in hn_cells.items():
        layer, d, t = key
        if t not in steps or (layer, d) not in y_rows:
            continue
        xc = xs[steps.index(t)]
        text(xc, y_rows[(layer, d)], f"h_n[{row}]", ha="center", fontsize=fs - 1.5, zorder=5)

    h_out = cfg.h_out
    feat = D * h_out
    text(x_left + 0.1, y_input, _step_slice(cfg, "input"), ha="left")
    text(x_left + 0.1, y_output, _step_slice(cfg, "output"), ha="left", color="#1c4f9c")
    text(x_last + 0.55, y_input, f"{fmt_shape(_step_shape(cfg, cfg.input_size))} each", ha="left")
    text(
        x_last + 0.55,
        y_output,
        f"{fmt_shape(_step_shape(cfg, feat))} each",
        ha="left",
        color="#1c4f9c",
    )
    # sizes flowing up between layers (what layer l+1 reads): D * H_out features per step
    if L > 1 and layers[1] is not None:
        mid = (layer_span[0][1] + layer_span[1][0]) / 2
        text(x_last + 0.55, mid, f"{feat} = D*H_out", ha="left", fontsize=fs - 1)
    carried = f"h {h_out}, c {cfg.hidden_size}" if lstm else f"h {h_out}"
    text(
        x_last + 0.55,
        y_rows[(0, 0)],
        f"state: {carried}",
        ha="left",
        fontsize=fs - 1,
    )

    # title, shapes and legend
    title = f"{cfg.code()}   input {fmt_shape(shapes['input'])}"
    if cfg.batch_first and cfg.batch is not None:
        title += "  (batch_first)"
    if cfg.batch is None:
        title += "  (unbatched)"
    text(x_left + 0.1, y_top - 0.3, title, ha="left", fontsize=fs + 1.5, weight="bold")
    state_txt = f"h_n {fmt_shape(shapes['h_n'])}"
    if lstm:
        state_txt += f"   c_n {fmt_shape(shapes['c_n'])}"
    text(
        x_left + 0.1,
        y_top - 0.75,
        f"output {fmt_shape(shapes['output'])}   {state_txt}",
        ha="left",
        fontsize=fs + 1,
    )
    legend_y = y_input - 0.75
    ax.add_patch(
        Rectangle((x_left + 0.1, legend_y - 0.15), 0.3, 0.3, fc=OUTPUT_FILL, ec=PLAIN_EDGE)
    )
    text(x_left + 0.5, legend_y, "forms output (top layer, every step)", ha="left", fontsize=fs - 1)
    x_leg2, legend_y = x_left + 0.1, legend_y - 0.38
    ax.add_patch(Rectangle((x_leg2, legend_y - 0.15), 0.3, 0.3, fc=PLAIN_FILL, ec=HN_EDGE, lw=2.0))
    hn_where = "t=T-1 forward, t=0 backward" if D == 2 else "t=T-1"
    hn_text = f"forms h_n[k] (last step: {hn_where})"
    if lstm:
        hn_text += "; c_n[k] comes from the same cell"
    text(x_leg2 + 0.4, legend_y, hn_text, ha="left", fontsize=fs - 1)
    if cfg.lengths is not None:
        ends = layout["ends"]
        text(
            x_left + 0.1,
            y_input - 1.5,
            f"packed, lengths={list(cfg.lengths)}: the forward h_n of sequence i is taken at "
            "t = lengths[i]-1 (marked 'end i'); output past it is 0",
            ha="left",
            fontsize=fs - 1,
            color=HN_EDGE,
        )
        for t, seqs in ends.items():
            if t in steps and t != T - 1:
                xc = xs[steps.index(t)]
                text(
                    xc,
                    y_input - 0.38,
                    "end " + ",".join(map(str, seqs)),
                    ha="center",
                    fontsize=fs - 2,
                    color=HN_EDGE,
                )
    return fig
