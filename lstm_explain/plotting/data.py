"""Figures of sequence data: the data cube (samples x time x features) and its two memory layouts.

A batch of sequences is a cube: ``N`` samples (sequences), each ``T`` steps long, each step a
vector of ``H_in`` features (``input_size``). :func:`plot_data_cube` draws it with slices
highlighted (one sample, one time step, one feature) and labels each slice with the index that
takes it out of a ``(T, N, H_in)`` tensor and of a batch_first ``(N, T, H_in)`` tensor.
:func:`plot_layouts` draws the same cube stored both ways, to show what ``x[k]`` means in each.

matplotlib is imported inside the functions, so importing this module is instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from matplotlib.figure import Figure

#: slice colours: sample (blue), time step (orange), feature (green); the rest light grey.
SLICE_COLORS = {"sample": "#1f77b4", "step": "#ff7f0e", "feature": "#2ca02c"}
_BASE = "#d9d9d9"
_SOLID, _FAINT = "ff", "1a"  # alpha of highlighted and of other cells


def _need_size(name: str, value: object, maximum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer (got {name}={value!r})")
    if not 1 <= value <= maximum:
        raise ValueError(f"{name} must be in 1..{maximum} to draw (got {name}={value})")


def _need_index(name: str, value: object, size_name: str, size: int) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < size:
        raise ValueError(
            f"{name} must be an index in 0..{size_name}-1={size - 1} (got {name}={value!r})"
        )


def slice_labels(sample: int | None, step: int | None, feature: int | None) -> dict[str, str]:
    """How to take each highlighted slice out of the tensor, in both layouts.

    ``{"sample": "sample 1: x[:, 1] in (T, N, H_in), x[1] in (N, T, H_in) -> (T, H_in)", …}``.
    """
    labels = {}
    if sample is not None:
        labels["sample"] = _(
            "sample {i}: x[:, {i}] in (T, N, H_in), x[{i}] in (N, T, H_in) -> (T, H_in)"
        ).format(i=sample)
    if step is not None:
        labels["step"] = _(
            "time step {t}: x[{t}] in (T, N, H_in), x[:, {t}] in (N, T, H_in) -> (N, H_in)"
        ).format(t=step)
    if feature is not None:
        labels["feature"] = _("feature {k}: x[..., {k}] in both -> (T, N) or (N, T)").format(
            k=feature
        )
    return labels


def cube_colors(
    n: int,
    t: int,
    f: int,
    *,
    sample: int | None = None,
    step: int | None = None,
    feature: int | None = None,
) -> np.ndarray:
    """Each cell's colour (``#rrggbbaa``), indexed like the voxel grid ``(time, sample, feature)``.

    Highlighted slices are opaque; a cell in two slices takes the later one's colour in the order
    sample, step, feature; the rest is a faint, nearly transparent grey.
    """
    import numpy as np

    colors = np.empty((t, n, f), dtype=object)  # (T, N, H_in)
    colors[...] = _BASE + _FAINT
    if sample is not None:
        colors[:, sample, :] = SLICE_COLORS["sample"] + _SOLID
    if step is not None:
        colors[step, :, :] = SLICE_COLORS["step"] + _SOLID
    if feature is not None:
        colors[:, :, feature] = SLICE_COLORS["feature"] + _SOLID
    return colors


def plot_data_cube(
    n: int,
    t: int,
    f: int,
    *,
    sample: int | None = None,
    step: int | None = None,
    feature: int | None = None,
    title: str | None = None,
) -> Figure:
    """The data cube of ``n`` samples x ``t`` time steps x ``f`` features, slices highlighted.

    Time runs left to right, samples go back in depth, features go up. Each cell is one number
    ``x[step, sample, feature]``. Highlighted slices are drawn as solid blocks and the other
    cells as faint glass around them, so a slice inside the cube (a middle sample) stays visible.

    Args:
        n, t, f: samples ``N``, steps ``T`` and features ``H_in`` (each 1..12, to stay legible).
        sample: highlight one sample (a whole sequence, ``(T, H_in)``) in blue.
        step: highlight one time step (what the layer reads at that step, ``(N, H_in)``) in orange.
        feature: highlight one feature over all samples and steps (``(T, N)``) in green.
        title: the figure title (default: the sizes).

    Returns:
        A matplotlib ``Figure`` (one 3-D axes); a cell in two highlighted slices takes the colour
        of the later one in the order sample, step, feature.

    Raises:
        ValueError: a size outside 1..12 or an index outside its axis.
    """
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    for name, value in (("n", n), ("t", t), ("f", f)):
        _need_size(name, value, 12)
    _need_index("sample", sample, "n", n)
    _need_index("step", step, "t", t)
    _need_index("feature", feature, "f", f)

    colors = cube_colors(n, t, f, sample=sample, step=step, feature=feature)
    # two voxel sets: voxels only draw faces between filled and empty cells, so one set for the
    # whole cube would show an inner slice as a hollow outline on the surface only.
    lit = np.vectorize(lambda c: not c.endswith(_FAINT))(colors)

    fig = Figure(figsize=(7.5, 6.0))
    ax = fig.add_axes((0.0, 0.16, 1.0, 0.78), projection="3d")
    if (~lit).any():
        ax.voxels(~lit, facecolors=colors, edgecolors="#55555540", linewidth=0.3)
    if lit.any():
        ax.voxels(lit, facecolors=colors, edgecolors="#333333", linewidth=0.5)
    ax.set_box_aspect((t, n, f))
    ax.view_init(elev=22, azim=-62)
    ax.set_xlabel(_("time step t (T = {t})").format(t=t))
    ax.set_ylabel(_("sample (N = {n})").format(n=n))
    ax.set_zlabel(_("feature (H_in = {f})").format(f=f))
    ax.set_xticks(np.arange(t) + 0.5, [str(i) for i in range(t)])
    ax.set_yticks(np.arange(n) + 0.5, [str(i) for i in range(n)])
    ax.set_zticks(np.arange(f) + 0.5, [str(i) for i in range(f)])
    ax.tick_params(labelsize=7, pad=0)
    fig.suptitle(
        title
        or _("a batch of sequences: N={n} samples x T={t} steps x H_in={f} features").format(
            n=n, t=t, f=f
        )
    )
    labels = slice_labels(sample, step, feature)
    if labels:
        handles = [Patch(color=SLICE_COLORS[k], label=v) for k, v in labels.items()]
        fig.legend(handles=handles, loc="lower center", fontsize=9, frameon=False)
    return fig


def plot_layouts(n: int, t: int, f: int) -> Figure:
    """The same ``n x t x f`` batch stored as ``(T, N, H_in)`` (top) and batch_first ``(N, T, H_in)``.

    Top row: ``T`` matrices ``x[0] … x[T-1]``, each ``(N, H_in)``: step k of every sample.
    Bottom row: ``N`` matrices ``x[0] … x[N-1]``, each ``(T, H_in)``: one whole sample.
    A cell's colour is its sample, its shade its time step, so the same numbers can be followed
    from one layout to the other.

    Raises:
        ValueError: a size outside 1..8.
    """
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    for name, value in (("n", n), ("t", t), ("f", f)):
        _need_size(name, value, 8)
    cmaps = [colormaps[c] for c in ("Blues", "Oranges", "Greens", "Purples", "Reds", "Greys")]

    def show(ax, img, title: str) -> None:
        rows, columns = img.shape[:2]
        ax.imshow(img, aspect="equal")
        ax.set_axis_on()
        # white lines between cells: one cell is one number
        ax.hlines(np.arange(rows - 1) + 0.5, -0.5, columns - 0.5, color="white", linewidth=0.8)
        ax.vlines(np.arange(columns - 1) + 0.5, -0.5, rows - 0.5, color="white", linewidth=0.8)
        ax.set_xticks([])
        ax.set_title(title, fontsize=8)

    def cell_color(i_sample: int, i_step: int) -> tuple[float, ...]:
        shade = 0.35 + 0.5 * (i_step / max(t - 1, 1))
        return cmaps[i_sample % len(cmaps)](shade)

    cols = max(t, n)
    fig = Figure(figsize=(1.25 * cols + 1.0, 4.6), layout="constrained")
    grid = fig.subplots(2, cols, squeeze=False)
    for ax in grid.flat:
        ax.set_axis_off()
    for k in range(t):  # time-major: x[k] is step k of every sample, (N, H_in)
        img = np.array([[cell_color(i, k)] * f for i in range(n)])
        ax = grid[0, k]
        show(ax, img, _("x[{k}]: step {k}, (N, H_in)").format(k=k))
        ax.set_yticks(range(n), [f"s{i}" for i in range(n)] if k == 0 else [""] * n, fontsize=7)
    for i in range(n):  # batch_first: x[i] is sample i, all steps, (T, H_in)
        img = np.array([[cell_color(i, k)] * f for k in range(t)])
        ax = grid[1, i]
        show(ax, img, _("x[{i}]: sample {i}, (T, H_in)").format(i=i))
        ax.set_yticks(range(t), [f"t{k}" for k in range(t)] if i == 0 else [""] * t, fontsize=7)
    grid[0, 0].set_ylabel(_("(T, N, H_in)\nrows: samples"), fontsize=9)
    grid[1, 0].set_ylabel(_("(N, T, H_in), batch_first\nrows: time steps"), fontsize=9)
    columns = _("columns: {f} features").format(f=f)
    grid[1, 0].set_xlabel(columns, fontsize=8)
    grid[0, 0].set_xlabel(columns, fontsize=8)
    fig.suptitle(
        _(
            "one batch, two layouts: N={n}, T={t}, H_in={f} (colour = sample, shade = time step)"
        ).format(n=n, t=t, f=f),
        fontsize=10,
    )
    return fig


# The older draw_* names: aliases kept for existing notebooks (figures are plot_* everywhere).
draw_data_cube = plot_data_cube
draw_layouts = plot_layouts
