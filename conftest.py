"""Repository-wide pytest set-up, shared by unit tests and nbval's notebook kernels."""

import os

# Notebooks keep training short under test (the pyro tutorials' pattern); stored notebooks are
# executed in the same mode by tools/execute_notebooks.py, so nbval compares like with like.
os.environ.setdefault("LSTM_EXPLAIN_QUICK", "1")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
