"""ipywidgets explorers: thin views over pure functions (controls -> config -> report -> view).

- ``ShapeExplorer`` (``shape_explorer``): turn the knobs of a recurrent layer, see every shape,
  check and the unrolled network update.
- ``GateExplorer`` (``gate_explorer``): pick layer, direction, sample, units and gate of a traced
  module; the gate plots follow.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {"ShapeExplorer": "shape_explorer", "GateExplorer": "gate_explorer"}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'lstm_explain.widgets' has no attribute {name!r}")
