"""Sensitivity of the last state to each input step: fades for an RNN, not for an open LSTM."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstm_explain.memory import input_sensitivity, set_forget_bias


def test_sensitivity_is_the_jacobian_norm():
    torch.manual_seed(0)
    rnn = nn.RNN(3, 4)
    x = torch.randn(5, 2, 3)
    got = input_sensitivity(rnn, x)
    assert got.shape == (5,)
    # reference: the full Jacobian of output[-1] for each sequence on its own
    want = []
    for t in range(5):
        norms = []
        for n in range(2):
            jac = torch.autograd.functional.jacobian(
                lambda xt, t=t, n=n: _last(rnn, x, t, n, xt), x[t, n]
            )
            norms.append(jac.norm())
        want.append(torch.stack(norms).mean())
    assert torch.allclose(got, torch.stack(want), atol=1e-6)


def _last(rnn, x, t, n, xt):
    x = x.clone()
    x[t, n] = xt
    return rnn(x)[0][-1, n]


def test_rnn_fades_and_an_open_lstm_remembers():
    torch.manual_seed(0)
    x = torch.randn(30, 3, 4)
    rnn, lstm = nn.RNN(4, 8), nn.LSTM(4, 8)
    s_rnn = input_sensitivity(rnn, x)
    assert s_rnn[0] < 1e-4 * s_rnn[-1]  # the first step has all but vanished
    set_forget_bias(lstm, 8.0)
    s_lstm = input_sensitivity(lstm, x)
    assert s_lstm[0] > 0.05 * s_lstm[-1]  # kept: f ≈ 1 passes c on unchanged
    set_forget_bias(lstm, -8.0)
    assert input_sensitivity(lstm, x)[0] < 1e-6  # shut: c forgets at every step


def test_set_forget_bias_touches_only_the_forget_rows():
    lstm = nn.LSTM(3, 2, num_layers=2, bidirectional=True)
    before = {n: p.clone() for n, p in lstm.named_parameters()}
    set_forget_bias(lstm, 3.0)
    for name, p in lstm.named_parameters():
        if name.startswith("bias"):
            assert torch.equal(p[2:4], torch.full((2,), 1.5))
            assert torch.equal(p[:2], before[name][:2]) and torch.equal(p[4:], before[name][4:])
        else:
            assert torch.equal(p, before[name])
    cell = nn.LSTMCell(3, 2)
    set_forget_bias(cell, -2.0)
    assert torch.equal(cell.bias_ih[2:4] + cell.bias_hh[2:4], torch.full((2,), -2.0))


def test_bad_input():
    with pytest.raises(ValueError, match=r"got module=Linear"):
        input_sensitivity(nn.Linear(2, 2), torch.zeros(3, 1, 2))
    with pytest.raises(ValueError, match=r"bidirectional=True"):
        input_sensitivity(nn.GRU(2, 2, bidirectional=True), torch.zeros(3, 1, 2))
    with pytest.raises(
        ValueError, match=r"x must be \(T, N, input_size=2\) \(got x.shape=\(3, 2\)\)"
    ):
        input_sensitivity(nn.GRU(2, 2), torch.zeros(3, 2))
    with pytest.raises(ValueError, match=r"got lstm=GRU"):
        set_forget_bias(nn.GRU(2, 2), 1.0)
    with pytest.raises(ValueError, match=r"with biases"):
        set_forget_bias(nn.LSTM(2, 2, bias=False), 1.0)
