"""Figures: each function takes a config, report or trace and returns a matplotlib ``Figure``.

One verb: every figure function is ``plot_*``. The older ``draw_*`` names (``draw_unrolled``,
``draw_data_cube``, ``draw_layouts``, ``draw_lstm_cell``, ``draw_packing``,
``draw_last_valid``) stay as aliases of the same functions, for existing notebooks.

Submodules by concept (imported lazily; matplotlib is loaded only when a figure is drawn):

- ``unrolled``: ``plot_unrolled`` (layers x time x directions, output and h_n highlighted).
- ``data``: figures of sequence data (the data cube, padding and packing).
- ``cell_diagram``: one LSTM step, gates and weight rows.
- ``packing``: padding and packing pictures.
- ``training``: learning curves, confusion matrices, image grids, forecasts.
- ``gates``: gate heatmaps, saturation and state trajectories of a ``GateTrace``.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "plot_unrolled": "unrolled",
    "unrolled_svg": "unrolled",
    "plot_data_cube": "data",
    "plot_layouts": "data",
    "plot_lstm_cell": "cell_diagram",
    # the older names of the same functions
    "draw_unrolled": "unrolled",
    "draw_data_cube": "data",
    "draw_layouts": "data",
    "draw_lstm_cell": "cell_diagram",
}
_SUBMODULES = ("unrolled", "data", "cell_diagram", "packing", "gates", "training")


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    for sub in _SUBMODULES:  # any public function of a submodule
        try:
            mod = importlib.import_module(f".{sub}", __name__)
        except ModuleNotFoundError:
            continue
        if not name.startswith("_") and hasattr(mod, name):
            return getattr(mod, name)
    raise AttributeError(f"module 'lstm_explain.plotting' has no attribute {name!r}")
