"""RNNConfig: the knobs of a PyTorch recurrent layer and of its input, validated.

Every invalid value raises ``ValueError`` whose message names the field, the value and the
rule, e.g. ``proj_size must be smaller than hidden_size (got proj_size=20, hidden_size=20)``.
Each field carries a :class:`Knob` (its help, CLI flag and explorer control), from which the
command line and the ShapeExplorer are generated. This module does not import torch, so building
and validating a config is instant.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

from .i18n import N_

MODES = ("RNN", "LSTM", "GRU")
NONLINEARITIES = ("tanh", "relu")
#: Weight blocks stacked in ``weight_ih_l*`` / ``weight_hh_l*``: RNN 1, GRU 3 (r, z, n), LSTM 4 (i, f, g, o).
GATE_BLOCKS = {"RNN": 1, "GRU": 3, "LSTM": 4}
GATE_NAMES = {"RNN": (), "GRU": ("r", "z", "n"), "LSTM": ("i", "f", "g", "o")}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _need_int(name: str, value: Any, minimum: int) -> None:
    if not _is_int(value):
        raise ValueError(f"{name} must be an integer (got {name}={value!r})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum} (got {name}={value})")


def _need_bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False (got {name}={value!r})")


def _as_index(value: Any) -> Any:
    """An int for int-like values (numpy / 0-d torch integers), else the value unchanged."""
    if isinstance(value, bool):
        return value
    try:
        return operator.index(value)
    except TypeError:
        return value


@dataclass(frozen=True)
class Knob:
    """How one :class:`RNNConfig` field is asked for: on the command line and by a control.

    Attached to its field as ``field(metadata={"knob": Knob(...)})`` (written ``knob(...)``);
    ``RNNConfig.knobs()`` returns them all with ``name``, ``flag`` and ``default`` filled in.
    The CLI (``cli.add_config_arguments``) and the ShapeExplorer build their options and
    controls from these, so a new knob is described here once.

    Attributes:
        kind: the value's kind, which picks the CLI option and the control: ``"choice"`` (a
            string from ``choices``: a plain option, toggle buttons), ``"int"`` (``type=int``,
            a slider), ``"float"`` (``type=float``; no control kind yet), ``"bool"`` (a switch
            ``--name``, or ``--no-name`` when the default is True; a checkbox), ``"ints"``
            (comma-separated integers; a text box).
        name: the field's name (filled in by ``knobs()``; set for a ``none`` switch).
        help: the option's ``--help`` text, or None for none.
        flag: the CLI option; by default ``--name`` with dashes (``--no-name`` for a bool
            that defaults to True).
        default: the field's default; required: the field has none (both filled in by
            ``knobs()``).
        cli_default: the CLI's default where the field has none (``--mode lstm``).
        choices: the values of a ``"choice"``.
        control: where the ShapeExplorer shows a control: ``"top"`` (a row of its own),
            ``"sizes"``, ``"input"`` or ``"switches"`` (its columns); None: no control, the
            value is kept from the explorer's initial config.
        range: a slider's ``(min, max)``; a larger value widens it.
        label: the control's description (default: the name).
        placeholder: a text box's placeholder.
        modes: the modes the knob applies to (None: all). In other modes the explorer
            disables its control and uses the field's default; the rule itself is checked by
            ``RNNConfig.__post_init__``.
        input: a knob of the input, not of the layer: a subcommand without ``--seq-len``
            leaves these at their defaults.
        none: for a field that may be None (``batch``): the switch that stands for None
            (``--unbatched``, the "unbatched" checkbox), itself a ``"bool"`` Knob.
    """

    kind: str
    name: str = ""
    help: str | None = None
    flag: str = ""
    default: Any = None
    required: bool = False
    cli_default: Any = None
    choices: tuple[str, ...] = ()
    control: str | None = None
    range: tuple[int, int] | None = None
    label: str = ""
    placeholder: str = ""
    modes: tuple[str, ...] | None = None
    input: bool = False
    none: Knob | None = None

    def resolved(self, name: str, default: Any) -> Knob:
        """This knob with its name, default (``MISSING``: required), flag and label filled in."""
        required = default is MISSING
        default = None if required else default
        flag = self.flag or "--" + ("no-" if default is True else "") + name.replace("_", "-")
        none = None
        if self.none is not None:
            none = replace(self.none.resolved(self.none.name, False), input=self.input)
        return replace(
            self,
            name=name,
            default=default,
            required=required,
            flag=flag,
            label=self.label or name,
            none=none,
        )


def knob(default: Any = MISSING, **description: Any) -> Any:
    """A dataclass field with a default (or none: required) described by a :class:`Knob`."""
    metadata = {"knob": Knob(**description)}
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class RNNConfig:
    """A recurrent layer (``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``) and the input it is given.

    Attributes:
        mode: "RNN", "LSTM" or "GRU" (any case on input; stored upper-case).
        input_size: features per step, ``H_in``.
        hidden_size: hidden units per layer and direction, ``H``.
        num_layers: stacked layers, ``L``.
        bidirectional: run a backward direction too, so ``D = 2``.
        batch_first: input and output are ``(N, T, *)`` instead of ``(T, N, *)``; the states
            ``h_0``/``h_n``/``c_n`` are never affected.
        proj_size: LSTM only: project ``h`` to this size (``H_out``); 0 means no projection.
        bias: use ``bias_ih_l*`` and ``bias_hh_l*``.
        dropout: dropout on the outputs of every layer except the last.
        nonlinearity: RNN only: "tanh" or "relu".
        seq_len: time steps ``T``.
        batch: sequences ``N``, or ``None`` for an unbatched 2-D input ``(T, H_in)``.
        lengths: per-sequence lengths (each 1..seq_len): the batch is padded to ``seq_len`` and run
            as a PackedSequence.
    """

    mode: str = knob(
        kind="choice",
        choices=MODES,
        help="rnn, lstm or gru (default lstm)",
        cli_default="lstm",
        control="top",
    )
    input_size: int = knob(
        kind="int", help="features per step, H_in", control="sizes", range=(1, 256)
    )
    hidden_size: int = knob(kind="int", help="hidden units, H", control="sizes", range=(1, 128))
    num_layers: int = knob(1, kind="int", control="sizes", range=(1, 8))
    bidirectional: bool = knob(False, kind="bool", control="switches")
    batch_first: bool = knob(False, kind="bool", control="switches")
    proj_size: int = knob(
        0,
        kind="int",
        help="LSTM only; 0 = no projection",
        control="sizes",
        range=(0, 127),
        label=N_("proj_size (LSTM)"),
        modes=("LSTM",),
    )
    bias: bool = knob(True, kind="bool")
    dropout: float = knob(0.0, kind="float")
    nonlinearity: str = knob(
        "tanh", kind="choice", choices=NONLINEARITIES, help="RNN only: tanh or relu", modes=("RNN",)
    )
    seq_len: int = knob(
        5,
        kind="int",
        help="time steps, T",
        control="input",
        range=(1, 30),
        label=N_("seq_len (T)"),
        input=True,
    )
    batch: int | None = knob(
        3,
        kind="int",
        help="sequences, N",
        control="input",
        range=(1, 16),
        label=N_("batch (N)"),
        input=True,
        none=Knob(
            "bool",
            name="unbatched",
            help="one 2-D sequence (T, H_in)",
            control="switches",
            label=N_("unbatched input (no batch axis)"),
        ),
    )
    lengths: tuple[int, ...] | None = knob(
        None,
        kind="ints",
        help="e.g. 10,7,3: pad and pack",
        control="input",
        label=N_("lengths (packed)"),
        placeholder=N_("e.g. 5, 3, 2 (empty: not packed)"),
        input=True,
    )

    def __post_init__(self) -> None:
        mode = self.mode
        if not isinstance(mode, str) or mode.upper() not in MODES:
            raise ValueError(f"mode must be one of 'RNN', 'LSTM', 'GRU' (got mode={mode!r})")
        object.__setattr__(self, "mode", mode.upper())
        _need_int("input_size", self.input_size, 1)
        _need_int("hidden_size", self.hidden_size, 1)
        _need_int("num_layers", self.num_layers, 1)
        _need_int("seq_len", self.seq_len, 1)
        _need_bool("bidirectional", self.bidirectional)
        _need_bool("batch_first", self.batch_first)
        _need_bool("bias", self.bias)
        _need_int("proj_size", self.proj_size, 0)
        if self.proj_size > 0 and self.mode != "LSTM":
            raise ValueError(
                f"proj_size is only supported by LSTM (got proj_size={self.proj_size}, "
                f"mode={self.mode!r})"
            )
        if self.proj_size >= self.hidden_size and self.proj_size > 0:
            raise ValueError(
                f"proj_size must be smaller than hidden_size (got proj_size={self.proj_size}, "
                f"hidden_size={self.hidden_size})"
            )
        dropout = self.dropout
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
            raise ValueError(f"dropout must be a number (got dropout={dropout!r})")
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must satisfy 0 <= dropout < 1 (got dropout={dropout})")
        object.__setattr__(self, "dropout", float(dropout))
        nl = self.nonlinearity
        if not isinstance(nl, str) or nl.lower() not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu' (got nonlinearity={nl!r})")
        object.__setattr__(self, "nonlinearity", nl.lower())
        if self.nonlinearity != "tanh" and self.mode != "RNN":
            raise ValueError(
                f"nonlinearity is only used by RNN; {self.mode} has fixed activations "
                f"(got nonlinearity={self.nonlinearity!r}, mode={self.mode!r})"
            )
        if self.batch is not None:
            _need_int("batch", self.batch, 1)
        self._check_lengths()

    def _check_lengths(self) -> None:
        lengths = self.lengths
        if lengths is None:
            return
        if isinstance(lengths, (str, bytes)) or not isinstance(lengths, Iterable):
            raise ValueError(f"lengths must be a sequence of integers (got lengths={lengths!r})")
        lengths = tuple(_as_index(v) for v in lengths)
        object.__setattr__(self, "lengths", lengths)
        if self.batch is None:
            raise ValueError(
                f"lengths needs a batched input: an unbatched input is one sequence "
                f"(got lengths={list(lengths)}, batch=None)"
            )
        if len(lengths) != self.batch:
            raise ValueError(
                f"lengths must have one entry per sequence, batch={self.batch} "
                f"(got {len(lengths)} lengths: {list(lengths)})"
            )
        for i, n in enumerate(lengths):
            if not _is_int(n) or not 1 <= n <= self.seq_len:
                raise ValueError(
                    f"lengths[{i}] must be an integer in 1..seq_len={self.seq_len} "
                    f"(got lengths={list(lengths)})"
                )

    # --- derived sizes -------------------------------------------------------------------
    @property
    def num_directions(self) -> int:
        """``D``: 2 when bidirectional, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        """``H_out``: size of ``h`` and of each direction's output (proj_size if set)."""
        return self.proj_size or self.hidden_size

    @property
    def gate_blocks(self) -> int:
        """Row blocks in the weight matrices: RNN 1, GRU 3, LSTM 4."""
        return GATE_BLOCKS[self.mode]

    @property
    def batched(self) -> bool:
        return self.batch is not None

    @property
    def packed(self) -> bool:
        return self.lengths is not None

    def replace(self, **changes: Any) -> RNNConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Every field, JSON-serialisable."""
        d = asdict(self)
        d["lengths"] = list(self.lengths) if self.lengths is not None else None
        return d

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def knobs(cls) -> dict[str, Knob]:
        """Every field's :class:`Knob`, by name, in field order (the CLI's and the explorer's)."""
        return {
            f.name: f.metadata["knob"].resolved(f.name, f.default)
            for f in fields(cls)
            if "knob" in f.metadata
        }

    def module_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``."""
        kw: dict[str, Any] = dict(
            input_size=self.input_size,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bias=self.bias,
            batch_first=self.batch_first,
            dropout=self.dropout,
            bidirectional=self.bidirectional,
        )
        if self.mode == "LSTM":
            kw["proj_size"] = self.proj_size
        if self.mode == "RNN":
            kw["nonlinearity"] = self.nonlinearity
        return kw

    def code(self) -> str:
        """The ``nn.*`` constructor call this config stands for, as Python source."""
        parts = [f"{self.input_size}", f"{self.hidden_size}"]
        if self.num_layers != 1:
            parts.append(f"num_layers={self.num_layers}")
        if self.nonlinearity != "tanh":
            parts.append(f"nonlinearity={self.nonlinearity!r}")
        if not self.bias:
            parts.append("bias=False")
        if self.batch_first:
            parts.append("batch_first=True")
        if self.dropout:
            parts.append(f"dropout={self.dropout}")
        if self.bidirectional:
            parts.append("bidirectional=True")
        if self.proj_size:
            parts.append(f"proj_size={self.proj_size}")
        return f"nn.{self.mode}({', '.join(parts)})"

    def build(self, seed: int = 0) -> Any:
        """Build the seeded module (``torch.nn.RNN`` / ``LSTM`` / ``GRU``) in eval mode."""
        import warnings

        import torch
        from torch import nn

        torch.manual_seed(seed)
        cls = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[self.mode]
        with warnings.catch_warnings():
            # dropout with num_layers=1 warns; the report explains it instead.
            warnings.simplefilter("ignore", UserWarning)
            module = cls(**self.module_kwargs())
        return module.eval()

    @classmethod
    def from_module(
        cls,
        module: Any,
        *,
        seq_len: int = 5,
        batch: int | None = 3,
        lengths: Iterable[int] | None = None,
    ) -> RNNConfig:
        """The config of an existing ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` with a given input.

        Raises:
            ValueError: for a module that is not a recurrent layer.
        """
        from .modules import config_from_module  # imports torch: only when asked

        return config_from_module(module, seq_len=seq_len, batch=batch, lengths=lengths)
