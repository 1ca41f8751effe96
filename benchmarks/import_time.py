"""How much `import lstm_explain` adds to `import torch` (target: under 0.3 s).

Each sample is a fresh interpreter that imports torch, then lstm_explain and its public API names
(attribute access triggers the lazy imports of config and shapes). Prints JSON.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

CODE = """
import time
t0 = time.perf_counter()
import torch
t1 = time.perf_counter()
import lstm_explain
from lstm_explain import RNNConfig, shape_report
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def main(repeats: int = 7) -> dict:
    torch_s, added_s = [], []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
        )
        a, b = map(float, out.stdout.split())
        torch_s.append(a)
        added_s.append(b)
    result = {
        "benchmark": "import_time",
        "repeats": repeats,
        "import_torch_s_median": round(statistics.median(torch_s), 4),
        "lstm_explain_added_s_median": round(statistics.median(added_s), 4),
        "lstm_explain_added_s_max": round(max(added_s), 4),
        "target_added_s": 0.3,
        "meets_target": statistics.median(added_s) < 0.3,
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
