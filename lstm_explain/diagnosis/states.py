"""The states of nn.RNN / nn.LSTM / nn.GRU: the shapes expected, and why a given one is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..config import RNNConfig
from ..i18n import M_
from ..shapes import fmt_shape, predict_shapes
from ._common import Shape, _Found, _var, _zeros_code

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn


@dataclass
class _Layout:
    """What the module reads from the input: batched?, N, and where it comes from."""

    batched: bool
    N: int | None
    N_from: str
    N_alt: int | None = None  # the other axis of a 3-D input, had batch_first been flipped
    packed: bool = False


def _rnn_expected_states(module: nn.RNNBase, layout: _Layout) -> dict[str, tuple[Shape, str]]:
    """``{h_0: (shape, why)}`` (and ``c_0`` for LSTM), from predict_shapes."""
    cfg = RNNConfig.from_module(module, seq_len=1, batch=layout.N if layout.batched else None)
    pred = predict_shapes(cfg)
    L, D = module.num_layers, 2 if module.bidirectional else 1
    out = {}
    for name in ("h_0", "c_0"):
        if name not in pred:
            continue
        shape, _dims, _formula = pred[name]
        size = shape[-1]
        proj = name == "h_0" and cfg.proj_size
        feat = "H_out" if proj else "H"
        formula = f"(L*D, N, {feat})" if layout.batched else f"(L*D, {feat})"
        if proj:
            feat_why = M_("H_out = proj_size = {size}", size=size)
        elif cfg.proj_size:
            feat_why = M_(
                "H = hidden_size = {size} (c keeps hidden_size; proj_size shrinks only h)",
                size=size,
            )
        else:
            feat_why = M_("H = hidden_size = {size}", size=size)
        if D == 2:
            layers = (
                M_("L={L} layers x D={D} (bidirectional) = {LD}", L=L, D=D, LD=L * D)
                if L > 1
                else M_("L={L} layer x D={D} (bidirectional) = {LD}", L=L, D=D, LD=L * D)
            )
        else:
            layers = (
                M_("L={L} layers x D={D} = {LD}", L=L, D=D, LD=L * D)
                if L > 1
                else M_("L={L} layer x D={D} = {LD}", L=L, D=D, LD=L * D)
            )
        if not layout.batched:
            why = M_("{formula}: {layers}, {feat}", formula=formula, layers=layers, feat=feat_why)
        elif module.batch_first:
            why = M_(
                "{formula}: {layers}, N={N} from {N_from}, {feat}; batch_first never applies "
                "to states",
                formula=formula,
                layers=layers,
                N=layout.N,
                N_from=layout.N_from,
                feat=feat_why,
            )
        else:
            why = M_(
                "{formula}: {layers}, N={N} from {N_from}, {feat}",
                formula=formula,
                layers=layers,
                N=layout.N,
                N_from=layout.N_from,
                feat=feat_why,
            )
        out[name] = (tuple(shape), why)
    return out


def _state_problem(
    found: _Found, module: nn.RNNBase, name: str, t: Tensor, want: Shape, layout: _Layout
) -> None:
    """Explain why state ``name`` of shape ``t.shape`` is not ``want``."""
    got = tuple(int(s) for s in t.shape)
    L, D = module.num_layers, 2 if module.bidirectional else 1
    LD = L * D
    var = _var(module)
    mname = type(module).__name__
    exp, act = fmt_shape(want), fmt_shape(got)
    zeros = f"{name} = {_zeros_code(want)}"
    size = want[-1]
    if not layout.batched:
        # unbatched input: 2-D states (L*D, H_out)
        if len(got) == 3:
            if got[1] == 1 and (got[0], got[2]) == want:
                fix = f"{name} = {name}.squeeze(1)  # {act} -> {exp}"
            else:
                fix = zeros
            bdim = 0 if module.batch_first else 1
            found.problem(
                name,
                exp,
                act,
                M_(
                    "the input is 2-D, one unbatched sequence (T, H_in), so {name} must be "
                    "2-D too, without a batch axis: (L*D, H). To run a batch, give a 3-D "
                    "input (x.unsqueeze({bdim}) is a batch of one)",
                    name=name,
                    bdim=bdim,
                ),
                fix,
            )
            return
        if len(got) != 2:
            found.problem(
                name,
                exp,
                act,
                M_(
                    "for an unbatched input {name} is 2-D (L*D, H)",
                    name=name,
                ),
                zeros,
            )
            return
        causes = _axis_causes(module, name, got, want, 0, None)
        found.problem(name, exp, act, causes[0], causes[1])
        return
    # batched (3-D input or packed): 3-D states (L*D, N, H_out)
    if len(got) == 2:
        if got == (want[0], want[2]):
            cause = M_(
                "{name} is {act}, the unbatched layout (L*D, H): a batched input needs a "
                "batch axis in the middle, one state per sequence",
                name=name,
                act=act,
            )
            fix = f"{name} = {name}.unsqueeze(1).repeat(1, {want[1]}, 1)  # {act} -> {exp}"
        elif got == (want[1], want[2]):
            cause = M_(
                "{name} is {act}, one state per sequence but no layer axis: nn.{mname} "
                "wants L*D = {LD} states (as a cell's state is (N, H), this is the "
                "module's one extra axis)",
                name=name,
                act=act,
                mname=mname,
                LD=LD,
            )
            fix = (
                f"{name} = {name}.unsqueeze(0)  # {act} -> {exp}"
                if LD == 1
                else f"{name} = {name}.unsqueeze(0).repeat({LD}, 1, 1)  # {act} -> {exp}"
            )
        else:
            cause = M_(
                "a batched input needs a 3-D {name} (L*D, N, H)",
                name=name,
            )
            fix = zeros
        found.problem(name, exp, act, cause, fix)
        return
    if len(got) != 3:
        found.problem(
            name,
            exp,
            act,
            M_(
                "{name} must be 3-D (L*D, N, H)",
                name=name,
            ),
            zeros,
        )
        return
    N, N_alt = want[1], layout.N_alt
    if got == (N, LD, size):
        if module.batch_first:
            cause = M_(
                "batch_first=True was assumed to apply to {name}: it changes only input "
                "and output; {name} is always (L*D, N, H), here {exp}",
                name=name,
                exp=exp,
            )
        else:
            cause = M_(
                "the batch and layer axes of {name} are swapped: states are (L*D, N, H) "
                "= {exp}, not (N, L*D, H)",
                name=name,
                exp=exp,
            )
        fix = f"{name} = {name}.transpose(0, 1).contiguous()  # {act} -> {exp}"
        found.problem(name, exp, act, cause, fix)
        return
    if (
        module.batch_first
        and N_alt is not None
        and N_alt != N
        and got in ((LD, N_alt, size), (N_alt, LD, size))
    ):
        # batch_first=True was chosen on purpose: the state was sized from the wrong axis
        cause = M_(
            "{name} holds {N_alt} sequences, the size of input axis 1 (T, the "
            "steps), but with batch_first=True the batch is input axis 0: N = "
            "x.size(0) = {N}. States ignore batch_first, but their N is still the "
            "input's batch",
            name=name,
            N_alt=N_alt,
            N=N,
        )
        if got == (N_alt, LD, size) and N_alt != LD:
            cause += M_(
                "; {name}'s batch and layer axes are swapped as well",
                name=name,
            )
        flipped = RNNConfig.from_module(module).replace(batch_first=False).code()
        fix = (
            f"{name} = torch.zeros({LD}, x.size(0), {size}, dtype=x.dtype, device=x.device)"
            f"  # N from axis 0\n# or, if x really is time-first (T, N, H_in): {var} = {flipped}"
        )
        found.problem(name, exp, act, cause, fix)
        return
    if N_alt is not None and N_alt != N and got in ((LD, N_alt, size), (N_alt, LD, size)):
        other = 1 if module.batch_first else 0
        swapped = got == (N_alt, LD, size)
        cause = M_(
            "{name} is built for N={N_alt} sequences, the size of input axis "
            "{other}: the input looks {batch_first_N_T_H_in_if_not_mo}, but the "
            "module has batch_first={module_batch_first} and reads axis {v1_other} "
            "(size {N}) as the batch",
            name=name,
            N_alt=N_alt,
            other=other,
            batch_first_N_T_H_in_if_not_mo=M_("batch-first (N, T, H_in)")
            if not module.batch_first
            else M_("time-first (T, N, H_in)"),
            module_batch_first=module.batch_first,
            v1_other=1 - other,
            N=N,
        )
        if swapped:
            cause += M_(
                "; {name}'s batch and layer axes are swapped as well",
                name=name,
            )
        want_fixed = (LD, N_alt, size)
        fix = (
            f"{var} = {RNNConfig.from_module(module).replace(batch_first=not module.batch_first).code()}"
            f"  # or: x = x.transpose(0, 1)"
        )
        if swapped:
            fix += f"\n{name} = {name}.transpose(0, 1).contiguous()  # {act} -> {fmt_shape(want_fixed)}"
        found.problem(name, exp, act, cause, fix)
        return
    cause, fix = _axis_causes(module, name, got, want, 1, layout)
    found.problem(name, exp, act, cause, fix)


def _axis_causes(
    module: nn.RNNBase, name: str, got: Shape, want: Shape, batch_axis: int, layout: _Layout | None
) -> tuple[str, str]:
    """Cause and fix for a state with the right number of axes but wrong sizes."""
    L, D = module.num_layers, 2 if module.bidirectional else 1
    LD = L * D
    exp, act = fmt_shape(want), fmt_shape(got)
    causes, fixes = [], []
    if got[0] != LD:
        if D == 2 and got[0] == L:
            causes.append(
                M_(
                    "{name} has {rows} = L rows, the state of a unidirectional model: a "
                    "bidirectional model needs one per layer and direction, L*D = {L}*2 = {LD}",
                    name=name,
                    rows=got[0],
                    L=L,
                    LD=LD,
                )
            )
            fixes.append(f"{name} = {name}.repeat_interleave(2, dim=0)  # same start both ways")
        elif D == 1 and got[0] == 2 * L:
            causes.append(
                M_(
                    "{name} has {rows} = L*2 rows, the state of a bidirectional model; "
                    "this one is unidirectional and needs L = {L}",
                    name=name,
                    rows=got[0],
                    L=L,
                )
            )
            fixes.append(
                f"{name} = {name}.view({L}, 2, *{name}.shape[1:])[:, 0]  # keep the forward direction"
            )
        else:
            causes.append(
                M_(
                    "axis 0 of {name} counts layers x directions: L={L} x D={D} = {LD}, not {rows}",
                    name=name,
                    L=L,
                    D=D,
                    LD=LD,
                    rows=got[0],
                )
            )
    if batch_axis and got[1] != want[1]:
        if layout is not None and layout.packed:
            causes.append(
                M_(
                    "{name} holds {got} sequences but the packed batch has N = {N} "
                    "(one state per sequence, in the order before sorting)",
                    name=name,
                    got=got[1],
                    N=want[1],
                )
            )
        elif got[1] > want[1]:
            causes.append(
                M_(
                    "{n} holds {got_0} sequences but the input has N = {N}: typically a "
                    "state kept from a previous, larger batch (the last batch of a "
                    "DataLoader is often smaller)",
                    n=name,
                    got_0=got[1],
                    N=want[1],
                )
            )
        else:
            causes.append(
                M_(
                    "{n} holds {got_0} sequences but the input has N = {N}: a state built "
                    "for a smaller batch (kept from the last, smaller batch of an epoch, or "
                    "sized with a fixed batch size)",
                    n=name,
                    got_0=got[1],
                    N=want[1],
                )
            )
        if layout is not None and layout.packed and not layout.N_alt:
            n_code, like = "int(x.batch_sizes[0])", "x.data"
        else:
            n_code, like = f"x.size({0 if module.batch_first else 1})", "x"
        fixes.append(
            f"{name} = torch.zeros({want[0]}, {n_code}, {want[-1]}, dtype={like}.dtype, "
            f"device={like}.device)  # size the state from the batch"
        )
    if got[-1] != want[-1]:
        proj = getattr(module, "proj_size", 0)
        if proj and name == "h_0" and got[-1] == module.hidden_size:
            causes.append(
                M_(
                    "with proj_size={proj}, h_0 (like h_n and output) has proj_size features; "
                    "only c_0 keeps hidden_size={H}",
                    proj=proj,
                    H=module.hidden_size,
                )
            )
        elif proj and name == "c_0" and got[-1] == proj:
            causes.append(
                M_(
                    "c_0 keeps hidden_size={H} features; proj_size={proj} shrinks "
                    "only h_0, h_n and output",
                    H=module.hidden_size,
                    proj=proj,
                )
            )
        elif len(causes) == 0 and not proj:
            cause, fix = _hidden_size_blame(module, name, got[-1], want)
            causes.append(cause)
            fixes.append(fix)
        else:
            causes.append(
                M_(
                    "the last axis of {name} is the module's hidden size ({H}), not {size}",
                    name=name,
                    H=want[-1],
                    size=got[-1],
                )
            )
    if not causes:  # pragma: no cover - every mismatch is one of the three axes
        causes.append(M_("{name} is {act}, not {exp}", name=name, act=act, exp=exp))
    if len(fixes) != 1 or len(causes) != 1:
        fixes = [f"{name} = {_zeros_code(want)}"]
    cause = causes[0]
    for more in causes[1:]:
        cause = M_("{first}; {then}", first=cause, then=more)
    return cause, fixes[0]


def _hidden_size_blame(module: nn.RNNBase, name: str, size: int, want: Shape) -> tuple[str, str]:
    """A state whose features are not the module's hidden_size: the state or the module is wrong.

    The module is the more likely culprit when it was built with hidden_size=1 (a slip such as
    ``hidden * 2 if bidirectional else 1``, which parses as ``(hidden * 2) if ... else 1``);
    the state otherwise (sized with input_size, or from another model)."""
    H, H_in = module.hidden_size, module.input_size
    var = _var(module)
    rebuild = f"{var} = {RNNConfig.from_module(module).replace(hidden_size=size).code()}"
    zeros = f"{name} = {_zeros_code(want)}"
    both = M_(
        "the last axis of {name} is the module's hidden size ({H}), not {size}: either the "
        "module (built with hidden_size={H}) or the state is wrong",
        name=name,
        H=H,
        size=size,
    )
    if H == 1 and size > 1:
        cause = M_(
            "{both}; more likely the module: a hidden_size of 1 is rarely meant "
            "(e.g. an operator-precedence slip: `h * 2 if bidirectional else 1` is "
            "`(h * 2) if bidirectional else 1`), so it was built wrong; build it "
            "with {size}",
            both=both,
            size=size,
        )
        return cause, f"{rebuild}  # more likely: the module's hidden_size\n# or: {zeros}"
    if size == H_in:
        why = M_(
            "it has input_size ({H_in}) features: sized with input_size instead of hidden_size",
            H_in=H_in,
        )
    else:
        why = M_("a state has hidden_size={H} features", H=H)
    cause = M_(
        "{both}; more likely the state: {why}",
        both=both,
        why=why,
    )
    return cause, f"{zeros}\n# or, if {size} was meant: {rebuild}"
