"""Shape model of a recurrent layer: shapes predicted by formula, observed by running torch.

``shape_report(config)`` builds the seeded module, runs it on a seeded input and returns a
:class:`ShapeReport`: every tensor's predicted and observed shape with its axis names and
formula, the parameters, and identity checks computed on the real tensors (``output[-1]`` vs
``h_n[-1]``, bidirectional halves, the ``h_n`` layout, packing).

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size,
``H_out`` = proj_size or hidden_size, ``L`` num_layers, ``D`` directions (1 or 2).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import render as R
from .config import GATE_BLOCKS, RNNConfig
from .i18n import M_, _, tr
from .identities import Check, identity_checks
from .render import Shape, fmt_shape

if TYPE_CHECKING:  # pragma: no cover
    from torch import nn


@dataclass(frozen=True)
class TensorShape:
    """One tensor of the call: its predicted and observed shape, axis names and formula."""

    name: str
    predicted: Shape
    observed: Shape | None
    dims: tuple[str, ...]
    formula: str

    @property
    def matches(self) -> bool:
        return self.observed is not None and tuple(self.observed) == tuple(self.predicted)


def tensor_names(config: RNNConfig) -> tuple[str, ...]:
    """The tensors of a call: input, h_0, [c_0,] output, h_n, [c_n]."""
    if config.mode == "LSTM":
        return ("input", "h_0", "c_0", "output", "h_n", "c_n")
    return ("input", "h_0", "output", "h_n")


def predict_shapes(config: RNNConfig) -> dict[str, tuple[Shape, tuple[str, ...], str]]:
    """Shape, axis names and formula of every tensor, from PyTorch's documented formulas.

    Returns ``{name: (shape, dims, formula)}`` for the names of :func:`tensor_names`.
    """
    c = config
    T, N, D, L = c.seq_len, c.batch, c.num_directions, c.num_layers
    h_name = "proj_size" if c.proj_size else "hidden_size"
    h_formula = "proj_size or hidden_size" if c.mode == "LSTM" else "hidden_size"
    out_formula = "D * (proj_size or hidden_size)" if c.mode == "LSTM" else "D * hidden_size"

    def seq(last: int, last_dim: str, last_formula: str) -> tuple[Shape, tuple[str, ...], str]:
        if N is None:
            return (T, last), ("seq_len", last_dim), f"(seq_len, {last_formula})"
        if c.batch_first:
            return (N, T, last), ("batch", "seq_len", last_dim), f"(N, seq_len, {last_formula})"
        return (T, N, last), ("seq_len", "batch", last_dim), f"(seq_len, N, {last_formula})"

    def state(last: int, last_dim: str, last_formula: str) -> tuple[Shape, tuple[str, ...], str]:
        first = "num_layers*D"
        if N is None:
            return (L * D, last), (first, last_dim), f"(num_layers * D, {last_formula})"
        return (L * D, N, last), (first, "batch", last_dim), f"(num_layers * D, N, {last_formula})"

    out: dict[str, tuple[Shape, tuple[str, ...], str]] = {
        "input": seq(c.input_size, "input_size", "input_size"),
        "h_0": state(c.h_out, h_name, h_formula),
    }
    if c.mode == "LSTM":
        out["c_0"] = state(c.hidden_size, "hidden_size", "hidden_size")
    out["output"] = seq(D * c.h_out, f"D*{h_name}", out_formula)
    out["h_n"] = out["h_0"]
    if c.mode == "LSTM":
        out["c_n"] = out["c_0"]
    return out


def layer_input_size(config: RNNConfig, layer: int) -> int:
    """Input features of layer ``layer``: ``H_in`` for layer 0, ``D * H_out`` above."""
    return config.input_size if layer == 0 else config.num_directions * config.h_out


def predict_parameters(config: RNNConfig) -> dict[str, Shape]:
    """Every parameter name with its shape, in ``named_parameters()`` order.

    ``weight_ih_l{k}`` is ``(G*H, in_k)``, ``weight_hh_l{k}`` ``(G*H, H_out)``, biases ``(G*H,)``,
    ``weight_hr_l{k}`` ``(proj_size, H)``; ``G`` gate blocks (RNN 1, GRU 3, LSTM 4);
    ``_reverse`` for the backward direction.
    """
    c = config
    gh = c.gate_blocks * c.hidden_size
    params: dict[str, Shape] = {}
    for layer in range(c.num_layers):
        for suffix in ("", "_reverse")[: c.num_directions]:
            k = f"l{layer}{suffix}"
            params[f"weight_ih_{k}"] = (gh, layer_input_size(c, layer))
            params[f"weight_hh_{k}"] = (gh, c.h_out)
            if c.bias:
                params[f"bias_ih_{k}"] = (gh,)
                params[f"bias_hh_{k}"] = (gh,)
            if c.proj_size:
                params[f"weight_hr_{k}"] = (c.proj_size, c.hidden_size)
    return params


def layer_parameter_count(config: RNNConfig, layer: int) -> int:
    """Parameters of one layer, one direction: ``G*H*(in + H_out) [+ 2*G*H] [+ proj_size*H]``."""
    c = config
    g = GATE_BLOCKS[c.mode]
    count = g * c.hidden_size * (layer_input_size(c, layer) + c.h_out)
    if c.bias:
        count += 2 * g * c.hidden_size
    if c.proj_size:
        count += c.proj_size * c.hidden_size
    return count


def predict_num_parameters(config: RNNConfig) -> int:
    """Total parameters by the per-layer formula, both directions."""
    return sum(
        config.num_directions * layer_parameter_count(config, k) for k in range(config.num_layers)
    )


def parameter_formula(config: RNNConfig) -> list[str]:
    """One line per layer: the count per direction as a formula, with numbers."""
    c = config
    g = GATE_BLOCKS[c.mode]
    lines = []
    for layer in range(c.num_layers):
        terms = [f"{g}*{c.hidden_size}*({layer_input_size(c, layer)} + {c.h_out})"]
        if c.bias:
            terms.append(f"2*{g}*{c.hidden_size}")
        if c.proj_size:
            terms.append(f"{c.proj_size}*{c.hidden_size}")
        total = c.num_directions * layer_parameter_count(c, layer)
        formula = (
            f"{c.num_directions} x [{' + '.join(terms)}] = {total:,}"
            f"  (D x [G*H*(in + H_out){' + 2*G*H' if c.bias else ''}"
            f"{' + proj_size*H' if c.proj_size else ''}], G={g})"
        )
        lines.append(M_("layer {layer}: {formula}", layer=layer, formula=formula))
    return lines


# --- observation: run torch -------------------------------------------------------------


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one intra-op thread, restoring the setting after.

    The report's tensors are tiny: on a busy 2-core machine, OpenMP threads waiting for each
    other made ``shape_report`` about 10x slower than one thread.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def quiet_rnn_warnings() -> Iterator[None]:
    """Silence torch's implementation notices (e.g. "LSTM with projections is not supported
    with oneDNN") that say nothing about the user's shapes."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not supported with oneDNN.*")
        warnings.filterwarnings("ignore", message=".*non-zero dropout.*num_layers.*")
        yield


def make_inputs(config: RNNConfig, seed: int = 0) -> dict[str, Any]:
    """Seeded input and initial states of the predicted shapes; padding (zeros) past lengths."""
    import torch

    gen = torch.Generator().manual_seed(seed + 1)
    shapes = predict_shapes(config)
    values: dict[str, Any] = {}
    for name in ("input", "h_0", "c_0"):
        if name in shapes:
            values[name] = torch.randn(shapes[name][0], generator=gen)
    if config.lengths is not None:
        x = values["input"]
        for i, n in enumerate(config.lengths):
            if config.batch_first:
                x[i, n:] = 0
            else:
                x[n:, i] = 0
    return values


def run_module(module: nn.Module, config: RNNConfig, values: dict[str, Any]) -> dict[str, Any]:
    """Call ``module`` as the config says (packing when ``lengths``); returns output and states."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    x = values["input"]
    hx = (values["h_0"], values["c_0"]) if config.mode == "LSTM" else values["h_0"]
    with torch.no_grad(), quiet_rnn_warnings():
        if config.lengths is not None:
            packed = pack_padded_sequence(
                x, list(config.lengths), batch_first=config.batch_first, enforce_sorted=False
            )
            out, state = module(packed, hx)
            out, _sizes = pad_packed_sequence(
                out, batch_first=config.batch_first, total_length=config.seq_len
            )
        else:
            out, state = module(x, hx)
    result = {"output": out}
    if config.mode == "LSTM":
        result["h_n"], result["c_n"] = state
    else:
        result["h_n"] = state
    return result


@dataclass
class ShapeReport:
    """Predicted vs observed shapes, parameters, identity checks and notes for one config.

    ``values`` holds the real tensors (``input``, ``h_0``, ``output``, ``h_n``, …) and ``module``
    the seeded module, so notebooks can look further. The result protocol of
    :mod:`lstm_explain.render`: ``ok``, ``to_dict()``, ``str()``, ``_repr_html_()``, a one-line
    ``repr()``, and ``find(text)``: the first check whose name contains ``text``.
    """

    config: RNNConfig
    tensors: dict[str, TensorShape]
    parameters: dict[str, Shape]
    predicted_parameters: dict[str, Shape]
    num_parameters: int
    parameter_formula: list[str]
    checks: list[Check]
    notes: list[str]
    values: dict[str, Any] = field(default_factory=dict, repr=False)
    module: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """Every observed shape matches its prediction and every check holds."""
        return all(t.matches for t in self.tensors.values()) and all(k.holds for k in self.checks)

    def shape(self, name: str) -> Shape | None:
        """The observed shape of tensor ``name``."""
        return self.tensors[name].observed

    def find(self, text: str) -> Check:
        """The first check whose name contains ``text``; ``KeyError`` if none does."""
        for k in self.checks:
            if text in k.name:
                return k
        names = [k.name for k in self.checks]
        raise KeyError(f"no check whose name contains {text!r} (checks: {names})")

    def check(self, text: str) -> Check:
        """Deprecated alias of :meth:`find` (kept for existing notebooks)."""
        return self.find(text)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: config, tensors, parameters, num_parameters, checks, notes."""
        return {
            "config": self.config.to_dict(),
            "tensors": {
                name: {
                    "predicted": list(t.predicted),
                    "observed": list(t.observed) if t.observed is not None else None,
                    "dims": list(t.dims),
                    "formula": t.formula,
                }
                for name, t in self.tensors.items()
            },
            "parameters": {k: list(v) for k, v in self.parameters.items()},
            "num_parameters": self.num_parameters,
            "checks": [k.to_dict() for k in self.checks],
            "notes": list(self.notes),
        }

    def header(self) -> str:
        c = self.config
        if c.batch is None:
            data = _("unbatched input, seq_len={seq_len}").format(seq_len=c.seq_len)
        else:
            data = f"batch={c.batch}, seq_len={c.seq_len}"
            if c.lengths is not None:
                data += _(", lengths={lengths} (packed)").format(lengths=list(c.lengths))
        return _("{code}  on  {data}").format(code=c.code(), data=data)

    def summary(self) -> str:
        """One line: how many shapes match and checks hold."""
        match = sum(t.matches for t in self.tensors.values())
        hold = sum(k.holds for k in self.checks)
        return _(
            "{match}/{tensors} shapes as predicted, {hold}/{checks} checks hold, {num:,} parameters"
        ).format(
            match=match,
            tensors=len(self.tensors),
            hold=hold,
            checks=len(self.checks),
            num=self.num_parameters,
        )

    def shapes_table(self) -> str:
        """A compact text table: each tensor's observed shape and axis names, nothing else."""
        rows = [
            (t.name, fmt_shape(t.observed), "(" + ", ".join(t.dims) + ")")
            for t in self.tensors.values()
        ]
        return "\n".join(R.text_table(rows))

    def __str__(self) -> str:
        rows = [
            (
                t.name,
                fmt_shape(t.predicted),
                fmt_shape(t.observed) + ("" if t.matches else _("  <-- differs")),
                "(" + ", ".join(t.dims) + ")",
                t.formula,
            )
            for t in self.tensors.values()
        ]
        header = (_("tensor"), _("predicted"), _("observed"), _("axes"), _("formula"))
        lines = [self.header(), "", *R.text_table(rows, header)]
        lines += ["", _("parameters: {num:,} in total").format(num=self.num_parameters)]
        lines += R.text_table(
            [(name, fmt_shape(shape)) for name, shape in self.parameters.items()], indent="  "
        )
        lines += [f"  {tr(line)}" for line in self.parameter_formula]
        lines += ["", _("checks:")]
        lines += [f"  {R.mark(k.holds)} {tr(k.name)}  ({tr(k.detail)})" for k in self.checks]
        if self.notes:
            lines += ["", _("notes:")]
            lines += [f"  - {tr(n)}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ShapeReport {self.header()}: {len(self.checks)} checks, ok={self.ok}>"

    def _repr_html_(self) -> str:
        return report_html(self)


def report_html(report: ShapeReport, *, caption: bool = True) -> str:
    """The report as HTML tables (shapes, checks, parameters, notes), styled inline.

    ``caption=False`` leaves out the header line (``nn.LSTM(...)  on  batch=…``), for a view
    that shows it elsewhere; the summary line (✓/✗, counts) stays.
    """
    shapes = R.html_table(
        (_("tensor"), _("predicted"), _("observed"), _("axes"), _("formula")),
        [
            (
                t.name,
                fmt_shape(t.predicted),
                R.Cell(fmt_shape(t.observed), ok=t.matches),
                "(" + ", ".join(t.dims) + ")",
                t.formula,
            )
            for t in report.tensors.values()
        ],
        mono=(0, 1, 2, 3),
        kind="lx-shapes",
    )
    checks = R.html_table(
        ("", _("check"), _("why")),
        [(R.mark_html(k.holds), tr(k.name), tr(k.detail)) for k in report.checks],
        kind="lx-checks",
    )
    params = R.details(
        _("parameters: {num:,} in total").format(num=report.num_parameters),
        R.html_table(
            (_("name"), _("shape")),
            [(name, fmt_shape(shape)) for name, shape in report.parameters.items()],
            mono=(0, 1),
            kind="lx-params",
        ),
        R.html_list(R.code(tr(line)) for line in report.parameter_formula),
    )
    parts = []
    if caption:
        # written exactly so: ShapeExplorer strips this line from the HTML by string
        parts.append(f"<p><code>{R.esc(report.header())}</code></p>")
    parts.append(R.paragraph(R.Html(f"{R.mark_html(report.ok)} {R.esc(report.summary())}")))
    parts += [shapes, checks, params]
    if report.notes:
        parts.append(R.html_list([tr(n) for n in report.notes], kind="lx-notes"))
    return R.block("lx-report", *parts)


def _notes(c: RNNConfig) -> list[str]:
    notes = []
    if c.dropout and c.num_layers == 1:
        notes.append(
            M_(
                "dropout={dropout} does nothing with num_layers=1: nn.{mode} applies dropout to "
                "the outputs of every layer except the last (torch warns about this).",
                dropout=c.dropout,
                mode=c.mode,
            )
        )
    elif c.dropout:
        notes.append(
            M_(
                "dropout={dropout} applies between layers in training mode only (not after the "
                "last layer); this report runs the module in eval mode, so every value is "
                "deterministic.",
                dropout=c.dropout,
            )
        )
    if c.batch_first:
        notes.append(
            M_(
                "batch_first=True changes only input and output to (N, seq_len, *); h_0 and h_n "
                "(and c_0, c_n) stay (num_layers * D, N, H_out)."
            )
            if c.mode == "LSTM"
            else M_(
                "batch_first=True changes only input and output to (N, seq_len, *); h_0 and h_n "
                "stay (num_layers * D, N, H_out)."
            )
        )
    if c.batch is None:
        notes.append(
            M_(
                "Unbatched input (seq_len, input_size): every tensor loses its batch axis, the "
                "states included: h_0 must be 2-D (num_layers * D, H_out)."
            )
        )
    if c.lengths is not None:
        notes.append(
            M_(
                "The padded batch is run as a PackedSequence: pack_padded_sequence(x, lengths, "
                "batch_first={batch_first}, enforce_sorted=False); output is shown after "
                "pad_packed_sequence(..., total_length={seq_len}), so steps past a sequence's "
                "length are zeros and h_n holds each sequence's state at its own last step.",
                batch_first=c.batch_first,
                seq_len=c.seq_len,
            )
        )
    if c.proj_size:
        notes.append(
            M_(
                "proj_size={proj_size}: h is projected by weight_hr_l* (proj_size, hidden_size), "
                "so output and h_n use {proj_size} features per direction while c_n keeps "
                "hidden_size={hidden_size}.",
                proj_size=c.proj_size,
                hidden_size=c.hidden_size,
            )
        )
    if c.bidirectional:
        notes.append(
            M_(
                "bidirectional=True: output concatenates [forward, backward] per step; h_n stacks "
                "layers then directions: h_n.view(num_layers, 2, N, H_out)."
            )
        )
    return notes


def shape_report(config: RNNConfig, seed: int = 0) -> ShapeReport:
    """Predict every tensor's shape, observe it by running the seeded module, and check identities.

    Args:
        config: the layer and its input.
        seed: seeds the module's weights and the input.

    Returns:
        A :class:`ShapeReport`; ``report.values`` holds the real tensors.
    """
    if not isinstance(config, RNNConfig):
        raise ValueError(f"config must be an RNNConfig (got config={type(config).__name__})")
    with one_thread():
        return _shape_report(config, seed)


def _shape_report(config: RNNConfig, seed: int) -> ShapeReport:
    predicted = predict_shapes(config)
    module = config.build(seed)
    values = make_inputs(config, seed)
    values.update(run_module(module, config, values))
    tensors = {
        name: TensorShape(name, shape, tuple(values[name].shape), dims, formula)
        for name, (shape, dims, formula) in predicted.items()
    }
    params = {name: tuple(p.shape) for name, p in module.named_parameters()}
    pred_params = predict_parameters(config)
    checks = identity_checks(
        config, values["output"], values["h_n"], values.get("c_n"), module=module, values=values
    )
    num = sum(p.numel() for p in module.parameters())
    formula = parameter_formula(config)
    formula_total = predict_num_parameters(config)
    checks.append(
        Check(
            M_(
                "parameters match the per-layer formula: {num:,} = {total:,}",
                num=num,
                total=formula_total,
            ),
            params == pred_params and num == formula_total,
            M_(
                "every name and shape from named_parameters() equals the formula's "
                "(gate blocks: {blocks})",
                blocks=config.gate_blocks,
            ),
            "named_parameters()",
            "predict_parameters(config)",
        )
    )
    return ShapeReport(
        config=config,
        tensors=tensors,
        parameters=params,
        predicted_parameters=pred_params,
        num_parameters=num,
        parameter_formula=formula,
        checks=checks,
        notes=_notes(config),
        values=values,
        module=module,
    )
