"""A trace as a text tree table (``trace_text``) and as an HTML table (``trace_html``).

Both go through :mod:`lstm_explain.render` (aligned text columns; tables styled inline).
"""

from __future__ import annotations

from typing import Any

from .. import render as R
from ..i18n import _, ngettext, tr
from ..render import fmt_shape
from .records import PackedSpec, Shape, ShapeTrace, TracedCall, _is_leaf, fmt_spec

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
            lines.append(
                _("{role} packed data {shape}").format(role=role, shape=fmt_shape(spec.data))
            )
            if dims:
                lines.append(f"  = ({', '.join(dims)})")
            lines += _wrap_list("  batch_sizes", list(spec.batch_sizes))
            lines.append(f"  sorted={spec.sorted}")
            continue
        if dims:
            text = f"{text} = ({', '.join(dims)})"
        lines.append(f"{role} {text}")
    if expected and "input" in expected:
        lines.append(_("  expected {shape}").format(shape=fmt_shape(expected["input"])))
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
        ins, _outs = _spec_lines(call.inputs, None, call.roles, call.axes, call.expected)
        return ins, [_("✗ raised")]
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
        more = (
            _("{kinds}+ more shapes").format(kinds=kinds)
            if call.unlisted
            else _("{kinds} more shapes").format(kinds=kinds)
        )
        ins.append(_("… {rest} calls: {more}").format(rest=rest, more=more))
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
    header = _header()
    prefixes = _tree_prefixes(trace.calls)
    rows: list[list[list[str]]] = []
    for call, prefix in zip(trace.calls, prefixes, strict=True):
        ins, outs = _cell_lines(call)
        height = max(len(ins), len(outs))
        cont = prefix.replace("├─ ", "│  ").replace("└─ ", "   ")
        rows.append(
            [
                [prefix + call.label] + [cont] * (height - 1),
                [call.type],
                [str(call.count)],
                ins,
                outs,
                [f"{call.params:,}" if call.params else "-"],
                [_fmt_macs(call)],
            ]
        )
    out = [f"trace_shapes({trace.model_type})"]
    out += R.text_table(rows, header, right=(2, 5, 6), rule=True)
    checks = trace.checks
    if checks:
        out += ["", _("checks on the traced tensors:")]
        out += [f"  {R.mark(k.holds)} {label}: {tr(k.name)}" for label, k in checks]
    out += ["", _totals(trace)]
    if trace.error is not None:
        out += ["", _("✗ the forward pass failed: {error}").format(error=trace.error.describe())]
    return "\n".join(out)


def _header() -> tuple[str, ...]:
    """The trace table's column titles, in the current language."""
    return (
        _("module"),
        _("type"),
        _("calls"),
        _("inputs"),
        _("outputs"),
        _("params"),
        _("mult-adds"),
    )


def _totals(trace: ShapeTrace) -> str:
    total = _("total params: {params:,}   total mult-adds: {macs:,}").format(
        params=trace.total_params, macs=trace.total_mult_adds
    )
    if trace.uncounted:
        total += _(" (not counted: {names})").format(names=", ".join(trace.uncounted))
    return total


def _summary(trace: ShapeTrace) -> str:
    """The caption's summary: calls, checks, totals or the error."""
    n = len(trace.calls)
    text = ngettext("{n} call", "{n} calls", n).format(n=n)
    if trace.checks:
        hold = sum(k.holds for _label, k in trace.checks)
        text += _(", {hold}/{total} checks hold").format(hold=hold, total=len(trace.checks))
    if trace.error is not None:
        return text + _(", {type} raised").format(type=trace.error.type)
    return text


def trace_html(trace: ShapeTrace) -> str:
    """The trace as an HTML table (indentation shows the call tree), checks and totals.

    Styled inline (:mod:`lstm_explain.render`); the shape columns keep their lines as written.
    """
    rows = []
    for call in trace.calls:
        ins, outs = _cell_lines(call)
        bad = False if call.raised else None
        rows.append(
            (
                R.Cell(call.label, ok=bad, style=f"padding-left:{0.4 + 1.2 * call.level:.1f}em"),
                R.Cell(call.type, ok=bad),
                call.count,
                R.Cell(ins, ok=bad),
                R.Cell(outs, ok=bad),
                f"{call.params:,}",
                _fmt_macs(call),
            )
        )
    parts = [
        R.caption(f"trace_shapes({trace.model_type})", _summary(trace), trace.ok),
        R.html_table(
            _header(),
            rows,
            mono=(0, 1, 2, 5, 6),
            pre=(3, 4),
            kind="lx-trace-calls",
        ),
    ]
    if trace.checks:
        parts.append(
            R.html_table(
                ("", _("call"), _("check")),
                [(R.mark_html(k.holds), label, tr(k.name)) for label, k in trace.checks],
                mono=(1,),
                kind="lx-checks",
            )
        )
    parts.append(R.paragraph(_totals(trace)))
    if trace.error is not None:
        parts.append(
            R.paragraph(
                _("✗ the forward pass failed: {error}").format(error=trace.error.describe()),
                ok=False,
            )
        )
    return R.block("lx-trace", *parts)
