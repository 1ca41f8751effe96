"""The worked examples' models: shapes, the final state they classify from, packing, bad input."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_explain.models import RegLSTM, RowClassifier, TextClassifier


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(1, 5),
    rows=st.integers(1, 9),
    cols=st.integers(1, 6),
    layers=st.integers(1, 3),
    bi=st.booleans(),
)
def test_row_classifier_shapes_and_final_state(n, rows, cols, layers, bi):
    torch.manual_seed(0)
    model = RowClassifier(input_size=cols, hidden_size=5, num_layers=layers, bidirectional=bi)
    x = torch.randn(n, rows, cols)
    logits = model(x)
    assert logits.shape == (n, 10)
    # the classifier reads the last layer's final state: forward at step T-1, backward at step 0
    output, _ = model.lstm(x)
    h = model.lstm.hidden_size
    expected = output[:, -1, :h] if not bi else torch.cat([output[:, -1, :h], output[:, 0, h:]], 1)
    assert torch.allclose(logits, model.fc(expected), atol=1e-6)


def test_row_classifier_unidirectional_uses_h_n_last_layer():
    torch.manual_seed(0)
    model = RowClassifier(num_layers=2)
    x = torch.randn(3, 8, 8)
    _, (h_n, _) = model.lstm(x)
    assert torch.equal(model(x), model.fc(h_n[-1]))


def test_reg_lstm_per_step_outputs_match_linear_on_lstm_output():
    torch.manual_seed(0)
    model = RegLSTM(input_size=2, hidden_size=7, output_size=3)
    x = torch.randn(4, 11, 2)
    y = model(x)
    assert y.shape == (4, 11, 3)
    output, _ = model.lstm(x)
    assert torch.equal(y, model.fc(output))
    # causal: changing the last step leaves every earlier prediction unchanged
    x2 = x.clone()
    x2[:, -1] += 1.0
    y2 = model(x2)
    assert torch.equal(y[:, :-1], y2[:, :-1])
    assert not torch.equal(y[:, -1], y2[:, -1])


def test_reg_lstm_time_major():
    model = RegLSTM(batch_first=False)
    assert model(torch.randn(6, 2, 1)).shape == (6, 2, 1)


@pytest.mark.parametrize("bi", [False, True])
@pytest.mark.parametrize("layers", [1, 2])
def test_text_classifier_ignores_padding(bi, layers):
    torch.manual_seed(0)
    model = TextClassifier(
        30, embed_dim=4, hidden_size=6, num_classes=3, num_layers=layers, bidirectional=bi
    ).eval()
    tokens = torch.tensor([[5, 6, 7, 8], [9, 3, 0, 0], [4, 0, 0, 0]])
    lengths = torch.tensor([4, 2, 1])
    logits = model(tokens, lengths)
    assert logits.shape == (3, 3)
    # each text alone, unpadded, gives the same logits: padding changes nothing
    for i in range(3):
        alone = model(tokens[i : i + 1, : lengths[i]], lengths[i : i + 1])
        assert torch.allclose(logits[i], alone[0], atol=1e-6)
    # and padding with other ids than 0 too: packing never reads past the length
    noisy = tokens.clone()
    noisy[1, 2:] = 11
    assert torch.allclose(model(noisy, lengths), logits, atol=1e-6)


def test_text_classifier_unpacked_last_step_differs():
    """Without packing, the last column is padding for short texts: the trap the model avoids."""
    torch.manual_seed(0)
    model = TextClassifier(20, embed_dim=4, hidden_size=6).eval()
    tokens = torch.tensor([[5, 6, 7], [9, 0, 0]])
    output, _ = model.lstm(model.embedding(tokens))
    packed_logits = model(tokens, [3, 1])
    assert torch.allclose(packed_logits[0], model.fc(output[0, -1]), atol=1e-6)
    assert not torch.allclose(packed_logits[1], model.fc(output[1, -1]), atol=1e-4)
    assert torch.allclose(packed_logits[1], model.fc(output[1, 0]), atol=1e-6)


def test_text_classifier_lengths_list_and_cuda_free():
    model = TextClassifier(10)
    assert model(torch.tensor([[1, 2], [3, 0]]), [2, 1]).shape == (2, 2)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: RowClassifier(hidden_size=0), "hidden_size=0"),
        (lambda: RegLSTM(input_size=-1), "input_size=-1"),
        (lambda: TextClassifier(0), "vocab_size=0"),
        (lambda: TextClassifier(5, dropout=1.0), "dropout=1.0"),
    ],
)
def test_bad_arguments_name_the_field(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_name_the_shape():
    with pytest.raises(ValueError, match=r"x.shape=\(8, 8\)"):
        RowClassifier()(torch.zeros(8, 8))
    with pytest.raises(ValueError, match=r"x.shape=\(5, 1\)"):
        RegLSTM()(torch.zeros(5, 1))
    model = TextClassifier(10)
    with pytest.raises(ValueError, match="lengths="):
        model(torch.tensor([[1, 2]]), [3])
    with pytest.raises(ValueError, match=r"lengths.shape=\(2,\)"):
        model(torch.tensor([[1, 2]]), [2, 1])


def test_post_reg_lstm_is_the_post_code_with_its_bug():
    from lstm_explain.models import PostRegLSTM

    model = PostRegLSTM(input_size=1, hidden_size=8, hidden_num_layers=2)
    assert model.rnn.num_layers == 2 and model.reg[0].in_features == 8
    with pytest.raises(NameError, match="name 'y' is not defined"):
        model(torch.randn(5, 3, 1))
