"""The equation-by-equation cells equal PyTorch's nn.RNNCell / nn.LSTMCell / nn.GRUCell."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_explain.reference import cell_weights, gru_cell, lstm_cell, rnn_cell, unroll

sizes = st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 4))  # H_in, H, N


@settings(max_examples=30, deadline=None)
@given(
    sizes=sizes,
    bias=st.booleans(),
    relu=st.booleans(),
    batched=st.booleans(),
    seed=st.integers(0, 999),
)
def test_rnn_cell_matches_torch(sizes, bias, relu, batched, seed):
    h_in, hidden, n = sizes
    torch.manual_seed(seed)
    cell = nn.RNNCell(h_in, hidden, bias=bias, nonlinearity="relu" if relu else "tanh")
    x, h = (
        (torch.randn(n, h_in), torch.randn(n, hidden))
        if batched
        else (torch.randn(h_in), torch.randn(hidden))
    )
    with torch.no_grad():
        assert torch.allclose(rnn_cell(x, h, **cell_weights(cell)), cell(x, h), atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(sizes=sizes, bias=st.booleans(), batched=st.booleans(), seed=st.integers(0, 999))
def test_lstm_cell_matches_torch(sizes, bias, batched, seed):
    h_in, hidden, n = sizes
    torch.manual_seed(seed)
    cell = nn.LSTMCell(h_in, hidden, bias=bias)
    shape = (n,) if batched else ()
    x, h, c = torch.randn(*shape, h_in), torch.randn(*shape, hidden), torch.randn(*shape, hidden)
    with torch.no_grad():
        want_h, want_c = cell(x, (h, c))
        got_h, got_c = lstm_cell(x, (h, c), **cell_weights(cell))
    assert torch.allclose(got_h, want_h, atol=1e-6)
    assert torch.allclose(got_c, want_c, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(sizes=sizes, bias=st.booleans(), batched=st.booleans(), seed=st.integers(0, 999))
def test_gru_cell_matches_torch(sizes, bias, batched, seed):
    h_in, hidden, n = sizes
    torch.manual_seed(seed)
    cell = nn.GRUCell(h_in, hidden, bias=bias)
    x, h = (
        (torch.randn(n, h_in), torch.randn(n, hidden))
        if batched
        else (torch.randn(h_in), torch.randn(hidden))
    )
    with torch.no_grad():
        assert torch.allclose(gru_cell(x, h, **cell_weights(cell)), cell(x, h), atol=1e-6)


def test_gru_reset_gate_acts_after_the_matrix_product():
    # with the paper's variant r * (W_hn h) vs PyTorch's r * (W_hn h + b_hn) the bias term differs
    torch.manual_seed(1)
    cell = nn.GRUCell(2, 3)
    x, h = torch.randn(4, 2), torch.randn(4, 3)
    w = cell_weights(cell)
    with torch.no_grad():
        x_r, x_z, x_n = (x @ w["weight_ih"].T + w["bias_ih"]).chunk(3, -1)
        h_r, h_z, h_n = (h @ w["weight_hh"].T).chunk(3, -1)
        b_hn = w["bias_hh"].chunk(3)[2]
        r = (x_r + h_r + w["bias_hh"].chunk(3)[0]).sigmoid()
        z = (x_z + h_z + w["bias_hh"].chunk(3)[1]).sigmoid()
        wrong = (1 - z) * (x_n + r * h_n + b_hn).tanh() + z * h
        assert not torch.allclose(wrong, cell(x, h), atol=1e-6)
        assert torch.allclose(gru_cell(x, h, **w), cell(x, h), atol=1e-6)


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_unroll_with_layer_weights_matches_the_module(mode, bidirectional):
    torch.manual_seed(0)
    kwargs = {"proj_size": 2} if mode == "LSTM" else {}
    module = getattr(nn, mode)(3, 4, num_layers=2, bidirectional=bidirectional, **kwargs)
    cell = {"RNN": rnn_cell, "LSTM": lstm_cell, "GRU": gru_cell}[mode]
    x = torch.randn(6, 2, 3)  # (T, N, H_in)
    with torch.no_grad():
        out, state = module(x)
        h_n = state[0] if mode == "LSTM" else state
        layer_in = x
        d = 2 if bidirectional else 1
        for layer in range(2):
            outs = []
            for direction in range(d):
                h0 = torch.zeros(2, h_n.shape[-1])
                s0 = (h0, torch.zeros(2, 4)) if mode == "LSTM" else h0
                seq, final = unroll(
                    cell,
                    layer_in,
                    s0,
                    cell_weights(module, layer, direction),
                    reverse=bool(direction),
                )
                final_h = final[0] if mode == "LSTM" else final
                assert torch.allclose(final_h, h_n[layer * d + direction], atol=1e-5)
                outs.append(seq)
            layer_in = torch.cat(outs, -1)
        assert torch.allclose(layer_in, out, atol=1e-5)


def test_cell_weights_rejects_what_it_cannot_read():
    with pytest.raises(ValueError, match="module must be an RNN/LSTM/GRU"):
        cell_weights(nn.Linear(2, 3))
    with pytest.raises(ValueError, match=r"layer must be in \[0, 0\] \(got layer=1\)"):
        cell_weights(nn.GRU(2, 3), layer=1)
    with pytest.raises(ValueError, match=r"direction must be in \[0, 0\]"):
        cell_weights(nn.GRU(2, 3), direction=1)
    with pytest.raises(ValueError, match="a cell has one layer"):
        cell_weights(nn.GRUCell(2, 3), layer=1)
    assert cell_weights(nn.LSTM(2, 3, bias=False))["bias_ih"] is None
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        rnn_cell(
            torch.zeros(2),
            torch.zeros(3),
            torch.zeros(3, 2),
            torch.zeros(3, 3),
            nonlinearity="sigmoid",
        )
