"""Text and HTML tables for every result, with inline styles; the shared result protocol.

The result protocol. Every result a user gets back answers the same way:

=====================  ===================================================================
``ok``                 ``True`` when everything checked holds (where it makes sense)
``to_dict()``          JSON-ready, English keys
``str(result)``        the full text table (what ``print`` shows)
``_repr_html_()``      the same as an HTML table, styled **inline** (see below)
``repr(result)``       one line: the type, what it is about, ``ok``
``find(key)``          one entry of the result, by key (raises ``KeyError`` naming the keys)
=====================  ===================================================================

``find`` is the one lookup verb. What it looks up is the result's main list:

- ``ShapeReport.find(text)``: the first identity :class:`~lstm_explain.shapes.Check` whose name
  contains ``text`` (``report.find("h_n[-1]")``);
- ``ShapeTrace.find(name)``: the :class:`~lstm_explain.tracing.TracedCall` of the submodule
  ``name`` (``trace.find("encoder.lstm")``; ``""`` is the model);
- ``Diagnosis.find(tensor)``: the first :class:`~lstm_explain.diagnosis.Problem` about the
  argument ``tensor`` (``diagnosis.find("h_0")``);
- ``GateTrace.find(gate, layer=0, direction=0)``: one gate's activations ``(T, N, H)``.

The older spellings stay as thin aliases: ``report.check(text)``, ``diagnosis.problem(tensor)``
and ``trace[name]``. They are deprecated in the documentation only: a runtime warning would
print on stderr in the stored notebooks, which nbval compares.

Why inline styles: JupyterLab strips ``<style>`` blocks from untrusted output, and a stored
notebook opened by a learner is untrusted, so a ``<style>`` block silently left every table
unstyled. Every element here carries its own ``style='…'``; the ``class`` names (``lx-ok``,
``lx-bad``, ``lx-checks``, …) stay only as hooks for tests and user CSS.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: A tensor shape as a tuple of ints: ``(T, N, H_in)``.
Shape = tuple[int, ...]


def fmt_shape(shape: Shape | Iterable[int] | None) -> str:
    """``(8, 3, 20)``; ``(20,)`` for one axis; ``()`` for none; ``-`` for ``None``."""
    if shape is None:
        return "-"
    shape = tuple(int(s) for s in shape)
    return f"({shape[0]},)" if len(shape) == 1 else "(" + ", ".join(map(str, shape)) + ")"


def mark(ok: bool) -> str:
    """``✓`` or ``✗``."""
    return "✓" if ok else "✗"


# --- text ---------------------------------------------------------------------------------

TextCell = str | Sequence[str]


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: 2 for each wide (CJK) character, else 1."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(
    rows: Iterable[Sequence[TextCell]],
    header: Sequence[str] | None = None,
    *,
    right: Iterable[int] = (),
    indent: str = "",
    rule: bool = False,
) -> list[str]:
    """Rows as aligned text lines: columns two spaces apart, trailing spaces stripped.

    Args:
        rows: one sequence of cells per row; a cell is a string or a list of lines (the row
            then takes as many lines as its tallest cell).
        header: the column titles, as a first line.
        right: indices of right-aligned columns (numbers).
        indent: put before every line.
        rule: a line of ``-`` under the header, as long as the header line.
    """
    right = set(right)
    body = [[[c] if isinstance(c, str) else list(c) for c in row] for row in rows]
    head = [[h] for h in header] if header is not None else None
    every = ([head] if head else []) + body
    if not every:
        return []
    ncols = max(len(r) for r in every)
    widths = [0] * ncols
    for row in every:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(text_width(s) for s in cell), 0)

    def line(cells: list[str]) -> str:
        parts = [
            c.rjust(widths[i] - text_width(c) + len(c))
            if i in right
            else c.ljust(widths[i] - text_width(c) + len(c))
            for i, c in enumerate(cells)
        ]
        return (indent + "  ".join(parts)).rstrip()

    out = []
    if head:
        out.append(line([h[0] for h in head]))
        if rule:
            out.append("-" * text_width(out[-1]))
    for row in body:
        height = max((len(cell) for cell in row), default=1)
        for k in range(height):
            out.append(line([cell[k] if k < len(cell) else "" for cell in row]))
    return out


# --- HTML ---------------------------------------------------------------------------------

#: Colours of a holding / failing mark (GitHub's green and red, readable on light and dark).
OK_COLOR = "#1a7f37"
BAD_COLOR = "#cf222e"
#: Inline styles. Shapes never wrap mid-tuple (``nowrap``); padding is compact.
STYLE_BLOCK = "margin:4px 0"
STYLE_TABLE = "border-collapse:collapse;margin:4px 0"
STYLE_CELL = "border:1px solid #ccc;padding:1px 6px;text-align:left;vertical-align:top"
STYLE_HEAD = STYLE_CELL + ";font-weight:600"
STYLE_MONO = "font-family:monospace;white-space:nowrap"
STYLE_PRE = "font-family:monospace;white-space:pre"
STYLE_CODE_BLOCK = (
    "font-family:monospace;white-space:pre;background:#f6f8fa;padding:4px 8px;margin:2px 0"
)
STYLE_P = "margin:4px 0"
STYLE_LIST = "margin:2px 0;padding-left:1.5em"


class Html(str):
    """Markup that is already escaped: :func:`html_table` and friends insert it as is."""

    __slots__ = ()


def esc(text: object) -> Html:
    """``text`` escaped for HTML (``Html`` passes through unchanged)."""
    return text if isinstance(text, Html) else Html(html.escape(str(text)))


def _color(ok: bool | None) -> str:
    return "" if ok is None else f";color:{OK_COLOR if ok else BAD_COLOR}"


def _cls(ok: bool | None) -> str:
    return "" if ok is None else (" class='lx-ok'" if ok else " class='lx-bad'")


def mark_html(ok: bool) -> Html:
    """A green ``✓`` or a red ``✗``."""
    return Html(f"<span{_cls(ok)} style='font-weight:600{_color(ok)}'>{mark(ok)}</span>")


def colored(text: object, ok: bool | None) -> Html:
    """``text`` in green (``ok``), red (``not ok``) or as is (``None``)."""
    if ok is None:
        return esc(text)
    return Html(f"<span{_cls(ok)} style='{_color(ok)[1:]}'>{esc(text)}</span>")


def code(text: object, ok: bool | None = None, *, wrap: bool = False) -> Html:
    """Inline code that never wraps (a shape, a call), green/red when ``ok`` is given.

    ``wrap=True`` for long text (an error message) that may break between words.
    """
    style = ("white-space:normal" if wrap else "white-space:nowrap") + _color(ok)
    return Html(f"<code{_cls(ok)} style='{style}'>{esc(text)}</code>")


def code_block(text: object, kind: str = "lx-fix") -> Html:
    """A block of code lines, on a light background."""
    return Html(f"<pre class='{kind}' style='{STYLE_CODE_BLOCK}'>{esc(text)}</pre>")


def paragraph(content: object, ok: bool | None = None) -> Html:
    """A compact paragraph, green/red when ``ok`` is given."""
    return Html(f"<p{_cls(ok)} style='{STYLE_P}{_color(ok)}'>{esc(content)}</p>")


def caption(title: str, summary: str = "", ok: bool | None = None) -> Html:
    """The caption line over a result: its title as code, then a summary with a ✓/✗ mark."""
    parts = [code(title)]
    if summary or ok is not None:
        parts.append(" &nbsp; ")
        if ok is not None:
            parts.append(mark_html(ok) + " ")
        parts.append(esc(summary))
    return Html(f"<p style='{STYLE_P}'>{''.join(parts)}</p>")


@dataclass(frozen=True)
class Cell:
    """A table cell with options: ``ok`` colours it, ``mono``/``pre`` set monospace.

    ``content`` is a string (escaped), :class:`Html` (as is) or a list of lines (joined with
    ``<br>``; with ``pre`` each line keeps its spaces).
    """

    content: object
    ok: bool | None = None
    mono: bool | None = None
    pre: bool = False
    style: str = ""


def _cell_html(tag: str, cell: object, mono: bool, pre: bool) -> str:
    if not isinstance(cell, Cell):
        cell = Cell(cell)
    mono = mono if cell.mono is None else cell.mono
    pre = pre or cell.pre
    content = cell.content
    if isinstance(content, (list, tuple)):
        text = Html("<br>".join(esc(s) for s in content))
    else:
        text = esc(content)
    style = STYLE_HEAD if tag == "th" else STYLE_CELL
    if pre:
        style += ";" + STYLE_PRE
    elif mono:
        style += ";" + STYLE_MONO
    style += _color(cell.ok) + (";" + cell.style if cell.style else "")
    return f"<{tag}{_cls(cell.ok)} style='{style}'>{text}</{tag}>"


def html_table(
    header: Sequence[str] | None,
    rows: Iterable[Sequence[object]],
    *,
    mono: Iterable[int] = (),
    pre: Iterable[int] = (),
    kind: str = "",
) -> Html:
    """An HTML table with inline styles: thin borders, compact padding, left-aligned.

    Args:
        header: the column titles (``None``: no header row).
        rows: cells as strings (escaped), :class:`Html` or :class:`Cell`.
        mono: columns in monospace that never wrap (shapes, names, numbers).
        pre: columns of multi-line monospace text kept as written (aligned sub-columns).
        kind: the table's class name (a hook for tests and user CSS, not for styling).
    """
    mono, pre = set(mono), set(pre)
    cls = f" class='lx-table {kind}'" if kind else " class='lx-table'"
    parts = [f"<table{cls} style='{STYLE_TABLE}'>"]
    if header is not None:
        parts.append("<tr>" + "".join(_cell_html("th", h, False, False) for h in header) + "</tr>")
    for row in rows:
        parts.append(
            "<tr>"
            + "".join(_cell_html("td", c, i in mono, i in pre) for i, c in enumerate(row))
            + "</tr>"
        )
    parts.append("</table>")
    return Html("".join(parts))


def html_list(items: Iterable[object], *, ordered: bool = False, kind: str = "") -> Html:
    """A compact bulleted (or numbered) list; items are escaped unless :class:`Html`."""
    tag = "ol" if ordered else "ul"
    cls = f" class='{kind}'" if kind else ""
    body = "".join(f"<li>{esc(i)}</li>" for i in items)
    return Html(f"<{tag}{cls} style='{STYLE_LIST}'>{body}</{tag}>")


def details(summary: object, *body: str) -> Html:
    """A folded section: ``summary`` shown, ``body`` on click."""
    return Html(
        f"<details style='{STYLE_BLOCK}'><summary>{esc(summary)}</summary>{''.join(body)}</details>"
    )


def block(kind: str, *parts: str) -> Html:
    """The outer ``<div>`` of one result (``kind``: ``lx-report``, ``lx-trace``, …)."""
    return Html(f"<div class='{kind}' style='{STYLE_BLOCK}'>{''.join(parts)}</div>")
