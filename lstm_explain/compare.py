"""RNN vs GRU vs LSTM: parameter counts (1 : 3 : 4 gate blocks), what proj_size saves, CPU speed.

:func:`compare_layers` puts it together: one row per layer (and a bidirectional LSTM) with its
parameters, its forward time per step on this machine, how far back its final state still depends
on the input, and what it learns to remember at a distance (a :class:`LayerComparison`).

Speed on a CPU follows the kernel more than the gate count: :func:`forward_ops` counts the
operators one forward pass dispatches (e.g. one matrix product per step for ``nn.RNN``, a single
oneDNN ``mkldnn_rnn_layer`` call for ``nn.LSTM`` where torch has oneDNN).

Every count is computed twice, by the formula of :mod:`lstm_explain.shapes`
(``predict_num_parameters`` / ``predict_parameters``) and by counting a real module's parameters,
so a change in PyTorch's layout would show up as ``matches == False``.

Notation: ``H_in`` input_size, ``H`` hidden_size, ``P`` proj_size, ``G`` gate blocks
(RNN 1, GRU 3, LSTM 4), ``L`` num_layers, ``D`` directions.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from . import render as R
from .config import RNNConfig
from .i18n import _
from .shapes import Shape, predict_num_parameters, predict_parameters, quiet_rnn_warnings

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure
    from torch import Tensor, nn

#: The three modules in order of gate blocks (1 : 3 : 4).
ORDER = ("RNN", "GRU", "LSTM")

__all__ = [
    "ORDER",
    "LayerComparison",
    "LayerRow",
    "ParameterCount",
    "ProjectionSavings",
    "Timing",
    "compare_layers",
    "compare_speed",
    "draw_parameter_counts",
    "draw_timings",
    "forward_ops",
    "fused_kernel",
    "parameter_counts",
    "parameter_ratios",
    "projection_savings",
    "time_forward",
]


@dataclass(frozen=True)
class ParameterCount:
    """Parameters of one module: by formula (``predicted``) and counted on the module (``observed``)."""

    mode: str
    gate_blocks: int
    predicted: int
    observed: int
    shapes: dict[str, Shape]

    @property
    def matches(self) -> bool:
        return self.predicted == self.observed


def _count(config: RNNConfig) -> ParameterCount:
    module = config.build()
    shapes = {name: tuple(p.shape) for name, p in module.named_parameters()}
    if shapes != predict_parameters(config):  # pragma: no cover - a torch layout change
        raise AssertionError(f"parameter shapes of {config.code()} differ from the formula")
    return ParameterCount(
        mode=config.mode,
        gate_blocks=config.gate_blocks,
        predicted=predict_num_parameters(config),
        observed=sum(p.numel() for p in module.parameters()),
        shapes=shapes,
    )


def parameter_counts(
    input_size: int,
    hidden_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
    bias: bool = True,
    modes: Iterable[str] = ORDER,
) -> dict[str, ParameterCount]:
    """Parameter counts of ``nn.RNN``, ``nn.GRU``, ``nn.LSTM`` with the same sizes.

    Each layer and direction holds ``G*H*(in + H) + 2*G*H`` parameters, so the counts are in the
    exact ratio of the gate blocks, 1 : 3 : 4, whatever the sizes.

    Raises:
        ValueError: an invalid size (from :class:`~lstm_explain.RNNConfig`, naming the field).
    """
    out = {}
    for mode in modes:
        config = RNNConfig(
            mode,
            input_size,
            hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            bias=bias,
        )
        out[config.mode] = _count(config)
    return out


def parameter_ratios(
    counts: Mapping[str, ParameterCount], base: str = "RNN"
) -> dict[str, Fraction]:
    """Each module's observed count divided by ``base``'s, as an exact fraction."""
    if base not in counts:
        raise ValueError(f"base must be one of {sorted(counts)} (got base={base!r})")
    return {mode: Fraction(c.observed, counts[base].observed) for mode, c in counts.items()}


@dataclass(frozen=True)
class ProjectionSavings:
    """An LSTM with and without ``proj_size``: shapes and counts of both, and what is saved."""

    config: RNNConfig
    without: ParameterCount
    projected: ParameterCount

    @property
    def saved(self) -> int:
        """Parameters saved by the projection (negative if it costs more)."""
        return self.without.observed - self.projected.observed

    @property
    def fraction_saved(self) -> float:
        return self.saved / self.without.observed

    @property
    def matches(self) -> bool:
        return self.without.matches and self.projected.matches

    def changed_shapes(self) -> list[tuple[str, Shape | None, Shape | None]]:
        """``(name, shape without, shape with proj_size)`` for every parameter that differs."""
        names = list(dict.fromkeys([*self.without.shapes, *self.projected.shapes]))
        rows = []
        for name in names:
            a, b = self.without.shapes.get(name), self.projected.shapes.get(name)
            if a != b:
                rows.append((name, a, b))
        return rows


def projection_savings(
    input_size: int,
    hidden_size: int,
    proj_size: int,
    num_layers: int = 1,
    bidirectional: bool = False,
) -> ProjectionSavings:
    """Compare ``nn.LSTM`` without and with ``proj_size`` (an "LSTMP").

    With a projection each layer and direction gains ``weight_hr (P, H)`` and ``weight_hh``
    shrinks from ``(4H, H)`` to ``(4H, P)``; layers above the first read ``D*P`` features
    instead of ``D*H``.

    Raises:
        ValueError: ``proj_size`` not in ``1 .. hidden_size-1`` (naming the field).
    """
    if proj_size == 0:
        raise ValueError("proj_size must be >= 1 to compare with a projection (got proj_size=0)")
    config = RNNConfig(
        "LSTM",
        input_size,
        hidden_size,
        num_layers=num_layers,
        bidirectional=bidirectional,
        proj_size=proj_size,
    )
    return ProjectionSavings(config, _count(config.replace(proj_size=0)), _count(config))


# --- speed -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Seconds per forward call of one module, one entry per timed repeat."""

    name: str
    seconds: tuple[float, ...]
    output_shape: Shape

    @property
    def runs(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        return min(self.seconds)

    def __str__(self) -> str:
        return _(
            "{name}: median {median:.2f} ms, best {best:.2f} ms over {runs} runs, output {shape}"
        ).format(
            name=self.name,
            median=self.median * 1e3,
            best=self.best * 1e3,
            runs=self.runs,
            shape=tuple(self.output_shape),
        )


def time_forward(
    module: nn.Module | Callable[..., Any],
    x: Tensor,
    hx: Any = None,
    *,
    repeats: int = 10,
    warmup: int = 2,
    name: str = "",
    num_threads: int | None = 1,
) -> Timing:
    """Time ``module(x, hx)`` under ``torch.no_grad()`` with ``time.perf_counter``.

    Args:
        module: anything called as ``module(x)`` or ``module(x, hx)`` that returns
            ``(output, state)`` or a tensor.
        x: the input, e.g. ``(T, N, H_in)``.
        repeats: timed calls (after ``warmup`` untimed ones).
        num_threads: torch's intra-op threads while timing (restored afterwards); one thread
            keeps small layers from stalling on thread synchronisation when the CPU is shared.
            ``None`` leaves torch's setting alone.

    Raises:
        ValueError: ``repeats < 1``, ``warmup < 0`` or ``num_threads < 1``.
    """
    import torch

    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an integer >= 1 (got repeats={repeats!r})")
    if not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup must be an integer >= 0 (got warmup={warmup!r})")
    if num_threads is not None and (not isinstance(num_threads, int) or num_threads < 1):
        raise ValueError(
            f"num_threads must be an integer >= 1 or None (got num_threads={num_threads!r})"
        )
    args = (x,) if hx is None else (x, hx)
    seconds = []
    threads = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(num_threads)
    try:
        with torch.no_grad(), quiet_rnn_warnings():
            for _ in range(warmup):
                module(*args)
            for _ in range(repeats):
                start = time.perf_counter()
                result = module(*args)
                seconds.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(threads)
    out = result[0] if isinstance(result, tuple) else result
    label = name or type(module).__name__
    return Timing(label, tuple(seconds), tuple(out.shape))


def compare_speed(
    input_size: int = 32,
    hidden_size: int = 64,
    seq_len: int = 50,
    batch: int = 16,
    num_layers: int = 1,
    *,
    repeats: int = 10,
    warmup: int = 2,
    include_cells: bool = True,
    seed: int = 0,
    num_threads: int | None = 1,
) -> dict[str, Timing]:
    """Forward time of ``nn.RNN``, ``nn.GRU``, ``nn.LSTM`` (and, optionally, an LSTMCell loop)
    on the same seeded input ``(T, N, H_in)``.

    Returns:
        ``{name: Timing}`` with keys ``"nn.RNN"``, ``"nn.GRU"``, ``"nn.LSTM"``,
        ``"LSTMCell loop"``; each key is its ``Timing.name``, so printouts, tables and
        :func:`draw_timings` use the same names. Timings depend on the machine and its load;
        ``num_threads`` as in :func:`time_forward` (one thread by default).
    """
    import torch

    from .cells import cells_from_module

    config = RNNConfig("RNN", input_size, hidden_size, num_layers=num_layers, seq_len=seq_len)
    x = torch.randn(seq_len, batch, input_size, generator=torch.Generator().manual_seed(seed))
    timings = {}
    for mode in ORDER:
        module = config.replace(mode=mode).build(seed)
        runs = [(f"nn.{mode}", module)]
        if mode == "LSTM" and include_cells:
            runs.append(("LSTMCell loop", cells_from_module(module)))
        for name, run in runs:
            timings[name] = time_forward(
                run, x, repeats=repeats, warmup=warmup, name=name, num_threads=num_threads
            )
    return timings


def forward_ops(
    module: nn.Module | Callable[..., Any], x: Tensor, hx: Any = None
) -> dict[str, int]:
    """The operators one forward pass runs: ``{aten operator name: number of calls}``.

    Records, under ``torch.no_grad()``, every call that reaches PyTorch's dispatcher (the
    compiled kernels: ``addmm`` is one matrix product plus bias, ``mkldnn_rnn_layer`` a whole
    oneDNN layer over every step), in order of first call. It shows why CPU speed is not just
    the gate count: ``nn.RNN`` makes one ``addmm`` per step (plus one for all the inputs at
    once), while ``nn.LSTM`` on a torch built with oneDNN hands the whole sequence to a single
    fused call.

    Args:
        module: anything called as ``module(x)`` or ``module(x, hx)``.
        x: the input, e.g. ``(T, N, H_in)``.
    """
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    counts: dict[str, int] = {}

    class _Record(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = func.overloadpacket.__name__
            counts[name] = counts.get(name, 0) + 1
            return func(*args, **(kwargs or {}))

    args = (x,) if hx is None else (x, hx)
    with torch.no_grad(), quiet_rnn_warnings(), _Record():
        module(*args)
    return counts


#: Kernels that run a whole recurrent layer, every step and gate, in one call: oneDNN (CPU),
#: cuDNN and MIOpen (NVIDIA and AMD GPUs), Metal (Apple GPUs).
FUSED_RNN_KERNELS = ("mkldnn_rnn_layer", "_cudnn_rnn", "miopen_rnn", "_lstm_mps")


def fused_kernel(counts: dict[str, int]) -> str | None:
    """The fused layer kernel in the operator counts of :func:`forward_ops`, if any.

    Which kernel runs depends on the machine (CPU instruction set, library build, GPU), the
    dtype and whether gradients are recorded, so this is something to *show*, never to assert.

    Returns:
        The first of :data:`FUSED_RNN_KERNELS` that ran, or ``None`` when the layer ran as a
        compiled loop of per-step operations (matrix products and element-wise ops).
    """
    return next((name for name in FUSED_RNN_KERNELS if counts.get(name)), None)


# --- figures -----------------------------------------------------------------------------


def _sizes_label(count: ParameterCount) -> str:
    """``"H_in=10, H=20"`` (plus ``L``, ``D`` when not 1), read off the parameter shapes."""
    rows, h_in = count.shapes["weight_ih_l0"]  # (G*H, H_in)
    layers = sum(
        1 for name in count.shapes if name.startswith("weight_ih_l") and "_rev" not in name
    )
    label = f"H_in={h_in}, H={rows // count.gate_blocks}"
    if layers > 1:
        label += f", L={layers}"
    if "weight_ih_l0_reverse" in count.shapes:
        label += ", D=2"
    return label


def _thousands(ax: Any) -> None:
    """Plain ``1,234,567`` tick labels on the y axis (no ``1e6`` offset)."""
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def draw_parameter_counts(
    counts: Mapping[str, ParameterCount], savings: ProjectionSavings | None = None
) -> Figure:
    """Bars of the parameter counts (labelled with count and gate blocks); with ``savings``, a
    second panel comparing the LSTM without and with ``proj_size``. Titles give the sizes."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10 if savings else 5, 3.6), layout="constrained")
    axes = fig.subplots(1, 2 if savings else 1, squeeze=False)[0]
    colors = {"RNN": "#8da0cb", "GRU": "#66c2a5", "LSTM": "#fc8d62"}
    ax = axes[0]
    names = list(counts)
    values = [counts[m].observed for m in names]
    bars = ax.bar(
        [f"nn.{m}" for m in names], values, color=[colors.get(m, "#999999") for m in names]
    )
    for bar, m in zip(bars, names, strict=True):
        ax.annotate(
            f"{counts[m].observed:,}\n(G = {counts[m].gate_blocks})",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_ylim(0, max(values) * 1.3)
    ax.set_ylabel("parameters")
    _thousands(ax)
    ax.set_title(f"{_sizes_label(counts[names[0]])}\nG gate blocks each", fontsize=10)
    if savings is not None:
        ax = axes[1]
        c = savings.config
        labels = ["nn.LSTM\nproj_size=0", f"nn.LSTM (LSTMP)\nproj_size={c.proj_size}"]
        values = [savings.without.observed, savings.projected.observed]
        bars = ax.bar(labels, values, color=["#fc8d62", "#e78ac3"])
        for bar, v in zip(bars, values, strict=True):
            ax.annotate(
                f"{v:,}",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
            )
        ax.set_ylim(0, max(values) * 1.25)
        ax.set_ylabel("parameters")
        _thousands(ax)
        ax.set_title(
            f"{_sizes_label(savings.without)}\nproj_size={c.proj_size} saves "
            f"{savings.saved:,} ({savings.fraction_saved:.1%})",
            fontsize=10,
        )
    return fig


def draw_timings(timings: Mapping[str, Timing]) -> Figure:
    """Horizontal bars of the best (least disturbed) forward time (ms) of each timed module,
    labelled with each ``Timing.name``."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 0.5 + 0.5 * len(timings)), layout="constrained")
    ax = fig.subplots()
    keys = list(timings)[::-1]  # first on top
    ax.barh([timings[k].name for k in keys], [timings[k].best * 1e3 for k in keys], color="#8da0cb")
    runs = max(t.runs for t in timings.values())
    ax.set_xlabel(f"forward time (ms), best of {runs} runs, this machine under its current load")
    return fig


# --- the whole comparison, measured here ----------------------------------------------------


@dataclass(frozen=True)
class LayerRow:
    """One layer of :func:`compare_layers`: what it costs and what it keeps, measured here.

    Attributes:
        name: ``"nn.RNN"``, ``"nn.GRU"``, ``"nn.LSTM"`` or ``"nn.LSTM, bidirectional"``.
        mode: ``"RNN"``, ``"GRU"`` or ``"LSTM"``.
        bidirectional: two directions.
        parameters: counted on the module.
        predicted: the formula's count (:func:`~lstm_explain.shapes.predict_num_parameters`).
        seconds_per_step: best forward time (no gradients, one thread) divided by ``T``:
            **this machine, this run**.
        kernel: the fused kernel that ran the layer (:func:`fused_kernel`), or ``None`` for a
            compiled loop of per-step operations: this machine's build.
        dependence: ``‖∂h_n/∂x_{T-1-k}‖ / ‖∂h_n/∂x_{T-2}‖`` with ``k = distance``, PyTorch's
            default initial weights (:func:`~lstm_explain.memory.input_sensitivity`); ``None``
            for the bidirectional row.
        accuracy: test accuracy on "remember the first token" at ``distance``
            (:func:`~lstm_explain.memory_tasks.train_first_token`, keep gate open at the start);
            ``None`` when not trained, and for the bidirectional row.
    """

    name: str
    mode: str
    bidirectional: bool
    parameters: int
    predicted: int
    seconds_per_step: float
    kernel: str | None
    dependence: float | None
    accuracy: float | None

    @property
    def matches(self) -> bool:
        """The counted parameters equal the formula's."""
        return self.parameters == self.predicted


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


@dataclass(frozen=True)
class LayerComparison:
    """RNN, GRU, LSTM and a bidirectional LSTM with the same sizes, measured on this machine.

    The result protocol of :mod:`lstm_explain.render`: ``ok`` (every parameter count equals its
    formula), ``to_dict()``, ``str()``, ``_repr_html_()``, a one-line ``repr()`` and
    ``find(name)``: the :class:`LayerRow` of ``"nn.GRU"`` (or ``"GRU"``).

    What holds on every machine: the parameter counts (1 : 3 : 4, and 2 for two directions) and
    the order of ``dependence`` (the RNN's is the smallest). What does not: the times and which
    kernel ran; the accuracies are a training result (robust in bands, not in digits).
    """

    input_size: int
    hidden_size: int
    seq_len: int
    batch: int
    distance: int
    repeats: int
    rows: dict[str, LayerRow]

    @property
    def ok(self) -> bool:
        return all(row.matches for row in self.rows.values())

    def find(self, name: str) -> LayerRow:
        """The row ``name`` (``"nn.GRU"``; ``"GRU"`` works too); ``KeyError`` naming the rows."""
        for key in (name, f"nn.{name}"):
            if key in self.rows:
                return self.rows[key]
        raise KeyError(f"no row {name!r} (rows: {list(self.rows)})")

    def ratio(self, name: str, base: str = "nn.RNN") -> Fraction:
        """Parameters of ``name`` over those of ``base``, as an exact fraction."""
        return Fraction(self.find(name).parameters, self.find(base).parameters)

    def sizes(self) -> str:
        return (
            f"input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"(T, N) = ({self.seq_len}, {self.batch})"
        )

    def header(self) -> tuple[str, ...]:
        k = self.distance
        return (
            _("layer"),
            _("parameters"),
            _("× RNN"),
            _("µs per step"),
            _("how it ran"),
            _("∂h_n/∂x, {k} steps back ÷ 1 step back").format(k=k),
            _("accuracy at distance {k}").format(k=k),
        )

    def _cells(self, row: LayerRow) -> tuple[str, ...]:
        how = (
            _("one fused {kernel} call").format(kernel=row.kernel)
            if row.kernel
            else _("a loop over the steps")
        )
        return (
            row.name,
            f"{row.parameters:,}",
            str(self.ratio(row.name)),
            f"{row.seconds_per_step * 1e6:.1f}",
            how,
            _fmt(row.dependence, ".0e"),
            _fmt(row.accuracy, ".2f"),
        )

    def notes(self) -> list[str]:
        return [
            _(
                "µs per step: the best of {repeats} forward passes (no gradients, one thread) "
                "divided by T; this machine, this run."
            ).format(repeats=self.repeats),
            _(
                "∂h_n/∂x: how much the final state still depends on an input, with PyTorch's "
                "default initial weights."
            ),
            _(
                "accuracy: 'remember the first token' {k} steps later (chance 0.25), trained "
                "with the keep gate open at the start; '-' where not measured."
            ).format(k=self.distance),
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable: the sizes and one dict per row (English keys)."""
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "seq_len": self.seq_len,
            "batch": self.batch,
            "distance": self.distance,
            "repeats": self.repeats,
            "rows": {
                name: {
                    "mode": row.mode,
                    "bidirectional": row.bidirectional,
                    "parameters": row.parameters,
                    "predicted": row.predicted,
                    "ratio_to_rnn": str(self.ratio(name)),
                    "seconds_per_step": row.seconds_per_step,
                    "kernel": row.kernel,
                    "dependence": row.dependence,
                    "accuracy": row.accuracy,
                }
                for name, row in self.rows.items()
            },
        }

    def __str__(self) -> str:
        lines = [_("compare_layers: {sizes}").format(sizes=self.sizes()), ""]
        lines += R.text_table(
            [self._cells(row) for row in self.rows.values()],
            self.header(),
            right=(1, 2, 3, 5, 6),
            rule=True,
        )
        lines += [""] + [f"- {note}" for note in self.notes()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<LayerComparison {self.sizes()}: {len(self.rows)} layers, ok={self.ok}>"

    def _repr_html_(self) -> str:
        table = R.html_table(
            self.header(),
            [
                [
                    R.Cell(c, ok=None if i != 1 else row.matches)
                    for i, c in enumerate(self._cells(row))
                ]
                for row in self.rows.values()
            ],
            mono=(0, 1, 2, 3, 5, 6),
            kind="lx-compare",
        )
        return R.block(
            "lx-compare",
            R.caption("compare_layers", self.sizes(), self.ok),
            table,
            R.html_list(self.notes()),
        )


def compare_layers(
    input_size: int = 32,
    hidden_size: int = 64,
    seq_len: int = 50,
    batch: int = 16,
    *,
    distance: int = 40,
    train: bool = True,
    epochs: int = 2,
    repeats: int = 10,
    seed: int = 0,
    num_threads: int | None = 1,
) -> LayerComparison:
    """RNN, GRU, LSTM and a bidirectional LSTM, same sizes, measured on this machine.

    For each layer: its parameters (counted, and by formula), its forward time per step on one
    seeded input ``(T, N, H_in)`` (:func:`time_forward`, best of ``repeats``), the kernel that ran
    it (:func:`forward_ops`), how much its final state depends on the input ``distance`` steps
    back relative to one step back (:func:`~lstm_explain.memory.input_sensitivity`, default
    initial weights) and, with ``train=True``, its test accuracy on "remember the first token"
    at ``distance`` (:func:`~lstm_explain.memory_tasks.train_first_token` with ``epochs``, its own
    sizes: ``hidden_size=32``, 4 symbols; a few seconds per layer).

    Raises:
        ValueError: ``distance`` not in ``1 .. seq_len - 2``, or an invalid size (from
            :class:`~lstm_explain.RNNConfig`, naming the field).
    """
    import torch

    from .memory import input_sensitivity
    from .memory_tasks import train_first_token

    if (
        isinstance(distance, bool)
        or not isinstance(distance, int)
        or not 1 <= distance <= seq_len - 2
    ):
        raise ValueError(
            f"distance must be an integer in 1 .. seq_len - 2 = {seq_len - 2} "
            f"(got distance={distance!r})"
        )
    config = RNNConfig("RNN", input_size, hidden_size, seq_len=seq_len, batch=batch)
    x = torch.randn(seq_len, batch, input_size, generator=torch.Generator().manual_seed(seed))
    rows = {}
    for mode, bidirectional in (*((m, False) for m in ORDER), ("LSTM", True)):
        c = config.replace(mode=mode, bidirectional=bidirectional)
        module = c.build(seed)
        name = f"nn.{mode}" + (", bidirectional" if bidirectional else "")
        timing = time_forward(module, x, repeats=repeats, name=name, num_threads=num_threads)
        dependence = accuracy = None
        if not bidirectional:
            # s[k]: the input k steps before the last; 4 sequences are plenty (one backward per unit)
            s = input_sensitivity(module, x[:, :4]).flip(0)
            dependence = float(s[distance] / s[1])
            if train:
                accuracy = train_first_token(mode, distance, epochs=epochs, seed=seed).accuracy
        rows[name] = LayerRow(
            name=name,
            mode=mode,
            bidirectional=bidirectional,
            parameters=sum(p.numel() for p in module.parameters()),
            predicted=predict_num_parameters(c),
            seconds_per_step=timing.best / seq_len,
            kernel=fused_kernel(forward_ops(module, x)),
            dependence=dependence,
            accuracy=accuracy,
        )
    return LayerComparison(input_size, hidden_size, seq_len, batch, distance, repeats, rows)
