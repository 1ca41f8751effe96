"""The inside of one LSTM step, drawn: gates i, f, g, o, the cell state c and the hidden state h.

``plot_lstm_cell(config)`` draws the data flow of PyTorch's LSTM equations for one layer, one
direction, one step::

    i, f, g, o = σ, σ, tanh, σ (x_t W_i*^T + b_i* + h_{t-1} W_h*^T + b_h*)
    c_t = f ⊙ c_{t-1} + i ⊙ g
    h_t = o ⊙ tanh(c_t)

Each gate box names the rows of ``weight_ih_l*`` / ``weight_hh_l*`` it uses (order i, f, g, o, ``H``
rows each), computed from the config, so the picture and the ``4*H`` rows of the weights agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import GATE_NAMES, RNNConfig
from ..i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: What each gate does, in PyTorch's weight order (PyTorch's docs call ``g`` the cell gate).
GATE_ROLES = {
    "i": N_("input gate"),
    "f": N_("forget gate"),
    "g": N_("candidate (cell gate)"),
    "o": N_("output gate"),
}
_GATE_COLORS = {"i": "#cfe3ff", "f": "#ffd8b1", "g": "#d5f0d0", "o": "#e8dcf5"}


def gate_rows(hidden_size: int) -> dict[str, tuple[int, int]]:
    """Row range ``(start, stop)`` of each gate in ``weight_ih_l*`` / ``weight_hh_l*`` / biases.

    ``{"i": (0, H), "f": (H, 2H), "g": (2H, 3H), "o": (3H, 4H)}``.
    """
    if not isinstance(hidden_size, int) or isinstance(hidden_size, bool) or hidden_size < 1:
        raise ValueError(f"hidden_size must be an integer >= 1 (got hidden_size={hidden_size!r})")
    H = hidden_size
    return {g: (k * H, (k + 1) * H) for k, g in enumerate(GATE_NAMES["LSTM"])}


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **kw: object) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle="-|>", color=kw.get("color", "#444444"), lw=1.3, shrinkA=0, shrinkB=0
        ),
    )


def _node(ax: Axes, xy: tuple[float, float], text: str, r: float = 0.28) -> None:
    from matplotlib.patches import Circle

    ax.add_patch(Circle(xy, r, facecolor="white", edgecolor="#444444", lw=1.2, zorder=3))
    ax.text(*xy, text, ha="center", va="center", fontsize=12, zorder=4)


def plot_lstm_cell(config: RNNConfig | None = None) -> Figure:
    """One LSTM step as a data-flow diagram, gate boxes labelled with their weight rows.

    Args:
        config: an LSTM ``RNNConfig`` (sizes used for the labels); default ``nn.LSTM(100, 20)``.

    Returns:
        A matplotlib ``Figure``. The cell state runs along the top (``c_{t-1}`` to ``c_t``), the
        hidden state along the bottom (``h_{t-1}`` to ``h_t``); ``x_t`` and ``h_{t-1}`` are
        concatenated into ``[x_t, h_{t-1}]``, which the four gate boxes (left to right in the
        weights' row order i, f, g, o) read.

    Raises:
        ValueError: ``config`` is not an LSTM ``RNNConfig``.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    if config is None:
        config = RNNConfig("LSTM", 100, 20)
    if not isinstance(config, RNNConfig) or config.mode != "LSTM":
        got = config.mode if isinstance(config, RNNConfig) else type(config).__name__
        raise ValueError(f"config must be an LSTM RNNConfig (got {got!r})")
    H, H_in = config.hidden_size, config.input_size
    rows = gate_rows(H)

    fig = Figure(figsize=(9.5, 5.6))
    ax = fig.add_axes((0.0, 0.0, 1.0, 0.9))
    ax.set_xlim(-0.6, 11.2)
    ax.set_ylim(-0.9, 6.4)
    ax.set_axis_off()
    ax.add_patch(
        FancyBboxPatch(
            (0.6, 0.35),
            9.0,
            5.3,
            boxstyle="round,pad=0.1",
            facecolor="#f7f7f7",
            edgecolor="#bbbbbb",
        )
    )

    y_c, y_h, y_gate = 5.0, 0.9, 2.4
    # boxes left to right in PyTorch's row order i, f, g, o
    x_gate = {g: 2.6 + 1.6 * k for k, g in enumerate(GATE_NAMES["LSTM"])}
    x_forget, x_add, x_tanh = x_gate["f"], x_gate["g"], 8.9
    x_cat = 1.2  # where x_t and h_{t-1} are concatenated
    # cell state along the top: c_{t-1} -> (x f) -> (+ i*g) -> c_t
    ax.text(-0.5, y_c, "$c_{t-1}$", ha="left", va="center", fontsize=13)
    _arrow(ax, (0.2, y_c), (x_forget - 0.28, y_c))
    _node(ax, (x_forget, y_c), "⊙")
    _arrow(ax, (x_forget + 0.28, y_c), (x_add - 0.28, y_c))
    _node(ax, (x_add, y_c), "+")
    _arrow(ax, (x_add + 0.28, y_c), (10.4, y_c))
    ax.text(10.5, y_c, "$c_t$", ha="left", va="center", fontsize=13)
    # inputs: h_{t-1} from the left and x_t from below are concatenated (not added) into one
    # vector [x_t, h_{t-1}], which every gate reads
    ax.text(-0.5, y_h, "$h_{t-1}$", ha="left", va="center", fontsize=13)
    _arrow(ax, (0.2, y_h), (x_cat - 0.4, y_h))
    ax.text(x_cat, -0.75, f"$x_t$  (N, {H_in})", ha="center", va="bottom", fontsize=11)
    _arrow(ax, (x_cat, -0.3), (x_cat, y_h - 0.25))
    ax.add_patch(
        FancyBboxPatch(
            (x_cat - 0.4, y_h - 0.25),
            0.8,
            0.5,
            boxstyle="round,pad=0.03",
            facecolor="white",
            edgecolor="#444444",
            zorder=2,
        )
    )
    ax.text(x_cat, y_h, "concat", ha="center", va="center", fontsize=8, zorder=3)
    ax.plot([x_cat + 0.4, x_gate["o"]], [y_h, y_h], color="#444444", lw=2.2)
    ax.text(
        x_gate["i"] - 0.3,
        y_h - 0.38,
        f"[$x_t$, $h_{{t-1}}$]: (N, H_in + H_out) = (N, {H_in + config.h_out})",
        ha="left",
        va="center",
        fontsize=8,
        color="#555555",
    )
    for xg in x_gate.values():
        _arrow(ax, (xg, y_h), (xg, y_gate - 0.55))
    # the four gate boxes
    for g, xg in x_gate.items():
        act = "tanh" if g == "g" else "σ"
        start, stop = rows[g]
        ax.add_patch(
            FancyBboxPatch(
                (xg - 0.7, y_gate - 0.55),
                1.4,
                1.1,
                boxstyle="round,pad=0.04",
                facecolor=_GATE_COLORS[g],
                edgecolor="#444444",
                zorder=2,
            )
        )
        ax.text(xg, y_gate + 0.28, f"{g} = {act}", ha="center", va="center", fontsize=11, zorder=3)
        ax.text(xg, y_gate, _(GATE_ROLES[g]), ha="center", va="center", fontsize=7.5, zorder=3)
        ax.text(
            xg,
            y_gate - 0.3,
            _("rows {start}:{stop}").format(start=start, stop=stop),
            ha="center",
            va="center",
            fontsize=8,
            zorder=3,
        )
    # f -> forget multiply; i, g -> multiply -> add
    _arrow(ax, (x_gate["f"], y_gate + 0.55), (x_forget, y_c - 0.28))
    y_ig = 3.8
    _node(ax, (x_add, y_ig), "⊙")
    _arrow(ax, (x_gate["g"], y_gate + 0.55), (x_add, y_ig - 0.28))
    # i reaches i ⊙ g over the f line: a gap where they cross shows they do not meet
    gap = 0.12
    ax.plot([x_gate["i"], x_gate["i"]], [y_gate + 0.55, y_ig], color="#444444", lw=1.3)
    ax.plot([x_gate["i"], x_forget - gap], [y_ig, y_ig], color="#444444", lw=1.3)
    _arrow(ax, (x_forget + gap, y_ig), (x_add - 0.28, y_ig))
    _arrow(ax, (x_add, y_ig + 0.28), (x_add, y_c - 0.28))
    # h_t = o * tanh(c_t)
    y_tanh, y_out = 3.8, 2.4
    _arrow(ax, (x_tanh, y_c), (x_tanh, y_tanh + 0.3))
    ax.add_patch(
        FancyBboxPatch(
            (x_tanh - 0.42, y_tanh - 0.28),
            0.84,
            0.56,
            boxstyle="round,pad=0.04",
            facecolor="white",
            edgecolor="#444444",
            zorder=2,
        )
    )
    ax.text(x_tanh, y_tanh, "tanh", ha="center", va="center", fontsize=10, zorder=3)
    _arrow(ax, (x_tanh, y_tanh - 0.28), (x_tanh, y_out + 0.28))
    _node(ax, (x_tanh, y_out), "⊙")
    _arrow(ax, (x_gate["o"] + 0.7, y_gate), (x_tanh - 0.28, y_out))
    ax.plot([x_tanh, x_tanh], [y_out - 0.28, y_h], color="#444444", lw=1.3)
    _arrow(ax, (x_tanh, y_h), (10.4, y_h))
    ax.text(10.5, y_h, "$h_t$", ha="left", va="center", fontsize=13)
    _arrow(ax, (9.5, y_h), (9.5, 6.25), color="#1f5fbf")
    ax.text(
        9.6, 6.05, _("output[t]\n(top layer)"), ha="left", va="center", fontsize=8, color="#1f5fbf"
    )
    ax.text(
        0.3,
        y_c + 0.45,
        _("cell state c: (N, {H})").format(H=H),
        fontsize=8,
        color="#555555",
    )
    ax.text(
        -0.5,
        y_h + 0.4,
        _("hidden state h: (N, {H})").format(H=config.h_out),
        fontsize=8,
        color="#555555",
    )
    fig.suptitle(
        _(
            "one step of {code}: weight_ih (4*H, H_in) = ({rows}, {H_in}), gates stacked i, f, g, o"
        ).format(code=config.code(), rows=4 * H, H_in=H_in),
        fontsize=11,
    )
    return fig


# The older draw_* names: aliases kept for existing notebooks (figures are plot_* everywhere).
draw_lstm_cell = plot_lstm_cell
