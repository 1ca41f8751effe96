"""Identity checks computed on a recurrent layer's real tensors.

``identity_checks(config, values)`` tests what the course teaches about ``output``, ``h_n`` and
``c_n`` on the tensors a module really returned: ``output[-1] == h_n[-1]``, the bidirectional
halves (``output[-1, :, :H] == h_n[-2]``, ``output[0, :, H:] == h_n[-1]``), the layer-major
``h_n`` layout (each layer re-run alone with the module's own weights), ``proj_size`` against
``c_n``, and the last valid step of each packed sequence. Each result is a :class:`Check`.

Notation: ``T`` steps, ``N`` batch, ``H`` hidden_size, ``H_out`` = proj_size or hidden_size,
``L`` num_layers, ``D`` directions (1 or 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .config import RNNConfig
from .i18n import M_
from .render import fmt_shape

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn


@dataclass(frozen=True)
class Check:
    """An identity computed on real tensors, e.g. ``output[-1] == h_n[-1]``."""

    name: str
    holds: bool
    detail: str
    lhs: str = ""
    rhs: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "holds": bool(self.holds), "detail": self.detail}


def _time_major(t: Tensor, config: RNNConfig) -> Tensor:
    """``(T, N, *)`` view of an input/output tensor, whatever batch_first or unbatched."""
    if config.batch is None:
        return t.unsqueeze(1)
    return t.transpose(0, 1) if config.batch_first else t


def _batched_state(t: Tensor, config: RNNConfig) -> Tensor:
    """``(L*D, N, *)`` view of a state tensor (unbatched states gain N = 1)."""
    return t.unsqueeze(1) if config.batch is None else t


def _slice_text(config: RNNConfig, step: str, half: str = "") -> str:
    """How to index ``output`` at a step (``-1``/``0``) and feature half, in this layout."""
    if config.batch is None:
        return f"output[{step}{', ' + half if half else ''}]"
    if config.batch_first:
        return f"output[:, {step}{', ' + half if half else ''}]"
    return f"output[{step}{', :, ' + half if half else ''}]"


def identity_checks(
    config: RNNConfig,
    output: Tensor,
    h_n: Tensor,
    c_n: Tensor | None = None,
    *,
    module: nn.Module | None = None,
    values: dict[str, Any] | None = None,
) -> list[Check]:
    """Identities relating ``output``, ``h_n`` and ``c_n``, computed on the given tensors.

    Args:
        config: the layer and input layout (``RNNConfig.from_module`` for an existing module).
        output: as the module returned it (padded back with ``pad_packed_sequence`` if packed).
        h_n, c_n: the final states as returned.
        module, values: if given (the module and its ``input``/``h_0``/``c_0``), also verify the
            ``h_n`` layout by re-running each layer alone with the module's own weights.
    """
    import torch

    c = config
    checks: list[Check] = []
    out = _time_major(output, c)  # (T, N, D*H_out)
    h = _batched_state(h_n, c)  # (L*D, N, H_out)
    P, D, T = c.h_out, c.num_directions, out.shape[0]
    fwd, bwd = f":{P}", f"{P}:"

    if c.lengths is None:
        if D == 1:
            lhs = _slice_text(c, "-1")
            checks.append(
                Check(
                    M_("{lhs} equals h_n[-1]", lhs=lhs),
                    torch.equal(out[-1], h[-1]),
                    M_("the top layer's output at the last step is its final hidden state"),
                    lhs,
                    "h_n[-1]",
                )
            )
        else:
            lhs = _slice_text(c, "-1", fwd)
            checks.append(
                Check(
                    M_(
                        "forward half of output at the last step equals h_n[-2]: {lhs} == h_n[-2]",
                        lhs=lhs,
                    ),
                    torch.equal(out[-1, :, :P], h[-2]),
                    M_("the forward direction ends at t = T-1"),
                    lhs,
                    "h_n[-2]",
                )
            )
            lhs = _slice_text(c, "0", bwd)
            checks.append(
                Check(
                    M_(
                        "backward half of output at the first step equals h_n[-1]: "
                        "{lhs} == h_n[-1]",
                        lhs=lhs,
                    ),
                    torch.equal(out[0, :, P:], h[-1]),
                    M_("the backward direction runs from t = T-1 down to t = 0 and ends there"),
                    lhs,
                    "h_n[-1]",
                )
            )
            if T > 1:
                lhs = _slice_text(c, "-1", bwd)
                checks.append(
                    Check(
                        M_(
                            "backward half of output at the last step is not h_n[-1]: "
                            "{lhs} != h_n[-1]",
                            lhs=lhs,
                        ),
                        not torch.allclose(out[-1, :, P:], h[-1]),
                        M_("at t = T-1 the backward direction has read one step only"),
                        lhs,
                        "h_n[-1]",
                    )
                )
    else:
        lengths = list(c.lengths)
        idx = torch.tensor(lengths) - 1
        rows = torch.arange(len(lengths))
        last_valid = out[idx, rows]  # (N, D*H_out)
        where = "output[i, lengths[i]-1" if c.batch_first else "output[lengths[i]-1, i"
        if D == 1:
            checks.append(
                Check(
                    M_(
                        "output at each sequence's last valid step equals h_n[-1]: "
                        "{where} == h_n[-1][i]",
                        where=f"{where}]",
                    ),
                    torch.equal(last_valid, h[-1]),
                    M_("with packing, each sequence's final state is taken at its own length"),
                    f"{where}]",
                    "h_n[-1][i]",
                )
            )
        else:
            checks.append(
                Check(
                    M_(
                        "forward half at each sequence's last valid step equals h_n[-2]: "
                        "{where} == h_n[-2][i]",
                        where=f"{where}, :{P}]",
                    ),
                    torch.equal(last_valid[:, :P], h[-2]),
                    M_("the forward direction stops at each sequence's own last step"),
                    f"{where}, :{P}]",
                    "h_n[-2][i]",
                )
            )
            checks.append(
                Check(
                    M_(
                        "backward half of output at the first step equals h_n[-1]: "
                        "{lhs} == h_n[-1]",
                        lhs=_slice_text(c, "0", bwd),
                    ),
                    torch.equal(out[0, :, P:], h[-1]),
                    M_(
                        "the backward direction starts at each sequence's last valid step, "
                        "ends at t = 0"
                    ),
                    _slice_text(c, "0", bwd),
                    "h_n[-1]",
                )
            )
        short = [i for i, n in enumerate(lengths) if n < T]
        if short:
            pad_zero = bool((out[-1, short] == 0).all())
            checks.append(
                Check(
                    M_(
                        "{lhs} is zero padding, not h_n, for the sequences shorter than seq_len "
                        "(rows {rows})",
                        lhs=_slice_text(c, "-1"),
                        rows=short,
                    ),
                    pad_zero and not torch.equal(out[-1, short, :P], h[-D, short]),
                    M_("pad_packed_sequence fills steps past a sequence's length with zeros"),
                    _slice_text(c, "-1"),
                    "h_n[-1]",
                )
            )

    if c.batch_first and c.batch is not None:
        checks.append(
            Check(
                M_(
                    "batch_first leaves h_n as (num_layers*D, N, H_out): h_n.shape = {shape}",
                    shape=fmt_shape(h_n.shape),
                ),
                tuple(h_n.shape) == (c.num_layers * D, c.batch, P),
                M_("batch_first reorders only input and output; the states keep batch on axis 1"),
                "h_n.shape",
                fmt_shape((c.num_layers * D, c.batch, P)),
            )
        )
    if c.batch is None:
        checks.append(
            Check(
                M_(
                    "unbatched input gives a 2-D h_n of shape (num_layers*D, H_out) = {shape}",
                    shape=fmt_shape(h_n.shape),
                ),
                tuple(h_n.shape) == (c.num_layers * D, P),
                M_("without a batch axis the states have no batch axis either"),
                "h_n.shape",
                fmt_shape((c.num_layers * D, P)),
            )
        )
    if c.proj_size and c_n is not None:
        checks.append(
            Check(
                M_(
                    "with proj_size, output's last dim is D*proj_size = {dp} while c_n keeps "
                    "hidden_size = {hidden_size}",
                    dp=D * P,
                    hidden_size=c.hidden_size,
                ),
                output.shape[-1] == D * P and c_n.shape[-1] == c.hidden_size and h_n.shape[-1] == P,
                M_("the projection shrinks h (and so output and h_n), not the cell state c"),
                "output.shape[-1], c_n.shape[-1]",
                f"{D * P}, {c.hidden_size}",
            )
        )
    if module is not None and values is not None:
        checks.append(_layout_check(c, module, values, h_n, c_n))
    return checks


def _layout_check(
    c: RNNConfig, module: nn.Module, values: dict[str, Any], h_n: Tensor, c_n: Tensor | None
) -> Check:
    """``h_n.view(L, D, N, H_out)[l, d]`` is layer l, direction d: re-run each layer alone."""
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    from .modules import copy_layer_weights
    from .shapes import quiet_rnn_warnings

    L, D, P = c.num_layers, c.num_directions, c.h_out
    x = _time_major(values["input"], c)
    h0 = _batched_state(values["h_0"], c)
    c0 = _batched_state(values["c_0"], c) if c.mode == "LSTM" else None
    N = x.shape[1]
    h_all = _batched_state(h_n, c).reshape(L, D, N, P)
    c_all = _batched_state(c_n, c).reshape(L, D, N, c.hidden_size) if c_n is not None else None
    ok = True
    with torch.no_grad(), quiet_rnn_warnings():
        for layer in range(L):
            single = c.replace(
                input_size=x.shape[-1],
                num_layers=1,
                batch_first=False,
                dropout=0.0,
                batch=N,
                lengths=c.lengths,
            ).build()
            copy_layer_weights(module, layer, single, 0)
            rows = slice(layer * D, (layer + 1) * D)
            hx = (h0[rows], c0[rows]) if c0 is not None else h0[rows]
            if c.lengths is not None:
                packed = pack_padded_sequence(x, list(c.lengths), enforce_sorted=False)
                y, state = single(packed, hx)
                y, _sizes = pad_packed_sequence(y, total_length=x.shape[0])
            else:
                y, state = single(x, hx)
            hl, cl = state if c0 is not None else (state, None)
            ok &= torch.allclose(hl, h_all[layer], atol=1e-6)
            if cl is not None and c_all is not None:
                ok &= torch.allclose(cl, c_all[layer], atol=1e-6)
            x = y
    return Check(
        M_(
            "h_n is (num_layers, D, N, H_out) flattened layer-major: h_n.view({L}, {D}, N, {P})"
            "[l, d] is layer l, direction d",
            L=L,
            D=D,
            P=P,
        ),
        bool(ok),
        M_(
            "each of the {L} layer(s) re-run alone with the module's own weights gives the same "
            "final state (within 1e-6)",
            L=L,
        ),
        f"h_n.view({L}, {D}, N, {P})[l, d]",
        "layer l run alone",
    )


# --- the report ---------------------------------------------------------------------------
