"""The silent traps: is the tensor taken as the sequence summary really each final state?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import M_
from ..shapes import fmt_shape, quiet_rnn_warnings
from ._common import _Found, _is_packed, _is_tensor, _suspended, _var
from .results import Diagnosis
from .runner import _call_text

if TYPE_CHECKING:  # pragma: no cover
    from torch import Tensor, nn


def _padded(out: Any, batch_first: bool, total_length: int | None = None) -> Tensor:
    from torch.nn.utils.rnn import pad_packed_sequence

    if _is_packed(out):
        return pad_packed_sequence(out, batch_first=batch_first, total_length=total_length)[0]
    return out


def _lengths_problem(found: _Found, module: nn.RNNBase, x: Tensor, lens: list[int]) -> None:
    """Lengths that do not fit the padded batch as the module reads it: batch_first the wrong
    way round (a trap: the unpacked run raises nothing), or wrong lengths."""
    from ..config import RNNConfig

    bf = module.batch_first
    b, t = (0, 1) if bf else (1, 0)
    N, T = x.size(b), x.size(t)
    if len(lens) == T and max(lens) <= N and min(lens) >= 1:
        other = M_("time-first (T, N, H_in)") if bf else M_("batch-first (N, T, H_in)")
        flipped = RNNConfig.from_module(module).replace(batch_first=not bf).code()
        found.problem(
            "input",
            M_("{n} sequences on axis {b}", n=len(lens), b=b),
            fmt_shape(x.shape),
            M_(
                "the {len_lens} lengths count the sequences on input axis {t}, and each "
                "fits axis {b} ({N} steps): x is {other}, but the layer has "
                "batch_first={bf} and reads axis {b} as the batch. Unpacked, this raises "
                "nothing: the layer runs over the batch as if it were time",
                len_lens=len(lens),
                t=t,
                b=b,
                N=N,
                other=other,
                bf=bf,
            ),
            f"{_var(module)} = {flipped}  # or: x = x.transpose(0, 1)",
            kind="trap",
        )
        return
    found.problem(
        "lengths",
        M_("{N} lengths in 1..{T}", N=N, T=T),
        str(lens),
        M_(
            "one length per sequence: x holds N={N} sequences of up to T={T} steps "
            "(batch_first={bf})",
            N=N,
            T=T,
            bf=bf,
        ),
        f"lengths = (x != 0).flatten(2).any(-1).sum({t}).clamp(min=1)"
        "  # each sequence's steps that are not all-zero padding",
    )


def _other_layout(s: Tensor, truth: Tensor, D: int, P: int, close: Any) -> str | None:
    """A note when ``s`` holds each sequence's final states in another order or layout than
    ``final_hidden`` (forward then backward, concatenated), None otherwise."""
    import torch

    if D != 2:
        return None
    fwd, bwd = truth[:, :P], truth[:, P:]
    if close(s, torch.cat([bwd, fwd], dim=1)):
        return M_(
            "summary is right: each sequence's final states with the backward direction first "
            "(torch.cat([h_n[-1], h_n[-2]], dim=1)); final_hidden puts the forward one first. "
            "Either order works as long as every use of the summary agrees."
        )
    flatten = ".transpose(0, 1).reshape(N, -1)"
    for stacked, layout, hint in (
        (torch.stack([fwd, bwd]), "(D, N, H_out)", flatten),
        (torch.stack([bwd, fwd]), M_("(D, N, H_out), backward first"), flatten),
        (torch.stack([fwd, bwd], dim=1), "(N, D, H_out)", ".reshape(N, -1)"),
    ):
        if close(s, stacked):
            return M_(
                "summary holds each sequence's final states, both directions stacked {layout} "
                "(as h_n[-2:] or h_n.view(L, D, N, H_out)[-1] give); a layer that takes "
                "(N, D * H_out) needs them side by side: summary{hint}",
                layout=layout,
                hint=hint,
            )
    if close(s, fwd + bwd) or close(s, (fwd + bwd) / 2):
        if close(s, fwd + bwd):
            return M_(
                "summary is the sum of the two directions' final states, (N, H_out): a summary "
                "of each whole sequence, though not the concatenation final_hidden gives."
            )
        return M_(
            "summary is the mean of the two directions' final states, (N, H_out): a summary "
            "of each whole sequence, though not the concatenation final_hidden gives."
        )
    return None


def check_summary(
    module: nn.RNNBase,
    x: Any,
    summary: Tensor,
    *,
    lengths: Any = None,
    hx: Any = None,
) -> Diagnosis:
    """Is ``summary`` each sequence's final state? Flags the silent traps of a call.

    Args:
        module: the ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` the user ran.
        x: its input as the user passed it: a tensor (``(T, N, H_in)`` / batch-first / 2-D
            unbatched) or a PackedSequence.
        summary: the tensor the user takes as the summary of each sequence, e.g. ``out[:, -1]``.
        lengths: the true lengths when ``x`` is a padded tensor that was run unpacked.
        hx: the initial state the user passed, if any.

    Returns:
        A :class:`Diagnosis`: ``ok`` when ``summary`` equals the last layer's final state of every
        sequence, directions concatenated (``final_hidden(h_n, L, bidirectional)`` of the packed
        run) and no other trap applies; otherwise a ``summary`` problem naming what it really is
        and what to take instead, plus other traps (dropout with one layer, ...).
    """
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    from ..sequences import final_hidden, last_valid_output

    if not isinstance(module, nn.RNNBase):
        raise ValueError(
            f"module must be nn.RNN, nn.LSTM or nn.GRU (got module={type(module).__name__})"
        )
    if not _is_tensor(summary):
        raise ValueError(f"summary must be a tensor (got summary={type(summary).__name__})")
    bf, L = module.batch_first, module.num_layers
    D = 2 if module.bidirectional else 1
    var = _var(module)
    is_lstm = module.mode == "LSTM"
    packed_in = _is_packed(x)
    found = _Found()
    if packed_in:
        x_pad, lens = pad_packed_sequence(x, batch_first=bf)
        lens = [int(v) for v in lens]
    else:
        x_pad = x
        lens = [int(v) for v in lengths] if lengths is not None else None
    batched = packed_in or x_pad.dim() == 3
    T = x_pad.size(1 if bf else 0) if batched else x_pad.size(0)
    if lens is not None and not packed_in and batched:
        N_mod = x_pad.size(0 if bf else 1)
        if len(lens) != N_mod or max(lens, default=1) > T or min(lens, default=1) < 1:
            _lengths_problem(found, module, x_pad, lens)
            call = _call_text(module, x, hx, lengths)
            return Diagnosis(call, found.arguments, found.problems, found.notes)
    padded_short = lens is not None and any(n < T for n in lens)

    def run(inp: Any) -> tuple[Tensor, Tensor, Tensor | None]:
        was = module.training
        try:
            module.eval()
            with torch.no_grad(), quiet_rnn_warnings(), _suspended():
                out, state = module(inp) if hx is None else module(inp, hx)
        finally:
            module.train(was)
        h, c = state if is_lstm else (state, None)
        return _padded(out, bf, T), h, c

    if lens is not None and not packed_in:
        ref_in = pack_padded_sequence(x_pad, lens, batch_first=bf, enforce_sorted=False)
    else:
        ref_in = x
    _, h_ref, _ = run(ref_in)  # the reference: packed when lengths are known
    out_u, h_u, c_u = run(x)  # the user's own run
    if not batched:  # give every tensor a batch axis of 1 for the comparisons
        out_u = out_u.unsqueeze(1)
        h_ref, h_u = h_ref.unsqueeze(1), h_u.unsqueeze(1)
        c_u = c_u.unsqueeze(1) if c_u is not None else None
    tm = (lambda o: o.transpose(0, 1)) if (bf and batched) else (lambda o: o)
    truth = final_hidden(h_ref, L, module.bidirectional)  # (N, D*H_out)
    s = summary if batched else summary.unsqueeze(0)
    P = h_ref.size(-1)
    fix_main = f"summary = final_hidden(h_n, num_layers={L}, bidirectional={module.bidirectional})"
    if D == 1:
        fix_main += "  # = h_n[-1]"
        if lens is not None:
            fix_main += f"\n# or: last_valid_output(out, lengths, batch_first={bf})"
    else:
        fix_main += "  # = torch.cat([h_n[-2], h_n[-1]], dim=1)"
    if not batched:
        fix_main = "summary = torch.cat([h_n[-2], h_n[-1]])" if D == 2 else "summary = h_n[-1]"
        fix_main += "  # unbatched: (D * H_out,)"
    if lens is not None and not packed_in and D == 2:
        fix_main = (
            f"out, state = {var}(pack_padded_sequence(x, lengths, batch_first={bf}, "
            "enforce_sorted=False))\n" + fix_main
        )
    found.arg(
        "summary",
        fmt_shape(summary.shape),
        fmt_shape(truth.shape if batched else truth.shape[1:]),
        M_(
            "(N, D * H_out): the last layer's final state, D={D}, both directions concatenated",
            D=D,
        )
        if D == 2
        else M_("(N, D * H_out): the last layer's final state, D={D}", D=D),
    )

    def close(a: Tensor, b: Tensor) -> bool:
        return a.shape == b.shape and torch.allclose(a, b, atol=1e-5, rtol=1e-4)

    exp_txt = fmt_shape(truth.shape if batched else truth.shape[1:])
    act_txt = fmt_shape(summary.shape)
    same_states = None if close(s, truth) else _other_layout(s, truth, D, P, close)
    if same_states is not None:  # the right final states, in another order or layout
        found.notes.append(same_states)
    elif not close(s, truth):
        last = tm(out_u)[-1]  # (N, D*H_out)
        first = tm(out_u)[0]
        last_step = "out[:, -1]" if bf else "out[-1]"
        cands: list[tuple[str, Tensor, str]] = []
        if D == 2:
            cands.append(
                (
                    last_step,
                    last,
                    M_(
                        "the output at the last step is not a bidirectional summary: its "
                        "backward half has read one step only (the backward direction starts at "
                        "the end); the backward final state is at step 0, h_n[-1]"
                    ),
                )
            )
            cands.append(
                (
                    "h_n[-1]",
                    h_u[-1],
                    M_(
                        "h_n[-1] is the last layer's backward direction only: h_n stacks layers "
                        "then directions, h_n.view(L, 2, N, H_out); the forward final state is "
                        "h_n[-2]"
                    ),
                )
            )
            cands.append(
                (
                    "h_n[-2]",
                    h_u[-2],
                    M_(
                        "h_n[-2] is the last layer's forward direction only; a bidirectional "
                        "summary concatenates it with the backward one, h_n[-1]"
                    ),
                )
            )
            if lens is not None:
                lv = last_valid_output(tm(out_u), lens)
                cands.append(
                    (
                        "last_valid_output(out, lengths)",
                        lv,
                        M_(
                            "at each sequence's last valid step the forward half is final, but "
                            "the backward half has read one step only; its final state is at "
                            "step 0"
                        ),
                    )
                )
        if lens is not None and padded_short:
            if packed_in:
                cands.insert(
                    0,
                    (
                        last_step,
                        last,
                        M_(
                            "after pad_packed_sequence, out at the last step is zero padding for "
                            "every sequence shorter than T={T}; take each sequence's own last "
                            "step",
                            T=T,
                        ),
                    ),
                )
            else:
                cands.insert(
                    0,
                    (
                        last_step,
                        last,
                        M_(
                            "the padded batch was run unpacked, so the last step has read the "
                            "padding of every sequence shorter than T={T}",
                            T=T,
                        ),
                    ),
                )
                cands.insert(
                    1,
                    (
                        "h_n[-1]",
                        h_u[-1],
                        M_(
                            "the padded batch was run unpacked: h_n has read the padding steps "
                            "of every short sequence (pack it so each one stops at its length)"
                        ),
                    ),
                )
                if D == 2:  # with one direction, final_hidden(h_n, ...) is h_n[-1]
                    cands.insert(
                        2,
                        (
                            "final_hidden(h_n, ...)",
                            final_hidden(h_u, L, module.bidirectional),
                            M_(
                                "the padded batch was run unpacked: h_n has read the padding "
                                "steps of every short sequence (pack it so each one stops at its "
                                "length)"
                            ),
                        ),
                    )
        if D == 1:
            cands.append((last_step, last, M_("the output at the last step")))
        cands.append(
            (
                "out[:, 0]" if bf else "out[0]",
                first,
                M_(
                    "the output at the first step has read one step only (its backward half is "
                    "final, the forward half is not)"
                )
                if D == 2
                else M_("the output at the first step has read one step only"),
            )
        )
        if L > 1:
            cands.append(
                (
                    "h_n[0]",
                    h_u[0],
                    M_(
                        "h_n[0] is the first layer's state; h_n stacks all {L} layers, the last "
                        "is h_n.view({L}, {D}, N, {P})[-1]",
                        L=L,
                        D=D,
                        P=P,
                    ),
                )
            )
        if c_u is not None:
            for i, name in ((-1, "c_n[-1]"), (0, "c_n[0]")):
                cands.append(
                    (
                        name,
                        c_u[i],
                        M_(
                            "c_n is the LSTM's cell state (its memory), not its hidden state h; "
                            "the output and h_n carry h"
                        ),
                    )
                )
        hits = [(n, why) for n, t, why in cands if close(s, t)]
        if hits:
            # several expressions can hold the same values (an unpacked run: out[-1] = h_n[-1]);
            # name them all, since we cannot know which one the user wrote
            names = list(dict.fromkeys(n for n, _ in hits))
            same = (
                M_(", which equals {names} here", names=" and ".join(names[1:]))
                if len(names) > 1
                else ""
            )
            cause = M_(
                "this is {names_0}{same}: {hits_0_1}",
                names_0=names[0],
                same=same,
                hits_0_1=hits[0][1],
            )
        elif s.shape != truth.shape:
            cause = M_(
                "its shape is {act_txt}, not (N, D * H_out) = {exp_txt}",
                act_txt=act_txt,
                exp_txt=exp_txt,
            )
            if D == 2 and s.shape[-1] == P:
                cause += M_(
                    ": a bidirectional layer has 2 * H_out features, one half per direction"
                )
        else:
            rows = [i for i in range(truth.size(0)) if not close(s[i], truth[i])]
            cause = M_(
                "it differs from each sequence's final state in rows {rows}",
                rows=rows,
            )
        found.problem("summary", exp_txt, act_txt, cause, fix_main, kind="trap")
    elif D == 1 and lens is not None and padded_short and not packed_in:
        found.notes.append(
            M_(
                "summary is right: for a unidirectional layer each sequence's output at "
                "its own last step has not read the padding yet.",
            )
        )
    if module.dropout and L == 1:
        found.problem(
            "dropout",
            "num_layers > 1 (or dropout=0)",
            f"dropout={module.dropout}, num_layers=1",
            M_(
                "dropout applies to the outputs of every layer except the last: with "
                "num_layers=1 it does nothing (torch warns); apply nn.Dropout to the "
                "output yourself",
            ),
            f"drop = nn.Dropout({module.dropout})\nsummary = drop(summary)",
            kind="trap",
        )
    if hx is not None and bf and batched:
        h0 = hx[0] if is_lstm else hx
        if _is_tensor(h0) and h0.dim() == 3 and h0.size(0) == h0.size(1):
            found.notes.append(
                M_(
                    "h_0 is {fmt_shape_h0_shape}: with batch_first=True and N = L*D it fits "
                    "both readings; torch reads axis 0 as layers x directions (batch_first "
                    "never applies to states).",
                    fmt_shape_h0_shape=fmt_shape(h0.shape),
                )
            )
    if module.training and module.dropout and L > 1:
        found.notes.append(
            M_(
                "compared in eval mode: in training mode dropout between layers makes "
                "every run differ.",
            )
        )
    call = f"{_call_text(module, x, hx, lengths if not packed_in else None)};  summary {act_txt}"
    return Diagnosis(call, found.arguments, found.problems, found.notes)
