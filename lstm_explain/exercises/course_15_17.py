"""Exercise banks of notebooks 15-17: what each question asks, computes and explains."""

from __future__ import annotations

import functools
from typing import Any

from ..i18n import M_
from .common import _count, _ex, _run
from .core import Exercise, Mistake, Part, _bank


@_bank("15")
def _nb15() -> list[Exercise]:

    from ..models import RowClassifier

    @functools.cache
    def digits() -> Any:
        from ..data import digits_data

        return digits_data()

    def columns() -> tuple[bool, bool]:
        x = digits().x_val
        cols = x.transpose(1, 2)  # (N, columns, pixels per column)
        try:
            _run(RowClassifier(), cols)
            runs = True
        except (RuntimeError, ValueError):
            runs = False
        return tuple(cols.shape) == tuple(x.shape), runs

    H, H_in = 64, 8

    return [
        _ex(
            "15",
            1,
            M_("steps per image and numbers per step"),
            [
                Part(
                    "(T, H_in)",
                    "shape",
                    lambda: digits().x_val.shape[1:],
                    lambda: [
                        (
                            (64, 1),
                            M_("each row is a step: 8 steps of 8 pixels (64 x 1 is another model)"),
                        ),
                        ((1, 64), M_("the LSTM reads the image row by row: T = rows")),
                    ],
                    dims=(M_("T = rows"), M_("H_in = pixels per row")),
                    form=M_("(T, H_in)"),
                )
            ],
            M_("data.x_val is (N, T, H_in); an image has 8 rows of 8 pixels."),
            """
answer_1 = (8, 8)  # T = 8 rows, H_in = 8 pixels each
""",
            M_("8 steps (rows) of 8 numbers (pixels)."),
        ),
        _ex(
            "15",
            2,
            M_("parameters of model.lstm"),
            [
                Part(
                    M_("count"),
                    "int",
                    lambda: _count(RowClassifier().lstm),
                    lambda: [
                        (4 * (H * H_in + H * H), M_("you left out the biases: two of H per block")),
                        (
                            4 * (H * H_in + H * H + H),
                            M_("each block has two biases, b_ih and b_hh"),
                        ),
                        (3 * (H * H_in + H * H + 2 * H), M_("an LSTM has four blocks, not three")),
                    ],
                    form=M_("a whole number"),
                )
            ],
            M_("4 blocks x (H*H_in + H*H + 2*H) with H = 64, H_in = 8."),
            """
H, H_in = 64, 8
answer_2 = 4 * (H * H_in + H * H + 2 * H)  # 19,456
""",
            M_("4 x (64*8 + 64*64 + 2*64) = 19,456."),
        ),
        _ex(
            "15",
            3,
            M_("reading columns: same shape? does the model accept it?"),
            [
                Part(
                    M_("same shape"),
                    "bool",
                    lambda: columns()[0],
                    lambda: [(False, M_("an 8 x 8 image transposed is still (N, 8, 8)"))],
                    form=M_("same shape (True/False)"),
                ),
                Part(
                    M_("runs"),
                    "bool",
                    lambda: columns()[1],
                    lambda: [
                        (
                            False,
                            M_(
                                "the LSTM checks only the shape, which is unchanged: it runs, reading a sequence it was not trained on"
                            ),
                        )
                    ],
                    form=M_("runs (True/False)"),
                ),
            ],
            M_("columns = data.x_val.transpose(1, 2): compare shapes; what does the LSTM check?"),
            """
answer_3 = (True, True)  # (N, 8, 8) either way: it runs, but reads other sequences
""",
            M_("the shape is unchanged, so it runs; the accuracy shows what it costs."),
        ),
    ]


@_bank("16")
def _nb16() -> list[Exercise]:
    @functools.cache
    def data() -> Any:
        from ..data import co2_forecast_data

        return co2_forecast_data(window=24)

    def windows() -> int:
        return len(data().x_train)

    def windows_mistakes() -> list[Mistake]:
        d = data()
        S = d.split - 1  # training changes
        return [
            (S - 24 + 1, M_("S - T + 1 counts a last window with no target after it: S - T")),
            (S, M_("one window per change? each window needs T inputs and 1 more value as target")),
            (len(d.levels) - 1 - 24, M_("only the training part is cut into training windows")),
        ]

    def month() -> str:
        d = data()
        m = d.months.index("1991-12") - (d.split - 1)
        return d.months[d.split + m]

    return [
        _ex(
            "16",
            1,
            M_("training windows from 405 changes with window=24"),
            [
                Part(
                    M_("windows"),
                    "int",
                    windows,
                    windows_mistakes,
                    form=M_("a whole number"),
                )
            ],
            M_("A window needs T inputs and 1 more value as its target."),
            """
answer_1 = 405 - 24  # a series of S values gives S - T windows: 381
""",
            M_("S - T = 405 - 24 = 381: each window needs T inputs and one more value as target."),
        ),
        _ex(
            "16",
            2,
            M_("why the Scaler is fitted on the training changes only"),
            [
                Part(
                    M_("reason"),
                    "choice",
                    lambda: "a",
                    lambda: [
                        (
                            "b",
                            M_(
                                "speed is not the point: the scaler is fitted once, in microseconds"
                            ),
                        ),
                        (
                            "c",
                            M_(
                                "noise is not the point: a forecast made at the split could not know the test period's values at all"
                            ),
                        ),
                    ],
                    choices=("a", "b", "c"),
                    form=M_('"a", "b" or "c"'),
                )
            ],
            M_("What could a forecast made at the split know?"),
            """
answer_2 = "a"  # fitted on everything, the scaler would carry the test period's values
""",
            M_(
                "a scaler fitted on all changes carries information from the future into the inputs."
            ),
        ),
        _ex(
            "16",
            3,
            M_("the forecast month whose last input is the change into 1991-12"),
            [
                Part(
                    M_("month"),
                    "choice",
                    month,
                    lambda: [
                        (
                            "1991-12",
                            M_("the change into 1991-12 is an input; the target comes after"),
                        ),
                        (
                            "1992-02",
                            M_("a window's last input is the change just before its target"),
                        ),
                    ],
                    choices=("1991-11", "1991-12", "1992-01", "1992-02"),
                    form=M_('a month "YYYY-MM"'),
                )
            ],
            M_(
                "Test window m's last input is the change into month split-1+m; it forecasts split+m."
            ),
            """
answer_3 = "1992-01"  # the month right after the change it last reads
""",
            M_("the change into 1991-12 is the last input of the forecast of the month after it."),
        ),
    ]


@_bank("17")
def _nb17() -> list[Exercise]:
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    from ..data import PAD, pad_batch

    lens = [7, 3, 5]

    def batch() -> tuple[Any, Any]:
        return pad_batch([[2] * n for n in lens])

    def facts() -> tuple[Any, int, int]:
        ids, lengths = batch()
        p = pack_padded_sequence(ids, lengths, batch_first=True, enforce_sorted=False)
        return ids.shape, int((ids == PAD).sum()), p.data.shape[0]

    def equal_rows() -> list[int]:
        ids, lengths = batch()
        emb, lstm = nn.Embedding(10, 4), nn.LSTM(4, 5, batch_first=True)
        p = pack_padded_sequence(emb(ids), lengths, batch_first=True, enforce_sorted=False)
        out, (h, _) = _run(lstm, p)
        padded, _ = pad_packed_sequence(out, batch_first=True)
        return [i for i in range(3) if torch.equal(padded[i, -1], h[-1, i])]

    return [
        _ex(
            "17",
            1,
            M_("a padded batch of lengths [7, 3, 5]: shape, pads, packed rows"),
            [
                Part(
                    M_("shape"),
                    "shape",
                    lambda: facts()[0],
                    lambda: [((7, 3), M_("pad_batch is batch-first: (N, T)"))],
                    dims=("N", "T"),
                ),
                Part(
                    M_("pads"),
                    "int",
                    lambda: facts()[1],
                    lambda: [(15, M_("that is the number of real tokens: N*T - sum(lengths)"))],
                    form=M_("pads"),
                ),
                Part(
                    M_("packed rows"),
                    "int",
                    lambda: facts()[2],
                    lambda: [(21, M_("packing drops the padding: sum(lengths) rows"))],
                    form=M_("packed rows"),
                ),
            ],
            M_("(N, T) with T = the longest length; pads = N*T - sum(lengths)."),
            """
answer_1 = ((3, 7), 3 * 7 - 15, 15)  # (N, T); 21 - 15 pads; sum(lengths) packed rows
""",
            M_("(N, T) = (3, 7); 21 - 15 = 6 pads; 15 packed rows."),
        ),
        _ex(
            "17",
            2,
            M_("the texts for which output[:, -1] equals h_n[-1]"),
            [
                Part(
                    M_("texts"),
                    "set",
                    equal_rows,
                    lambda: [
                        (
                            [0, 1, 2],
                            M_(
                                "h_n holds each text's state at its own last step; output past a text's length is padding (zeros)"
                            ),
                        ),
                        ([], M_("the longest text (length 7 = T) does end at the last column")),
                    ],
                    form=M_("a list of text indices"),
                )
            ],
            M_("Which texts have a real token in the last column?"),
            """
answer_2 = [0]  # only the longest (length 7 = T): the others' last column is padding
""",
            M_(
                "only text 0 has length T; the others end earlier and their last column is padding."
            ),
        ),
        _ex(
            "17",
            3,
            M_("why the vocabulary is built from the training texts only"),
            [
                Part(
                    M_("reason"),
                    "choice",
                    lambda: "a",
                    lambda: [
                        (
                            "b",
                            M_(
                                "memory is not the problem; what the vocabulary tells the test texts is"
                            ),
                        ),
                        ("c", M_("padding does not depend on the vocabulary")),
                    ],
                    choices=("a", "b", "c"),
                    form=M_('"a", "b" or "c"'),
                )
            ],
            M_("Which words of the test texts would a vocabulary from all texts know?"),
            """
answer_3 = "a"  # words never seen in training get ids whose embeddings are never trained
""",
            M_(
                "a vocabulary from all texts gives untrained ids to unseen words and flatters the test."
            ),
        ),
    ]
