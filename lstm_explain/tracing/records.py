"""What a trace records: value specs (shapes only, no tensors kept), calls, errors, the trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch.nn.utils.rnn import PackedSequence

from ..render import Shape, fmt_shape
from ..shapes import Check

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
        mult_adds: multiply-adds of all its calls (the rules are in :mod:`lstm_explain.tracing.recurrent`), ``None`` if unknown.
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

    def describe(self) -> str:
        """The same sentence in the learner's language (``str()`` stays English for ``to_dict``)."""
        from ..i18n import _

        where = f"`{self.where}`" if self.where else _("the model's own forward()")
        after = _(", after `{after}` returned").format(after=self.after) if self.after else ""
        return _("{type} raised in {where}{after}: {message}").format(
            type=self.type, where=where, after=after, message=self.message
        )


# --- the trace -----------------------------------------------------------------------------


@dataclass
class ShapeTrace:
    """Every submodule call of one forward pass, in call order, with shapes and counts.

    The result protocol of :mod:`lstm_explain.render`: ``ok``, ``to_dict()`` (JSON),
    ``str(trace)`` (a text tree table), ``_repr_html_()`` (an HTML table), a one-line
    ``repr()``, and ``trace.find("lstm")``: the :class:`TracedCall` of the submodule ``lstm``
    (``trace.find("")`` the model; ``trace["lstm"]`` is the older spelling). ``error`` is set (and ``exception`` holds the original exception) when the
    forward pass raised; ``result`` is the model's return value otherwise.
    """

    model_type: str
    calls: list[TracedCall]
    total_params: int
    error: TraceError | None = None
    exception: BaseException | None = field(default=None, repr=False)
    result: Any = field(default=None, repr=False)

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

    def find(self, name: str) -> TracedCall:
        """The call of the submodule ``name`` (``""``: the model); ``KeyError`` if none."""
        for c in self.calls:
            if c.name == name:
                return c
        known = [c.name for c in self.calls]
        raise KeyError(f"no call named {name!r} in this trace (calls: {known})")

    def __getitem__(self, name: str) -> TracedCall:
        """``trace[name]``: the older spelling of :meth:`find`."""
        return self.find(name)

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
        from .render import trace_text

        return trace_text(self)

    def __repr__(self) -> str:
        state = f"error: {self.error.type}" if self.error else f"ok={self.ok}"
        return (
            f"<ShapeTrace {self.model_type}: {len(self.calls)} calls, "
            f"{self.total_params:,} params, {state}>"
        )

    def _repr_html_(self) -> str:
        from .render import trace_html

        return trace_html(self)


def _is_leaf(call: TracedCall) -> bool:
    return call.module is None or not any(True for _ in call.module.children())
