"""Checks of a call of nn.RNN / nn.LSTM / nn.GRU: the input, the state container, each state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import RNNConfig
from ..i18n import M_
from ..shapes import fmt_shape
from ._common import (
    _check_dtype_device,
    _describe,
    _feature_fix,
    _Found,
    _is_packed,
    _is_tensor,
    _looks_like_ids,
    _var,
    _zeros_code,
)
from .packing import diagnose_pack
from .states import _Layout, _rnn_expected_states, _state_problem

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn


def _c0_code(module: nn.RNNBase) -> str:
    """``c_0`` of zeros shaped like ``h_0`` (with hidden_size features under proj_size)."""
    if not module.proj_size:
        return "c_0 = torch.zeros_like(h_0)"
    return (
        "c_0 = torch.zeros(*h_0.shape[:-1], "
        f"{module.hidden_size}, dtype=h_0.dtype, device=h_0.device)"
    )


def _input_layout(module: nn.RNNBase, x: Any, lengths: Any) -> _Layout | None:
    """What the module reads from ``x`` (None when it cannot read it as a batch or a sequence)."""
    if _is_packed(x):
        return _Layout(
            True, int(x.batch_sizes[0]), M_("batch_sizes[0] of the PackedSequence"), None, True
        )
    if _looks_like_ids(x, module):  # read as the embedded input, one feature axis more
        x = x.new_zeros(()).expand(*x.shape, module.input_size)
    if not _is_tensor(x) or x.dim() not in (2, 3):
        return None
    if x.dim() == 2:
        return _Layout(False, None, M_("unbatched (T, H_in)"))
    b, t = (0, 1) if module.batch_first else (1, 0)
    n_from = M_("input axis {b} (batch_first={bf})", b=b, bf=module.batch_first)
    if lengths is not None:
        try:
            n = len(lengths) if not _is_tensor(lengths) or lengths.dim() == 1 else None
        except TypeError:  # a single number: _pack_checks explains it
            n = None
        if n == x.size(b):
            return _Layout(True, n, n_from, None, True)
    return _Layout(True, x.size(b), n_from, x.size(t), False)


def _check_input(found: _Found, module: nn.RNNBase, x: Any, var: str) -> bool:
    """Type, dims, dtype, device and feature size of the input; True if the shape is usable."""
    cfg = RNNConfig.from_module(module)
    name = type(module).__name__
    expected_text = "(N, T, H_in)" if module.batch_first else "(T, N, H_in)"
    if _is_packed(x):
        data = x.data
        found.arg(
            "input",
            _describe(x),
            M_("data (sum of lengths, {H_in})", H_in=module.input_size),
            M_(
                "a PackedSequence stores the valid steps of every sequence as rows of a 2-D "
                "data tensor"
            ),
        )
        _check_dtype_device(found, "input", data, module, var)
        if data.dim() != 2:
            found.problem(
                "input",
                M_("data (sum of lengths, {H_in})", H_in=module.input_size),
                f"data {fmt_shape(data.shape)}",
                M_(
                    "the packed data is {data_dim}-D: the padded batch given to "
                    "pack_padded_sequence had {data_dim_1} axes instead of 3 (T, N, H_in)",
                    data_dim=data.dim(),
                    data_dim_1=data.dim() + 1,
                ),
                "x = x._replace(data=x.data.flatten(1))  # merge the extra feature axes\n"
                "# or, before packing: x = x.flatten(2)  # (T, N, *) -> (T, N, H_in)",
            )
            return False
        rows, sizes = int(data.size(0)), x.batch_sizes.tolist()
        if sum(sizes) != rows:
            found.problem(
                "input",
                M_("data with sum(batch_sizes) = {rows} rows", rows=sum(sizes)),
                f"data {fmt_shape(data.shape)}",
                M_(
                    "the PackedSequence's batch_sizes {sizes} add up to {sum_sizes} rows but "
                    "its data holds {rows}: it was packed with a length longer than the "
                    "padded time axis T (pack_padded_sequence does not check this)",
                    sizes=sizes,
                    sum_sizes=sum(sizes),
                    rows=rows,
                ),
                "lengths = torch.as_tensor(lengths).clamp(max=T)  # before packing\n"
                "# or: pad x to max(lengths) steps",
            )
            return False
        if data.size(-1) != module.input_size:
            found.problem(
                "input",
                f"data (*, {module.input_size})",
                f"data {fmt_shape(data.shape)}",
                M_(
                    "the module was built with input_size={module_input_size}, but each step "
                    "of the packed batch has {data_size_1} features",
                    module_input_size=module.input_size,
                    data_size_1=data.size(-1),
                ),
                f"{_var(module)} = "
                + cfg.replace(input_size=int(data.size(-1))).code()
                + "  # or give it input_size features",
            )
            return False
        return True
    if not _is_tensor(x):
        found.arg("input", _describe(x), expected_text, M_("a tensor or a PackedSequence"))
        found.problem(
            "input",
            M_("a tensor or PackedSequence"),
            type(x).__name__,
            M_(
                "nn.{name} takes a tensor (or a PackedSequence), not a {type_x___name}",
                name=name,
                type_x___name=type(x).__name__,
            ),
            "x = torch.stack(sequences)  # equal lengths\n# or: x = pad_sequence(sequences)",
        )
        return False
    if _looks_like_ids(x, module):
        axes = ("N, T" if module.batch_first else "T, N") if x.dim() == 2 else "T"
        why = M_("integer ids ({axes}) become ({axes}, H_in) vectors once embedded", axes=axes)
        expected = fmt_shape((*x.shape, module.input_size))
    elif x.dim() == 2:
        why = M_("2-D is one unbatched sequence (T, H_in)")
        expected = f"({x.size(0)}, {module.input_size})"
    elif x.dim() == 3:
        why = (
            "batch_first=True: (N, T, H_in)"
            if module.batch_first
            else "(T, N, H_in); batch_first=False"
        )
        expected = fmt_shape((*x.shape[:2], module.input_size))
    else:
        why = M_("2-D (T, H_in) or 3-D {layout}", layout=expected_text)
        expected = expected_text
    moved = None
    if x.dim() in (2, 3) and x.size(-1) != module.input_size:
        moved = _feature_fix(x, module.input_size)
        if moved:  # the shape the module would read once the features are moved last
            expected = moved[1].split(" -> ")[-1]
    found.arg("input", _describe(x), expected, why)
    _check_dtype_device(found, "input", x, module, var)
    if not (x.is_floating_point() or x.is_complex()):
        return False  # token ids: embedding them fixes the shape too
    if x.dim() not in (2, 3):
        _input_dims_problem(found, module, x)
        return False
    if x.size(-1) != module.input_size:
        if moved:
            cause, fix = moved
        else:
            cause = M_(
                "the module was built with input_size={module_input_size}, but the input "
                "has {x_size_1} features per step (its last axis)",
                module_input_size=module.input_size,
                x_size_1=x.size(-1),
            )
            fix = (
                f"{_var(module)} = {cfg.replace(input_size=int(x.size(-1))).code()}"
                f"  # or give it {module.input_size} features"
            )
        found.problem("input", expected, fmt_shape(x.shape), cause, fix)
        return False
    return True


def _input_dims_problem(found: _Found, module: Any, x: Tensor) -> None:
    """A 0-D, 1-D, 4-D, ... input to nn.RNN / nn.LSTM / nn.GRU."""
    H_in = module.input_size
    shape = tuple(x.shape)
    expected = ("(N, T, H_in)" if module.batch_first else "(T, N, H_in)") + " or (T, H_in)"
    if x.dim() <= 1:
        n = shape[0] if shape else 1
        if H_in == 1:
            cause = M_(
                "a 1-D tensor of {n} values has no feature axis; with input_size=1 it is "
                "most likely one sequence of scalars",
                n=n,
            )
            fix = "x = x.unsqueeze(-1)  # (T, 1): one sequence, one feature per step"
        elif n == H_in:
            cause = M_(
                "a 1-D tensor of {n} values is one step's features with no time axis; a "
                "recurrent layer needs a sequence (a cell takes one step)",
                n=n,
            )
            fix = "x = x.unsqueeze(0)  # (1, H_in): one sequence of one step"
        else:
            cause = M_(
                "a recurrent layer needs a time axis and a feature axis (and optionally "
                "a batch axis)",
            )
            fix = f"x = x.view(-1, {H_in})  # (T, H_in)"
    else:
        squeezable = [
            k
            for k, s in enumerate(shape)
            if s == 1 and len(shape) - 1 == 3 and (shape[:k] + shape[k + 1 :])[-1] == H_in
        ]
        if squeezable:
            k = squeezable[0]
            cause = M_(
                "axis {k} has size 1 and is one axis too many (e.g. a channel axis)",
                k=k,
            )
            fix = f"x = x.squeeze({k})  # {fmt_shape(shape)} -> 3-D"
        elif x.dim() == 4 and shape[2] * shape[3] == H_in:
            cause = M_(
                "the features are spread over two axes ({shape_2} x {shape_3} = {H_in}), "
                "e.g. image rows read as steps",
                shape_2=shape[2],
                shape_3=shape[3],
                H_in=H_in,
            )
            fix = f"x = x.flatten(2)  # {fmt_shape(shape)} -> {fmt_shape((*shape[:2], H_in))}"
        else:
            cause = M_(
                "a {x_dim}-D input has axes a recurrent layer cannot read",
                x_dim=x.dim(),
            )
            fix = f"x = x.reshape(T, N, {H_in})  # one time axis, one batch axis, features"
    found.problem("input", expected, fmt_shape(shape), cause, fix)


def _diagnose_rnn(
    module: nn.RNNBase,
    x: Any,
    hx: Any,
    lengths: Any,
    enforce_sorted: bool,
    found: _Found,
) -> None:
    var = _var(module)
    is_lstm = module.mode == "LSTM"
    mname = type(module).__name__
    if lengths is not None:
        if _is_packed(x):
            found.problem(
                "lengths",
                M_("None (a PackedSequence carries its lengths)"),
                _describe(lengths),
                M_("x is already a PackedSequence; lengths are for packing a padded tensor"),
                f"out, state = {var}(x)",
            )
        elif _is_tensor(x):
            pack = diagnose_pack(
                x, lengths, batch_first=module.batch_first, enforce_sorted=enforce_sorted, run=False
            )
            found.arguments += pack.arguments[1:]
            found.problems += pack.problems
    _check_input(found, module, x, "x")
    layout = _input_layout(module, x, lengths)
    # --- hx structure ---
    states: dict[str, Any] = {}
    if hx is not None:
        if is_lstm:
            if _is_tensor(hx):
                found.problem(
                    "h_0",
                    "tuple (h_0, c_0)",
                    M_("one tensor {shape}", shape=fmt_shape(hx.shape)),
                    M_(
                        "nn.LSTM carries two states, h and the cell state c: pass the tuple "
                        "(h_0, c_0); a lone tensor is missing c_0 (torch then indexes it as "
                        "hx[0], hx[1])",
                    ),
                    _c0_code(module) + f"\nout, (h_n, c_n) = {var}(x, (h_0, c_0))",
                )
                states["h_0"] = hx
            elif isinstance(hx, (tuple, list)) and len(hx) != 2:
                if len(hx) > 2:
                    first = "h_0, c_0 = hx[0], hx[1]  # the hidden state and the cell state\n"
                elif len(hx) == 1:
                    first = "h_0 = hx[0]\n" + _c0_code(module) + "\n"
                else:
                    first = ""
                found.problem(
                    "hx",
                    "tuple (h_0, c_0)",
                    _describe(hx),
                    M_(
                        "nn.LSTM takes exactly two states (h_0, c_0), not {len_hx}",
                        len_hx=len(hx),
                    ),
                    f"{first}out, (h_n, c_n) = {var}(x, (h_0, c_0))",
                )
                if len(hx) >= 1 and _is_tensor(hx[0]):
                    states["h_0"] = hx[0]
            elif isinstance(hx, (tuple, list)):
                states["h_0"], states["c_0"] = hx
            else:
                found.problem(
                    "hx",
                    "tuple (h_0, c_0)",
                    type(hx).__name__,
                    M_("nn.LSTM takes the tuple (h_0, c_0)"),
                    f"out, (h_n, c_n) = {var}(x, (h_0, c_0))",
                )
        else:
            if isinstance(hx, (tuple, list)):
                found.problem(
                    "hx",
                    M_("one tensor h_0"),
                    _describe(hx),
                    M_(
                        "nn.{mname} has no cell state: it takes h_0 alone, not a tuple (an "
                        "LSTM's (h, c) does not fit a GRU or RNN)",
                        mname=mname,
                    ),
                    f"h_0 = hx[0]\nout, h_n = {var}(x, h_0)",
                )
                if len(hx) >= 1 and _is_tensor(hx[0]):
                    states["h_0"] = hx[0]
            elif _is_tensor(hx):
                states["h_0"] = hx
            else:
                found.problem(
                    "hx",
                    M_("one tensor h_0"),
                    type(hx).__name__,
                    M_(
                        "nn.{mname} takes a tensor h_0",
                        mname=mname,
                    ),
                    f"out, h_n = {var}(x, h_0)  # h_0: (L*D, N, H_out)",
                )
    if layout is None:
        for n, t in states.items():
            if _is_tensor(t):
                found.arg(n, _describe(t), "-", M_("depends on the input, which cannot be read"))
        return
    expected = _rnn_expected_states(module, layout)
    for n, (shape, why) in expected.items():
        t = states.get(n)
        if n not in states and hx is None:
            found.arg(n, M_("None (zeros)"), fmt_shape(shape), why)
            continue
        if t is None:
            continue
        if not _is_tensor(t):
            found.problem(
                n,
                fmt_shape(shape),
                type(t).__name__,
                M_(
                    "{n} must be a tensor",
                    n=n,
                ),
                f"{n} = {_zeros_code(shape)}",
            )
            continue
        found.arg(n, _describe(t), fmt_shape(shape), why)
        if tuple(t.shape) != shape:
            _state_problem(found, module, n, t, shape, layout)
        else:
            _check_dtype_device(found, n, t, module, n)
            if (
                module.batch_first
                and layout.batched
                and shape[0] == shape[1]
                and n == "h_0"
                and shape[0] > 1
            ):
                found.notes.append(
                    M_(
                        "h_0 is {fmt_shape_shape}: with batch_first=True and N = L*D = {shape_0} "
                        "it fits both readings. torch reads axis 0 as layers x directions, axis "
                        "1 as the batch; if h_0 was built batch-first, use h_0.transpose(0, 1).",
                        fmt_shape_shape=fmt_shape(shape),
                        shape_0=shape[0],
                    )
                )
    if module.dropout and module.num_layers == 1:
        found.notes.append(
            M_(
                "dropout={module_dropout} does nothing with num_layers=1: dropout "
                "applies to the outputs of every layer except the last.",
                module_dropout=module.dropout,
            )
        )
