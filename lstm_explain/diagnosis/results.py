"""What a diagnosis finds: :class:`Problem`, :class:`Argument`, :class:`Diagnosis`, as text and HTML.

Both renderings go through :mod:`lstm_explain.render` (aligned text columns; HTML styled inline).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from .. import render as R

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
    a shape that fits two readings). The result protocol of :mod:`lstm_explain.render`:
    ``ok``, ``to_dict()``, ``str()``, ``_repr_html_()``, a one-line ``repr()``, and
    ``find(tensor)``: the first problem about the argument ``tensor``.
    """

    call: str
    arguments: list[Argument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    torch_error: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def find(self, tensor: str) -> Problem:
        """The first problem about ``tensor`` (``"h_0"``); ``KeyError`` if none."""
        for p in self.problems:
            if p.tensor == tensor:
                return p
        raise KeyError(
            f"no problem about {tensor!r} (problems: {[p.tensor for p in self.problems]})"
        )

    def problem(self, tensor: str) -> Problem:
        """Deprecated alias of :meth:`find` (kept for existing notebooks)."""
        return self.find(tensor)

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
            table = R.text_table(
                [(a.name, a.actual, a.expected) for a in self.arguments],
                ("argument", "shape", "expected"),
                indent="  ",
            )
            lines += ["", table[0]]
            for a, row in zip(self.arguments, table[1:], strict=True):
                lines.append(row)
                if a.why:  # the derivation on its own lines, so the table stays narrow
                    lines += _wrap(a.why, "      why: ", "           ")
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
    n = len(d.problems)
    summary = "no problem found" if d.ok else f"{n} problem{'s' if n > 1 else ''}"
    parts = [R.caption(d.call, summary, d.ok)]
    if d.arguments:
        parts.append(
            R.html_table(
                ("argument", "shape", "expected", "why"),
                [
                    (a.name, R.Cell(a.actual, ok=a.actual == a.expected), a.expected, a.why)
                    for a in d.arguments
                ],
                mono=(0, 1, 2),
                kind="lx-arguments",
            )
        )
    if d.ok:
        parts.append(R.paragraph("✓ no problem found", ok=True))
    else:
        items = []
        for p in d.problems:
            tag = _LABEL[p.kind]
            if p.expected == p.actual:
                head = f"shape {R.code(p.actual)} is right, the values are not{R.esc(tag)}"
            else:
                head = (
                    f"expected {R.code(p.expected)}, got {R.code(p.actual, ok=False)}{R.esc(tag)}"
                )
            items.append(
                R.Html(f"<b>{R.esc(p.tensor)}</b>: {head}<br>{R.esc(p.cause)}{R.code_block(p.fix)}")
            )
        parts.append(R.html_list(items, ordered=True, kind="lx-problems"))
    if d.notes:
        parts.append(R.html_list(d.notes, kind="lx-notes"))
    if d.torch_error:
        parts.append(R.paragraph(R.Html(f"torch says: {R.code(d.torch_error, wrap=True)}")))
    return R.block("lx-diagnosis", *parts)
