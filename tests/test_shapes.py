"""shape_report: predicted == observed for every combination, identity checks on real tensors."""

from __future__ import annotations

import itertools
import json

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_explain import RNNConfig, identity_checks, predict_shapes, shape_report
from lstm_explain.shapes import fmt_shape, predict_num_parameters

COMBOS = [
    (mode, layers, bi, bf, proj, kind)
    for mode, layers, bi, bf, proj, kind in itertools.product(
        ["RNN", "LSTM", "GRU"],
        [1, 2, 3, 4],
        [False, True],
        [False, True],
        [0, 3],
        ["batched", "unbatched", "padded"],
    )
    if not (proj and mode != "LSTM")
]


def _config(mode, layers, bi, bf, proj, kind) -> RNNConfig:
    return RNNConfig(
        mode,
        5,
        7,
        num_layers=layers,
        bidirectional=bi,
        batch_first=bf,
        proj_size=proj,
        seq_len=6,
        batch=None if kind == "unbatched" else 3,
        lengths=(6, 2, 4) if kind == "padded" else None,
    )


@pytest.mark.parametrize("combo", COMBOS, ids=["-".join(map(str, c)) for c in COMBOS])
def test_every_combination_agrees_with_torch(combo) -> None:
    report = shape_report(_config(*combo))
    for t in report.tensors.values():
        assert t.observed == t.predicted, t.name
    failing = [k.name for k in report.checks if not k.holds]
    assert not failing
    assert report.ok


def test_seed_example_lstm_four_layers_bidirectional() -> None:
    c = RNNConfig("LSTM", 100, 20, num_layers=4, bidirectional=True, seq_len=10, batch=3)
    r = shape_report(c)
    assert r.shape("input") == (10, 3, 100)
    assert r.shape("output") == (10, 3, 40)
    assert r.shape("h_n") == r.shape("c_n") == (8, 3, 20)
    out, h_n = r.values["output"], r.values["h_n"]
    assert out[-1][:, :20].equal(h_n[-2])  # the post's check, on the real tensors
    assert r.check("h_n[-2]").holds and r.check("h_n[-1]").holds
    assert r.parameters["weight_ih_l0"] == (80, 100)
    assert r.parameters["weight_ih_l1_reverse"] == (80, 40)


def test_batch_first_changes_input_and_output_not_states() -> None:
    base = RNNConfig("LSTM", 10, 20, num_layers=2, seq_len=7, batch=3)
    a, b = shape_report(base), shape_report(base.replace(batch_first=True))
    assert a.shape("input") == (7, 3, 10) and b.shape("input") == (3, 7, 10)
    assert a.shape("output") == (7, 3, 20) and b.shape("output") == (3, 7, 20)
    for s in ("h_0", "h_n", "c_0", "c_n"):
        assert a.shape(s) == b.shape(s) == (2, 3, 20)
    assert b.check("batch_first leaves h_n").holds
    assert b.check("output[:, -1] equals h_n[-1]").holds


def test_unbatched_states_are_two_dimensional() -> None:
    r = shape_report(RNNConfig("GRU", 4, 6, num_layers=2, batch=None, seq_len=5))
    assert r.shape("input") == (5, 4) and r.shape("output") == (5, 6)
    assert r.shape("h_0") == r.shape("h_n") == (2, 6)
    assert r.check("unbatched input gives a 2-D h_n").holds


def test_proj_size_shrinks_h_and_output_not_c() -> None:
    r = shape_report(RNNConfig("LSTM", 10, 20, bidirectional=True, proj_size=5, seq_len=4, batch=2))
    assert r.shape("output") == (4, 2, 10)
    assert r.shape("h_n") == (2, 2, 5) and r.shape("c_n") == (2, 2, 20)
    assert r.parameters["weight_hr_l0"] == (5, 20)
    assert r.check("proj_size").holds


def test_packed_last_valid_step_and_padding() -> None:
    r = shape_report(RNNConfig("LSTM", 3, 4, seq_len=6, batch=3, lengths=(6, 2, 4)))
    out, h_n = r.values["output"], r.values["h_n"]
    assert out[[5, 1, 3], [0, 1, 2]].equal(h_n[-1])
    assert not out[-1].equal(h_n[-1])  # output[-1] is padding for the short rows
    assert r.check("last valid step").holds and r.check("zero padding").holds


def test_checks_relating_output_and_h_n_name_h_n() -> None:
    for combo in COMBOS[::7]:
        for k in shape_report(_config(*combo)).checks:
            if "output" in k.name and "proj_size" not in k.name:
                assert "h_n" in k.name


def test_identity_checks_detect_a_wrong_h_n() -> None:
    r = shape_report(RNNConfig("LSTM", 3, 4, num_layers=2, bidirectional=True, seq_len=5, batch=2))
    wrong = r.values["h_n"].flip(0)  # directions/layers in the wrong order
    checks = identity_checks(r.config, r.values["output"], wrong, r.values["c_n"])
    assert not all(k.holds for k in checks)


def test_layout_check_fails_when_layers_are_swapped() -> None:
    r = shape_report(RNNConfig("GRU", 3, 4, num_layers=3, seq_len=5, batch=2))
    swapped = r.values["h_n"][[1, 0, 2]]
    checks = identity_checks(
        r.config, r.values["output"], swapped, module=r.module, values=r.values
    )
    assert not checks[-1].holds and "layer-major" in checks[-1].name


def test_dropout_with_one_layer_is_explained_in_notes() -> None:
    r = shape_report(RNNConfig("LSTM", 3, 4, dropout=0.3))
    assert any("does nothing with num_layers=1" in n for n in r.notes)
    r2 = shape_report(RNNConfig("LSTM", 3, 4, num_layers=2, dropout=0.3))
    assert any("training mode only" in n for n in r2.notes)


def test_to_dict_schema_and_json() -> None:
    r = shape_report(RNNConfig("LSTM", 100, 20, seq_len=10, batch=3))
    d = json.loads(json.dumps(r.to_dict()))
    assert list(d) == ["config", "tensors", "parameters", "num_parameters", "checks", "notes"]
    assert set(d["config"]) == set(RNNConfig.field_names())
    assert list(d["tensors"]) == ["input", "h_0", "c_0", "output", "h_n", "c_n"]
    assert d["tensors"]["input"] == {
        "predicted": [10, 3, 100],
        "observed": [10, 3, 100],
        "dims": ["seq_len", "batch", "input_size"],
        "formula": "(seq_len, N, input_size)",
    }
    assert d["tensors"]["h_0"]["formula"] == "(num_layers * D, N, proj_size or hidden_size)"
    assert d["parameters"]["weight_ih_l0"] == [80, 100]
    assert d["num_parameters"] == 4 * 20 * (100 + 20) + 2 * 4 * 20
    assert all(set(k) == {"name", "holds", "detail"} for k in d["checks"])
    gru = shape_report(RNNConfig("GRU", 4, 5)).to_dict()
    assert list(gru["tensors"]) == ["input", "h_0", "output", "h_n"]


def test_text_and_html_render_shapes() -> None:
    r = shape_report(
        RNNConfig("LSTM", 100, 20, num_layers=4, bidirectional=True, seq_len=10, batch=3)
    )
    text, html = str(r), r._repr_html_()
    for s in ("(8, 3, 20)", "(10, 3, 40)", "(10, 3, 100)"):
        assert s in text and s in html
    assert "✓" in text and "weight_hh_l3_reverse" in text and "49,280" in text


def test_fmt_shape() -> None:
    assert fmt_shape((8, 3, 20)) == "(8, 3, 20)"
    assert fmt_shape(torch.Size([80])) == "(80,)"


def test_shape_report_rejects_non_config() -> None:
    with pytest.raises(ValueError, match="config must be an RNNConfig"):
        shape_report({"mode": "LSTM"})


configs = st.builds(
    lambda mode, layers, bi, bf, hin, h, proj_frac, T, batch_kind, data: _random_config(
        mode, layers, bi, bf, hin, h, proj_frac, T, batch_kind, data
    ),
    st.sampled_from(["RNN", "LSTM", "GRU"]),
    st.integers(1, 4),
    st.booleans(),
    st.booleans(),
    st.integers(1, 12),
    st.integers(2, 12),
    st.floats(0, 0.99),
    st.integers(1, 8),
    st.sampled_from(["batched", "unbatched", "padded"]),
    st.data(),
)


def _random_config(mode, layers, bi, bf, hin, h, proj_frac, T, batch_kind, data) -> RNNConfig:
    proj = int(proj_frac * h) if mode == "LSTM" else 0
    batch = None if batch_kind == "unbatched" else data.draw(st.integers(1, 4))
    lengths = None
    if batch_kind == "padded":
        lengths = tuple(data.draw(st.lists(st.integers(1, T), min_size=batch, max_size=batch)))
    return RNNConfig(
        mode,
        hin,
        h,
        num_layers=layers,
        bidirectional=bi,
        batch_first=bf,
        proj_size=proj,
        seq_len=T,
        batch=batch,
        lengths=lengths,
        bias=data.draw(st.booleans()),
        dropout=data.draw(st.sampled_from([0.0, 0.25])),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_property_predicted_equals_observed(config: RNNConfig) -> None:
    report = shape_report(config)
    predicted = predict_shapes(config)
    for name, t in report.tensors.items():
        assert t.observed == predicted[name][0]
    assert report.num_parameters == predict_num_parameters(config)
    assert all(k.holds for k in report.checks), [k.name for k in report.checks if not k.holds]


def test_shapes_table_is_compact() -> None:
    r = shape_report(RNNConfig("GRU", 10, 20, num_layers=2, seq_len=7, batch=3))
    lines = r.shapes_table().splitlines()
    assert [line.split()[0] for line in lines] == ["input", "h_0", "output", "h_n"]
    assert "(2, 3, 20)" in lines[1] and "(num_layers*D, batch, hidden_size)" in lines[1]
