"""A one-page cheat sheet of shapes and indexing identities, generated from the shape model.

Nothing on the page is typed as a shape: the symbolic shapes come from ``predict_shapes`` and
``predict_parameters`` (sizes mapped back to symbols), and every shape and identity is checked,
while the page is built, on real modules over many configurations (RNN, LSTM, GRU; one or two
directions; ``batch_first``; ``proj_size``; packed; unbatched) with ``shape_report``.

    python -m lstm_explain.cheatsheet --out build/cheatsheet [--paper a4|letter]

writes ``cheatsheet.pdf`` and ``cheatsheet.png`` (``make cheatsheet`` does this).
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import render as R
from .config import GATE_BLOCKS, GATE_NAMES, RNNConfig
from .i18n import DEFAULT_LANGUAGE, N_, _, configure_fonts, get_language

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

#: Page sizes in inches, landscape.
PAPERS = {"a4": (11.69, 8.27), "letter": (11.0, 8.5)}

#: predict_shapes' axis names -> the sheet's symbols.
SYMBOLS = {
    "seq_len": "T",
    "batch": "N",
    "input_size": "H_in",
    "hidden_size": "H",
    "proj_size": "H_out",
    "num_layers*D": "L*D",
    "D*hidden_size": "D*H",
    "D*proj_size": "D*H_out",
}


def sizes(config: RNNConfig) -> dict[str, int]:
    """The symbols' values for one config: ``T, N, H_in, H, H_out, L, D, G``."""
    return {
        "T": config.seq_len,
        "N": config.batch or 0,
        "H_in": config.input_size,
        "H": config.hidden_size,
        "H_out": config.h_out,
        "L": config.num_layers,
        "D": config.num_directions,
        "G": config.gate_blocks,
    }


def _evaluate(symbolic: tuple[str, ...], config: RNNConfig) -> tuple[int, ...]:
    return tuple(int(eval(s, {"__builtins__": {}}, sizes(config))) for s in symbolic)


def _fmt(symbolic: tuple[str, ...]) -> str:
    return "(" + ", ".join(symbolic) + ("," if len(symbolic) == 1 else "") + ")"


# --- the configurations every line is checked on ------------------------------------------------


def check_configs() -> list[RNNConfig]:
    """RNN, LSTM (with and without proj_size) and GRU; D = 1, 2; both layouts; packed; unbatched."""
    configs = []
    for mode, bi, bf, extra in itertools.product(
        ("RNN", "LSTM", "GRU"),
        (False, True),
        (False, True),
        ("plain", "proj", "packed", "unbatched"),
    ):
        if extra == "proj" and mode != "LSTM":
            continue
        if extra == "unbatched" and bf:
            continue
        kw: dict[str, Any] = dict(
            num_layers=2, bidirectional=bi, batch_first=bf, seq_len=5, batch=3
        )
        if extra == "proj":
            kw["proj_size"] = 3
        if extra == "packed":
            kw["lengths"] = (5, 2, 4)
        if extra == "unbatched":
            kw["batch"] = None
        configs.append(RNNConfig(mode, 6, 7, **kw))
    return configs


# --- shapes and parameters, symbolic ------------------------------------------------------------


def symbolic_shapes() -> dict[str, dict[str, tuple[str, ...]]]:
    """``{layout: {tensor: symbols}}`` for layouts time first, batch_first, unbatched.

    From ``predict_shapes`` of an LSTM with ``proj_size`` (so ``H_out`` and ``H`` differ).
    """
    from .shapes import predict_shapes

    base = RNNConfig("LSTM", 6, 7, num_layers=2, bidirectional=True, proj_size=3)
    layouts = {
        N_("time first (default)"): base,
        "batch_first=True": base.replace(batch_first=True),
        N_("unbatched"): base.replace(batch=None),
    }
    return {
        name: {t: tuple(SYMBOLS[d] for d in dims) for t, (_, dims, _) in predict_shapes(c).items()}
        for name, c in layouts.items()
    }


def symbolic_parameters() -> dict[str, tuple[str, ...]]:
    """Parameter shapes of layer 0 and a layer k > 0, symbolic, from ``predict_parameters``."""
    from .shapes import predict_parameters

    c = RNNConfig("LSTM", 5, 7, num_layers=2, bidirectional=True, proj_size=3)
    values = {k: v for k, v in sizes(c).items() if k in ("H_in", "H", "H_out")}
    values |= {"G*H": c.gate_blocks * c.hidden_size, "D*H_out": c.num_directions * c.h_out}
    back = {v: k for k, v in values.items()}
    assert len(back) == len(values), "sizes must be distinct to map them back to symbols"
    out = {}
    for name, shape in predict_parameters(c).items():
        if "_reverse" in name:
            continue
        key = name.replace("_l1", "_lk")
        out[key] = tuple(back[s] for s in shape)
    return out


def parameter_count_symbolic(config: RNNConfig) -> int:
    """``sum over layers, directions of G*H*(in_k + H_out) + 2*G*H + H_out*H`` (as applicable)."""
    s = sizes(config)
    total = 0
    for k in range(config.num_layers):
        in_k = s["H_in"] if k == 0 else s["D"] * s["H_out"]
        per = s["G"] * s["H"] * (in_k + s["H_out"])
        per += 2 * s["G"] * s["H"] if config.bias else 0
        per += s["H_out"] * s["H"] if config.proj_size else 0
        total += s["D"] * per
    return total


# --- identities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """An indexing identity in both layouts; ``lhs == rhs`` evaluated on real tensors.

    ``i``/``len_i`` range over the batch; an ``rhs`` of ``0`` means all zeros.
    """

    time_first: str
    batch_first: str
    note: str
    applies: Callable[[RNNConfig], bool]

    def text(self, config: RNNConfig) -> str:
        return self.batch_first if config.batch_first and config.batch else self.time_first

    def holds(self, config: RNNConfig, values: dict[str, Any]) -> bool:
        """Evaluate on real tensors: ``values`` holds ``output`` and ``h_n`` as the module returned."""
        import torch

        c = config
        lhs, rhs = (s.strip() for s in self.text(c).split("=="))
        output, h_n = values["output"], values["h_n"]
        if c.batch is None:  # unbatched: the same lines, read with an N axis of 1
            output, h_n, c = output.unsqueeze(1), h_n.unsqueeze(1), c.replace(batch=1)
        env: dict[str, Any] = dict(sizes(c), output=output, h_n=h_n)
        rows = range(c.batch) if "len_i" in lhs else [None]
        for i in rows:
            if i is not None:
                env |= {"i": i, "len_i": (c.lengths or (c.seq_len,) * c.batch)[i]}
            left = eval(lhs, {"__builtins__": {}}, env)
            if rhs == "0":
                if not bool((left == 0).all()):
                    return False
            elif not torch.equal(left, eval(rhs, {"__builtins__": {}}, env)):
                return False
        return True


IDENTITIES = (
    Identity(
        "output[-1] == h_n[-1]",
        "output[:, -1] == h_n[-1]",
        N_("D = 1: the top layer's last step is its final state"),
        lambda c: c.num_directions == 1 and not c.lengths,
    ),
    Identity(
        "output[-1, :, :H_out] == h_n[-2]",
        "output[:, -1, :H_out] == h_n[-2]",
        N_("D = 2: the forward direction ends at t = T-1"),
        lambda c: c.num_directions == 2 and not c.lengths,
    ),
    Identity(
        "output[0, :, H_out:] == h_n[-1]",
        "output[:, 0, H_out:] == h_n[-1]",
        N_("D = 2: the backward direction ends at t = 0"),
        lambda c: c.num_directions == 2,
    ),
    Identity(
        "output[len_i - 1, i, :H_out] == h_n[-D, i]",
        "output[i, len_i - 1, :H_out] == h_n[-D, i]",
        N_("packed: each sequence ends at its own length"),
        lambda c: bool(c.lengths),
    ),
    Identity(
        "output[len_i:, i] == 0",
        "output[i, len_i:] == 0",
        N_("packed, after pad_packed_sequence: padding is zeros"),
        lambda c: bool(c.lengths),
    ),
)

LAYOUT_CHECK = "flattened layer-major"  # shape_report's re-run of each layer alone


@dataclass(frozen=True)
class Verified:
    """What building the sheet checked: configurations, shapes, identities (all must hold)."""

    configs: int
    shape_checks: int
    identity_checks: dict[str, int]
    layout_checks: int
    conversion_checks: int

    @property
    def total(self) -> int:
        return (
            self.shape_checks
            + sum(self.identity_checks.values())
            + self.layout_checks
            + self.conversion_checks
        )


def _conversions(config: RNNConfig) -> Iterator[bool]:
    """batch_first is a transpose of the same computation, never a reshape."""
    import torch

    from .shapes import one_thread, quiet_rnn_warnings

    c = config.replace(batch_first=False, lengths=None)
    tf, bf = c.build(0), c.replace(batch_first=True).build(0)
    x = torch.randn(c.seq_len, c.batch, c.input_size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad(), one_thread(), quiet_rnn_warnings():
        out_tf, s_tf = tf(x)
        out_bf, s_bf = bf(x.transpose(0, 1))
    yield torch.allclose(out_bf.transpose(0, 1), out_tf, atol=1e-6)
    h_tf = s_tf[0] if isinstance(s_tf, tuple) else s_tf
    h_bf = s_bf[0] if isinstance(s_bf, tuple) else s_bf
    yield torch.allclose(h_bf, h_tf, atol=1e-6)  # the states are not transposed
    yield not torch.equal(x.reshape(c.batch, c.seq_len, -1), x.transpose(0, 1))


def verify() -> Verified:
    """Check every shape and identity of the sheet on real modules; raise if one fails.

    Raises:
        AssertionError: naming the configuration and the line that does not hold.
    """
    from .shapes import predict_parameters, predict_shapes, shape_report

    table = symbolic_shapes()
    params = symbolic_parameters()
    configs = check_configs()
    shape_checks = layout_checks = conversion_checks = 0
    identity_checks = {ident.time_first: 0 for ident in IDENTITIES}
    for c in configs:
        r = shape_report(c)
        assert r.ok, f"shape_report fails for {c.code()}"
        layout = (
            "unbatched"
            if c.batch is None
            else ("batch_first=True" if c.batch_first else "time first (default)")
        )
        for name, (shape, _dims, _formula) in predict_shapes(c).items():
            assert _evaluate(table[layout][name], c) == tuple(shape) == r.shape(name), (c, name)
            shape_checks += 1
        for name, shape in predict_parameters(c).items():
            key = name.replace("_reverse", "")
            key = key if key.endswith("_l0") else key[: key.rindex("_l")] + "_lk"
            assert _evaluate(params[key], c) == tuple(shape) == r.parameters[name], (c, name)
            shape_checks += 1
        assert parameter_count_symbolic(c) == r.num_parameters, c
        shape_checks += 1
        for ident in IDENTITIES:
            if ident.applies(c):
                assert ident.holds(c, r.values), f"{ident.text(c)} fails for {c.code()}"
                identity_checks[ident.time_first] += 1
        (layout_check,) = [k for k in r.checks if LAYOUT_CHECK in k.name]
        assert layout_check.holds, c
        layout_checks += 1
        if c.batch is not None and not c.batch_first and not c.lengths:
            for ok in _conversions(c):
                assert ok, c
                conversion_checks += 1
    return Verified(len(configs), shape_checks, identity_checks, layout_checks, conversion_checks)


# --- the page ---------------------------------------------------------------------------------

FONT = 9.0  # points, printed: the smallest text on the page
HEAD = 11.0
LINE = 1.45  # line height in units of FONT
GREY = "#455a64"


class _Column:
    """Writes lines of text top-down in one column of the page, in figure coordinates."""

    def __init__(
        self, fig: Figure, x: float, top: float, height_in: float, cjk: str | None = None
    ) -> None:
        self.fig, self.x, self.y, self.cjk = fig, x, top, cjk
        self.step = FONT * LINE / 72 / height_in  # one line, as a fraction of the page height
        #: one monospace column (DejaVu Sans Mono advances 0.602 em), as a fraction of the width
        self.char_w = FONT * 0.602 / 72 / fig.get_size_inches()[0]

    def head(self, text: str) -> None:
        self.y -= self.step * 0.7
        self.fig.text(self.x, self.y, text, fontsize=HEAD, weight="bold", va="top", color="#0d47a1")
        self.y -= self.step * 1.4

    def line(self, text: str, *, mono: bool = True, color: str = "black", dx: float = 0) -> None:
        family: Any = "DejaVu Sans Mono" if mono else "DejaVu Sans"
        if self.cjk:  # Chinese glyphs fall back to the CJK font, Latin keeps DejaVu
            family = [family, self.cjk]
        self.fig.text(
            self.x + dx, self.y, text, fontsize=FONT, family=family, va="top", color=color
        )
        self.y -= self.step

    def table(self, rows: list[list[str]], widths: list[int], dx: float | None = None) -> None:
        """Rows of cells in monospace columns; the first row is a grey header, unless ``dx``
        (an indent) is given: then every row is code."""
        for k, row in enumerate(rows):
            color = GREY if k == 0 and dx is None else "black"
            if all(cell.isascii() for cell in row):
                self.line("".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(),
                          color=color, dx=dx or 0)  # fmt: skip
                continue
            # a row with wide (CJK) characters: each cell at its column, as the font's widths
            # differ from two monospace columns
            column = 0
            for cell, w in zip(row, widths, strict=True):
                if cell:
                    self.line(cell, color=color, dx=(dx or 0) + column * self.char_w)
                    self.y += self.step  # the same line
                column += w
            self.y -= self.step

    def gap(self, lines: float = 0.5) -> None:
        self.y -= self.step * lines


def build_cheatsheet(paper: str = "a4", verified: Verified | None = None) -> Figure:
    """The cheat sheet as one landscape page; every line checked first by :func:`verify`.

    Args:
        paper: ``"a4"`` or ``"letter"``.
        verified: a result of :func:`verify` (computed when None).

    Raises:
        ValueError: an unknown paper size.
    """
    import torch
    from matplotlib.figure import Figure

    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)} (got paper={paper!r})")
    verified = verified or verify()
    width, height = PAPERS[paper]
    fig = Figure(figsize=(width, height))
    margin = 0.5 / width
    lang = get_language()
    cjk = configure_fonts(lang) if lang != DEFAULT_LANGUAGE else None
    fig.text(
        margin,
        1 - 0.4 / height,
        _("PyTorch recurrent layers: shapes and indexing"),
        fontsize=16,
        weight="bold",
        va="top",
    )
    notation = (
        _(
            "T steps · N batch · H_in input_size · H hidden_size · L num_layers · "
            "D = 2 if bidirectional else 1"
        ),
        _(
            "H_out = proj_size for an LSTM with proj_size, else H · "
            "G gate blocks per layer (RNN 1, GRU 3, LSTM 4)"
        ),
    )
    for k, text in enumerate(notation):
        fig.text(margin, 1 - (0.78 + 0.19 * k) / height, text, fontsize=FONT, va="top", color=GREY)
    top = 1 - 1.2 / height
    left = _Column(fig, margin, top, height, cjk)
    right = _Column(fig, 0.525, top, height, cjk)

    # left: tensor shapes
    shapes = symbolic_shapes()
    layouts = list(shapes)
    left.head(_("Tensor shapes"))
    left.line("out, h_n = rnn(x, h_0)   out, (h_n, c_n) = lstm(x, (h_0, c_0))")
    left.gap(0.3)
    rows = [["", *(_(k) for k in layouts)]]
    for name in shapes[layouts[0]]:
        label = name + (" (LSTM)" if name in ("c_0", "c_n") else " (x)" if name == "input" else "")
        rows.append([label, *(_fmt(shapes[k][name]) for k in layouts)])
    rows[0][0] = _("tensor")
    left.table(rows, [13, 22, 18, 14])
    left.gap(0.3)
    for text in (
        _("batch_first reorders x and out only; h_0, h_n, c_0, c_n never change."),
        _("proj_size (LSTM): h, out and h_n shrink to H_out; c keeps H."),
        _("Packed x: out is a PackedSequence; pad_packed_sequence restores (T, N, *)."),
    ):
        left.line(text, mono=False)

    # left: parameters
    params = symbolic_parameters()
    left.head(_("Parameters of layer k"))
    rows = [[_("name"), "k = 0", "k > 0"]]
    for stem in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"):
        rows.append([stem + "_l{k}", _fmt(params[f"{stem}_l0"]), _fmt(params[f"{stem}_lk"])])
    rows[-1][0] += " (proj)"
    left.table(rows, [24, 15, 17])
    left.gap(0.3)
    gates = ", ".join(
        f"{m} {GATE_BLOCKS[m]}" + (f" ({' '.join(GATE_NAMES[m])})" if GATE_NAMES[m] else "")
        for m in GATE_BLOCKS
    )
    for text in (
        _("G: {gates}; rows g*H:(g+1)*H are gate g.").format(gates=gates),
        _("The backward direction: the same shapes, named *_l{k}_reverse."),
        _("Per layer and direction: G*H*(in_k + H_out) + 2*G*H [+ H_out*H],"),
        _("in_0 = H_in, in_k = D*H_out; the total adds up all layers and directions."),
    ):
        left.line(text, mono=False)

    # left: conversions
    left.head(_("Layouts and conversions"))
    for code, comment in (
        ("x_bf = x.transpose(0, 1)       ", _("(T, N, *) -> (N, T, *)")),
        ("x.reshape(N, T, H_in)          ", _("wrong: mixes the sequences")),
        ("out_bf == out.transpose(0, 1)  ", _("same weights, batch_first=True")),
        ("h_n_bf == h_n                  ", _("states never transposed")),
        ("h_n.view(L, D, N, H_out)[l, d] == h_n[l*D + d]  ", _("layer l, dir d")),
    ):
        left.line(f"{code}# {comment}")

    # right: identities
    right.head(_("Indexing identities: out vs h_n"))
    first = _("time first")
    pad = max(R.text_width(first), len("batch_first")) + 2
    for ident in IDENTITIES:
        right.line(_(ident.note), mono=False, color=GREY)
        right.table(
            [[first, ident.time_first], ["batch_first", ident.batch_first]], [pad, 0], 0.012
        )
        right.gap(0.25)
    for text in (
        _("Unbatched x (T, H_in): the time-first lines without the N axis."),
        _("LSTM: c_n has the same rows as h_n (last axis H)."),
        _("Top layer's final states: h_n[-1] if D = 1; h_n[-2] (forward)"),
        _("and h_n[-1] (backward) if D = 2: torch.cat([h_n[-2], h_n[-1]], 1)."),
    ):
        right.line(text, mono=False)

    # right: what was checked
    right.head(_("Checked when this page was built"))
    c = verified
    right.line(
        _("{n} configurations, each built and run with torch:").format(n=c.configs), mono=False
    )
    right.line(_("RNN, LSTM, GRU x D = 1, 2 x both layouts x plain, proj_size"), mono=False)
    right.line(_("(LSTM), packed, unbatched."), mono=False)
    shape_line = _("shape or count: symbols == predict_shapes == torch")
    right.line(f"{c.shape_checks:4d} x  {shape_line}", dx=0.012)
    for ident in IDENTITIES:
        right.line(f"{c.identity_checks[ident.time_first]:4d} x  {ident.time_first}", dx=0.012)
    layout_line = _("h_n layout: each layer re-run alone")
    right.line(f"{c.layout_checks:4d} x  {layout_line}", dx=0.012)
    conversion_line = _("the batch_first conversions")
    right.line(f"{c.conversion_checks:4d} x  {conversion_line}", dx=0.012)
    right.gap(0.4)
    right.line(
        f"torch {torch.__version__.split('+')[0]} · lstm_explain.cheatsheet (make cheatsheet)",
        mono=False,
        color=GREY,
    )
    return fig


def write_cheatsheet(
    out_dir: str | Path = "build/cheatsheet", paper: str = "a4", dpi: int = 150
) -> list[Path]:
    """Write ``cheatsheet.pdf`` and ``cheatsheet.png`` to ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fig = build_cheatsheet(paper)
    paths = [out / "cheatsheet.pdf", out / "cheatsheet.png"]
    fig.savefig(paths[0])
    fig.savefig(paths[1], dpi=dpi)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m lstm_explain.cheatsheet [--out DIR] [--paper a4|letter]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="build/cheatsheet", help="output folder")
    parser.add_argument("--paper", default="a4", choices=sorted(PAPERS))
    args = parser.parse_args(argv)
    for path in write_cheatsheet(args.out, args.paper):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
