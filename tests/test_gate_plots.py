"""Gate figures: right panels, right data, and errors that name the bad argument."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from lstm_explain.gates import gate_saturation, trace_gates
from lstm_explain.plotting.gates import (
    plot_gate_heatmaps,
    plot_gate_saturation,
    plot_state_trajectories,
    plot_state_vs_quantity,
)


@pytest.fixture(scope="module")
def lstm_trace():
    torch.manual_seed(0)
    return trace_gates(nn.LSTM(3, 5, num_layers=2, bidirectional=True), torch.randn(7, 2, 3))


@pytest.fixture(scope="module")
def gru_trace():
    torch.manual_seed(0)
    return trace_gates(nn.GRU(3, 4), torch.randn(6, 3, 3))


def test_heatmaps_show_each_gate_of_the_chosen_sample(lstm_trace):
    fig = plot_gate_heatmaps(lstm_trace, layer=1, direction=1, sample=1)
    assert isinstance(fig, Figure)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert [ax.get_ylabel().split()[0] for ax in fig.axes if ax.images] == list("ifgoch")
    # the f heatmap is f[:, sample].T of layer 1 backward
    f = lstm_trace.gates[1][1]["f"][:, 1].T.numpy()
    np.testing.assert_allclose(images[1].get_array(), f)
    assert images[1].get_clim() == (0.0, 1.0)
    assert images[2].get_clim() == (-1.0, 1.0)  # g is a tanh
    assert "layer 1 backward, sample 1" in fig._suptitle.get_text()


def test_heatmaps_subset_and_errors(gru_trace):
    fig = plot_gate_heatmaps(gru_trace, gates=["z"])
    assert len([ax for ax in fig.axes if ax.images]) == 1
    with pytest.raises(
        ValueError, match=r"gates must be a non-empty subset of \['r', 'z', 'n', 'h'\]"
    ):
        plot_gate_heatmaps(gru_trace, gates=["f"])
    with pytest.raises(ValueError, match=r"sample must be an integer in \[0, 2\] \(got sample=3\)"):
        plot_gate_heatmaps(gru_trace, sample=3)
    with pytest.raises(ValueError, match="direction must be an integer"):
        plot_gate_heatmaps(gru_trace, direction=1)


def test_saturation_counts_steps_below_and_above(gru_trace):
    z = gru_trace.gates[0][0]["z"]
    left, right = gate_saturation(gru_trace, "z", low=0.4, high=0.6)
    np.testing.assert_allclose(left.numpy(), (z < 0.4).float().mean((0, 1)).numpy())
    np.testing.assert_allclose(right.numpy(), (z > 0.6).float().mean((0, 1)).numpy())
    assert bool(((left + right) <= 1).all())
    fig = plot_gate_saturation(gru_trace, low=0.4, high=0.6)
    assert [ax.get_title() for ax in fig.axes] == ["reset gate r", "update gate z"]
    offsets = fig.axes[1].collections[0].get_offsets()
    np.testing.assert_allclose(offsets, np.stack([left.numpy(), right.numpy()], 1))


def test_saturation_only_for_sigmoid_gates(lstm_trace):
    assert len(plot_gate_saturation(lstm_trace).axes) == 3  # i, f, o
    with pytest.raises(ValueError, match=r"gate must be a sigmoid gate .* \(got gate='g'\)"):
        gate_saturation(lstm_trace, "g")
    with pytest.raises(ValueError, match="need 0 <= low < high <= 1"):
        gate_saturation(lstm_trace, "f", low=0.9, high=0.1)
    rnn = trace_gates(nn.RNN(2, 3), torch.randn(4, 2))
    with pytest.raises(ValueError, match="has no sigmoid gates"):
        plot_gate_saturation(rnn)


def test_saturation_ignores_padded_steps():
    from torch.nn.utils.rnn import pack_padded_sequence

    torch.manual_seed(0)
    packed = pack_padded_sequence(torch.randn(5, 2, 3), [5, 2])
    trace = trace_gates(nn.LSTM(3, 4), packed)
    left, right = gate_saturation(trace, "f", low=0.5, high=0.5 + 1e-6)
    f = trace.gates[0][0]["f"]
    valid = trace.valid()
    np.testing.assert_allclose(left.numpy(), (f[valid] < 0.5).float().mean(0).numpy(), rtol=1e-6)
    assert torch.allclose(left + right, torch.ones(4), atol=1e-6)


def test_trajectories_draw_c_h_and_extra_gates_for_chosen_units(lstm_trace):
    count = torch.arange(7.0)
    fig = plot_state_trajectories(
        lstm_trace, [0, 3], layer=1, sample=1, inputs=list("abcdefg"), extra_gates=("f",),
        overlay=count, overlay_label="count", marks=[2, 5],
    )  # fmt: skip
    panels = [ax.get_ylabel() for ax in fig.axes]
    assert panels == ["input", "c", "h", "f", "count"]
    c_lines = fig.axes[1].get_lines()
    labelled = [line for line in c_lines if line.get_label().startswith("unit")]
    assert [line.get_label() for line in labelled] == ["unit 0", "unit 3"]
    np.testing.assert_allclose(
        labelled[1].get_ydata(), lstm_trace.gates[1][0]["c"][:, 1, 3].numpy()
    )
    assert [t.get_text() for t in fig.axes[0].texts] == list("abcdefg")
    np.testing.assert_allclose(fig.axes[-1].get_lines()[0].get_ydata(), count.numpy())


def test_trajectories_errors(lstm_trace, gru_trace):
    with pytest.raises(ValueError, match=r"units must be a non-empty list of integers in \[0, 4\]"):
        plot_state_trajectories(lstm_trace, [5])
    with pytest.raises(ValueError, match="inputs must have one entry per step, T=7"):
        plot_state_trajectories(lstm_trace, [0], inputs=["a"])
    with pytest.raises(ValueError, match="overlay must have T=6 values"):
        plot_state_trajectories(gru_trace, [0], overlay=torch.zeros(3))
    fig = plot_state_trajectories(
        gru_trace, [1], marks=torch.tensor([0, 1, 0, 0, 0, 1], dtype=torch.bool)
    )
    assert [ax.get_ylabel() for ax in fig.axes] == ["input", "h"]


def test_state_vs_quantity_scatters_every_step_and_the_mean_per_value(lstm_trace):
    count = torch.arange(14.0).reshape(7, 2) % 3  # values 0, 1, 2
    fig = plot_state_vs_quantity(lstm_trace, 3, count, layer=1, direction=1)
    assert [ax.get_ylabel() for ax in fig.axes] == ["c of unit 3", "h of unit 3"]
    c = lstm_trace.gates[1][1]["c"][..., 3]
    offsets = fig.axes[0].collections[0].get_offsets()
    np.testing.assert_allclose(offsets, np.stack([count.flatten(), c.flatten()], 1), rtol=1e-6)
    mean_line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(mean_line.get_xdata(), [0, 1, 2])
    np.testing.assert_allclose(
        mean_line.get_ydata(), [float(c[count == k].mean()) for k in range(3)], rtol=1e-6
    )
    assert "layer 1 backward, unit 3 against count" in fig._suptitle.get_text()


def test_state_vs_quantity_skips_padding_and_errors(gru_trace):
    from torch.nn.utils.rnn import pack_padded_sequence

    torch.manual_seed(0)
    trace = trace_gates(nn.LSTM(3, 4), pack_padded_sequence(torch.randn(5, 2, 3), [5, 2]))
    fig = plot_state_vs_quantity(trace, 0, torch.zeros(5, 2), states=["h"])
    assert len(fig.axes) == 1 and len(fig.axes[0].collections[0].get_offsets()) == 7
    with pytest.raises(ValueError, match=r"unit must be an integer in \[0, 3\] \(got unit=4\)"):
        plot_state_vs_quantity(gru_trace, 4, torch.zeros(6, 3))
    with pytest.raises(ValueError, match=r"quantity must have shape \(T, N\) = \(6, 3\)"):
        plot_state_vs_quantity(gru_trace, 0, torch.zeros(6))
    with pytest.raises(ValueError, match=r"gates must be a non-empty subset of \['h'\]"):
        plot_state_vs_quantity(gru_trace, 0, torch.zeros(6, 3), states=["c"])
