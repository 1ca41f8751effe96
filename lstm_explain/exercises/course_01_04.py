"""Exercise banks of notebooks 01-04: what each question asks, computes and explains."""

from __future__ import annotations

from typing import Any

from ..i18n import M_
from .common import (
    BATCH_FIRST_STATES,
    ONE_ROW_PER_DIRECTION,
    STATES_PER_DIRECTION,
    _count,
    _ex,
    _forget_block,
    _gate_rows,
    _row_feedback,
    _run,
    _shape_dims,
)
from .core import Exercise, Mistake, Part, _bank


@_bank("01")
def _nb01() -> list[Exercise]:
    from ..config import RNNConfig

    cfg = RNNConfig(
        "GRU", 32, 16, num_layers=3, bidirectional=True, batch_first=True, seq_len=12, batch=5
    )
    N, T, L, D, H = 5, 12, 3, 2, 16

    def run() -> tuple[Any, Any]:
        from ..shapes import shape_report

        r = shape_report(cfg)
        return r.values["output"], r.values["h_n"]

    def row() -> int:
        out, h_n = run()
        return next(k for k in range(L * D) if h_n[k].equal(out[:, -1, :H]))

    return [
        _ex(
            "01",
            1,
            M_("shapes of output and h_n"),
            [
                Part(
                    "output",
                    "shape",
                    lambda: run()[0].shape,
                    lambda: [
                        ((T, N, D * H), M_("batch_first=True puts the batch first: (N, T, D*H)")),
                        (
                            (N, T, H),
                            M_("a bidirectional output holds both directions: D*H features"),
                        ),
                    ],
                    dims=_shape_dims(cfg, "output"),
                ),
                Part(
                    "h_n",
                    "shape",
                    lambda: run()[1].shape,
                    lambda: [
                        ((N, L * D, H), BATCH_FIRST_STATES),
                        ((L, N, H), ONE_ROW_PER_DIRECTION),
                        ((L * D, N, D * H), STATES_PER_DIRECTION),
                    ],
                    dims=_shape_dims(cfg, "h_n"),
                ),
            ],
            M_("output is (N, T, D*H) with batch_first; h_n is (L*D, N, H) in every layout."),
            """
answer_1 = ((5, 12, 32), (6, 5, 16))  # output (N, T, D*H), h_n (L*D, N, H)
# see it in torch:
gru = nn.GRU(32, 16, num_layers=3, bidirectional=True, batch_first=True)
output, h_n = gru(torch.randn(5, 12, 32))
print(tuple(output.shape), tuple(h_n.shape))
""",
            M_("batch_first moves N to the front of input and output only; h_n keeps (L*D, N, H)."),
        ),
        _ex(
            "01",
            2,
            M_("the row of h_n that equals output[:, -1, :16]"),
            [
                Part(
                    M_("row"),
                    "index",
                    row,
                    lambda: [
                        (
                            -1,
                            M_(
                                "h_n[-1] is the top layer's backward direction, which ends at t = 0: it equals output[:, 0, 16:]"
                            ),
                        ),
                        (0, M_("h_n[0] is layer 0; output comes from the top layer only")),
                    ],
                    size=lambda: L * D,
                    describe=_row_feedback(L, D),
                    form=M_("an index into h_n"),
                ),
            ],
            M_("output[:, -1, :16] is the forward half at the last step, of the top layer."),
            """
answer_2 = -2  # the top layer's forward direction: row (L-1)*D + 0 = 4, i.e. h_n[-2]
""",
            M_("the forward direction of the top layer ends at the last step: h_n[-2] (row 4)."),
        ),
    ]


@_bank("02")
def _nb02() -> list[Exercise]:
    import torch
    from torch import nn

    def pick() -> str:
        x = torch.randn(8, 12, 50)  # (N, T, H_in)
        choices = {"x[2]": x[2], "x[:, 2]": x[:, 2]}
        target = x.transpose(0, 1)[:, 2]  # sentence 2 in the time-first copy
        return next(k for k, v in choices.items() if v.shape == target.shape and v.equal(target))

    return [
        _ex(
            "02",
            1,
            M_("shape of a time-first batch of embedded sentences"),
            [
                Part(
                    "input",
                    "shape",
                    lambda: nn.Embedding(1000, 50)(torch.zeros(12, 8, dtype=torch.long)).shape,
                    lambda: [
                        ((8, 12, 50), M_("that is batch-first; time first is (T, N, H_in)")),
                        ((12, 8), M_("the embedding adds a feature axis: (T, N, H_in)")),
                        ((12, 50), M_("a batch of 8 keeps its batch axis: (T, N, H_in)")),
                    ],
                    dims=("T", "N", "H_in"),
                )
            ],
            M_(
                "Time first means the step index comes first, then the sentence, then the features."
            ),
            """
answer_1 = (12, 8, 50)  # (T, N, H_in)
print(tuple(nn.Embedding(1000, 50)(torch.zeros(12, 8, dtype=torch.long)).shape))
""",
            M_("(T, N, H_in): 12 steps, 8 sentences, 50 numbers per word."),
        ),
        _ex(
            "02",
            2,
            M_("index of one sentence in a batch-first tensor"),
            [
                Part(
                    M_("expression"),
                    "choice",
                    pick,
                    lambda: [
                        (
                            "x[:, 2]",
                            M_(
                                "x[:, 2] is step 2 of every sentence; with batch_first the sentence index comes first"
                            ),
                        )
                    ],
                    choices=("x[2]", "x[:, 2]"),
                    form=M_('"x[2]" or "x[:, 2]"'),
                )
            ],
            M_("Which axis of a (N, T, H_in) tensor counts sentences?"),
            """
answer_2 = "x[2]"  # (N, T, H_in): axis 0 is the sentence
""",
            M_("batch_first puts N first, so x[2] is sentence 2, all its steps: (T, H_in)."),
        ),
        _ex(
            "02",
            3,
            M_("h_n of an unbatched input"),
            [
                Part(
                    "h_n",
                    "shape",
                    lambda: _run(nn.RNN(4, 6), torch.randn(7, 4))[1].shape,
                    lambda: [
                        ((1, 1, 6), M_("unbatched input gives unbatched states: no batch axis")),
                        ((6,), M_("h_n keeps its first axis, one row per layer and direction")),
                        ((7, 6), M_("that is output's shape (T, H); h_n has one row per layer")),
                    ],
                    dims=("L*D", "H"),
                )
            ],
            M_("Drop the batch axis from (L*D, N, H)."),
            """
answer_3 = (1, 6)  # (L*D, H): no batch axis
print(tuple(nn.RNN(4, 6)(torch.randn(7, 4))[1].shape))
""",
            M_("without a batch axis in the input, the states lose it too: (L*D, H)."),
        ),
        _ex(
            "02",
            4,
            M_("does reshape give the batch-first layout?"),
            [
                Part(
                    M_("answer"),
                    "bool",
                    lambda: (x := torch.randn(6, 4, 5)).reshape(4, 6, 5).equal(x.transpose(0, 1)),
                    lambda: [
                        (
                            True,
                            M_(
                                "reshape keeps the numbers in memory order and regroups them, mixing steps of different sequences; transpose(0, 1) swaps axes"
                            ),
                        )
                    ],
                    form=M_("True or False"),
                )
            ],
            M_("Compare x.reshape(N, T, H_in) with x.transpose(0, 1) on a small tensor."),
            """
answer_4 = False
x = torch.randn(6, 4, 5)  # (T, N, H_in)
print(x.reshape(4, 6, 5).equal(x.transpose(0, 1)))  # False: use transpose(0, 1)
""",
            M_("reshape regroups the numbers in memory order; only transpose(0, 1) swaps T and N."),
        ),
    ]


@_bank("03")
def _nb03() -> list[Exercise]:
    import torch
    from torch import nn

    from ..config import RNNConfig
    from ..shapes import predict_num_parameters

    cfg = RNNConfig("RNN", 30, 16, num_layers=3)

    def pair() -> tuple[int, int]:
        rnn = nn.RNN(30, 16, num_layers=3)
        out, h = _run(rnn, torch.randn(7, 2, 30))
        return next((k, t) for k in range(3) for t in range(7) if h[k].equal(out[t]))

    def step_args() -> tuple[Any, Any]:
        return nn.RNN(30, 16), torch.randn(7, 2, 30)

    def step_truth() -> Any:
        rnn, x = step_args()
        return _run(rnn, x)[0][0]  # (N, H)

    def no_bias_hh(rnn: Any, x: Any) -> Any:
        return torch.tanh(x[0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0)

    def last_step(rnn: Any, x: Any) -> Any:
        return torch.tanh(x[-1] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0)

    def no_tanh(rnn: Any, x: Any) -> Any:
        return x[0] @ rnn.weight_ih_l0.T + rnn.bias_ih_l0 + rnn.bias_hh_l0

    return [
        _ex(
            "03",
            1,
            M_("shape of weight_ih_l2"),
            [
                Part(
                    "weight_ih_l2",
                    "shape",
                    lambda: nn.RNN(30, 16, num_layers=3).weight_ih_l2.shape,
                    lambda: [
                        (
                            (16, 30),
                            M_("only layer 0 reads the input; layer 2 reads layer 1's H = 16"),
                        ),
                        ((30, 16), M_("weights are (out, in): (H, H_in of the layer)")),
                    ],
                    dims=("H", "in"),
                )
            ],
            M_("What does layer 2 read? Weights are (rows = H, columns = the layer's input)."),
            """
answer_1 = (16, 16)  # layer 2 reads layer 1's 16-vector
print(tuple(nn.RNN(30, 16, num_layers=3).weight_ih_l2.shape))
""",
            M_("layer 2's input is layer 1's h, of size H = 16: (H, H)."),
        ),
        _ex(
            "03",
            2,
            M_("parameters of nn.RNN(30, 16, num_layers=3)"),
            [
                Part(
                    M_("count"),
                    "int",
                    lambda: _count(nn.RNN(30, 16, num_layers=3)),
                    lambda: [
                        (
                            predict_num_parameters(cfg.replace(bias=False)),
                            M_("you left out the biases: bias_ih and bias_hh, H each, per layer"),
                        ),
                        (
                            3 * (16 * (30 + 16) + 2 * 16),
                            M_("layers 1 and 2 read H = 16 features, not input_size = 30"),
                        ),
                        (
                            predict_num_parameters(cfg) - 3 * 16,
                            M_("every layer has two bias vectors, bias_ih and bias_hh"),
                        ),
                    ],
                    form=M_("a whole number"),
                )
            ],
            M_("Per layer: H*(in + H) + 2*H, with in = 30 for layer 0 and in = H above."),
            """
answer_2 = (16 * (30 + 16) + 2 * 16) + 2 * (16 * (16 + 16) + 2 * 16)  # 1856
print(sum(p.numel() for p in nn.RNN(30, 16, num_layers=3).parameters()))
""",
            M_("layer 0: H*(30 + H) + 2H; layers 1, 2: H*(H + H) + 2H each; 1,856 in all."),
        ),
        _ex(
            "03",
            3,
            M_("the row of h_n and the step of output that hold the same numbers"),
            [
                Part(
                    "k",
                    "index",
                    lambda: pair()[0],
                    lambda: [(0, M_("h_n[0] is layer 0; output comes from the top layer"))],
                    size=lambda: 3,
                    describe=lambda k: M_("h_n[{k}] is layer {k}; output holds the top layer", k=k),
                    form="k",
                ),
                Part(
                    "t",
                    "index",
                    lambda: pair()[1],
                    lambda: [
                        (0, M_("output[0] is the first step; h_n is the state after the last"))
                    ],
                    size=lambda: 7,
                    describe=lambda t: M_("output[{t}] is step {t}; h_n is the final state", t=t),
                    form="t",
                ),
            ],
            M_("output holds the top layer at every step; h_n every layer at the last step."),
            """
answer_3 = (2, 6)  # the top layer (index L-1 = 2), the last step (index T-1 = 6)
rnn3 = nn.RNN(30, 16, num_layers=3)
out3, h3 = rnn3(torch.randn(7, 2, 30))
print(h3[2].equal(out3[6]))
""",
            M_("the top layer's final state is h_n[L-1] = h_n[-1] and output[T-1] = output[-1]."),
        ),
        _ex(
            "03",
            4,
            M_("one step of layer 0 with rnn_step"),
            [
                Part(
                    M_("step"),
                    "function",
                    step_truth,
                    lambda: [
                        (no_bias_hh, M_("add both biases, bias_ih and bias_hh, even from h = 0")),
                        (last_step, M_("the first step reads x[0], not x[-1]")),
                        (no_tanh, M_("h_t = tanh(...): the step ends with the nonlinearity")),
                    ],
                    args=step_args,
                    form=M_("def answer_4(rnn, x): ... (N, H)"),
                )
            ],
            M_("h_0 is zeros of shape (N, H); call rnn_step(x[0], h_0, **layer_weights(rnn, 0))."),
            """
from lstm_explain.recurrence import layer_weights, rnn_step


def answer_4(rnn, x):
    \"\"\"x (T, N, H_in) -> the first step of rnn's output, (N, H).\"\"\"
    h_0 = torch.zeros(x.shape[1], rnn.hidden_size)  # (N, H): the zero state
    return rnn_step(x[0], h_0, **layer_weights(rnn, 0))
""",
            M_("from a zero state, step 0 is tanh(x_0 W_ih^T + b_ih + b_hh): output[0]."),
        ),
    ]


@_bank("04")
def _nb04() -> list[Exercise]:
    import torch
    from torch import nn

    H = 32

    def other_gates() -> list[Mistake]:
        words = {"i": M_("input gate"), "g": M_("cell candidate (tanh)"), "o": M_("output gate")}
        return [
            (
                slice(a, b),
                M_(
                    "rows {a}:{b} are the {words_g} {g}; the blocks are i, f, g, o",
                    a=a,
                    b=b,
                    words_g=words[g],
                    g=g,
                ),
            )
            for g, (a, b) in _gate_rows(H).items()
            if g != "f"
        ]

    def describe_slice(rows: tuple[int, int]) -> str:
        return M_(
            "rows {rows_0}:{rows_1} are not one whole gate block; each has H = {H} rows",
            rows_0=rows[0],
            rows_1=rows[1],
            H=H,
        )

    def lstm2() -> tuple[Any, int]:
        out, (_, c) = _run(nn.LSTM(10, 32, num_layers=2), torch.randn(7, 5, 10))
        return c.shape, out.shape[0]

    return [
        _ex(
            "04",
            1,
            M_("shape of weight_hh_l0"),
            [
                Part(
                    "weight_hh_l0",
                    "shape",
                    lambda: nn.LSTM(10, 32).weight_hh_l0.shape,
                    lambda: [
                        ((32, 32), M_("four gate blocks are stacked: 4*H rows")),
                        ((128, 10), M_("weight_hh reads h (H columns); weight_ih reads x")),
                        ((32, 128), M_("weights are (rows, columns) = (4*H, H)")),
                    ],
                    dims=("4*H", "H"),
                )
            ],
            M_("Rows: one block of H per gate i, f, g, o. Columns: what it multiplies."),
            """
answer_1 = (128, 32)  # (4 * H, H)
print(tuple(nn.LSTM(10, 32).weight_hh_l0.shape))
""",
            M_("(4*H, H): the four gates' blocks stacked, each multiplying h of size H."),
        ),
        _ex(
            "04",
            2,
            M_("the rows of bias_ih_l0 that belong to the forget gate"),
            [
                Part(
                    M_("rows"),
                    "slice",
                    lambda: slice(*_forget_block(H)),
                    other_gates,
                    size=lambda: 4 * H,
                    describe=describe_slice,
                    form=M_("slice(start, stop)"),
                )
            ],
            M_("PyTorch stacks the blocks in the order i, f, g, o, H rows each."),
            """
answer_2 = slice(32, 64)  # rows H:2H (order i, f, g, o)
cell = nn.LSTMCell(10, 32)
with torch.no_grad():
    cell.bias_ih[answer_2] = -1e4  # forget gate shut
x, h = torch.randn(2, 10), torch.randn(2, 32)
_, c_a = cell(x, (h, torch.randn(2, 32)))
_, c_b = cell(x, (h, torch.randn(2, 32)))  # a different old cell state
print(torch.allclose(c_a, c_b))  # forgotten: the old c makes no difference
""",
            M_(
                "the second block, rows H:2H: shut it and the new c no longer depends on the old c."
            ),
        ),
        _ex(
            "04",
            3,
            M_("shape of c_n and the steps of output"),
            [
                Part(
                    "c_n",
                    "shape",
                    lambda: lstm2()[0],
                    lambda: [
                        ((1, 5, 32), M_("one c per layer: (L*D, N, H)")),
                        ((5, 32), M_("a batched call keeps the batch axis: (L*D, N, H)")),
                    ],
                    dims=("L*D", "N", "H"),
                ),
                Part(
                    "T",
                    "int",
                    lambda: lstm2()[1],
                    lambda: [(2, M_("h_n's first axis counts layers, not steps"))],
                    form="T",
                ),
            ],
            M_("c_n has the same shape as h_n; output has one row per input step."),
            """
answer_3 = ((2, 5, 32), 7)
out, (h_n, c_n) = nn.LSTM(10, 32, num_layers=2)(torch.randn(7, 5, 10))
print(tuple(c_n.shape), out.shape[0])
""",
            M_("c_n is (L*D, N, H) like h_n, and output has the input's T = 7 steps."),
        ),
        _ex(
            "04",
            4,
            M_("parameters of nn.LSTM(10, 32)"),
            [
                Part(
                    M_("count"),
                    "int",
                    lambda: _count(nn.LSTM(10, 32)),
                    lambda: [
                        (4 * 32 * (10 + 32), M_("you left out the biases: 2 vectors of 4*H")),
                        (32 * (10 + 32) + 2 * 32, M_("an LSTM has 4 gate blocks: 4*H rows")),
                        (4 * 32 * (10 + 32) + 4 * 32, M_("two bias vectors, bias_ih and bias_hh")),
                    ],
                    form=M_("a whole number"),
                )
            ],
            M_("4*H*(H_in + H) weights and 2*4*H biases."),
            """
answer_4 = 4 * 32 * (10 + 32) + 2 * 4 * 32  # 5632
print(sum(p.numel() for p in nn.LSTM(10, 32).parameters()))
""",
            M_("G*H*(H_in + H) + 2*G*H with G = 4 gate blocks: 5,632."),
        ),
        _ex(
            "04",
            5,
            M_("the rows of a GRU's bias_ih_l0 that belong to the update gate z"),
            [
                Part(
                    M_("rows"),
                    "slice",
                    lambda: slice(*_update_block(H)),
                    lambda: [
                        (
                            slice(0, H),
                            M_("rows 0:{H} are the reset gate r; the blocks are r, z, n", H=H),
                        ),
                        (
                            slice(2 * H, 3 * H),
                            M_("rows {v2_H}:{v3_H} are the candidate n", v2_H=2 * H, v3_H=3 * H),
                        ),
                    ],
                    size=lambda: 3 * H,
                    describe=describe_slice,
                    form=M_("slice(start, stop)"),
                )
            ],
            M_("A GRU stacks three blocks in the order r, z, n, H rows each."),
            """
answer_5 = slice(32, 64)  # rows H:2H (order r, z, n)
cell = nn.GRUCell(10, 32)
with torch.no_grad():
    cell.bias_ih[answer_5] = 1e4  # update gate held open: z = 1
x, h = torch.randn(2, 10), torch.randn(2, 32)
print(torch.allclose(cell(x, h), h))  # kept: the new h is the old h
""",
            M_("the second block, rows H:2H: open it (z = 1) and the new h is the old h."),
        ),
    ]


def _update_block(H: int) -> tuple[int, int]:
    """The GRUCell bias rows that, set very high, make the new h equal the old h."""
    import torch
    from torch import nn

    for k in range(3):
        a, b = k * H, (k + 1) * H
        cell = nn.GRUCell(10, H)
        with torch.no_grad():
            cell.bias_ih[a:b] = 1e4
            h = torch.randn(2, H)
            if torch.allclose(cell(torch.randn(2, 10), h), h):
                return a, b
    raise AssertionError("no GRU block keeps h")  # pragma: no cover
