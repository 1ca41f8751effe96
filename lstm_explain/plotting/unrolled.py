"""The unrolled network: layers x time steps x directions, with ``output`` and ``h_n`` highlighted.

``plot_unrolled(config_or_report)`` returns a matplotlib ``Figure`` (no pyplot state, so it is
thread-safe). Each cell is one layer, one direction, one step. Arrows labelled ``h`` (``h``, ``c``
for LSTM) carry the state to the next step (forward left to right, backward right to left),
started by ``h_0[k]`` (``c_0[k]``) where each direction starts. A bidirectional layer feeds
``input[t]`` (or the layer below) to both directions, and ``output[t]`` is drawn in two halves,
forward features ``[..., :H_out]`` then backward ``[..., H_out:]``. Cells whose ``h`` forms
``output`` (the top layer) are filled in their direction's colour; cells whose final state forms
``h_n`` (forward at t = T-1, backward at t = 0) have an orange border and name their row.

The figure is built once as a scene (boxes, lines, texts as data) and drawn either with a few
matplotlib collections (:func:`plot_unrolled`) or straight to SVG text (:func:`unrolled_svg`,
about a millisecond: what the explorer shows).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from .unrolled_scene import (
    _GID,
    ARROW,
    BWD_FILL,
    CELL_H,
    CELL_W,
    CONTAINER_EDGE,
    CONTAINER_FILL,
    DEFAULT_MAX_LAYERS,
    DEFAULT_MAX_STEPS,
    DIR_COLOR,
    HN_EDGE,
    IO_FILL,
    LANE,
    OUTPUT_FILL,
    PLAIN_EDGE,
    PLAIN_FILL,
    TEXT,
    _arrowhead,
    _resolve_scene,
    _scale,
    shapes_line,
    shown_layers,
    shown_steps,
    unrolled_figsize,
    unrolled_layout,
)
from .unrolled_text import _enlarge_texts

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "ARROW",
    "BWD_FILL",
    "CELL_H",
    "CELL_W",
    "CONTAINER_EDGE",
    "CONTAINER_FILL",
    "DEFAULT_MAX_LAYERS",
    "DEFAULT_MAX_STEPS",
    "DIR_COLOR",
    "HN_EDGE",
    "IO_FILL",
    "LANE",
    "OUTPUT_FILL",
    "PLAIN_EDGE",
    "PLAIN_FILL",
    "TEXT",
    "draw_unrolled",
    "plot_unrolled",
    "shapes_line",
    "shown_layers",
    "shown_steps",
    "unrolled_figsize",
    "unrolled_layout",
    "unrolled_svg",
]


def plot_unrolled(
    config_or_report: Any,
    *,
    ax: Axes | None = None,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    max_layers: int | None = DEFAULT_MAX_LAYERS,
    title: bool = True,
) -> Figure:
    """Draw the network unrolled over time: layers x steps x directions.

    Each cell is one layer, one direction, one step. Arrows labelled ``h`` (``h``, ``c`` for LSTM)
    carry the state to the next step, started by ``h_0[k]`` (``c_0[k]``) where the direction
    starts; bidirectional layers feed ``input[t]`` to both directions, and ``output[t]`` is drawn
    in two halves, forward features then backward.

    Args:
        config_or_report: an ``RNNConfig`` (shapes predicted, no torch run) or a ``ShapeReport``
            (observed shapes).
        ax: draw into this Axes (it is cleared); default a new ``Figure`` sized to the network.
        max_steps: show at most this many steps, eliding the middle with "…"; ``None`` shows all.
        max_layers: show at most this many layers, eliding the middle with "⋮"; ``None`` shows all.
        title: draw the two header lines (the layer's code, then its shapes); the explorer,
            which prints them above the diagram, leaves them out.

    Returns:
        The ``Figure``. Labels give ``input`` ``(T, N, H_in)``, ``output`` ``(T, N, D*H_out)``,
        ``h_n`` ``(L*D, N, H_out)`` (and ``c_n`` for LSTM) as text such as ``(8, 3, 20)``.

    Raises:
        ValueError: if ``config_or_report`` is neither, or ``max_steps`` is invalid.
    """
    from matplotlib.collections import LineCollection, PatchCollection, PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    sc = _resolve_scene(config_or_report, max_steps, max_layers, title)
    if ax is None:
        fig = Figure(figsize=sc.size, dpi=100)
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = ax.figure
    if ax.get_gid() == _GID:
        # drawn by us before: removing our artists is ~10x cheaper than Axes.clear()
        for artist in [*ax.texts, *ax.collections, *ax.patches, *ax.lines]:
            artist.remove()
    else:
        ax.clear()
        ax.set_axis_off()
        ax.set_gid(_GID)
    x0, x1, y0, y1 = sc.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)

    ax.add_collection(
        PatchCollection(
            [
                FancyBboxPatch((a, b), c - a, d - b, boxstyle="round,pad=0.02,rounding_size=0.15")
                for a, b, c, d in sc.containers
            ],
            facecolor=CONTAINER_FILL,
            edgecolor=CONTAINER_EDGE,
            linewidth=0.8,
            zorder=1,
        )
    )
    if sc.dotted:
        ax.add_collection(
            LineCollection(
                [[(a, b), (c, d)] for a, b, c, d in sc.dotted],
                colors=ARROW,
                linewidths=1.0,
                linestyles=":",
                zorder=2,
            )
        )
    scale = _scale(sc)
    shafts, heads, colors, widths = [], [], [], []
    for pts, color, lw, head in sc.lines:
        if head:
            pts, tri = _arrowhead(pts, scale)
            heads.append(tri)
        shafts.append(pts)
        colors.append(color)
        widths.append(lw)
    ax.add_collection(LineCollection(shafts, colors=colors, linewidths=widths, zorder=2))
    ax.add_collection(
        PolyCollection(heads, facecolors=colors, edgecolors="none", zorder=2, gid="arrowheads")
    )
    if sc.dots:
        ax.scatter([d[0] for d in sc.dots], [d[1] for d in sc.dots], s=9, c=ARROW, zorder=2)
    for group, boxes in sc.boxes.items():
        ax.add_collection(
            # one PolyCollection: far cheaper than hundreds of Rectangle patches
            PolyCollection(
                [[(a, b), (c, b), (c, d), (a, d)] for a, b, c, d, *_ in boxes],
                facecolors=[bx[4] for bx in boxes],
                edgecolors=[bx[5] for bx in boxes],
                linewidths=[bx[6] for bx in boxes],
                zorder=3,
                gid=group,
            )
        )
    for x, y, s, ha, size, color, bold in sc.texts:
        ax.text(
            x,
            y,
            s,
            ha=ha,
            va="center",
            fontsize=size,
            color=color,
            weight="bold" if bold else "normal",
            zorder=5,
        )
    return fig


def unrolled_svg(
    config_or_report: Any,
    *,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    max_layers: int | None = DEFAULT_MAX_LAYERS,
    title: bool = True,
    min_font: float | None = None,
    style: str | None = None,
) -> str:
    """The figure of :func:`plot_unrolled` as SVG text, written directly (no matplotlib).

    The same scene drawn without matplotlib's per-artist cost: about a millisecond instead of tens,
    which keeps :class:`~lstm_explain.widgets.ShapeExplorer` responsive. Text stays text (the
    browser draws it). Sized ``unrolled_figsize(...)`` inches at 72 pt per inch (one user unit of
    the ``viewBox`` is one point).

    Args:
        min_font: for a screen or a projector: every label is enlarged by the same amount so the
            smallest is ``min_font`` points (a label inside a cell only as far as the cell is wide),
            and the picture widens where a label needs it. ``None``: the sizes of ``draw_unrolled``.
        style: CSS for the ``<svg>`` element (e.g. ``"width:100%;height:auto"`` to let it scale).

    Raises:
        ValueError: as :func:`plot_unrolled`.
    """
    sc = _resolve_scene(config_or_report, max_steps, max_layers, title)
    if min_font is not None:
        _enlarge_texts(sc, min_font)
    x0, x1, y0, y1 = sc.extent
    w, h = sc.size[0] * 72, sc.size[1] * 72
    kx, ky = w / (x1 - x0), h / (y1 - y0)

    def X(x: float) -> str:
        return f"{(x - x0) * kx:.1f}"

    def Y(y: float) -> str:
        return f"{(y1 - y) * ky:.1f}"

    def path(pts: list[tuple[float, float]]) -> str:
        return "M" + "L".join(f"{X(x)} {Y(y)}" for x, y in pts)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.1f}pt" height="{h:.1f}pt" '
        f'viewBox="0 0 {w:.1f} {h:.1f}" font-family="DejaVu Sans, Bitstream Vera Sans, Arial, '
        'sans-serif"' + (f' style="{html.escape(style)}"' if style else "") + ">",
        f'<rect width="{w:.1f}" height="{h:.1f}" fill="#ffffff"/>',
    ]
    r = 0.15 * kx
    for a, b, c, d in sc.containers:
        out.append(
            f'<rect x="{X(a)}" y="{Y(d)}" width="{(c - a) * kx:.1f}" height="{(d - b) * ky:.1f}" '
            f'rx="{r:.1f}" fill="{CONTAINER_FILL}" stroke="{CONTAINER_EDGE}" stroke-width="0.8"/>'
        )
    if sc.dotted:
        d_attr = "".join(path([(a, b), (c, d)]) for a, b, c, d in sc.dotted)
        out.append(
            f'<path d="{d_attr}" fill="none" stroke="{ARROW}" stroke-width="1" '
            'stroke-dasharray="1,1.65" stroke-linecap="round"/>'
        )
    scale = _scale(sc)
    for pts, color, lw, head in sc.lines:
        tri = None
        if head:
            pts, tri = _arrowhead(pts, scale)
        out.append(f'<path d="{path(pts)}" fill="none" stroke="{color}" stroke-width="{lw}"/>')
        if tri is not None:
            out.append(f'<path d="{path(tri)}Z" fill="{color}"/>')
    for x, y, color in sc.dots:
        out.append(f'<circle cx="{X(x)}" cy="{Y(y)}" r="1.7" fill="{color}"/>')
    for boxes in sc.boxes.values():
        for a, b, c, d, face, edge, lw in boxes:
            out.append(
                f'<rect x="{X(a)}" y="{Y(d)}" width="{(c - a) * kx:.1f}" '
                f'height="{(d - b) * ky:.1f}" fill="{face}" stroke="{edge}" stroke-width="{lw}"/>'
            )
    anchor = {"left": "start", "center": "middle", "right": "end"}
    for x, y, s, ha, size, color, bold in sc.texts:
        weight = ' font-weight="bold"' if bold else ""
        out.append(
            f'<text x="{X(x)}" y="{Y(y)}" font-size="{size}" fill="{color}"{weight} '
            f'text-anchor="{anchor[ha]}" dominant-baseline="central" '
            f'style="white-space:pre">{html.escape(s, quote=False)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out)


# The older draw_* names: aliases kept for existing notebooks (figures are plot_* everywhere).
draw_unrolled = plot_unrolled
