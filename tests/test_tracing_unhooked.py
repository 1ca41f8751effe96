"""trace_shapes on models that bypass hooks or change themselves in forward (issue 13).

- a recurrent layer called as ``module.forward(x)`` (salesforce/awd-lstm-lm's WeightDrop) is
  traced, counted and checked like one called through ``__call__``;
- a recurrent kernel called directly (``torch._VF.lstm``) gets a row with its multiply-adds;
- tracing never changes the model: training flags, registered parameters, attributes, buffers
  and the random number generator's state come back as they were, whatever ``mode`` is.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from lstm_explain import trace_shapes
from lstm_explain.config import RNNConfig
from lstm_explain.tracing import recurrent_mult_adds


class WeightDrop(nn.Module):
    """salesforce/awd-lstm-lm weight_drop.py, as published: the raw weight is re-set in forward
    as ``F.dropout(raw, training=self.training)``, which in eval mode is the Parameter itself, so
    an eval pass registers it as a parameter and the next training pass raises "cannot assign
    'torch.FloatTensor' as parameter 'weight_hh_l0'"."""

    def __init__(self, module: nn.Module, weights: list[str], dropout: float = 0.5) -> None:
        super().__init__()
        self.module, self.weights, self.dropout = module, weights, dropout
        self.module.flatten_parameters = lambda *a, **k: None
        for name in weights:
            w = getattr(self.module, name)
            del self.module._parameters[name]
            self.module.register_parameter(name + "_raw", nn.Parameter(w.data))

    def forward(self, *args):
        for name in self.weights:
            raw = getattr(self.module, name + "_raw")
            setattr(self.module, name, F.dropout(raw, p=self.dropout, training=self.training))
        return self.module.forward(*args)


class LM(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.rnn = WeightDrop(nn.LSTM(8, 6), ["weight_hh_l0"])
        self.drop = nn.Dropout(0.3)
        self.norm = nn.BatchNorm1d(6)
        self.fc = nn.Linear(6, 30)

    def forward(self, tokens):
        out, _ = self.rnn(self.embed(tokens))
        out = self.drop(out)
        out = self.norm(out.transpose(1, 2)).transpose(1, 2)
        return self.fc(out)


def _state(model: nn.Module) -> tuple:
    return (
        [(n, m.training) for n, m in model.named_modules()],
        [(n, id(p)) for n, p in model.named_parameters()],
        sorted(model.state_dict().keys()),
        {n: type(m).forward is m.forward.__func__ for n, m in model.named_modules()},
    )


def _train_step(model: nn.Module, tokens: torch.Tensor) -> None:
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    model(tokens).sum().backward()
    opt.step()


def test_weight_drop_layer_is_traced_counted_and_checked() -> None:
    torch.manual_seed(0)
    model, tokens = LM().train(), torch.randint(0, 30, (5, 3))
    trace = trace_shapes(model, tokens)
    lstm = trace["rnn.module"]
    assert lstm.type == "LSTM" and lstm.count == 1 and lstm.level == 2
    assert lstm.shape("output") == (5, 3, 6) and lstm.shape("h_n") == (1, 3, 6)
    assert lstm.axes["h_n"] == ("L*D", "N", "H_out")
    config = RNNConfig.from_module(model.rnn.module, seq_len=5, batch=3)
    assert lstm.mult_adds == recurrent_mult_adds(config, 5 * 3) > 0
    assert trace.ok and lstm.checks and all(k.holds for k in lstm.checks)
    text = str(trace)
    assert "rnn.module" in text and "total mult-adds: 0" not in text
    assert trace.total_mult_adds == lstm.mult_adds + trace["fc"].mult_adds


def test_trace_in_train_mode_then_train_one_step_any_mode() -> None:
    for mode in ("same", "eval", "train"):
        torch.manual_seed(0)
        model, tokens = LM().train(), torch.randint(0, 30, (5, 3))
        model.norm.eval()  # a mixed state must come back exactly
        before = _state(model)
        values = {k: v.clone() for k, v in model.state_dict().items()}
        attrs = set(model.rnn.module.__dict__)
        rng = torch.get_rng_state()
        trace = trace_shapes(model, tokens, mode=mode)
        assert trace.error is None, (mode, trace.error)
        assert _state(model) == before, mode
        assert set(model.rnn.module.__dict__) == attrs, mode  # no weight left set by forward
        assert all(torch.equal(v, values[k]) for k, v in model.state_dict().items()), mode
        assert torch.equal(torch.get_rng_state(), rng), mode
        _train_step(model, tokens)  # raised "cannot assign ... as parameter" after an eval pass
        assert _state(model) == before, mode


def test_modes_and_batch_norm_statistics() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5)).train()
    x = torch.randn(6, 3)
    stats = model[1].running_mean.clone()
    same = trace_shapes(model, x)  # as the user has it: training mode, dropout on
    assert torch.equal(model[1].running_mean, stats) and int(model[1].num_batches_tracked) == 0
    assert (same.result == 0).any()
    evald = trace_shapes(model, x, mode="eval")
    assert torch.equal(evald.result, model.eval()(x).detach())
    model.train()
    assert torch.equal(same.result, trace_shapes(model, x, mode="train").result)  # same RNG
    try:
        trace_shapes(model, x, mode="inference")
    except ValueError as exc:
        assert "mode must be one of 'same', 'eval', 'train'" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("mode='inference' accepted")


def test_attributes_set_in_forward_are_put_back() -> None:
    class Stateful(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.gru = nn.GRU(4, 5)
            self.hidden = None

        def forward(self, x):
            out, self.hidden = self.gru(x, self.hidden)
            return out

    model = Stateful()
    trace_shapes(model, torch.randn(3, 2, 4))
    assert model.hidden is None
    assert "forward" not in model.gru.__dict__  # the wrapper is gone


def test_a_kernel_called_directly_gets_a_row_with_its_mult_adds() -> None:
    class Direct(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(4, 5, num_layers=2)
            self.cell = nn.GRUCell(5, 5)

        def forward(self, x):
            h = torch.zeros(2, x.size(1), 5)
            w = self.lstm._flat_weights
            out, _h, _c = torch._VF.lstm(x, (h, h), w, True, 2, 0.0, False, False, False)
            c = self.cell
            return torch._VF.gru_cell(out[-1], out[0], c.weight_ih, c.weight_hh, c.bias_ih, None)

    torch.manual_seed(0)
    x = torch.randn(7, 3, 4)
    trace = trace_shapes(Direct(), x)
    assert trace.error is None
    row = trace["<torch._VF.lstm>"]
    assert row.type == "_VF.lstm" and row.inputs["input"].shape == (7, 3, 4)
    config = RNNConfig("LSTM", input_size=4, hidden_size=5, num_layers=2, seq_len=7, batch=3)
    assert row.mult_adds == recurrent_mult_adds(config, 7 * 3)
    cell = trace["<torch._VF.gru_cell>"]
    assert cell.mult_adds == 3 * 3 * 5 * (5 + 5)
    assert trace.total_mult_adds == row.mult_adds + cell.mult_adds
    assert "<torch._VF.lstm>" in str(trace) and trace.uncounted == []
    assert torch._VF.__dict__.get("lstm") is None and torch.lstm is torch._C._VariableFunctions.lstm
    # inside a module's own forward, the kernel is the module's: no extra row
    assert [c.name for c in trace_shapes(nn.LSTM(4, 5), x).calls] == [""]


def test_lstm_cell_rows_name_h_and_c_with_their_axes() -> None:
    class Loop(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.cell = nn.LSTMCell(4, 6)

        def forward(self, x):
            h = c = torch.zeros(x.size(1), 6)
            for x_t in x:
                h, c = self.cell(x_t, (h, c))
            return h

    trace = trace_shapes(Loop(), torch.randn(5, 3, 4))
    cell = trace["cell"]
    assert cell.shape("h_0") == cell.shape("c_n") == (3, 6)
    assert cell.axes == {
        "input": ("N", "H_in"),
        "h_0": ("N", "H"),
        "c_0": ("N", "H"),
        "h_n": ("N", "H"),
        "c_n": ("N", "H"),
    }
    text = str(trace)
    assert "h_0 (3, 6) = (N, H)" in text and "c_n (3, 6) = (N, H)" in text
    unbatched = trace_shapes(nn.GRUCell(4, 6), torch.randn(4))[""]
    assert unbatched.axes == {"input": ("H_in",), "h_n": ("H",)}
