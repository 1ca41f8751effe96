"""The tracer: forward hooks on every submodule fill the call records of one forward pass.

Besides the hooks, for the duration of the pass:

- every recurrent module's (``nn.RNNBase`` / ``nn.RNNCellBase``) ``forward`` is wrapped, so a
  call that skips ``__call__`` (``module.forward(x)``, as weight-dropping wrappers such as
  salesforce/awd-lstm-lm's ``WeightDrop`` do) is recorded like any other;
- the recurrent kernels (``torch._VF.lstm``, ``gru``, ``rnn_tanh``, ``rnn_relu`` and their
  ``_cell`` forms, and the same names on ``torch``) are wrapped, so one called outside any
  recurrent module's forward gets a row of its own (``<torch._VF.lstm>``) with its multiply-adds.

Everything is put back in ``finally``: hooks removed, wrappers removed, each module's training
flag, registered parameters / buffers / submodules and attributes, buffer values, and the random
number generators' state.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from ..i18n import M_
from ..shapes import Check, predict_shapes, quiet_rnn_warnings
from .records import (
    MAX_VARIANTS,
    CallVariant,
    ShapeTrace,
    TensorSpec,
    TracedCall,
    TraceError,
    spec_of,
)
from .recurrent import (
    KERNELS,
    _axes,
    _cell_axes,
    _cell_gates,
    _cell_roles,
    _is_recurrent,
    _leaf_mult_adds,
    _recurrent,
    _recurrent_config,
    _recurrent_roles,
    kernel_inputs,
    kernel_mult_adds,
    recurrent_mult_adds,
)

#: ``mode=`` of :func:`trace_shapes`
MODES = ("same", "eval", "train")

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
        self.kernel_rows: dict[tuple[int, str], TracedCall] = {}  # (id(parent), kernel) -> row
        self.entered: list[bool] = []  # per stack entry: its module's forward has been entered

    def open_forward(self, module: Any) -> bool:
        """True when ``module``'s ``__call__`` is running and its forward not yet entered: the
        hooks saw the call. False for a forward reached without ``__call__``."""
        return bool(self.stack) and self.stack[-1][0].module is module and not self.entered[-1]

    def kernel(self, name: str, args: tuple[Any, ...], output: Any) -> None:
        """A recurrent kernel returned: counted by its module's row, or given a row of its own
        when no recurrent module's forward is running (the kernel was called directly)."""
        parent = self.stack[-1][0] if self.stack else None
        if parent is not None and isinstance(parent.module, (nn.RNNBase, nn.RNNCellBase)):
            return
        try:
            macs: int | None = kernel_mult_adds(name, args)
        except Exception:  # an argument layout we do not know: shown as not counted
            macs = None
        try:
            inputs = {k: spec_of(v) for k, v in kernel_inputs(name, args).items()}
        except Exception:
            inputs = {f"args[{i}]": spec_of(a) for i, a in enumerate(args[:2])}
        outputs = spec_of(output)
        key = (id(parent.module) if parent is not None else 0, name)
        row = None if self.expand else self.kernel_rows.get(key)
        if row is not None:
            row.count += 1
            row.mult_adds = None if macs is None or row.mult_adds is None else row.mult_adds + macs
            self._add_kernel_variant(row, row.count, inputs, outputs)
            return
        prefix = f"{parent.name}." if parent is not None and parent.name else ""
        row = TracedCall(
            name=f"{prefix}<torch._VF.{name}>",
            type=f"_VF.{name}",
            depth=(parent.depth + 1) if parent is not None else 1,
            inputs=inputs,
            outputs=outputs,
            mult_adds=macs,
            level=len(self.stack),
        )
        same = [c for c in self.calls if c.name == row.name]
        row.call = len(same) + 1 if self.expand else 0
        self.calls.append(row)
        self.kernel_rows[key] = row
        if not self.expand:
            row.variants.append(CallVariant([1], inputs, outputs))

    @staticmethod
    def _add_kernel_variant(row: TracedCall, number: int, inputs: Any, outputs: Any) -> None:
        for v in row.variants:
            if v.inputs == inputs and v.outputs == outputs:
                v.calls.append(number)
                return
        row.varies = True
        if len(row.variants) >= MAX_VARIANTS:
            row.unlisted += 1
        else:
            row.variants.append(CallVariant([number], inputs, outputs))

    def pre(self, module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        key = id(module)
        self.counts[key] = self.counts.get(key, 0) + 1
        bound = _bind(module, args, kwargs)
        inputs = {k: spec_of(v) for k, v in bound.items()}
        existing = None if self.expand else self.by_module.get(key)
        self.entered.append(False)
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
        self.entered.pop()
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
        if first and _cell_gates(module) is not None:
            try:
                call.roles = _cell_roles(module, _bind(module, args, kwargs), output)
                call.axes = _cell_axes(call.roles)
            except Exception:  # shown without roles, as any other module
                call.roles, call.axes = {}, {}
        try:
            macs = self._mult_adds(module, args, kwargs, output, call, first)
        except Exception as exc:  # the trace must never break the model's forward
            call.checks.append(
                Check(M_("could not analyse this call: {exc}", exc=exc), False, repr(exc))
            )
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
        elif not first and _cell_gates(module) is not None:
            try:
                roles = _cell_roles(module, _bind(module, args, kwargs), output)
                axes = _cell_axes(roles)
            except Exception:
                roles, axes = {}, {}
        call.variants.append(CallVariant([number], inputs, outputs, dict(roles), dict(axes)))

    @staticmethod
    def _explain_failure(
        module: Any, args: tuple[Any, ...], kwargs: dict[str, Any], call: TracedCall
    ) -> None:
        """A recurrent call that raised: name its input's axes and the input shape it expects."""
        try:
            bound = _bind(module, args, kwargs)
            roles = _recurrent_roles(module, bound, None)
            config, _ = _recurrent_config(module, bound.get("input"))
        except Exception:  # the input is too malformed to read T and N from
            return
        call.roles = roles
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
                config, steps = _recurrent(module, bound, output, call)
            else:
                config, steps = _recurrent_config(module, bound.get("input"))
            return recurrent_mult_adds(config, steps)
        if any(True for _ in module.children()):
            return None
        return _leaf_mult_adds(module, args, output)


def _wrap_forward(module: Any, recorder: _Recorder) -> Any:
    """``module.forward`` that records a call made without ``__call__`` (no hook fires then)."""
    orig = module.forward

    @functools.wraps(orig)
    def forward(*args: Any, **kwargs: Any) -> Any:
        if recorder.open_forward(module):  # reached through __call__: the hooks record it
            recorder.entered[-1] = True
            return orig(*args, **kwargs)
        recorder.pre(module, args, kwargs)
        recorder.entered[-1] = True
        try:
            output = orig(*args, **kwargs)
        except BaseException:
            recorder.post(module, args, kwargs, None)  # inside except: seen as raised
            raise
        recorder.post(module, args, kwargs, output)
        return output

    return forward


def _wrap_kernel(name: str, orig: Any, recorder: _Recorder) -> Any:
    """A recurrent kernel that tells the recorder when it returns."""

    @functools.wraps(orig)
    def kernel(*args: Any, **kwargs: Any) -> Any:
        output = orig(*args, **kwargs)
        with contextlib.suppress(Exception):  # the trace must never break the model's forward
            recorder.kernel(name, args, output)
        return output

    return kernel


_MISSING = object()


@contextlib.contextmanager
def _wrapped(model: nn.Module, recorder: _Recorder) -> Iterator[None]:
    """Recurrent modules' forward and the recurrent kernels wrapped; all put back on exit."""
    undo: list[tuple[Any, str, Any]] = []  # (owner, attribute, previous value or _MISSING)
    try:
        for m in model.modules():
            if isinstance(m, (nn.RNNBase, nn.RNNCellBase)):
                undo.append((m, "forward", m.__dict__.get("forward", _MISSING)))
                m.__dict__["forward"] = _wrap_forward(m, recorder)
        for owner in (torch._VF, torch):
            for name in KERNELS:
                orig = getattr(owner, name, None)
                if orig is None:
                    continue
                undo.append((owner, name, vars(owner).get(name, _MISSING)))
                setattr(owner, name, _wrap_kernel(name, orig, recorder))
        yield
    finally:
        for owner, name, prev in reversed(undo):
            if isinstance(owner, nn.Module):
                if prev is _MISSING:
                    owner.__dict__.pop(name, None)
                else:
                    owner.__dict__[name] = prev
            elif prev is _MISSING:
                with contextlib.suppress(AttributeError):
                    delattr(owner, name)
            else:
                setattr(owner, name, prev)


class _Snapshot:
    """What a forward pass may change in a model, to put back afterwards: each module's training
    flag, its registered parameters, buffers and submodules, its attributes (a wrapper that sets
    or re-registers a weight in forward), and the buffers' values (batch-norm statistics)."""

    def __init__(self, model: nn.Module) -> None:
        from torch.nn.modules.lazy import LazyModuleMixin

        self.modules = []
        for m in model.modules():
            lazy = isinstance(m, LazyModuleMixin)  # initialised by its first call: left so
            flat = m.__dict__.get("_flat_weights")
            self.modules.append(
                (
                    m,
                    m.training,
                    None if lazy else dict(m.__dict__),
                    [(d, dict(d)) for d in (m._parameters, m._buffers, m._modules)],
                    (flat, list(flat)) if isinstance(flat, list) else None,
                )
            )
        self.buffers = [(b, b.detach().clone()) for b in model.buffers()]

    def restore(self) -> None:
        for m, training, attrs, registered, flat in self.modules:
            m.training = training
            if attrs is None:
                continue
            for k in [k for k in m.__dict__ if k not in attrs]:
                del m.__dict__[k]
            for k, v in attrs.items():
                if m.__dict__.get(k, _MISSING) is not v:
                    m.__dict__[k] = v
            for live, saved in registered:
                if list(live.keys()) != list(saved.keys()) or any(
                    live[k] is not v for k, v in saved.items()
                ):
                    live.clear()
                    live.update(saved)
            if flat is not None:
                flat[0][:] = flat[1]
        with torch.no_grad():
            for b, value in self.buffers:
                if b.shape == value.shape:
                    b.copy_(value)
                else:  # pragma: no cover - a buffer resized in forward
                    b.data = value


def _rng_devices(model: nn.Module) -> list[int]:
    """CUDA devices holding the model's tensors (their generators are forked too)."""
    devices = {t.device.index for t in [*model.parameters(), *model.buffers()] if t.is_cuda}
    return sorted(d if d is not None else 0 for d in devices)


def trace_shapes(
    model: nn.Module, *args: Any, expand: bool = False, mode: str = "same", **kwargs: Any
) -> ShapeTrace:
    """Run ``model(*args, **kwargs)`` once and record every submodule call's shapes.

    The pass runs under ``torch.no_grad()``, by default with the model as you have it (in
    training mode, dropout is on for the pass); ``mode="eval"`` or ``"train"`` switches every
    module for the pass, like torchinfo's ``mode``. Tracing never changes the model: afterwards
    every hook and wrapper is removed and each module's training flag, registered parameters,
    buffers, submodules and attributes, the buffers' values (batch-norm statistics) and the random
    number generators' state are put back as they were, in ``finally``, even on error. A recurrent
    layer reached without its ``__call__`` (``module.forward(x)``) is traced too, and a recurrent
    kernel called directly (``torch._VF.lstm(...)``) gets a row of its own.

    Args:
        model: any ``nn.Module``.
        *args, **kwargs: what ``model`` is called with.
        expand: one row per call instead of one row per module with its call count (a cell
            called in a loop over ``T`` steps then appears ``T`` times).
        mode: ``"same"`` (default) runs each module in the mode it is in; ``"eval"`` runs the
            whole model in eval mode (dropout off, batch-norm uses its running statistics);
            ``"train"`` in training mode.

    Returns:
        A :class:`ShapeTrace`. If the forward pass raises, ``trace_shapes`` does **not** raise: it
        returns the partial trace, with the calls up to and including the failing one (marked
        ``raised``), ``trace.error`` saying where and what, and ``trace.exception`` holding the
        original exception (re-raise it with ``raise trace.exception``).

    Raises:
        ValueError: ``model`` is not an ``nn.Module``, or ``mode`` is not one of :data:`MODES`.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model must be a torch.nn.Module (got model={type(model).__name__})")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, MODES))} (got mode={mode!r})")
    names = {id(m): name for name, m in model.named_modules()}
    recorder = _Recorder(names, expand)
    snapshot = _Snapshot(model)
    handles = []
    result = None
    exception: BaseException | None = None
    try:
        with torch.random.fork_rng(devices=_rng_devices(model)):
            for m in model.modules():
                handles.append(m.register_forward_pre_hook(recorder.pre, with_kwargs=True))
                handles.append(
                    m.register_forward_hook(recorder.post, with_kwargs=True, always_call=True)
                )
            if mode != "same":
                model.train(mode == "train")
            with torch.no_grad(), quiet_rnn_warnings(), _wrapped(model, recorder):
                result = model(*args, **kwargs)
    except Exception as exc:
        exception = exc
    finally:
        for h in handles:
            h.remove()
        snapshot.restore()
    if expand:  # number the calls only of modules called more than once
        kernel_names = [c.name for c in recorder.calls if c.module is None]
        for call in recorder.calls:
            if call.module is None:
                if kernel_names.count(call.name) == 1:
                    call.call = 0
            elif recorder.counts.get(id(call.module), 1) == 1:
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
    )
