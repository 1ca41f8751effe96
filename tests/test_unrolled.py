"""draw_unrolled: the unrolled network, its highlighted cells and its shape labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lstm_explain.config import RNNConfig
from lstm_explain.i18n import use_language
from lstm_explain.plotting.unrolled import (
    BWD_FILL,
    CELL_H,
    CELL_W,
    HN_EDGE,
    OUTPUT_FILL,
    draw_unrolled,
    shown_layers,
    shown_steps,
    unrolled_figsize,
    unrolled_layout,
    unrolled_svg,
)
from lstm_explain.shapes import shape_report


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def joined(fig: Figure) -> str:
    return "\n".join(texts(fig))


def cells(fig: Figure) -> PolyCollection:
    (coll,) = [c for c in fig.axes[0].collections if c.get_gid() == "cells"]
    return coll


def test_notebook_call_returns_a_figure_with_the_shapes_as_text():
    fig = draw_unrolled(shape_report(RNNConfig("RNN", 100, 20, num_layers=2, seq_len=5, batch=3)))
    assert isinstance(fig, Figure)
    text = joined(fig)
    assert "output (5, 3, 20)" in text
    assert "h_n (2, 3, 20)" in text
    assert "input (5, 3, 100)" in text
    assert [f"t={t}" for t in range(5)] == [s for s in texts(fig) if s.startswith("t=")]
    assert {"h_n[0]", "h_n[1]"} <= set(texts(fig))


def test_config_and_report_give_the_same_labels():
    config = RNNConfig("GRU", 7, 11, num_layers=3, bidirectional=True, seq_len=4, batch=2)
    assert texts(draw_unrolled(config)) == texts(draw_unrolled(shape_report(config)))


@pytest.mark.parametrize(
    ("mode", "layers", "bidi"), [("RNN", 1, False), ("LSTM", 4, True), ("GRU", 3, True)]
)
def test_h_n_cells_are_last_step_forward_and_first_step_backward(mode, layers, bidi):
    config = RNNConfig(mode, 10, 20, num_layers=layers, bidirectional=bidi, seq_len=6, batch=3)
    layout = unrolled_layout(config)
    D = config.num_directions
    assert len(layout["h_n_cells"]) == layers * D
    for (layer, d, t), row in layout["h_n_cells"].items():
        assert row == layer * D + d  # h_n.view(L, D, N, H)[layer, d]
        assert t == (5 if d == 0 else 0)
    assert layout["output_cells"] == {(layers - 1, d, t) for d in range(D) for t in range(6)}
    fig = draw_unrolled(config)
    coll = cells(fig)
    edges = [to_hex(c) for c in coll.get_edgecolors()]
    faces = [to_hex(c) for c in coll.get_facecolors()]
    assert edges.count(HN_EDGE) == layers * D
    # top-layer cells of each direction, plus that direction's half of every output[t] box and,
    # bidirectional, of every [forward | backward] box between two layers: T each
    halves = 1 + (layers - 1 if bidi else 0)
    assert faces.count(OUTPUT_FILL) == 6 + 6 * halves
    assert faces.count(BWD_FILL) == (6 + 6 * halves if bidi else 0)
    assert {f"h_n[{k}]" for k in range(layers * D)} <= set(texts(fig))


def test_lstm_labels_c_n_and_projection():
    config = RNNConfig("LSTM", 100, 20, num_layers=2, bidirectional=True, proj_size=10, batch=8)
    text = joined(draw_unrolled(shape_report(config)))
    assert "h_n (4, 8, 10)" in text and "c_n (4, 8, 20)" in text
    assert "output (5, 8, 20)" in text
    assert "h: 10, c: 20 per sequence" in text  # the state each step passes on
    assert "(8, 20) each = 2 × 10:" in text  # one step of output: (N, D * proj_size)
    assert "layer 1 reads 2 × 10 = 20 features" in text


def test_long_sequences_are_elided_keeping_both_ends():
    assert shown_steps(5) == [0, 1, 2, 3, 4]
    assert shown_steps(30) == [0, 1, 2, 3, 4, 5, None, 24, 25, 26, 27, 28, 29]
    assert shown_steps(30, None) == list(range(30))
    assert shown_steps(13, 4) == [0, 1, None, 11, 12]
    fig = draw_unrolled(RNNConfig("GRU", 3, 4, seq_len=30, bidirectional=True))
    steps = [s for s in texts(fig) if s.startswith("t=") or s == "…"]
    assert steps == ["t=0", "t=1", "t=2", "t=3", "t=4", "t=5", "…"] + [
        f"t={t}" for t in range(24, 30)
    ]
    assert (
        len(texts(draw_unrolled(RNNConfig("GRU", 3, 4, seq_len=30), max_steps=None)))
        > len(texts(fig)) - 2
    )


def test_deep_networks_elide_middle_layers():
    assert shown_layers(3) == [0, 1, 2]
    assert shown_layers(8) == [0, 1, None, 6, 7]
    fig = draw_unrolled(RNNConfig("LSTM", 3, 4, num_layers=8, bidirectional=True))
    labels = set(texts(fig))
    assert "⋮ layers 2-5 (not drawn)" in labels
    assert {"h_n[0]", "h_n[3]", "h_n[12]", "h_n[15]"} <= labels
    assert "h_n[5]" not in labels
    assert "h_n (16, 3, 4)" in joined(fig)
    full = draw_unrolled(RNNConfig("LSTM", 3, 4, num_layers=8), max_layers=None)
    assert {f"h_n[{k}]" for k in range(8)} <= set(texts(full))


def test_layouts_batch_first_unbatched_and_packed():
    bf = joined(draw_unrolled(RNNConfig("RNN", 4, 6, batch_first=True, batch=2)))
    assert "output[:, t]" in bf and "input (2, 5, 4)" in bf and "(batch_first)" in bf
    ub = joined(draw_unrolled(RNNConfig("GRU", 4, 6, batch=None)))
    assert "(unbatched)" in ub and "h_n (1, 6)" in ub and "(6,) each" in ub
    packed = RNNConfig("LSTM", 4, 6, seq_len=6, batch=3, lengths=(6, 2, 4))
    assert unrolled_layout(packed)["ends"] == {5: [0], 1: [1], 3: [2]}
    labels = texts(draw_unrolled(packed))
    assert "end 1" in labels and "end 2" in labels
    assert any("lengths=[6, 2, 4]" in s for s in labels)


def test_draws_into_a_given_axes_and_sizes_are_reusable():
    config = RNNConfig("RNN", 4, 6, num_layers=2)
    fig = Figure(figsize=unrolled_figsize(config))
    ax = fig.add_axes((0, 0, 1, 1))
    assert draw_unrolled(config, ax=ax) is fig
    first = texts(fig)
    assert draw_unrolled(config, ax=ax) is fig
    assert texts(fig) == first  # cleared, not drawn twice
    assert unrolled_figsize(config) == tuple(draw_unrolled(config).get_size_inches())
    assert unrolled_figsize(RNNConfig("RNN", 4, 6, num_layers=3)) != unrolled_figsize(config)


def test_bad_arguments_raise_value_errors_naming_them():
    with pytest.raises(ValueError, match="config_or_report must be an RNNConfig or a ShapeReport"):
        draw_unrolled("LSTM")
    with pytest.raises(ValueError, match="max_steps must be an integer >= 2"):
        draw_unrolled(RNNConfig("RNN", 1, 1), max_steps=1)
    with pytest.raises(ValueError, match="max_layers"):
        draw_unrolled(RNNConfig("RNN", 1, 1), max_layers=0)


def layer_cells(fig: Figure) -> list[tuple[float, float, float, float, str]]:
    """(x0, y0, x1, y1, face) of each layer cell (the boxes of cell size)."""
    coll = cells(fig)
    out = []
    for path, face in zip(coll.get_paths(), coll.get_facecolors(), strict=True):
        (x0, y0), (x1, y1) = path.vertices.min(axis=0), path.vertices.max(axis=0)
        if abs(x1 - x0 - CELL_W) < 1e-6 and abs(y1 - y0 - CELL_H) < 1e-6:
            out.append((x0, y0, x1, y1, to_hex(face)))
    return out


def arrow_tips(fig: Figure) -> list[tuple[float, float]]:
    (heads,) = [c for c in fig.axes[0].collections if c.get_gid() == "arrowheads"]
    return [tuple(p.vertices[0]) for p in heads.get_paths()]


def tips_into(tips, x0, x1, y, tol=0.05):
    return [(x, yt) for x, yt in tips if x0 <= x <= x1 and abs(yt - y) < tol]


@pytest.mark.parametrize("layers", [1, 3])
def test_every_cell_reads_from_below_and_bidirectional_cells_both_read_input(layers):
    """Each cell gets one arrow into its bottom (input[t] or the layer below), both directions."""
    config = RNNConfig("LSTM", 5, 4, num_layers=layers, bidirectional=True, seq_len=4, batch=2)
    fig = draw_unrolled(config)
    boxes, tips = layer_cells(fig), arrow_tips(fig)
    assert len(boxes) == layers * 2 * 4
    for x0, y0, x1, _, _ in boxes:
        assert len(tips_into(tips, x0, x1, y0)) == 1
    # the recurrence: forward cells get (h, c) on the left except at t=0, where h_0, c_0 enter
    # (as they do for backward cells on the right at t=T-1): two arrows into every cell's side
    for x0, y0, x1, y1, _ in boxes:
        left = [(x, y) for x, y in tips if abs(x - x0) < 0.05 and y0 < y < y1]
        right = [(x, y) for x, y in tips if abs(x - x1) < 0.05 and y0 < y < y1]
        assert len(left) + len(right) == 2


def test_output_boxes_are_split_forward_then_backward_and_labelled():
    config = RNNConfig("GRU", 5, 20, bidirectional=True, seq_len=3, batch=2)
    fig = draw_unrolled(config)
    coll = cells(fig)
    halves = []
    for path, face in zip(coll.get_paths(), coll.get_facecolors(), strict=True):
        (x0, _), (x1, _) = path.vertices.min(axis=0), path.vertices.max(axis=0)
        if to_hex(face) in (OUTPUT_FILL, BWD_FILL) and abs(x1 - x0 - CELL_W / 2) < 1e-6:
            halves.append((round(x0, 6), to_hex(face)))
    halves.sort()
    assert [f for _, f in halves] == [OUTPUT_FILL, BWD_FILL] * 3  # [fwd | bwd] per step
    labels = set(texts(fig))
    assert {"output[t, :, :20]", "output[t, :, 20:]"} <= labels
    assert "(2, 40) each = 2 × 20:" in labels and "forward 20 | backward 20" in labels
    bf = set(texts(draw_unrolled(config.replace(batch_first=True))))
    assert {"output[:, t, :20]", "output[:, t, 20:]"} <= bf
    assert "output[t, :20]" in set(texts(draw_unrolled(config.replace(batch=None))))


@pytest.mark.parametrize(("mode", "names"), [("RNN", ["h"]), ("LSTM", ["h", "c"])])
def test_recurrence_and_initial_state_are_labelled(mode, names):
    config = RNNConfig(mode, 5, 4, num_layers=2, bidirectional=True, seq_len=4)
    fig = draw_unrolled(config)
    labels = texts(fig)
    for name in names:
        assert labels.count(name) == 4  # one labelled arrow per row (2 layers x 2 directions)
        for k in range(4):
            (t,) = [t for t in fig.axes[0].texts if t.get_text() == f"{name}_0[{k}]"]
            # forward starts at t=0 (enters from the left), backward at t=T-1 (from the right)
            assert (t.get_position()[0] < 0) == (k % 2 == 0)
    assert ("c_0[0]" in labels) == (mode == "LSTM")
    assert "layer 1 reads 2 × 4 = 8 features" in labels
    uni = texts(draw_unrolled(config.replace(bidirectional=False)))
    assert "layer 1 reads 4 features" in uni


def test_header_does_not_touch_the_step_labels():
    fig = draw_unrolled(RNNConfig("LSTM", 100, 20, num_layers=4, proj_size=10, batch=8))
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    ts = {t.get_text(): t.get_window_extent(renderer) for t in fig.axes[0].texts}
    header = [b for s, b in ts.items() if s.startswith(("nn.LSTM", "input ("))]
    assert len(header) == 2
    for box in header:
        assert box.y0 - ts["t=0"].y1 > 5  # pixels of clear space


@pytest.mark.parametrize(
    "config",
    [
        RNNConfig(
            "LSTM", 10, 16, num_layers=8, bidirectional=True, batch_first=True, seq_len=1, batch=4
        ),
        RNNConfig("LSTM", 100, 20, proj_size=8, seq_len=2, batch=3, lengths=(2, 1, 1)),
        RNNConfig(
            "RNN", 1, 1, seq_len=1, batch=None, nonlinearity="relu", dropout=0.5, num_layers=2
        ),
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_label_fits_inside_a_narrow_figure(config, lang):
    """T <= 2 gives the narrowest diagram: the header and legend must not run off its edge (in
    Chinese too, whose characters are wider than the Latin average)."""
    with use_language(lang):
        fig = draw_unrolled(config)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    width_px = fig.get_size_inches()[0] * fig.dpi
    for t in fig.axes[0].texts:
        box = t.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width_px, (t.get_text(), box.x1, width_px)
    labels = texts(fig)
    assert config.code() in labels  # the whole code line, on a line of its own
    assert any(s.startswith("input (") and "h_n (" in s for s in labels)


def test_the_explorer_can_leave_the_header_out():
    config = RNNConfig("GRU", 4, 6, seq_len=3, batch=2)
    plain = texts(draw_unrolled(config, title=False))
    assert config.code() not in plain and "t=0" in plain
    assert "nn.GRU" not in unrolled_svg(config, title=False)
    short = unrolled_figsize(config, title=False)
    assert short[0] == unrolled_figsize(config)[0] and short[1] < unrolled_figsize(config)[1]


@pytest.mark.parametrize(
    "config",
    [
        RNNConfig("LSTM", 100, 20, num_layers=8, bidirectional=True, proj_size=10, seq_len=30),
        RNNConfig("GRU", 4, 6, batch=None),
        RNNConfig("RNN", 4, 6, seq_len=6, batch=3, lengths=(6, 2, 4), batch_first=True),
    ],
)
def test_svg_is_the_same_figure_as_text(config):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(unrolled_svg(config))
    ns = "{http://www.w3.org/2000/svg}"
    fig = draw_unrolled(config)
    assert [t.text for t in root.iter(f"{ns}text")] == texts(fig)
    widths = root.get("width"), root.get("height")
    assert widths == tuple(f"{v * 72:.1f}pt" for v in unrolled_figsize(config))
    # one <rect> per box, plus the background and the layer containers
    n_boxes = sum(
        len(c.get_paths()) for c in fig.axes[0].collections if c.get_gid() in ("cells", "legend")
    )
    containers = [k for k in shown_layers(config.num_layers) if k is not None]
    assert len(list(root.iter(f"{ns}rect"))) == n_boxes + 1 + len(containers)
