"""Parameter counts by formula and by module, projection savings, timing helpers."""

from __future__ import annotations

from fractions import Fraction

import matplotlib
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_explain.compare import (
    ORDER,
    Timing,
    compare_speed,
    draw_parameter_counts,
    draw_timings,
    forward_ops,
    parameter_counts,
    parameter_ratios,
    projection_savings,
    time_forward,
)

matplotlib.use("Agg")


@settings(max_examples=30, deadline=None)
@given(
    input_size=st.integers(1, 12),
    hidden_size=st.integers(1, 12),
    num_layers=st.integers(1, 3),
    bidirectional=st.booleans(),
)
def test_counts_match_modules_and_are_1_3_4(input_size, hidden_size, num_layers, bidirectional):
    counts = parameter_counts(input_size, hidden_size, num_layers, bidirectional)
    assert list(counts) == list(ORDER)
    assert all(c.matches for c in counts.values())
    module = nn.GRU(input_size, hidden_size, num_layers, bidirectional=bidirectional)
    assert counts["GRU"].observed == sum(p.numel() for p in module.parameters())
    assert parameter_ratios(counts) == {"RNN": 1, "GRU": 3, "LSTM": 4}


def test_counts_without_bias_and_known_value():
    counts = parameter_counts(10, 20, bias=False)
    # LSTM: 4*20*(10 + 20) = 2400, no biases
    assert counts["LSTM"].observed == 2400 == counts["LSTM"].predicted
    assert "bias_ih_l0" not in counts["LSTM"].shapes
    assert counts["LSTM"].shapes["weight_hh_l0"] == (80, 20)


def test_ratios_are_exact_fractions_and_base_is_checked():
    counts = parameter_counts(3, 5, modes=("GRU", "LSTM"))
    assert parameter_ratios(counts, base="GRU")["LSTM"] == Fraction(4, 3)
    with pytest.raises(ValueError, match="base must be one of"):
        parameter_ratios(counts)


def test_invalid_size_names_the_field():
    with pytest.raises(ValueError, match="hidden_size"):
        parameter_counts(3, 0)


@pytest.mark.parametrize(("num_layers", "bidirectional"), [(1, False), (2, True)])
def test_projection_savings(num_layers, bidirectional):
    s = projection_savings(8, 32, 4, num_layers=num_layers, bidirectional=bidirectional)
    assert s.matches
    plain = nn.LSTM(8, 32, num_layers, bidirectional=bidirectional)
    proj = nn.LSTM(8, 32, num_layers, bidirectional=bidirectional, proj_size=4)
    n = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert s.saved == n(plain) - n(proj) > 0
    assert s.fraction_saved == pytest.approx(s.saved / n(plain))
    changed = {name: (a, b) for name, a, b in s.changed_shapes()}
    assert changed["weight_hh_l0"] == ((128, 32), (128, 4))
    assert changed["weight_hr_l0"] == (None, (4, 32))
    assert "weight_ih_l0" not in changed  # the first layer still reads input_size features
    if num_layers == 2:
        d = 2
        assert changed["weight_ih_l1"] == ((128, d * 32), (128, d * 4))


def test_projection_savings_rejects_bad_proj_size():
    with pytest.raises(ValueError, match="proj_size must be >= 1"):
        projection_savings(8, 32, 0)
    with pytest.raises(ValueError, match="proj_size must be smaller than hidden_size"):
        projection_savings(8, 32, 32)


def test_time_forward_runs_every_repeat():
    calls = []

    def fake(x):
        calls.append(x)
        return x * 2, None

    t = time_forward(fake, torch.ones(3, 2), repeats=4, warmup=1, name="fake")
    assert len(calls) == 5 and t.runs == 4 and t.output_shape == (3, 2)
    assert t.best <= t.median and t.best >= 0
    assert "fake: median" in str(t) and "over 4 runs" in str(t)
    with pytest.raises(ValueError, match="repeats must be an integer >= 1"):
        time_forward(fake, torch.ones(1), repeats=0)
    with pytest.raises(ValueError, match="warmup must be an integer >= 0"):
        time_forward(fake, torch.ones(1), warmup=-1)


def test_timing_statistics():
    t = Timing("x", (3.0, 1.0, 2.0), (1,))
    assert (t.median, t.best, t.runs) == (2.0, 1.0, 3)


def test_compare_speed_times_every_module():
    timings = compare_speed(4, 8, seq_len=5, batch=2, repeats=2, warmup=0)
    assert list(timings) == ["nn.RNN", "nn.GRU", "nn.LSTM", "LSTMCell loop"]
    assert all(t.name == key for key, t in timings.items())  # one name in printout and plot
    assert all(t.runs == 2 and t.output_shape == (5, 2, 8) for t in timings.values())
    assert "LSTMCell loop" not in compare_speed(4, 8, seq_len=3, repeats=1, include_cells=False)


def test_forward_ops_counts_the_kernels_one_pass_runs():
    T = 7
    x = torch.randn(T, 2, 3)
    rnn_ops = forward_ops(nn.RNN(3, 4), x)
    assert rnn_ops["addmm"] == T + 1  # all inputs at once, then one product per step
    assert rnn_ops["tanh"] == T
    lstm_ops = forward_ops(nn.LSTM(3, 4), x)
    if torch.backends.mkldnn.is_available():  # oneDNN runs the whole layer in one call
        assert lstm_ops.get("mkldnn_rnn_layer") == 1 and "addmm" not in lstm_ops
    assert sum(forward_ops(nn.RNN(3, 4, num_layers=2), x).values()) > sum(rnn_ops.values())
    h = torch.zeros(1, 2, 4)
    assert forward_ops(nn.GRU(3, 4), x, h)["sigmoid_"] == 2 * T  # r and z at every step


def test_figures():
    counts = parameter_counts(4, 8)
    fig = draw_parameter_counts(counts)
    assert len(fig.axes) == 1
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(f"{counts['LSTM'].observed:,}" in t for t in texts)
    fig = draw_parameter_counts(counts, projection_savings(4, 8, 2))
    assert len(fig.axes) == 2 and "proj_size=2 saves" in fig.axes[1].get_title()
    assert [ax.get_ylabel() for ax in fig.axes] == ["parameters", "parameters"]
    assert fig.axes[0].get_title().startswith("H_in=4, H=8\n")
    fig.canvas.draw()
    for ax in fig.axes:  # plain thousands, no "1e6" offset text
        assert ax.yaxis.get_offset_text().get_text() == ""
    deep = parameter_counts(4, 8, num_layers=2, bidirectional=True)
    assert "H_in=4, H=8, L=2, D=2" in draw_parameter_counts(deep).axes[0].get_title()
    fig = draw_timings({"a": Timing("nn.A", (0.001,), (1,)), "b": Timing("B", (0.002,), (1,))})
    assert len(fig.axes[0].patches) == 2
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["B", "nn.A"]  # the Timing names, first key on top


def test_time_forward_sets_and_restores_threads():
    before = torch.get_num_threads()
    seen = []

    def probe(x):
        seen.append(torch.get_num_threads())
        return x

    time_forward(probe, torch.ones(1), repeats=1, warmup=0, num_threads=1)
    assert seen == [1] and torch.get_num_threads() == before
    with pytest.raises(ValueError, match="num_threads must be an integer >= 1 or None"):
        time_forward(probe, torch.ones(1), num_threads=0)


def test_compare_layers_rows_counts_and_protocol():
    import json

    from lstm_explain.compare import LayerComparison, compare_layers

    result = compare_layers(8, 6, seq_len=12, batch=2, distance=8, train=False, repeats=1)
    assert isinstance(result, LayerComparison) and result.ok
    assert list(result.rows) == ["nn.RNN", "nn.GRU", "nn.LSTM", "nn.LSTM, bidirectional"]
    assert result.ratio("GRU") == 3 and result.ratio("LSTM") == 4
    assert result.ratio("nn.LSTM, bidirectional", "LSTM") == 2
    assert result.find("GRU") is result.rows["nn.GRU"]
    with pytest.raises(KeyError, match="no row"):
        result.find("Transformer")
    bi = result.rows["nn.LSTM, bidirectional"]
    assert bi.dependence is None and bi.accuracy is None
    assert all(r.accuracy is None for r in result.rows.values())  # train=False
    rnn, gru, lstm = (result.find(m) for m in ORDER)
    assert rnn.dependence < min(gru.dependence, lstm.dependence)
    assert all(r.seconds_per_step > 0 for r in result.rows.values())
    d = result.to_dict()
    assert json.loads(json.dumps(d)) == d and d["rows"]["nn.GRU"]["ratio_to_rnn"] == "3"
    text = str(result)
    assert len(text.splitlines()) >= 5 and "nn.LSTM, bidirectional" in text
    assert "\n" not in repr(result) and repr(result).startswith("<LayerComparison")
    html = result._repr_html_()
    assert "<style" not in html and "<table" in html and "style='" in html


def test_compare_layers_rejects_a_distance_beyond_the_sequence():
    from lstm_explain.compare import compare_layers

    with pytest.raises(ValueError, match="distance must be"):
        compare_layers(4, 4, seq_len=10, distance=9, train=False)
