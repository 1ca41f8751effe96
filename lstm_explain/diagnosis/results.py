"""What a diagnosis finds: :class:`Problem`, :class:`Argument`, :class:`Diagnosis`, as text and HTML.

Both renderings go through :mod:`lstm_explain.render` (aligned text columns; HTML styled inline).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from .. import render as R
from ..i18n import N_, Message, _, ngettext, tr

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

_LABEL = {"error": "", "silent": N_(" (runs, but silently wrong)"), "trap": N_(" (trap)")}


def _label(kind: str) -> str:
    return tr(_LABEL[kind])


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


def _pad(label: str, indent: int, width: int) -> str:
    """``label`` after ``indent`` spaces, padded to ``width`` columns (wide characters count 2)."""
    text = " " * indent + label + " "
    return text + " " * max(width - R.text_width(text), 0)


def _fix(text: str) -> str:
    """A fix in the current language: prose advice is a Message, code stays as written."""
    return tr(text) if isinstance(text, Message) else text


def _headline(p: Problem) -> str:
    """``expected (4, 3, 20), got (3, 4, 20)``; for a right shape with wrong values, says so."""
    if p.expected == p.actual:
        return _("shape {actual} is right, the values are not{label}").format(
            actual=tr(p.actual), label=_label(p.kind)
        )
    return _("expected {expected}, got {actual}{label}").format(
        expected=tr(p.expected), actual=tr(p.actual), label=_label(p.kind)
    )


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
                [(a.name, tr(a.actual), tr(a.expected)) for a in self.arguments],
                (_("argument"), _("shape"), _("expected")),
                indent="  ",
            )
            lines += ["", table[0]]
            for a, row in zip(self.arguments, table[1:], strict=True):
                lines.append(row)
                if a.why:  # the derivation on its own lines, so the table stays narrow
                    lines += _wrap(tr(a.why), _pad(_("why:"), 6, 11), " " * 11)
        lines.append("")
        if self.ok:
            lines.append(_("✓ no problem found"))
        else:
            n = len(self.problems)
            lines.append(ngettext("✗ {n} problem:", "✗ {n} problems:", n).format(n=n))
            for i, p in enumerate(self.problems, 1):
                lines.append(f"  {i}. {p.tensor}: {_headline(p)}")
                lines += _wrap(tr(p.cause), _pad(_("cause:"), 5, 12), " " * 12)
                fix = _fit_code(_fix(p.fix).splitlines() or ["-"], WIDTH + 10 - 12)
                lines.append(_pad(_("fix:"), 5, 12) + fix[0])
                lines += [f"            {f}" for f in fix[1:]]
        if self.notes:
            lines += ["", _("notes:")]
            for n in self.notes:
                lines += _wrap(tr(n), "  - ", "    ")
        if self.torch_error:
            lines += ["", *_wrap(self.torch_error, _("torch says: "), "    ")]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Diagnosis {self.call}: ok={self.ok}, {len(self.problems)} problem(s)>"

    def _repr_html_(self) -> str:
        return diagnosis_html(self)


def diagnosis_html(d: Diagnosis) -> str:
    """The diagnosis as HTML: the call, an argument table, each problem with its fix."""
    n = len(d.problems)
    summary = (
        _("no problem found") if d.ok else ngettext("{n} problem", "{n} problems", n).format(n=n)
    )
    parts = [R.caption(d.call, summary, d.ok)]
    if d.arguments:
        parts.append(
            R.html_table(
                (_("argument"), _("shape"), _("expected"), _("why")),
                [
                    (
                        a.name,
                        R.Cell(tr(a.actual), ok=a.actual == a.expected),
                        tr(a.expected),
                        tr(a.why),
                    )
                    for a in d.arguments
                ],
                mono=(0, 1, 2),
                kind="lx-arguments",
            )
        )
    if d.ok:
        parts.append(R.paragraph(_("✓ no problem found"), ok=True))
    else:
        items = []
        for p in d.problems:
            tag = _label(p.kind)
            if p.expected == p.actual:
                head = _("shape {actual} is right, the values are not{label}").format(
                    actual=R.code(tr(p.actual)), label=R.esc(tag)
                )
            else:
                head = _("expected {expected}, got {actual}{label}").format(
                    expected=R.code(tr(p.expected)),
                    actual=R.code(tr(p.actual), ok=False),
                    label=R.esc(tag),
                )
            items.append(
                R.Html(
                    f"<b>{R.esc(p.tensor)}</b>: {head}<br>{R.esc(tr(p.cause))}"
                    f"{R.code_block(_fix(p.fix))}"
                )
            )
        parts.append(R.html_list(items, ordered=True, kind="lx-problems"))
    if d.notes:
        parts.append(R.html_list([tr(n) for n in d.notes], kind="lx-notes"))
    if d.torch_error:
        parts.append(
            R.paragraph(R.Html(R.esc(_("torch says: ")) + R.code(d.torch_error, wrap=True)))
        )
    return R.block("lx-diagnosis", *parts)
