"""The unrolled diagram's labels: how wide a label is (CJK characters count one em), widening
the scene so every label fits, and enlarging labels for a projector without overlaps."""

from __future__ import annotations

import itertools
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .unrolled_scene import _Scene

#: Average character width of the diagram's font (DejaVu Sans), in ems; bold a little wider.
_EM, _EM_BOLD = 0.6, 0.66


def _points(text: str, size: float, bold: bool = False) -> float:
    """The width of ``text`` in points: a wide (CJK) character is one em, others the average."""
    em = _EM_BOLD if bold else _EM
    if text.isascii():
        return len(text) * size * em
    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    return (wide + (len(text) - wide) * em) * size


def _fit_texts(sc: _Scene) -> None:
    """Widen the scene so every left-aligned label fits (a narrow, T <= 2 diagram would clip its
    title); the scale stays 0.78 in per data unit, so cells keep their size."""
    x_left, x_right, y_bottom, y_top = sc.extent
    per_unit = sc.size[0] / (x_right - x_left)
    need = x_right
    for x, _y, s, ha, size, _color, bold in sc.texts:
        if ha == "left":
            need = max(need, x + _points(s, size, bold) / 72 / per_unit + 0.2)
    if need > x_right:
        width = round(min(sc.size[0] + (need - x_right) * per_unit, 16.0), 2)
        sc.extent = (x_left, x_left + width / per_unit, y_bottom, y_top)
        sc.size = (width, sc.size[1])


def _enlarge_texts(sc: _Scene, min_font: float) -> None:
    """Add the same number of points to every label so the smallest is ``min_font``; a label in a
    cell (``h_n[k]``) grows only while it fits the cell. Then widen the scene where needed."""
    if not sc.texts:
        return
    boost = max(0.0, min_font - min(t[4] for t in sc.texts))
    from .unrolled_scene import CELL_W, _scale

    cell_pt = CELL_W * _scale(sc)[0] * 72 * 0.94  # a cell's width in points, less a margin
    texts = []
    for x, y, s, ha, size, color, bold in sc.texts:
        new = size + boost
        if ha == "center" and s.startswith("h_n["):
            new = max(min(new, cell_pt / (len(s) * _EM)), min_font)
        texts.append((x, y, s, ha, round(new, 1), color, bold))
    # labels stacked in one column (h_0[k] over c_0[k], the two halves of output[t]) move apart
    # symmetrically until their lines no longer overlap
    _, _, y0, y1 = sc.extent
    pt_per_unit = sc.size[1] * 72 / (y1 - y0)
    column: dict[tuple[float, str], list[int]] = {}
    for i, (x, _y, _s, ha, *_) in enumerate(texts):
        if ha != "center":
            column.setdefault((round(x, 3), ha), []).append(i)
    for members in column.values():
        members.sort(key=lambda i: texts[i][1])
        for lo, hi in itertools.pairwise(members):
            a, b = texts[lo], texts[hi]
            need = 1.05 * (a[4] + b[4]) / 2 / pt_per_unit
            gap = b[1] - a[1]
            if 0 < gap < need:
                mid = (a[1] + b[1]) / 2
                texts[lo] = (a[0], mid - need / 2, *a[2:])
                texts[hi] = (b[0], mid + need / 2, *b[2:])
    sc.texts = texts
    _fit_texts(sc)
