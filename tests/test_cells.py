"""Cell loops built from a module's own weights equal the fused module."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from lstm_explain.cells import CellStack, cells_from_module, run_cells

MODULES = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}


def _flat(result):
    out, state = result
    return [out, *state] if isinstance(state, tuple) else [out, state]


def _assert_same(a, b):
    for x, y in zip(_flat(a), _flat(b), strict=True):
        assert x.shape == y.shape
        torch.testing.assert_close(x, y, rtol=0, atol=1e-5)


@settings(max_examples=30, deadline=None)
@given(
    mode=st.sampled_from(sorted(MODULES)),
    num_layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    seq_len=st.integers(1, 5),
    batch=st.integers(1, 3),
    with_hx=st.booleans(),
)
def test_cells_equal_module(
    mode, num_layers, bidirectional, batch_first, bias, seq_len, batch, with_hx
):
    torch.manual_seed(0)
    module = MODULES[mode](
        3, 4, num_layers=num_layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional
    ).eval()
    x = torch.randn((batch, seq_len, 3) if batch_first else (seq_len, batch, 3))
    hx = None
    if with_hx:
        d = 2 if bidirectional else 1
        h = torch.randn(num_layers * d, batch, 4)
        hx = (h, torch.randn_like(h)) if mode == "LSTM" else h
    with torch.no_grad():
        expected = module(x) if hx is None else module(x, hx)
        got = run_cells(cells_from_module(module), x, hx)
    _assert_same(expected, got)


def test_relu_rnn_and_unbatched_input():
    torch.manual_seed(1)
    module = nn.RNN(3, 4, num_layers=2, nonlinearity="relu", bidirectional=True)
    stack = cells_from_module(module)
    assert stack.layers[0][0].nonlinearity == "relu"
    x = torch.randn(6, 3)  # unbatched (T, H_in)
    h0 = torch.randn(4, 4)  # (L*D, H)
    with torch.no_grad():
        _assert_same(module(x, h0), stack(x, h0))
    assert stack(x)[0].shape == (6, 8)


def test_cells_share_the_module_parameters_unless_copied():
    module = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    shared = cells_from_module(module)
    assert shared.layers[1][1].weight_hh is module.weight_hh_l1_reverse
    assert shared.layers[0][0].bias_ih is module.bias_ih_l0
    copied = cells_from_module(module, share=False)
    assert copied.layers[1][1].weight_hh is not module.weight_hh_l1_reverse
    assert torch.equal(copied.layers[1][1].weight_hh, module.weight_hh_l1_reverse)
    with torch.no_grad():
        module.weight_hh_l1_reverse.add_(1.0)
    assert torch.equal(shared.layers[1][1].weight_hh, module.weight_hh_l1_reverse)
    assert not torch.equal(copied.layers[1][1].weight_hh, module.weight_hh_l1_reverse)


def test_gradients_reach_the_module_through_shared_cells():
    module = nn.GRU(3, 4)
    out, _ = cells_from_module(module)(torch.randn(5, 2, 3))
    out.sum().backward()
    assert module.weight_ih_l0.grad is not None and module.weight_ih_l0.grad.abs().sum() > 0


def test_stack_properties_and_repr():
    stack = cells_from_module(nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True))
    assert (stack.mode, stack.num_layers, stack.num_directions, stack.hidden_size) == (
        "LSTM",
        2,
        2,
        4,
    )
    assert stack.batch_first and stack.bidirectional and stack.input_size == 3
    assert "num_layers=2" in repr(stack)
    assert isinstance(stack.layers[1][0], nn.LSTMCell) and stack.layers[1][0].input_size == 8


def test_run_cells_accepts_plain_nested_lists():
    torch.manual_seed(2)
    cells = [[nn.RNNCell(3, 5)], [nn.RNNCell(5, 5)]]
    x = torch.randn(4, 2, 3)
    out, h_n = run_cells(cells, x)
    h0 = torch.zeros(2, 5)
    for x_t in x:  # the loop written out
        h0 = cells[0][0](x_t, h0)
    assert out.shape == (4, 2, 5) and h_n.shape == (2, 2, 5)
    assert torch.equal(h_n[0], h0)
    out_bf, _ = run_cells(cells, x.transpose(0, 1), batch_first=True)
    assert torch.equal(out_bf, out.transpose(0, 1))


@pytest.mark.parametrize(
    ("module", "match"),
    [
        (nn.LSTM(3, 4, proj_size=2), "proj_size must be 0"),
        (nn.Linear(3, 4), "module must be nn.RNN, nn.GRU or nn.LSTM"),
    ],
)
def test_cells_from_module_rejects(module, match):
    with pytest.raises(ValueError, match=match):
        cells_from_module(module)


@pytest.mark.parametrize(
    ("cells", "match"),
    [
        ([], "at least one layer"),
        ([[nn.RNNCell(3, 4)], [nn.RNNCell(4, 4), nn.RNNCell(4, 4)]], "1 cell"),
        ([[nn.RNNCell(3, 4)], [nn.GRUCell(4, 4)]], "one kind"),
        ([[nn.RNNCell(3, 4)], [nn.RNNCell(4, 5)]], "one hidden_size"),
        (
            [[nn.RNNCell(3, 4), nn.RNNCell(3, 4)], [nn.RNNCell(4, 4), nn.RNNCell(4, 4)]],
            "input_size=D",
        ),
        ([[nn.Linear(3, 4)]], "nn.RNNCell, nn.GRUCell or nn.LSTMCell"),
    ],
)
def test_cell_stack_rejects_inconsistent_cells(cells, match):
    with pytest.raises(ValueError, match=match):
        CellStack(cells)


def test_run_cells_rejects_bad_input():
    stack = cells_from_module(nn.GRU(3, 4))
    with pytest.raises(ValueError, match=r"x.shape\[-1\] must equal the cells' input_size=3"):
        stack(torch.randn(5, 2, 7))
    with pytest.raises(ValueError, match="unbatched"):
        stack(torch.randn(5))


def test_loop_difference_is_float32_rounding_only():
    from lstm_explain.cells import loop_difference

    torch.manual_seed(0)
    x = torch.randn(5, 2, 3)
    for cls in (nn.RNN, nn.GRU, nn.LSTM):
        diff = loop_difference(cls(3, 4, num_layers=2, bidirectional=True), x)
        assert list(diff) == (["output", "h_n", "c_n"] if cls is nn.LSTM else ["output", "h_n"])
        assert all(0.0 <= d < 1e-6 for d in diff.values())
    # Bit-for-bit agreement depends on the CPU, the instruction set and the thread count, so it is
    # never asserted; the tolerance is what holds on every machine (and on CUDA).
    assert max(loop_difference(nn.RNN(3, 4), x).values()) < 1e-6
    lstm = nn.LSTM(3, 4, batch_first=True)
    h = torch.zeros(1, 2, 4)
    assert max(loop_difference(lstm, x.transpose(0, 1), (h, h + 1)).values()) < 1e-6


def test_loop_difference_shows_a_real_gap(monkeypatch):
    from lstm_explain import cells

    real = cells.cells_from_module

    def off_by_a_bias(module, **kw):  # cells whose bias differs from the module's by 0.1
        stack = real(module, share=False)
        with torch.no_grad():
            stack.layers[0][0].bias_hh.add_(0.1)
        return stack

    monkeypatch.setattr(cells, "cells_from_module", off_by_a_bias)
    torch.manual_seed(0)
    diff = cells.loop_difference(nn.GRU(3, 4), torch.randn(5, 2, 3))
    assert min(diff.values()) > 1e-3
