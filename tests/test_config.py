"""RNNConfig: validation with errors that name the field, the value and the rule."""

from __future__ import annotations

import pytest

from lstm_explain import RNNConfig


def test_mode_is_case_insensitive_and_stored_upper() -> None:
    assert RNNConfig("lstm", 10, 20).mode == "LSTM"
    assert RNNConfig("Gru", 10, 20).mode == "GRU"


def test_derived_sizes() -> None:
    c = RNNConfig("LSTM", 10, 20, num_layers=3, bidirectional=True, proj_size=5)
    assert (c.num_directions, c.h_out, c.gate_blocks) == (2, 5, 4)
    assert RNNConfig("GRU", 10, 20).gate_blocks == 3
    assert RNNConfig("RNN", 10, 20).gate_blocks == 1
    assert RNNConfig("RNN", 10, 20, batch=None).batched is False


BAD = [
    (dict(mode="transformer"), "mode must be one of 'RNN', 'LSTM', 'GRU' (got mode='transformer')"),
    (dict(mode=3), "mode must be one of"),
    (dict(input_size=0), "input_size must be >= 1 (got input_size=0)"),
    (dict(input_size=2.5), "input_size must be an integer (got input_size=2.5)"),
    (dict(hidden_size=-4), "hidden_size must be >= 1 (got hidden_size=-4)"),
    (dict(num_layers=0), "num_layers must be >= 1 (got num_layers=0)"),
    (dict(seq_len=0), "seq_len must be >= 1 (got seq_len=0)"),
    (dict(batch=0), "batch must be >= 1 (got batch=0)"),
    (dict(bidirectional="yes"), "bidirectional must be True or False (got bidirectional='yes')"),
    (dict(batch_first=1), "batch_first must be True or False (got batch_first=1)"),
    (dict(bias=None), "bias must be True or False"),
    (
        dict(proj_size=20),
        "proj_size must be smaller than hidden_size (got proj_size=20, hidden_size=20)",
    ),
    (dict(proj_size=-1), "proj_size must be >= 0 (got proj_size=-1)"),
    (
        dict(mode="GRU", proj_size=5),
        "proj_size is only supported by LSTM (got proj_size=5, mode='GRU')",
    ),
    (dict(mode="RNN", proj_size=5), "proj_size is only supported by LSTM"),
    (dict(dropout=1.0), "dropout must satisfy 0 <= dropout < 1 (got dropout=1.0)"),
    (dict(dropout=-0.1), "dropout must satisfy 0 <= dropout < 1 (got dropout=-0.1)"),
    (dict(dropout="0.5"), "dropout must be a number (got dropout='0.5')"),
    (
        dict(nonlinearity="sigmoid"),
        "nonlinearity must be 'tanh' or 'relu' (got nonlinearity='sigmoid')",
    ),
    (dict(mode="GRU", nonlinearity="relu"), "nonlinearity is only used by RNN"),
    (
        dict(lengths=(5, 3)),
        "lengths must have one entry per sequence, batch=3 (got 2 lengths: [5, 3])",
    ),
    (
        dict(lengths=(5, 3, 0)),
        "lengths[2] must be an integer in 1..seq_len=5 (got lengths=[5, 3, 0])",
    ),
    (dict(lengths=(6, 3, 2)), "lengths[0] must be an integer in 1..seq_len=5"),
    (dict(lengths=(5, 2.5, 1)), "lengths[1] must be an integer in 1..seq_len=5"),
    (dict(lengths="532"), "lengths must be a sequence of integers (got lengths='532')"),
    (dict(batch=None, lengths=(5,)), "lengths needs a batched input"),
]


@pytest.mark.parametrize(("changes", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_values_raise_value_error_naming_field_value_and_rule(changes, message) -> None:
    base = dict(mode="LSTM", input_size=10, hidden_size=20, seq_len=5, batch=3)
    base.update(changes)
    with pytest.raises(ValueError) as info:
        RNNConfig(**base)
    assert message in str(info.value)


def test_dropout_with_one_layer_is_accepted() -> None:
    assert RNNConfig("LSTM", 10, 20, dropout=0.5).dropout == 0.5


def test_lengths_accept_int_like_values_and_are_stored_as_tuple() -> None:
    import torch

    c = RNNConfig("GRU", 4, 8, seq_len=6, batch=3, lengths=torch.tensor([6, 2, 4]))
    assert c.lengths == (6, 2, 4)
    assert c.to_dict()["lengths"] == [6, 2, 4]


def test_replace_validates_again() -> None:
    c = RNNConfig("LSTM", 10, 20, proj_size=5)
    with pytest.raises(ValueError, match="proj_size is only supported by LSTM"):
        c.replace(mode="GRU")


def test_from_module_round_trip() -> None:
    c = RNNConfig("LSTM", 7, 9, num_layers=2, bidirectional=True, batch_first=True, proj_size=4)
    assert RNNConfig.from_module(c.build(), seq_len=5, batch=3) == c
    r = RNNConfig("RNN", 3, 4, nonlinearity="relu", bias=False)
    assert RNNConfig.from_module(r.build()) == r
    with pytest.raises(ValueError, match=r"module must be nn\.RNN, nn\.LSTM or nn\.GRU"):
        import torch

        RNNConfig.from_module(torch.nn.Linear(2, 3))


def test_code_is_the_constructor_call() -> None:
    c = RNNConfig("lstm", 100, 20, num_layers=4, bidirectional=True, batch_first=True)
    assert c.code() == "nn.LSTM(100, 20, num_layers=4, batch_first=True, bidirectional=True)"
    module = c.build()
    assert repr(module) == "LSTM(100, 20, num_layers=4, batch_first=True, bidirectional=True)"
