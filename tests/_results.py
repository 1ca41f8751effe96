"""A few fixed results of each type, shared by the protocol and golden-output tests.

Each builder is deterministic (seeded; shapes, counts and exact identity checks only), so
``str()`` of its result is the same on every machine and every run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from lstm_explain import RNNConfig, shape_report, trace_gates, trace_shapes
from lstm_explain.diagnosis import check_summary, diagnose


class _Tagger(nn.Module):
    """An embedding, a bidirectional LSTM and a linear head: the tree and the checks."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 8)
        self.lstm = nn.LSTM(8, 6, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(12, 3)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(self.embed(tokens))
        return self.head(out)


class _Stepper(nn.Module):
    """A GRUCell called once per step: a module called many times with the same shapes."""

    def __init__(self) -> None:
        super().__init__()
        self.cell = nn.GRUCell(4, 5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.zeros(x.shape[1], 5)
        for t in range(x.shape[0]):
            h = self.cell(x[t], h)
        return h


class _Packed(nn.Module):
    """A GRU on a PackedSequence: packed specs and batch_sizes in the table."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(3, 4)

    def forward(self, x: Any) -> Any:
        return self.gru(x)


def _seeded(build: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        torch.manual_seed(0)
        return build()

    return run


def _shape_trace_packed() -> Any:
    x = pack_padded_sequence(torch.randn(5, 3, 3), [5, 3, 2], enforce_sorted=False)
    return trace_shapes(_Packed().eval(), x)


#: name -> a function returning the result; grouped by type (the file names' prefix).
CASES: dict[str, Callable[[], Any]] = {
    "shape_report_lstm_proj_batch_first": lambda: shape_report(
        RNNConfig("LSTM", 10, 20, num_layers=2, batch_first=True, proj_size=5, batch=4, seq_len=6)
    ),
    "shape_report_gru_bidirectional_packed": lambda: shape_report(
        RNNConfig("GRU", 4, 6, bidirectional=True, lengths=(5, 3, 2))
    ),
    "shape_report_rnn_unbatched_relu": lambda: shape_report(
        RNNConfig("RNN", 3, 4, nonlinearity="relu", batch=None, bias=False)
    ),
    "shape_trace_tagger": _seeded(
        lambda: trace_shapes(_Tagger().eval(), torch.randint(0, 50, (2, 7)))
    ),
    "shape_trace_cell_loop": _seeded(lambda: trace_shapes(_Stepper(), torch.randn(4, 2, 4))),
    "shape_trace_packed_gru": _seeded(_shape_trace_packed),
    "diagnosis_ok": _seeded(lambda: diagnose(nn.LSTM(10, 20, num_layers=2), torch.randn(5, 3, 10))),
    "diagnosis_missing_c0": _seeded(
        # run=False: no "torch says" line, whose wording changes with torch's version
        lambda: diagnose(nn.LSTM(10, 20), torch.randn(5, 3, 10), torch.zeros(1, 3, 20), run=False)
    ),
    "diagnosis_bidirectional_last_step": _seeded(
        lambda: check_summary(
            nn.GRU(10, 8, bidirectional=True), torch.randn(5, 3, 10), torch.zeros(3, 16)
        )
    ),
    "gate_trace_lstm_bidirectional_proj": _seeded(
        lambda: trace_gates(
            nn.LSTM(3, 6, num_layers=2, bidirectional=True, proj_size=2), torch.randn(4, 3)
        )
    ),
    "gate_trace_gru_packed": _seeded(
        lambda: trace_gates(
            nn.GRU(3, 4, bias=False),
            pack_padded_sequence(torch.randn(5, 2, 3), [5, 2], enforce_sorted=False),
        )
    ),
    "gate_trace_rnn_batch_first": _seeded(
        lambda: trace_gates(
            nn.RNN(3, 5, nonlinearity="relu", batch_first=True), torch.randn(2, 4, 3)
        )
    ),
}
