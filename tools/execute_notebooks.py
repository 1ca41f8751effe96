"""Re-execute notebooks in place, top to bottom in a fresh kernel, as nbval will check them.

Usage: python tools/execute_notebooks.py [NOTEBOOK ...]   (default: every notebook in notebooks/)

Runs with LSTM_EXPLAIN_QUICK=1, the mode the test command uses, so stored outputs are what nbval
compares against. Cells tagged ``raises-exception`` may raise; any other error stops with a message.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def notebooks(args: list[str]) -> list[Path]:
    if args:
        return [Path(a).resolve() for a in args]
    return sorted(
        p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def execute(path: Path) -> float:
    nb = nbformat.read(path, as_version=4)
    # The installed ipykernel's own spec: a different display name makes JupyterLab mark a
    # notebook the learner never touched as modified.
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    start = time.perf_counter()
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.metadata.pop("execution", None)
    nbformat.write(nb, path)
    return time.perf_counter() - start


#: Variables that change float rounding; stored outputs are made under the machine's defaults, and
#: `make test` checks them under other settings (see the Makefile's NUMERICS).
NUMERIC_SETTINGS = ("OMP_NUM_THREADS", "ATEN_CPU_CAPABILITY", "MKL_CBWR", "ONEDNN_MAX_CPU_ISA")


def main(argv: list[str]) -> int:
    for name in NUMERIC_SETTINGS:
        os.environ.pop(name, None)
    os.environ["LSTM_EXPLAIN_QUICK"] = "1"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for path in notebooks(argv):
        seconds = execute(path)
        print(f"{path.relative_to(ROOT)}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
