"""A character-level language model: the text, its vocabulary, stream batches, training, sampling.

The worked example of notebook 19. The text is the Zen of Python (PEP 20, by Tim Peters), which
ships with every Python as the module ``this`` (PSF License). One long stream of character ids is
cut into ``N`` parallel columns and read ``T`` steps at a time, the LSTM's state carried from one
batch to the next and detached in between (truncated backpropagation through time).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

__all__ = [
    "CharLM",
    "CharVocab",
    "State",
    "build_char_vocab",
    "count_graph_nodes",
    "detach_state",
    "next_char_probs",
    "sample",
    "stream_batches",
    "stream_columns",
    "stream_loss",
    "train_epoch",
    "zen_of_python",
]

#: An LSTM's state ``(h, c)``, each ``(L, N, H)``.
State = tuple[Tensor, Tensor]


def zen_of_python() -> str:
    """The Zen of Python (``import this``) as a string, without printing it.

    ``this`` prints the text when first imported and stores it ROT13-encoded in ``this.s``.
    """
    with contextlib.redirect_stdout(io.StringIO()):
        import this
    return codecs.decode(this.s, "rot13")


@dataclass(frozen=True)
class CharVocab:
    """The characters of a text, numbered in sorted order: ``itos[k]`` is the character of id ``k``."""

    itos: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "stoi", {ch: i for i, ch in enumerate(self.itos)})

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> Tensor:
        """Ids ``(len(text),)`` (int64). Raises ``KeyError`` for a character not in the vocabulary."""
        return torch.tensor([self.stoi[ch] for ch in text], dtype=torch.long)

    def decode(self, ids: Tensor | Sequence[int]) -> str:
        """The text of a sequence of ids."""
        return "".join(self.itos[int(i)] for i in ids)


def build_char_vocab(text: str) -> CharVocab:
    """A :class:`CharVocab` of the distinct characters of ``text``, sorted by code point."""
    if not text:
        raise ValueError("text: empty; need at least one character")
    return CharVocab(tuple(sorted(set(text))))


def stream_columns(ids: Tensor, n_streams: int) -> Tensor:
    """Cut one stream ``(L,)`` into ``n_streams`` contiguous pieces, side by side: ``(L // N, N)``.

    Column ``n`` is the ``n``-th piece of the text; the ``L % N`` characters left over are dropped.

    Raises:
        ValueError: if ``ids`` is not 1-D or ``n_streams`` is not in ``1..len(ids)``.
    """
    if ids.dim() != 1:
        raise ValueError(f"ids.shape={tuple(ids.shape)}: must be 1-D, one stream")
    if not 1 <= n_streams <= len(ids):
        raise ValueError(f"n_streams={n_streams}: must be in 1..{len(ids)}")
    per = len(ids) // n_streams
    return ids[: per * n_streams].view(n_streams, per).t().contiguous()  # (L // N, N)


def stream_batches(columns: Tensor, seq_len: int) -> list[tuple[Tensor, Tensor]]:
    """Consecutive windows of ``columns`` ``(L', N)``: inputs ``x`` and targets ``y``, each ``(T, N)``.

    ``y`` is ``x`` shifted one step ahead (the next character). Batch ``k + 1`` continues batch ``k``
    in every column, so the state after batch ``k`` is the right start for batch ``k + 1``. The last
    window may be shorter than ``seq_len``.
    """
    if seq_len < 1:
        raise ValueError(f"seq_len={seq_len}: must be positive")
    n = columns.shape[0] - 1  # the last row has no next character
    return [
        (columns[s : min(s + seq_len, n)], columns[s + 1 : min(s + seq_len, n) + 1])
        for s in range(0, n, seq_len)
    ]


class CharLM(nn.Module):
    """Embedding ``(T, N) -> (T, N, E)``, ``nn.LSTM`` ``-> (T, N, H)``, Linear ``-> (T, N, V)`` logits."""

    def __init__(
        self, vocab_size: int, embed_dim: int = 32, hidden_size: int = 128, num_layers: int = 1
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """ids ``(T, N)`` and ``(h, c)`` each ``(L, N, H)`` (zeros if None) -> logits ``(T, N, V)``, state."""
        out, state = self.lstm(self.embedding(x), state)  # (T, N, H)
        return self.fc(out), state


def detach_state(state: State) -> State:
    """The same values cut from the graph that made them: backward stops here."""
    return state[0].detach(), state[1].detach()


def train_epoch(
    model: CharLM,
    batches: Sequence[tuple[Tensor, Tensor]],
    optimizer: torch.optim.Optimizer,
    clip_norm: float = 1.0,
) -> float:
    """One pass over the stream: the state is carried across batches and detached (truncated BPTT).

    Returns the mean loss per character (nats).
    """
    model.train()
    state = None  # zeros at the start of the stream
    total, count = 0.0, 0
    for x, y in batches:  # x, y: (T, N)
        if state is not None:
            state = detach_state(state)  # keep the values, drop the graph of earlier batches
        logits, state = model(x, state)  # (T, N, V)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()  # through this batch's T steps only
        nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
        optimizer.step()
        total += loss.item() * y.numel()
        count += y.numel()
    return total / count


@torch.no_grad()
def stream_loss(model: CharLM, batches: Sequence[tuple[Tensor, Tensor]]) -> float:
    """Mean cross-entropy per character (nats) over the stream, the state carried as in training."""
    was_training = model.training
    model.eval()
    state, total, count = None, 0.0, 0
    for x, y in batches:
        logits, state = model(x, state)
        total += float(
            nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="sum")
        )
        count += y.numel()
    model.train(was_training)
    return total / count


def count_graph_nodes(tensor: Tensor) -> int:
    """How many autograd nodes ``tensor.backward()`` would visit (its graph's size)."""
    seen: set[int] = set()
    stack = [tensor.grad_fn]
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        stack.extend(next_fn for next_fn, _ in fn.next_functions)
    return len(seen)


@torch.no_grad()
def next_char_probs(
    model: CharLM, vocab: CharVocab, prompt: str, temperature: float = 1.0
) -> Tensor:
    """``softmax(logits / temperature)`` of the character after ``prompt``: ``(V,)``."""
    if temperature <= 0:
        raise ValueError(f"temperature={temperature}: must be positive")
    model.eval()
    logits, _ = model(vocab.encode(prompt)[:, None])  # (T, 1, V)
    return torch.softmax(logits[-1, 0] / temperature, dim=-1)


def _steps(
    model: CharLM, vocab: CharVocab, prompt: str, temperature: float, generator: torch.Generator
) -> Iterator[int]:
    logits, state = model(vocab.encode(prompt)[:, None])  # read the prompt: (T, 1, V)
    while True:
        probs = torch.softmax(logits[-1, 0] / temperature, dim=-1)  # (V,)
        nxt = int(torch.multinomial(probs, 1, generator=generator))
        yield nxt
        logits, state = model(torch.tensor([[nxt]]), state)  # one step: (1, 1) -> (1, 1, V)


@torch.no_grad()
def sample(
    model: CharLM,
    vocab: CharVocab,
    prompt: str,
    length: int,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> str:
    """``length`` characters drawn one at a time from ``softmax(logits / temperature)`` after ``prompt``.

    Each drawn character is fed back as the next input, with the state carried. A temperature
    below 1 sharpens the distribution (towards the most likely character), above 1 flattens it
    (towards uniform). Returns the new characters only.

    Raises:
        ValueError: for ``temperature <= 0``, ``length < 0`` or an empty prompt.
    """
    if temperature <= 0 or not math.isfinite(temperature):
        raise ValueError(f"temperature={temperature}: must be positive")
    if length < 0:
        raise ValueError(f"length={length}: must be >= 0")
    if not prompt:
        raise ValueError("prompt: empty; give at least one character to start from")
    was_training = model.training
    model.eval()
    generator = generator if generator is not None else torch.Generator().manual_seed(0)
    steps = _steps(model, vocab, prompt, temperature, generator)
    ids = [next(steps) for _ in range(length)]
    model.train(was_training)
    return vocab.decode(ids)
