"""charlm: the text, vocabulary, stream batches, truncated BPTT, sampling."""

from __future__ import annotations

import itertools
import math

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from lstm_explain.charlm import (
    CharLM,
    build_char_vocab,
    count_graph_nodes,
    detach_state,
    next_char_probs,
    sample,
    stream_batches,
    stream_columns,
    stream_loss,
    train_epoch,
    zen_of_python,
)
from lstm_explain.plotting.generation import plot_loss_curves, plot_temperatures


def test_zen_is_the_text_of_import_this(capsys: pytest.CaptureFixture[str]) -> None:
    text = zen_of_python()
    assert text.startswith("The Zen of Python, by Tim Peters")
    assert "Namespaces are one honking great idea" in text
    assert capsys.readouterr().out == ""  # fetched without printing


def test_vocab_round_trip_and_errors() -> None:
    vocab = build_char_vocab("hello world")
    assert vocab.itos == tuple(sorted(set("hello world"))) and len(vocab) == 8
    assert vocab.decode(vocab.encode("hello")) == "hello"
    assert vocab.encode("lo").dtype == torch.long
    with pytest.raises(KeyError):
        vocab.encode("z")
    with pytest.raises(ValueError, match="empty"):
        build_char_vocab("")


def test_stream_columns_and_batches_continue_each_other() -> None:
    ids = torch.arange(103)
    cols = stream_columns(ids, 4)
    assert cols.shape == (25, 4)
    assert torch.equal(cols[:, 1], torch.arange(25, 50))  # column 1: the second piece
    batches = stream_batches(cols, 7)
    assert [tuple(x.shape) for x, _ in batches] == [(7, 4)] * 3 + [(3, 4)]
    for x, y in batches:
        assert x.shape == y.shape and torch.equal(y, x + 1)  # the next character
    for (_, y0), (x1, _) in itertools.pairwise(batches):
        assert torch.equal(x1[0], y0[-1])
    with pytest.raises(ValueError):
        stream_columns(ids, 0)
    with pytest.raises(ValueError):
        stream_columns(ids.view(1, -1), 2)
    with pytest.raises(ValueError):
        stream_batches(cols, 0)


def _setup(seed: int = 0):
    text = zen_of_python()
    vocab = build_char_vocab(text)
    batches = stream_batches(stream_columns(vocab.encode(text), 4), 32)
    torch.manual_seed(seed)
    return vocab, batches, CharLM(len(vocab), 16, 64)


def test_shapes_and_initial_loss_near_ln_v() -> None:
    vocab, batches, model = _setup()
    x, _ = batches[0]
    logits, (h, c) = model(x)
    assert logits.shape == (32, 4, len(vocab)) and h.shape == c.shape == (1, 4, 64)
    assert abs(stream_loss(model, batches) - math.log(len(vocab))) < 0.25


def test_training_lowers_the_loss() -> None:
    _, batches, model = _setup()
    opt = torch.optim.Adam(model.parameters(), lr=2e-2)
    before = stream_loss(model, batches)
    for _ in range(4):
        train_epoch(model, batches, opt)
    assert stream_loss(model, batches) < before - 0.5


def test_without_detach_backward_fails_and_graph_grows() -> None:
    _, batches, model = _setup()
    state, sizes = None, []
    for x, y in batches[:3]:
        logits, state = model(x, state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        sizes.append(count_graph_nodes(loss))
        loss.backward(retain_graph=True)
    assert sizes[0] < sizes[1] < sizes[2] and sizes[2] - sizes[1] == sizes[1] - sizes[0]
    state = None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        for x, y in batches[:2]:
            logits, state = model(x, state)
            nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten()).backward()
    h, _ = detach_state((torch.ones(1, requires_grad=True) * 2, torch.ones(1)))
    assert not h.requires_grad and h.grad_fn is None and float(h) == 2.0


def test_sampling_is_seeded_in_vocab_and_temperature_sharpens() -> None:
    vocab, _, model = _setup()
    a = sample(model, vocab, "Be", 50, 1.0, torch.Generator().manual_seed(3))
    b = sample(model, vocab, "Be", 50, 1.0, torch.Generator().manual_seed(3))
    assert a == b and len(a) == 50 and set(a) <= set(vocab.itos)
    p_low, p_high = (next_char_probs(model, vocab, "Be", t) for t in (0.3, 3.0))
    assert abs(float(p_low.sum()) - 1) < 1e-5 and float(p_low.max()) > float(p_high.max())
    assert int(p_low.argmax()) == int(p_high.argmax())
    with pytest.raises(ValueError):
        sample(model, vocab, "Be", 5, 0.0)
    with pytest.raises(ValueError):
        sample(model, vocab, "", 5)
    assert sample(model, vocab, "Be", 0) == ""


def test_figures() -> None:
    vocab, _, model = _setup()
    fig = plot_loss_curves(
        {"a": [3.0, 2.0], "b": [3.1, 2.5]}, reference=3.8, reference_label="ln V"
    )
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 3
    probs = {t: next_char_probs(model, vocab, "Be", t) for t in (0.5, 1.0, 2.0)}
    assert len(plot_temperatures(probs, vocab.itos, top=5).axes) == 3
