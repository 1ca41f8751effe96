"""Backpropagation through time: per-step gradients, spectral radius, clipping runs."""

from __future__ import annotations

import math

import matplotlib
import pytest
import torch
from torch import nn

from lstm_explain.bptt import (
    gradient_norm,
    set_spectral_radius,
    spectral_radius,
    state_gradients,
    train_recall,
)
from lstm_explain.plotting.bptt import plot_clipping, plot_state_gradients

matplotlib.use("Agg")


def test_state_gradients_match_autograd_through_an_explicit_loop():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 5)
    x = torch.randn(6, 2, 3)
    got = state_gradients(rnn, x)
    assert got.shape == (6,)
    # reference: the equation as a loop, gradients of every state
    h = torch.zeros(2, 5)
    hs = []
    for t in range(6):
        h = torch.tanh(
            x[t] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + h @ rnn.weight_hh_l0.T + rnn.bias_hh_l0
        )
        h.retain_grad()
        hs.append(h)
    (0.5 * hs[-1].pow(2).sum(-1).mean()).backward()
    want = torch.stack([h.grad.norm() for h in hs])
    assert torch.allclose(got, want, rtol=1e-4, atol=1e-8)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_state_gradients_work_for_gated_layers_and_a_custom_loss(mode):
    torch.manual_seed(0)
    layer = getattr(nn, mode)(2, 4)
    g = state_gradients(layer, torch.randn(5, 3, 2), loss_fn=lambda h: h.sum())
    assert g.shape == (5,) and torch.isfinite(g).all() and (g > 0).all()


def test_default_rnn_vanishes_over_many_steps():
    torch.manual_seed(0)
    g = state_gradients(nn.RNN(4, 16), torch.randn(40, 4, 4))
    assert g[0] < 1e-4 * g[-1]


@pytest.mark.parametrize(
    "module", [nn.RNN(2, 3, num_layers=2), nn.RNN(2, 3, batch_first=True), nn.Linear(2, 3)]
)
def test_state_gradients_rejects_what_it_cannot_measure(module):
    with pytest.raises(ValueError):
        state_gradients(module, torch.randn(4, 1, 2))


def test_state_gradients_rejects_wrong_input():
    with pytest.raises(ValueError, match="x must be"):
        state_gradients(nn.RNN(2, 3), torch.randn(4, 3))


def test_set_spectral_radius():
    torch.manual_seed(0)
    rnn = nn.RNN(1, 8)
    set_spectral_radius(rnn, 2.5)
    assert abs(spectral_radius(rnn.weight_hh_l0) - 2.5) < 1e-4
    assert abs(spectral_radius(torch.diag(torch.tensor([0.5, -3.0]))) - 3.0) < 1e-6
    with pytest.raises(ValueError):
        set_spectral_radius(nn.LSTM(1, 2), 1.0)
    with pytest.raises(ValueError):
        set_spectral_radius(rnn, 0.0)


def test_gradient_norm_is_the_norm_of_all_gradients():
    a, b = nn.Parameter(torch.zeros(2)), nn.Parameter(torch.zeros(1))
    a.grad, b.grad = torch.tensor([3.0, 0.0]), torch.tensor([4.0])
    assert gradient_norm([a, b]) == pytest.approx(5.0)
    assert gradient_norm([nn.Parameter(torch.zeros(1))]) == math.inf


def test_clipping_bounds_every_step_and_keeps_training_stable():
    torch.manual_seed(0)
    rnn = nn.RNN(1, 8)
    set_spectral_radius(rnn, 2.0)
    run = train_recall(rnn, steps=5, lr=0.01, max_norm=0.5, seq_len=20, batch_size=8)
    assert len(run.loss) == len(run.norm_before) == len(run.norm_after) == 5
    assert run.finite and all(v <= 0.5 + 1e-6 for v in run.norm_after)
    assert run.max_norm == 0.5


def test_unclipped_run_reports_the_same_norm_before_and_after():
    torch.manual_seed(0)
    run = train_recall(nn.RNN(1, 4), steps=3, lr=0.01, seq_len=5, batch_size=4)
    assert run.norm_before == run.norm_after and run.max_norm is None


def test_train_recall_validates():
    with pytest.raises(ValueError):
        train_recall(nn.RNN(2, 3), steps=1)
    with pytest.raises(ValueError):
        train_recall(nn.RNN(1, 3), steps=0)


def test_figures():
    torch.manual_seed(0)
    g = {"RNN": torch.tensor([1e-3, 1e-1, 1.0]), "LSTM": torch.tensor([0.5, 0.8, 1.0])}
    fig = plot_state_gradients(g)
    assert fig.get_size_inches()[0] <= 8 and fig.axes[0].get_yscale() == "log"
    runs = {
        "free": train_recall(nn.RNN(1, 4), steps=3, lr=0.01, seq_len=5, batch_size=4),
        "clipped": train_recall(nn.RNN(1, 4), steps=3, lr=0.01, max_norm=1.0, seq_len=5),
    }
    runs["free"].loss[-1] = math.nan  # a run that blew up: marked, not drawn
    fig = plot_clipping(runs)
    assert len(fig.axes) == 2 and fig.get_size_inches()[0] <= 8
    assert any("not finite from step 3" in t.get_text() for t in fig.axes[0].texts)
