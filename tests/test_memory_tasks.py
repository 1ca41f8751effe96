"""The "remember the first token" task, its model, the keep-gate bias and the trainer."""

from __future__ import annotations

import matplotlib
import pytest
import torch
from torch import nn

from lstm_explain.memory_tasks import (
    FirstTokenModel,
    accuracy_by_distance,
    make_first_token,
    open_keep_gate,
    train_first_token,
)
from lstm_explain.plotting.bptt import plot_accuracy_by_distance

matplotlib.use("Agg")


def test_make_first_token_shapes_and_content():
    data = make_first_token(5, distance=7, num_symbols=3, seed=1)
    assert data.tokens.shape == (8, 5) and data.x.shape == (8, 5, 6) and data.target.shape == (5,)
    assert data.distance == 7
    assert torch.equal(data.target, data.tokens[0]) and (data.tokens[0] < 3).all()
    assert ((data.tokens[1:] >= 3) & (data.tokens[1:] < 6)).all()  # distractors only after
    assert torch.equal(data.x.argmax(-1), data.tokens)
    assert data.text(0)[0] in "ABC" and set(data.text(0)[1:]) <= set("abc")
    again = make_first_token(5, distance=7, num_symbols=3, seed=1)
    assert torch.equal(again.tokens, data.tokens)  # seeded
    assert not torch.equal(make_first_token(5, 7, 3, seed=2).tokens, data.tokens)


@pytest.mark.parametrize("kwargs", [{"n_sequences": 0}, {"distance": 0}, {"num_symbols": 1}])
def test_make_first_token_validates(kwargs):
    args = {"n_sequences": 2, "distance": 3, "num_symbols": 4, **kwargs}
    with pytest.raises(ValueError):
        make_first_token(**args)


@pytest.mark.parametrize("mode", ["LSTM", "GRU"])
def test_open_keep_gate_sets_rows_h_to_2h(mode):
    layer = getattr(nn, mode)(3, 4, num_layers=2)
    open_keep_gate(layer, 3.0)
    for name, p in layer.named_parameters():
        if name.startswith("bias"):
            assert torch.allclose(p[4:8], torch.full((4,), 1.5))
    with pytest.raises(ValueError):
        open_keep_gate(nn.RNN(3, 4), 1.0)


def test_model_shapes_and_keep_bias():
    data = make_first_token(6, distance=4)
    for mode in ("RNN", "LSTM", "GRU"):
        model = FirstTokenModel(mode, hidden_size=5, keep_bias=2.0)
        assert model(data.x).shape == (6, 4)
    lstm = FirstTokenModel("LSTM", hidden_size=5, keep_bias=2.0).rnn
    assert torch.allclose(lstm.bias_ih_l0[5:10] + lstm.bias_hh_l0[5:10], torch.full((5,), 2.0))
    with pytest.raises(ValueError):
        FirstTokenModel("Transformer")


def test_a_short_distance_is_learned_quickly():
    result = train_first_token("LSTM", 2, n_train=512, epochs=2, batch_size=32, n_test=200)
    assert result.accuracy > 0.9 and len(result.loss) == 2 and not result.model.training
    assert result.mode == "LSTM" and result.distance == 2


def test_accuracy_by_distance_and_its_figure():
    acc = accuracy_by_distance([2], modes=("RNN",), n_train=128, epochs=1, n_test=50)
    assert list(acc) == ["RNN"] and list(acc["RNN"]) == [2] and 0 <= acc["RNN"][2] <= 1
    fig = plot_accuracy_by_distance({"RNN": {2: 0.5, 4: 0.3}, "LSTM": {2: 1.0, 4: 1.0}})
    assert fig.get_size_inches()[0] <= 8 and len(fig.axes[0].lines) == 3  # two modes + chance
