"""The tracer: forward hooks on every submodule fill the call records of one forward pass."""

from __future__ import annotations

import inspect
import sys
from typing import Any

import torch
from torch import nn

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
    _axes,
    _is_recurrent,
    _leaf_mult_adds,
    _recurrent,
    _recurrent_config,
    _recurrent_roles,
    recurrent_mult_adds,
)

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
    )
