"""seq2seq: data, the bridge from a bidirectional encoder, teacher forcing vs free running, metrics."""

from __future__ import annotations

import pytest
import torch

from lstm_explain.seq2seq import (
    BOS,
    EOS,
    PAD,
    Seq2Seq,
    bridge_state,
    decode_ids,
    encode_digits,
    evaluate_seq2seq,
    make_reversal_data,
    sequence_accuracy,
    train_seq2seq,
)


def test_encode_decode_digits() -> None:
    assert encode_digits("907") == [12, 3, 10]
    assert decode_ids([12, 3, 10, EOS, 5]) == "907"
    assert decode_ids([BOS, 4, PAD]) == "1"
    with pytest.raises(ValueError):
        encode_digits("9a")


def test_reversal_data_layout() -> None:
    data = make_reversal_data(50, 5, 8, seed=0)
    assert len(data) == 50 == len(set(data.texts))
    assert all(5 <= len(t) <= 8 for t in data.texts)
    s = int(data.lengths.max())
    assert data.src.shape == (s, 50) and data.tgt_in.shape == data.tgt_out.shape == (s + 1, 50)
    for n, text in enumerate(data.texts):
        k = len(text)
        assert decode_ids(data.src[:k, n]) == text and (data.src[k:, n] == PAD).all()
        assert int(data.tgt_in[0, n]) == BOS and decode_ids(data.tgt_out[:, n]) == text[::-1]
        assert int(data.tgt_out[k, n]) == EOS
        assert torch.equal(data.tgt_in[1 : k + 1, n], data.tgt_out[:k, n])  # shifted by one
    test = make_reversal_data(30, 5, 8, seed=1, exclude=set(data.texts))
    assert not set(test.texts) & set(data.texts)
    sub = data.subset(torch.tensor([0, 3]))
    assert sub.texts == [data.texts[0], data.texts[3]]
    assert sub.src.shape[0] == int(sub.lengths.max())
    with pytest.raises(ValueError):
        make_reversal_data(3, 6, 5)


def test_bridge_concatenates_the_directions_of_each_layer() -> None:
    torch.manual_seed(0)
    h_n = torch.randn(2 * 3, 4, 5)  # (L*D, N, H), L = 3
    linear = torch.nn.Linear(10, 5)
    h_0 = bridge_state(h_n, 3, linear, squash=False)
    assert h_0.shape == (3, 4, 5)
    for layer in range(3):
        both = torch.cat([h_n[2 * layer], h_n[2 * layer + 1]], dim=-1)
        assert torch.allclose(h_0[layer], linear(both), atol=1e-6)
    assert torch.allclose(h_0[-1], linear(torch.cat([h_n[-2], h_n[-1]], -1)), atol=1e-6)
    assert bridge_state(h_n, 3, linear).abs().max() < 1  # tanh


def test_model_shapes_teacher_forced_and_free_running() -> None:
    torch.manual_seed(0)
    model = Seq2Seq(8, 16, num_layers=2)
    data = make_reversal_data(6, seed=0)
    h_0, c_0 = model.encode(data.src, data.lengths)
    assert h_0.shape == c_0.shape == (2, 6, 16)
    logits = model(data.src, data.lengths, data.tgt_in)
    assert logits.shape == (*data.tgt_in.shape, 13)
    free = model.free_run(data.src, data.lengths, 4)
    assert free.shape == (4, 6, 13)
    # the first free-running step reads <bos>, like the first teacher-forced step: same logits
    assert torch.allclose(free[0], logits[0], atol=1e-5)
    out = model.greedy_decode(data.src, data.lengths)
    assert len(out) == 6 and all(set(s) <= set("0123456789") for s in out)


def test_sequence_accuracy_counts_only_real_positions() -> None:
    target = torch.tensor([[3, 4], [EOS, 5], [PAD, EOS]])  # (T, N)
    pred = torch.tensor([[3, 4], [EOS, 6], [9, EOS]])
    exact, per_token = sequence_accuracy(pred, target)
    assert exact == 0.5 and abs(per_token - 4 / 5) < 1e-6


def test_training_learns_and_greedy_exact_is_at_most_teacher_forced() -> None:
    torch.manual_seed(0)
    train = make_reversal_data(400, 3, 4, seed=0)
    test = make_reversal_data(200, 3, 4, seed=1, exclude=set(train.texts))
    model = Seq2Seq(8, 32)
    before = evaluate_seq2seq(model, test, teacher_forcing=True)[1]
    losses = train_seq2seq(model, train, epochs=5, lr=1e-2, batch_size=32)
    assert losses[-1] < losses[0] - 0.5
    tf_exact, tf_token = evaluate_seq2seq(model, test, teacher_forcing=True)
    greedy_exact, _ = evaluate_seq2seq(model, test, teacher_forcing=False)
    assert tf_token > before + 0.3
    assert greedy_exact <= tf_exact + 0.01  # a fully right greedy run saw only true prefixes
    free_losses = train_seq2seq(
        Seq2Seq(8, 16), train.subset(torch.arange(200)), epochs=2, teacher_forcing=False
    )
    assert len(free_losses) == 2 and free_losses[-1] < free_losses[0]
    with pytest.raises(ValueError):
        train_seq2seq(model, train, epochs=0)
