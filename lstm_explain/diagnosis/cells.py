"""Checks of a call of nn.RNNCell / nn.LSTMCell / nn.GRUCell: one step, one layer, one direction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import M_
from ..shapes import fmt_shape
from ._common import (
    Shape,
    _check_dtype_device,
    _describe,
    _feature_fix,
    _Found,
    _is_tensor,
    _looks_like_ids,
)

if TYPE_CHECKING:  # pragma: no cover
    from torch import nn


def _zeros(shape: Shape) -> str:
    """``torch.zeros(3, 20, dtype=x_t.dtype, device=x_t.device)``."""
    return f"torch.zeros({', '.join(map(str, shape))}, dtype=x_t.dtype, device=x_t.device)"


def _hidden_size_blame(
    module: nn.RNNCellBase, n: str, size: int, states: dict[str, Any], want: Shape
) -> tuple[str, str]:
    """A state whose features differ from the cell's hidden_size: the state or the cell is wrong.

    The cell is the more likely culprit when it was built with hidden_size=1 (a slip such as
    ``hidden // 2 * 0 + 1`` or an argument in the wrong place), or when every state given agrees
    on the other size; the state otherwise."""
    name, H, H_in = type(module).__name__, module.hidden_size, module.input_size
    sizes = {int(t.shape[-1]) for t in states.values() if _is_tensor(t) and t.dim()}
    agree = len(states) > 1 and sizes == {size}
    rebuild = f"cell = nn.{name}({H_in}, {size})"
    zeros = f"{n} = {_zeros(want)}"
    both = M_(
        "the cell was built with hidden_size={H}; {n} has {size} features: either the cell or "
        "the state is wrong",
        H=H,
        n=n,
        size=size,
    )
    if H == 1 or agree:
        why = (
            M_("a hidden_size of 1 is rarely meant")
            if H == 1
            else M_("every state given agrees on it")
        )
        cause = M_(
            "{both}; more likely the cell's construction ({why}): build it with {size}",
            both=both,
            why=why,
            size=size,
        )
        fix = f"{rebuild}  # more likely: the cell's hidden_size\n# or: {zeros}"
    else:
        cause = M_(
            "{both}; more likely the state: a cell's state has hidden_size={H} features",
            both=both,
            H=H,
        )
        fix = f"{zeros}\n# or, if {size} was meant: {rebuild}"
    return cause, fix


def _diagnose_cell(module: nn.RNNCellBase, x: Any, hx: Any, found: _Found) -> None:
    from torch import nn

    name = type(module).__name__
    is_lstm = isinstance(module, nn.LSTMCell)
    H_in, H = module.input_size, module.hidden_size
    if not _is_tensor(x):
        found.arg("input", _describe(x), f"(N, {H_in})", M_("a cell takes one time step"))
        found.problem(
            "input",
            M_("(N, {H_in}) or ({H_in},)", H_in=H_in),
            type(x).__name__,
            M_(
                "nn.{name} takes a tensor",
                name=name,
            ),
            "x_t = torch.as_tensor(x_t)",
        )
        return
    nl = getattr(module, "nonlinearity", "tanh")
    if nl not in ("tanh", "relu"):
        found.problem(
            "nonlinearity",
            "'tanh' or 'relu'",
            repr(nl),
            M_("nn.RNNCell applies tanh or relu; it checks the name only when called"),
            f"cell = nn.RNNCell({H_in}, {H}, nonlinearity='tanh')",
        )
    ids = _looks_like_ids(x, module)
    batched = x.dim() == (1 if ids else 2)
    N = x.size(0) if batched else None
    exp_x = f"({N}, {H_in})" if batched else f"({H_in},)"
    if ids:  # the step once embedded; the ids themselves are (N,)
        exp_x = (
            M_("({N}, {H_in}) once embedded", N=N, H_in=H_in)
            if batched
            else M_("({H_in},) once embedded", H_in=H_in)
        )
    if x.dim() not in (1, 2):
        exp_x = M_("(N, {H_in}) or ({H_in},)", H_in=H_in)
    found.arg(
        "input",
        _describe(x),
        exp_x,
        M_("a cell takes one time step: (N, H_in), or (H_in,) unbatched"),
    )
    _check_dtype_device(found, "input", x, module, "x_t")
    if _looks_like_ids(x, module):  # checked further as the embedded step, (N, H_in)
        x = x.new_zeros(()).expand(*x.shape, H_in)
    if x.dim() not in (1, 2):
        shape = tuple(x.shape)
        if x.dim() == 3:
            if shape[0] == 1:
                cause = M_("a cell takes one step (N, H_in); this has a leading axis of size 1")
                fix = "x_t = x_t.squeeze(0)"
            else:
                cause = M_(
                    "a cell is one time step, one layer, one direction: a 3-D input looks "
                    "like a whole sequence (T, N, H_in). Loop over time, or use nn.{name_4}",
                    name_4=name[:-4],
                )
                init = f"torch.zeros({shape[1]}, {H}, dtype=x.dtype, device=x.device)  # (N, H)"
                fix = (
                    (f"h = {init}\nc = torch.zeros_like(h)\n" if is_lstm else f"h = {init}\n")
                    + "for x_t in x:  # x: (T, N, H_in)\n    "
                    + ("h, c = cell(x_t, (h, c))" if is_lstm else "h = cell(x_t, h)")
                )
        elif x.dim() == 0:
            cause = M_(
                "a cell takes (N, H_in) or (H_in,), not a 0-D tensor: one number per "
                "step is one feature, input_size=1",
            )
            fix = "x_t = x_t.reshape(1, 1)  # (N=1, H_in=1)"
            if H_in != 1:
                fix += f"\ncell = nn.{name}(1, {H})  # one feature per step"
        else:
            cause = M_(
                "a cell takes (N, H_in) or (H_in,), not a {x_dim}-D tensor",
                x_dim=x.dim(),
            )
            fix = f"x_t = x_t.reshape(-1, {H_in})"
        found.problem("input", exp_x, _describe(x), cause, fix)
        return
    if x.size(-1) != H_in:
        moved = _feature_fix(x, H_in, "x_t") if batched else None
        cause, fix = moved or (
            M_(
                "the cell was built with input_size={H_in}, but the input has {size} features",
                H_in=H_in,
                size=x.size(-1),
            ),
            f"cell = nn.{name}({int(x.size(-1))}, {H})  # or give it {H_in} features",
        )
        found.problem("input", exp_x, fmt_shape(x.shape), cause, fix)
    if hx is None:
        for n in ("h", "c") if is_lstm else ("h",):
            found.arg(n, M_("None (zeros)"), fmt_shape((N, H) if batched else (H,)), "")
        return
    want: Shape = (N, H) if batched else (H,)
    states: dict[str, Any] = {}
    if is_lstm:
        if _is_tensor(hx) or not isinstance(hx, (tuple, list)) or len(hx) != 2:
            found.problem(
                "h" if _is_tensor(hx) else "hx",  # name the argument as the user passed it
                "tuple (h, c)",
                _describe(hx),
                M_(
                    "nn.LSTMCell takes and returns the tuple (h, c): the hidden state and the "
                    "cell state; h alone is missing c"
                )
                if _is_tensor(hx)
                else M_(
                    "nn.LSTMCell takes and returns the tuple (h, c): the hidden state and the "
                    "cell state"
                ),
                "c = torch.zeros_like(h)\nh, c = cell(x_t, (h, c))",
            )
            if _is_tensor(hx):
                return
            if isinstance(hx, (tuple, list)) and hx and _is_tensor(hx[0]):
                states["h"] = hx[0]
        else:
            states["h"], states["c"] = hx
    elif isinstance(hx, (tuple, list)):
        found.problem(
            "hx",
            M_("one tensor h"),
            _describe(hx),
            M_(
                "nn.{name} has no cell state: it takes and returns h alone",
                name=name,
            ),
            "h = cell(x_t, h)",
        )
        if hx and _is_tensor(hx[0]):
            states["h"] = hx[0]
    else:
        states["h"] = hx
    why = (
        M_("(N, H): one state per sequence, no layer axis")
        if batched
        else M_("(H,) for an unbatched 1-D input")
    )
    for n, t in states.items():
        if not _is_tensor(t):
            found.problem(
                n,
                fmt_shape(want),
                type(t).__name__,
                M_(
                    "{n} must be a tensor",
                    n=n,
                ),
                f"{n} = torch.zeros({', '.join(map(str, want))}{',' if len(want) == 1 else ''})",
            )
            continue
        found.arg(n, _describe(t), fmt_shape(want), why)
        got = tuple(int(s) for s in t.shape)
        if got == want:
            _check_dtype_device(found, n, t, module, n)
            continue
        exp, act = fmt_shape(want), fmt_shape(got)
        if t.dim() == 3:
            if got[0] == 1 and got[1:] == want:
                cause = M_(
                    "{n} is {act}, shaped like a full module's state (L*D, N, H); a cell is "
                    "one layer and one direction, so its state has no first axis",
                    n=n,
                    act=act,
                )
                fix = f"{n} = {n}.squeeze(0)  # {act} -> {exp}"
            else:
                cause = M_(
                    "a cell's state is (N, H) with no layer axis; from a module's state take "
                    "one layer: {n}[layer]",
                    n=n,
                )
                fix = f"{n} = {n}[-1]  # the last layer's state, (N, H)"
        elif t.dim() > 3 or t.dim() == 0:
            cause = M_(
                "a cell's state is (N, H) or (H,), not {t_dim}-D",
                t_dim=t.dim(),
            )
            fix = f"{n} = {_zeros(want)}"
        elif batched and t.dim() == 1:
            cause = M_(
                "the input is batched (N={N}), so {n} needs one state per sequence: (N, "
                "H); a 1-D {n} is the unbatched layout",
                N=N,
                n=n,
            )
            fix = f"{n} = {n}.expand({N}, -1).contiguous()  # {act} -> {exp}"
        elif not batched and t.dim() == 2:
            if got == (1, H):
                cause = M_(
                    "the input is 1-D (unbatched), so {n} must be 1-D (H,); or make the "
                    "input a batch of one",
                    n=n,
                )
                fix = f"x_t = x_t.unsqueeze(0)  # (1, {H_in}): a batch of one, matching {n}"
            elif x.numel() == got[0] * H_in:
                cause = M_(
                    "the input is 1-D, one unbatched step, but {n} holds {got_0} sequences: "
                    "give the input its batch axis, (N, H_in)",
                    n=n,
                    got_0=got[0],
                )
                fix = f"x_t = x_t.view({got[0]}, {H_in})  # if x_t holds {got[0]} sequences"
            else:
                cause = M_(
                    "the input is 1-D, one step of one sequence (H_in,), but {n} holds "
                    "{got_0} sequences: either {n} is for one sequence, (H,), or the step "
                    "should be the batch's, ({got_0}, {H_in}) (e.g. x[t] rather than x[t, i])",
                    n=n,
                    got_0=got[0],
                    H_in=H_in,
                )
                fix = (
                    f"{n} = {_zeros(want)}  # one sequence: (H,)\n"
                    f"# or: give the cell the whole batch's step, x_t of shape ({got[0]}, {H_in})"
                )
        elif batched and got == (H, N) and H != N:
            cause = M_(
                "{n}'s axes are swapped: a cell's state is (N, H)",
                n=n,
            )
            fix = f"{n} = {n}.t().contiguous()  # {act} -> {exp}"
        elif batched and got[0] != N and got[1] == H:
            if got[0] > N:
                cause = M_(
                    "{n} holds {got_0} sequences but the input has N = {N}: typically a "
                    "state kept from a previous, larger batch (the last batch of a "
                    "DataLoader is often smaller)",
                    n=n,
                    got_0=got[0],
                    N=N,
                )
            else:
                cause = M_(
                    "{n} holds {got_0} sequences but the input has N = {N}: a state built "
                    "for a smaller batch (kept from the last, smaller batch of an epoch, or "
                    "sized with a fixed batch size)",
                    n=n,
                    got_0=got[0],
                    N=N,
                )
            fix = f"{n} = torch.zeros(x_t.size(0), {H}, dtype=x_t.dtype, device=x_t.device)"
        elif got[:-1] == want[:-1]:
            cause, fix = _hidden_size_blame(module, n, got[-1], states, want)
        else:
            cause = M_(
                "the cell was built with hidden_size={H}; {n} has {got_1} features",
                H=H,
                n=n,
                got_1=got[-1],
            )
            fix = f"{n} = {_zeros(want)}"
        found.problem(n, exp, act, cause, fix)
