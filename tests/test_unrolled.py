"""draw_unrolled: the unrolled network, its highlighted cells and its shape labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from lstm_explain.config import RNNConfig
from lstm_explain.plotting.unrolled import (
    HN_EDGE,
    OUTPUT_FILL,
    draw_unrolled,
    shown_layers,
    shown_steps,
    unrolled_figsize,
    unrolled_layout,
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
    # output cells (top layer) plus the output row of boxes: T each
    assert faces.count(OUTPUT_FILL) == 6 * D + 6
    assert {f"h_n[{k}]" for k in range(layers * D)} <= set(texts(fig))


def test_lstm_labels_c_n_and_projection():
    config = RNNConfig("LSTM", 100, 20, num_layers=2, bidirectional=True, proj_size=10, batch=8)
    text = joined(draw_unrolled(shape_report(config)))
    assert "h_n (4, 8, 10)" in text and "c_n (4, 8, 20)" in text
    assert "output (5, 8, 20)" in text
    assert "state: h 10, c 20" in text
    assert "(8, 20) each" in text  # one step of output: (N, D * proj_size)


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
    assert "⋮ layers 2-5" in labels
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
