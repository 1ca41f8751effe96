"""Checks of ``pack_padded_sequence(x, lengths, ...)``: the padded batch and its lengths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..i18n import M_
from ..shapes import fmt_shape
from ._common import _describe, _Found, _generic_problem, _is_tensor, _suspended
from .results import Diagnosis


def diagnose_pack(
    x: Any,
    lengths: Any,
    *,
    batch_first: bool = False,
    enforce_sorted: bool = True,
    run: bool = True,
) -> Diagnosis:
    """Check ``pack_padded_sequence(x, lengths, batch_first=..., enforce_sorted=...)``.

    Args:
        x: the padded batch ``(T, N, *)`` (``(N, T, *)`` if batch_first).
        lengths: list or 1-D CPU int64 tensor, one length per sequence, each in ``1..T``.
        run: also call torch and record its message.

    Returns:
        A :class:`Diagnosis` whose problems name ``input`` or ``lengths``.
    """

    call = (
        f"pack_padded_sequence(x, lengths, batch_first={batch_first}, "
        f"enforce_sorted={enforce_sorted})"
    )
    found = _Found()
    b, t = (0, 1) if batch_first else (1, 0)
    lay = "(N, T, *)" if batch_first else "(T, N, *)"
    _pack_checks(found, x, lengths, batch_first, enforce_sorted, b, t, lay)
    d = Diagnosis(call, found.arguments, found.problems, found.notes)
    if run and not any(p.kind == "silent" for p in d.problems) and _is_tensor(x):
        from torch.nn.utils.rnn import pack_padded_sequence

        try:
            with _suspended():
                pack_padded_sequence(
                    x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted
                )
        except Exception as exc:  # record torch's own words
            d.torch_error = f"{type(exc).__name__}: {exc}"
            if d.ok:
                d.problems.append(_generic_problem(exc, "lengths"))
    return d


def _batch_sizes(lengths: Sequence[int]) -> list[int]:
    """A PackedSequence's batch_sizes: how many sequences are still running at each step."""
    return [sum(v > k for v in lengths) for k in range(max(lengths, default=0))]


def _pack_checks(
    found: _Found, x: Any, lengths: Any, batch_first: bool, enforce_sorted: bool, b, t, lay
) -> None:

    if not _is_tensor(x):
        found.arg("input", _describe(x), lay, M_("the padded batch"))
        found.problem(
            "input",
            lay,
            type(x).__name__,
            M_("pack_padded_sequence takes the padded batch as a tensor"),
            "x = pad_sequence(sequences, batch_first=...)",
        )
        return
    if x.dim() < 2:
        found.arg("input", _describe(x), lay, M_("the padded batch: a time axis and a batch axis"))
        found.problem(
            "input",
            lay,
            fmt_shape(x.shape),
            M_(
                "pack_padded_sequence needs the padded batch with a time axis and a "
                "batch axis; a {x_dim}-D tensor is one sequence at most",
                x_dim=x.dim(),
            ),
            "x = x.view(-1, 1, 1)  # (T, 1, 1): one sequence of scalars",
        )
        return
    N, T = x.size(b), x.size(t)
    found.arg(
        "input",
        _describe(x),
        lay,
        M_(
            "batch_first={batch_first}: N={N} from axis {b}, T={T} from axis {t}",
            batch_first=batch_first,
            N=N,
            b=b,
            T=T,
            t=t,
        ),
    )
    # --- lengths: type, device, dims ---
    if _is_tensor(lengths):
        L_t = lengths
        desc = f"{fmt_shape(L_t.shape) if L_t.dim() else '0-D'} {L_t.device.type} {L_t.dtype}"
        found.arg("lengths", desc, f"({N},) cpu int64", M_("one length per sequence, on the CPU"))
        if L_t.dim() == 0:
            v = L_t.item()
            found.problem(
                "lengths",
                M_("({N},) list or cpu int64 tensor", N=N),
                repr(v),
                M_(
                    "lengths needs one entry per sequence, N={N}, not a single number",
                    N=N,
                ),
                f"lengths = [{v!r}] * {N}",
            )
            return
        if L_t.dim() != 1:
            found.problem(
                "lengths",
                f"({N},) cpu int64",
                desc,
                M_(
                    "lengths must be a 1-D tensor (or list) with one entry per sequence, N={N}",
                    N=N,
                ),
                "lengths = lengths.flatten()"
                if L_t.numel() == N
                else "lengths = torch.tensor([...])  # one per sequence",
            )
            return
        if L_t.device.type != "cpu":
            found.problem(
                "lengths",
                f"({N},) cpu int64",
                desc,
                M_(
                    "lengths must stay on the CPU even when the batch is on the GPU: packing "
                    "reads them in host code to compute batch_sizes",
                ),
                "lengths = lengths.cpu()",
            )
            return
        if L_t.is_floating_point() and not bool((L_t == L_t.round()).all()):
            found.problem(
                "lengths",
                M_("whole numbers"),
                str([round(v, 3) for v in L_t.tolist()]),
                M_("lengths are converted to int64, which cuts off the fractions silently"),
                "lengths = lengths.round().long()",
                kind="silent",
            )
        values = [int(v) for v in L_t.tolist()]
    else:
        try:
            values = [int(v) for v in lengths]
        except TypeError:
            found.arg(
                "lengths", _describe(lengths), f"({N},) cpu int64", M_("one length per sequence")
            )
            found.problem(
                "lengths",
                M_("({N},) list or cpu int64 tensor", N=N),
                repr(lengths),
                M_(
                    "lengths needs one entry per sequence, N={N}, not a single number",
                    N=N,
                ),
                f"lengths = [{lengths!r}] * {N}" if isinstance(lengths, int) else "lengths = [...]",
            )
            return
        found.arg(
            "lengths",
            M_("{kind} of {n}: {inner}", kind="list", n=len(values), inner=values),
            M_("{N} values in 1..{T}", N=N, T=T),
            M_("one length per sequence"),
        )
    if len(values) != N:
        other = x.size(t)
        if len(values) == other and not any(v > x.size(b) for v in values):
            cause = M_(
                "{len_values} lengths match axis {t} of x (size {other}), not the batch "
                "axis {b}: x looks {time_first_T_N_if_batch_first}, so batch_first "
                "should be {not_batch_first}",
                len_values=len(values),
                t=t,
                other=other,
                b=b,
                time_first_T_N_if_batch_first=M_("time-first (T, N, *)")
                if batch_first
                else M_("batch-first (N, T, *)"),
                not_batch_first=not batch_first,
            )
            fix = (
                f"packed = pack_padded_sequence(x, lengths, batch_first={not batch_first}, "
                f"enforce_sorted={enforce_sorted})"
            )
        else:
            cause = M_(
                "one length per sequence: x holds N={N} sequences on axis {b}",
                N=N,
                b=b,
            )
            nonzero = "(x != 0).flatten(2).any(-1)" if x.dim() > 2 else "(x != 0)"
            fix = (
                f"lengths = {nonzero}.sum({t}).clamp(min=1)"
                "  # count each sequence's steps that are not all-zero padding\n"
                f"# len(lengths) == x.size({b}): one length per sequence"
            )
        found.problem("lengths", f"({N},)", f"({len(values)},)", cause, fix)
        return
    bad = [i for i, v in enumerate(values) if v <= 0]
    if bad:
        found.problem(
            "lengths",
            M_("values in 1..{T}", T=T),
            str(values),
            M_(
                "sequence(s) {bad} have length <= 0: a PackedSequence cannot hold an "
                "empty sequence",
                bad=bad,
            ),
            "keep = torch.as_tensor(lengths) > 0  # drop empty sequences (or give them one pad step)\n"
            f"x, lengths = x[{':, ' if not batch_first else ''}keep], torch.as_tensor(lengths)[keep]",
        )
    long_ = [i for i, v in enumerate(values) if v > T]
    if long_:
        other = x.size(b)
        hint = ""
        if max(values) <= other and len(values) == x.size(t):
            hint = M_(" (is batch_first right? axis {b} has {other} steps)", b=b, other=other)
        sizes = _batch_sizes(values)
        rows = sum(min(v, T) for v in values)
        found.problem(
            "lengths",
            M_("values in 1..{T}", T=T),
            str(values),
            M_(
                "sequence(s) {long} are longer than the padded time axis T={T}{hint}. "
                "pack_padded_sequence does not check this: it returns batch_sizes "
                "{sizes} ({sum_sizes} rows in all) with data of only the {rows} rows x "
                "has, so the recurrent layer (or pad_packed_sequence) that reads the "
                "PackedSequence raises",
                long=long_,
                T=T,
                hint=hint,
                sizes=sizes,
                sum_sizes=sum(sizes),
                rows=rows,
            ),
            f"lengths = torch.as_tensor(lengths).clamp(max=x.size({t}))  # or pad x to max(lengths)",
        )
    if enforce_sorted and values != sorted(values, reverse=True) and not bad:
        found.problem(
            "lengths",
            M_("decreasing order"),
            str(values),
            M_(
                "enforce_sorted=True (the default) needs the sequences sorted longest "
                "first; enforce_sorted=False sorts them for you and h_n comes back in "
                "your order",
            ),
            f"packed = pack_padded_sequence(x, lengths, batch_first={batch_first}, "
            "enforce_sorted=False)",
        )
