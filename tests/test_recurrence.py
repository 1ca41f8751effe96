"""The recurrence written out equals nn.RNN, for every layout the module supports."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_explain.recurrence import layer_weights, rnn_loop, rnn_states, rnn_step


def test_rnn_step_is_the_equation_and_equals_rnncell():
    torch.manual_seed(0)
    cell = nn.RNNCell(4, 3)
    x, h = torch.randn(2, 4), torch.randn(2, 3)
    got = rnn_step(x, h, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    assert torch.allclose(got, cell(x, h), atol=1e-6)
    # without biases the step differs (the biases are not zero)
    assert not torch.allclose(rnn_step(x, h, cell.weight_ih, cell.weight_hh), got)
    relu = rnn_step(x, h, cell.weight_ih, cell.weight_hh, nonlinearity="relu")
    assert torch.equal(relu, torch.relu(x @ cell.weight_ih.T + h @ cell.weight_hh.T))


def test_rnn_step_rejects_unknown_nonlinearity():
    with pytest.raises(ValueError, match=r"nonlinearity must be 'tanh' or 'relu'.*sigmoid"):
        rnn_step(
            torch.zeros(1, 2),
            torch.zeros(1, 2),
            torch.zeros(2, 2),
            torch.zeros(2, 2),
            nonlinearity="sigmoid",
        )


@settings(max_examples=30, deadline=None)
@given(
    layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    relu=st.booleans(),
    T=st.integers(1, 5),
    N=st.integers(1, 3),
    with_h0=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_rnn_loop_equals_module(
    layers, bidirectional, batch_first, bias, relu, T, N, with_h0, seed
):
    torch.manual_seed(seed)
    m = nn.RNN(
        4,
        3,
        num_layers=layers,
        bidirectional=bidirectional,
        batch_first=batch_first,
        bias=bias,
        nonlinearity="relu" if relu else "tanh",
    )
    D = 2 if bidirectional else 1
    x = torch.randn(N, T, 4) if batch_first else torch.randn(T, N, 4)
    h0 = torch.randn(layers * D, N, 3) if with_h0 else None
    with torch.no_grad():
        out, h_n = m(x, h0)
        out2, h_n2 = rnn_loop(m, x, h0)
    assert out2.shape == out.shape and h_n2.shape == h_n.shape
    assert torch.allclose(out, out2, atol=1e-5)
    assert torch.allclose(h_n, h_n2, atol=1e-5)


def test_unbatched_input():
    torch.manual_seed(1)
    m = nn.RNN(4, 3, num_layers=2, bidirectional=True)
    x, h0 = torch.randn(5, 4), torch.randn(4, 3)
    with torch.no_grad():
        out, h_n = m(x, h0)
        out2, h_n2 = rnn_loop(m, x, h0)
    assert out2.shape == (5, 6) and h_n2.shape == (4, 3)
    assert torch.allclose(out, out2, atol=1e-6) and torch.allclose(h_n, h_n2, atol=1e-6)


def test_states_grid_holds_output_and_h_n():
    torch.manual_seed(2)
    m = nn.RNN(4, 3, num_layers=2, bidirectional=True)
    x = torch.randn(6, 2, 4)
    with torch.no_grad():
        out, h_n = m(x)
        states = rnn_states(m, x)
    assert states.shape == (2, 2, 6, 2, 3)
    assert torch.allclose(out[:, :, :3], states[-1, 0], atol=1e-6)
    assert torch.allclose(out[:, :, 3:], states[-1, 1], atol=1e-6)
    assert torch.allclose(h_n[1], states[0, 1, 0], atol=1e-6)  # backward ends at t = 0
    assert not torch.allclose(h_n[1], states[0, 1, -1], atol=1e-3)


def test_layer_weights_names_and_errors():
    m = nn.RNN(4, 3, num_layers=2, bias=False)
    w = layer_weights(m, 1)
    assert w["weight_ih"] is m.weight_ih_l1 and w["bias_ih"] is None
    with pytest.raises(ValueError, match=r"layer must be in 0..num_layers-1=1 \(got layer=2\)"):
        layer_weights(m, 2)
    with pytest.raises(ValueError, match=r"reverse=True needs a bidirectional module"):
        layer_weights(m, 0, reverse=True)


def test_bad_inputs_name_the_field():
    m = nn.RNN(4, 3)
    with pytest.raises(ValueError, match=r"module must be an nn.RNN \(got module=LSTM\)"):
        rnn_loop(nn.LSTM(4, 3), torch.zeros(2, 1, 4))
    with pytest.raises(ValueError, match=r"input_size=4.*x.shape=\(2, 1, 5\)"):
        rnn_loop(m, torch.zeros(2, 1, 5))
    with pytest.raises(ValueError, match=r"x must be 3-D.*x.shape=\(4,\)"):
        rnn_loop(m, torch.zeros(4))
    with pytest.raises(
        ValueError, match=r"h_0 must have shape.*\(1, 2, 3\).*h_0.shape=\(2, 1, 3\)"
    ):
        rnn_loop(m, torch.zeros(5, 2, 4), torch.zeros(2, 1, 3))


@pytest.mark.parametrize("kind", [nn.RNN, nn.LSTM, nn.GRU])
def test_first_layers_gives_the_lower_rows_of_h_n(kind):
    from lstm_explain.recurrence import first_layers

    torch.manual_seed(0)
    full = kind(5, 4, num_layers=3, bidirectional=True)
    x, h_0 = torch.randn(6, 2, 5), torch.randn(6, 2, 4)
    state = (h_0, torch.randn(6, 2, 4)) if kind is nn.LSTM else h_0
    _, s = full(x, state)
    h_n = s[0] if kind is nn.LSTM else s
    low = first_layers(full, 2)
    assert low.num_layers == 2 and low.bidirectional
    low_state = (state[0][:4], state[1][:4]) if kind is nn.LSTM else state[:4]
    _, s2 = low(x, low_state)
    h_low = s2[0] if kind is nn.LSTM else s2
    assert torch.allclose(h_low, h_n[:4], atol=1e-6)
    assert not torch.allclose(h_low[-1], h_n[-1], atol=1e-3)  # layer 1 is not layer 2
    # the copy owns its weights: changing it leaves the original alone
    with torch.no_grad():
        low.weight_ih_l0.zero_()
    assert full.weight_ih_l0.abs().sum() > 0


def test_first_layers_keeps_settings_and_rejects_bad_input():
    from lstm_explain.recurrence import first_layers

    lstm = nn.LSTM(3, 4, num_layers=2, proj_size=2, batch_first=True)
    one = first_layers(lstm, 1)
    assert (one.proj_size, one.batch_first, one.num_layers) == (2, True, 1)
    assert set(one.state_dict()) == {n for n in lstm.state_dict() if n.endswith("_l0")}
    assert first_layers(nn.RNN(3, 4, nonlinearity="relu"), 1).nonlinearity == "relu"
    with pytest.raises(ValueError, match=r"num_layers must be in 1..2 \(got num_layers=3\)"):
        first_layers(lstm, 3)
    with pytest.raises(ValueError, match=r"got module=LSTMCell"):
        first_layers(nn.LSTMCell(3, 4), 1)
