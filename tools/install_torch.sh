#!/usr/bin/env bash
# Install PyTorch into a virtual environment, sensibly for the machine:
#   1. a matching wheel already on this machine (pip's find-links), without the network;
#   2. Linux with no NVIDIA GPU: the CPU-only wheel index (PyPI's Linux wheel is the multi-GB CUDA build);
#   3. otherwise PyPI (macOS/Windows builds are CPU/MPS; Linux with a GPU gets CUDA).
# Override with TORCH_SPEC (default "torch==2.13.*") and TORCH_INDEX_URL (a wheel index to use).
set -euo pipefail
PY=${1:-.venv/bin/python}
SPEC=${TORCH_SPEC:-torch==2.13.*}
if "$PY" -c "import torch" 2>/dev/null; then
  echo "torch $("$PY" -c 'import torch; print(torch.__version__)') already installed"
  exit 0
fi
if [ -n "${TORCH_INDEX_URL:-}" ]; then
  exec "$PY" -m pip install -q "$SPEC" --index-url "$TORCH_INDEX_URL"
fi
if "$PY" -m pip install -q --no-index --no-deps "$SPEC" 2>/dev/null; then
  "$PY" -m pip install -q "$SPEC"  # torch's own dependencies, from the index
  echo "torch installed from a local wheel"
  exit 0
fi
if [ "$(uname -s)" = Linux ] && ! command -v nvidia-smi >/dev/null 2>&1; then
  if "$PY" -m pip install -q "$SPEC" --index-url https://download.pytorch.org/whl/cpu \
       --extra-index-url https://pypi.org/simple --retries 1 --timeout 30; then
    echo "torch installed: CPU build"
    exit 0
  fi
fi
"$PY" -m pip install -q "$SPEC"
