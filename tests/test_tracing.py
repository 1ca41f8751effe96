"""trace_shapes: every submodule call's shapes, counts, checks and mult-adds, on small models."""

from __future__ import annotations

import json

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_explain.config import RNNConfig
from lstm_explain.shapes import make_inputs, run_module
from lstm_explain.tracing import (
    PackedSpec,
    ShapeTrace,
    trace_shapes,
)

HOOK_DICTS = (
    "_forward_hooks",
    "_forward_pre_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_hooks_always_called",
    "_forward_pre_hooks_with_kwargs",
)


def assert_no_hooks(model: nn.Module) -> None:
    for m in model.modules():
        for attr in HOOK_DICTS:
            assert len(getattr(m, attr)) == 0, (type(m).__name__, attr)


def weight_macs_per_step(module: nn.RNNBase) -> int:
    """Independent count: every weight matrix is applied once per (step, sequence)."""
    return sum(p.numel() for n, p in module.named_parameters() if n.startswith("weight_"))


class Net(nn.Module):
    """The issue's example: an LSTM under the name ``rnn``."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(100, 20, num_layers=2, bidirectional=True, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)
        return out


def test_to_dict_has_the_issue_format_and_is_json() -> None:
    torch.manual_seed(0)
    trace = trace_shapes(Net(), torch.randn(8, 7, 100))
    d = trace.to_dict()
    rnn = d["calls"][1]
    assert {k: rnn[k] for k in ("name", "type", "depth", "count", "params")} == {
        "name": "rnn",
        "type": "LSTM",
        "depth": 1,
        "count": 1,
        "params": 29440,
    }
    assert rnn["inputs"] == {"input": [8, 7, 100]}
    assert rnn["outputs"] == [[8, 7, 40], [[4, 8, 20], [4, 8, 20]]]
    assert rnn["axes"]["h_n"] == ["L*D", "N", "H_out"]
    assert rnn["axes"]["output"] == ["N", "T", "D*H_out"]
    assert all(c["holds"] for c in rnn["checks"])
    assert d["calls"][0]["name"] == "" and d["calls"][0]["depth"] == 0
    assert d["total_params"] == 29440
    assert json.loads(json.dumps(d)) == d


CASES = [
    # mode, kwargs, input shape (as the layer expects it)
    ("LSTM", dict(num_layers=2), (5, 3, 4)),
    ("LSTM", dict(bidirectional=True, batch_first=True), (3, 5, 4)),
    ("LSTM", dict(num_layers=2, proj_size=3, bidirectional=True), (5, 3, 4)),
    ("GRU", dict(num_layers=3, batch_first=True), (3, 5, 4)),
    ("GRU", dict(bidirectional=True), (5, 4)),  # unbatched
    ("RNN", dict(num_layers=2, bidirectional=True, nonlinearity="relu"), (5, 3, 4)),
    ("RNN", dict(), (6, 4)),  # unbatched
]


@pytest.mark.parametrize("mode, kwargs, shape", CASES)
def test_recurrent_layers_match_torch(mode: str, kwargs: dict, shape: tuple) -> None:
    torch.manual_seed(0)
    layer = getattr(nn, mode)(4, 6, **kwargs)
    x = torch.randn(shape)
    trace = trace_shapes(layer, x)
    out, state = layer(x)
    h_n, c_n = state if mode == "LSTM" else (state, None)
    call = trace[""]
    assert call.type == mode
    assert call.shape("output") == tuple(out.shape)
    assert call.shape("h_n") == tuple(h_n.shape)
    if c_n is not None:
        assert call.shape("c_n") == tuple(c_n.shape)
        assert call.axes["c_n"][-1] == "H"
    else:
        assert "c_n" not in call.roles
    batched = len(shape) == 3
    assert call.axes["h_n"] == (("L*D", "N", "H_out") if batched else ("L*D", "H_out"))
    first_two = ("N", "T") if kwargs.get("batch_first") else ("T", "N")
    assert call.axes["input"] == ((*first_two, "H_in") if batched else ("T", "H_in"))
    assert len(call.checks) >= 2 and all(k.holds for k in call.checks), call.checks
    steps = shape[0] * shape[1] if batched else shape[0]
    assert call.mult_adds == steps * weight_macs_per_step(layer)
    assert call.params == sum(p.numel() for p in layer.parameters())
    assert trace.ok and trace.error is None


def test_proj_size_axes_and_mult_adds() -> None:
    torch.manual_seed(0)
    layer = nn.LSTM(4, 8, num_layers=2, proj_size=3)
    trace = trace_shapes(layer, torch.randn(5, 2, 4))
    call = trace[""]
    assert call.shape("h_n") == (2, 2, 3) and call.shape("c_n") == (2, 2, 8)
    # by the issue's formula: T*N*(G*H*(H_in + H_out)) per layer, plus T*N*proj_size*H
    expected = 5 * 2 * ((4 * 8 * (4 + 3) + 3 * 8) + (4 * 8 * (3 + 3) + 3 * 8))
    assert call.mult_adds == expected


class CellLoop(nn.Module):
    """Two stacked LSTMCells driven by a Python loop over time, then a Linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.cells = nn.ModuleList([nn.LSTMCell(4, 6), nn.LSTMCell(6, 5)])
        self.head = nn.Linear(5, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states: list = [None, None]
        for t in range(x.shape[0]):
            inp = x[t]
            for k, cell in enumerate(self.cells):
                states[k] = cell(inp, states[k])
                inp = states[k][0]
        return self.head(inp)


def test_cells_in_a_loop_collapse_to_one_row_with_their_count() -> None:
    torch.manual_seed(0)
    trace = trace_shapes(CellLoop(), torch.randn(7, 3, 4))
    assert [c.name for c in trace.calls] == ["", "cells.0", "cells.1", "head"]
    cell0 = trace["cells.0"]
    assert cell0.count == 7 and cell0.depth == 2 and cell0.level == 1
    assert cell0.outputs.items[0].shape == (3, 6)
    # the first call gets hx=None, later ones a tuple: the shapes vary
    assert cell0.varies
    assert cell0.mult_adds == 7 * 3 * 4 * 6 * (4 + 6)
    assert trace["head"].count == 1 and trace["head"].mult_adds == 3 * 5 * 2
    lines = str(trace).splitlines()
    assert lines[3].startswith("(model)") and lines[4].startswith("├─ cells.0")
    assert any(line.startswith("└─ head") for line in lines)


def test_expand_gives_one_row_per_call() -> None:
    torch.manual_seed(0)
    trace = trace_shapes(CellLoop(), torch.randn(4, 3, 4), expand=True)
    names = [c.label for c in trace.calls]
    assert names[:3] == ["(model)", "cells.0 #1", "cells.1 #1"]
    assert names.count("cells.1 #4") == 1 and "head" in names
    assert all(c.count == 1 for c in trace.calls)
    assert trace.calls[3].inputs["hx"].items[0].shape == (3, 6)  # cells.0 #2 gets (h, c)
    total = trace.total_mult_adds
    assert total == trace_shapes(CellLoop(), torch.randn(4, 3, 4)).total_mult_adds


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequence_input(enforce_sorted: bool) -> None:
    torch.manual_seed(0)
    layer = nn.GRU(4, 5, bidirectional=True, batch_first=True)
    lengths = [6, 4, 4, 1] if enforce_sorted else [4, 6, 1, 4]
    x = torch.randn(4, 6, 4)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=enforce_sorted)
    trace = trace_shapes(layer, packed)
    call = trace[""]
    d = call.to_dict()
    assert d["inputs"]["input"] == {
        "packed": {
            "data": [15, 4],
            "batch_sizes": packed.batch_sizes.tolist(),
            "sorted": enforce_sorted,
        }
    }
    assert isinstance(call.roles["output"], PackedSpec)
    assert call.roles["output"].data == (15, 10)
    assert call.shape("h_n") == (2, 4, 5)
    assert call.axes["input"] == ("sum(lengths)", "H_in")
    assert all(k.holds for k in call.checks) and len(call.checks) >= 3
    # a packed run computes sum(lengths) steps, not T*N
    assert call.mult_adds == sum(lengths) * weight_macs_per_step(layer)


class Nested(nn.Module):
    """Takes a dict and a keyword argument, returns nested containers; calls a Linear twice."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(3, 2)
        self.rnn = nn.RNN(2, 4)

    def forward(self, batch: dict, *, scale: float = 1.0) -> dict:
        a = self.proj(batch["a"]) * scale
        b = self.proj(batch["b"][0])
        out, h = self.rnn(a, h_0 := torch.zeros(1, a.shape[1], 4))
        return {"pair": (out, [h, b]), "none": None, "n": a.shape[0], "h_0": h_0}


def test_nested_containers_and_kwargs() -> None:
    torch.manual_seed(0)
    batch = {"a": torch.randn(5, 2, 3), "b": [torch.randn(5, 2, 3), torch.zeros(1)]}
    trace = trace_shapes(Nested(), batch, scale=2.0)
    root = trace[""].to_dict()
    assert root["inputs"] == {
        "batch": {"a": [5, 2, 3], "b": [[5, 2, 3], [1]]},
        "scale": {"value": 2.0},
    }
    assert root["outputs"] == {
        "pair": [[5, 2, 4], [[1, 2, 4], [5, 2, 2]]],
        "none": None,
        "n": {"value": 5},
        "h_0": [1, 2, 4],
    }
    proj = trace["proj"]
    assert proj.count == 2 and not proj.varies and proj.mult_adds == 2 * 10 * 3 * 2
    rnn = trace["rnn"]
    assert rnn.to_dict()["inputs"] == {"input": [5, 2, 2], "hx": [1, 2, 4]}
    assert rnn.shape("h_0") == (1, 2, 4)
    assert trace.total_params == 8 + 2 * 4 + 4 * 4 + 2 * 4


class BrokenRegLSTM(nn.Module):
    """The 000 post's regressor as published: forward uses an undefined name ``y``."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(1, 4)
        self.reg = nn.Sequential(nn.Linear(4, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, (ht, ct) = self.rnn(x)  # noqa: RUF059
        seq_len, batch_size, hidden_size = x.shape  # noqa: RUF059
        x = y.view(-1, hidden_size)  # type: ignore[name-defined]  # noqa: F821
        return self.reg(x)


def test_error_in_the_models_own_forward_after_a_child() -> None:
    model = BrokenRegLSTM()
    trace = trace_shapes(model, torch.randn(5, 2, 1))
    assert isinstance(trace.exception, NameError)
    assert trace.error is not None and trace.error.type == "NameError"
    assert trace.error.where == "" and trace.error.after == "rnn"
    assert [c.name for c in trace.calls] == ["", "rnn"]
    assert trace[""].raised and not trace["rnn"].raised
    assert trace["rnn"].shape("h_n") == (1, 2, 4)  # the shapes up to the failure are kept
    assert not trace.ok
    text = str(trace)
    assert "NameError raised in the model's own forward(), after `rnn` returned" in text
    assert_no_hooks(model)


class WrongWidth(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(10, 5)
        self.lstm = nn.LSTM(8, 4, batch_first=True)
        self.fc = nn.Linear(4, 2)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        _, (h_n, _) = self.lstm(self.embed(tokens))
        return self.fc(h_n[-1])


def test_error_inside_a_recurrent_layer_names_it_and_the_expected_shape() -> None:
    model = WrongWidth().train()
    trace = trace_shapes(model, torch.randint(0, 10, (3, 6)))
    assert isinstance(trace.exception, RuntimeError)
    assert trace.error.where == "lstm" and trace.error.after is None
    assert [c.name for c in trace.calls] == ["", "embed", "lstm"]  # fc never ran
    lstm = trace["lstm"]
    assert lstm.raised and lstm.outputs is None
    assert lstm.shape("input") == (3, 6, 5) and lstm.expected == {"input": (3, 6, 8)}
    assert lstm.to_dict()["expected"] == {"input": [3, 6, 8]}
    assert "expected (3, 6, 8)" in str(trace) and "✗ raised" in str(trace)
    assert "raised in `lstm`" in trace._repr_html_()
    assert trace.to_dict()["error"].startswith("RuntimeError raised in `lstm`")
    assert_no_hooks(model)
    assert model.training and model.lstm.training


def test_hooks_removed_flags_and_state_unchanged() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2))
    model.train()
    model[1].eval()  # a mixed state must come back exactly
    before = {k: v.clone() for k, v in model.state_dict().items()}
    flags = [m.training for m in model.modules()]
    x = torch.randn(6, 3)
    trace = trace_shapes(model, x)
    assert_no_hooks(model)
    assert [m.training for m in model.modules()] == flags
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert trace.result is not None and not trace.result.requires_grad
    # the model runs as it is (training mode, Dropout(0.5) on), but the RNG state is restored:
    # two traces draw the same dropout mask
    assert torch.equal(trace.result, trace_shapes(model, x).result)
    assert [c.name for c in trace.calls] == ["", "0", "1", "2", "3"]
    assert trace["2"].mult_adds == 0 and trace["1"].mult_adds is None
    assert trace.uncounted == ["1"]
    assert trace[""].params == trace.total_params == 3 * 4 + 4 + 8 + 4 * 2 + 2


def test_text_and_html_views() -> None:
    torch.manual_seed(0)
    trace = trace_shapes(Net(), torch.randn(8, 7, 100))
    text = str(trace)
    assert "h_n (4, 8, 20) = (L*D, N, H_out)" in text
    assert "c_n (4, 8, 20) = (L*D, N, H)" in text
    assert "└─ rnn" in text and "total params: 29,440" in text
    html = trace._repr_html_()
    assert html.count("<tr") == 1 + 2 + 1 + len(trace.checks)
    assert "h_n (4, 8, 20) = (L*D, N, H_out)" in html
    assert repr(trace).startswith("<ShapeTrace Net: 2 calls, 29,440 params")
    with pytest.raises(KeyError, match="no call named 'lstm'"):
        trace["lstm"]


class PackedNet(nn.Module):
    """Packs its padded input itself (torchinfo cannot take a PackedSequence as input data)."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.LSTM(4, 5)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(pack_padded_sequence(x, lengths, enforce_sorted=False))
        return out.data


def test_torchinfo_shows_only_the_first_output_and_counts_by_its_leading_axes() -> None:
    """What notebook 12 contrasts, on the real torchinfo: its Output Shape column holds only the
    first element of ``(output, (h_n, c_n))``, its Mult-Adds multiply every weight and bias by the
    output's first two axes (the packed data's ``(sum(lengths), D*H_out)`` for a PackedSequence)."""
    import torchinfo

    columns = ("output_size", "num_params", "mult_adds")
    torch.manual_seed(0)
    x = torch.randn(8, 7, 100)
    trace = trace_shapes(Net(), x)
    info = torchinfo.summary(Net(), input_data=x, col_names=columns, verbose=0)
    (row,) = [r for r in info.summary_list if r.class_name == "LSTM"]
    rnn = trace["rnn"]
    assert row.output_size == list(rnn.shape("output")) == [8, 7, 40]  # no h_n, no c_n
    assert row.num_params == rnn.params
    assert row.macs == 8 * 7 * rnn.params
    assert row.macs > rnn.mult_adds == 8 * 7 * weight_macs_per_step(rnn.module)

    x, lengths = torch.randn(6, 3, 4), torch.tensor([6, 3, 2])
    t2 = trace_shapes(PackedNet(), x, lengths)
    info = torchinfo.summary(PackedNet(), input_data=[x, lengths], col_names=columns, verbose=0)
    (row,) = [r for r in info.summary_list if r.class_name == "LSTM"]
    assert row.output_size == list(t2["rnn"].roles["output"].data) == [11, 5]
    assert row.macs == 11 * 5 * t2["rnn"].params
    assert t2["rnn"].mult_adds == 11 * weight_macs_per_step(t2["rnn"].module)


def test_bad_model_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"model must be a torch\.nn\.Module"):
        trace_shapes(lambda x: x, torch.zeros(1))  # type: ignore[arg-type]


def test_returns_a_shape_trace_for_package_models() -> None:
    from lstm_explain.models import RegLSTM, RowClassifier, TextClassifier

    torch.manual_seed(0)
    t = trace_shapes(RowClassifier(num_layers=2, bidirectional=True), torch.randn(3, 8, 8))
    assert isinstance(t, ShapeTrace) and t.ok
    assert t["lstm"].shape("h_n") == (4, 3, 64) and t["fc"].to_dict()["inputs"] == {
        "input": [3, 128]
    }
    t = trace_shapes(RegLSTM(), torch.randn(2, 9, 1))
    assert t[""].outputs.shape == (2, 9, 1) and t["lstm"].shape("c_n") == (1, 2, 32)
    tokens = torch.randint(1, 20, (3, 5))
    t = trace_shapes(TextClassifier(20), tokens, torch.tensor([5, 2, 3]))
    assert t["lstm"].roles["input"].batch_sizes == (3, 3, 2, 1, 1)
    assert t["lstm"].roles["input"].sorted is False and t.ok


@st.composite
def configs(draw: st.DrawFn) -> RNNConfig:
    mode = draw(st.sampled_from(["RNN", "GRU", "LSTM"]))
    hidden = draw(st.integers(2, 5))
    batch = draw(st.one_of(st.none(), st.integers(1, 3)))
    seq_len = draw(st.integers(1, 4))
    lengths = None
    if batch is not None and draw(st.booleans()):
        lengths = tuple(draw(st.lists(st.integers(1, seq_len), min_size=batch, max_size=batch)))
    return RNNConfig(
        mode=mode,
        input_size=draw(st.integers(1, 4)),
        hidden_size=hidden,
        num_layers=draw(st.integers(1, 3)),
        bidirectional=draw(st.booleans()),
        batch_first=draw(st.booleans()),
        proj_size=draw(st.integers(0, hidden - 1)) if mode == "LSTM" else 0,
        seq_len=seq_len,
        batch=batch,
        lengths=lengths,
    )


@settings(max_examples=30, deadline=None)
@given(configs())
def test_any_layer_config_traces_like_torch(config: RNNConfig) -> None:
    module = config.build()
    values = make_inputs(config)
    x = values["input"]
    hx = (values["h_0"], values["c_0"]) if config.mode == "LSTM" else values["h_0"]
    if config.lengths is not None:
        x = pack_padded_sequence(
            x, list(config.lengths), batch_first=config.batch_first, enforce_sorted=False
        )
    trace = trace_shapes(module, x, hx)
    call = trace[""]
    expected = run_module(module, config, values)  # output padded back, as the checks see it
    for role in ("h_n", "c_n"):
        if role in expected:
            assert call.shape(role) == tuple(expected[role].shape)
    if config.lengths is None:
        assert call.shape("output") == tuple(expected["output"].shape)
        steps = config.seq_len * (config.batch or 1)
    else:
        steps = sum(config.lengths)
        assert call.roles["output"].data[0] == steps
    assert call.shape("h_0") == tuple(values["h_0"].shape)
    assert call.mult_adds == steps * weight_macs_per_step(module)
    assert trace.ok, [k for k in call.checks if not k.holds]


# --- calls with different shapes: each distinct set listed ---------------------------------


class SharedGRU(nn.Module):
    """One GRU called three times: batched, unbatched, batched again."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(4, 5)

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self.gru(a)[0].sum() + self.gru(b)[0].sum() + self.gru(a)[0].sum()


def test_calls_with_different_shapes_list_each_distinct_shape_with_its_call_numbers() -> None:
    torch.manual_seed(0)
    trace = trace_shapes(SharedGRU(), torch.randn(3, 2, 4), torch.randn(6, 4))
    gru = trace["gru"]
    assert gru.count == 3 and gru.varies
    assert [v.calls for v in gru.variants] == [[1, 3], [2]]
    assert gru.variants[1].roles["h_n"].shape == (1, 5)  # unbatched: no batch axis
    assert gru.variants[1].axes["output"] == ("T", "D*H_out")
    text = str(trace)
    assert "#1,3 input (3, 2, 4) = (T, N, H_in)" in text
    assert "#2   input (6, 4) = (T, H_in)" in text
    assert "h_n (1, 5) = (L*D, H_out)" in text  # the second call's state is shown too
    assert "first shown" not in text
    assert "#1,3 output (3, 2, 5)" in trace._repr_html_()
    # the JSON schema does not change: the first call's shapes plus the varies flag
    d = trace.to_dict()["calls"][1]
    assert d["varies"] is True and "variants" not in d and d["inputs"]["input"] == [3, 2, 4]


def test_a_call_repeated_with_the_same_shapes_has_one_variant_and_no_labels() -> None:
    trace = trace_shapes(CellLoop(), torch.randn(5, 2, 4))
    head = trace["head"]
    assert len(head.variants) == 1 and head.variants[0].calls == [1] and not head.varies
    assert "#1" not in str(trace).split("head")[-1]


class Slices(nn.Module):
    """One Linear on ``x[:k]`` for k = 1..n, then on ``x[:1]`` again."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.lin = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        return [self.lin(x[:k]) for k in range(1, self.n + 1)] + [self.lin(x[:1])]


def test_many_shapes_are_listed_up_to_a_limit_and_the_rest_counted() -> None:
    from lstm_explain import tracing

    trace = trace_shapes(Slices(10), torch.randn(10, 3))
    lin = trace["lin"]
    assert [v.calls for v in lin.variants][:2] == [[1, 11], [2]]
    assert len(lin.variants) == 10 and lin.unlisted == 0
    lines = str(trace).splitlines()
    assert any("#1,11 input=(1, 3)" in line for line in lines)
    shown = tracing.SHOWN_VARIANTS
    assert any(f"… {10 - shown} calls: {10 - shown} more shapes" in line for line in lines)
    big = trace_shapes(Slices(tracing.MAX_VARIANTS + 5), torch.randn(40, 3))["lin"]
    assert len(big.variants) == tracing.MAX_VARIANTS and big.unlisted == 5
    assert big.count == tracing.MAX_VARIANTS + 6


def test_call_numbers_join_runs_and_stay_short() -> None:
    from lstm_explain.tracing.render import _call_numbers

    assert _call_numbers([1, 2, 3, 5]) == "#1-3,5"
    assert _call_numbers([2]) == "#2"
    long = _call_numbers(list(range(1, 40, 2)))
    assert len(long) <= 14 and long.endswith(",…") and long.startswith("#1,3,")


def test_packed_rows_wrap_so_the_table_stays_narrow() -> None:
    torch.manual_seed(0)
    lengths = [9, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    x = torch.randn(10, 9, 4)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    text = str(trace_shapes(nn.LSTM(4, 6, batch_first=True), packed))
    table = text.split("\n\n")[0].splitlines()
    assert max(len(line) for line in table) <= 110, max(len(line) for line in table)
    assert "input packed data (54, 4)" in text and "= (sum(lengths), H_in)" in text

    from lstm_explain.tracing.render import LINE_WIDTH, _wrap_list

    values = packed.batch_sizes.tolist()
    lines = _wrap_list("  batch_sizes", values)
    assert len(lines) > 1 and all(len(line) <= LINE_WIDTH for line in lines)
    body = " ".join(lines).split("[", 1)[1].rstrip("]")
    assert [int(v) for v in body.replace(",", " ").split()] == values
    assert _wrap_list("  batch_sizes", [3, 1]) == ["  batch_sizes [3, 1]"]
