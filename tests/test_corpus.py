"""The corpus: real recurrent models and real wrong calls, from public repositories and issues.

Part (a): every model of ``tests/corpus/models.py`` is traced with ``trace_shapes`` and each
recurrent call's shapes are compared with what our own forward hooks on ``nn.RNNBase`` /
``nn.RNNCellBase`` see in a plain forward pass.

Part (b): every wrong call of ``tests/corpus/errors.py`` is diagnosed; the test asserts the cause
(the problem's ``tensor`` field and keywords of its ``cause``) and then executes the problem's fix
code in a namespace holding the case's variables and makes the original call again, which must
run.

Part (c): the known gaps (issue 13) are strict xfails, so fixing one makes its test fail loudly.
See ``tests/corpus/README.md``.
"""

from __future__ import annotations

import ast
import copy
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

sys.path.insert(0, str(Path(__file__).parent))

from corpus.errors import (
    CASES,
    CTOR_CASES,
    SUMMARY_CASES,
    CtorCase,
    ErrorCase,
    SummaryCase,
    namespace,
    split_call,
)
from corpus.models import AWDLSTM, MODELS, ModelCase, WeightDrop

from lstm_explain import check_summary, diagnose, explain_errors, trace_shapes

RECURRENT = (nn.RNNBase, nn.RNNCellBase)


# --- helpers: shapes seen by our own hooks ----------------------------------------------------


def _shapes(value: Any) -> list[tuple]:
    """Every tensor shape in a value, depth first; a PackedSequence is its data and batch_sizes."""
    if value is None:
        return []
    if isinstance(value, PackedSequence):
        return [("packed", tuple(value.data.shape), tuple(value.batch_sizes.tolist()))]
    if isinstance(value, torch.Tensor):
        return [tuple(value.shape)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _shapes(v)]
    if isinstance(value, (tuple, list)):
        return [s for v in value for s in _shapes(v)]
    return []


def _json_shapes(value: Any) -> list[tuple]:
    """The same, read from ``TracedCall.to_dict()``: a shape is a list of ints."""
    if value is None:
        return []
    if isinstance(value, dict):
        if "packed" in value:
            p = value["packed"]
            return [("packed", tuple(p["data"]), tuple(p["batch_sizes"]))]
        if "value" in value or "type" in value:
            return []
        return [s for v in value.values() for s in _json_shapes(v)]
    if isinstance(value, list):
        if value and all(isinstance(v, int) for v in value):
            return [tuple(value)]
        return [s for v in value for s in _json_shapes(v)]
    return []


def _role(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, PackedSequence):
        return ("packed", tuple(value.data.shape))
    return tuple(value.shape)


def _trace_role(call: Any, role: str) -> Any:
    s = call.shape(role)
    if s is None:
        return None
    if hasattr(s, "data"):  # a packed spec
        return ("packed", tuple(s.data))
    return tuple(s)


def _hooked_run(model: nn.Module, args: tuple) -> list[dict]:
    """One plain forward pass (eval, no grad) with our own hooks on every recurrent module."""
    names = {id(m): n for n, m in model.named_modules()}
    seen: list[dict] = []

    def hook(module, a, kw, out):
        rec = {
            "name": names[id(module)],
            "inputs": _shapes(a) + _shapes(kw),
            "outputs": _shapes(out),
        }
        if isinstance(module, nn.RNNBase):
            x = a[0] if a else kw.get("input")
            hx = a[1] if len(a) > 1 else kw.get("hx")
            lstm = module.mode == "LSTM"
            h0, c0 = (hx if lstm else (hx, None)) if hx is not None else (None, None)
            output, state = out
            hn, cn = state if lstm else (state, None)
            rec["roles"] = {
                "input": _role(x),
                "h_0": _role(h0),
                "c_0": _role(c0),
                "output": _role(output),
                "h_n": _role(hn),
                "c_n": _role(cn),
            }
        seen.append(rec)

    handles = [
        m.register_forward_hook(hook, with_kwargs=True)
        for m in model.modules()
        if isinstance(m, RECURRENT)
    ]
    was = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with torch.no_grad():
            model(*args)
    finally:
        for h in handles:
            h.remove()
        for m, t in was:
            m.training = t
    return seen


# --- (a) real models: the trace agrees with our own hooks -------------------------------------


@pytest.mark.parametrize("case", MODELS, ids=[m.id for m in MODELS])
def test_trace_matches_own_hooks(case: ModelCase) -> None:
    torch.manual_seed(0)
    model, args = case.build()
    seen = _hooked_run(model, args)
    if case.bypasses_call:  # no hook of ours can see it either: see the xfail below
        assert seen == []
        return
    assert seen, "the model must call at least one recurrent module"
    trace = trace_shapes(model, *args, expand=True)
    assert trace.error is None and trace.ok, str(trace)
    traced = [c for c in trace.calls if c.name in {r["name"] for r in seen}]
    assert [c.name for c in traced] == [r["name"] for r in seen]  # same calls, same order
    for call, rec in zip(traced, seen, strict=True):
        d = call.to_dict()
        assert _json_shapes(d["inputs"]) == rec["inputs"], (call.label, d["inputs"])
        assert _json_shapes(d["outputs"]) == rec["outputs"], (call.label, d["outputs"])
        for role, shape in rec.get("roles", {}).items():
            assert _trace_role(call, role) == shape, (call.label, role)
    # the collapsed view counts the calls of each module
    collapsed = trace_shapes(model, *args)
    for name in {r["name"] for r in seen}:
        assert collapsed[name].count == sum(r["name"] == name for r in seen)


def _loss(out: Any) -> torch.Tensor:
    parts = [t for t in _tensors(out) if t.is_floating_point() and t.requires_grad]
    return sum(p.float().sum() for p in parts)


def _tensors(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors(v)]
    return []


def _snapshot(model: nn.Module) -> tuple:
    return (
        [(n, m.training) for n, m in model.named_modules()],
        [n for n, _ in model.named_parameters()],
        sorted(model.state_dict().keys()),
    )


def _train_one_step(model: nn.Module, args: tuple) -> None:
    # plain SGD by hand: torch.optim's first step costs seconds of imports
    model.zero_grad()
    _loss(model(*args)).backward()
    with torch.no_grad():
        for p in model.parameters():
            if p.grad is not None:
                p -= 0.01 * p.grad


@pytest.mark.parametrize("case", [m for m in MODELS if not m.bypasses_call], ids=lambda m: m.id)
def test_trace_in_train_mode_then_train_one_step(case: ModelCase) -> None:
    torch.manual_seed(0)
    model, args = case.build()
    model.train()
    before = _snapshot(model)
    values = copy.deepcopy(model.state_dict())
    trace_shapes(model, *args)
    assert _snapshot(model) == before
    for k, v in model.state_dict().items():  # no parameter and no buffer moved
        assert torch.equal(v, values[k]), k
    _train_one_step(model, args)
    assert _snapshot(model) == before


# --- (a) the weight-dropped LSTM (issue 13) ---------------------------------------------------


def test_weight_drop_recurrent_call_is_traced() -> None:
    torch.manual_seed(0)
    model, args = AWDLSTM(), (torch.randint(0, 40, (6, 3)),)
    trace = trace_shapes(model, *args)
    assert "rnn.module" in trace
    assert trace["rnn.module"].shape("h_n") == (1, 3, 12)


def test_weight_drop_uncounted_is_said() -> None:
    torch.manual_seed(0)
    model = WeightDrop(nn.LSTM(8, 8), ["weight_hh_l0"], dropout=0.5)
    text = str(trace_shapes(model, torch.randn(5, 2, 8)))
    assert "total mult-adds: 0" not in text or "not counted" in text, text


def test_weight_drop_trace_in_train_mode_then_train_one_step() -> None:
    torch.manual_seed(0)
    model, args = AWDLSTM(), (torch.randint(0, 40, (6, 3)),)
    model.train()
    before = _snapshot(model)
    trace = trace_shapes(model, *args)
    assert trace.error is None
    assert _snapshot(model) == before
    _train_one_step(model, args)
    assert _snapshot(model) == before


# --- (b) real wrong calls: the cause, and the fix executed ----------------------------------

#: what torch (and explain_errors, which keeps the type) raises for a wrong recurrent call
TORCH_ERRORS = (RuntimeError, ValueError, TypeError, IndexError, AttributeError)


def _param(case: Any) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_wrong_call_cause_and_fix(case: ErrorCase) -> None:
    torch.manual_seed(0)
    ns = namespace(case.setup)
    module, args = split_call(case.call, ns)
    with pytest.raises(TORCH_ERRORS):  # the call from the thread really fails
        eval(case.call, ns)
    # the cause, before the call runs
    d = diagnose(module, *args)
    p = d.problem(case.tensor)
    assert p.kind == case.kind
    for word in case.keywords:
        assert word.lower() in p.cause.lower(), (word, p.cause)
    # explain_errors attaches the same explanation to torch's own error
    with pytest.raises(TORCH_ERRORS) as info, explain_errors():
        eval(case.call, ns)
    assert info.value.diagnosis.problem(case.tensor).cause == p.cause
    # the fix, executed: every problem's fix code in a fresh namespace, then the call again
    fixed = namespace(case.setup)
    for q in d.problems:
        exec(q.fix, fixed)
    eval(case.fixed_call or case.call, fixed)
    if case.check:
        assert eval(case.check, fixed), case.check


def test_batch_major_input_with_lengths_hints_batch_first() -> None:
    # pytorch/tutorials beginner_source/chatbot_tutorial.py: batch2TrainData builds (T, N) id
    # batches for a time-major GRU with lengths; a (N, T) batch packed with the same lengths
    gru = nn.GRU(8, 5)
    x = torch.randn(4, 6, 8)  # (N, T, H_in)
    lengths = [6, 5, 3, 2]
    d = diagnose(gru, x, lengths=lengths)
    p = d.problem("lengths")
    assert "batch_first" in p.cause
    ns = {"x": x, "lengths": lengths, "pack_padded_sequence": pack_padded_sequence}
    exec(p.fix, ns)
    _, h_n = gru(ns["packed"])
    assert h_n.shape == (1, 4, 5)


def test_check_summary_hints_batch_first_for_batch_major_data() -> None:
    gru = nn.GRU(8, 5)
    x = torch.randn(4, 6, 8)  # (N, T, H_in) into a time-major layer
    lengths = [6, 5, 3, 2]
    _, h_n = gru(x)
    d = check_summary(gru, x, h_n[-1], lengths=lengths)
    assert any("batch_first" in t for t in [p.cause for p in d.problems] + d.notes), str(d)


# --- (b) constructor mistakes through explain_errors ------------------------------------------

_CTOR_NAMES = ("input_size", "hidden_size", "num_layers")


def _apply_ctor_fix(ctor: str, fix: str) -> str:
    """``nn.LSTM(..., k=v)`` applied to the original constructor call: its keywords win."""
    call = ast.parse(fix.split("  #")[0].strip(), mode="eval").body
    assert isinstance(call, ast.Call), fix
    has_ellipsis = any(isinstance(a, ast.Constant) and a.value is ... for a in call.args)
    if not has_ellipsis:
        return ast.unparse(call)
    orig = ast.parse(ctor, mode="eval").body
    kwargs = {_CTOR_NAMES[i]: ast.unparse(a) for i, a in enumerate(orig.args)}
    kwargs.update({k.arg: ast.unparse(k.value) for k in orig.keywords})
    kwargs.update({k.arg: ast.unparse(k.value) for k in call.keywords})
    assert ast.unparse(call.func) == ast.unparse(orig.func), (fix, ctor)
    return f"{ast.unparse(orig.func)}({', '.join(f'{k}={v}' for k, v in kwargs.items())})"


@pytest.mark.parametrize("case", [_param(c) for c in CTOR_CASES])
def test_constructor_mistake_cause_and_fix(case: CtorCase) -> None:
    with pytest.raises(TORCH_ERRORS) as info, explain_errors():
        eval(case.ctor, {"nn": nn})
    p = info.value.diagnosis.problem(case.argument)
    assert case.argument in p.cause
    module = eval(_apply_ctor_fix(case.ctor, p.fix), {"nn": nn})
    for name, value in case.want.items():
        assert getattr(module, name) == value, (name, p.fix)


# --- (b) silent traps through check_summary -------------------------------------------------


@pytest.mark.parametrize("case", [_param(c) for c in SUMMARY_CASES])
def test_summary_trap_cause_and_fix(case: SummaryCase) -> None:
    torch.manual_seed(0)
    ns = namespace(case.setup)
    module = next(ns[k] for k in ("lstm", "gru", "rnn") if k in ns)
    d = check_summary(module, ns["x"], eval(case.summary, ns))
    if case.ok:
        assert d.ok, str(d)
        return
    p = d.problem("summary")
    assert p.kind == "trap"
    for word in case.keywords:
        assert word.lower() in p.cause.lower(), (word, p.cause)
    exec(p.fix, ns)
    assert check_summary(module, ns["x"], ns["summary"]).ok
