"""Shape tracer for whole models: every submodule call's inputs and outputs in one forward pass.

``trace_shapes(model, *args, **kwargs)`` runs ``model(*args, **kwargs)`` once under
``torch.no_grad()`` with forward pre- and post-hooks on every submodule and returns a
:class:`ShapeTrace`: each call in call order with its qualified name, class, depth in the module
tree, the shapes of **all** its inputs and outputs (tuples, lists, dicts and PackedSequence
opened up, so an LSTM's ``(output, (h_n, c_n))`` shows whole), its parameter count and its
multiply-adds. A module called more than once shows each distinct set of shapes with the numbers of the calls
that saw it (``#1,3`` / ``#2``). Recurrent layers (``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``) also get each tensor's
axis names (``(N, T, D*H_out)``, ``(L*D, N, H_out)``) and the identity checks of
:func:`lstm_explain.shapes.identity_checks`, run on the traced tensors.

Multiply-adds count products with learned weights (biases and activations are not counted):

- recurrent layer: ``steps x sum over layers and directions of G*H*(H_in_l + H_out)``, plus
  ``proj_size*H`` per layer and direction with ``proj_size``; ``steps = T*N`` for a padded batch
  and ``sum(lengths)`` (the packed data's rows) for a PackedSequence, since a packed run skips the
  padding; ``G`` gate blocks (RNN 1, GRU 3, LSTM 4), ``H_in_l`` the layer's input size;
- recurrent cell: ``N * G*H*(H_in + H)`` per call;
- ``nn.Linear``: ``rows * in_features * out_features`` (rows = input elements / in_features);
- ``nn.ConvNd``: ``output elements * C_in/groups * prod(kernel_size)``;
- ``nn.Embedding`` / ``nn.EmbeddingBag``: 0 (a table look-up); a leaf without parameters: 0;
- any other leaf with parameters: unknown (``None``, shown ``?``); containers: their children's.

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size,
``H_out`` = proj_size or hidden_size, ``L`` num_layers, ``D`` directions (1 or 2).
"""

from __future__ import annotations

import html
import inspect
import sys
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from .config import RNNConfig
from .shapes import (
    Check,
    fmt_shape,
    identity_checks,
    layer_input_size,
    predict_shapes,
    quiet_rnn_warnings,
)

Shape = tuple[int, ...]

__all__ = [
    "PackedSpec",
    "ShapeTrace",
    "TensorSpec",
    "TraceError",
    "TracedCall",
    "ValueSpec",
    "spec_of",
    "spec_to_json",
    "trace_shapes",
]


# --- what a value looks like: shapes only, no tensors kept ---------------------------------


@dataclass(frozen=True)
class TensorSpec:
    """A tensor, by shape (and dtype)."""

    shape: Shape
    dtype: str = "float32"

    def __str__(self) -> str:
        return fmt_shape(self.shape)


@dataclass(frozen=True)
class PackedSpec:
    """A ``PackedSequence``: ``data`` ``(sum(lengths), *)``, ``batch_sizes`` per step, sorted?

    ``sorted`` is ``sorted_indices is None``: the batch was packed already sorted by length
    (``enforce_sorted=True``), so no permutation is stored.
    """

    data: Shape
    batch_sizes: tuple[int, ...]
    sorted: bool

    def __str__(self) -> str:
        return (
            f"packed data={fmt_shape(self.data)} batch_sizes={list(self.batch_sizes)} "
            f"sorted={self.sorted}"
        )


@dataclass(frozen=True)
class ValueSpec:
    """A non-tensor leaf: a number, string or bool (value kept) or another object (type only)."""

    type: str
    value: Any = None

    def __str__(self) -> str:
        return repr(self.value) if self.type in _SCALARS else f"<{self.type}>"


@dataclass(frozen=True)
class SeqSpec:
    """A tuple or list of specs."""

    kind: str
    items: tuple[Any, ...]

    def __str__(self) -> str:
        return "[" + ", ".join(fmt_spec(s) for s in self.items) + "]"


@dataclass(frozen=True)
class DictSpec:
    """A dict of specs (keys as strings)."""

    items: tuple[tuple[str, Any], ...]

    def __str__(self) -> str:
        return "{" + ", ".join(f"{k}: {fmt_spec(v)}" for k, v in self.items) + "}"


_SCALARS = ("int", "float", "bool", "str", "complex")


def spec_of(value: Any) -> Any:
    """The shape structure of ``value``: tensors become :class:`TensorSpec`, containers recurse."""
    if value is None:
        return None
    if isinstance(value, PackedSequence):
        return PackedSpec(
            tuple(value.data.shape),
            tuple(int(b) for b in value.batch_sizes.tolist()),
            value.sorted_indices is None,
        )
    if isinstance(value, torch.Tensor):
        return TensorSpec(tuple(value.shape), str(value.dtype).removeprefix("torch."))
    if isinstance(value, dict):
        return DictSpec(tuple((str(k), spec_of(v)) for k, v in value.items()))
    if isinstance(value, (tuple, list)):
        return SeqSpec(type(value).__name__, tuple(spec_of(v) for v in value))
    name = type(value).__name__
    if name in _SCALARS and isinstance(value, (int, float, bool, str, complex)):
        return ValueSpec(name, value if not isinstance(value, complex) else str(value))
    return ValueSpec(name)


def fmt_spec(spec: Any) -> str:
    """One line: ``(8, 7, 40)``, ``[(8, 7, 40), [(2, 8, 20), (2, 8, 20)]]``, ``packed …``."""
    return "None" if spec is None else str(spec)


def spec_to_json(spec: Any) -> Any:
    """JSON form: a tensor is its shape as a list, containers stay nested lists/dicts, a
    PackedSequence is ``{"packed": {"data": [...], "batch_sizes": [...], "sorted": bool}}``, a
    number/string/bool is ``{"value": v}``, any other object ``{"type": name}``."""
    if spec is None:
        return None
    if isinstance(spec, TensorSpec):
        return list(spec.shape)
    if isinstance(spec, PackedSpec):
        return {
            "packed": {
                "data": list(spec.data),
                "batch_sizes": list(spec.batch_sizes),
                "sorted": spec.sorted,
            }
        }
    if isinstance(spec, SeqSpec):
        return [spec_to_json(s) for s in spec.items]
    if isinstance(spec, DictSpec):
        return {k: spec_to_json(v) for k, v in spec.items}
    if spec.type in _SCALARS:
        return {"value": spec.value}
    return {"type": spec.type}


# --- one call ------------------------------------------------------------------------------

#: Distinct shape variants kept per module (a call with yet other shapes is only counted).
MAX_VARIANTS = 32


@dataclass
class CallVariant:
    """The calls of one module that saw the same input and output shapes.

    Attributes:
        calls: 1-based numbers of those calls among the module's calls.
        inputs, outputs: their specs, as in :class:`TracedCall`.
        roles, axes: recurrent layers: the specs by role and their axis names.
    """

    calls: list[int]
    inputs: dict[str, Any]
    outputs: Any
    roles: dict[str, Any] = field(default_factory=dict)
    axes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class TracedCall:
    """One submodule call (or, collapsed, all calls of one submodule).

    Attributes:
        name: qualified name (``"lstm"``, ``"encoder.cells.0"``); ``""`` for the model itself.
        type: the class name (``"LSTM"``).
        depth: depth in the module tree (the model 0, its children 1, …).
        count: how many times the module was called (1 per row with ``expand=True``).
        inputs: ``{argument name: spec}`` of the first call (positional and keyword arguments).
        outputs: spec of the first call's return value (``None`` if the call raised).
        params: parameters of the module and its children.
        mult_adds: multiply-adds of all its calls (see the module docstring), ``None`` if unknown.
        roles: recurrent layers: ``{"input", "h_0", "c_0", "output", "h_n", "c_n": spec}``.
        axes: recurrent layers: ``{role: axis names}``, e.g. ``("L*D", "N", "H_out")``.
        checks: recurrent layers: identity checks on the traced tensors.
        expected: a recurrent call that raised: ``{"input": shape}`` its layer expects.
        varies: a repeated call saw different shapes than the first one.
        variants: (one row per module) each distinct set of shapes with the calls that saw it,
            in order of first appearance; ``varies`` is ``len(variants) > 1``.
        unlisted: calls with shapes beyond the first :data:`MAX_VARIANTS` variants.
        raised: this call raised (the error's origin is the innermost such call).
        call: 1-based index of this call among the module's calls (``expand=True``), else 0.
        level: call-nesting depth (for drawing the tree).
    """

    name: str
    type: str
    depth: int
    count: int = 1
    inputs: dict[str, Any] = field(default_factory=dict)
    outputs: Any = None
    params: int = 0
    mult_adds: int | None = None
    roles: dict[str, Any] = field(default_factory=dict)
    axes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    varies: bool = False
    raised: bool = False
    expected: dict[str, Shape] = field(default_factory=dict)
    call: int = 0
    level: int = 0
    variants: list[CallVariant] = field(default_factory=list, repr=False)
    unlisted: int = 0
    module: Any = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The name as shown: ``"(model)"`` for the root, ``"cell #3"`` for an expanded call."""
        base = self.name or "(model)"
        return f"{base} #{self.call}" if self.call else base

    def shape(self, role: str) -> Shape | PackedSpec | None:
        """A recurrent layer's tensor by role (``"h_n"``): its shape, or the PackedSpec."""
        spec = self.roles.get(role)
        if isinstance(spec, TensorSpec):
            return spec.shape
        return spec

    @property
    def ok(self) -> bool:
        return not self.raised and all(k.holds for k in self.checks)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "depth": self.depth,
            "count": self.count,
            "inputs": {k: spec_to_json(v) for k, v in self.inputs.items()},
            "outputs": spec_to_json(self.outputs),
            "params": self.params,
            "mult_adds": self.mult_adds,
        }
        if self.call:
            d["call"] = self.call
        if self.axes:
            d["axes"] = {k: list(v) for k, v in self.axes.items()}
            d["roles"] = {k: spec_to_json(v) for k, v in self.roles.items()}
        if self.checks:
            d["checks"] = [k.to_dict() for k in self.checks]
        if self.varies:
            d["varies"] = True
        if self.raised:
            d["raised"] = True
        if self.expected:
            d["expected"] = {k: list(v) for k, v in self.expected.items()}
        return d


@dataclass(frozen=True)
class TraceError:
    """Where the forward pass failed: the innermost open call and the exception."""

    where: str
    type: str
    message: str
    after: str | None = None

    def __str__(self) -> str:
        where = f"`{self.where}`" if self.where else "the model's own forward()"
        after = f", after `{self.after}` returned" if self.after else ""
        return f"{self.type} raised in {where}{after}: {self.message}"


# --- the trace -----------------------------------------------------------------------------


@dataclass
class ShapeTrace:
    """Every submodule call of one forward pass, in call order, with shapes and counts.

    ``str(trace)`` is a text tree table, ``trace._repr_html_()`` an HTML table, ``to_dict()``
    JSON. ``trace["lstm"]`` is the :class:`TracedCall` of the submodule ``lstm`` (``trace[""]``
    the model). ``error`` is set (and ``exception`` holds the original exception) when the
    forward pass raised; ``result`` is the model's return value otherwise.
    """

    model_type: str
    calls: list[TracedCall]
    total_params: int
    error: TraceError | None = None
    exception: BaseException | None = field(default=None, repr=False)
    result: Any = field(default=None, repr=False)
    expanded: bool = False

    @property
    def total_mult_adds(self) -> int:
        """Multiply-adds of every leaf call whose count is known."""
        return sum(c.mult_adds or 0 for c in self.calls if _is_leaf(c))

    @property
    def uncounted(self) -> list[str]:
        """Leaf calls whose multiply-adds are unknown (not in ``total_mult_adds``)."""
        return [c.label for c in self.calls if _is_leaf(c) and c.mult_adds is None and not c.raised]

    @property
    def ok(self) -> bool:
        """No error and every identity check holds."""
        return self.error is None and all(c.ok for c in self.calls)

    @property
    def checks(self) -> list[tuple[str, Check]]:
        """Every identity check with the name of its call."""
        return [(c.label, k) for c in self.calls for k in c.checks]

    def __getitem__(self, name: str) -> TracedCall:
        for c in self.calls:
            if c.name == name:
                return c
        known = [c.name for c in self.calls]
        raise KeyError(f"no call named {name!r} in this trace (calls: {known})")

    def __contains__(self, name: object) -> bool:
        return any(c.name == name for c in self.calls)

    def to_dict(self) -> dict[str, Any]:
        """``{"calls": [...], "total_params": …, "total_mult_adds": …, "error": …}``."""
        return {
            "calls": [c.to_dict() for c in self.calls],
            "total_params": self.total_params,
            "total_mult_adds": self.total_mult_adds,
            "error": None if self.error is None else str(self.error),
        }

    def __str__(self) -> str:
        return trace_text(self)

    def __repr__(self) -> str:
        state = f"error: {self.error.type}" if self.error else f"ok={self.ok}"
        return (
            f"<ShapeTrace {self.model_type}: {len(self.calls)} calls, "
            f"{self.total_params:,} params, {state}>"
        )

    def _repr_html_(self) -> str:
        return trace_html(self)


def _is_leaf(call: TracedCall) -> bool:
    return call.module is None or not any(True for _ in call.module.children())


# --- recurrent layers: roles, axes, checks, mult-adds --------------------------------------

_RECURRENT = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
_CELLS = {"RNNCell": 1, "GRUCell": 3, "LSTMCell": 4}
_SHORT = {"seq_len": "T", "batch": "N", "num_layers*D": "L*D"}
_LAST = {
    "input": "H_in",
    "h_0": "H_out",
    "h_n": "H_out",
    "c_0": "H",
    "c_n": "H",
    "output": "D*H_out",
}


def _is_recurrent(module: Any) -> bool:
    return isinstance(module, nn.RNNBase) and module.mode in _RECURRENT


def recurrent_mult_adds(config: RNNConfig, steps: int) -> int:
    """``steps * sum_l D * (G*H*(H_in_l + H_out) [+ proj_size*H])``: ``steps`` = T*N or
    sum(lengths)."""
    c = config
    per_step = 0
    for layer in range(c.num_layers):
        one = c.gate_blocks * c.hidden_size * (layer_input_size(c, layer) + c.h_out)
        if c.proj_size:
            one += c.proj_size * c.hidden_size
        per_step += c.num_directions * one
    return steps * per_step


def _axes(config: RNNConfig, roles: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    predicted = predict_shapes(config)
    axes: dict[str, tuple[str, ...]] = {}
    for role, spec in roles.items():
        if role not in predicted or not isinstance(spec, (TensorSpec, PackedSpec)):
            continue
        last = _LAST[role]
        if isinstance(spec, PackedSpec):
            axes[role] = ("sum(lengths)", last)
        else:
            dims = predicted[role][1]
            axes[role] = (*(_SHORT.get(d, d) for d in dims[:-1]), last)
    return axes


def _recurrent_roles(module: Any, bound: dict[str, Any], output: Any) -> dict[str, Any]:
    """A recurrent call's specs by role: input, h_0 (c_0) and, if it returned, output, h_n (c_n)."""
    hx = bound.get("hx")
    lstm = module.mode == "LSTM"
    roles: dict[str, Any] = {"input": spec_of(bound.get("input"))}
    if hx is not None:
        if lstm:
            roles["h_0"], roles["c_0"] = spec_of(hx[0]), spec_of(hx[1])
        else:
            roles["h_0"] = spec_of(hx)
    if output is not None:
        out, state = output
        roles["output"] = spec_of(out)
        roles["h_n"] = spec_of(state[0] if lstm else state)
        if lstm:
            roles["c_n"] = spec_of(state[1])
    return roles


def _recurrent_config(module: Any, x: Any) -> tuple[RNNConfig, int]:
    """The layer's RNNConfig for input ``x`` and its step count (``T*N`` or ``sum(lengths)``)."""
    if isinstance(x, PackedSequence):
        _, lengths = pad_packed_sequence(x, batch_first=module.batch_first)
        seq_len, batch = len(x.batch_sizes), len(lengths)
        lengths_list: list[int] | None = [int(n) for n in lengths]
        steps = int(x.data.shape[0])
    else:
        batched = x.dim() == 3
        seq_len = x.shape[1] if batched and module.batch_first else x.shape[0]
        batch = (x.shape[0] if module.batch_first else x.shape[1]) if batched else None
        lengths_list = None
        steps = seq_len * (batch or 1)
    config = RNNConfig.from_module(module, seq_len=seq_len, batch=batch, lengths=lengths_list)
    return config, steps


def _recurrent(
    module: Any, bound: dict[str, Any], output: Any, call: TracedCall
) -> tuple[dict[str, Any], RNNConfig | None, int]:
    """Roles, axes and identity checks of a recurrent call; returns (roles, config, steps)."""
    x = bound.get("input")
    lstm = module.mode == "LSTM"
    roles = _recurrent_roles(module, bound, None)
    config, steps = _recurrent_config(module, x)
    seq_len = config.seq_len
    if output is None:
        return roles, config, steps
    out, state = output
    h_n, c_n = (state[0], state[1]) if lstm else (state, None)
    roles = _recurrent_roles(module, bound, output)
    padded_out = out
    if isinstance(out, PackedSequence):
        padded_out, _ = pad_packed_sequence(
            out, batch_first=module.batch_first, total_length=seq_len
        )
    with torch.no_grad():
        checks = identity_checks(config, padded_out, h_n, c_n)
    predicted = predict_shapes(config)
    observed = {role: s.shape for role, s in roles.items() if isinstance(s, TensorSpec)}
    observed["output"] = tuple(padded_out.shape)
    if isinstance(x, PackedSequence):
        padded, _ = pad_packed_sequence(x, batch_first=module.batch_first)
        observed["input"] = tuple(padded.shape)
    wrong = [
        f"{role} {fmt_shape(shape)} != {fmt_shape(predicted[role][0])}"
        for role, shape in observed.items()
        if role in predicted and tuple(shape) != tuple(predicted[role][0])
    ]
    names = ", ".join(r for r in predicted if r in observed)
    checks.insert(
        0,
        Check(
            f"traced shapes match PyTorch's documented formulas ({names})",
            not wrong,
            "; ".join(wrong) if wrong else "predict_shapes(RNNConfig.from_module(...)) agrees",
            "traced shapes",
            "predict_shapes(config)",
        ),
    )
    call.checks = checks
    return roles, config, steps


def _leaf_mult_adds(module: Any, args: tuple[Any, ...], output: Any) -> int | None:
    """Multiply-adds of one call of a non-recurrent leaf module (see the module docstring)."""
    x = args[0] if args and isinstance(args[0], torch.Tensor) else None
    if isinstance(module, nn.Linear) and x is not None:
        return x.numel() * module.out_features
    if type(module).__name__ in _CELLS and x is not None:
        n = x.shape[0] if x.dim() == 2 else 1
        g = _CELLS[type(module).__name__]
        return n * g * module.hidden_size * (module.input_size + module.hidden_size)
    if isinstance(module, (nn.Embedding, nn.EmbeddingBag)):
        return 0
    if isinstance(module, nn.modules.conv._ConvNd) and not module.transposed:
        if isinstance(output, torch.Tensor):
            return output.numel() * module.weight[0].numel()
        return None
    if not any(True for _ in module.parameters(recurse=False)):
        return 0
    return None


# --- the tracer ----------------------------------------------------------------------------


_SIGNATURES: dict[type, inspect.Signature | None] = {}


def _bind(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``{argument name: value}`` of a forward call; ``args[i]`` names when binding fails."""
    cls = type(module)
    if cls not in _SIGNATURES:
        try:
            _SIGNATURES[cls] = inspect.signature(module.forward)
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            _SIGNATURES[cls] = None
    sig = _SIGNATURES[cls]
    if sig is not None:
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError:
            pass
        else:
            out: dict[str, Any] = {}
            for name, value in bound.arguments.items():
                kind = sig.parameters[name].kind
                if kind is inspect.Parameter.VAR_POSITIONAL:
                    out.update({f"{name}[{i}]": v for i, v in enumerate(value)})
                elif kind is inspect.Parameter.VAR_KEYWORD:
                    out.update(value)
                else:
                    out[name] = value
            return out
    return {**{f"args[{i}]": a for i, a in enumerate(args)}, **kwargs}


class _Recorder:
    """Hook callbacks that fill the call records; one per trace."""

    def __init__(self, names: dict[int, str], expand: bool) -> None:
        self.names = names
        self.expand = expand
        self.calls: list[TracedCall] = []
        self.by_module: dict[int, TracedCall] = {}
        # (call, exception seen at entry, first call?, call number, input specs)
        self.stack: list[tuple[TracedCall, Any, bool, int, dict[str, Any]]] = []
        self.counts: dict[int, int] = {}
        self.last_done: TracedCall | None = None
        self.origin: dict[int, TracedCall] = {}  # id(exception) -> innermost call raising it

    def pre(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        key = id(module)
        self.counts[key] = self.counts.get(key, 0) + 1
        bound = _bind(module, args, kwargs)
        inputs = {k: spec_of(v) for k, v in bound.items()}
        existing = None if self.expand else self.by_module.get(key)
        if existing is not None:
            existing.count += 1
            if inputs != existing.inputs:
                existing.varies = True
            self.stack.append((existing, sys.exc_info()[1], False, self.counts[key], inputs))
            return
        name = self.names.get(key, f"<unnamed {type(module).__name__}>")
        call = TracedCall(
            name=name,
            type=type(module).__name__,
            depth=0 if name == "" else name.count(".") + 1,
            inputs=inputs,
            params=sum(p.numel() for p in module.parameters()),
            call=self.counts[key] if self.expand else 0,
            level=len(self.stack),
            module=module,
        )
        self.calls.append(call)
        self.by_module[key] = call
        self.stack.append((call, sys.exc_info()[1], True, self.counts[key], inputs))

    def post(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], output: Any) -> None:
        if not self.stack:  # pragma: no cover - hooks added mid-call
            return
        call, exc_at_entry, first, number, inputs = self.stack.pop()
        active = sys.exc_info()[1]
        raised = output is None and active is not None and active is not exc_at_entry
        if raised:
            call.raised = True
            self.origin.setdefault(id(active), call)
            if first and _is_recurrent(module):
                self._explain_failure(module, args, kwargs, call)
            return
        self.last_done = call
        spec = spec_of(output)
        if not first:
            if spec != call.outputs:
                call.varies = True
        else:
            call.outputs = spec
        try:
            macs = self._mult_adds(module, args, kwargs, output, call, first)
        except Exception as exc:  # the trace must never break the model's forward
            call.checks.append(Check(f"could not analyse this call: {exc}", False, repr(exc)))
            macs = None
        if macs is not None:
            call.mult_adds = (call.mult_adds or 0) + macs if not first else macs
        if not self.expand:
            self._add_variant(call, number, inputs, spec, module, args, kwargs, output, first)

    @staticmethod
    def _add_variant(
        call: TracedCall,
        number: int,
        inputs: dict[str, Any],
        outputs: Any,
        module: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        output: Any,
        first: bool,
    ) -> None:
        """File call ``number`` under the variant with its shapes (a new one if none matches)."""
        for v in call.variants:
            if v.outputs == outputs and v.inputs == inputs:
                v.calls.append(number)
                return
        if len(call.variants) >= MAX_VARIANTS:
            call.unlisted += 1
            return
        roles, axes = (call.roles, call.axes) if first else ({}, {})
        if not first and _is_recurrent(module):
            try:
                bound = _bind(module, args, kwargs)
                roles = _recurrent_roles(module, bound, output)
                axes = _axes(_recurrent_config(module, bound.get("input"))[0], roles)
            except Exception:  # shown without roles, as any other module
                roles, axes = {}, {}
        call.variants.append(CallVariant([number], inputs, outputs, dict(roles), dict(axes)))

    @staticmethod
    def _explain_failure(
        module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], call: TracedCall
    ) -> None:
        """A recurrent call that raised: name its input's axes and the input shape it expects."""
        try:
            roles, config, _ = _recurrent(module, _bind(module, args, kwargs), None, call)
        except Exception:  # the input is too malformed to read T and N from
            return
        call.roles = roles
        if config is not None:
            call.axes = _axes(config, roles)
            expected = predict_shapes(config)["input"][0]
            x = roles.get("input")
            if isinstance(x, TensorSpec) and tuple(x.shape) != tuple(expected):
                call.expected = {"input": tuple(expected)}

    def _mult_adds(
        self,
        module: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        output: Any,
        call: TracedCall,
        first: bool,
    ) -> int | None:
        if _is_recurrent(module):
            bound = _bind(module, args, kwargs)
            if first:
                roles, config, steps = _recurrent(module, bound, output, call)
                call.roles = roles
                if config is not None:
                    call.axes = _axes(config, roles)
            else:
                _, config, steps = _recurrent(module, bound, None, TracedCall("", "", 0))
            return recurrent_mult_adds(config, steps) if config is not None else None
        if any(True for _ in module.children()):
            return None
        return _leaf_mult_adds(module, args, output)


def trace_shapes(model: nn.Module, *args: Any, expand: bool = False, **kwargs: Any) -> ShapeTrace:
    """Run ``model(*args, **kwargs)`` once and record every submodule call's shapes.

    The pass runs under ``torch.no_grad()`` with every module in eval mode (so dropout is off and
    batch-norm statistics are not updated); each module's training flag is restored afterwards,
    parameters are untouched, and every hook is removed in ``finally``, even on error.

    Args:
        model: any ``nn.Module``.
        *args, **kwargs: what ``model`` is called with.
        expand: one row per call instead of one row per module with its call count (a cell
            called in a loop over ``T`` steps then appears ``T`` times).

    Returns:
        A :class:`ShapeTrace`. If the forward pass raises, ``trace_shapes`` does **not** raise: it
        returns the partial trace, with the calls up to and including the failing one (marked
        ``raised``), ``trace.error`` saying where and what, and ``trace.exception`` holding the
        original exception (re-raise it with ``raise trace.exception``).

    Raises:
        ValueError: ``model`` is not an ``nn.Module``.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module (got model={type(model).__name__})")
    names = {id(m): name for name, m in model.named_modules()}
    recorder = _Recorder(names, expand)
    modes = [(m, m.training) for m in model.modules()]
    handles = []
    result = None
    exception: BaseException | None = None
    try:
        for m in model.modules():
            handles.append(m.register_forward_pre_hook(recorder.pre, with_kwargs=True))
            handles.append(
                m.register_forward_hook(recorder.post, with_kwargs=True, always_call=True)
            )
        model.eval()
        with torch.no_grad(), quiet_rnn_warnings():
            result = model(*args, **kwargs)
    except Exception as exc:
        exception = exc
    finally:
        for h in handles:
            h.remove()
        for m, training in modes:
            m.training = training
    if expand:  # number the calls only of modules called more than once
        for call in recorder.calls:
            if recorder.counts.get(id(call.module), 1) == 1:
                call.call = 0
    error = None
    if exception is not None:
        origin = recorder.origin.get(id(exception))
        where = origin.name if origin is not None else ""
        after = None
        done = recorder.last_done
        if origin is not None and done is not None and done is not origin:
            idx = {id(c): i for i, c in enumerate(recorder.calls)}
            if idx.get(id(done), -1) > idx.get(id(origin), -1):
                after = done.name
        message = str(exception).strip().splitlines()[0] if str(exception).strip() else ""
        error = TraceError(where, type(exception).__name__, message, after)
    return ShapeTrace(
        model_type=type(model).__name__,
        calls=recorder.calls,
        total_params=sum(p.numel() for p in model.parameters()),
        error=error,
        exception=exception,
        result=result,
        expanded=expand,
    )


# --- views ---------------------------------------------------------------------------------


#: Widest a shape line gets before a ``batch_sizes`` list wraps (keeps the table narrow).
LINE_WIDTH = 30
#: Distinct shape variants listed per row; the rest are summed up in one line.
SHOWN_VARIANTS = 6


def _wrap_list(head: str, values: list[int], width: int = LINE_WIDTH) -> list[str]:
    """``head [4, 3, 3, 2,`` / ``   2, 1]``: a list wrapped under ``width`` characters."""
    lines, line = [], head + " ["
    indent = " " * (len(head) + 2)
    for i, v in enumerate(values):
        item = f"{v}" + ("]" if i == len(values) - 1 else ",")
        if len(line) + len(item) > width and line.strip() not in ("", head.strip() + " ["):
            lines.append(line.rstrip())
            line = indent
        line += item + " "
    lines.append(line.rstrip() if values else head + " []")
    return lines


def _role_lines(
    roles: dict[str, Any],
    axes: dict[str, tuple[str, ...]],
    names: tuple[str, ...],
    expected: dict[str, Shape] | None = None,
) -> list[str]:
    lines = []
    for role in names:
        if role not in roles:
            continue
        spec = roles[role]
        dims = axes.get(role)
        text = fmt_spec(spec)
        if isinstance(spec, PackedSpec):
            lines.append(f"{role} packed data {fmt_shape(spec.data)}")
            if dims:
                lines.append(f"  = ({', '.join(dims)})")
            lines += _wrap_list("  batch_sizes", list(spec.batch_sizes))
            lines.append(f"  sorted={spec.sorted}")
            continue
        if dims:
            text = f"{text} = ({', '.join(dims)})"
        lines.append(f"{role} {text}")
    if expected and "input" in expected:
        lines.append(f"  expected {fmt_shape(expected['input'])}")
    return lines


def _spec_lines(
    inputs: dict[str, Any],
    outputs: Any,
    roles: dict[str, Any],
    axes: dict[str, tuple[str, ...]],
    expected: dict[str, Shape] | None = None,
) -> tuple[list[str], list[str]]:
    """Input and output lines of one set of shapes (by role for a recurrent layer)."""
    if roles:
        return (
            _role_lines(roles, axes, ("input", "h_0", "c_0"), expected),
            _role_lines(roles, axes, ("output", "h_n", "c_n")),
        )
    return [f"{k}={fmt_spec(v)}" for k, v in inputs.items()] or ["-"], [fmt_spec(outputs)]


def _call_numbers(numbers: list[int], limit: int = 14) -> str:
    """``[1, 2, 3, 5]`` -> ``"#1-3,5"`` (runs joined; cut with ``…`` past ``limit`` characters)."""
    runs: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    text = "#" + ",".join(runs)
    return text if len(text) <= limit else text[: limit - 1].rsplit(",", 1)[0] + ",…"


def _cell_lines(call: TracedCall) -> tuple[list[str], list[str]]:
    """Input and output column lines of a call; a row whose calls saw different shapes lists each
    distinct set of shapes, prefixed with the numbers of the calls that saw it (``#2-5``)."""
    if call.raised:
        ins, _ = _spec_lines(call.inputs, None, call.roles, call.axes, call.expected)
        return ins, ["✗ raised"]
    variants = call.variants
    if not call.varies or len(variants) < 2:
        return _spec_lines(call.inputs, call.outputs, call.roles, call.axes, call.expected)
    ins: list[str] = []
    outs: list[str] = []
    labels = [_call_numbers(v.calls) for v in variants[:SHOWN_VARIANTS]]
    pad = max(len(label) for label in labels) + 1
    for v, label in zip(variants, labels, strict=False):
        v_in, v_out = _spec_lines(v.inputs, v.outputs, v.roles, v.axes)
        height = max(len(v_in), len(v_out))
        for column, lines in ((ins, v_in), (outs, v_out)):
            lines = lines + [""] * (height - len(lines))
            column += [
                (label if k == 0 else "").ljust(pad) + line if line else ""
                for k, line in enumerate(lines)
            ]
    rest = sum(len(v.calls) for v in variants[SHOWN_VARIANTS:]) + call.unlisted
    if rest:
        kinds = len(variants) - SHOWN_VARIANTS
        more = f"{kinds}+ more shapes" if call.unlisted else f"{kinds} more shapes"
        ins.append(f"… {rest} calls: {more}")
        outs.append("")
    return ins, outs


def _tree_prefixes(calls: list[TracedCall]) -> list[str]:
    """``├─ `` / ``└─ `` / ``│  `` prefixes from the call-nesting levels."""
    levels = [c.level for c in calls]

    def has_next_sibling(i: int) -> bool:
        for j in range(i + 1, len(levels)):
            if levels[j] < levels[i]:
                return False
            if levels[j] == levels[i]:
                return True
        return False

    prefixes = []
    open_bars: dict[int, bool] = {}
    for i, lvl in enumerate(levels):
        if lvl == 0:
            prefixes.append("")
            continue
        nxt = has_next_sibling(i)
        bars = "".join("│  " if open_bars.get(k) else "   " for k in range(1, lvl))
        prefixes.append(bars + ("├─ " if nxt else "└─ "))
        open_bars[lvl] = nxt
    return prefixes


def _fmt_macs(call: TracedCall) -> str:
    if call.raised and call.mult_adds is None:
        return "-"
    if call.mult_adds is None:
        return "?" if _is_leaf(call) else ""
    return f"{call.mult_adds:,}"


def trace_text(trace: ShapeTrace) -> str:
    """The trace as a text tree table, then checks, totals and the error if any."""
    header = ("module", "type", "calls", "inputs", "outputs", "params", "mult-adds")
    prefixes = _tree_prefixes(trace.calls)
    rows: list[list[list[str]]] = []
    for call, prefix in zip(trace.calls, prefixes, strict=True):
        ins, outs = _cell_lines(call)
        rows.append(
            [
                [prefix + call.label],
                [call.type],
                [str(call.count)],
                ins,
                outs,
                [f"{call.params:,}" if call.params else "-"],
                [_fmt_macs(call)],
            ]
        )
    widths = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(len(s) for s in cell))
    right = {2, 5, 6}

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    out = [f"trace_shapes({trace.model_type})", line(list(header))]
    out.append("-" * len(out[-1]))
    for row, prefix in zip(rows, prefixes, strict=True):
        height = max(len(cell) for cell in row)
        cont = prefix.replace("├─ ", "│  ").replace("└─ ", "   ")
        for k in range(height):
            cells = [cell[k] if k < len(cell) else "" for cell in row]
            if k > 0 and not cells[0]:
                cells[0] = cont
            out.append(line(cells))
    checks = trace.checks
    if checks:
        out += ["", "checks on the traced tensors:"]
        out += [f"  {'✓' if k.holds else '✗'} {label}: {k.name}" for label, k in checks]
    total = f"total params: {trace.total_params:,}   total mult-adds: {trace.total_mult_adds:,}"
    if trace.uncounted:
        total += f" (not counted: {', '.join(trace.uncounted)})"
    out += ["", total]
    if trace.error is not None:
        out += ["", f"✗ the forward pass failed: {trace.error}"]
    return "\n".join(out)


def trace_html(trace: ShapeTrace) -> str:
    """The trace as an HTML table (indentation shows the call tree), checks and totals."""
    e = html.escape
    css = (
        "<style>.lx-table{border-collapse:collapse;margin:4px 0}"
        ".lx-table td,.lx-table th{border:1px solid #ccc;padding:2px 8px;text-align:left;"
        "font-family:monospace;vertical-align:top}.lx-trace-calls td{white-space:pre}"
        ".lx-ok{color:#1a7f37}.lx-bad{color:#cf222e}"
        "</style>"
    )
    parts = [css, f"<div class='lx-trace'><p><code>trace_shapes({e(trace.model_type)})</code></p>"]
    parts.append(
        "<table class='lx-table lx-trace-calls'><tr><th>module</th><th>type</th><th>calls</th>"
        "<th>inputs</th><th>outputs</th><th>params</th><th>mult-adds</th></tr>"
    )
    for call in trace.calls:
        ins, outs = _cell_lines(call)
        cls = " class='lx-bad'" if call.raised else ""
        pad = 1.2 * call.level
        parts.append(
            f"<tr{cls}><td style='padding-left:{pad:.1f}em'>{e(call.label)}</td>"
            f"<td>{e(call.type)}</td><td>{call.count}</td>"
            f"<td>{'<br>'.join(e(s) for s in ins)}</td><td>{'<br>'.join(e(s) for s in outs)}</td>"
            f"<td>{call.params:,}</td><td>{e(_fmt_macs(call))}</td></tr>"
        )
    parts.append("</table>")
    if trace.checks:
        parts.append(
            "<table class='lx-table lx-checks'><tr><th></th><th>call</th><th>check</th></tr>"
        )
        for label, k in trace.checks:
            mark = "<span class='lx-ok'>✓</span>" if k.holds else "<span class='lx-bad'>✗</span>"
            parts.append(f"<tr><td>{mark}</td><td>{e(label)}</td><td>{e(k.name)}</td></tr>")
        parts.append("</table>")
    parts.append(
        f"<p>total params: {trace.total_params:,} &nbsp; total mult-adds: "
        f"{trace.total_mult_adds:,}</p>"
    )
    if trace.error is not None:
        parts.append(f"<p class='lx-bad'>✗ the forward pass failed: {e(str(trace.error))}</p>")
    parts.append("</div>")
    return "".join(parts)


# --- what torchinfo would show ---------------------------------------------------------------


def torchinfo_columns(trace: ShapeTrace) -> list[dict[str, Any]]:
    """What torchinfo's ``summary`` puts in its Output Shape and Mult-Adds columns, per leaf call.

    Computed from the trace by the rules of torchinfo's ``layer_info.py`` (``calculate_size`` and
    ``calculate_macs``, as read in the TylerYep/torchinfo repository; torchinfo itself is not
    needed or run): a tuple output shows only its first element's shape (for an LSTM, ``output``
    and never ``h_n``/``c_n``; for a PackedSequence, its ``data``); mult-adds are
    ``output_size[0] * params`` for a layer's ``weight``/``bias`` and
    ``prod(output_size[:2]) * params`` for a recurrent layer's ``weight_*``/``bias_*``.

    Returns:
        ``[{"name", "type", "output_size", "mult_adds"}]`` for each leaf call that returned.
    """
    rows = []
    for call in trace.calls:
        if not _is_leaf(call) or call.raised or call.module is None:
            continue
        size = _torchinfo_size(call.outputs)
        macs = 0
        for pname, p in call.module.named_parameters():
            n = p.numel()
            if pname in ("weight", "bias"):
                if "Conv" in call.type:
                    macs += n * _prod(size[:1] + size[2:])
                else:
                    macs += (size[0] if size else 0) * n
            elif "weight" in pname or "bias" in pname:
                macs += _prod(size[:2]) * n
        rows.append({"name": call.name, "type": call.type, "output_size": size, "mult_adds": macs})
    return rows


def _prod(values: list[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def _torchinfo_size(spec: Any) -> list[int]:
    """torchinfo's ``calculate_size`` on an output: the first element of a tuple, packed data."""
    if isinstance(spec, TensorSpec):
        return list(spec.shape)
    if isinstance(spec, PackedSpec):  # a PackedSequence is a tuple whose first field is data
        return list(spec.data)
    if isinstance(spec, SeqSpec) and spec.items:
        first = spec.items[0]
        if isinstance(first, TensorSpec):
            return list(first.shape)
        if isinstance(first, PackedSpec):
            return list(first.data)
        return _torchinfo_size(first)
    return []
