"""RNN vs GRU vs LSTM: parameter counts (1 : 3 : 4 gate blocks), what proj_size saves, CPU speed.

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
    "ParameterCount",
    "ProjectionSavings",
    "Timing",
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
