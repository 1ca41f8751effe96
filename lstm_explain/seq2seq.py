"""A small encoder-decoder (sequence to sequence) on a toy transduction: reverse a digit string.

The worked example of notebook 20. A bidirectional LSTM **encoder** reads the digits (packed, so
each string stops at its own end); its final states, both directions of each layer side by side,
pass through a Linear **bridge** to start a unidirectional LSTM **decoder**, which writes the
reversed digits one at a time and then ``<eos>``. Everything is time-major: ids ``(T, N)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

__all__ = [
    "BOS",
    "EOS",
    "ITOS",
    "PAD",
    "ReversalData",
    "Seq2Seq",
    "bridge_state",
    "decode_ids",
    "encode_digits",
    "evaluate_seq2seq",
    "make_reversal_data",
    "sequence_accuracy",
    "train_seq2seq",
]

PAD, BOS, EOS = 0, 1, 2
#: id -> token: the three special tokens, then the digits ``"0"``..``"9"`` as ids 3..12.
ITOS: tuple[str, ...] = ("<pad>", "<bos>", "<eos>", *"0123456789")


def encode_digits(text: str) -> list[int]:
    """``"907"`` -> ``[12, 3, 10]``: each digit ``d`` has id ``d + 3``."""
    if not text.isdigit():
        raise ValueError(f"text={text!r}: must be digits only")
    return [int(ch) + 3 for ch in text]


def decode_ids(ids: Tensor | list[int]) -> str:
    """The digits of a sequence of ids, stopping at the first ``<eos>`` and skipping other specials."""
    out = []
    for i in (int(v) for v in ids):
        if i == EOS:
            break
        if i > EOS:
            out.append(ITOS[i])
    return "".join(out)


@dataclass
class ReversalData:
    """A padded batch of digit strings and their reversals (time-major).

    Attributes:
        texts: the source strings.
        src: source ids ``(S, N)``, padded with ``PAD``.
        lengths: each source's length ``(N,)``.
        tgt_in: the decoder's teacher-forced inputs ``(T, N)``: ``<bos>`` then the reversed digits.
        tgt_out: the targets ``(T, N)``: the reversed digits then ``<eos>``, padded with ``PAD``.
    """

    texts: list[str]
    src: Tensor
    lengths: Tensor
    tgt_in: Tensor
    tgt_out: Tensor

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, idx: Tensor) -> ReversalData:
        """The strings at ``idx``, padding trimmed to the longest of them."""
        lengths = self.lengths[idx]
        s = int(lengths.max())
        return ReversalData(
            [self.texts[int(i)] for i in idx],
            self.src[:s, idx],
            lengths,
            self.tgt_in[: s + 1, idx],
            self.tgt_out[: s + 1, idx],
        )


def _batch(texts: list[str]) -> ReversalData:
    src = [torch.tensor(encode_digits(t)) for t in texts]
    rev = [s.flip(0) for s in src]
    return ReversalData(
        texts,
        pad_sequence(src, padding_value=PAD),  # (S, N)
        torch.tensor([len(t) for t in texts]),
        pad_sequence([torch.cat([torch.tensor([BOS]), r]) for r in rev], padding_value=PAD),
        pad_sequence([torch.cat([r, torch.tensor([EOS])]) for r in rev], padding_value=PAD),
    )


def make_reversal_data(
    n: int,
    min_len: int = 5,
    max_len: int = 8,
    seed: int = 0,
    exclude: set[str] | frozenset[str] = frozenset(),
) -> ReversalData:
    """``n`` distinct random digit strings of ``min_len``..``max_len`` digits, none in ``exclude``.

    Seeded by its own ``torch.Generator(seed)``.
    """
    if not 1 <= min_len <= max_len:
        raise ValueError(f"min_len={min_len}, max_len={max_len}: need 1 <= min_len <= max_len")
    g = torch.Generator().manual_seed(seed)
    texts: list[str] = []
    seen = set(exclude)
    while len(texts) < n:
        length = int(torch.randint(min_len, max_len + 1, (1,), generator=g))
        text = "".join(str(int(d)) for d in torch.randint(0, 10, (length,), generator=g))
        if text not in seen:
            seen.add(text)
            texts.append(text)
    return _batch(texts)


def bridge_state(state: Tensor, num_layers: int, linear: nn.Linear, squash: bool = True) -> Tensor:
    """A bidirectional encoder's ``h_n`` or ``c_n`` ``(L*2, N, H)`` -> a unidirectional decoder's ``(L, N, H)``.

    Per layer, the forward and backward final states are put side by side, ``(L, N, 2H)``, and mapped
    back to ``H`` by ``linear`` (then ``tanh`` if ``squash``: ``h`` lies in (-1, 1), ``c`` need not).
    For the top layer that is ``linear(torch.cat([h_n[-2], h_n[-1]], dim=-1))``.
    """
    per_layer = state.view(num_layers, 2, *state.shape[1:])  # (L, D=2, N, H): PyTorch's row order
    both = torch.cat([per_layer[:, 0], per_layer[:, 1]], dim=-1)  # (L, N, 2H)
    out = linear(both)  # (L, N, H)
    return torch.tanh(out) if squash else out


class Seq2Seq(nn.Module):
    """Encoder ``nn.LSTM(E, H, L, bidirectional=True)``, bridges ``Linear(2H, H)`` for ``h`` and ``c``,
    decoder ``nn.LSTM(E, H, L)``, output ``Linear(H, V)``.

    Source and target share one embedding of the 13 tokens of :data:`ITOS`.
    """

    def __init__(self, embed_dim: int = 16, hidden_size: int = 64, num_layers: int = 1) -> None:
        super().__init__()
        vocab = len(ITOS)
        self.embedding = nn.Embedding(vocab, embed_dim, padding_idx=PAD)
        self.encoder = nn.LSTM(embed_dim, hidden_size, num_layers, bidirectional=True)
        self.bridge_h = nn.Linear(2 * hidden_size, hidden_size)
        self.bridge_c = nn.Linear(2 * hidden_size, hidden_size)
        self.decoder = nn.LSTM(
            embed_dim, hidden_size, num_layers
        )  # one direction: it writes left to right
        self.out = nn.Linear(hidden_size, vocab)

    def encode(self, src: Tensor, lengths: Tensor) -> tuple[Tensor, Tensor]:
        """ids ``(S, N)`` and lengths ``(N,)`` -> the decoder's ``(h_0, c_0)``, each ``(L, N, H)``."""
        packed = pack_padded_sequence(self.embedding(src), lengths, enforce_sorted=False)
        _, (h_n, c_n) = self.encoder(packed)  # (L*2, N, H): each string's state after its own end
        layers = self.encoder.num_layers
        return (
            bridge_state(h_n, layers, self.bridge_h),
            bridge_state(c_n, layers, self.bridge_c, squash=False),
        )

    def forward(self, src: Tensor, lengths: Tensor, tgt_in: Tensor) -> Tensor:
        """Teacher forcing: the decoder reads the true previous tokens ``(T, N)`` -> logits ``(T, N, V)``."""
        state = self.encode(src, lengths)  # (h_0, c_0), each (L, N, H)
        out, _ = self.decoder(self.embedding(tgt_in), state)  # all T steps in one call: (T, N, H)
        return self.out(out)

    def free_run(self, src: Tensor, lengths: Tensor, steps: int) -> Tensor:
        """Free running: each step reads the decoder's own previous guess -> logits ``(steps, N, V)``.

        The first input is ``<bos>``; each next input is the arg-max of the step before (a token id,
        so no gradient flows through the choice). This is also greedy decoding.
        """
        state = self.encode(src, lengths)  # (h_0, c_0), each (L, N, H)
        token = torch.full((1, src.shape[1]), BOS, dtype=torch.long)  # (1, N)
        logits = []
        for _ in range(steps):
            out, state = self.decoder(self.embedding(token), state)  # one step: (1, N, H)
            step_logits = self.out(out)  # (1, N, V)
            logits.append(step_logits)
            token = step_logits.argmax(-1)  # (1, N): the model's own guess is the next input
        return torch.cat(logits)

    @torch.no_grad()
    def greedy_decode(
        self, src: Tensor, lengths: Tensor, max_steps: int | None = None
    ) -> list[str]:
        """The decoded string of every source, read up to its first ``<eos>``."""
        was_training = self.training
        self.eval()
        steps = max_steps if max_steps is not None else int(lengths.max()) + 2
        ids = self.free_run(src, lengths, steps).argmax(-1)  # (steps, N)
        self.train(was_training)
        return [decode_ids(ids[:, n]) for n in range(ids.shape[1])]


def _loss(logits: Tensor, target: Tensor) -> Tensor:
    steps = min(logits.shape[0], target.shape[0])
    return nn.functional.cross_entropy(
        logits[:steps].flatten(0, 1), target[:steps].flatten(), ignore_index=PAD
    )


def train_seq2seq(
    model: Seq2Seq,
    data: ReversalData,
    *,
    epochs: int,
    teacher_forcing: bool = True,
    lr: float = 1e-2,
    batch_size: int = 64,
    seed: int = 0,
    clip_norm: float = 1.0,
) -> list[float]:
    """Adam on shuffled mini-batches; returns the mean training loss per epoch.

    With ``teacher_forcing`` the decoder reads the true previous tokens (``model(...)``, one call);
    without, it reads its own previous guesses (:meth:`Seq2Seq.free_run`, one step at a time).
    Padding positions of the target are ignored by the loss.
    """
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs={epochs}, batch_size={batch_size}: must be positive")
    g = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(data), generator=g)
        total = 0.0
        for start in range(0, len(data), batch_size):
            b = data.subset(order[start : start + batch_size])
            if teacher_forcing:
                logits = model(b.src, b.lengths, b.tgt_in)  # (T, N, V)
            else:
                logits = model.free_run(b.src, b.lengths, b.tgt_out.shape[0])
            loss = _loss(logits, b.tgt_out)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), clip_norm)
            optimizer.step()
            total += loss.item() * len(b)
        losses.append(total / len(data))
    model.eval()
    return losses


def sequence_accuracy(pred: Tensor, target: Tensor) -> tuple[float, float]:
    """Exact-sequence and per-token accuracy of predicted ids vs target ids, both ``(T, N)``.

    Only target positions that are not ``PAD`` count; a sequence is exact when all of them match.
    """
    mask = target != PAD
    hit = (pred == target) & mask
    exact = float((hit.sum(0) == mask.sum(0)).float().mean())
    per_token = float(hit.sum() / mask.sum())
    return exact, per_token


@torch.no_grad()
def evaluate_seq2seq(
    model: Seq2Seq, data: ReversalData, teacher_forcing: bool
) -> tuple[float, float]:
    """(exact-sequence accuracy, per-token accuracy) of ``model`` on ``data``.

    With ``teacher_forcing`` each step is predicted from the true previous tokens (what training
    with teacher forcing sees); without, by greedy decoding, each step from the model's own
    previous guess (what a user of the model gets).
    """
    was_training = model.training
    model.eval()
    steps = data.tgt_out.shape[0]
    if teacher_forcing:
        logits = model(data.src, data.lengths, data.tgt_in)
    else:
        logits = model.free_run(data.src, data.lengths, steps)
    model.train(was_training)
    return sequence_accuracy(logits.argmax(-1), data.tgt_out)
