"""Figures of sequence data: the data cube and its two layouts."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from lstm_explain.plotting.data import (
    SLICE_COLORS,
    cube_colors,
    draw_data_cube,
    draw_layouts,
    slice_labels,
)


def _legend_texts(fig):
    return [t.get_text() for leg in fig.legends for t in leg.get_texts()]


def test_cube_has_one_voxel_per_number_and_highlights():
    fig = draw_data_cube(3, 4, 2, sample=1, step=0)
    ax = fig.axes[0]
    assert ax.name == "3d"
    texts = _legend_texts(fig)
    assert texts == [slice_labels(1, 0, None)["sample"], slice_labels(1, 0, None)["step"]]
    assert "x[:, 1] in (T, N, H_in)" in texts[0] and "x[0] in (T, N, H_in)" in texts[1]
    assert len(ax.collections) == 3 * 4 * 2  # one voxel per number
    # the highlighted cells are one solid set: an inner sample slice gets its own faces
    solid = [c for c in ax.collections if c.get_facecolor()[0][3] == 1.0]
    assert len(solid) == 4 * 2 + 3 * 2 - 2  # sample 1 (T x F) + step 0 (N x F), overlap once
    assert (
        "t (T = 4)" in ax.get_xlabel()
        and "N = 3" in ax.get_ylabel()
        and "H_in = 2" in ax.get_zlabel()
    )


def test_cube_colors_mark_exactly_the_slices():
    colors = cube_colors(3, 4, 2, sample=1, step=0, feature=None)  # (T, N, F)
    assert colors.shape == (4, 3, 2)
    blue, orange = SLICE_COLORS["sample"] + "ff", SLICE_COLORS["step"] + "ff"
    assert (colors[0] == orange).all()  # step 0: every sample, every feature
    assert (colors[1:, 1] == blue).all()  # sample 1 at the other steps
    rest = np.ones((4, 3, 2), bool)
    rest[0] = False
    rest[:, 1] = False
    assert all(c.endswith("1a") for c in colors[rest])
    assert (cube_colors(3, 4, 2, feature=1)[:, :, 1] == SLICE_COLORS["feature"] + "ff").all()


def test_cube_without_highlight_has_no_legend():
    fig = draw_data_cube(2, 2, 2)
    assert fig.legends == []
    assert "N=2 samples x T=2 steps x H_in=2 features" in fig._suptitle.get_text()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(n=0, t=2, f=2), "n must be in 1..12 to draw \\(got n=0\\)"),
        (dict(n=2, t=13, f=2), "t must be in 1..12"),
        (dict(n=2, t=2, f=2.0), "f must be an integer \\(got f=2.0\\)"),
        (dict(n=2, t=2, f=2, sample=2), "sample must be an index in 0..n-1=1 \\(got sample=2\\)"),
        (dict(n=2, t=3, f=2, step=-1), "step must be an index in 0..t-1=2"),
        (dict(n=2, t=3, f=2, feature=True), "feature must be an index"),
    ],
)
def test_cube_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        draw_data_cube(**kwargs)


def test_layouts_panels_and_titles():
    fig = draw_layouts(2, 3, 4)
    axes = fig.axes
    assert len(axes) == 2 * 3  # two rows of max(T, N) = 3 panels
    titles = [a.get_title() for a in axes if a.axison]
    assert titles == [
        "x[0]: step 0, (N, H_in)",
        "x[1]: step 1, (N, H_in)",
        "x[2]: step 2, (N, H_in)",
        "x[0]: sample 0, (T, H_in)",
        "x[1]: sample 1, (T, H_in)",
    ]
    # a time-major panel is N x F, a batch-first panel T x F
    assert axes[0].images[0].get_array().shape[:2] == (2, 4)
    assert axes[3].images[0].get_array().shape[:2] == (3, 4)
    # the same number has the same colour in both layouts: sample 1, step 2
    a = axes[2].images[0].get_array()[1, 0]
    b = axes[4].images[0].get_array()[2, 0]
    assert np.allclose(a, b)
    with pytest.raises(ValueError, match=r"n must be in 1..8"):
        draw_layouts(9, 2, 2)
