"""Static HTML snapshots of the explorers: what a notebook shows without a kernel.

An explorer's output carries two views: the live widget (``application/vnd.jupyter.widget-view+json``)
and a snapshot of its current state as ``text/html``. A front end with a kernel and the widget's
state shows the widget; one without (JupyterLab opening an untrusted notebook, ``nbconvert --to
html``, GitHub, a docs site) falls back to the snapshot. JupyterLab's sanitizer for untrusted
output drops ``<style>``, ``<script>`` and inline ``<svg>``, so a snapshot uses inline ``style``
attributes only and shows a picture as an ``<img>`` with a ``data:`` URI. Its text must be
deterministic (nbval compares ``text/html`` exactly): no ids, no addresses, fixed float precision.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass

#: Inline styles shared by the explorers' views and snapshots.
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif"
MONO = "font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace"
ERROR_STYLE = (
    f"{MONO};color:#a40e26;background:#fff5f5;border:1px solid #cf222e;border-radius:4px;"
    "padding:6px 10px;margin:4px 0;white-space:pre-wrap"
)
NOTE_STYLE = f"{FONT};font-size:12px;color:#57606a;margin:2px 0 6px 0"


def data_uri_img(data: bytes, mime: str, alt: str, style: str) -> str:
    """An ``<img>`` holding ``data`` inline (survives every sanitizer we target)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (
        f"<img src='data:{mime};base64,{b64}' alt='{html.escape(alt, quote=True)}' style='{style}'>"
    )


def error_html(message: str) -> str:
    """The red box an invalid value shows (inline styles)."""
    from ..i18n import _

    label = html.escape(_("✗ invalid configuration: "))
    return f"<div class='lx-error' style=\"{ERROR_STYLE}\">{label}{html.escape(message)}</div>"


@dataclass(frozen=True)
class Snapshot:
    """The state of an explorer at one moment, as static HTML.

    Displays as that HTML (``_repr_html_``); its ``repr`` is one line. Made by
    ``ShapeExplorer.snapshot()`` / ``GateExplorer.snapshot()``; also what an explorer's own output
    carries as ``text/html``.
    """

    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text
