"""Shape tracer for whole models: every submodule call's inputs and outputs in one forward pass.

``trace_shapes(model, *args, **kwargs)`` runs ``model(*args, **kwargs)`` once under
``torch.no_grad()`` with forward pre- and post-hooks on every submodule and returns a
:class:`ShapeTrace`: each call in call order with its qualified name, class, depth in the module
tree, the shapes of **all** its inputs and outputs (tuples, lists, dicts and PackedSequence
opened up, so an LSTM's ``(output, (h_n, c_n))`` shows whole), its parameter count and its
multiply-adds. A module called more than once shows each distinct set of shapes with the numbers
of the calls that saw it (``#1,3`` / ``#2``). Recurrent layers (``nn.RNN`` / ``nn.LSTM`` /
``nn.GRU``) also get each tensor's axis names (``(N, T, D*H_out)``, ``(L*D, N, H_out)``) and the
identity checks of :func:`lstm_explain.shapes.identity_checks`, run on the traced tensors.

Modules:

- :mod:`~lstm_explain.tracing.records`: the value specs (``TensorSpec``, ``PackedSpec``, …), one
  call (``TracedCall``, ``CallVariant``), ``TraceError`` and the trace (``ShapeTrace``);
- :mod:`~lstm_explain.tracing.hooks`: the hooks that record a forward pass, ``trace_shapes``;
- :mod:`~lstm_explain.tracing.recurrent`: recurrent layers' roles, axes and checks, and the
  multiply-add rules;
- :mod:`~lstm_explain.tracing.render`: ``trace_text`` and ``trace_html``.

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size,
``H_out`` = proj_size or hidden_size, ``L`` num_layers, ``D`` directions (1 or 2).
"""

from __future__ import annotations

from .hooks import trace_shapes
from .records import (
    MAX_VARIANTS,
    CallVariant,
    DictSpec,
    PackedSpec,
    SeqSpec,
    ShapeTrace,
    TensorSpec,
    TracedCall,
    TraceError,
    ValueSpec,
    fmt_spec,
    spec_of,
    spec_to_json,
)
from .recurrent import recurrent_mult_adds
from .render import LINE_WIDTH, SHOWN_VARIANTS, trace_html, trace_text

__all__ = [
    "LINE_WIDTH",
    "MAX_VARIANTS",
    "SHOWN_VARIANTS",
    "CallVariant",
    "DictSpec",
    "PackedSpec",
    "SeqSpec",
    "ShapeTrace",
    "TensorSpec",
    "TraceError",
    "TracedCall",
    "ValueSpec",
    "fmt_spec",
    "recurrent_mult_adds",
    "spec_of",
    "spec_to_json",
    "trace_html",
    "trace_shapes",
    "trace_text",
]
