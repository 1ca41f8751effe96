"""How much `trace_shapes` adds to one forward pass (hooks + shape records + identity checks).

For each model: the median time of a plain ``model(*inputs)`` under ``torch.no_grad()`` in eval
mode, and of ``trace_shapes(model, *inputs)``, sampled alternately; prints JSON with both, their
difference and the difference per module call. Single-threaded torch, so figures are comparable
on a busy machine; still, check ``uptime`` and re-run when the load is high.
"""

from __future__ import annotations

import json
import statistics
import time

import torch
from torch import nn

from lstm_explain.cells import cells_from_module
from lstm_explain.models import RowClassifier, TextClassifier
from lstm_explain.tracing import trace_shapes


def _paired_medians(plain, traced, repeats: int) -> tuple[float, float]:
    """Median seconds of each, sampled alternately so load changes hit both alike."""
    plain(), traced()  # warm-up
    a, b = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        plain()
        t1 = time.perf_counter()
        traced()
        t2 = time.perf_counter()
        a.append(t1 - t0)
        b.append(t2 - t1)
    return statistics.median(a), statistics.median(b)


def main(repeats: int = 31) -> dict:
    torch.manual_seed(0)
    torch.set_num_threads(1)
    tokens = torch.randint(1, 100, (64, 40))
    lengths = torch.randint(1, 41, (64,))
    cases = {
        "RowClassifier 28x28, N=64, 2 layers bidirectional": (
            RowClassifier(28, 64, num_layers=2, bidirectional=True),
            (torch.rand(64, 28, 28),),
        ),
        "TextClassifier packed, N=64, T=40": (TextClassifier(100), (tokens, lengths)),
        "CellStack loop, 2 layers, T=50 (100 cell calls)": (
            cells_from_module(nn.LSTM(16, 32, num_layers=2)),
            (torch.randn(50, 8, 16),),
        ),
    }
    out = {}
    for name, (model, inputs) in cases.items():
        model.eval()

        def plain(model=model, inputs=inputs):
            with torch.no_grad():
                model(*inputs)

        forward_s, traced_s = _paired_medians(
            plain, lambda model=model, inputs=inputs: trace_shapes(model, *inputs), repeats
        )
        calls = sum(c.count for c in trace_shapes(model, *inputs).calls)
        out[name] = {
            "module_calls": calls,
            "forward_ms": round(forward_s * 1e3, 2),
            "trace_shapes_ms": round(traced_s * 1e3, 2),
            "added_ms": round((traced_s - forward_s) * 1e3, 2),
            "ratio": round(traced_s / forward_s, 2),
            "added_us_per_call": round((traced_s - forward_s) * 1e6 / calls, 1),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
