"""The counting-with-resets task: targets follow the rule, generation is seeded, training learns."""

from __future__ import annotations

import pytest
import torch

from lstm_explain.tasks import (
    COUNT_TOKENS,
    find_tracking_unit,
    linear_fit_accuracy,
    make_counting_with_resets,
    train_gate_demo,
)


def test_count_follows_the_tokens():
    data = make_counting_with_resets(n_sequences=20, seq_len=25, seed=3)
    assert data.x.shape == (25, 20, 3) and data.count.shape == (25, 20)
    for n in range(20):
        running = 0
        for t, tok in enumerate(data.text(n)):
            running = 0 if tok == "R" else running + (tok == "a")
            assert data.count[t, n] == running
    assert torch.equal(data.x.argmax(-1), data.tokens)
    assert torch.equal(data.resets, data.tokens == COUNT_TOKENS.index("R"))


def test_seeded_and_leaves_the_global_generator_alone():
    torch.manual_seed(0)
    before = torch.get_rng_state()
    a = make_counting_with_resets(seed=5)
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.equal(a.tokens, make_counting_with_resets(seed=5).tokens)
    assert not torch.equal(a.tokens, make_counting_with_resets(seed=6).tokens)


def test_probabilities_shape_the_tokens():
    data = make_counting_with_resets(n_sequences=400, seq_len=50, p_count=0.5, p_reset=0.1)
    share = torch.bincount(data.tokens.flatten(), minlength=3).float() / data.tokens.numel()
    assert torch.allclose(share, torch.tensor([0.5, 0.4, 0.1]), atol=0.02)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_sequences": 0}, "n_sequences must be a positive integer"),
        ({"seq_len": 2.5}, "seq_len must be a positive integer"),
        ({"p_count": 1.5}, r"p_count must be in \[0, 1\]"),
        ({"p_count": 0.7, "p_reset": 0.5}, "p_count \\+ p_reset must be at most 1"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_counting_with_resets(**kwargs)


def test_train_gate_demo_learns_and_restores_threads():
    threads = torch.get_num_threads()
    data = make_counting_with_resets(n_sequences=32, seq_len=15, seed=0)
    model, losses = train_gate_demo("GRU", hidden_size=4, steps=60, data=data)
    assert torch.get_num_threads() == threads
    assert len(losses) == 60 and losses[-1] < 0.5 * losses[0]
    assert not model.training and isinstance(model.rnn, torch.nn.GRU)
    with pytest.raises(ValueError, match="mode must be 'RNN', 'LSTM' or 'GRU'"):
        train_gate_demo("lstm")
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        train_gate_demo(steps=0)


def test_find_tracking_unit_picks_the_most_correlated_unit():
    torch.manual_seed(0)
    q = torch.randn(10, 4)
    states = torch.randn(10, 4, 3)
    states[..., 1] = -2 * q + 0.01 * torch.randn(10, 4)  # anti-correlated: |r| counts
    states[0, 0, 2] = float("nan")  # a padded step is ignored
    unit, r = find_tracking_unit(states, q)
    assert unit == 1 and r < -0.99


def test_linear_fit_accuracy_tells_a_line_from_a_saturated_curve():
    count = torch.arange(12.0).repeat(5, 1).T  # (T=12, N=5), counts 0..11
    assert linear_fit_accuracy(0.3 * count - 1.0, count) == 1.0  # a line: exact
    saturated = torch.tanh(count)  # 0.9951, 0.9993, ... : a line cannot tell the high counts apart
    assert linear_fit_accuracy(saturated, count) < 0.5
    both = torch.stack([saturated, count / 7], -1)  # (T, N, 2): the second feature fixes it
    assert linear_fit_accuracy(both, count) == 1.0
    with pytest.raises(ValueError, match=r"features must be \(T, N\) or \(T, N, K\)"):
        linear_fit_accuracy(torch.zeros(12, 4), count)
