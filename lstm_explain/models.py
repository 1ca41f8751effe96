"""The worked examples' models: an image read row by row, a per-step regressor, packed text.

Shapes use ``N`` batch, ``T`` steps, ``H`` hidden size, ``L`` layers, ``D`` directions (2 if
bidirectional). All three models are ``batch_first=True`` (or say so), as the reference posts use.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence

from .sequences import final_hidden

__all__ = ["PostRegLSTM", "RegLSTM", "RowClassifier", "TextClassifier"]


def _positive(**sizes: int) -> None:
    """Raise ``ValueError`` naming the first size that is not a positive integer."""
    for name, value in sizes.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}={value!r}: must be a positive integer")


class RowClassifier(nn.Module):
    """An LSTM that reads an image one row per step and classifies from the final state.

    Each row of ``cols`` pixels is one time step's input, so an ``8 x 8`` digit is a sequence of
    ``T = 8`` steps of ``input_size = 8`` features (the 001 post's MNIST classifier reads 28 rows
    of 28). The logits come from the last layer's final hidden state ``h_n[-1]`` (both directions'
    final states side by side if bidirectional, via :func:`lstm_explain.final_hidden`).

    Shapes: ``x`` ``(N, T=rows, input_size=cols)`` -> logits ``(N, num_classes)``.
    """

    def __init__(
        self,
        input_size: int = 8,
        hidden_size: int = 64,
        num_layers: int = 1,
        num_classes: int = 10,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        _positive(
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            num_classes=num_classes,
        )
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.lstm = nn.LSTM(
            input_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
        )
        d = 2 if bidirectional else 1
        self.fc = nn.Linear(d * hidden_size, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``(N, num_classes)`` for images ``x`` ``(N, rows, cols)``."""
        if x.dim() != 3:
            raise ValueError(
                f"x.shape={tuple(x.shape)}: RowClassifier expects (N, rows, cols), 3 dimensions"
            )
        _, (h_n, _) = self.lstm(x)  # h_n: (L*D, N, H)
        return self.fc(final_hidden(h_n, self.num_layers, self.bidirectional))  # (N, C)


class RegLSTM(nn.Module):
    """LSTM + Linear regressor applied at every step (the 000 post's model, fixed).

    The post's ``forward`` returns an undefined name ``y``; here the LSTM's per-step output
    ``(N, T, H)`` goes through ``nn.Linear(H, output_size)``, which acts on the last dimension, so
    every step gets its own prediction.

    Shapes: ``x`` ``(N, T, input_size)`` -> ``(N, T, output_size)`` (``(T, N, ...)`` if
    ``batch_first=False``).
    """

    def __init__(
        self,
        input_size: int = 1,
        hidden_size: int = 32,
        num_layers: int = 1,
        output_size: int = 1,
        batch_first: bool = True,
    ) -> None:
        super().__init__()
        _positive(
            input_size=input_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            output_size=output_size,
        )
        self.batch_first = batch_first
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers=num_layers, batch_first=batch_first)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x: Tensor) -> Tensor:
        """Per-step predictions ``(N, T, output_size)`` for ``x`` ``(N, T, input_size)``."""
        if x.dim() != 3:
            raise ValueError(
                f"x.shape={tuple(x.shape)}: RegLSTM expects (N, T, input_size), 3 dimensions"
            )
        output, _ = self.lstm(x)  # (N, T, H)
        return self.fc(output)  # (N, T, output_size)


class PostRegLSTM(nn.Module):
    """Reference post 000's LSTM + Linear regressor **as published, bug included**: do not use it.

    Notebooks 10 and 12 run it to show the bug, then :class:`RegLSTM`, the fixed model. The code
    is the post's, unchanged apart from translated comments and one thing: the post reads
    ``input_size``, ``hidden_size`` and ``hidden_num_layers`` from global variables it never
    defines, so here they are arguments (with sizes of our choosing as defaults).

    The bug: ``forward`` reshapes ``y``, a name defined nowhere, so every call raises
    ``NameError: name 'y' is not defined`` after the LSTM has run. Renaming ``y`` to ``x`` fixes it;
    the two ``view`` calls are unnecessary anyway, since ``nn.Linear`` acts on the last axis.

    Shapes (had it worked): ``x`` ``(T, N, input_size)`` (time first) -> ``(T, N, 1)``.
    """

    def __init__(self, input_size: int = 1, hidden_size: int = 32, hidden_num_layers: int = 1):
        super().__init__()
        # the LSTM
        self.rnn = nn.LSTM(input_size, hidden_size, hidden_num_layers)
        # regression head: input features = the LSTM's output, output size 1
        self.reg = nn.Sequential(nn.Linear(hidden_size, 1))

    def forward(self, x):
        x, (ht, ct) = self.rnn(x)  # noqa: RUF059
        seq_len, batch_size, hidden_size = x.shape
        x = y.view(-1, hidden_size)  # noqa: F821  <- the bug: y is defined nowhere
        x = self.reg(x)
        x = x.view(seq_len, batch_size, -1)
        return x


class TextClassifier(nn.Module):
    """Token ids -> ``nn.Embedding`` -> packed LSTM -> classifier on each text's true final state.

    Padding (id ``padding_idx``) makes a rectangular batch; packing with the true ``lengths``
    makes the LSTM stop at each text's own last token, so ``h_n`` holds each sequence's real
    final state (``output[:, -1]`` of an unpacked run would be a padding step for short texts).

    Shapes: ``tokens`` ``(N, T)`` long, ``lengths`` ``(N,)`` -> logits ``(N, num_classes)``.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int = 32,
        hidden_size: int = 64,
        num_classes: int = 2,
        num_layers: int = 1,
        bidirectional: bool = False,
        padding_idx: int = 0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        _positive(
            vocab_size=vocab_size,
            embed_dim=embed_dim,
            hidden_size=hidden_size,
            num_classes=num_classes,
            num_layers=num_layers,
        )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout={dropout!r}: must be in [0, 1)")
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=padding_idx)
        self.dropout = nn.Dropout(dropout)  # on embeddings and on the final state; off in eval()
        self.lstm = nn.LSTM(
            embed_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
        )
        d = 2 if bidirectional else 1
        self.fc = nn.Linear(d * hidden_size, num_classes)

    def forward(self, tokens: Tensor, lengths: Sequence[int] | Tensor) -> Tensor:
        """Logits ``(N, num_classes)`` for padded ``tokens`` ``(N, T)`` of true ``lengths`` ``(N,)``."""
        if tokens.dim() != 2:
            raise ValueError(
                f"tokens.shape={tuple(tokens.shape)}: TextClassifier expects (N, T), 2 dimensions"
            )
        lengths = torch.as_tensor(lengths, dtype=torch.long).cpu()  # pack wants CPU lengths
        if lengths.shape != (tokens.shape[0],):
            raise ValueError(
                f"lengths.shape={tuple(lengths.shape)}: must be (N,) = ({tokens.shape[0]},)"
            )
        if len(lengths) and (int(lengths.min()) < 1 or int(lengths.max()) > tokens.shape[1]):
            raise ValueError(
                f"lengths={lengths.tolist()}: each must be between 1 and T={tokens.shape[1]}"
            )
        embedded = self.dropout(self.embedding(tokens))  # (N, T, E)
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # h_n: (L*D, N, H), in the batch's original order
        summary = final_hidden(h_n, self.num_layers, self.bidirectional)  # (N, D*H)
        return self.fc(self.dropout(summary))  # (N, C)
