"""trace_gates reproduces the module and its gates obey the documented cell equations."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_explain.gates import TRACE_GATES, GateTrace, _linear, trace_gates

MODULES = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
ATOL = 1e-5


def _make(mode, input_size, hidden, layers, bidir, batch_first, proj, bias, relu=False, seed=0):
    torch.manual_seed(seed)
    kwargs = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    if mode == "LSTM":
        kwargs["proj_size"] = proj
    if mode == "RNN" and relu:
        kwargs["nonlinearity"] = "relu"
    return MODULES[mode](input_size, hidden, **kwargs).eval()


def _hx(module, n, batched):
    d = 2 if module.bidirectional else 1
    h_out = getattr(module, "proj_size", 0) or module.hidden_size
    shape = (module.num_layers * d, n) if batched else (module.num_layers * d,)
    h = torch.randn(*shape, h_out)
    if isinstance(module, nn.LSTM):
        return h, torch.randn(*shape, module.hidden_size)
    return h


def _assert_reproduces(trace, module, x, hx):
    with torch.no_grad():
        out, state = module(x, hx)
    if isinstance(out, torch.nn.utils.rnn.PackedSequence):
        assert isinstance(trace.output, torch.nn.utils.rnn.PackedSequence)
        assert torch.equal(trace.output.batch_sizes, out.batch_sizes)
        out, traced = out.data, trace.output.data
    else:
        traced = trace.output
    assert traced.shape == out.shape
    torch.testing.assert_close(traced, out, rtol=0, atol=ATOL)
    h_n = state[0] if isinstance(module, nn.LSTM) else state
    assert trace.h_n.shape == h_n.shape
    torch.testing.assert_close(trace.h_n, h_n, rtol=0, atol=ATOL)
    if isinstance(module, nn.LSTM):
        torch.testing.assert_close(trace.c_n, state[1], rtol=0, atol=ATOL)
    else:
        assert trace.c_n is None


def _assert_equations(trace: GateTrace, module):
    """Recompute every gate from the documented equations, independently of gates.py."""
    valid = trace.valid()  # (T, N)
    lengths = valid.sum(0)  # (N,)
    layer_in = trace.input
    for layer in range(trace.num_layers):
        outs = []
        for d in range(trace.num_directions):
            g = trace.gates[layer][d]
            assert tuple(g) == TRACE_GATES[trace.mode]
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w_ih, w_hh = getattr(module, "weight_ih" + sfx), getattr(module, "weight_hh" + sfx)
            b_ih = getattr(module, "bias_ih" + sfx) if module.bias else None
            b_hh = getattr(module, "bias_hh" + sfx) if module.bias else None
            k = layer * trace.num_directions + d
            h = g["h"]
            for n in range(trace.batch):
                length = int(lengths[n])
                order = range(length - 1, -1, -1) if d else range(length)
                h_prev = trace.h_0[k, n]
                c_prev = trace.c_0[k, n] if trace.c_0 is not None else None
                xs = layer_in[:length, n]
                gi = F.linear(xs, w_ih, b_ih)  # (T_n, G*H)
                for t in order:
                    gh = F.linear(h_prev, w_hh, b_hh)
                    if trace.mode == "LSTM":
                        pi, pf, pg, po = (gi[t] + gh).chunk(4)
                        for name, want in zip(
                            "ifgo",
                            (pi.sigmoid(), pf.sigmoid(), pg.tanh(), po.sigmoid()),
                            strict=True,
                        ):
                            torch.testing.assert_close(g[name][t, n], want, rtol=0, atol=ATOL)
                        c = g["f"][t, n] * c_prev + g["i"][t, n] * g["g"][t, n]
                        torch.testing.assert_close(g["c"][t, n], c, rtol=0, atol=ATOL)
                        h_t = g["o"][t, n] * g["c"][t, n].tanh()
                        if trace.proj_size:
                            h_t = h_t @ getattr(module, "weight_hr" + sfx).T
                        c_prev = g["c"][t, n]
                    elif trace.mode == "GRU":
                        xr, xz, xn = gi[t].chunk(3)
                        hr, hz, hn = gh.chunk(3)
                        torch.testing.assert_close(
                            g["r"][t, n], (xr + hr).sigmoid(), rtol=0, atol=ATOL
                        )
                        torch.testing.assert_close(
                            g["z"][t, n], (xz + hz).sigmoid(), rtol=0, atol=ATOL
                        )
                        n_t = (xn + g["r"][t, n] * hn).tanh()
                        torch.testing.assert_close(g["n"][t, n], n_t, rtol=0, atol=ATOL)
                        h_t = (1 - g["z"][t, n]) * g["n"][t, n] + g["z"][t, n] * h_prev
                    else:
                        a = gi[t] + gh
                        h_t = a.tanh() if trace.nonlinearity == "tanh" else a.relu()
                    torch.testing.assert_close(h[t, n], h_t, rtol=0, atol=ATOL)
                    h_prev = h[t, n]
                # steps past the sequence's end carry no gates
                assert torch.isnan(h[length:, n]).all()
            outs.append(h)
        layer_in = torch.cat(outs, dim=-1)


configs = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(sorted(MODULES)),
        "input_size": st.integers(1, 5),
        "hidden": st.integers(2, 6),
        "layers": st.integers(1, 3),
        "bidir": st.booleans(),
        "batch_first": st.booleans(),
        "proj": st.integers(0, 1),
        "bias": st.booleans(),
        "relu": st.booleans(),
        "seq_len": st.integers(1, 6),
        "batch": st.one_of(st.none(), st.integers(1, 3)),
        "with_hx": st.booleans(),
        "seed": st.integers(0, 1000),
    }
)


@settings(max_examples=35, deadline=None)
@given(cfg=configs)
def test_reproduces_module_and_obeys_equations(cfg):
    proj = cfg["proj"] if cfg["mode"] == "LSTM" else 0
    module = _make(
        cfg["mode"], cfg["input_size"], cfg["hidden"], cfg["layers"], cfg["bidir"],
        cfg["batch_first"], proj, cfg["bias"], cfg["relu"], cfg["seed"],
    )  # fmt: skip
    batched = cfg["batch"] is not None
    n = cfg["batch"] or 1
    t = cfg["seq_len"]
    if batched:
        shape = (n, t, cfg["input_size"]) if cfg["batch_first"] else (t, n, cfg["input_size"])
    else:
        shape = (t, cfg["input_size"])
    x = torch.randn(shape)
    hx = _hx(module, n, batched) if cfg["with_hx"] else None
    trace = trace_gates(module, x, hx)
    _assert_reproduces(trace, module, x, hx)
    for per_dir in trace.gates:
        for gates in per_dir:
            h_out = proj or cfg["hidden"]
            assert gates["h"].shape == (t, n, h_out)
            for name, value in gates.items():
                if name != "h":
                    assert value.shape == (t, n, cfg["hidden"])
    _assert_equations(trace, module)


@settings(max_examples=25, deadline=None)
@given(
    mode=st.sampled_from(sorted(MODULES)),
    layers=st.integers(1, 2),
    bidir=st.booleans(),
    lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    enforce_sorted=st.booleans(),
    with_hx=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_packed_sequence(mode, layers, bidir, lengths, enforce_sorted, with_hx, seed):
    if enforce_sorted:
        lengths = sorted(lengths, reverse=True)
    module = _make(mode, 3, 4, layers, bidir, False, 0, True, seed=seed)
    x = torch.randn(max(lengths), len(lengths), 3)
    packed = pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=enforce_sorted)
    hx = _hx(module, len(lengths), True) if with_hx else None
    trace = trace_gates(module, packed, hx)
    _assert_reproduces(trace, module, packed, hx)
    assert trace.lengths.tolist() == lengths
    _assert_equations(trace, module)


def test_backward_direction_is_in_real_time_order():
    module = _make("LSTM", 3, 5, 2, True, True, 0, True)
    x = torch.randn(4, 7, 3)  # batch_first: N=4, T=7
    trace = trace_gates(module, x)
    assert trace.seq_len == 7 and trace.batch == 4
    for layer in range(2):
        fwd, bwd = trace.gates[layer]
        # forward ends at t = T-1, backward at t = 0 (it read the sequence from the end)
        torch.testing.assert_close(fwd["h"][-1], trace.h_n[2 * layer])
        torch.testing.assert_close(bwd["h"][0], trace.h_n[2 * layer + 1])
        torch.testing.assert_close(fwd["c"][-1], trace.c_n[2 * layer])
        torch.testing.assert_close(bwd["c"][0], trace.c_n[2 * layer + 1])
    # top layer gates "h" are the output, time-major
    out = torch.cat([trace.gates[1][0]["h"], trace.gates[1][1]["h"]], -1)
    torch.testing.assert_close(out.transpose(0, 1), trace.output)


def test_module_is_not_changed_and_dtype_device_follow():
    module = nn.GRU(3, 4, num_layers=2, dropout=0.0).double().train()
    before = {k: v.clone() for k, v in module.state_dict().items()}
    x = torch.randn(5, 2, 3, dtype=torch.float64)
    x.requires_grad_(True)
    trace = trace_gates(module, x)
    assert module.training
    for k, v in module.state_dict().items():
        assert torch.equal(v, before[k])
    assert trace.output.dtype == torch.float64 and trace.gates[1][0]["z"].dtype == torch.float64
    assert not trace.output.requires_grad  # traced under no_grad
    assert trace.gates[0][0]["r"].device == x.device


def test_dropout_in_training_mode_warns_and_follows_eval():
    module = nn.LSTM(3, 4, num_layers=2, dropout=0.5).train()
    x = torch.randn(5, 2, 3)
    with pytest.warns(UserWarning, match="dropout=0.5"):
        trace = trace_gates(module, x)
    with torch.no_grad():
        out, _ = module.eval()(x)
    torch.testing.assert_close(trace.output, out, rtol=0, atol=ATOL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trace_gates(module, x)  # eval mode: no warning


def test_bad_input_raises_value_error_naming_the_field():
    with pytest.raises(ValueError, match=r"module must be an nn\.RNN"):
        trace_gates(nn.LSTMCell(3, 4), torch.randn(2, 3))
    with pytest.raises(ValueError, match=r"x must be 3-D .* \(got x of shape \(5,\)\)"):
        trace_gates(nn.LSTM(3, 4), torch.randn(5))
    with pytest.raises(ValueError, match="x must be a Tensor"):
        trace_gates(nn.LSTM(3, 4), [[1.0, 2.0, 3.0]])
    with pytest.raises(RuntimeError, match="Expected hidden"):
        trace_gates(nn.GRU(3, 4), torch.randn(5, 2, 3), torch.randn(1, 3, 4))
    trace = trace_gates(nn.GRU(3, 4), torch.randn(5, 2, 3))
    with pytest.raises(ValueError, match=r"gate must be one of \['r', 'z', 'n', 'h'\]"):
        trace.gate("f")
    with pytest.raises(ValueError, match="layer must be an integer in"):
        trace.gate("z", layer=1)
    assert trace.gate("z").shape == (5, 2, 4)


def test_summary_lists_layers_directions_and_shapes():
    trace = trace_gates(
        nn.LSTM(3, 6, num_layers=2, bidirectional=True, proj_size=2), torch.randn(4, 3)
    )
    text = trace.summary()
    assert (
        text.splitlines()[0] == "GateTrace(LSTM, T=4, N=1, hidden_size=6, proj_size=2, unbatched)"
    )
    assert "layer 1 backward: i (4, 1, 6)" in text
    assert "h (4, 1, 2)" in text
    assert len(text.splitlines()) == 5


@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_plain_matmul(bias):
    torch.manual_seed(0)
    x, w, b = torch.randn(37, 9), torch.randn(12, 9), torch.randn(12)
    want = x @ w.T + (b if bias else 0)
    torch.testing.assert_close(_linear(x, w, b if bias else None), want, rtol=1e-5, atol=1e-5)
    x64 = x.double()
    torch.testing.assert_close(_linear(x64, w.double(), None), x64 @ w.double().T)


def test_gate_summary_uses_valid_steps_only():
    from lstm_explain.gates import gate_summary

    torch.manual_seed(0)
    packed = pack_padded_sequence(torch.randn(6, 3, 2), [6, 3, 1], enforce_sorted=False)
    trace = trace_gates(nn.LSTM(2, 4), packed)
    f = trace.gates[0][0]["f"]
    rows = torch.cat([f[:6, 0], f[:3, 1], f[:1, 2]])  # (10, H): the real steps
    stats = gate_summary(trace, "f")
    torch.testing.assert_close(stats["mean"], rows.mean(0))
    torch.testing.assert_close(stats["max"], rows.amax(0))
    torch.testing.assert_close(stats["below_0.1"], (rows < 0.1).float().mean(0))
    assert set(gate_summary(trace, "c")) == {"mean", "min", "max"}
