"""GateTrace: what :func:`lstm_explain.gates.trace_gates` returns, and the gates' names.

A trace holds the module's own outputs, its :class:`RNNConfig`, and every gate of every layer
and direction as a time-major ``(T, N, H)`` tensor (``gates[layer][direction][name]``). It
answers like every result of the package: ``find``, ``to_dict()``, ``str()``, HTML, and a
one-line repr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .i18n import N_, _

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn

    from .config import RNNConfig


#: Gate names per mode, in the order they appear in ``GateTrace.gates[l][d]``.
TRACE_GATES = {
    "LSTM": ("i", "f", "g", "o", "c", "h"),
    "GRU": ("r", "z", "n", "h"),
    "RNN": ("h",),
}
#: Gates that are sigmoids (values in (0, 1)): the ones that can saturate at 0 or 1.
SIGMOID_GATES = ("i", "f", "o", "r", "z")

#: What each traced gate is, for the text and HTML tables.
GATE_MEANINGS = {
    "i": N_("input gate σ"),
    "f": N_("forget gate σ"),
    "g": N_("cell candidate tanh"),
    "o": N_("output gate σ"),
    "c": N_("cell state c_t"),
    "h": N_("hidden state h_t"),
    "r": N_("reset gate σ"),
    "z": N_("update gate σ"),
    "n": N_("new gate tanh"),
}


@dataclass(repr=False)
class GateTrace:
    """The result of :func:`trace_gates`: the module's own outputs plus every gate, exactly.

    Attributes:
        config: the module's knobs and the input it was given, as an :class:`RNNConfig`
            (``seq_len`` ``T``; ``batch`` ``N``, ``None`` unbatched; ``lengths`` when packed).
            ``mode``, ``batch_first``, ``num_layers``, ``num_directions``, ``hidden_size``,
            ``proj_size``, ``nonlinearity``, ``batched`` and ``gate_names`` read from it.
        output: what the module returns as ``output`` (same shape, same type: a PackedSequence
            for packed input).
        h_n: the module's ``h_n``, ``(L*D, N, H_out)`` (``(L*D, H_out)`` unbatched).
        c_n: LSTM only: the module's ``c_n``, ``(L*D, N, H)``; ``None`` otherwise.
        gates: ``gates[layer][direction][name]`` -> ``(T, N, H)``, time-major, real time order;
            names in :data:`TRACE_GATES`. With packed input, steps past a sequence's length
            are NaN.
        input: the layer-0 input, time-major and padded, ``(T, N, H_in)``.
        h_0: the initial hidden state used, ``(L*D, N, H_out)`` (zeros when ``hx`` was None).
        c_0: LSTM only: the initial cell state used, ``(L*D, N, H)``.
        lengths: per-sequence lengths ``(N,)`` for packed input, else ``None``.

    The result protocol of :mod:`lstm_explain.render`: ``to_dict()`` (the config and every
    shape; no values), ``str()`` (a table of every layer, direction and gate),
    ``_repr_html_()``, a one-line ``repr()``, and ``find(gate, layer=0, direction=0)`` (the same
    as :meth:`gate`). There is no ``ok``: ``output``, ``h_n`` and ``c_n`` are what the module's
    own kernel returns, run layer by layer, so there is nothing that could fail to hold (the
    tests compare them with ``module(x)`` and the gates with :mod:`lstm_explain.reference`).
    """

    config: RNNConfig
    output: Any
    h_n: Tensor
    c_n: Tensor | None
    gates: list[list[dict[str, Tensor]]]
    input: Tensor
    h_0: Tensor
    c_0: Tensor | None
    lengths: Tensor | None = field(default=None)

    @staticmethod
    def config_of(
        module: nn.Module, input: Tensor, batched: bool, lengths: Tensor | None
    ) -> RNNConfig:
        """The config of ``module`` given the time-major, padded input ``(T, N, H_in)``."""
        from .config import RNNConfig

        return RNNConfig.from_module(
            module,
            seq_len=int(input.shape[0]),
            batch=int(input.shape[1]) if batched else None,
            lengths=[int(n) for n in lengths.tolist()] if lengths is not None else None,
        )

    # --- the module's knobs, read from the config (attributes before the config existed) ---
    @property
    def mode(self) -> str:
        """ "RNN", "LSTM" or "GRU"."""
        return self.config.mode

    @property
    def batch_first(self) -> bool:
        return self.config.batch_first

    @property
    def batched(self) -> bool:
        """False for an unbatched (2-D) input."""
        return self.config.batch is not None

    @property
    def num_layers(self) -> int:
        return self.config.num_layers

    @property
    def num_directions(self) -> int:
        return self.config.num_directions

    @property
    def hidden_size(self) -> int:
        return self.config.hidden_size

    @property
    def proj_size(self) -> int:
        return self.config.proj_size

    @property
    def nonlinearity(self) -> str:
        return self.config.nonlinearity

    @property
    def gate_names(self) -> tuple[str, ...]:
        """The traced names for this mode, :data:`TRACE_GATES`."""
        return TRACE_GATES[self.config.mode]

    @property
    def seq_len(self) -> int:
        """``T``: time steps (the longest sequence for packed input)."""
        return self.input.shape[0]

    @property
    def batch(self) -> int:
        """``N``: sequences (1 for an unbatched input)."""
        return self.input.shape[1]

    def valid(self) -> Tensor:
        """``(T, N)`` bool: True where step ``t`` is inside sequence ``n`` (all True unless packed)."""
        import torch

        t = torch.arange(self.seq_len, device=self.input.device)[:, None]
        if self.lengths is None:
            return torch.ones(self.seq_len, self.batch, dtype=torch.bool, device=t.device)
        return t < self.lengths.to(t.device)[None, :]

    def gate(self, name: str, layer: int = 0, direction: int = 0) -> Tensor:
        """One gate, ``(T, N, H)``; raises ``ValueError`` naming a bad layer, direction or name."""
        _check_index("layer", layer, self.num_layers)
        _check_index("direction", direction, self.num_directions)
        if name not in self.gate_names:
            raise ValueError(
                f"gate must be one of {list(self.gate_names)} for {self.mode} (got gate={name!r})"
            )
        return self.gates[layer][direction][name]

    def find(self, name: str, layer: int = 0, direction: int = 0) -> Tensor:
        """One gate, ``(T, N, H)``: the shared lookup verb, the same as :meth:`gate`."""
        return self.gate(name, layer, direction)

    # --- rendering -------------------------------------------------------------------------
    def _title(self) -> str:
        return (
            f"GateTrace({self.mode}, T={self.seq_len}, N={self.batch}, "
            f"hidden_size={self.hidden_size}"
            + (f", proj_size={self.proj_size}" if self.proj_size else "")
            + (_(", packed") if self.lengths is not None else "")
            + (_(", unbatched") if not self.batched else "")
            + ")"
        )

    def _where(self) -> str:
        """Which layers and directions were traced: ``layers 0..1 x forward, backward``."""
        dirs = ", ".join((_("forward"), _("backward"))[: self.num_directions])
        layers = (
            _("layer 0")
            if self.num_layers == 1
            else _("layers 0..{last}").format(last=self.num_layers - 1)
        )
        return _("gates[layer][direction][gate] for {layers} x {dirs}").format(
            layers=layers, dirs=dirs
        )

    def _rows(self) -> list[tuple[str, str, str]]:
        """``(gate, shape, meaning)``: every layer and direction has the same shapes."""
        from .render import fmt_shape

        return [
            (g, fmt_shape(t.shape), _(GATE_MEANINGS[g]) if g in GATE_MEANINGS else "")
            for g, t in self.gates[0][0].items()
        ]

    def _state_shapes(self, translate: bool = True) -> list[tuple[str, str, str]]:
        """``(tensor, shape, note)`` for the input, initial states and the module's outputs
        (``translate=False``: the English of ``to_dict()``)."""
        from .render import fmt_shape

        t = _ if translate else str
        out = [("input", fmt_shape(self.input.shape), t(N_("layer-0 input, time-major, padded")))]
        out.append(("h_0", fmt_shape(self.h_0.shape), t(N_("initial state used, batched"))))
        if self.c_0 is not None:
            out.append(("c_0", fmt_shape(self.c_0.shape), t(N_("initial state used, batched"))))
        returned = t(N_("as returned"))
        if hasattr(self.output, "batch_sizes"):  # a PackedSequence
            out.append(
                ("output", t(N_("packed data ")) + fmt_shape(self.output.data.shape), returned)
            )
        else:
            out.append(("output", fmt_shape(self.output.shape), returned))
        out.append(("h_n", fmt_shape(self.h_n.shape), returned))
        if self.c_n is not None:
            out.append(("c_n", fmt_shape(self.c_n.shape), returned))
        return out

    def summary(self) -> str:
        """A few lines: mode, sizes, and the gate shapes of every layer and direction."""
        dirs = (_("forward"), _("backward"))[: self.num_directions]
        lines = [self._title()]
        for layer in range(self.num_layers):
            for d, name in enumerate(dirs):
                shapes = ", ".join(
                    f"{g} {tuple(t.shape)}" for g, t in self.gates[layer][d].items()
                ).replace("torch.Size", "")
                lines.append(
                    _("  layer {layer} {direction}: {shapes}").format(
                        layer=layer, direction=name, shapes=shapes
                    )
                )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the config, the shapes of the inputs, outputs and every gate (no values)."""
        return {
            "config": self.config.to_dict(),
            "seq_len": self.seq_len,
            "batch": self.batch,
            "gate_names": list(self.gate_names),
            "tensors": {name: shape for name, shape, _n in self._state_shapes(translate=False)},
            "gates": [
                {
                    "layer": layer,
                    "direction": ("forward", "backward")[d],
                    "gate": g,
                    "shape": list(t.shape),
                }
                for layer in range(self.num_layers)
                for d in range(self.num_directions)
                for g, t in self.gates[layer][d].items()
            ],
        }

    def __str__(self) -> str:
        from .render import text_table

        lines = [self._title(), self.config.code(), "", self._where() + ":"]
        lines += text_table(self._rows(), (_("gate"), _("shape"), _("meaning")), indent="  ")
        lines += ["", _("tensors:")]
        lines += text_table(self._state_shapes(), indent="  ")
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = self.num_layers * self.num_directions
        return f"<{self._title()}: {len(self.gate_names)} traced tensors x {n} layer-directions>"

    def _repr_html_(self) -> str:
        from . import render as R

        return R.block(
            "lx-gates",
            R.caption(self._title(), self.config.code()),
            R.paragraph(R.code(self._where())),
            R.html_table(
                (_("gate"), _("shape"), _("meaning")),
                self._rows(),
                mono=(0, 1),
                kind="lx-gate-shapes",
            ),
            R.html_table(
                (_("tensor"), _("shape"), ""), self._state_shapes(), mono=(0, 1), kind="lx-tensors"
            ),
        )


def _check_index(name: str, value: Any, size: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise ValueError(f"{name} must be an integer in [0, {size - 1}] (got {name}={value!r})")
