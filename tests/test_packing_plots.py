"""Packing figures are drawn from torch's real packing order."""

from __future__ import annotations

import matplotlib
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

from lstm_explain.plotting.packing import draw_last_valid, draw_packing, packing_layout, token_label

matplotlib.use("Agg")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=5))
def test_layout_matches_torch(lengths):
    layout = packing_layout(lengths)
    seqs = [
        torch.full((n, 1), 10.0 * i) + torch.arange(n).view(n, 1) for i, n in enumerate(lengths)
    ]
    packed = pack_padded_sequence(pad_sequence(seqs), lengths, enforce_sorted=False)
    assert layout.batch_sizes == tuple(packed.batch_sizes.tolist())
    assert layout.sorted_indices == tuple(packed.sorted_indices.tolist())
    assert [10.0 * s + t for s, t in layout.rows] == packed.data.view(-1).tolist()
    assert len(layout.rows) == sum(lengths)
    for t, size in enumerate(layout.batch_sizes):  # sequences still running at step t
        assert size == sum(n > t for n in lengths)
        assert all(step == t for _, step in layout.step_rows(t))


def test_token_label():
    assert token_label(0, 0) == "A0" and token_label(2, 3) == "C3"


def test_draw_packing_shows_every_token_and_batch_size():
    lengths = [2, 5, 3]
    fig = draw_packing(lengths)
    left, right = fig.axes
    left_text = [t.get_text() for t in left.texts]
    right_text = [t.get_text() for t in right.texts]
    assert left_text.count("pad") == 3 * 5 - sum(lengths)
    assert (
        sum(
            t in {token_label(i, s) for i, n in enumerate(lengths) for s in range(n)}
            for t in right_text
        )
        == 10
    )
    assert "t=0: batch_sizes[0] = 3" in right_text and "t=4: batch_sizes[4] = 1" in right_text
    assert "sorted_indices = [1, 2, 0]" in right.get_title()


def test_draw_last_valid_marks_h_n_and_zeros():
    fig = draw_last_valid([2, 4])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("0") == 2
    assert "yA1\n= h_n" in texts and "yB3\n= h_n" in texts
    assert "output[-1]" in texts


@pytest.mark.parametrize(
    ("lengths", "match"),
    [
        ([], "1..26 sequences"),
        ([3, 0], r"lengths\[1\] must be in 1..40"),
        ([2.5], "positive integers"),
        ("ab", "positive integers"),
        ([41], r"lengths\[0\]"),
    ],
)
def test_bad_lengths(lengths, match):
    with pytest.raises(ValueError, match=match):
        draw_packing(lengths)
    with pytest.raises(ValueError, match=match):
        draw_last_valid(lengths)
