"""lstm-explain: the interactive, tested way to understand PyTorch's recurrent layers.

Public API (imported lazily, so ``import lstm_explain`` stays fast):

- ``RNNConfig``: the knobs of ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` and their input, validated.
- ``shape_report(config)``: predicted vs observed shapes, parameters, identity checks.
- ``plot_unrolled(config_or_report)``: the unrolled network (layers x time x directions);
  ``draw_unrolled`` is its older name.
- ``ShapeExplorer``, ``GateExplorer``: ipywidgets explorers.
- ``trace_gates(module, x, hx)``: the exact gate activations of a real module.
- ``trace_shapes(model, *args)``: every submodule's input and output shapes in one forward pass.
- ``diagnose(module, x, hx)``, ``explain_errors()``: plain-language shape errors and traps.
- ``notebook_exercises("05")``: a notebook's checked exercises, ``q[1].check(answer)``.
- ``check("out[-1] == h_n[-1]", out[-1], h_n[-1])``: a visible check, ``✓ claim`` or a loud failure.
- ``set_language("zh_CN")``, ``use_language(...)``: the language of the package's text
  (also ``LSTM_EXPLAIN_LANG``; never ``LANG``/``LC_*``).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "RNNConfig": "config",
    "shape_report": "shapes",
    "ShapeReport": "shapes",
    "TensorShape": "shapes",
    "Check": "identities",
    "identity_checks": "identities",
    "predict_shapes": "shapes",
    "predict_parameters": "shapes",
    "plot_unrolled": "plotting",
    "draw_unrolled": "plotting",
    "unrolled_svg": "plotting",
    "last_valid_output": "sequences",
    "rnn_loop": "recurrence",
    "rnn_states": "recurrence",
    "rnn_step": "recurrence",
    "first_layers": "recurrence",
    "input_sensitivity": "memory",
    "loop_difference": "cells",
    "final_hidden": "sequences",
    "ShapeExplorer": "widgets",
    "GateExplorer": "widgets",
    "trace_gates": "gates",
    "GateTrace": "gate_trace",
    "trace_shapes": "tracing",
    "ShapeTrace": "tracing",
    "diagnose": "diagnosis",
    "Diagnosis": "diagnosis",
    "explain_errors": "diagnosis",
    "check_summary": "diagnosis",
    "diagnose_pack": "diagnosis",
    "Problem": "diagnosis",
    "cells_from_module": "cells",
    "run_cells": "cells",
    "RowClassifier": "models",
    "RegLSTM": "models",
    "TextClassifier": "models",
    "fit": "training",
    "quick_mode": "training",
    "gate_saturation": "gates",
    "notebook_exercises": "exercises",
    "check": "checks",
    "check_all": "checks",
    "CheckFailed": "checks",
    "set_language": "i18n",
    "use_language": "i18n",
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):  # a submodule, e.g. lstm_explain.reference
        try:
            return importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module 'lstm_explain' has no attribute {name!r}")


def __dir__() -> list[str]:
    import pkgutil

    return sorted([*__all__, *(m.name for m in pkgutil.iter_modules(__path__))])
