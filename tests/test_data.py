"""Offline loaders: real data, windows aligned with their targets, scaling fitted on train only."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_explain.data import (
    PAD,
    UNK,
    Scaler,
    bag_of_words,
    build_vocab,
    co2_forecast_data,
    digits_data,
    load_bbc_news,
    load_co2_monthly,
    make_windows,
    pad_batch,
    text_data,
    tokenize,
)


def test_digits_are_row_sequences_with_a_stratified_split():
    d = digits_data()
    assert d.x_train.shape[1:] == (8, 8) and d.x_test.shape[1:] == (8, 8)
    assert d.x_val.shape[1:] == (8, 8) and len(d.y_val) == len(d.x_val)
    assert len(d.x_train) + len(d.x_val) + len(d.x_test) == 1797
    assert len(d.x_test) == 450 and len(d.x_val) == math.ceil(0.15 * 1347)  # sklearn rounds up
    assert float(d.x_train.min()) >= 0.0 and float(d.x_train.max()) == 1.0
    counts = torch.bincount(d.y_test, minlength=10)
    assert int(counts.min()) >= 43 and int(counts.max()) <= 46  # stratified: ~45 of each digit
    from sklearn.datasets import load_digits

    first = torch.from_numpy(load_digits().images / 16.0).float()
    # each training image is one of the real ones, rows kept in order
    assert any(torch.equal(d.x_train[0], img) for img in first)


def test_digits_splits_are_disjoint_and_test_ignores_val_fraction():
    d = digits_data()
    flat = {
        name: {tuple(img.flatten().tolist()) for img in x}
        for name, x in (("train", d.x_train), ("val", d.x_val), ("test", d.x_test))
    }
    # the digits set holds a few identical images; disjoint up to those
    assert len(flat["train"] & flat["test"]) <= 3 and len(flat["train"] & flat["val"]) <= 3
    val_counts = torch.bincount(d.y_val, minlength=10)
    assert int(val_counts.min()) >= 19 and int(val_counts.max()) <= 21  # stratified, ~20 each
    other = digits_data(val_fraction=0.3)
    assert torch.equal(other.x_test, d.x_test) and len(other.x_val) > len(d.x_val)
    with pytest.raises(ValueError, match="val_fraction=0"):
        digits_data(val_fraction=0)
    with pytest.raises(ValueError, match=r"test_fraction=1\.5"):
        digits_data(test_fraction=1.5)


def test_co2_monthly_is_the_real_series():
    values, months = load_co2_monthly()
    assert len(values) == len(months) == 526
    assert months[0] == "1958-03" and months[-1] == "2001-12"
    assert not np.isnan(values).any()
    assert 310 < values[0] < 320 and 365 < values[-1] < 375  # Keeling curve


@settings(max_examples=30, deadline=None)
@given(length=st.integers(2, 40), window=st.integers(1, 12))
def test_make_windows_targets_are_the_next_values(length, window):
    series = np.arange(length, dtype=np.float32) * 1.5
    if length < window + 1:
        with pytest.raises(ValueError, match="len\\(series\\)"):
            make_windows(series, window)
        return
    x, y = make_windows(series, window)
    assert x.shape == y.shape == (length - window, window, 1)
    assert torch.equal(y[:, :-1], x[:, 1:])  # per-step targets: the input shifted by one
    assert torch.equal(x[:, 0, 0], torch.from_numpy(series[: length - window]))
    assert float(y[-1, -1, 0]) == series[-1]


def test_make_windows_rejects_bad_window():
    with pytest.raises(ValueError, match="window=0"):
        make_windows([1.0, 2.0], 0)


def test_scaler_round_trip_and_errors():
    s = Scaler.fit(np.array([1.0, 3.0]))
    assert (s.mean, s.std) == (2.0, 1.0)
    v = np.array([0.0, 5.0])
    assert np.allclose(s.inverse(s.transform(v)), v)
    with pytest.raises(ValueError, match="constant"):
        Scaler.fit(np.ones(4))


def test_co2_forecast_split_by_time_and_scaled_on_train_only():
    f = co2_forecast_data(window=24, test_months=120)
    assert f.split == 406 and len(f.test_levels) == 120
    changes = np.diff(f.levels)
    train_changes = changes[: f.split - 1]
    assert f.scaler.mean == pytest.approx(train_changes.mean())
    assert f.scaler.std == pytest.approx(train_changes.std())
    # training windows never reach a held-out level
    assert len(f.x_train) == len(train_changes) - 24
    last_target = f.scaler.inverse(f.y_train[-1, -1, 0].numpy())
    assert last_target == pytest.approx(f.levels[f.split - 1] - f.levels[f.split - 2], abs=1e-4)
    # test window m ends with the change just before test month m
    ends = f.scaler.inverse(f.x_test[:, -1, 0].numpy())
    assert np.allclose(ends, f.levels[f.split - 1 : -1] - f.levels[f.split - 2 : -2], atol=1e-4)
    # a perfect change forecast reproduces the truth; the baselines are what they say
    true_changes = f.scaler.transform(f.test_levels - f.last_value_forecast())
    assert np.allclose(f.levels_from_changes(true_changes), f.test_levels)
    assert f.seasonal_naive_forecast()[0] == f.levels[f.split - 12]
    assert f.last_value_forecast()[0] == f.levels[f.split - 1]


def test_co2_forecast_rejects_bad_sizes():
    with pytest.raises(ValueError, match="test_months=0"):
        co2_forecast_data(test_months=0)
    with pytest.raises(ValueError, match="window=500"):
        co2_forecast_data(window=500)


def test_tokenize_and_vocab():
    assert tokenize("Ink helps drive democracy in Asia, 2004's polls!") == [
        "ink", "helps", "drive", "democracy", "in", "asia", "2004's", "polls",
    ]  # fmt: skip
    vocab = build_vocab([["b", "a", "b"], ["c", "a", "b"]], min_freq=2)
    assert vocab.itos == ("<pad>", "<unk>", "b", "a")
    assert vocab.encode(["a", "zzz"]) == [3, UNK]
    assert vocab.decode([2, PAD]) == ["b", "<pad>"]
    assert len(build_vocab([["a", "b", "c"]], min_freq=1, max_size=3)) == 3
    with pytest.raises(ValueError, match="min_freq=0"):
        build_vocab([], min_freq=0)


def test_pad_batch_pads_with_zero_and_keeps_lengths():
    tokens, lengths = pad_batch([[5, 6, 7], [8], [9, 10, 11, 12, 13]], max_len=4)
    assert lengths.tolist() == [3, 1, 4]
    assert tokens.tolist() == [[5, 6, 7, 0], [8, 0, 0, 0], [9, 10, 11, 12]]
    with pytest.raises(ValueError, match=r"sequences\[1\]"):
        pad_batch([[1], []])


def test_bbc_news_is_real_and_deduplicated():
    texts, labels, names = load_bbc_news()
    assert names == ["business", "entertainment", "politics", "sports", "tech"]
    assert len(texts) == len(set(texts)) == len(labels) == 2105
    everything, all_labels, _ = load_bbc_news(drop_duplicates=False)
    assert len(everything) == len(all_labels) == 2225  # the corpus's article count
    assert set(everything) == set(texts)
    assert texts[0].startswith("Ad sales boost Time Warner profit")


def test_text_data_vocab_from_train_only():
    d = text_data(max_len=40)
    assert d.tokens_train.shape[1] == 40 and int(d.lengths_train.max()) == 40
    assert int(d.lengths_test.min()) >= 1
    # the padding after each length is PAD, the token at length-1 is not
    rows = torch.arange(len(d.lengths_train))
    assert bool((d.tokens_train[rows, d.lengths_train - 1] != PAD).all())
    mask = torch.arange(40)[None, :] >= d.lengths_train[:, None]
    assert bool((d.tokens_train[mask] == PAD).all())
    train_words = {w for t in d.texts_train for w in tokenize(t)}
    assert set(d.vocab.itos[2:]) <= train_words
    assert len(d.class_names) == 5
    n = len(d.texts_train) + len(d.texts_val) + len(d.texts_test)
    assert n == 2105 and len(d.texts_test) == 527
    assert len(d.y_val) == len(d.tokens_val) == len(d.lengths_val) == len(d.texts_val) > 200
    assert not set(d.texts_val) & set(d.texts_train) and not set(d.texts_test) & set(d.texts_train)
    # validation words outside the training vocabulary are <unk>, as for new texts
    val_words = {w for t in d.texts_val for w in tokenize(t)}
    assert val_words - train_words and bool((d.tokens_val == UNK).any())


def test_bag_of_words_counts_only_real_steps():
    tokens = torch.tensor([[2, 3, 2, 0], [4, 0, 0, 0]])
    counts = bag_of_words(tokens, torch.tensor([3, 1]), 5)
    assert counts.tolist() == [[0, 0, 2, 1, 0], [0, 0, 0, 0, 1]]
    # order does not matter: the same ids in another order give the same counts
    assert torch.equal(bag_of_words(tokens.flip(1)[:, 1:], torch.tensor([3, 1]), 5)[0], counts[0])
    with pytest.raises(ValueError, match="num_ids=3"):
        bag_of_words(tokens, torch.tensor([3, 1]), 3)
    with pytest.raises(ValueError, match=r"lengths\.shape"):
        bag_of_words(tokens, torch.tensor([3]), 5)
