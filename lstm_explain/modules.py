"""The one adapter for torch's recurrent modules: their mode, their per-layer weights, their config.

Everything else in the package asks these functions instead of reading ``module.mode`` or
``getattr(module, f"weight_ih_l{layer}...")`` itself:

- :func:`mode_of`: ``"RNN"``, ``"LSTM"`` or ``"GRU"`` for ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` and
  for their cells (``nn.RNNCell``, ``nn.LSTMCell``, ``nn.GRUCell``);
- :func:`layer_weights`: the parameters of one layer and direction (``weight_ih_l1_reverse``, …)
  as a :class:`LayerWeights`, ``None`` where the module has none (``bias=False``, no ``proj_size``),
  and :func:`copy_layer_weights` from one module's layer to another's;
- :func:`config_from_module`: the :class:`~lstm_explain.config.RNNConfig` of a module
  (``RNNConfig.from_module``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor

    from .config import RNNConfig

__all__ = [
    "LayerWeights",
    "config_from_module",
    "copy_layer_weights",
    "is_cell",
    "is_layer",
    "layer_weights",
    "mode_of",
]

#: ``module.mode`` of ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` -> our mode name.
_LAYER_MODES = {"RNN_TANH": "RNN", "RNN_RELU": "RNN", "LSTM": "LSTM", "GRU": "GRU"}
_RAISE: Any = object()


def _cell_mode(module: Any) -> str | None:
    from torch import nn

    for cls, mode in ((nn.LSTMCell, "LSTM"), (nn.GRUCell, "GRU"), (nn.RNNCell, "RNN")):
        if isinstance(module, cls):
            return mode
    return None


def is_layer(module: Any) -> bool:
    """True for an ``nn.RNN``, ``nn.LSTM`` or ``nn.GRU`` (any subclass)."""
    from torch import nn

    return isinstance(module, nn.RNNBase) and getattr(module, "mode", None) in _LAYER_MODES


def is_cell(module: Any) -> bool:
    """True for an ``nn.RNNCell``, ``nn.LSTMCell`` or ``nn.GRUCell`` (any subclass)."""
    return _cell_mode(module) is not None


def mode_of(module: Any, default: Any = _RAISE) -> str:
    """``"RNN"``, ``"LSTM"`` or ``"GRU"``: the kind of a recurrent layer or cell.

    Args:
        module: ``nn.RNN`` (either nonlinearity), ``nn.LSTM``, ``nn.GRU`` or one of their cells.
        default: returned for anything else; without it, anything else raises.

    Raises:
        ValueError: naming the type, when ``module`` is neither and no default is given.
    """
    if is_layer(module):
        return _LAYER_MODES[module.mode]
    mode = _cell_mode(module)
    if mode is not None:
        return mode
    if default is not _RAISE:
        return default
    raise ValueError(
        "module must be an nn.RNN, nn.LSTM or nn.GRU or one of their cells "
        f"(got module={type(module).__name__})"
    )


class LayerWeights(NamedTuple):
    """The parameters of one layer and direction (or of a cell), named as the cells name them.

    Shapes: ``weight_ih`` ``(G*H, H_in)``, ``weight_hh`` ``(G*H, H_out)``, ``bias_ih`` and
    ``bias_hh`` ``(G*H,)`` (``None`` with ``bias=False``), ``weight_hr`` ``(P, H)`` (``None``
    without ``proj_size``); ``G`` gate blocks (RNN 1, GRU 3, LSTM 4) in PyTorch's order.
    """

    weight_ih: Tensor
    weight_hh: Tensor
    bias_ih: Tensor | None
    bias_hh: Tensor | None
    weight_hr: Tensor | None

    def kwargs(self) -> dict[str, Any]:
        """By keyword for :mod:`lstm_explain.reference` cells: the biases always (maybe
        ``None``), ``weight_hr`` only when there is one."""
        out = self._asdict()
        if out["weight_hr"] is None:
            del out["weight_hr"]
        return out

    def flat(self) -> list[Tensor]:
        """The tensors that exist, in the order torch's fused kernels take them."""
        return [w for w in self if w is not None]


def layer_weights(module: Any, layer: int = 0, direction: int = 0) -> LayerWeights:
    """The weights of layer ``layer``, direction ``direction`` of a recurrent layer, or a cell's.

    ``layer_weights(nn.LSTM(...), 1, 1).weight_ih`` is ``weight_ih_l1_reverse``; a cell has one
    layer and one direction (its own ``weight_ih``, …). The tensors are the module's own.

    Raises:
        ValueError: for another module type, or a layer/direction the module does not have.
    """
    if is_cell(module):
        if layer != 0 or direction != 0:
            raise ValueError(
                f"a cell has one layer and one direction (got layer={layer}, direction={direction})"
            )
        sfx = ""
    elif is_layer(module):
        if not 0 <= layer < module.num_layers:
            raise ValueError(f"layer must be in [0, {module.num_layers - 1}] (got layer={layer})")
        dirs = 2 if module.bidirectional else 1
        if not 0 <= direction < dirs:
            raise ValueError(f"direction must be in [0, {dirs - 1}] (got direction={direction})")
        sfx = f"_l{layer}" + ("_reverse" if direction else "")
    else:
        raise ValueError(
            f"module must be an RNN/LSTM/GRU layer or cell (got module={type(module).__name__})"
        )
    bias = module.bias
    proj = getattr(module, "proj_size", 0) > 0
    return LayerWeights(
        getattr(module, "weight_ih" + sfx),
        getattr(module, "weight_hh" + sfx),
        getattr(module, "bias_ih" + sfx) if bias else None,
        getattr(module, "bias_hh" + sfx) if bias else None,
        getattr(module, "weight_hr" + sfx) if proj else None,
    )


def copy_layer_weights(src: Any, src_layer: int, dst: Any, dst_layer: int) -> None:
    """Copy every direction of layer ``src_layer`` of ``src`` into layer ``dst_layer`` of ``dst``
    (two recurrent layers of the same kind, sizes and settings), in place, without gradients."""
    import torch

    with torch.no_grad():
        for d in range(2 if src.bidirectional else 1):
            pairs = zip(
                layer_weights(dst, dst_layer, d), layer_weights(src, src_layer, d), strict=True
            )
            for mine, theirs in pairs:
                if mine is not None:
                    mine.copy_(theirs)


def config_from_module(
    module: Any,
    *,
    seq_len: int = 5,
    batch: int | None = 3,
    lengths: Iterable[int] | None = None,
) -> RNNConfig:
    """The :class:`~lstm_explain.config.RNNConfig` of an ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``
    given an input of ``seq_len`` steps and ``batch`` sequences (``None``: unbatched).

    Raises:
        ValueError: for a module that is not a recurrent layer (a cell has no config).
    """
    from .config import RNNConfig

    if not is_layer(module):
        raise ValueError(
            f"module must be nn.RNN, nn.LSTM or nn.GRU (got module={type(module).__name__})"
        )
    return RNNConfig(
        mode=mode_of(module),
        input_size=module.input_size,
        hidden_size=module.hidden_size,
        num_layers=module.num_layers,
        bidirectional=module.bidirectional,
        batch_first=module.batch_first,
        proj_size=getattr(module, "proj_size", 0),
        bias=module.bias,
        dropout=float(module.dropout),
        nonlinearity=getattr(module, "nonlinearity", "tanh"),
        seq_len=seq_len,
        batch=batch,
        lengths=tuple(lengths) if lengths is not None else None,
    )
