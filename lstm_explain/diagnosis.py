"""Diagnose a recurrent layer's call: plain-language explanations of shape errors and silent traps.

``diagnose(module, x, hx)`` checks a call of ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` or of a cell
(``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell``) before it runs: every argument's shape, the
shape the module expects and why (from its own config), and for each mismatch the most likely
cause and the corrected line of code. It then runs the call to record torch's own message.

``with explain_errors(): ...`` re-raises a recurrent layer's shape/argument error with the
explanation attached (``err.diagnosis``). ``diagnose_pack`` checks ``pack_padded_sequence``.

``check_summary(module, x, summary)`` catches the traps that raise nothing: it says whether the
tensor taken as "the sequence summary" really is each sequence's final state, and what to take
instead.

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size, ``H_out`` =
proj_size or hidden_size, ``L`` num_layers, ``D`` directions (1 or 2).
"""

from __future__ import annotations

import contextlib
import html
import re
import textwrap
import threading
import types
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .config import RNNConfig
from .shapes import fmt_shape, predict_shapes, quiet_rnn_warnings

if TYPE_CHECKING:  # pragma: no cover
    import argparse

    from torch import Tensor, nn

Shape = tuple[int, ...]

#: Problem kinds: torch raises; runs but reads memory or values it should not; runs but the
#: result is not what the code means.
KINDS = ("error", "silent", "trap")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a call.

    Attributes:
        tensor: the argument at fault (``input``, ``h_0``, ``c_0``, ``hx``, ``lengths``,
            ``summary``, or a constructor argument such as ``proj_size``).
        expected: what the module expects, e.g. ``(4, 3, 20)``.
        actual: what it got, e.g. ``(3, 4, 20)``.
        cause: the most likely cause, in plain words.
        fix: the corrected line(s) of code.
        kind: ``"error"`` (torch raises), ``"silent"`` (runs, reads what it should not) or
            ``"trap"`` (runs, but means something else).
    """

    tensor: str
    expected: str
    actual: str
    cause: str
    fix: str
    kind: str = "error"

    def to_dict(self) -> dict[str, str]:
        return dict(
            tensor=self.tensor,
            expected=self.expected,
            actual=self.actual,
            cause=self.cause,
            fix=self.fix,
            kind=self.kind,
        )


@dataclass(frozen=True)
class Argument:
    """One argument of the call: its shape, the shape expected and why."""

    name: str
    actual: str
    expected: str
    why: str


#: Width of the text rendering: fits a projector and a notebook without wrapping.
WIDTH = 100

_LABEL = {"error": "", "silent": " (runs, but silently wrong)", "trap": " (trap)"}


def _wrap(text: str, first: str, rest: str, width: int = WIDTH) -> list[str]:
    """``text`` wrapped to ``width`` characters, the first line after ``first``."""
    return textwrap.wrap(
        text,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]


def _fit_code(lines: list[str], width: int) -> list[str]:
    """Code lines whose trailing ``# comment`` goes on a line of its own when too wide."""
    out = []
    for line in lines:
        code, sep, comment = line.partition("  # ")
        if len(line) > width and sep:
            indent = code[: len(code) - len(code.lstrip())]
            out += [f"{indent}# {comment}", code]
        else:
            out.append(line)
    return out


def _headline(p: Problem) -> str:
    """``expected (4, 3, 20), got (3, 4, 20)``; for a right shape with wrong values, says so."""
    if p.expected == p.actual:
        return f"shape {p.actual} is right, the values are not{_LABEL[p.kind]}"
    return f"expected {p.expected}, got {p.actual}{_LABEL[p.kind]}"


@dataclass
class Diagnosis:
    """What a call gives the module, what the module expects, and what is wrong.

    ``ok`` is True when there is no problem; ``notes`` are remarks that are not problems (e.g.
    a shape that fits two readings).
    """

    call: str
    arguments: list[Argument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    torch_error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, tensor: str) -> Problem:
        """The first problem about ``tensor``."""
        for p in self.problems:
            if p.tensor == tensor:
                return p
        raise KeyError(
            f"no problem about {tensor!r} (problems: {[p.tensor for p in self.problems]})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "call": self.call,
            "ok": self.ok,
            "arguments": [a.__dict__.copy() for a in self.arguments],
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
            "torch_error": self.torch_error,
        }

    def __str__(self) -> str:
        lines = [self.call]
        if self.arguments:
            rows = [("argument", "shape", "expected")]
            rows += [(a.name, a.actual, a.expected) for a in self.arguments]
            w = [max(len(r[i]) for r in rows) for i in range(3)]
            lines.append("")
            for k, r in enumerate(rows):
                lines.append("  " + "  ".join(r[i].ljust(w[i]) for i in range(3)).rstrip())
                why = self.arguments[k - 1].why if k else ""
                if why:  # the derivation on its own lines, so the table stays narrow
                    lines += _wrap(why, "      why: ", "           ")
        lines.append("")
        if self.ok:
            lines.append("✓ no problem found")
        else:
            n = len(self.problems)
            lines.append(f"✗ {n} problem{'s' if n > 1 else ''}:")
            for i, p in enumerate(self.problems, 1):
                lines.append(f"  {i}. {p.tensor}: {_headline(p)}")
                lines += _wrap(p.cause, "     cause: ", "            ")
                fix = _fit_code(p.fix.splitlines() or ["-"], WIDTH + 10 - 12)
                lines.append(f"     fix:   {fix[0]}")
                lines += [f"            {f}" for f in fix[1:]]
        if self.notes:
            lines += ["", "notes:"]
            for n in self.notes:
                lines += _wrap(n, "  - ", "    ")
        if self.torch_error:
            lines += ["", *_wrap(self.torch_error, "torch says: ", "    ")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Diagnosis {self.call}: ok={self.ok}, {len(self.problems)} problem(s)>"

    def _repr_html_(self) -> str:
        return diagnosis_html(self)


def diagnosis_html(d: Diagnosis) -> str:
    """The diagnosis as HTML: the call, an argument table, each problem with its fix."""
    e = html.escape
    css = (
        "<style>.lx-table{border-collapse:collapse;margin:4px 0}"
        ".lx-table td,.lx-table th{border:1px solid #ccc;padding:2px 8px;text-align:left;"
        "font-family:monospace}.lx-ok{color:#1a7f37}.lx-bad{color:#cf222e}"
        ".lx-fix{background:#f6f8fa;padding:4px 8px;margin:2px 0}</style>"
    )
    parts = [css, f"<div class='lx-diagnosis'><p><code>{e(d.call)}</code></p>"]
    if d.arguments:
        parts.append(
            "<table class='lx-table'><tr><th>argument</th><th>shape</th><th>expected</th>"
            "<th>why</th></tr>"
        )
        for a in d.arguments:
            cls = "lx-ok" if a.actual == a.expected else "lx-bad"
            parts.append(
                f"<tr><td>{e(a.name)}</td><td class='{cls}'>{e(a.actual)}</td>"
                f"<td>{e(a.expected)}</td><td>{e(a.why)}</td></tr>"
            )
        parts.append("</table>")
    if d.ok:
        parts.append("<p class='lx-ok'>✓ no problem found</p>")
    else:
        parts.append("<ol class='lx-problems'>")
        for p in d.problems:
            tag = _LABEL[p.kind]
            if p.expected == p.actual:
                head = f"shape <code>{e(p.actual)}</code> is right, the values are not{e(tag)}"
            else:
                head = (
                    f"expected <code>{e(p.expected)}</code>, got "
                    f"<code class='lx-bad'>{e(p.actual)}</code>{e(tag)}"
                )
            parts.append(
                f"<li><b>{e(p.tensor)}</b>: {head}<br>{e(p.cause)}"
                f"<pre class='lx-fix'>{e(p.fix)}</pre></li>"
            )
        parts.append("</ol>")
    if d.notes:
        parts.append("<ul class='lx-notes'>" + "".join(f"<li>{e(n)}</li>" for n in d.notes))
        parts.append("</ul>")
    if d.torch_error:
        parts.append(f"<p>torch says: <code>{e(d.torch_error)}</code></p>")
    parts.append("</div>")
    return "".join(parts)


# --- small helpers ---------------------------------------------------------------------------


def _is_tensor(v: Any) -> bool:
    import torch

    return isinstance(v, torch.Tensor)


def _is_packed(v: Any) -> bool:
    from torch.nn.utils.rnn import PackedSequence

    return isinstance(v, PackedSequence)


def _describe(v: Any) -> str:
    """A value as the table shows it: a shape, ``tuple of 2: ...``, ``None``."""
    if v is None:
        return "None"
    if _is_packed(v):
        bs = v.batch_sizes.tolist()
        sizes = str(bs) if len(bs) <= 6 else f"[{bs[0]}, {bs[1]}, ..., {bs[-1]}] ({len(bs)} steps)"
        return f"PackedSequence(data {fmt_shape(v.data.shape)}, batch_sizes {sizes})"
    if _is_tensor(v):
        return fmt_shape(v.shape) if v.dim() else "0-D tensor"
    if isinstance(v, (tuple, list)):
        inner = ", ".join(_describe(t) for t in v)
        return f"{type(v).__name__} of {len(v)}: {inner}"
    return type(v).__name__


def _module_code(module: nn.Module) -> str:
    """``nn.LSTM(100, 20, num_layers=2)`` for a module, ``nn.GRUCell(10, 20)`` for a cell."""
    from torch import nn

    if isinstance(module, nn.RNNBase):
        return RNNConfig.from_module(module).code()
    extra = ""
    if isinstance(module, nn.RNNCell) and module.nonlinearity != "tanh":
        extra = f", nonlinearity={module.nonlinearity!r}"
    if not module.bias:
        extra += ", bias=False"
    return f"nn.{type(module).__name__}({module.input_size}, {module.hidden_size}{extra})"


def _var(module: nn.Module) -> str:
    """The variable name the fixes use for the module: rnn, lstm, gru or cell."""
    from torch import nn

    if isinstance(module, nn.RNNCellBase):
        return "cell"
    return {"LSTM": "lstm", "GRU": "gru"}.get(module.mode, "rnn")


def _weight(module: nn.Module) -> Tensor:
    return next(module.parameters())


def _zeros_code(shape: Shape) -> str:
    """``torch.zeros(4, 3, 20, dtype=x.dtype, device=x.device)``."""
    dims = ", ".join(str(int(s)) for s in shape)
    return f"torch.zeros({dims}, dtype=x.dtype, device=x.device)"


class _Found:
    """Collects the arguments, problems and notes of one diagnosis."""

    def __init__(self) -> None:
        self.arguments: list[Argument] = []
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def arg(self, name: str, actual: str, expected: str, why: str) -> None:
        self.arguments.append(Argument(name, actual, expected, why))

    def problem(self, tensor: str, expected: str, actual: str, cause: str, fix: str, kind="error"):
        self.problems.append(Problem(tensor, expected, actual, cause, fix, kind))


# --- common tensor checks ----------------------------------------------------------------------


def _check_dtype_device(found: _Found, name: str, t: Tensor, module: nn.Module, var: str) -> None:
    """dtype and device of one tensor against the module's weights."""
    w = _weight(module)
    if t.dtype != w.dtype:
        if not (t.is_floating_point() or t.is_complex()):
            cause = (
                f"{name} holds integers ({t.dtype}); a recurrent layer multiplies by float weights. "
                "If these are token ids, embed them first: nn.Embedding(vocab_size, input_size) turns "
                "(T, N) ids into (T, N, H_in) vectors; "
                "if they are real values, convert them"
            )
            fix = f"{var} = embedding({var})  # ids -> vectors\n# or: {var} = {var}.to({w.dtype})"
        elif name == "input":
            cause = (
                f"input is {t.dtype} but the module's weights are {w.dtype}; torch does not mix "
                "dtypes inside a recurrent layer"
            )
            fix = f"{var} = {var}.to({w.dtype})  # or convert the model: module.to({t.dtype})"
        else:
            cause = f"{name} is {t.dtype} but the input and weights are {w.dtype}"
            fix = f"{var} = {var}.to({w.dtype})"
        found.problem(name, f"dtype {w.dtype}", f"dtype {t.dtype}", cause, fix)
    if t.device != w.device:
        found.problem(
            name,
            f"device {w.device}",
            f"device {t.device}",
            f"{name} is on {t.device} but the module's weights are on {w.device}; every tensor "
            "of the call must be on the module's device",
            f"{var} = {var}.to(next(module.parameters()).device)",
        )


def _feature_fix(x: Tensor, want: int, var: str = "x") -> tuple[str, str] | None:
    """If the feature size sits on another axis, the cause and the fix that moves it last."""
    shape = list(x.shape)
    for k, s in enumerate(shape[:-1]):
        if s == want:
            return (
                f"the {want} features sit on axis {k}, not on the last axis (as after a Conv1d, "
                "whose output is (N, C, T)); a recurrent layer reads features from the last axis",
                f"{var} = {var}.movedim({k}, -1)  # {fmt_shape(x.shape)} -> "
                f"{fmt_shape(tuple(shape[:k] + shape[k + 1 :] + [s]))}",
            )
    return None


# --- nn.RNN / nn.LSTM / nn.GRU ---------------------------------------------------------------


@dataclass
class _Layout:
    """What the module reads from the input: batched?, N, T, and where they come from."""

    batched: bool
    N: int | None
    T: int | None
    N_from: str
    N_alt: int | None = None  # the other axis of a 3-D input, had batch_first been flipped
    packed: bool = False


def _input_layout(module: nn.RNNBase, x: Any, lengths: Any) -> _Layout | None:
    if _is_packed(x):
        bs = x.batch_sizes
        return _Layout(
            True, int(bs[0]), len(bs), "batch_sizes[0] of the PackedSequence", None, True
        )
    if not _is_tensor(x) or x.dim() not in (2, 3):
        return None
    if x.dim() == 2:
        return _Layout(False, None, x.size(0), "unbatched (T, H_in)")
    b, t = (0, 1) if module.batch_first else (1, 0)
    if lengths is not None:
        try:
            n = len(lengths) if not _is_tensor(lengths) or lengths.dim() == 1 else None
        except TypeError:  # a single number: _pack_checks explains it
            n = None
        if n == x.size(b):
            return _Layout(
                True, n, x.size(t), f"input axis {b} (batch_first={module.batch_first})", None, True
            )
    return _Layout(
        True,
        x.size(b),
        x.size(t),
        f"input axis {b} (batch_first={module.batch_first})",
        x.size(t),
        False,
    )


def _check_input(found: _Found, module: nn.RNNBase, x: Any, var: str) -> bool:
    """Type, dims, dtype, device and feature size of the input; True if the shape is usable."""
    cfg = RNNConfig.from_module(module)
    name = type(module).__name__
    expected_text = "(N, T, H_in)" if module.batch_first else "(T, N, H_in)"
    if _is_packed(x):
        data = x.data
        found.arg(
            "input",
            _describe(x),
            f"data (sum of lengths, {module.input_size})",
            "a PackedSequence stores the valid steps of every sequence as rows of a 2-D data tensor",
        )
        _check_dtype_device(found, "input", data, module, var)
        if data.dim() != 2:
            found.problem(
                "input",
                f"data (sum of lengths, {module.input_size})",
                f"data {fmt_shape(data.shape)}",
                f"the packed data is {data.dim()}-D: the padded batch given to pack_padded_sequence "
                f"had {data.dim() + 1} axes instead of 3 (T, N, H_in)",
                "x = x.flatten(2)  # merge the extra feature axes before packing\n"
                f"packed = pack_padded_sequence(x, lengths, batch_first={module.batch_first}, "
                "enforce_sorted=False)",
            )
            return False
        rows, sizes = int(data.size(0)), x.batch_sizes.tolist()
        if sum(sizes) != rows:
            found.problem(
                "input",
                f"data with sum(batch_sizes) = {sum(sizes)} rows",
                f"data {fmt_shape(data.shape)}",
                f"the PackedSequence's batch_sizes {sizes} add up to {sum(sizes)} rows but its data "
                f"holds {rows}: it was packed with a length longer than the padded time axis T "
                "(pack_padded_sequence does not check this)",
                "lengths = torch.as_tensor(lengths).clamp(max=T)  # before packing\n"
                "# or: pad x to max(lengths) steps",
            )
            return False
        if data.size(-1) != module.input_size:
            found.problem(
                "input",
                f"data (*, {module.input_size})",
                f"data {fmt_shape(data.shape)}",
                f"the module was built with input_size={module.input_size}, but each step of the "
                f"packed batch has {data.size(-1)} features",
                f"{_var(module)} = "
                + cfg.replace(input_size=int(data.size(-1))).code()
                + "  # or give it input_size features",
            )
            return False
        return True
    if not _is_tensor(x):
        found.arg("input", _describe(x), expected_text, "a tensor or a PackedSequence")
        found.problem(
            "input",
            "a tensor or PackedSequence",
            type(x).__name__,
            f"nn.{name} takes a tensor (or a PackedSequence), not a {type(x).__name__}",
            "x = torch.stack(sequences)  # equal lengths\n# or: x = pad_sequence(sequences)",
        )
        return False
    if x.dim() == 2:
        why = "2-D is one unbatched sequence (T, H_in)"
        expected = f"({x.size(0)}, {module.input_size})"
    elif x.dim() == 3:
        why = (
            "batch_first=True: (N, T, H_in)"
            if module.batch_first
            else "(T, N, H_in); batch_first=False"
        )
        expected = fmt_shape((*x.shape[:2], module.input_size))
    else:
        why = "2-D (T, H_in) or 3-D " + expected_text
        expected = expected_text
    moved = None
    if x.dim() in (2, 3) and x.size(-1) != module.input_size:
        moved = _feature_fix(x, module.input_size)
        if moved:  # the shape the module would read once the features are moved last
            expected = moved[1].split(" -> ")[-1]
    found.arg("input", _describe(x), expected, why)
    _check_dtype_device(found, "input", x, module, var)
    if not (x.is_floating_point() or x.is_complex()):
        return False  # token ids: embedding them fixes the shape too
    if x.dim() not in (2, 3):
        _input_dims_problem(found, module, x)
        return False
    if x.size(-1) != module.input_size:
        if moved:
            cause, fix = moved
        else:
            cause = (
                f"the module was built with input_size={module.input_size}, but the input has "
                f"{x.size(-1)} features per step (its last axis)"
            )
            fix = (
                f"{_var(module)} = {cfg.replace(input_size=int(x.size(-1))).code()}"
                f"  # or give it {module.input_size} features"
            )
        found.problem("input", expected, fmt_shape(x.shape), cause, fix)
        return False
    return True


def _input_dims_problem(found: _Found, module: Any, x: Tensor) -> None:
    """A 0-D, 1-D, 4-D, ... input to nn.RNN / nn.LSTM / nn.GRU."""
    H_in = module.input_size
    shape = tuple(x.shape)
    expected = ("(N, T, H_in)" if module.batch_first else "(T, N, H_in)") + " or (T, H_in)"
    if x.dim() <= 1:
        n = shape[0] if shape else 1
        if H_in == 1:
            cause = (
                f"a 1-D tensor of {n} values has no feature axis; with input_size=1 it is most "
                "likely one sequence of scalars"
            )
            fix = "x = x.unsqueeze(-1)  # (T, 1): one sequence, one feature per step"
        elif n == H_in:
            cause = (
                f"a 1-D tensor of {n} values is one step's features with no time axis; "
                "a recurrent layer needs a sequence (a cell takes one step)"
            )
            fix = "x = x.unsqueeze(0)  # (1, H_in): one sequence of one step"
        else:
            cause = (
                "a recurrent layer needs a time axis and a feature axis (and optionally a batch "
                "axis)"
            )
            fix = f"x = x.view(-1, {H_in})  # (T, H_in)"
    else:
        squeezable = [
            k
            for k, s in enumerate(shape)
            if s == 1 and len(shape) - 1 == 3 and (shape[:k] + shape[k + 1 :])[-1] == H_in
        ]
        if squeezable:
            k = squeezable[0]
            cause = f"axis {k} has size 1 and is one axis too many (e.g. a channel axis)"
            fix = f"x = x.squeeze({k})  # {fmt_shape(shape)} -> 3-D"
        elif x.dim() == 4 and shape[2] * shape[3] == H_in:
            cause = (
                f"the features are spread over two axes ({shape[2]} x {shape[3]} = {H_in}), "
                "e.g. image rows read as steps"
            )
            fix = f"x = x.flatten(2)  # {fmt_shape(shape)} -> {fmt_shape((*shape[:2], H_in))}"
        else:
            cause = f"a {x.dim()}-D input has axes a recurrent layer cannot read"
            fix = f"x = x.reshape(T, N, {H_in})  # one time axis, one batch axis, features"
    found.problem("input", expected, fmt_shape(shape), cause, fix)


def _rnn_expected_states(module: nn.RNNBase, layout: _Layout) -> dict[str, tuple[Shape, str, str]]:
    """``{h_0: (shape, formula, why)}`` (and ``c_0`` for LSTM), from predict_shapes."""
    cfg = RNNConfig.from_module(module, seq_len=1, batch=layout.N if layout.batched else None)
    pred = predict_shapes(cfg)
    L, D = module.num_layers, 2 if module.bidirectional else 1
    out = {}
    for name in ("h_0", "c_0"):
        if name not in pred:
            continue
        shape, _dims, _formula = pred[name]
        size = shape[-1]
        proj = name == "h_0" and cfg.proj_size
        feat = "H_out" if proj else "H"
        formula = f"(L*D, N, {feat})" if layout.batched else f"(L*D, {feat})"
        feat_why = (
            f"H_out = proj_size = {size}"
            if proj
            else f"H = hidden_size = {size}"
            + (" (c keeps hidden_size; proj_size shrinks only h)" if cfg.proj_size else "")
        )
        why = (
            f"{formula}: L={L} layer{'s' if L > 1 else ''} x D={D}"
            + (" (bidirectional)" if D == 2 else "")
            + f" = {L * D}"
            + (f", N={layout.N} from {layout.N_from}" if layout.batched else "")
            + f", {feat_why}"
        )
        if module.batch_first and layout.batched:
            why += "; batch_first never applies to states"
        out[name] = (tuple(shape), formula, why)
    return out


def _state_problem(
    found: _Found, module: nn.RNNBase, name: str, t: Tensor, want: Shape, layout: _Layout, x: Any
) -> None:
    """Explain why state ``name`` of shape ``t.shape`` is not ``want``."""
    got = tuple(int(s) for s in t.shape)
    L, D = module.num_layers, 2 if module.bidirectional else 1
    LD = L * D
    var = _var(module)
    mname = type(module).__name__
    exp, act = fmt_shape(want), fmt_shape(got)
    zeros = f"{name} = {_zeros_code(want)}"
    size = want[-1]
    if not layout.batched:
        # unbatched input: 2-D states (L*D, H_out)
        if len(got) == 3:
            if got[1] == 1 and (got[0], got[2]) == want:
                fix = f"{name} = {name}.squeeze(1)  # {act} -> {exp}"
            else:
                fix = zeros
            bdim = 0 if module.batch_first else 1
            found.problem(
                name,
                exp,
                act,
                f"the input is 2-D, one unbatched sequence (T, H_in), so {name} must "
                f"be 2-D too, without a batch axis: (L*D, H). To run a batch, give a "
                f"3-D input (x.unsqueeze({bdim}) is a batch of one)",
                fix,
            )
            return
        if len(got) != 2:
            found.problem(
                name,
                exp,
                act,
                f"for an unbatched input {name} is 2-D (L*D, H)",
                zeros,
            )
            return
        causes = _axis_causes(module, name, got, want, 0, None)
        found.problem(name, exp, act, causes[0], causes[1])
        return
    # batched (3-D input or packed): 3-D states (L*D, N, H_out)
    if len(got) == 2:
        if got == (want[0], want[2]):
            cause = (
                f"{name} is {act}, the unbatched layout (L*D, H): a batched input needs "
                f"a batch axis in the middle, one state per sequence"
            )
            fix = f"{name} = {name}.unsqueeze(1).repeat(1, {want[1]}, 1)  # {act} -> {exp}"
        elif got == (want[1], want[2]):
            cause = (
                f"{name} is {act}, one state per sequence but no layer axis: nn.{mname} wants "
                f"L*D = {LD} states (as a cell's state is (N, H), this is the module's "
                "one extra axis)"
            )
            fix = (
                f"{name} = {name}.unsqueeze(0)  # {act} -> {exp}"
                if LD == 1
                else f"{name} = {name}.unsqueeze(0).repeat({LD}, 1, 1)  # {act} -> {exp}"
            )
        else:
            cause = f"a batched input needs a 3-D {name} (L*D, N, H)"
            fix = zeros
        found.problem(name, exp, act, cause, fix)
        return
    if len(got) != 3:
        found.problem(name, exp, act, f"{name} must be 3-D (L*D, N, H)", zeros)
        return
    N, N_alt = want[1], layout.N_alt
    if got == (N, LD, size):
        if module.batch_first:
            cause = (
                f"batch_first=True was assumed to apply to {name}: it changes only input and "
                f"output; {name} is always (L*D, N, H), here {exp}"
            )
        else:
            cause = (
                f"the batch and layer axes of {name} are swapped: states are "
                f"(L*D, N, H) = {exp}, not (N, L*D, H)"
            )
        fix = f"{name} = {name}.transpose(0, 1).contiguous()  # {act} -> {exp}"
        found.problem(name, exp, act, cause, fix)
        return
    if N_alt is not None and N_alt != N and got in ((LD, N_alt, size), (N_alt, LD, size)):
        other = 1 if module.batch_first else 0
        swapped = got == (N_alt, LD, size)
        cause = (
            f"{name} is built for N={N_alt} sequences, the size of input axis {other}: the input "
            f"looks {'batch-first (N, T, H_in)' if not module.batch_first else 'time-first (T, N, H_in)'}"
            f", but the module has batch_first={module.batch_first} and reads axis "
            f"{1 - other} (size {N}) as the batch"
        )
        if swapped:
            cause += f"; {name}'s batch and layer axes are swapped as well"
        want_fixed = (LD, N_alt, size)
        fix = (
            f"{var} = {RNNConfig.from_module(module).replace(batch_first=not module.batch_first).code()}"
            f"  # or: x = x.transpose(0, 1)"
        )
        if swapped:
            fix += f"\n{name} = {name}.transpose(0, 1).contiguous()  # {act} -> {fmt_shape(want_fixed)}"
        found.problem(name, exp, act, cause, fix)
        return
    cause, fix = _axis_causes(module, name, got, want, 1, layout)
    found.problem(name, exp, act, cause, fix)


def _axis_causes(
    module: nn.RNNBase, name: str, got: Shape, want: Shape, batch_axis: int, layout: _Layout | None
) -> tuple[str, str]:
    """Cause and fix for a state with the right number of axes but wrong sizes."""
    L, D = module.num_layers, 2 if module.bidirectional else 1
    LD = L * D
    exp, act = fmt_shape(want), fmt_shape(got)
    causes, fixes = [], []
    if got[0] != LD:
        if D == 2 and got[0] == L:
            causes.append(
                f"{name} has {got[0]} = L rows, the state of a unidirectional model: a "
                f"bidirectional model needs one per layer and direction, L*D = {L}*2 = {LD}"
            )
            fixes.append(f"{name} = {name}.repeat_interleave(2, dim=0)  # same start both ways")
        elif D == 1 and got[0] == 2 * L:
            causes.append(
                f"{name} has {got[0]} = L*2 rows, the state of a bidirectional model; "
                f"this one is unidirectional and needs L = {L}"
            )
            fixes.append(
                f"{name} = {name}.view({L}, 2, *{name}.shape[1:])[:, 0]  # keep the forward direction"
            )
        else:
            causes.append(
                f"axis 0 of {name} counts layers x directions: L={L} x D={D} = {LD}, not {got[0]}"
            )
    if batch_axis and got[1] != want[1]:
        if layout is not None and layout.packed:
            causes.append(
                f"{name} holds {got[1]} sequences but the packed batch has N = {want[1]} "
                "(one state per sequence, in the order before sorting)"
            )
        else:
            causes.append(
                f"{name} holds {got[1]} sequences but the input has N = {want[1]}: typically a state "
                "kept from a previous batch, or the last, smaller batch of a DataLoader"
            )
        if layout is not None and layout.packed and not layout.N_alt:
            n_code, like = "int(x.batch_sizes[0])", "x.data"
        else:
            n_code, like = f"x.size({0 if module.batch_first else 1})", "x"
        fixes.append(
            f"{name} = torch.zeros({want[0]}, {n_code}, {want[-1]}, dtype={like}.dtype, "
            f"device={like}.device)  # size the state from the batch"
        )
    if got[-1] != want[-1]:
        proj = getattr(module, "proj_size", 0)
        if proj and name == "h_0" and got[-1] == module.hidden_size:
            causes.append(
                f"with proj_size={proj}, h_0 (like h_n and output) has proj_size features; only "
                f"c_0 keeps hidden_size={module.hidden_size}"
            )
        elif proj and name == "c_0" and got[-1] == proj:
            causes.append(
                f"c_0 keeps hidden_size={module.hidden_size} features; proj_size={proj} shrinks "
                "only h_0, h_n and output"
            )
        else:
            causes.append(
                f"the last axis of {name} is the module's hidden size ({want[-1]}), not {got[-1]}"
            )
    if not causes:  # pragma: no cover - every mismatch is one of the three axes
        causes.append(f"{name} is {act}, not {exp}")
    if len(fixes) != 1 or len(causes) != 1:
        fixes = [f"{name} = {_zeros_code(want)}"]
    return "; ".join(causes), fixes[0]


def _diagnose_rnn(
    module: nn.RNNBase,
    x: Any,
    hx: Any,
    lengths: Any,
    enforce_sorted: bool,
    found: _Found,
) -> None:
    var = _var(module)
    is_lstm = module.mode == "LSTM"
    mname = type(module).__name__
    if lengths is not None:
        if _is_packed(x):
            found.problem(
                "lengths",
                "None (a PackedSequence carries its lengths)",
                _describe(lengths),
                "x is already a PackedSequence; lengths are for packing a padded tensor",
                f"out, state = {var}(x)",
            )
        elif _is_tensor(x):
            pack = diagnose_pack(
                x, lengths, batch_first=module.batch_first, enforce_sorted=enforce_sorted, run=False
            )
            found.arguments += pack.arguments[1:]
            found.problems += pack.problems
    _check_input(found, module, x, "x")
    layout = _input_layout(module, x, lengths)
    # --- hx structure ---
    states: dict[str, Any] = {}
    if hx is not None:
        if is_lstm:
            if _is_tensor(hx):
                h = hx
                found.problem(
                    "h_0",
                    "tuple (h_0, c_0)",
                    f"one tensor {fmt_shape(hx.shape)}",
                    "nn.LSTM carries two states, h and the cell state c: pass the tuple (h_0, c_0); "
                    "a lone tensor is missing c_0 (torch then indexes it as hx[0], hx[1])",
                    (
                        "c_0 = torch.zeros_like(h_0)"
                        if not module.proj_size
                        else "c_0 = torch.zeros(h_0.size(0), h_0.size(1), "
                        f"{module.hidden_size}, dtype=h_0.dtype, device=h_0.device)"
                    )
                    + f"\nout, (h_n, c_n) = {var}(x, (h_0, c_0))",
                )
                states["h_0"] = h
            elif isinstance(hx, (tuple, list)) and len(hx) != 2:
                found.problem(
                    "hx",
                    "tuple (h_0, c_0)",
                    _describe(hx),
                    f"nn.LSTM takes exactly two states (h_0, c_0), not {len(hx)}",
                    f"out, (h_n, c_n) = {var}(x, (h_0, c_0))",
                )
                if len(hx) >= 1 and _is_tensor(hx[0]):
                    states["h_0"] = hx[0]
            elif isinstance(hx, (tuple, list)):
                states["h_0"], states["c_0"] = hx
            else:
                found.problem(
                    "hx",
                    "tuple (h_0, c_0)",
                    type(hx).__name__,
                    "nn.LSTM takes the tuple (h_0, c_0)",
                    f"out, (h_n, c_n) = {var}(x, (h_0, c_0))",
                )
        else:
            if isinstance(hx, (tuple, list)):
                found.problem(
                    "hx",
                    "one tensor h_0",
                    _describe(hx),
                    f"nn.{mname} has no cell state: it takes h_0 alone, not a tuple (an LSTM's "
                    "(h, c) does not fit a GRU or RNN)",
                    f"h_0 = hx[0]\nout, h_n = {var}(x, h_0)",
                )
                if len(hx) >= 1 and _is_tensor(hx[0]):
                    states["h_0"] = hx[0]
            elif _is_tensor(hx):
                states["h_0"] = hx
            else:
                found.problem(
                    "hx",
                    "one tensor h_0",
                    type(hx).__name__,
                    f"nn.{mname} takes a tensor h_0",
                    f"out, h_n = {var}(x, h_0)  # h_0: (L*D, N, H_out)",
                )
    if layout is None:
        for n, t in states.items():
            if _is_tensor(t):
                found.arg(n, _describe(t), "-", "depends on the input, which cannot be read")
        return
    expected = _rnn_expected_states(module, layout)
    for n, (shape, _formula, why) in expected.items():
        t = states.get(n)
        if n not in states and hx is None:
            found.arg(n, "None (zeros)", fmt_shape(shape), why)
            continue
        if t is None:
            continue
        if not _is_tensor(t):
            found.problem(
                n,
                fmt_shape(shape),
                type(t).__name__,
                f"{n} must be a tensor",
                f"{n} = {_zeros_code(shape)}",
            )
            continue
        found.arg(n, _describe(t), fmt_shape(shape), why)
        if tuple(t.shape) != shape:
            _state_problem(found, module, n, t, shape, layout, x)
        else:
            _check_dtype_device(found, n, t, module, n)
            if (
                module.batch_first
                and layout.batched
                and shape[0] == shape[1]
                and n == "h_0"
                and shape[0] > 1
            ):
                found.notes.append(
                    f"h_0 is {fmt_shape(shape)}: with batch_first=True and N = L*D = "
                    f"{shape[0]} it fits both readings. torch reads axis 0 as layers x directions, "
                    "axis 1 as the batch; if h_0 was built batch-first, use h_0.transpose(0, 1)."
                )
    if module.dropout and module.num_layers == 1:
        found.notes.append(
            f"dropout={module.dropout} does nothing with num_layers=1: dropout applies to the "
            "outputs of every layer except the last."
        )


# --- cells ----------------------------------------------------------------------------------


def _diagnose_cell(module: nn.RNNCellBase, x: Any, hx: Any, found: _Found) -> None:
    from torch import nn

    name = type(module).__name__
    is_lstm = isinstance(module, nn.LSTMCell)
    H_in, H = module.input_size, module.hidden_size
    if not _is_tensor(x):
        found.arg("input", _describe(x), f"(N, {H_in})", "a cell takes one time step")
        found.problem(
            "input",
            f"(N, {H_in}) or ({H_in},)",
            type(x).__name__,
            f"nn.{name} takes a tensor",
            "x_t = torch.as_tensor(x_t)",
        )
        return
    nl = getattr(module, "nonlinearity", "tanh")
    if nl not in ("tanh", "relu"):
        found.problem(
            "nonlinearity",
            "'tanh' or 'relu'",
            repr(nl),
            "nn.RNNCell applies tanh or relu; it checks the name only when called",
            f"cell = nn.RNNCell({H_in}, {H}, nonlinearity='tanh')",
        )
    batched = x.dim() == 2
    N = x.size(0) if batched else None
    exp_x = f"({N}, {H_in})" if batched else f"({H_in},)"
    if x.dim() not in (1, 2):
        exp_x = f"(N, {H_in}) or ({H_in},)"
    found.arg(
        "input",
        _describe(x),
        exp_x,
        "a cell takes one time step: (N, H_in), or (H_in,) unbatched",
    )
    _check_dtype_device(found, "input", x, module, "x_t")
    if x.dim() not in (1, 2):
        shape = tuple(x.shape)
        if x.dim() == 3:
            if shape[0] == 1:
                cause = "a cell takes one step (N, H_in); this has a leading axis of size 1"
                fix = "x_t = x_t.squeeze(0)"
            else:
                cause = (
                    f"a cell is one time step, one layer, one direction: a 3-D input looks like a "
                    f"whole sequence (T, N, H_in). Loop over time, or use nn.{name[:-4]}"
                )
                init = f"torch.zeros({shape[1]}, {H}, dtype=x.dtype, device=x.device)  # (N, H)"
                fix = (
                    (f"h = {init}\nc = torch.zeros_like(h)\n" if is_lstm else f"h = {init}\n")
                    + "for x_t in x:  # x: (T, N, H_in)\n    "
                    + ("h, c = cell(x_t, (h, c))" if is_lstm else "h = cell(x_t, h)")
                )
        else:
            cause = f"a cell takes (N, H_in) or (H_in,), not a {x.dim()}-D tensor"
            fix = f"x_t = x_t.reshape(-1, {H_in})"
        found.problem("input", exp_x, _describe(x), cause, fix)
        return
    if x.size(-1) != H_in:
        moved = _feature_fix(x, H_in, "x_t") if batched else None
        cause, fix = moved or (
            f"the cell was built with input_size={H_in}, but the input has {x.size(-1)} features",
            f"cell = nn.{name}({int(x.size(-1))}, {H})  # or give it {H_in} features",
        )
        found.problem("input", exp_x, fmt_shape(x.shape), cause, fix)
    if hx is None:
        for n in ("h", "c") if is_lstm else ("h",):
            found.arg(n, "None (zeros)", fmt_shape((N, H) if batched else (H,)), "")
        return
    want: Shape = (N, H) if batched else (H,)
    states: dict[str, Any] = {}
    if is_lstm:
        if _is_tensor(hx) or not isinstance(hx, (tuple, list)) or len(hx) != 2:
            found.problem(
                "h" if _is_tensor(hx) else "hx",  # name the argument as the user passed it
                "tuple (h, c)",
                _describe(hx),
                "nn.LSTMCell takes and returns the tuple (h, c): the hidden state and the cell "
                "state" + ("; h alone is missing c" if _is_tensor(hx) else ""),
                "c = torch.zeros_like(h)\nh, c = cell(x_t, (h, c))",
            )
            if _is_tensor(hx):
                return
            if isinstance(hx, (tuple, list)) and hx and _is_tensor(hx[0]):
                states["h"] = hx[0]
        else:
            states["h"], states["c"] = hx
    elif isinstance(hx, (tuple, list)):
        found.problem(
            "hx",
            "one tensor h",
            _describe(hx),
            f"nn.{name} has no cell state: it takes and returns h alone",
            "h = cell(x_t, h)",
        )
        if hx and _is_tensor(hx[0]):
            states["h"] = hx[0]
    else:
        states["h"] = hx
    why = (
        "(N, H): one state per sequence, no layer axis"
        if batched
        else "(H,) for an unbatched 1-D input"
    )
    for n, t in states.items():
        if not _is_tensor(t):
            found.problem(
                n,
                fmt_shape(want),
                type(t).__name__,
                f"{n} must be a tensor",
                f"{n} = torch.zeros({', '.join(map(str, want))}{',' if len(want) == 1 else ''})",
            )
            continue
        found.arg(n, _describe(t), fmt_shape(want), why)
        got = tuple(int(s) for s in t.shape)
        if got == want:
            _check_dtype_device(found, n, t, module, n)
            continue
        exp, act = fmt_shape(want), fmt_shape(got)
        if t.dim() == 3:
            if got[0] == 1 and got[1:] == want:
                cause = (
                    f"{n} is {act}, shaped like a full module's state (L*D, N, H); a "
                    "cell is one layer and one direction, so its state has no first axis"
                )
                fix = f"{n} = {n}.squeeze(0)  # {act} -> {exp}"
            else:
                cause = (
                    f"a cell's state is (N, H) with no layer axis; from a module's "
                    f"state take one layer: {n}[layer]"
                )
                fix = f"{n} = {n}[-1]  # the last layer's state, (N, H)"
        elif t.dim() > 3 or t.dim() == 0:
            cause = f"a cell's state is (N, H) or (H,), not {t.dim()}-D"
            fix = f"{n} = torch.zeros({', '.join(map(str, want))}{',' if len(want) == 1 else ''} dtype=x_t.dtype)"
        elif batched and t.dim() == 1:
            cause = (
                f"the input is batched (N={N}), so {n} needs one state per sequence: (N, H); "
                f"a 1-D {n} is the unbatched layout"
            )
            fix = f"{n} = {n}.expand({N}, -1).contiguous()  # {act} -> {exp}"
        elif not batched and t.dim() == 2:
            if got == (1, H):
                cause = (
                    f"the input is 1-D (unbatched), so {n} must be 1-D (H,); or make the "
                    "input a batch of one"
                )
                fix = f"x_t = x_t.unsqueeze(0)  # (1, {H_in}): a batch of one, matching {n}"
            else:
                cause = (
                    f"the input is 1-D, one unbatched step, but {n} holds {got[0]} sequences: give "
                    f"the input its batch axis, (N, H_in)"
                )
                fix = f"x_t = x_t.view({got[0]}, {H_in})  # if x_t holds {got[0]} sequences"
        elif batched and got == (H, N) and H != N:
            cause = f"{n}'s axes are swapped: a cell's state is (N, H)"
            fix = f"{n} = {n}.t().contiguous()  # {act} -> {exp}"
        elif batched and got[0] != N and got[1] == H:
            cause = (
                f"{n} holds {got[0]} sequences but the input has N = {N}: typically a state kept "
                "from a previous, larger batch"
            )
            fix = f"{n} = torch.zeros(x_t.size(0), {H}, dtype=x_t.dtype, device=x_t.device)"
        else:
            cause = f"the cell was built with hidden_size={H}; {n} has {got[-1]} features"
            fix = f"{n} = torch.zeros({', '.join(map(str, want))}, dtype=x_t.dtype)"
        found.problem(n, exp, act, cause, fix)


# --- pack_padded_sequence --------------------------------------------------------------------


def diagnose_pack(
    x: Any,
    lengths: Any,
    *,
    batch_first: bool = False,
    enforce_sorted: bool = True,
    run: bool = True,
) -> Diagnosis:
    """Check ``pack_padded_sequence(x, lengths, batch_first=..., enforce_sorted=...)``.

    Args:
        x: the padded batch ``(T, N, *)`` (``(N, T, *)`` if batch_first).
        lengths: list or 1-D CPU int64 tensor, one length per sequence, each in ``1..T``.
        run: also call torch and record its message.

    Returns:
        A :class:`Diagnosis` whose problems name ``input`` or ``lengths``.
    """

    call = (
        f"pack_padded_sequence(x, lengths, batch_first={batch_first}, "
        f"enforce_sorted={enforce_sorted})"
    )
    found = _Found()
    b, t = (0, 1) if batch_first else (1, 0)
    lay = "(N, T, *)" if batch_first else "(T, N, *)"
    _pack_checks(found, x, lengths, batch_first, enforce_sorted, b, t, lay)
    d = Diagnosis(call, found.arguments, found.problems, found.notes)
    if run and not any(p.kind == "silent" for p in d.problems) and _is_tensor(x):
        from torch.nn.utils.rnn import pack_padded_sequence

        try:
            with _suspended():
                pack_padded_sequence(
                    x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted
                )
        except Exception as exc:  # record torch's own words
            d.torch_error = f"{type(exc).__name__}: {exc}"
            if d.ok:
                d.problems.append(_generic_problem(exc, "lengths"))
    return d


def _batch_sizes(lengths: Sequence[int]) -> list[int]:
    """A PackedSequence's batch_sizes: how many sequences are still running at each step."""
    return [sum(v > k for v in lengths) for k in range(max(lengths, default=0))]


def _pack_checks(
    found: _Found, x: Any, lengths: Any, batch_first: bool, enforce_sorted: bool, b, t, lay
) -> None:

    if not _is_tensor(x):
        found.arg("input", _describe(x), lay, "the padded batch")
        found.problem(
            "input",
            lay,
            type(x).__name__,
            "pack_padded_sequence takes the padded batch as a tensor",
            "x = pad_sequence(sequences, batch_first=...)",
        )
        return
    if x.dim() < 2:
        found.arg("input", _describe(x), lay, "the padded batch: a time axis and a batch axis")
        found.problem(
            "input",
            lay,
            fmt_shape(x.shape),
            "pack_padded_sequence needs the padded batch with a time axis and a batch axis; a "
            f"{x.dim()}-D tensor is one sequence at most",
            "x = x.view(-1, 1, 1)  # (T, 1, 1): one sequence of scalars",
        )
        return
    N, T = x.size(b), x.size(t)
    found.arg(
        "input",
        _describe(x),
        lay,
        f"batch_first={batch_first}: N={N} from axis {b}, T={T} from axis {t}",
    )
    # --- lengths: type, device, dims ---
    if _is_tensor(lengths):
        L_t = lengths
        desc = f"{fmt_shape(L_t.shape) if L_t.dim() else '0-D'} {L_t.device.type} {L_t.dtype}"
        found.arg("lengths", desc, f"({N},) cpu int64", "one length per sequence, on the CPU")
        if L_t.dim() == 0:
            v = L_t.item()
            found.problem(
                "lengths",
                f"({N},) list or cpu int64 tensor",
                repr(v),
                f"lengths needs one entry per sequence, N={N}, not a single number",
                f"lengths = [{v!r}] * {N}",
            )
            return
        if L_t.dim() != 1:
            found.problem(
                "lengths",
                f"({N},) cpu int64",
                desc,
                f"lengths must be a 1-D tensor (or list) with one entry per sequence, N={N}",
                "lengths = lengths.flatten()"
                if L_t.numel() == N
                else "lengths = torch.tensor([...])  # one per sequence",
            )
            return
        if L_t.device.type != "cpu":
            found.problem(
                "lengths",
                f"({N},) cpu int64",
                desc,
                "lengths must stay on the CPU even when the batch is on the GPU: packing reads "
                "them in host code to compute batch_sizes",
                "lengths = lengths.cpu()",
            )
            return
        if L_t.is_floating_point() and not bool((L_t == L_t.round()).all()):
            found.problem(
                "lengths",
                "whole numbers",
                str([round(v, 3) for v in L_t.tolist()]),
                "lengths are converted to int64, which cuts off the fractions silently",
                "lengths = lengths.round().long()",
                kind="silent",
            )
        values = [int(v) for v in L_t.tolist()]
    else:
        try:
            values = [int(v) for v in lengths]
        except TypeError:
            found.arg("lengths", _describe(lengths), f"({N},) cpu int64", "one length per sequence")
            found.problem(
                "lengths",
                f"({N},) list or cpu int64 tensor",
                repr(lengths),
                f"lengths needs one entry per sequence, N={N}, not a single number",
                f"lengths = [{lengths!r}] * {N}" if isinstance(lengths, int) else "lengths = [...]",
            )
            return
        found.arg(
            "lengths",
            f"list of {len(values)}: {values}",
            f"{N} values in 1..{T}",
            "one length per sequence",
        )
    if len(values) != N:
        other = x.size(t)
        if len(values) == other and not any(v > x.size(b) for v in values):
            cause = (
                f"{len(values)} lengths match axis {t} of x (size {other}), not the batch axis {b}: "
                f"x looks {'time-first (T, N, *)' if batch_first else 'batch-first (N, T, *)'}, so "
                f"batch_first should be {not batch_first}"
            )
            fix = (
                f"packed = pack_padded_sequence(x, lengths, batch_first={not batch_first}, "
                f"enforce_sorted={enforce_sorted})"
            )
        else:
            cause = f"one length per sequence: x holds N={N} sequences on axis {b}"
            fix = f"assert len(lengths) == x.size({b})"
        found.problem("lengths", f"({N},)", f"({len(values)},)", cause, fix)
        return
    bad = [i for i, v in enumerate(values) if v <= 0]
    if bad:
        found.problem(
            "lengths",
            f"values in 1..{T}",
            str(values),
            f"sequence(s) {bad} have length <= 0: a PackedSequence cannot hold an empty sequence",
            "keep = torch.as_tensor(lengths) > 0  # drop empty sequences (or give them one pad step)\n"
            f"x, lengths = x[{':, ' if not batch_first else ''}keep], torch.as_tensor(lengths)[keep]",
        )
    long_ = [i for i, v in enumerate(values) if v > T]
    if long_:
        other = x.size(b)
        hint = ""
        if max(values) <= other and len(values) == x.size(t):
            hint = f" (is batch_first right? axis {b} has {other} steps)"
        sizes = _batch_sizes(values)
        rows = sum(min(v, T) for v in values)
        found.problem(
            "lengths",
            f"values in 1..{T}",
            str(values),
            f"sequence(s) {long_} are longer than the padded time axis T={T}{hint}. "
            f"pack_padded_sequence does not check this: it returns batch_sizes {sizes} "
            f"({sum(sizes)} rows in all) with data of only the {rows} rows x has, so the recurrent "
            "layer (or pad_packed_sequence) that reads the PackedSequence raises",
            f"lengths = torch.as_tensor(lengths).clamp(max=x.size({t}))  # or pad x to max(lengths)",
        )
    if enforce_sorted and values != sorted(values, reverse=True) and not bad:
        found.problem(
            "lengths",
            "decreasing order",
            str(values),
            "enforce_sorted=True (the default) needs the sequences sorted longest first; "
            "enforce_sorted=False sorts them for you and h_n comes back in your order",
            f"packed = pack_padded_sequence(x, lengths, batch_first={batch_first}, "
            "enforce_sorted=False)",
        )


# --- running and torch's own messages --------------------------------------------------------

_local = threading.local()


@contextlib.contextmanager
def _suspended() -> Iterator[None]:
    """Our own test runs are not recorded by explain_errors' hooks."""
    prev = getattr(_local, "suspended", False)
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = prev


def _generic_problem(exc: BaseException, default: str) -> Problem:
    """A problem from torch's message alone, when no rule above recognised the call."""
    msg = str(exc)
    name = default
    m = re.search(r"hidden\[(\d)\]|hidden(\d)|hx\[(\d)\]", msg)
    if m:
        idx = next(g for g in m.groups() if g is not None)
        name = "h_0" if idx == "0" else "c_0"
    elif "input" in msg.lower():
        name = "input"
    shapes = re.findall(r"[\(\[][\d, ]+[\)\]]", msg)
    expected = shapes[0] if shapes else "-"
    actual = shapes[1] if len(shapes) > 1 else "-"
    return Problem(
        name,
        expected,
        actual,
        f"torch refused the call: {msg.splitlines()[0]}",
        "compare each argument's shape with the 'expected' column above",
    )


def _reads_past_data(module: Any, x: Any, lengths: Any) -> bool:
    """True when the call would read a packed batch past its data (a length longer than T)."""
    try:
        if _is_packed(x):
            return int(x.batch_sizes.sum()) != x.data.size(0)
        if lengths is not None and _is_tensor(x) and x.dim() >= 2:
            T = x.size(1 if getattr(module, "batch_first", False) else 0)
            return max(int(v) for v in lengths) > T
    except (TypeError, ValueError, RuntimeError):  # odd lengths: the checks above explain them
        return False
    return False


def _run(module: nn.Module, x: Any, hx: Any, lengths: Any, enforce_sorted: bool) -> str | None:
    """Call the module as described; torch's error as ``Type: message``, or None."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence

    try:
        with torch.no_grad(), quiet_rnn_warnings(), _suspended():
            if lengths is not None and _is_tensor(x):
                x = pack_padded_sequence(
                    x, lengths, batch_first=module.batch_first, enforce_sorted=enforce_sorted
                )
            if hx is None:
                module(x)
            else:
                module(x, hx)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _call_text(module: nn.Module, x: Any, hx: Any, lengths: Any) -> str:
    from torch import nn

    var = _var(module)
    cell = isinstance(module, nn.RNNCellBase)
    if cell:
        args = ["x_t"]
    else:
        args = ["pack_padded_sequence(x, lengths, ...)" if lengths is not None else "x"]
    if hx is not None:  # name the state as the user passed it: a tensor, or a tuple of k
        names = ("h", "c") if cell else ("h_0", "c_0")
        if isinstance(hx, (tuple, list)):
            k = len(hx)
            inner = [names[i] if i < 2 else f"hx[{i}]" for i in range(k)]
            args.append("(" + ", ".join(inner) + ("," if k == 1 else "") + ")")
        else:
            args.append(names[0])
    return f"{var} = {_module_code(module)};  {var}({', '.join(args)})"


def diagnose(
    module: nn.Module,
    x: Any,
    hx: Any = None,
    *,
    lengths: Any = None,
    enforce_sorted: bool = True,
    run: bool = True,
) -> Diagnosis:
    """Check a call ``module(x, hx)`` and explain what is wrong, in plain words, with the fix.

    Args:
        module: ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` or ``nn.RNNCell`` / ``nn.LSTMCell`` /
            ``nn.GRUCell``.
        x: the input: ``(T, N, H_in)`` (``(N, T, H_in)`` if batch_first), ``(T, H_in)``
            unbatched, or a PackedSequence; for a cell one step ``(N, H_in)`` or ``(H_in,)``.
        hx: ``h_0`` ``(L*D, N, H_out)``, ``(h_0, c_0)`` for LSTM, ``h`` / ``(h, c)`` for a cell.
        lengths: if given, ``x`` is a padded batch to be packed with these lengths first.
        enforce_sorted: as in ``pack_padded_sequence`` (when ``lengths`` is given).
        run: after the checks, run the call (no grad) and record torch's message.

    Returns:
        A :class:`Diagnosis`: ``ok``, ``arguments``, ``problems`` (tensor, expected, actual,
        cause, fix), ``notes``, ``torch_error``.

    Raises:
        ValueError: if ``module`` is not a recurrent layer or cell.
    """
    return _diagnose(module, x, hx, lengths, enforce_sorted, run=run)


def _diagnose(
    module: Any,
    x: Any,
    hx: Any,
    lengths: Any,
    enforce_sorted: bool,
    *,
    run: bool = True,
    error: BaseException | None = None,
) -> Diagnosis:
    from torch import nn

    found = _Found()
    if isinstance(module, nn.RNNBase):
        _diagnose_rnn(module, x, hx, lengths, enforce_sorted, found)
    elif isinstance(module, nn.RNNCellBase):
        if lengths is not None:
            raise ValueError("lengths is for nn.RNN / nn.LSTM / nn.GRU; a cell takes one step")
        _diagnose_cell(module, x, hx, found)
    else:
        raise ValueError(
            "module must be nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell or nn.GRUCell "
            f"(got module={type(module).__name__})"
        )
    d = Diagnosis(_call_text(module, x, hx, lengths), found.arguments, found.problems, found.notes)
    if error is not None:
        d.torch_error = f"{type(error).__name__}: {error}"
    elif (
        run
        and not any(p.kind == "silent" for p in d.problems)
        and not (_reads_past_data(module, x, lengths) and _weight(module).device.type != "cpu")
    ):  # on the CPU torch checks every read; elsewhere we do not run a call that reads past x
        d.torch_error = _run(module, x, hx, lengths, enforce_sorted)
    if d.torch_error and d.ok:
        exc = error or RuntimeError(d.torch_error.split(": ", 1)[-1])
        d.problems.append(_generic_problem(exc, "input"))
    return d


# --- explain_errors: hooks + the traceback ---------------------------------------------------

_EXPLAINED = (RuntimeError, ValueError, IndexError, TypeError, AttributeError)


def _tb_frames(exc: BaseException) -> list[types.FrameType]:
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    return frames


def _failed_call(
    exc: BaseException, recorded: list[tuple[Any, tuple]]
) -> tuple[Any, tuple, dict] | None:
    """The innermost recorded recurrent module whose call is on the traceback: module, args, kwargs."""
    import torch

    call_impl = torch.nn.Module._call_impl.__code__
    wrapped = torch.nn.Module._wrapped_call_impl.__code__
    frames = _tb_frames(exc)
    for module, args in reversed(recorded):
        for f in reversed(frames):
            if f.f_code in (call_impl, wrapped) and f.f_locals.get("self") is module:
                args = tuple(f.f_locals.get("args", args))
                return module, args, dict(f.f_locals.get("kwargs") or {})
    return None


def _frame_locals(exc: BaseException, func: Any) -> dict[str, Any] | None:
    code = getattr(func, "__code__", None)
    for f in reversed(_tb_frames(exc)):
        if f.f_code is code:
            return dict(f.f_locals)
    return None


def explain(exc: BaseException, recorded: Sequence[tuple[Any, tuple]] = ()) -> Diagnosis | None:
    """A Diagnosis for an exception raised by a recurrent layer, packing or a constructor.

    ``recorded`` lists ``(module, args)`` of recurrent calls seen by :func:`explain_errors`'
    hooks; without it the module is found from the traceback alone.
    """
    import torch
    from torch.nn.utils import rnn as rnn_utils

    calls = list(recorded)
    if not calls:  # find recurrent modules on the traceback
        for f in _tb_frames(exc):
            m = f.f_locals.get("self")
            if isinstance(m, (torch.nn.RNNBase, torch.nn.RNNCellBase)) and f.f_code is (
                torch.nn.Module._call_impl.__code__
            ):
                calls.append((m, tuple(f.f_locals.get("args", ()))))
    hit = _failed_call(exc, calls)
    if hit is not None:
        module, args, kwargs = hit
        x = args[0] if args else kwargs.get("input")
        hx = args[1] if len(args) > 1 else kwargs.get("hx")
        return _diagnose(module, x, hx, None, True, run=False, error=exc)
    loc = _frame_locals(exc, rnn_utils.pack_padded_sequence)
    if loc is not None:
        si = loc.get("sorted_indices")
        if _is_tensor(si) and _is_tensor(loc.get("lengths")):  # undo enforce_sorted=False's sort
            inv = torch.empty_like(si)
            inv[si] = torch.arange(len(si), device=si.device)
            loc["lengths"] = loc["lengths"][inv.cpu()]
            bdim = 0 if loc.get("batch_first") else 1
            loc["input"] = loc["input"].index_select(bdim, inv.to(loc["input"].device))
        d = diagnose_pack(
            loc["input"],
            loc["lengths"],
            batch_first=loc.get("batch_first", False),
            enforce_sorted=loc.get("enforce_sorted", True),
            run=False,
        )
        d.torch_error = f"{type(exc).__name__}: {exc}"
        if d.ok:
            d.problems.append(_generic_problem(exc, "lengths"))
        return d
    loc = _frame_locals(exc, rnn_utils.pad_packed_sequence)
    if loc is not None and "total_length" in str(exc):
        T = int(loc["sequence"].batch_sizes.size(0))
        return Diagnosis(
            "pad_packed_sequence(packed, total_length=...)",
            [Argument("total_length", str(loc["total_length"]), f">= {T}", "the longest sequence")],
            [
                Problem(
                    "total_length",
                    f">= {T} (the longest sequence)",
                    str(loc["total_length"]),
                    "total_length pads the output up to a fixed length; it cannot cut the "
                    f"longest sequence ({T} steps)",
                    f"out, lengths = pad_packed_sequence(packed, total_length={T})  # or more",
                )
            ],
            torch_error=f"{type(exc).__name__}: {exc}",
        )
    return _explain_constructor(exc)


def _explain_constructor(exc: BaseException) -> Diagnosis | None:
    """Bad constructor arguments of nn.RNN / nn.LSTM / nn.GRU / *Cell, from the frame's locals."""
    from torch import nn

    msg = str(exc)
    loc = None
    for func in (nn.RNNBase.__init__, nn.RNN.__init__, nn.GRU.__init__, nn.RNNCellBase.__init__):
        loc = _frame_locals(exc, func)
        if loc is not None:
            break
    if loc is None:
        return None
    kw = dict(loc.get("kwargs") or {})
    args = tuple(loc.get("args") or ())
    for i, k in enumerate(("input_size", "hidden_size", "num_layers")):
        if i < len(args):
            kw.setdefault(k, args[i])
    for k in ("input_size", "hidden_size", "num_layers", "dropout", "proj_size", "bias"):
        if k in loc:
            kw[k] = loc[k]
    cls = type(loc.get("self")).__name__ if "self" in loc else "LSTM"
    hs = kw.get("hidden_size")
    rules: list[tuple[str, str, str, str, str]] = [
        # (message regex, argument, expected, cause, fix)
        (
            r"dropout should be a number in range \[0, 1\]",
            "dropout",
            "a float in [0, 1)",
            "dropout is the probability of zeroing an element between layers",
            f"nn.{cls}(..., dropout=0.2)",
        ),
        (
            r"proj_size has to be smaller than hidden_size",
            "proj_size",
            f"< hidden_size={hs}",
            "proj_size projects h down from hidden_size to fewer features; 0 turns it off",
            f"nn.{cls}(..., hidden_size={hs}, proj_size={max(1, (hs or 2) // 2)})",
        ),
        (
            r"proj_size should be a positive integer or zero",
            "proj_size",
            "an integer >= 0",
            "proj_size is a number of features; 0 means no projection",
            f"nn.{cls}(..., proj_size=0)",
        ),
        (
            r"proj_size argument is only supported for LSTM",
            "proj_size",
            "only for nn.LSTM",
            "only nn.LSTM has a projection (weight_hr_l*); RNN and GRU do not",
            f"nn.{cls}(input_size, hidden_size)  # drop proj_size, or use nn.LSTM",
        ),
        (
            r"Unknown nonlinearity",
            "nonlinearity",
            "'tanh' or 'relu'",
            "nn.RNN applies tanh or relu; LSTM and GRU have fixed activations",
            "nn.RNN(input_size, hidden_size, nonlinearity='tanh')",
        ),
        (
            r"(input_size|hidden_size|num_layers) must be greater than zero",
            "",
            ">= 1",
            "sizes and layer counts are positive integers",
            "",
        ),
        (
            r"(\w+) should be of type (\w+), got: (\w+)",
            "",
            "",
            "",
            "",
        ),
    ]
    for pattern, arg, expected, cause, fix in rules:
        m = re.search(pattern, msg)
        if not m:
            continue
        if not arg:
            arg = m.group(1)
        if not expected:
            expected = f"type {m.group(2)}"
            cause = f"{arg} must be a {m.group(2)}"
        if not fix:
            good = "True" if arg == "bias" else "1"
            if arg in ("input_size", "hidden_size") and isinstance(kw.get(arg), float):
                good = str(int(kw[arg]))
            fix = f"nn.{cls}(..., {arg}={good})"
        actual = repr(kw.get(arg, loc.get(arg, loc.get("self") and getattr(loc["self"], arg, "?"))))
        return Diagnosis(
            f"nn.{cls}(...)",
            [Argument(arg, actual, expected, cause)],
            [Problem(arg, expected, actual, cause, fix)],
            torch_error=f"{type(exc).__name__}: {exc}",
        )
    return None


def _with_explanation(exc: BaseException, d: Diagnosis) -> BaseException:
    text = f"{exc}\n\n{d}"
    try:
        new = type(exc)(text)
    except Exception:
        new = RuntimeError(text)
    new.diagnosis = d  # type: ignore[attr-defined]
    return new


@contextlib.contextmanager
def explain_errors() -> Iterator[None]:
    """Re-raise a recurrent layer's shape/argument error with a plain-language explanation.

    Inside the block, global forward pre-hooks record each call of an ``nn.RNN`` / ``nn.LSTM`` /
    ``nn.GRU`` / cell (removed on exit). When torch raises, the failing call is diagnosed and a
    new exception of the same type is raised ``from`` the original: its message is torch's,
    then the explanation; ``err.diagnosis`` holds the :class:`Diagnosis`. Errors that are not
    about a recurrent layer, ``pack_padded_sequence`` or their constructors pass unchanged.
    """
    from torch import nn
    from torch.nn.modules.module import (
        register_module_forward_hook,
        register_module_forward_pre_hook,
    )

    recorded: list[tuple[Any, tuple]] = []

    def pre(module: nn.Module, args: tuple) -> None:
        if isinstance(module, (nn.RNNBase, nn.RNNCellBase)) and not getattr(
            _local, "suspended", False
        ):
            recorded.append((module, args))

    def post(module: nn.Module, args: tuple, output: Any) -> None:
        if recorded and recorded[-1][0] is module:
            recorded.pop()

    handles = [register_module_forward_pre_hook(pre), register_module_forward_hook(post)]
    try:
        yield
    except _EXPLAINED as exc:
        if hasattr(exc, "diagnosis"):
            raise
        try:
            d = explain(exc, recorded)
        except Exception:  # never hide torch's error behind a bug of ours
            d = None
        if d is None or d.ok:
            raise
        raise _with_explanation(exc, d) from exc
    finally:
        for h in handles:
            h.remove()


# --- silent traps: is this the sequence summary? ---------------------------------------------


def _padded(out: Any, batch_first: bool, total_length: int | None = None) -> Tensor:
    from torch.nn.utils.rnn import pad_packed_sequence

    if _is_packed(out):
        return pad_packed_sequence(out, batch_first=batch_first, total_length=total_length)[0]
    return out


def check_summary(
    module: nn.RNNBase,
    x: Any,
    summary: Tensor,
    *,
    lengths: Any = None,
    hx: Any = None,
) -> Diagnosis:
    """Is ``summary`` each sequence's final state? Flags the silent traps of a call.

    Args:
        module: the ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` the user ran.
        x: its input as the user passed it: a tensor (``(T, N, H_in)`` / batch-first / 2-D
            unbatched) or a PackedSequence.
        summary: the tensor the user takes as the summary of each sequence, e.g. ``out[:, -1]``.
        lengths: the true lengths when ``x`` is a padded tensor that was run unpacked.
        hx: the initial state the user passed, if any.

    Returns:
        A :class:`Diagnosis`: ``ok`` when ``summary`` equals the last layer's final state of every
        sequence, directions concatenated (``final_hidden(h_n, L, bidirectional)`` of the packed
        run) and no other trap applies; otherwise a ``summary`` problem naming what it really is
        and what to take instead, plus other traps (dropout with one layer, ...).
    """
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    from .sequences import final_hidden, last_valid_output

    if not isinstance(module, nn.RNNBase):
        raise ValueError(
            f"module must be nn.RNN, nn.LSTM or nn.GRU (got module={type(module).__name__})"
        )
    if not _is_tensor(summary):
        raise ValueError(f"summary must be a tensor (got summary={type(summary).__name__})")
    bf, L = module.batch_first, module.num_layers
    D = 2 if module.bidirectional else 1
    var = _var(module)
    is_lstm = module.mode == "LSTM"
    packed_in = _is_packed(x)
    found = _Found()
    if packed_in:
        x_pad, lens = pad_packed_sequence(x, batch_first=bf)
        lens = [int(v) for v in lens]
    else:
        x_pad = x
        lens = [int(v) for v in lengths] if lengths is not None else None
    batched = packed_in or x_pad.dim() == 3
    T = x_pad.size(1 if bf else 0) if batched else x_pad.size(0)
    padded_short = lens is not None and any(n < T for n in lens)

    def run(inp: Any) -> tuple[Tensor, Tensor, Tensor | None]:
        was = module.training
        try:
            module.eval()
            with torch.no_grad(), quiet_rnn_warnings(), _suspended():
                out, state = module(inp) if hx is None else module(inp, hx)
        finally:
            module.train(was)
        h, c = state if is_lstm else (state, None)
        return _padded(out, bf, T), h, c

    if lens is not None and not packed_in:
        ref_in = pack_padded_sequence(x_pad, lens, batch_first=bf, enforce_sorted=False)
    else:
        ref_in = x
    out_ref, h_ref, _ = run(ref_in)
    out_u, h_u, c_u = run(x)  # the user's own run
    if not batched:  # give every tensor a batch axis of 1 for the comparisons
        out_ref, out_u = out_ref.unsqueeze(1), out_u.unsqueeze(1)
        h_ref, h_u = h_ref.unsqueeze(1), h_u.unsqueeze(1)
        c_u = c_u.unsqueeze(1) if c_u is not None else None
    tm = (lambda o: o.transpose(0, 1)) if (bf and batched) else (lambda o: o)
    truth = final_hidden(h_ref, L, module.bidirectional)  # (N, D*H_out)
    s = summary if batched else summary.unsqueeze(0)
    P = h_ref.size(-1)
    fix_main = f"summary = final_hidden(h_n, num_layers={L}, bidirectional={module.bidirectional})"
    if D == 1:
        fix_main += "  # = h_n[-1]"
        if lens is not None:
            fix_main += f"\n# or: last_valid_output(out, lengths, batch_first={bf})"
    else:
        fix_main += "  # = torch.cat([h_n[-2], h_n[-1]], dim=1)"
    if not batched:
        fix_main = "summary = torch.cat([h_n[-2], h_n[-1]])" if D == 2 else "summary = h_n[-1]"
        fix_main += "  # unbatched: (D * H_out,)"
    if lens is not None and not packed_in and D == 2:
        fix_main = (
            f"out, state = {var}(pack_padded_sequence(x, lengths, batch_first={bf}, "
            "enforce_sorted=False))\n" + fix_main
        )
    found.arg(
        "summary",
        fmt_shape(summary.shape),
        fmt_shape(truth.shape if batched else truth.shape[1:]),
        f"(N, D * H_out): the last layer's final state, D={D}"
        + (", both directions concatenated" if D == 2 else ""),
    )

    def close(a: Tensor, b: Tensor) -> bool:
        return a.shape == b.shape and torch.allclose(a, b, atol=1e-5, rtol=1e-4)

    exp_txt = fmt_shape(truth.shape if batched else truth.shape[1:])
    act_txt = fmt_shape(summary.shape)
    if not close(s, truth):
        last = tm(out_u)[-1]  # (N, D*H_out)
        first = tm(out_u)[0]
        last_step = "out[:, -1]" if bf else "out[-1]"
        cands: list[tuple[str, Tensor, str]] = []
        if D == 2:
            cands.append(
                (
                    last_step,
                    last,
                    "the output at the last step is not a bidirectional summary: its backward "
                    "half has read one step only (the backward direction starts at the end); "
                    "the backward final state is at step 0, h_n[-1]",
                )
            )
            cands.append(
                (
                    "h_n[-1]",
                    h_u[-1],
                    "h_n[-1] is the last layer's backward direction only: h_n stacks layers then "
                    "directions, h_n.view(L, 2, N, H_out); the forward final state is h_n[-2]",
                )
            )
            cands.append(
                (
                    "h_n[-2]",
                    h_u[-2],
                    "h_n[-2] is the last layer's forward direction only; a bidirectional summary "
                    "concatenates it with the backward one, h_n[-1]",
                )
            )
            if lens is not None:
                lv = last_valid_output(tm(out_u), lens)
                cands.append(
                    (
                        "last_valid_output(out, lengths)",
                        lv,
                        "at each sequence's last valid step the forward half is final, but the "
                        "backward half has read one step only; its final state is at step 0",
                    )
                )
        if lens is not None and padded_short:
            if packed_in:
                cands.insert(
                    0,
                    (
                        last_step,
                        last,
                        "after pad_packed_sequence, out at the last step is zero padding for "
                        f"every sequence shorter than T={T}; take each sequence's own last step",
                    ),
                )
            else:
                cands.insert(
                    0,
                    (
                        last_step,
                        last,
                        "the padded batch was run unpacked, so the last step has read the padding "
                        f"of every sequence shorter than T={T}",
                    ),
                )
                cands.insert(
                    1,
                    (
                        "h_n[-1]",
                        h_u[-1],
                        "the padded batch was run unpacked: h_n has read the padding steps of "
                        "every short sequence (pack it so each one stops at its length)",
                    ),
                )
                if D == 2:  # with one direction, final_hidden(h_n, ...) is h_n[-1]
                    cands.insert(
                        2,
                        (
                            "final_hidden(h_n, ...)",
                            final_hidden(h_u, L, module.bidirectional),
                            "the padded batch was run unpacked: h_n has read the padding steps "
                            "of every short sequence (pack it so each one stops at its length)",
                        ),
                    )
        if D == 1:
            cands.append((last_step, last, "the output at the last step"))
        cands.append(
            (
                "out[:, 0]" if bf else "out[0]",
                first,
                "the output at the first step has read one step only"
                + (" (its backward half is final, the forward half is not)" if D == 2 else ""),
            )
        )
        if L > 1:
            cands.append(
                (
                    "h_n[0]",
                    h_u[0],
                    f"h_n[0] is the first layer's state; h_n stacks all {L} layers, the last is "
                    f"h_n.view({L}, {D}, N, {P})[-1]",
                )
            )
        if c_u is not None:
            for i, name in ((-1, "c_n[-1]"), (0, "c_n[0]")):
                cands.append(
                    (
                        name,
                        c_u[i],
                        "c_n is the LSTM's cell state (its memory), not its hidden state h; the "
                        "output and h_n carry h",
                    )
                )
        hits = [(n, why) for n, t, why in cands if close(s, t)]
        if hits:
            # several expressions can hold the same values (an unpacked run: out[-1] = h_n[-1]);
            # name them all, since we cannot know which one the user wrote
            names = list(dict.fromkeys(n for n, _ in hits))
            same = f", which equals {' and '.join(names[1:])} here" if len(names) > 1 else ""
            cause = f"this is {names[0]}{same}: {hits[0][1]}"
        elif s.shape != truth.shape:
            cause = f"its shape is {act_txt}, not (N, D * H_out) = {exp_txt}"
            if D == 2 and s.shape[-1] == P:
                cause += ": a bidirectional layer has 2 * H_out features, one half per direction"
        else:
            rows = [i for i in range(truth.size(0)) if not close(s[i], truth[i])]
            cause = f"it differs from each sequence's final state in rows {rows}"
        found.problem("summary", exp_txt, act_txt, cause, fix_main, kind="trap")
    elif D == 1 and lens is not None and padded_short and not packed_in:
        found.notes.append(
            "summary is right: for a unidirectional layer each sequence's output at its own last "
            "step has not read the padding yet."
        )
    if module.dropout and L == 1:
        found.problem(
            "dropout",
            "num_layers > 1 (or dropout=0)",
            f"dropout={module.dropout}, num_layers=1",
            "dropout applies to the outputs of every layer except the last: with num_layers=1 it "
            "does nothing (torch warns); apply nn.Dropout to the output yourself",
            f"drop = nn.Dropout({module.dropout})\nsummary = drop(summary)",
            kind="trap",
        )
    if hx is not None and bf and batched:
        h0 = hx[0] if is_lstm else hx
        if _is_tensor(h0) and h0.dim() == 3 and h0.size(0) == h0.size(1):
            found.notes.append(
                f"h_0 is {fmt_shape(h0.shape)}: with batch_first=True and N = L*D it "
                "fits both readings; torch reads axis 0 as layers x directions (batch_first never "
                "applies to states)."
            )
    if module.training and module.dropout and L > 1:
        found.notes.append(
            "compared in eval mode: in training mode dropout between layers makes every run differ."
        )
    call = f"{_call_text(module, x, hx, lengths if not packed_in else None)};  summary {act_txt}"
    return Diagnosis(call, found.arguments, found.problems, found.notes)


# --- CLI ---------------------------------------------------------------------------------------

_INPUT_ONLY = {"seq_len", "batch", "unbatched"}


def _diagnose_args(p: argparse.ArgumentParser) -> None:
    import argparse

    from .cli import add_config_arguments, int_list

    tmp = argparse.ArgumentParser(add_help=False)
    add_config_arguments(tmp)
    for action in tmp._actions:
        if action.dest not in _INPUT_ONLY:
            p._add_action(action)
    p.add_argument("--input-shape", type=int_list, required=True, help="e.g. 3,10,100")
    p.add_argument("--h0-shape", type=int_list, default=None, help="e.g. 4,3,20")
    p.add_argument("--c0-shape", type=int_list, default=None, help="LSTM only")
    p.add_argument(
        "--no-enforce-sorted",
        dest="enforce_sorted",
        action="store_false",
        help="pack with enforce_sorted=False (with --lengths)",
    )


def _cmd_diagnose(args: argparse.Namespace) -> int:
    import torch

    from .cli import config_from_args

    cfg = config_from_args(args)  # the layer's knobs; the input's shapes come below
    shapes = {
        "--input-shape": args.input_shape,
        "--h0-shape": args.h0_shape,
        "--c0-shape": args.c0_shape,
    }
    for opt, shape in shapes.items():
        if shape is None:
            continue
        if not shape or any(s < 1 for s in shape):
            raise ValueError(f"{opt} must be positive integers such as 3,10,100 (got {shape})")
        n = 1
        for s in shape:
            n *= s
        if n > 50_000_000:
            raise ValueError(f"{opt} must have at most 50,000,000 elements (got {n:,})")
    if args.c0_shape is not None and cfg.mode != "LSTM":
        raise ValueError(f"--c0-shape is only for LSTM (got --mode {args.mode})")
    if args.c0_shape is not None and args.h0_shape is None:
        raise ValueError("--c0-shape needs --h0-shape")
    module = cfg.build()
    x = torch.zeros(args.input_shape)
    hx = None
    if args.h0_shape is not None:
        h0 = torch.zeros(args.h0_shape)
        hx = (h0, torch.zeros(args.c0_shape)) if args.c0_shape is not None else h0
    d = diagnose(module, x, hx, lengths=args.lengths, enforce_sorted=args.enforce_sorted)
    print(d)
    return 0 if d.ok else 1


def register_cli(register: Any) -> None:
    """Add ``lstm-explain diagnose`` (called by :mod:`lstm_explain.cli`)."""
    register(
        "diagnose",
        "explain what is wrong with a call's shapes, and the fix",
        _diagnose_args,
        _cmd_diagnose,
    )
