"""Exercise banks of notebooks 05-08: what each question asks, computes and explains."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ..i18n import M_
from .common import (
    BATCH_FIRST_STATES,
    ONE_ROW_PER_DIRECTION,
    STATES_PER_DIRECTION,
    _count,
    _ex,
    _gate_rows,
    _row,
    _row_feedback,
    _run,
)
from .core import Exercise, Mistake, Part, _bank


@_bank("05")
def _nb05() -> list[Exercise]:
    import torch
    from torch import nn

    from ..recurrence import first_layers

    L, D, H, N, T = 3, 2, 64, 5, 7

    def run() -> tuple[Any, Any, Any, Any]:
        ex = nn.LSTM(50, 64, num_layers=3, bidirectional=True)
        x = torch.randn(7, 5, 50)
        out, (h, _) = _run(ex, x)
        return ex, x, out, h

    def layer1_backward() -> int:
        ex, x, _, h = run()
        _, (h_low, _) = _run(first_layers(ex, 2), x)  # layers 0, 1: h_low[-1] is layer 1 bwd
        return next(k for k in range(L * D) if torch.allclose(h[k], h_low[-1], atol=1e-6))

    def step() -> int:
        _, _, out, h = run()
        return next(t for t in range(T) if out[t][:, H:].equal(h[-1]))

    return [
        _ex(
            "05",
            1,
            M_("shapes of output and h_n"),
            [
                Part(
                    "output",
                    "shape",
                    lambda: run()[2].shape,
                    lambda: [((T, N, H), M_("output concatenates both directions: D*H features"))],
                    dims=("T", "N", "D*H"),
                ),
                Part(
                    "h_n",
                    "shape",
                    lambda: run()[3].shape,
                    lambda: [
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                        ((L * D, N, D * H), STATES_PER_DIRECTION),
                        ((D, N, H), M_("h_n has a row for every layer, not only the top one")),
                    ],
                    dims=("L*D", "N", "H"),
                ),
            ],
            M_("output: (T, N, D*H); h_n: (L*D, N, H)."),
            """
answer_1 = ((7, 5, 128), (6, 5, 64))  # (T, N, D*H), (L*D, N, H)
""",
            M_(
                "output stacks both directions' features; h_n stacks one row per layer and direction."
            ),
        ),
        _ex(
            "05",
            2,
            M_("the row of h_n that is layer 1's backward direction"),
            [
                Part(
                    M_("row"),
                    "index",
                    layer1_backward,
                    lambda: [
                        (2, M_("{row}; the backward one comes right after it", row=_row(2, L, D)))
                    ],
                    size=lambda: L * D,
                    describe=_row_feedback(L, D),
                    form=M_("an index into h_n"),
                )
            ],
            M_("Rows are ordered layer * D + direction, with direction 0 forward, 1 backward."),
            """
answer_2 = 3  # layer * D + direction = 1 * 2 + 1
""",
            M_("row = layer * D + direction = 1 * 2 + 1 = 3."),
        ),
        _ex(
            "05",
            3,
            M_("the step where the backward half of output equals h_n[-1]"),
            [
                Part(
                    "t",
                    "index",
                    step,
                    lambda: [
                        (
                            T - 1,
                            M_(
                                "at the last step the backward direction has read one step only; it finishes at t = 0"
                            ),
                        )
                    ],
                    size=lambda: T,
                    describe=lambda t: M_(
                        "output[{t}] is step {t}; where does the backward run end?", t=t
                    ),
                    form=M_("a step t"),
                )
            ],
            M_("The backward direction reads the sequence from t = T-1 down to t = 0."),
            """
answer_3 = 0  # the backward direction ends at the first step
""",
            M_("the backward direction runs from T-1 down to 0, so its final state is at t = 0."),
        ),
        _ex(
            "05",
            4,
            M_("shape of weight_ih_l2"),
            [
                Part(
                    "weight_ih_l2",
                    "shape",
                    lambda: run()[0].weight_ih_l2.shape,
                    lambda: [
                        ((4 * H, 50), M_("only layer 0 reads the input; layer 2 reads layer 1")),
                        ((4 * H, H), M_("layer 2 reads both directions of layer 1: D*H features")),
                        ((H, D * H), M_("four gate blocks are stacked: 4*H rows")),
                    ],
                    dims=("4*H", "D*H"),
                )
            ],
            M_("Layer 2 reads layer 1's output, which holds both directions."),
            """
answer_4 = (4 * 64, 2 * 64)  # (4H, D*H): layer 2 reads both directions of layer 1
""",
            M_("(4*H, D*H): four gate blocks, reading both directions of the layer below."),
        ),
    ]


@_bank("06")
def _nb06() -> list[Exercise]:
    import torch
    from torch import nn

    N, T, L, D, H = 5, 9, 2, 2, 32

    def run() -> tuple[Any, Any]:
        m = nn.LSTM(16, 32, num_layers=2, bidirectional=True, batch_first=True)
        out, (_, c) = _run(m, torch.randn(5, 9, 16))
        return out.shape, c.shape

    def pick() -> str:
        out, h = _run(nn.RNN(8, 4, batch_first=True), torch.randn(6, 5, 8))
        choices = {"output[-1]": out[-1], "output[:, -1]": out[:, -1]}
        return next(k for k, v in choices.items() if v.shape == h[-1].shape and v.equal(h[-1]))

    def raises() -> bool:
        rnn = nn.RNN(8, 4, num_layers=3, batch_first=True)
        try:
            _run(rnn, torch.randn(3, 5, 8), torch.zeros(3, 3, 4))  # N = 3 = L*D
        except RuntimeError:
            return True
        return False

    return [
        _ex(
            "06",
            1,
            M_("shapes of output and c_n with batch_first"),
            [
                Part(
                    "output",
                    "shape",
                    lambda: run()[0],
                    lambda: [
                        ((T, N, D * H), M_("batch_first=True makes output (N, T, D*H)")),
                        ((N, T, H), M_("output concatenates both directions: D*H")),
                    ],
                    dims=("N", "T", "D*H"),
                ),
                Part(
                    "c_n",
                    "shape",
                    lambda: run()[1],
                    lambda: [
                        ((N, L * D, H), M_(BATCH_FIRST_STATES.template, state="c_n")),
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                    ],
                    dims=("L*D", "N", "H"),
                ),
            ],
            M_("batch_first changes input and output only."),
            """
answer_1 = ((5, 9, 64), (4, 5, 32))  # (N, T, D*H) and (L*D, N, H)
""",
            M_("output is (N, T, D*H) with batch_first; c_n keeps (L*D, N, H)."),
        ),
        _ex(
            "06",
            2,
            M_("the expression that equals h_n[-1] with batch_first"),
            [
                Part(
                    M_("expression"),
                    "choice",
                    pick,
                    lambda: [
                        (
                            "output[-1]",
                            M_(
                                "with batch_first axis 0 is the batch: output[-1] is the last sequence, all its steps"
                            ),
                        )
                    ],
                    choices=("output[-1]", "output[:, -1]"),
                    form=M_('"output[-1]" or "output[:, -1]"'),
                )
            ],
            M_("In (N, T, H), which index picks the last step of every sequence?"),
            """
answer_2 = "output[:, -1]"  # (N, T, H): the last step is on axis 1
""",
            M_("the last step is output[:, -1] when the batch comes first."),
        ),
        _ex(
            "06",
            3,
            M_("does an h_0 laid out (N, L*D, H) always raise?"),
            [
                Part(
                    M_("answer"),
                    "bool",
                    raises,
                    lambda: [
                        (
                            True,
                            M_(
                                "only when N != L*D; with N == L*D the shapes agree and the layer runs silently with the wrong states"
                            ),
                        )
                    ],
                    form=M_("True or False"),
                )
            ],
            M_("Try a batch of N = 3 with a 3-layer RNN: what shape does h_0 need?"),
            """
answer_3 = False  # only when N != L*D; otherwise it silently runs with the wrong states
rnn = nn.RNN(8, 4, num_layers=3, batch_first=True)
rnn(torch.randn(3, 5, 8), torch.zeros(3, 3, 4))  # runs: N = 3 = L*D
""",
            M_("when N equals L*D the wrong layout has the right shape, and nothing complains."),
        ),
    ]


@_bank("07")
def _nb07() -> list[Exercise]:
    import torch
    from torch import nn

    from ..cells import cells_from_module

    def cells() -> tuple[int, int]:
        stack = cells_from_module(nn.LSTM(10, 16, num_layers=3, bidirectional=True))
        return sum(len(layer) for layer in stack.layers), stack.layers[2][0].input_size

    def row() -> int:
        out, h = _run(nn.GRU(3, 4, num_layers=2, bidirectional=True), torch.randn(5, 2, 3))
        return next(k for k in range(4) if torch.allclose(h[k], out[0, :, 4:], atol=1e-6))

    def needs_batch() -> bool:
        try:
            nn.RNNCell(3, 4)(torch.randn(3))
        except (RuntimeError, ValueError):
            return True
        return False

    return [
        _ex(
            "07",
            1,
            M_("what a GRUCell returns"),
            [
                Part(
                    "h",
                    "shape",
                    lambda: nn.GRUCell(5, 7)(torch.randn(3, 5), torch.zeros(3, 7)).shape,
                    lambda: [
                        ((1, 3, 7), M_("a cell returns h itself: no layers-and-directions axis")),
                        ((3, 21), M_("the 3 gate blocks stay inside; the cell returns h, (N, H)")),
                    ],
                    dims=("N", "H"),
                )
            ],
            M_("A cell does one step and returns the new h."),
            """
answer_1 = (3, 7)  # (N, H)
""",
            M_("one step: the new h, (N, H)."),
        ),
        _ex(
            "07",
            2,
            M_("cells in a 3-layer bidirectional LSTM, and layer 2's input_size"),
            [
                Part(
                    M_("cells"),
                    "int",
                    lambda: cells()[0],
                    lambda: [(3, M_("one cell per layer AND direction"))],
                    form=M_("cells"),
                ),
                Part(
                    "input_size",
                    "int",
                    lambda: cells()[1],
                    lambda: [
                        (16, M_("layer 2 reads both directions of layer 1: 2 * 16")),
                        (10, M_("only layer 0 reads the input")),
                    ],
                    form="input_size",
                ),
            ],
            M_("Count layers times directions; a layer above 0 reads [forward h, backward h]."),
            """
answer_2 = (6, 32)  # 3 layers x 2 directions; layer 2 reads [forward h, backward h] = 2 * 16
""",
            M_("L*D = 6 cells; above layer 0 each cell reads D*H = 32 features."),
        ),
        _ex(
            "07",
            3,
            M_("the row of h_n that is layer 1's backward cell"),
            [
                Part(
                    M_("row"),
                    "index",
                    row,
                    lambda: [
                        (2, M_("{row}; the backward one comes right after it", row=_row(2, 2, 2)))
                    ],
                    size=lambda: 4,
                    describe=_row_feedback(2, 2),
                    form=M_("an index into h_n"),
                )
            ],
            M_("Rows are ordered layers first, then directions: layer * D + direction."),
            """
answer_3 = 3  # k * D + d = 1 * 2 + 1
""",
            M_("row = layer * D + direction = 1 * 2 + 1 = 3."),
        ),
        _ex(
            "07",
            4,
            M_("does a cell need a batch axis?"),
            [
                Part(
                    M_("answer"),
                    "bool",
                    needs_batch,
                    lambda: [
                        (
                            True,
                            M_("torch accepts an unbatched x_t of shape (H_in,) and returns (H,)"),
                        )
                    ],
                    form=M_("True or False"),
                )
            ],
            M_("Call nn.RNNCell(3, 4) on torch.randn(3) and see."),
            """
answer_4 = False
print(tuple(nn.RNNCell(3, 4)(torch.randn(3)).shape))  # (4,): unbatched works
""",
            M_("cells accept an unbatched step (H_in,) and return h of shape (H,)."),
        ),
    ]


@_bank("08")
def _nb08() -> list[Exercise]:
    import torch
    from torch import nn

    H = 7

    def gate() -> str:
        lstm = nn.LSTM(5, H)
        with torch.no_grad():
            lstm.bias_ih_l0[H : 2 * H] = -1e4
        x, h0 = torch.randn(4, 3, 5), torch.zeros(1, 3, H)
        _, (h_a, c_a) = _run(lstm, x, (h0, torch.zeros(1, 3, H)))
        _, (_, c_b) = _run(lstm, x, (h0, torch.randn(1, 3, H)))
        shut = {
            "i": bool((c_a == 0).all()),
            "f": torch.equal(c_a, c_b),
            "o": bool((h_a == 0).all()),
        }
        (name,) = (g for g, s in shut.items() if s)
        return name

    def gate_mistakes() -> list[Mistake]:
        rows = _gate_rows(H)
        return [
            ("i", M_("i is the first block, rows {a}-{b}", a=rows["i"][0], b=rows["i"][1] - 1)),
            ("o", M_("o is the last block, rows {a}-{b}", a=rows["o"][0], b=rows["o"][1] - 1)),
            ("g", M_("g is the tanh candidate, not a sigmoid gate")),
        ]

    def ratio() -> bool:
        lstm, gru = nn.LSTM(13, 29, num_layers=2), nn.GRU(13, 29, num_layers=2)
        return Fraction(_count(lstm), _count(gru)) == Fraction(4, 3)

    return [
        _ex(
            "08",
            1,
            M_("parameters of nn.GRU(8, 16)"),
            [
                Part(
                    M_("count"),
                    "int",
                    lambda: _count(nn.GRU(8, 16)),
                    lambda: [
                        (3 * 16 * (8 + 16), M_("you left out the biases: 2 vectors of 3*H")),
                        (
                            _count(nn.LSTM(8, 16)),
                            M_("that is the LSTM's count; a GRU has 3 blocks"),
                        ),
                        (
                            _count(nn.RNN(8, 16)),
                            M_("that is the plain RNN's count; a GRU has 3 blocks"),
                        ),
                    ],
                    form=M_("a whole number"),
                )
            ],
            M_("G*H*(H_in + H) + 2*G*H with G = 3 for a GRU (r, z, n)."),
            """
answer_1 = 3 * 16 * (8 + 16) + 2 * 3 * 16  # G*H*(in + H) + 2*G*H = 1248
""",
            M_("three blocks r, z, n: 3*16*(8 + 16) + 2*3*16 = 1,248."),
        ),
        _ex(
            "08",
            2,
            M_("rows of weight_hh_l0 in nn.LSTM(5, 7), and the gate of rows 7 to 13"),
            [
                Part(
                    M_("rows"),
                    "int",
                    lambda: nn.LSTM(5, H).weight_hh_l0.shape[0],
                    lambda: [(H, M_("the four blocks i, f, g, o are stacked: 4*H rows"))],
                    form=M_("rows"),
                ),
                Part(
                    M_("gate"),
                    "choice",
                    gate,
                    gate_mistakes,
                    choices=("i", "f", "g", "o"),
                    form=M_('"i", "f" or "o"'),
                ),
            ],
            M_("Blocks of H = 7 rows in the order i, f, g, o."),
            """
answer_2 = (28, "f")  # 4 blocks of H = 7 rows: i (0-6), f (7-13), g (14-20), o (21-27)
""",
            M_("4*H = 28 rows; rows 7-13 are the second block, the forget gate f."),
        ),
        _ex(
            "08",
            3,
            M_("parameters of a bidirectional nn.LSTM(8, 16), in units of nn.RNN(8, 16)"),
            [
                Part(
                    M_("ratio"),
                    "int",
                    lambda: int(
                        Fraction(_count(nn.LSTM(8, 16, bidirectional=True)), _count(nn.RNN(8, 16)))
                    ),
                    lambda: [
                        (4, M_("that is one direction: the second direction has its own weights")),
                        (
                            2,
                            M_(
                                "two directions, yes, but each holds 4 gate blocks against the RNN's 1"
                            ),
                        ),
                        (6, M_("that is a bidirectional GRU (3 blocks); the LSTM has 4")),
                    ],
                    form=M_("a whole number"),
                )
            ],
            M_("Every direction has its own weights, and every weight has G blocks."),
            """
answer_3 = 2 * 4  # D = 2 directions, G = 4 blocks: 8 times the RNN's count
""",
            M_("two directions of 4 blocks each: 2 * 4 = 8 times the one-direction RNN's count."),
        ),
        _ex(
            "08",
            4,
            M_("is an LSTM exactly 4/3 of a GRU?"),
            [
                Part(
                    M_("answer"),
                    "bool",
                    ratio,
                    lambda: [
                        (
                            False,
                            M_(
                                "every term of G*H*(in + H) + 2*G*H scales with G: 4 blocks against 3, exactly, as a Fraction shows"
                            ),
                        )
                    ],
                    form=M_("True or False"),
                )
            ],
            M_("Write both counts with the formula: what differs between them?"),
            """
from fractions import Fraction

answer_4 = True
lstm, gru = nn.LSTM(13, 29, num_layers=2), nn.GRU(13, 29, num_layers=2)
count = lambda m: sum(p.numel() for p in m.parameters())
print(Fraction(count(lstm), count(gru)))  # 4/3
""",
            M_("the count is G times the same sum, so LSTM / GRU = 4/3 exactly."),
        ),
    ]
