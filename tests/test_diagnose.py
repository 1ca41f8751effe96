"""diagnose / explain_errors / check_summary: every error torch's recurrent layers raise, explained.

``ERRORS`` lists the RuntimeError / ValueError (and the IndexError / TypeError / AttributeError a
wrong state container provokes) that ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, the cells,
``pack_padded_sequence``, ``pad_packed_sequence`` and the constructors raise for bad shapes or
arguments, taken from torch's source (``torch/nn/modules/rnn.py``, ``torch/nn/utils/rnn.py``) and
from the messages its C++ kernels raise. Each case is fed to torch (it must raise that message)
and to ``explain_errors`` / ``diagnose`` (they must name the tensor, the expected and actual
shape, and give the fix).
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_explain import cli
from lstm_explain.diagnosis import (
    Diagnosis,
    check_summary,
    diagnose,
    diagnose_pack,
    explain_errors,
)
from lstm_explain.sequences import final_hidden, last_valid_output

torch.manual_seed(0)


def r(*shape: int, **kw: Any) -> torch.Tensor:
    return torch.randn(*shape, **kw)


def z(*shape: int, **kw: Any) -> torch.Tensor:
    return torch.zeros(*shape, **kw)


with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    RNN = nn.RNN(10, 20)
    RNN_BF = nn.RNN(10, 20, batch_first=True)
    GRU2BI = nn.GRU(10, 20, num_layers=2, bidirectional=True)
    GRU2BI_BF = nn.GRU(10, 20, num_layers=2, bidirectional=True, batch_first=True)
    LSTM2 = nn.LSTM(10, 20, num_layers=2)
    LSTM2BI = nn.LSTM(10, 20, num_layers=2, bidirectional=True)
    LSTM_PROJ = nn.LSTM(10, 20, proj_size=5)
    LSTM_4D = nn.LSTM(20, 8)
    LSTM1 = nn.LSTM(1, 8)
    RNN_CELL = nn.RNNCell(10, 20)
    GRU_CELL = nn.GRUCell(10, 20)
    LSTM_CELL = nn.LSTMCell(10, 20)
    RNN_CELL_BAD = nn.RNNCell(10, 20, nonlinearity="sigmoid")

X = r(5, 3, 10)  # (T, N, H_in)
PACKED = pack_padded_sequence(X, [5, 4, 2])
PACKED_UNSORTED = pack_padded_sequence(X, [2, 5, 4], enforce_sorted=False)


@dataclass
class Case:
    """One error: what triggers it, what torch says, what the explanation must name."""

    desc: str
    trigger: Callable[[], Any]
    exc: type[BaseException]
    message: str  # a regex on torch's own message
    tensor: str
    expected: str
    actual: str
    fix: str  # a piece of the fix line
    diag: Callable[[], Diagnosis] | None = None  # the same call through diagnose()
    inputs: tuple[Any, ...] = ()  # (module, x, hx) of a call, (x, lengths, kw) of a packing


def call(desc, module, x, hx, exc, message, tensor, expected, actual, fix) -> Case:
    def trigger() -> Any:
        return module(x) if hx is None else module(x, hx)

    return Case(
        desc,
        trigger,
        exc,
        message,
        tensor,
        expected,
        actual,
        fix,
        lambda: diagnose(module, x, hx),
        (module, x, hx),
    )


def pack(desc, x, lengths, kw, exc, message, tensor, expected, actual, fix) -> Case:
    return Case(
        desc,
        lambda: pack_padded_sequence(x, lengths, **kw),
        exc,
        message,
        tensor,
        expected,
        actual,
        fix,
        lambda: diagnose_pack(x, lengths, **kw),
        (x, lengths, kw),
    )


def ctor(desc, cls, kw, exc, message, arg, expected, actual, fix) -> Case:
    def trigger() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cls(**{"input_size": 10, "hidden_size": 20, **kw})

    return Case(desc, trigger, exc, message, arg, expected, actual, fix)


ERRORS: list[Case] = [
    # --- RNNBase.forward / LSTM.forward / GRU.forward (python checks) ---
    call("4-D input to RNN", RNN, r(5, 3, 1, 10), None, ValueError,
         r"RNN: Expected input to be 2D or 3D, got 4D tensor instead",
         "input", "(T, N, H_in) or (T, H_in)", "(5, 3, 1, 10)", "x.squeeze(2)"),
    call("1-D input to GRU", GRU2BI, r(10), None, ValueError,
         r"GRU: Expected input to be 2D or 3D, got 1D instead",
         "input", "(T, N, H_in) or (T, H_in)", "(10,)", "x.unsqueeze(0)"),
    call("1-D input to LSTM(1, 8): a sequence of scalars", LSTM1, r(7), None, ValueError,
         r"LSTM: Expected input to be 2D or 3D, got 1D instead",
         "input", "(T, N, H_in) or (T, H_in)", "(7,)", "x.unsqueeze(-1)"),
    call("4-D input to LSTM, features over two axes", LSTM_4D, r(5, 3, 4, 5), None, ValueError,
         r"LSTM: Expected input to be 2D or 3D, got 4D instead",
         "input", "(T, N, H_in) or (T, H_in)", "(5, 3, 4, 5)", "x.flatten(2)"),
    call("3-D h_0 for an unbatched input (GRU)", GRU2BI, r(5, 10), z(4, 1, 20), RuntimeError,
         r"For unbatched 2-D input, hx should also be 2-D but got 3-D tensor",
         "h_0", "(4, 20)", "(4, 1, 20)", "h_0.squeeze(1)"),
    call("2-D h_0 without layer axis for a batched input (RNN)", RNN, X, z(3, 20), RuntimeError,
         r"For batched 3-D input, hx should also be 3-D but got 2-D tensor",
         "h_0", "(1, 3, 20)", "(3, 20)", "h_0.unsqueeze(0)"),
    call("LSTM given h_0 alone, no c_0", LSTM2, X, z(2, 3, 20), RuntimeError,
         r"For batched 3-D input, hx and cx should also be 3-D but got \(2-D, 2-D\) tensors",
         "h_0", "tuple (h_0, c_0)", "one tensor (2, 3, 20)", "c_0 = torch.zeros_like(h_0)"),
    call("LSTM given unbatched-layout states for a batched input", LSTM2, X, (z(2, 20), z(2, 20)),
         RuntimeError,
         r"For batched 3-D input, hx and cx should also be 3-D but got \(2-D, 2-D\) tensors",
         "h_0", "(2, 3, 20)", "(2, 20)", "h_0.unsqueeze(1).repeat(1, 3, 1)"),
    call("LSTM 3-D states for an unbatched input", LSTM2, r(5, 10), (z(2, 1, 20), z(2, 1, 20)),
         RuntimeError,
         r"For unbatched 2-D input, hx and cx should also be 2-D but got \(3-D, 3-D\) tensors",
         "h_0", "(2, 20)", "(2, 1, 20)", "h_0.squeeze(1)"),
    call("LSTM given three states", LSTM2, X, (z(2, 3, 20),) * 3, RuntimeError,
         r"lstm expects two hidden states",
         "hx", "tuple (h_0, c_0)", "tuple of 3", "(h_0, c_0)"),
    call("LSTM given a 1-tuple", LSTM2, X, (z(2, 3, 20),), IndexError,
         r"tuple index out of range",
         "hx", "tuple (h_0, c_0)", "tuple of 1", "(h_0, c_0)"),
    call("GRU given an LSTM's (h, c)", GRU2BI, X, (z(4, 3, 20), z(4, 3, 20)), AttributeError,
         r"'tuple' object has no attribute 'dim'",
         "hx", "one tensor h_0", "tuple of 2", "gru(x, h_0)"),
    # --- RNNBase.check_input ---
    call("float64 input", GRU2BI, X.double(), None, ValueError,
         r"RNN input dtype \(torch.float64\) does not match weight dtype \(torch.float32\)",
         "input", "dtype torch.float32", "dtype torch.float64", "x.to(torch.float32)"),
    call("token ids as input", GRU2BI, torch.zeros(5, 3, 10, dtype=torch.long), None, ValueError,
         r"RNN input dtype \(torch.int64\) does not match weight dtype",
         "input", "dtype torch.float32", "dtype torch.int64", "embedding(x)"),
    call("packed data of a 4-D batch", GRU2BI, pack_padded_sequence(r(5, 3, 10, 1), [5, 4, 2]),
         None, RuntimeError, r"input must have 2 dimensions, got 3",
         "input", "data (sum of lengths, 10)", "data (11, 10, 1)", "x.flatten(2)"),
    call("input_size mismatch", GRU2BI, r(5, 3, 8), None, RuntimeError,
         r"input.size\(-1\) must be equal to input_size. Expected 10, got 8",
         "input", "(5, 3, 10)", "(5, 3, 8)", "nn.GRU(8, 20"),
    call("features on axis 1 (Conv1d layout)", RNN_BF, r(3, 10, 7), None, RuntimeError,
         r"input.size\(-1\) must be equal to input_size. Expected 10, got 7",
         "input", "(3, 7, 10)", "(3, 10, 7)", "x.movedim(1, -1)"),
    call("packed input_size mismatch", GRU2BI, pack_padded_sequence(r(5, 3, 8), [5, 4, 2]), None,
         RuntimeError, r"input.size\(-1\) must be equal to input_size. Expected 10, got 8",
         "input", "data (*, 10)", "data (11, 8)", "nn.GRU(8, 20"),
    # --- RNNBase.check_hidden_size / LSTM.check_forward_args ---
    call("batch and layer axes swapped in h_0", GRU2BI, X, z(3, 4, 20), RuntimeError,
         r"Expected hidden size \(4, 3, 20\), got \[3, 4, 20\]",
         "h_0", "(4, 3, 20)", "(3, 4, 20)", "h_0.transpose(0, 1)"),
    call("batch_first assumed for h_0", GRU2BI_BF, r(3, 5, 10), z(3, 4, 20), RuntimeError,
         r"Expected hidden size \(4, 3, 20\), got \[3, 4, 20\]",
         "h_0", "(4, 3, 20)", "(3, 4, 20)", "h_0.transpose(0, 1)"),
    call("unidirectional h_0 to a bidirectional LSTM", LSTM2BI, X, (z(2, 3, 20), z(4, 3, 20)),
         RuntimeError, r"Expected hidden\[0\] size \(4, 3, 20\), got \[2, 3, 20\]",
         "h_0", "(4, 3, 20)", "(2, 3, 20)", "repeat_interleave(2, dim=0)"),
    call("bidirectional h_0 to a unidirectional LSTM", LSTM2, X, (z(4, 3, 20), z(2, 3, 20)),
         RuntimeError, r"Expected hidden\[0\] size \(2, 3, 20\), got \[4, 3, 20\]",
         "h_0", "(2, 3, 20)", "(4, 3, 20)", "[:, 0]"),
    call("c_0 with proj_size features", LSTM_PROJ, X, (z(1, 3, 5), z(1, 3, 5)), RuntimeError,
         r"Expected hidden\[1\] size \(1, 3, 20\), got \[1, 3, 5\]",
         "c_0", "(1, 3, 20)", "(1, 3, 5)", "torch.zeros(1, 3, 20"),
    call("h_0 with hidden_size features under proj_size", LSTM_PROJ, X, (z(1, 3, 20), z(1, 3, 20)),
         RuntimeError, r"Expected hidden\[0\] size \(1, 3, 5\), got \[1, 3, 20\]",
         "h_0", "(1, 3, 5)", "(1, 3, 20)", "torch.zeros(1, 3, 5"),
    call("h_0 from a larger batch (last batch smaller)", GRU2BI, X, z(4, 8, 20), RuntimeError,
         r"Expected hidden size \(4, 3, 20\), got \[4, 8, 20\]",
         "h_0", "(4, 3, 20)", "(4, 8, 20)", "x.size(1)"),
    call("batch-first input to a time-first module", RNN, r(3, 5, 10), z(1, 3, 20), RuntimeError,
         r"Expected hidden size \(1, 5, 20\), got \[1, 3, 20\]",
         "h_0", "(1, 5, 20)", "(1, 3, 20)", "batch_first=True"),
    call("PackedSequence with h_0 for fewer sequences", GRU2BI, PACKED, z(4, 2, 20), RuntimeError,
         r"Expected hidden size \(4, 3, 20\), got \[4, 2, 20\]",
         "h_0", "(4, 3, 20)", "(4, 2, 20)", "int(x.batch_sizes[0])"),
    call("unsorted PackedSequence with h_0 for fewer sequences", GRU2BI, PACKED_UNSORTED,
         z(4, 2, 20), RuntimeError, r"out of .*bounds|index out of range",
         "h_0", "(4, 3, 20)", "(4, 2, 20)", "int(x.batch_sizes[0])"),
    call("PackedSequence with a 2-D h_0", GRU2BI, PACKED, z(4, 20), RuntimeError,
         r"Expected hidden size \(4, 3, 20\), got \[4, 20\]",
         "h_0", "(4, 3, 20)", "(4, 20)", "h_0.unsqueeze(1).repeat(1, 3, 1)"),
    call("PackedSequence with 2-D LSTM states", LSTM2, PACKED, (z(2, 20), z(2, 20)), IndexError,
         r"Dimension out of range",
         "h_0", "(2, 3, 20)", "(2, 20)", "h_0.unsqueeze(1).repeat(1, 3, 1)"),
    # --- C++ kernels: device and dtype ---
    call("input on another device", GRU2BI, X.to("meta"), None, RuntimeError,
         r"Input and parameter tensors are not at the same device",
         "input", "device cpu", "device meta", ".to(next(module.parameters()).device)"),
    call("h_0 on another device", GRU2BI, X, z(4, 3, 20, device="meta"), RuntimeError,
         r"Input and hidden tensors are not at the same device",
         "h_0", "device cpu", "device meta", "h_0.to("),
    call("h_0 in float64", GRU2BI, X, z(4, 3, 20).double(), RuntimeError,
         r"same dtype|dtype",
         "h_0", "dtype torch.float32", "dtype torch.float64", "h_0.to(torch.float32)"),
    call("c_0 in float64", LSTM2, X, (z(2, 3, 20), z(2, 3, 20).double()), RuntimeError, r".",
         "c_0", "dtype torch.float32", "dtype torch.float64", "c_0.to(torch.float32)"),
    # --- cells ---
    call("a whole sequence into RNNCell", RNN_CELL, X, None, ValueError,
         r"RNNCell: Expected input to be 1D or 2D, got 3D instead",
         "input", "(N, 10) or (10,)", "(5, 3, 10)", "for x_t in x:"),
    call("a batch of sequences into LSTMCell", LSTM_CELL, X, (z(3, 20), z(3, 20)), ValueError,
         r"LSTMCell: Expected input to be 1D or 2D, got 3D instead",
         "input", "(N, 10) or (10,)", "(5, 3, 10)", "h, c = cell(x_t, (h, c))"),
    call("0-D input into GRUCell", GRU_CELL, torch.tensor(1.0), None, ValueError,
         r"GRUCell: Expected input to be 1D or 2D, got 0D instead",
         "input", "(N, 10) or (10,)", "0-D", "x_t.reshape(1, 1)"),
    call("module-style 3-D state into GRUCell", GRU_CELL, X[0], z(1, 3, 20), ValueError,
         r"GRUCell: Expected hidden to be 1D or 2D, got 3D instead",
         "h", "(3, 20)", "(1, 3, 20)", "h.squeeze(0)"),
    call("module-style 3-D state into RNNCell", RNN_CELL, X[0], z(2, 3, 20), ValueError,
         r"RNNCell: Expected hidden to be 1D or 2D, got 3D instead",
         "h", "(3, 20)", "(2, 3, 20)", "h[-1]"),
    call("module-style 3-D state into LSTMCell", LSTM_CELL, X[0], (z(1, 3, 20), z(1, 3, 20)),
         ValueError, r"LSTMCell: Expected hx\[0\] to be 1D or 2D, got 3D instead",
         "h", "(3, 20)", "(1, 3, 20)", "h.squeeze(0)"),
    call("cell input_size mismatch", GRU_CELL, r(3, 8), None, RuntimeError,
         r"input has inconsistent input_size: got 8 expected 10",
         "input", "(3, 10)", "(3, 8)", "nn.GRUCell(8, 20)"),
    call("cell state for a larger batch", RNN_CELL, X[0], z(4, 20), RuntimeError,
         r"Input batch size 3 doesn't match hidden0 batch size 4",
         "h", "(3, 20)", "(4, 20)", "x_t.size(0)"),
    call("cell state with the wrong hidden size", GRU_CELL, X[0], z(3, 10), RuntimeError,
         r"hidden0 has inconsistent hidden_size: got 10, expected 20",
         "h", "(3, 20)", "(3, 10)", "torch.zeros(3, 20"),
    call("LSTMCell c with the wrong hidden size", LSTM_CELL, X[0], (z(3, 20), z(3, 10)),
         RuntimeError, r"hidden1 has inconsistent hidden_size: got 10, expected 20",
         "c", "(3, 20)", "(3, 10)", "torch.zeros(3, 20"),
    call("LSTMCell c for a larger batch", LSTM_CELL, X[0], (z(3, 20), z(4, 20)), RuntimeError,
         r"Input batch size 3 doesn't match hidden1 batch size 4",
         "c", "(3, 20)", "(4, 20)", "x_t.size(0)"),
    call("batched step, unbatched state", GRU_CELL, X[0], z(20), RuntimeError,
         r"Input batch size 3 doesn't match hidden0 batch size 20",
         "h", "(3, 20)", "(20,)", "h.expand(3, -1)"),
    call("unbatched step, batched state", GRU_CELL, X[0, 0], z(3, 20), RuntimeError,
         r"hidden0 has inconsistent hidden_size: got 3, expected 20",
         "h", "(20,)", "(3, 20)", "h = torch.zeros(20, dtype=x_t.dtype"),
    call("state axes swapped in a cell", GRU_CELL, X[0], z(20, 3), RuntimeError,
         r"Input batch size 3 doesn't match hidden0 batch size 20",
         "h", "(3, 20)", "(20, 3)", "h.t()"),
    call("LSTMCell given h alone", LSTM_CELL, X[0], z(3, 20), TypeError,
         r"lstm_cell\(\): argument 'hx' \(position 2\) must be tuple of Tensors",
         "h", "tuple (h, c)", "(3, 20)", "h, c = cell(x_t, (h, c))"),
    call("LSTMCell given a 1-tuple", LSTM_CELL, X[0], (z(3, 20),), RuntimeError,
         r"lstm_cell expects two hidden states",
         "hx", "tuple (h, c)", "tuple of 1", "h, c = cell(x_t, (h, c))"),
    call("GRUCell given (h, c)", GRU_CELL, X[0], (z(3, 20), z(3, 20)), AttributeError,
         r"'tuple' object has no attribute 'dim'",
         "hx", "one tensor h", "tuple of 2", "h = cell(x_t, h)"),
    call("float64 step into a cell", GRU_CELL, X[0].double(), None, RuntimeError,
         r"same dtype",
         "input", "dtype torch.float32", "dtype torch.float64", "x_t.to(torch.float32)"),
    call("cell input on another device", GRU_CELL, X[0].to("meta"), None, RuntimeError,
         r"device",
         "input", "device cpu", "device meta", ".to(next(module.parameters()).device)"),
    call("RNNCell with an unknown nonlinearity", RNN_CELL_BAD, X[0], None, RuntimeError,
         r"Unknown nonlinearity: sigmoid",
         "nonlinearity", "'tanh' or 'relu'", "'sigmoid'", "nonlinearity='tanh'"),
    # --- pack_padded_sequence (python and C++) ---
    pack("unsorted lengths with enforce_sorted=True", X, [2, 5, 4], {}, RuntimeError,
         r"`lengths` array must be sorted in decreasing order when `enforce_sorted` is True",
         "lengths", "decreasing order", "[2, 5, 4]", "enforce_sorted=False"),
    pack("a zero length", X, [5, 4, 0], {}, RuntimeError,
         r"Length of all samples has to be greater than 0",
         "lengths", "values in 1..5", "[5, 4, 0]", "keep = torch.as_tensor(lengths) > 0"),
    pack("a negative length", X, [5, -1, 4], {"enforce_sorted": False}, RuntimeError,
         r"Length of all samples has to be greater than 0",
         "lengths", "values in 1..5", "[5, -1, 4]", "keep = torch.as_tensor(lengths) > 0"),
    pack("fewer lengths than sequences", X, [5, 4], {}, RuntimeError,
         r"Expected `len\(lengths\)` to be equal to batch_size, but got 2 \(batch_size=3\)",
         "lengths", "(3,)", "(2,)", "len(lengths) == x.size(1)"),
    pack("batch_first=True on a time-first batch", X, [5, 4, 2], {"batch_first": True},
         RuntimeError,
         r"Expected `len\(lengths\)` to be equal to batch_size, but got 3 \(batch_size=5\)",
         "lengths", "(5,)", "(3,)", "batch_first=False"),
    pack("2-D lengths tensor", X, torch.tensor([[5, 4, 2]]), {}, RuntimeError,
         r"'lengths' argument should be a 1D CPU int64 tensor, but got 2D cpu Long tensor",
         "lengths", "(3,) cpu int64", "(1, 3) cpu torch.int64", "lengths.flatten()"),
    pack("one number as lengths", X, 5, {}, RuntimeError,
         r"'lengths' argument should be a 1D CPU int64 tensor, but got 0D cpu Long tensor",
         "lengths", "(3,) list or cpu int64 tensor", "5", "[5] * 3"),
    pack("lengths on the GPU (here: meta)", X, torch.tensor([5, 4, 2], device="meta"), {},
         RuntimeError,
         r"'lengths' argument should be a 1D CPU int64 tensor, but got 1D meta Long tensor",
         "lengths", "(3,) cpu int64", "(3,) meta torch.int64", "lengths.cpu()"),
    pack("1-D batch", r(5), [5], {}, IndexError, r"Dimension out of range",
         "input", "(T, N, *)", "(5,)", "x.view(-1, 1, 1)"),
    Case("pad_packed_sequence with total_length too short",
         lambda: pad_packed_sequence(PACKED, total_length=3), ValueError,
         r"Expected total_length to be at least the length of the longest sequence",
         "total_length", ">= 5 (the longest sequence)", "3", "total_length=5"),
    # --- constructors (RNNBase.__init__, RNN.__init__, GRU.__init__) ---
    ctor("dropout out of range", nn.LSTM, {"dropout": 1.5}, ValueError,
         r"dropout should be a number in range \[0, 1\]",
         "dropout", "a float in [0, 1)", "1.5", "dropout=0.2"),
    ctor("proj_size not smaller than hidden_size", nn.LSTM, {"proj_size": 20}, ValueError,
         r"proj_size has to be smaller than hidden_size",
         "proj_size", "< hidden_size=20", "20", "proj_size=10"),
    ctor("negative proj_size", nn.LSTM, {"proj_size": -1}, ValueError,
         r"proj_size should be a positive integer or zero to disable projections",
         "proj_size", "an integer >= 0", "-1", "proj_size=0"),
    ctor("proj_size on a GRU", nn.GRU, {"proj_size": 5}, ValueError,
         r"proj_size argument is only supported for LSTM, not RNN or GRU",
         "proj_size", "only for nn.LSTM", "5", "use nn.LSTM"),
    ctor("unknown RNN nonlinearity", nn.RNN, {"nonlinearity": "sigmoid"}, ValueError,
         r"Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'.",
         "nonlinearity", "'tanh' or 'relu'", "'sigmoid'", "nonlinearity='tanh'"),
    ctor("hidden_size zero", nn.GRU, {"hidden_size": 0}, ValueError,
         r"hidden_size must be greater than zero", "hidden_size", ">= 1", "0", "hidden_size=1"),
    ctor("input_size zero", nn.LSTM, {"input_size": 0}, ValueError,
         r"input_size must be greater than zero", "input_size", ">= 1", "0", "input_size=1"),
    ctor("num_layers zero", nn.RNN, {"num_layers": 0}, ValueError,
         r"num_layers must be greater than zero", "num_layers", ">= 1", "0", "num_layers=1"),
    ctor("bias not a bool", nn.LSTM, {"bias": 1}, TypeError,
         r"bias should be of type bool, got: int", "bias", "type bool", "1", "bias=True"),
    ctor("hidden_size a float", nn.LSTM, {"hidden_size": 2.0}, TypeError,
         r"hidden_size should be of type int, got: float",
         "hidden_size", "type int", "2.0", "hidden_size=2"),
]  # fmt: skip


@pytest.mark.parametrize("case", ERRORS, ids=[c.desc for c in ERRORS])
def test_torch_raises_it_and_explain_errors_explains_it(case: Case) -> None:
    with pytest.raises(case.exc, match=case.message) as raw:
        case.trigger()
    with pytest.raises(case.exc) as info, explain_errors():
        case.trigger()
    err = info.value
    assert type(err) is case.exc
    assert type(err.__cause__) is case.exc and str(err.__cause__) == str(raw.value)
    d = err.diagnosis
    assert not d.ok
    p = d.problem(case.tensor)
    assert p.expected == case.expected, (p.expected, str(d))
    assert p.actual.startswith(case.actual), (p.actual, str(d))
    assert case.fix in p.fix, (p.fix, str(d))
    text = str(err)
    assert text.startswith(str(raw.value))  # torch's words first, then the explanation
    code = p.fix.splitlines()[0].partition("  # ")[0]  # a long comment goes on its own line
    for piece in (f"{case.tensor}: expected {p.expected}, got {p.actual}", code):
        assert piece in text
    assert p.cause and " ".join(p.cause.split()) in " ".join(text.split())  # wrapped in text
    assert max(len(line) for line in str(d).splitlines()) <= 110, str(d)  # fits a projector


@pytest.mark.parametrize(
    "case", [c for c in ERRORS if c.diag], ids=[c.desc for c in ERRORS if c.diag]
)
def test_diagnose_finds_it_before_running(case: Case) -> None:
    d = case.diag()
    assert not d.ok
    p = d.problem(case.tensor)
    assert (p.expected, p.fix.count(case.fix) > 0) == (case.expected, True), str(d)
    assert p.actual.startswith(case.actual)
    # diagnose also ran the call and kept torch's own message
    assert d.torch_error is not None and d.torch_error.startswith(case.exc.__name__)
    assert d.torch_error.split(": ", 1)[1].startswith(str(_raised(case.trigger)).splitlines()[0])
    html = d._repr_html_()
    assert case.tensor in html and "lx-problems" in html


def _is_pack(case: Case) -> bool:
    return isinstance(case.inputs[-1], dict)


def _scope(case: Case) -> dict[str, Any]:
    """The names a fix may use: the module as ``lstm``/``gru``/``rnn``/``cell`` (and ``module``),
    the input as ``x`` (``x_t`` for a cell), the states as passed (``h_0``/``c_0``, ``h``/``c``,
    ``hx``), ``lengths``; copies, so a fix cannot change the table."""
    import copy

    from torch.nn.utils.rnn import pad_sequence

    scope: dict[str, Any] = {
        "torch": torch,
        "nn": nn,
        "pack_padded_sequence": pack_padded_sequence,
        "pad_packed_sequence": pad_packed_sequence,
        "pad_sequence": pad_sequence,
    }
    if _is_pack(case):
        x, lengths, _kw = case.inputs
        scope.update(x=x.clone() if isinstance(x, torch.Tensor) else x, lengths=copy.copy(lengths))
        return scope
    module, x, hx = case.inputs
    module = copy.deepcopy(module)
    cell = isinstance(module, nn.RNNCellBase)
    var = "cell" if cell else {"LSTM": "lstm", "GRU": "gru"}.get(module.mode, "rnn")
    scope.update({var: module, "module": module, "x": x, "x_t": x})
    names = ("h", "c") if cell else ("h_0", "c_0")
    if isinstance(hx, (tuple, list)):
        scope["hx"] = hx
        scope.update(zip(names, hx, strict=False))
    elif hx is not None:
        scope.update({"hx": hx, names[0]: hx})
    return scope


def _call_again(case: Case, scope: dict[str, Any]) -> None:
    """The case's call, with what the fix left in ``scope``."""
    if _is_pack(case):
        pack_padded_sequence(scope["x"], scope["lengths"], **case.inputs[2])
        return
    module, _x, hx = case.inputs
    cell = isinstance(module, nn.RNNCellBase)
    var = "cell" if cell else {"LSTM": "lstm", "GRU": "gru"}.get(module.mode, "rnn")
    names = ("h", "c") if cell else ("h_0", "c_0")
    if isinstance(hx, (tuple, list)):
        hx = (scope[names[0]], scope[names[1]]) if names[1] in scope else scope["hx"]
    elif hx is not None:
        hx = scope[names[0]]
    x = scope["x_t"] if cell and scope["x_t"] is not case.inputs[1] else scope["x"]
    with torch.no_grad():
        scope[var](x) if hx is None else scope[var](x, hx)


#: the fixes not run: a meta tensor holds no data to move to the CPU
NOT_RUN = ("another device", "on the GPU")
RUN_FIXES = [c for c in ERRORS if c.inputs and not any(s in c.desc for s in NOT_RUN)]


@pytest.mark.parametrize("case", RUN_FIXES, ids=[c.desc for c in RUN_FIXES])
def test_every_fix_runs_and_then_the_call_does(case: Case) -> None:
    """Each problem's fix is executed as written; then the call (as the fix left its names, or
    the call the fix itself makes) must run."""
    d = case.diag()
    scope = _scope(case)
    for p in d.problems:
        code = p.fix
        exec(code, scope)
    module = case.inputs[0]
    if isinstance(module, nn.Module):
        var = "cell" if isinstance(module, nn.RNNCellBase) else None
        var = var or {"LSTM": "lstm", "GRU": "gru"}.get(module.mode, "rnn")
        if any(f"{var}(x" in p.fix for p in d.problems):
            return  # the fix makes the call itself
    elif any("pack_padded_sequence(x" in p.fix for p in d.problems):
        return
    _call_again(case, scope)


def _raised(f: Callable[[], Any]) -> BaseException:
    try:
        f()
    except Exception as exc:
        return exc
    raise AssertionError("did not raise")


#: raise sites in torch's source a user's call of a layer, a cell or packing cannot reach
OUT_OF_SCOPE = {
    "Unrecognized RNN mode: ": "mode is fixed by the subclass (nn.RNN/LSTM/GRU)",
    "batch_sizes should always be on CPU. ": "only a PackedSequence built by hand",
    "pad_sequence: Expected iterable for ": "pad_sequence, not a recurrent layer",
}


@pytest.mark.parametrize("source", ["nn/modules/rnn.py", "nn/utils/rnn.py"])
def test_every_raise_in_torch_source_is_in_the_table(source: str) -> None:
    """Every ValueError/RuntimeError raised in torch's rnn sources is a row of ERRORS."""
    import re
    from pathlib import Path

    src = (Path(torch.__file__).parent / source).read_text()
    fragments = re.findall(
        r'raise (?:ValueError|RuntimeError)\(\s*(?:msg\.format|f?"([^"{]{12,}))', src
    )
    msgs = re.findall(r'msg = \(\s*f?"([^"{]{12,})', src)  # raise RuntimeError(msg) sites
    found = [f for f in fragments + msgs if f]
    assert len(found) >= (10 if source.startswith("nn/modules") else 3)
    table = [re.sub(r"\\", "", c.message) for c in ERRORS]
    skip = tuple(OUT_OF_SCOPE)
    missing = [
        f for f in found if not f.startswith(skip) and not any(f.strip()[:24] in m for m in table)
    ]
    assert not missing, missing


def test_lengths_longer_than_t_pack_silently_then_the_layer_raises() -> None:
    packed = pack_padded_sequence(X, [7, 4, 2])  # X: T=5; torch packs without a word...
    assert packed.batch_sizes.tolist() == [3, 3, 2, 2, 1, 1, 1]  # 7 steps, 13 rows claimed
    assert packed.batch_sizes.sum() == 13 and packed.data.size(0) == 11  # ...but 11 rows kept
    with pytest.raises(RuntimeError, match=r"exceeds dimension size \(11\)"):
        GRU2BI(packed)  # ...and the layer reading it raises
    d = diagnose_pack(X, [7, 4, 2])
    p = d.problem("lengths")
    assert p.kind == "error" and p.actual == "[7, 4, 2]" and "clamp(max=x.size(0))" in p.fix
    assert "batch_sizes [3, 3, 2, 2, 1, 1, 1] (13 rows in all)" in p.cause
    assert "data of only the 11 rows x has" in p.cause and "past the end" not in p.cause
    assert d.torch_error is None  # packing itself raises nothing
    # the whole call: diagnosed before running, then torch's own error is recorded (on the CPU)
    d = diagnose(GRU2BI, X, lengths=[7, 4, 2])
    assert d.problem("lengths").kind == "error"
    assert d.torch_error == "RuntimeError: start (11) + length (1) exceeds dimension size (11)."
    # given the PackedSequence itself, diagnose and explain_errors see the inconsistency
    p = diagnose(GRU2BI, packed).problem("input")
    assert p.expected == "data with sum(batch_sizes) = 13 rows" and p.actual == "data (11, 10)"
    with pytest.raises(RuntimeError) as info, explain_errors():
        GRU2BI(packed)
    assert info.value.diagnosis.problem("input").cause.startswith(
        "the PackedSequence's batch_sizes [3, 3, 2, 2, 1, 1, 1] add up to 13 rows but its data "
        "holds 11"
    )


def test_fractional_lengths_are_flagged() -> None:
    d = diagnose_pack(X, torch.tensor([5.0, 3.5, 2.0]))
    assert d.problem("lengths").kind == "silent"
    assert diagnose_pack(X, torch.tensor([5.0, 3.0, 2.0])).ok


def test_explain_errors_leaves_other_errors_alone_and_removes_its_hooks() -> None:
    from torch.nn.modules import module as torch_module

    before = dict(torch_module._global_forward_pre_hooks)
    lin = nn.Linear(4, 2)
    with pytest.raises(RuntimeError) as info, explain_errors():
        out, _h = GRU2BI(X)  # runs fine
        lin(out)  # a Linear's error, not the GRU's
    assert not hasattr(info.value, "diagnosis")
    assert info.value.__cause__ is None
    assert torch_module._global_forward_pre_hooks == before
    with explain_errors():
        out, _ = GRU2BI(X)
    assert out.shape == (5, 3, 40)


def test_explain_errors_finds_the_failing_layer_inside_a_model_and_keyword_hx() -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = nn.GRU(10, 20, batch_first=True)
            self.dec = nn.LSTM(20, 20, num_layers=2)

        def forward(self, x):
            out, h = self.enc(x)
            return self.dec(out, hx=(h, h))  # h is (1, N, 20): one layer too few

    with pytest.raises(RuntimeError) as info, explain_errors():
        Model()(r(3, 5, 10))
    d = info.value.diagnosis
    assert d.call.startswith("lstm = nn.LSTM(20, 20, num_layers=2)")
    p = d.problem("h_0")
    assert (p.expected, p.actual) == ("(2, 5, 20)", "(1, 3, 20)")


def test_diagnose_correct_calls_are_ok() -> None:
    assert diagnose(GRU2BI, X).ok
    assert diagnose(LSTM2BI, X, (z(4, 3, 20), z(4, 3, 20))).ok
    assert diagnose(LSTM_PROJ, r(5, 10), (z(1, 5), z(1, 20))).ok
    assert diagnose(GRU2BI, X, lengths=[2, 5, 4], enforce_sorted=False).ok
    assert diagnose(GRU2BI, PACKED_UNSORTED, z(4, 3, 20)).ok
    assert diagnose(LSTM_CELL, X[0], (z(3, 20), z(3, 20))).ok
    assert diagnose(GRU_CELL, X[0, 0], z(20)).ok
    d = diagnose(GRU2BI, X, z(4, 3, 20))
    assert d.torch_error is None and "✓ no problem found" in str(d)
    assert [a.name for a in d.arguments] == ["input", "h_0"]
    assert d.arguments[1].why.startswith("(L*D, N, H): L=2 layers x D=2 (bidirectional) = 4")


def test_diagnose_rejects_what_is_not_a_recurrent_layer() -> None:
    with pytest.raises(ValueError, match=r"module must be nn\.RNN"):
        diagnose(nn.Linear(3, 4), X)


def test_batch_first_h0_that_happens_to_fit_gets_a_note_not_a_problem() -> None:
    gru = nn.GRU(10, 20, num_layers=2, bidirectional=True, batch_first=True)
    d = diagnose(gru, r(4, 5, 10), z(4, 4, 20))
    assert d.ok and any("fits both readings" in n for n in d.notes)


# --- check_summary: the silent traps ------------------------------------------------------------


def _run(module, x, hx=None):
    with torch.no_grad():
        return module(x) if hx is None else module(x, hx)


def _padded(L=(6, 3, 5), bf=False, H_in=10, T=6):
    x = r(len(L), T, H_in) if bf else r(T, len(L), H_in)
    for i, n in enumerate(L):
        if bf:
            x[i, n:] = 0
        else:
            x[n:, i] = 0
    return x, list(L)


def test_trap_out_last_step_of_a_packed_batch() -> None:
    lstm = nn.LSTM(10, 8, batch_first=True).eval()
    x, L = _padded(bf=True)
    packed = pack_padded_sequence(x, L, batch_first=True, enforce_sorted=False)
    out, (h_n, _) = _run(lstm, packed)
    out, _ = pad_packed_sequence(out, batch_first=True)
    d = check_summary(lstm, packed, out[:, -1])
    p = d.problem("summary")
    assert p.kind == "trap" and "zero padding" in p.cause and "final_hidden" in p.fix
    assert check_summary(lstm, packed, h_n[-1]).ok
    assert check_summary(lstm, packed, last_valid_output(out, L, batch_first=True)).ok


def test_trap_unpacked_padded_batch_feeds_padding_into_h_n() -> None:
    gru = nn.GRU(10, 8).eval()
    x, L = _padded()
    out, h_n = _run(gru, x)
    d = check_summary(gru, x, h_n[-1], lengths=L)
    assert "read the padding" in d.problem("summary").cause
    d = check_summary(gru, x, out[-1], lengths=L)
    assert "read the padding" in d.problem("summary").cause
    # unpacked, out[-1] and h_n[-1] hold the same values: the cause names both
    assert d.problem("summary").cause.startswith("this is out[-1], which equals h_n[-1] here: ")
    text = str(d)  # right shape, wrong values: the headline says so instead of "expected X, got X"
    assert "1. summary: shape (3, 8) is right, the values are not (trap)" in text
    assert "expected (3, 8), got (3, 8)" not in text and "is right, the values" in d._repr_html_()
    right = last_valid_output(out, L)  # unidirectional: the last valid step has seen no padding
    d = check_summary(gru, x, right, lengths=L)
    assert d.ok and any("right" in n for n in d.notes)


def test_trap_bidirectional_last_step_and_h_n_minus_one() -> None:
    lstm = nn.LSTM(10, 8, num_layers=2, bidirectional=True).eval()
    out, (h_n, c_n) = _run(lstm, X)
    assert (
        "backward half has read one step only"
        in check_summary(lstm, X, out[-1]).problem("summary").cause
    )
    p = check_summary(lstm, X, h_n[-1]).problem("summary")
    assert "backward direction only" in p.cause and p.expected == "(3, 16)" and p.actual == "(3, 8)"
    assert "forward direction only" in check_summary(lstm, X, h_n[-2]).problem("summary").cause
    assert "first layer" in check_summary(lstm, X, h_n[0]).problem("summary").cause
    assert "cell state" in check_summary(lstm, X, c_n[-1]).problem("summary").cause
    assert not check_summary(lstm, X, torch.cat([c_n[-2], c_n[-1]], 1)).ok
    assert check_summary(lstm, X, torch.cat([h_n[-2], h_n[-1]], 1)).ok
    assert check_summary(lstm, X, final_hidden(h_n, 2, True)).ok


def test_trap_bidirectional_packed_last_valid_output() -> None:
    gru = nn.GRU(10, 8, bidirectional=True).eval()
    x, L = _padded()
    packed = pack_padded_sequence(x, L, enforce_sorted=False)
    out, h_n = _run(gru, packed)
    out, _ = pad_packed_sequence(out)
    d = check_summary(gru, packed, last_valid_output(out, L))
    assert "backward half has read one step only" in d.problem("summary").cause
    assert check_summary(gru, packed, final_hidden(h_n, 1, True)).ok


def test_trap_dropout_with_one_layer_and_c_n() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lstm = nn.LSTM(10, 8, dropout=0.3).eval()
    _out, (h_n, c_n) = _run(lstm, X)
    d = check_summary(lstm, X, h_n[-1])
    assert [p.tensor for p in d.problems] == ["dropout"]
    assert d.problem("dropout").kind == "trap"
    assert "cell state" in check_summary(lstm, X, c_n[-1]).problem("summary").cause


def test_unbatched_and_bidirectional_wrong_width() -> None:
    gru = nn.GRU(10, 8, bidirectional=True).eval()
    x = r(5, 10)
    out, h_n = _run(gru, x)
    assert check_summary(gru, x, torch.cat([h_n[-2], h_n[-1]])).ok
    p = check_summary(gru, x, out[-1, 8:]).problem("summary")
    assert p.expected == "(16,)" and "2 * H_out" in p.cause


@st.composite
def correct_calls(draw):
    mode = draw(st.sampled_from(["RNN", "LSTM", "GRU"]))
    layers = draw(st.integers(1, 3))
    bi = draw(st.booleans())
    bf = draw(st.booleans())
    proj = draw(st.sampled_from([0, 3])) if mode == "LSTM" else 0
    dropout = draw(st.sampled_from([0.0, 0.5])) if layers > 1 else 0.0
    kind = draw(st.sampled_from(["plain", "packed", "padded", "unbatched"]))
    N = draw(st.integers(1, 4))
    T = draw(st.integers(1, 5))
    lengths = draw(st.lists(st.integers(1, T), min_size=N, max_size=N))
    with_hx = draw(st.booleans())
    how = draw(st.sampled_from(["final_hidden", "cat", "last_valid"]))
    training = draw(st.booleans())
    return mode, layers, bi, bf, proj, dropout, kind, N, T, lengths, with_hx, how, training


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(correct_calls())
def test_check_summary_never_flags_a_correct_call(call) -> None:
    mode, layers, bi, bf, proj, dropout, kind, N, T, lengths, with_hx, how, training = call
    cls = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[mode]
    kw = {"proj_size": proj} if proj else {}
    m = cls(4, 6, num_layers=layers, bidirectional=bi, batch_first=bf, dropout=dropout, **kw)
    m.train(training)
    D, H_out = (2 if bi else 1), (proj or 6)
    if kind == "unbatched":
        x = r(T, 4)
        hx_shape: tuple[int, ...] = (layers * D, H_out)
        c_shape: tuple[int, ...] = (layers * D, 6)
    else:
        x = r(N, T, 4) if bf else r(T, N, 4)
        hx_shape, c_shape = (layers * D, N, H_out), (layers * D, N, 6)
    hx = None
    if with_hx:
        hx = (r(*hx_shape), r(*c_shape)) if mode == "LSTM" else r(*hx_shape)
    lens = lengths if kind in ("packed", "padded") else None
    if kind == "padded" and (bi or how != "last_valid"):
        kind = "packed"  # an unpacked padded batch has a right summary only for D=1
    was = m.training
    m.eval()  # check_summary compares in eval mode; so must the user's own summary
    with torch.no_grad():
        inp = (
            pack_padded_sequence(x, lens, batch_first=bf, enforce_sorted=False)
            if kind == "packed"
            else x
        )
        out, state = m(inp) if hx is None else m(inp, hx)
    m.train(was)
    h_n = state[0] if mode == "LSTM" else state
    if kind == "packed":
        out, _ = pad_packed_sequence(out, batch_first=bf, total_length=T)
    if kind == "unbatched":
        summary = torch.cat([h_n[-2], h_n[-1]]) if bi else h_n[-1]
    elif how == "last_valid" and not bi:
        L = lens if lens is not None else [T] * N
        summary = last_valid_output(out, L, batch_first=bf)
    elif how == "cat" and bi:
        summary = torch.cat([h_n[-2], h_n[-1]], dim=1)
    else:
        summary = final_hidden(h_n, layers, bi)
    d = check_summary(m, inp, summary, lengths=lens if kind == "padded" else None, hx=hx)
    assert d.ok, str(d)
    assert d.problems == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(correct_calls())
def test_diagnose_never_flags_a_correct_call(call) -> None:
    mode, layers, bi, bf, proj, dropout, kind, N, T, lengths, with_hx, _how, _tr = call
    cls = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[mode]
    kw = {"proj_size": proj} if proj else {}
    m = cls(4, 6, num_layers=layers, bidirectional=bi, batch_first=bf, dropout=dropout, **kw)
    D, H_out = (2 if bi else 1), (proj or 6)
    if kind == "unbatched":
        x, hs, cs = r(T, 4), (layers * D, H_out), (layers * D, 6)
    else:
        x = r(N, T, 4) if bf else r(T, N, 4)
        hs, cs = (layers * D, N, H_out), (layers * D, N, 6)
    hx = ((z(*hs), z(*cs)) if mode == "LSTM" else z(*hs)) if with_hx else None
    lens = lengths if kind in ("packed", "padded") else None
    d = diagnose(m, x, hx, lengths=lens, enforce_sorted=False)
    assert d.ok and d.torch_error is None, str(d)


# --- rendering and CLI -----------------------------------------------------------------------


def test_text_and_html_rendering() -> None:
    d = diagnose(GRU2BI, X, z(3, 4, 20))
    text = str(d)
    assert "h_0: expected (4, 3, 20), got (3, 4, 20)" in text
    assert "fix:   h_0 = h_0.transpose(0, 1).contiguous()" in text
    assert "torch says: RuntimeError: Expected hidden size (4, 3, 20), got [3, 4, 20]" in text
    html = d._repr_html_()
    assert "<code class='lx-bad' style='white-space:nowrap;color:#cf222e'>(3, 4, 20)</code>" in html
    assert "h_0 = h_0.transpose(0, 1).contiguous()" in html
    assert d.to_dict()["problems"][0]["tensor"] == "h_0"
    assert repr(d).startswith("<Diagnosis gru = nn.GRU(10, 20, num_layers=2, bidirectional=True)")


def test_call_header_names_the_state_as_passed() -> None:
    assert diagnose(LSTM2, X, z(2, 3, 20)).call.endswith("lstm(x, h_0)")
    assert diagnose(LSTM2, X, (z(2, 3, 20), z(2, 3, 20))).call.endswith("lstm(x, (h_0, c_0))")
    assert diagnose(LSTM2, X, (z(2, 3, 20),)).call.endswith("lstm(x, (h_0,))")
    assert diagnose(GRU2BI, X, (z(4, 3, 20),) * 2).call.endswith("gru(x, (h_0, c_0))")
    assert diagnose(LSTM_CELL, X[0], z(3, 20)).call.endswith("cell(x_t, h)")
    assert diagnose(GRU_CELL, X[0]).call.endswith("cell(x_t)")


def test_text_uses_t_n_h_in_and_stays_narrow() -> None:
    d = diagnose(nn.LSTM(100, 20, num_layers=2, bidirectional=True, batch_first=True),
                 r(3, 10, 100), (z(3, 4, 20), z(3, 4, 20)))  # fmt: skip
    text = str(d)
    assert "why: batch_first=True: (N, T, H_in)" in text and "seq_len" not in text
    assert "why: (L*D, N, H): L=2 layers x D=2 (bidirectional) = 4, N=3 from input axis 0" in text
    assert max(len(line) for line in text.splitlines()) <= 110, text


def test_cell_loop_fix_starts_from_a_zero_state() -> None:
    fix = diagnose(GRU_CELL, X).problem("input").fix
    assert fix.splitlines()[0].startswith("h = torch.zeros(3, 20, dtype=x.dtype")
    fix = diagnose(LSTM_CELL, X).problem("input").fix
    assert fix.splitlines()[:2] == [
        "h = torch.zeros(3, 20, dtype=x.dtype, device=x.device)  # (N, H)",
        "c = torch.zeros_like(h)",
    ]
    scope = {"torch": torch, "x": X, "cell": LSTM_CELL}
    exec(fix, scope)  # the suggested code runs as written
    assert scope["h"].shape == (3, 20)


def test_cli_diagnose_exit_codes(capsys) -> None:
    base = ["diagnose", "--mode", "lstm", "--input-size", "100", "--hidden-size", "20"]
    bad = [*base, "--num-layers", "2", "--bidirectional", "--input-shape", "3,10,100"]
    assert cli.main([*bad, "--h0-shape", "3,4,20"]) == 1
    out = capsys.readouterr().out
    assert "h_0: expected tuple (h_0, c_0)" in out and "batch-first" in out
    assert cli.main([*bad, "--h0-shape", "4,10,20", "--c0-shape", "4,10,20"]) == 0
    assert "✓ no problem found" in capsys.readouterr().out
    assert cli.main([*base, "--input-shape", "10,3,100", "--lengths", "10,4,7"]) == 1
    assert "enforce_sorted=False" in capsys.readouterr().out
    ok = [*base, "--input-shape", "10,3,100", "--lengths", "10,4,7", "--no-enforce-sorted"]
    assert cli.main(ok) == 0
    capsys.readouterr()
    assert cli.main([*base, "--input-shape", "10,x"]) == 2
    assert cli.main([*base, "--input-shape", "3,10,100", "--dropout", "2"]) == 2
    assert cli.main(["diagnose", "--mode", "gru", "--input-size", "3", "--hidden-size", "4",
                     "--input-shape", "5,3", "--h0-shape", "1,4", "--c0-shape", "1,4"]) == 2  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(e.startswith("lstm-explain: error:") for e in err)
    assert "--c0-shape is only for LSTM" in err[-1]


def test_cli_diagnose_subprocess() -> None:
    cmd = [sys.executable, "-m", "lstm_explain", "diagnose", "--mode", "gru", "--input-size", "10",
           "--hidden-size", "20", "--num-layers", "2", "--bidirectional", "--batch-first",
           "--input-shape", "3,5,10", "--h0-shape", "3,4,20"]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    assert "batch_first=True was assumed to apply to h_0" in res.stdout
    assert "h_0 = h_0.transpose(0, 1).contiguous()  # (3, 4, 20) -> (4, 3, 20)" in res.stdout


def test_lstm_explain_diagnose_is_callable_in_every_import_order() -> None:
    code = (
        "import torch, lstm_explain\n"
        "from lstm_explain import check_summary, diagnose\n"  # check_summary imports the submodule
        "d = diagnose(torch.nn.GRU(3, 4), torch.zeros(2, 5, 3), torch.zeros(2, 4))\n"
        "assert not d.ok and lstm_explain.diagnose(torch.nn.GRU(3, 4), torch.zeros(2, 3)).ok\n"
        "from lstm_explain.diagnosis import diagnose_pack\n"
        "print(type(d).__name__)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "Diagnosis"


@pytest.mark.parametrize(
    "module, x, hx, lengths, tensor",
    [
        (GRU2BI, X, None, 5, "lengths"),
        (GRU2BI, X, None, torch.tensor(5), "lengths"),
        (GRU2BI, [1.0, 2.0], None, None, "input"),
        (GRU2BI, X, "h", None, "hx"),
        (LSTM2, X, (z(2, 3, 20), "c"), None, "c_0"),
        (LSTM_CELL, X[0], "h", None, "hx"),
        (GRU_CELL, [1.0], None, None, "input"),
        (GRU2BI, PACKED, None, [5, 4, 2], "lengths"),
    ],
)
def test_odd_arguments_get_a_problem_with_a_fix(module, x, hx, lengths, tensor) -> None:
    d = diagnose(module, x, hx, lengths=lengths)
    assert not d.ok
    assert d.problem(tensor).fix
    assert all(p.fix and p.cause and p.expected and p.actual for p in d.problems)


# --- constructors: every suggested fix constructs the module ---------------------------------

#: wrong constructor arguments: strings of ints, floats for ints, ints for bools, negative and
#: zero sizes, dropout out of range or of the wrong type, proj_size too large / negative / on a
#: GRU or RNN, an unknown nonlinearity; several at once
CTOR_MISTAKES: list[dict[str, Any]] = [
    {"input_size": "10"},
    {"hidden_size": "20"},
    {"input_size": 10.0},
    {"hidden_size": 20.0},
    {"hidden_size": 20 / 3},
    {"input_size": -10},
    {"hidden_size": -20},
    {"input_size": 0},
    {"hidden_size": 0},
    {"input_size": None},
    {"num_layers": 0},
    {"num_layers": -2},
    {"num_layers": "2"},
    {"num_layers": 2.0},
    {"bias": 1},
    {"bias": 0},
    {"bias": "False"},
    {"batch_first": 1},
    {"batch_first": 0},
    {"batch_first": "True"},
    {"batch_first": None},
    {"dropout": 1.5},
    {"dropout": -0.1},
    {"dropout": 20},
    {"dropout": "0.3"},
    {"dropout": True},
    {"dropout": None},
    {"proj_size": 20},
    {"proj_size": 25},
    {"proj_size": -1},
    {"proj_size": "5"},
    {"proj_size": 5.0},
    {"proj_size": 5},
    {"nonlinearity": "sigmoid"},
    {"nonlinearity": "ReLU"},
    {"input_size": "10", "batch_first": 1},
    {"hidden_size": 20.0, "dropout": 2, "num_layers": 2},
    {"bias": 1, "bidirectional": "yes"},
]
CTORS = (nn.RNN, nn.LSTM, nn.GRU, nn.RNNCell, nn.LSTMCell, nn.GRUCell)
_CELL_KW = ("input_size", "hidden_size", "bias", "nonlinearity")


def _ctor_cases() -> list[tuple[type, dict[str, Any]]]:
    cases = []
    for cls in CTORS:
        for kw in CTOR_MISTAKES:
            if cls.__name__.endswith("Cell") and any(k not in _CELL_KW for k in kw):
                continue
            if "nonlinearity" in kw and cls not in (nn.RNN, nn.RNNCell):
                continue
            if kw.get("proj_size") == 5 and cls is nn.LSTM:
                continue  # right for an LSTM
            cases.append((cls, kw))
    return cases


def _construct(cls: type, kw: dict[str, Any]) -> nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(**{"input_size": 10, "hidden_size": 20, **kw})


@pytest.mark.parametrize(
    "cls, kw", _ctor_cases(), ids=[f"{c.__name__}-{kw}" for c, kw in _ctor_cases()]
)
def test_every_constructor_fix_constructs_the_module(cls: type, kw: dict[str, Any]) -> None:
    try:
        _construct(cls, kw)
    except (TypeError, ValueError, RuntimeError):
        pass
    else:  # torch accepts it (a cell's bias=1, RNNCell's nonlinearity until called)
        return
    with pytest.raises((TypeError, ValueError, RuntimeError)) as info, explain_errors():
        _construct(cls, kw)
    d = info.value.diagnosis
    (p,) = d.problems
    assert p.tensor in kw, (p.tensor, kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        made = [eval(p.fix.split("  # ")[0], {"torch": torch, "nn": nn})]  # the fix as written
    assert type(made[0]) is cls, p.fix
    rnn = cls in (nn.RNN, nn.LSTM, nn.GRU)
    for k, v in kw.items():  # a string or float of a whole number keeps its value
        if k in ("input_size", "hidden_size") and isinstance(v, (str, float)):
            assert getattr(made[0], k) == int(float(v)) or not float(v).is_integer(), p.fix
        if k in ("bias", "batch_first") and isinstance(v, int) and rnn:
            assert getattr(made[0], k) is bool(v), p.fix


def test_constructor_fix_text() -> None:
    def fix(cls: type, **kw: Any) -> str:
        with pytest.raises((TypeError, ValueError, RuntimeError)) as info, explain_errors():
            _construct(cls, kw)
        return info.value.diagnosis.problems[0].fix

    assert fix(nn.LSTM, input_size="10") == "nn.LSTM(input_size=10, hidden_size=20)"
    assert fix(nn.GRU, batch_first=1) == "nn.GRU(10, 20, batch_first=True)"
    assert fix(nn.RNN, bias=0) == "nn.RNN(10, 20, bias=False)"
    assert fix(nn.GRU, proj_size=5) == (
        "nn.GRU(10, 20)  # drop proj_size, or use nn.LSTM(10, 20, proj_size=5)"
    )
    assert fix(nn.LSTMCell, hidden_size=-20) == "nn.LSTMCell(10, hidden_size=20)"


def test_bidirectional_summary_in_another_order_or_layout_is_not_a_trap() -> None:
    for bf in (False, True):
        gru = nn.GRU(10, 8, num_layers=2, bidirectional=True, batch_first=bf).eval()
        x = r(3, 5, 10) if bf else X
        _out, h_n = _run(gru, x)
        N = 3
        right = [
            torch.cat([h_n[-1], h_n[-2]], dim=1),  # backward first
            h_n[-2:].transpose(0, 1).reshape(N, -1),  # = final_hidden
            h_n[-2:].permute(1, 0, 2).reshape(N, -1),
            h_n.view(2, 2, N, 8)[-1],  # (D, N, H)
            h_n.view(2, 2, N, 8)[-1].transpose(0, 1),  # (N, D, H)
            h_n[-2:].flip(0),
            h_n[-1] + h_n[-2],
        ]
        for s in right:
            d = check_summary(gru, x, s)
            assert d.ok, str(d)
        assert any("backward direction first" in n for n in check_summary(gru, x, right[0]).notes)
        assert "transpose(0, 1).reshape(N, -1)" in check_summary(gru, x, right[3]).notes[0]
        # still traps: one direction, a reshape that mixes the directions, another layer
        for s in (h_n[-1], h_n[-2:].reshape(N, -1), torch.cat([h_n[0], h_n[1]], dim=1)):
            assert not check_summary(gru, x, s).ok
    lstm = nn.LSTM(10, 8, bidirectional=True).eval()
    x = r(5, 10)  # unbatched
    _out, (h_n, _c) = _run(lstm, x)
    assert check_summary(lstm, x, torch.cat([h_n[-1], h_n[-2]])).ok


def test_batch_major_input_to_a_time_major_layer_is_flagged_where_the_evidence_allows() -> None:
    gru = nn.GRU(8, 5)
    x = r(4, 6, 8)  # (N, T, H_in) = 4 sequences of 6 steps, into a time-first layer
    assert diagnose(gru, x).ok  # the shapes fit: nothing to go on
    d = diagnose(gru, x, batch=4)  # a known batch size tells the layouts apart
    p = d.problem("input")
    assert p.kind == "trap" and "batch=4" in p.cause and "batch_first=True" in p.fix
    assert d.torch_error is None  # nothing raises
    scope = {"torch": torch, "nn": nn, "x": x, "gru": gru}
    exec(p.fix, scope)
    assert diagnose(scope["gru"], scope["x"], batch=4).ok
    assert diagnose(GRU2BI, X, batch=3).ok  # (T, N, H_in) with N=3: right
    assert any("matches no axis" in n for n in diagnose(GRU2BI, X, batch=7).notes)
    # with lengths: diagnose (packing checks the count) and check_summary (which ran unpacked)
    lengths = [6, 5, 3, 2]
    assert "batch_first" in diagnose(gru, x, lengths=lengths).problem("lengths").cause
    _, h_n = _run(gru, x)
    d = check_summary(gru, x, h_n[-1], lengths=lengths)
    p = d.problem("input")
    assert p.kind == "trap" and "batch-first (N, T, H_in)" in p.cause
    assert "batch_first=True" in p.fix
    p = check_summary(RNN, X, _run(RNN, X)[1][-1], lengths=[5, 9]).problem("lengths")
    assert p.expected == "3 lengths in 1..5"
