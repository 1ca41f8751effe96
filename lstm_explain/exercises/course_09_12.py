"""Exercise banks of notebooks 09-12: what each question asks, computes and explains."""

from __future__ import annotations

from typing import Any

from ..i18n import M_
from .common import (
    BATCH_FIRST_STATES,
    ONE_ROW_PER_DIRECTION,
    STATES_PER_DIRECTION,
    _ex,
    _row,
    _row_feedback,
    _run,
)
from .core import Exercise, Part, _bank


@_bank("09")
def _nb09() -> list[Exercise]:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    def packed() -> Any:
        return pack_padded_sequence(torch.zeros(4, 3, 6), [4, 1, 3], enforce_sorted=False)

    def pick() -> str:
        lstm = nn.LSTM(3, 4)
        x = torch.randn(5, 3, 3)
        p = pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
        out_p, (h_n, _) = _run(lstm, p)
        output, _ = pad_packed_sequence(out_p)
        choices = {
            "output[-1, 2]": output[-1, 2],
            "output[2, 2]": output[2, 2],
            "output[3, 2]": output[3, 2],
        }
        return next(k for k, v in choices.items() if torch.allclose(v, h_n[-1, 2], atol=1e-6))

    def dropout_changes() -> bool:
        x = torch.randn(6, 2, 3)
        torch.manual_seed(5)
        with_dropout = nn.LSTM(3, 4, num_layers=2, dropout=0.5).eval()
        torch.manual_seed(5)
        without = nn.LSTM(3, 4, num_layers=2)  # the same seed: the same weights
        return not torch.equal(_run(with_dropout, x)[0], _run(without, x)[0])

    return [
        _ex(
            "09",
            1,
            M_("batch_sizes and sorted_indices for lengths [4, 1, 3]"),
            [
                Part(
                    "batch_sizes",
                    "ints",
                    lambda: packed().batch_sizes.tolist(),
                    lambda: [
                        (
                            [4, 1, 3],
                            M_("those are the lengths; batch_sizes counts sequences per step"),
                        ),
                        (
                            [3, 3, 3, 3],
                            M_("batch_sizes counts the sequences still running at step t"),
                        ),
                    ],
                    form="batch_sizes",
                ),
                Part(
                    "sorted_indices",
                    "ints",
                    lambda: packed().sorted_indices.tolist(),
                    lambda: [
                        ([1, 2, 0], M_("sorted_indices lists original indices, longest first")),
                    ],
                    form="sorted_indices",
                ),
            ],
            M_(
                "At step t, count the sequences longer than t; sort the indices by length, longest first."
            ),
            """
answer_1 = ([3, 2, 2, 1], [0, 2, 1])
""",
            M_(
                "3 sequences run at t=0, 2 at t=1 and t=2, 1 at t=3; by length: 0 (4), 2 (3), 1 (1)."
            ),
        ),
        _ex(
            "09",
            2,
            M_("shape of packed.data"),
            [
                Part(
                    "data",
                    "shape",
                    lambda: packed().data.shape,
                    lambda: [
                        ((4, 3, 6), M_("packed data has no padding and no batch axis")),
                        ((12, 6), M_("one row per real step: sum(lengths), not T*N")),
                    ],
                    dims=("sum(lengths)", "H_in"),
                )
            ],
            M_("One row per real (not padded) step, H_in features each."),
            """
answer_2 = (8, 6)  # sum(lengths) rows
""",
            M_("sum(lengths) = 8 rows of H_in = 6 features."),
        ),
        _ex(
            "09",
            3,
            M_("sequence 2's real final output"),
            [
                Part(
                    M_("expression"),
                    "choice",
                    pick,
                    lambda: [
                        (
                            "output[-1, 2]",
                            M_("output[-1] is padding for a sequence shorter than T: zeros"),
                        ),
                        ("output[3, 2]", M_("the last real step has index length - 1")),
                    ],
                    choices=("output[-1, 2]", "output[2, 2]", "output[3, 2]"),
                    form=M_('"output[-1, 2]", "output[2, 2]" or "output[3, 2]"'),
                )
            ],
            M_("Sequence 2 has length 3: which index is its last real step?"),
            """
answer_3 = "output[2, 2]"  # lengths[2] - 1 = 2
""",
            M_("its last real step is lengths[2] - 1 = 2; later steps are padding."),
        ),
        _ex(
            "09",
            4,
            M_("does dropout=0.5 change the output in eval mode?"),
            [
                Part(
                    M_("answer"),
                    "bool",
                    dropout_changes,
                    lambda: [(True, M_("dropout acts in training mode only; eval() turns it off"))],
                    form=M_("True or False"),
                )
            ],
            M_("What does .eval() switch off?"),
            """
answer_4 = False  # dropout is active in training mode only
""",
            M_("in eval mode dropout is the identity: the outputs are equal."),
        ),
    ]


@_bank("10")
def _nb10() -> list[Exercise]:
    import torch
    from torch import nn

    L, D, N, H = 3, 2, 4, 16

    def run() -> tuple[Any, Any]:
        m = nn.GRU(8, 16, num_layers=3, bidirectional=True, batch_first=True)
        return _run(m, torch.randn(4, 9, 8))

    def row() -> int:
        out, h = run()
        return next(k for k in range(L * D) if torch.allclose(h[k], out[:, -1, :H], atol=1e-6))

    def features() -> int:
        out, _ = _run(nn.LSTM(5, 32, bidirectional=True), torch.randn(6, 2, 5))
        return out.shape[-1]

    def c_in_unit_interval() -> bool:
        _, (_, c) = _run(nn.LSTM(4, 8), 3 * torch.randn(20, 3, 4))
        return bool(((c > 0) & (c < 1)).all())

    return [
        _ex(
            "10",
            1,
            M_("shape of h_n of a batch-first bidirectional GRU"),
            [
                Part(
                    "h_n",
                    "shape",
                    lambda: run()[1].shape,
                    lambda: [
                        ((N, L * D, H), BATCH_FIRST_STATES),
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                        ((L * D, N, D * H), STATES_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                )
            ],
            M_("batch_first touches input and output only."),
            """
answer_1 = (6, 4, 16)  # (L*D, N, H): batch_first does not touch it
""",
            M_("(L*D, N, H) = (6, 4, 16), whatever batch_first says."),
        ),
        _ex(
            "10",
            2,
            M_("the row of h_n that is the last layer's forward state"),
            [
                Part(
                    M_("row"),
                    "index",
                    row,
                    lambda: [
                        (
                            -1,
                            M_(
                                "{row}: it ends at t = 0, not at the last step",
                                row=_row(L * D - 1, L, D),
                            ),
                        ),
                    ],
                    size=lambda: L * D,
                    describe=_row_feedback(L, D),
                    form=M_("an index into h_n"),
                )
            ],
            M_("Rows: l0 fwd, l0 bwd, l1 fwd, l1 bwd, l2 fwd, l2 bwd."),
            """
answer_2 = 4  # (L-1) * D + 0, i.e. h_n[-2]
""",
            M_("the last layer's forward row is (L-1)*D = 4, i.e. h_n[-2]."),
        ),
        _ex(
            "10",
            3,
            M_("in_features of a linear head on a bidirectional LSTM"),
            [
                Part(
                    "in_features",
                    "int",
                    features,
                    lambda: [(32, M_("output concatenates both directions: D*H"))],
                    form=M_("a whole number"),
                )
            ],
            M_("What is the last axis of output for D = 2?"),
            """
answer_3 = 64  # D * H
""",
            M_("output's last axis is D*H = 64."),
        ),
        _ex(
            "10",
            4,
            M_("does c_n always lie between 0 and 1?"),
            [
                Part(
                    M_("answer"),
                    "bool",
                    c_in_unit_interval,
                    lambda: [
                        (
                            True,
                            M_(
                                "c is a sum, f*c + i*g, and g = tanh(...) is negative as often as not: c is unbounded and signed, only the gates lie in (0, 1)"
                            ),
                        )
                    ],
                    form=M_("True or False"),
                )
            ],
            M_("c_t = f * c_{t-1} + i * g: what is the range of g?"),
            """
answer_4 = False
_, (_, c_n) = nn.LSTM(4, 8)(3 * torch.randn(20, 3, 4))
print(bool((c_n < 0).any()))  # True: c_n takes negative values
""",
            M_("c adds up i*g with g in (-1, 1), so it is signed and can grow beyond 1."),
        ),
    ]


@_bank("12")
def _nb12() -> list[Exercise]:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    from ..cells import cells_from_module
    from ..models import RowClassifier

    def lstm003() -> tuple[Any, Any]:
        out, (h, _) = _run(
            nn.LSTM(100, 20, num_layers=4, bidirectional=True), torch.rand(10, 3, 100)
        )
        return out.shape, h.shape

    def row_classifier() -> tuple[Any, Any]:
        m = RowClassifier(hidden_size=16, num_layers=3, bidirectional=True)
        seen: dict[str, Any] = {}
        hook = m.fc.register_forward_hook(lambda _m, args, _o: seen.update(fc=args[0].shape))
        try:
            _, (h, _) = _run(m.lstm, torch.zeros(5, 8, 8))  # 5 digit images (N, rows, cols)
            _run(m, torch.zeros(5, 8, 8))
        finally:
            hook.remove()
        return h.shape, seen["fc"]

    def packed() -> Any:
        x = torch.randn(3, 6, 4)
        return pack_padded_sequence(x, [6, 2, 5], batch_first=True, enforce_sorted=False)

    def trace_rows() -> int:
        from ..tracing import trace_shapes

        stack3 = cells_from_module(nn.LSTM(4, 6, num_layers=3))
        return len(trace_shapes(stack3, torch.randn(4, 2, 4), expand=True).calls)

    return [
        _ex(
            "12",
            1,
            M_("post 003's layer: shapes of output and h_n"),
            [
                Part(
                    "output",
                    "shape",
                    lambda: lstm003()[0],
                    lambda: [((10, 3, 20), M_("output concatenates both directions: D*H"))],
                    dims=("T", "N", "D*H"),
                ),
                Part(
                    "h_n",
                    "shape",
                    lambda: lstm003()[1],
                    lambda: [
                        ((4, 3, 20), ONE_ROW_PER_DIRECTION),
                        ((8, 3, 40), STATES_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                ),
            ],
            M_("Write (T, N, D*H) and (L*D, N, H), then put in the numbers."),
            """
T, N, L, D, H = 10, 3, 4, 2, 20
answer_1 = ((T, N, D * H), (L * D, N, H))
""",
            M_("output (T, N, D*H) = (10, 3, 40); h_n (L*D, N, H) = (8, 3, 20)."),
        ),
        _ex(
            "12",
            2,
            M_("RowClassifier: h_n and the input of fc"),
            [
                Part(
                    "h_n",
                    "shape",
                    lambda: row_classifier()[0],
                    lambda: [
                        ((5, 6, 16), BATCH_FIRST_STATES),
                        ((3, 5, 16), ONE_ROW_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                ),
                Part(
                    M_("fc input"),
                    "shape",
                    lambda: row_classifier()[1],
                    lambda: [
                        ((5, 16), M_("fc reads both directions' final states side by side: D*H")),
                        ((5, 8, 32), M_("fc reads the final states, not every step")),
                    ],
                    dims=("N", "D*H"),
                ),
            ],
            M_("The LSTM is batch-first; fc gets the top layer's two final states side by side."),
            """
L, D, N, H = 3, 2, 5, 16
answer_2 = ((L * D, N, H), (N, D * H))
""",
            M_("h_n (L*D, N, H) = (6, 5, 16); fc reads (N, D*H) = (5, 32)."),
        ),
        _ex(
            "12",
            3,
            M_("rows and batch_sizes of a PackedSequence with lengths [6, 2, 5]"),
            [
                Part(
                    M_("rows"),
                    "int",
                    lambda: packed().data.shape[0],
                    lambda: [(18, M_("packed data holds real steps only: sum(lengths)"))],
                    form=M_("rows"),
                ),
                Part(
                    "batch_sizes",
                    "ints",
                    lambda: packed().batch_sizes.tolist(),
                    lambda: [([6, 2, 5], M_("those are the lengths; count sequences per step"))],
                    form="batch_sizes",
                ),
            ],
            M_("At step t, count the sequences longer than t."),
            """
lens = [6, 2, 5]
answer_3 = (sum(lens), [sum(n > s for n in lens) for s in range(max(lens))])  # 13, [3, 3, 2, 2, 2, 1]
""",
            M_("sum(lengths) = 13 rows; batch_sizes[t] counts the sequences longer than t."),
        ),
        _ex(
            "12",
            4,
            M_("rows of an expanded trace of a 3-layer stack over 4 steps"),
            [
                Part(
                    M_("rows"),
                    "int",
                    trace_rows,
                    lambda: [
                        (12, M_("the stack itself is a row too, before its cell calls")),
                        (1 + 3, M_("expand=True records every cell call: one per layer per step")),
                    ],
                    form=M_("a whole number"),
                )
            ],
            M_("One row for the stack, then one per cell call."),
            """
answer_4 = 1 + 3 * 4  # the stack, then one row per cell call
""",
            M_("1 row for the stack + 3 layers x 4 steps = 13."),
        ),
    ]
