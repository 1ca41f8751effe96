"""The LSTM step diagram: gate boxes labelled with the weight rows PyTorch really uses."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from lstm_explain import RNNConfig
from lstm_explain.plotting.cell_diagram import draw_lstm_cell, gate_rows


def test_gate_rows_are_pytorch_order():
    rows = gate_rows(3)
    assert rows == {"i": (0, 3), "f": (3, 6), "g": (6, 9), "o": (9, 12)}
    # the forget rows really are the forget gate: shutting them makes c_t ignore c_{t-1}
    torch.manual_seed(0)
    cell = nn.LSTMCell(2, 3)
    start, stop = rows["f"]
    with torch.no_grad():
        cell.bias_ih[start:stop] = -1e4
    x, h = torch.randn(1, 2), torch.randn(1, 3)
    _, c_a = cell(x, (h, torch.randn(1, 3)))
    _, c_b = cell(x, (h, torch.randn(1, 3)))
    assert torch.allclose(c_a, c_b)
    with pytest.raises(
        ValueError, match=r"hidden_size must be an integer >= 1 \(got hidden_size=0\)"
    ):
        gate_rows(0)


def test_diagram_labels_follow_the_config():
    fig = draw_lstm_cell(RNNConfig("LSTM", 7, 5))
    texts = [t.get_text() for t in fig.axes[0].texts]
    for label in ("rows 0:5", "rows 5:10", "rows 10:15", "rows 15:20"):
        assert label in texts
    assert "i = σ" in texts and "g = tanh" in texts and "forget gate" in texts
    assert "$x_t$  (N, 7)" in texts
    # boxes left to right in the weights' row order, not f first
    x_of = {
        t.get_text()[0]: t.get_position()[0]
        for t in fig.axes[0].texts
        if t.get_text()[1:4] == " = "
    }
    assert sorted(x_of, key=x_of.get) == ["i", "f", "g", "o"]
    # x_t and h_{t-1} are concatenated, and the joined width is printed
    assert "concat" in texts
    assert any("(N, H_in + H_out) = (N, 12)" in t for t in texts)
    assert "candidate (cell gate)" in texts
    assert "(20, 7)" in fig._suptitle.get_text()


def test_default_is_the_posts_layer():
    fig = draw_lstm_cell()
    assert "nn.LSTM(100, 20)" in fig._suptitle.get_text()
    assert "rows 60:80" in [t.get_text() for t in fig.axes[0].texts]


def test_rejects_non_lstm():
    with pytest.raises(ValueError, match=r"config must be an LSTM RNNConfig \(got 'GRU'\)"):
        draw_lstm_cell(RNNConfig("GRU", 4, 3))
    with pytest.raises(ValueError, match=r"got 'dict'"):
        draw_lstm_cell({"mode": "LSTM"})
