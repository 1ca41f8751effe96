"""What tracing every gate costs compared with the module's own forward (target: ratio <= 1.5).

Config from issue 5: a 2-layer bidirectional ``nn.LSTM``, input 64, hidden 128, ``T = 100``,
``N = 16``, on CPU, both under ``torch.no_grad()``. The two calls are interleaved so that load
from other processes hits both alike; the ratio is the median of the per-pair ratios, and each
median time is reported too, with the part of the trace that is the module's own kernel run layer by
layer (``layers_ms``, the floor: the rest is the batched gate products and element-wise work).
Prints JSON.

Usage: python benchmarks/gates_cost.py [--repeats 30] [--threads K] [--blas]
(``--blas``: gate products through PyTorch's default BLAS instead of oneDNN, for comparison.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main(repeats: int = 30, threads: int | None = None, blas: bool = False) -> dict:
    import torch
    from torch import nn

    from lstm_explain import gates
    from lstm_explain.gates import _run_layer, trace_gates

    gates.USE_ONEDNN = not blas

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    module = nn.LSTM(64, 128, num_layers=2, bidirectional=True).eval()
    x = torch.randn(100, 16, 64)
    forward_s, trace_s, layers_s, ratios = [], [], [], []
    h0 = torch.zeros(2, 16, 128)

    def layers() -> None:  # the kernel alone, one layer at a time, as trace_gates runs it
        data = x
        for layer in range(2):
            data = _run_layer("LSTM", module, layer, data, None, (h0, h0))[0]

    with torch.no_grad():
        for _ in range(3):  # warm-up: allocator, kernels
            module(x)
            trace_gates(module, x)
        for _ in range(repeats):
            t0 = time.perf_counter()
            module(x)
            t1 = time.perf_counter()
            trace_gates(module, x)
            t2 = time.perf_counter()
            layers()
            layers_s.append(time.perf_counter() - t2)
            forward_s.append(t1 - t0)
            trace_s.append(t2 - t1)
            ratios.append((t2 - t1) / (t1 - t0))
    return {
        "benchmark": "gates_cost",
        "config": "LSTM(64, 128, num_layers=2, bidirectional=True), T=100, N=16, CPU",
        "repeats": repeats,
        "threads": torch.get_num_threads(),
        "gate_products": "default BLAS" if blas else "oneDNN",
        "load_average_1min": round(os.getloadavg()[0], 2),
        "forward_ms_median": round(1e3 * statistics.median(forward_s), 3),
        "trace_ms_median": round(1e3 * statistics.median(trace_s), 3),
        "layers_ms_median": round(1e3 * statistics.median(layers_s), 3),
        "ratio_median": round(statistics.median(ratios), 3),
        "target": 1.5,
        "ok": statistics.median(ratios) <= 1.5,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--blas", action="store_true")
    args = parser.parse_args()
    print(json.dumps(main(args.repeats, args.threads, args.blas), indent=2))
