"""Real wrong calls of recurrent layers, from public issue threads and Q&A pages.

Every ``ErrorCase`` holds:

- ``source``: where the call comes from (issue or page URL, or repository and path);
- ``setup``: code that builds the module and the inputs, with the names the fixes use:
  ``lstm`` / ``gru`` / ``rnn`` / ``cell`` for the module, ``x`` (``x_t`` for a cell) for the
  input, ``h_0`` / ``c_0`` (``h`` / ``c`` for a cell) for the states. Sizes are reduced where the
  original ones only cost time; the shape relations of the original are kept;
- ``call``: the wrong call as the user wrote it;
- ``tensor``, ``keywords``: the expected cause: the ``tensor`` field of the problem and words its
  ``cause`` must contain (case-insensitive);
- ``fixed_call``: the call after the fix when the fix changes the call's form (e.g. a tuple
  ``(h_0, c_0)`` instead of ``h_0``); otherwise the original call is made again;
- ``xfail``: a known gap (issue 13), run as a strict xfail.

``CTOR_CASES``: constructor mistakes, explained by ``explain_errors()``.
``SUMMARY_CASES``: silent traps checked by ``check_summary``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ErrorCase:
    id: str
    source: str
    setup: str
    call: str
    tensor: str
    keywords: tuple[str, ...]
    kind: str = "error"
    fixed_call: str = ""
    #: an expression that must hold in the namespace after the fix (e.g. the module's settings)
    check: str = ""
    xfail: str = ""


# PyTorch's own argument checks: test/test_nn.py, TestNN.test_rnn_args_check (input_size=3,
# hidden_size=5, num_layers=2, batch_size=4, seq_len=6, bad_size=7; for LSTM one of h_0 / c_0 is
# the bad one and the other correct).
_TEST_NN = "pytorch/pytorch test/test_nn.py (TestNN.test_rnn_args_check)"

CASES: list[ErrorCase] = [
    ErrorCase(
        "missing_c0",
        "https://github.com/pytorch/pytorch/issues/45437",
        "lstm = nn.LSTM(hidden_size=10, input_size=1, batch_first=True)\n"
        "x = torch.zeros(2, 10, 1)\n"
        "h_0 = torch.zeros(1, 2, 10)",
        "lstm(x, h_0)",
        "h_0",
        ("tuple", "c_0"),
        fixed_call="lstm(x, (h_0, c_0))",
    ),
    ErrorCase(
        "h0_without_layer_axis",
        "https://github.com/pytorch/pytorch/pull/3925 (comment: 'Expected hidden[0] size "
        "(1, 64, 256), got (64, 256)')",
        "lstm = nn.LSTM(32, 256, batch_first=True)\n"
        "x = torch.randn(64, 5, 32)\n"
        "h_0 = torch.zeros(64, 256)\n"
        "c_0 = torch.zeros(64, 256)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("no layer axis",),
    ),
    ErrorCase(
        "batched_input_2d_states_2_layers",
        "https://github.com/dion-jy/lstm-vae-torch/issues/2 ('For batched 3-D input, hx and cx "
        "should also be 3-D but got (2-D, 2-D) tensors'; hidden = (h_, h_) of a (batch, hidden) "
        "latent)",
        "lstm = nn.LSTM(8, 16, num_layers=2, batch_first=True)\n"
        "x = torch.randn(4, 6, 8)\n"
        "h_0 = torch.randn(4, 16)\n"
        "c_0 = h_0",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("no layer axis",),
    ),
    ErrorCase(
        "h0_in_batch_first_layout",
        "https://github.com/hunkim/PyTorchZeroToAll/issues/16 (a tutorial comment said h_0 is "
        "(batch, num_layers * num_directions, hidden_size) for batch_first=True)",
        "rnn = nn.RNN(input_size=4, hidden_size=2, batch_first=True)\n"
        "x = torch.randn(3, 5, 4)\n"
        "h_0 = torch.zeros(3, 1, 2)",
        "rnn(x, h_0)",
        "h_0",
        ("batch_first",),
    ),
    ErrorCase(
        "bilstm_batch_major_input_time_major_layer",
        "https://programmerah.com/runtimeerror-expected-hidden0-size-x-x-x-gotx-x-x-39265/ "
        "(2-layer BiLSTM, batch 4, seq_len 10, input 300, hidden 100, batch_first missing; "
        "feature sizes reduced)",
        "lstm = nn.LSTM(30, 10, num_layers=2, bidirectional=True)\n"
        "x = torch.randn(4, 10, 30)\n"
        "h_0 = torch.zeros(4, 4, 10)\n"
        "c_0 = torch.zeros(4, 4, 10)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("batch_first",),
    ),
    ErrorCase(
        "decoder_more_layers_than_state",
        "https://github.com/aladdinpersson/Machine-Learning-Collection/issues/110 ('Expected "
        "hidden[0] size (2, 1, 1024), got [1, 1, 1024]'; hidden size reduced)",
        "lstm = nn.LSTM(16, 64, num_layers=2)\n"
        "x = torch.randn(3, 1, 16)\n"
        "h_0 = torch.zeros(1, 1, 64)\n"
        "c_0 = torch.zeros(1, 1, 64)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("layers x directions", "l=2"),
    ),
    ErrorCase(
        "seq2seq_decoder_nlayers_2",
        "https://github.com/wasiahmad/context_attentive_ir/issues/10 ('Expected hidden[0] size "
        "(2, 8, 512), got (1, 8, 512)'; hidden size reduced)",
        "lstm = nn.LSTM(32, 64, num_layers=2, batch_first=True)\n"
        "x = torch.randn(8, 1, 32)\n"
        "h_0 = torch.zeros(1, 8, 64)\n"
        "c_0 = torch.zeros(1, 8, 64)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("layers x directions",),
    ),
    ErrorCase(
        "bigru_state_4d",
        "https://github.com/timbmg/Sentence-VAE/issues/35 ('Expected hidden size (2, 10, 256), "
        "got [1, 2, 10, 256]'; hidden size reduced)",
        "gru = nn.GRU(16, 32, bidirectional=True, batch_first=True)\n"
        "x = torch.randn(10, 1, 16)\n"
        "h_0 = torch.randn(1, 2, 10, 32)",
        "gru(x, h_0)",
        "h_0",
        ("3-d",),
    ),
    ErrorCase(
        "gru_state_of_a_bidirectional_model",
        "https://github.com/pytorch/pytorch/issues/3259 (GRU(4, 5, 2) given a state with more "
        "rows than num_layers; 2 * num_layers rows here)",
        "gru = nn.GRU(4, 5, 2)\nx = torch.randn(10, 3, 4)\nh_0 = torch.randn(4, 3, 5)",
        "gru(x, h_0)",
        "h_0",
        ("bidirectional",),
    ),
    ErrorCase(
        "wrong_input_size_and_2d_states",
        "https://github.com/pytorch/pytorch/issues/5860 (LSTM(3, 2), hidden of (3, 2) tensors, "
        "input randn(6, 4, 5))",
        "lstm = nn.LSTM(3, 2)\n"
        "x = torch.randn(6, 4, 5)\n"
        "h_0 = torch.zeros(3, 2)\n"
        "c_0 = torch.zeros(3, 2)",
        "lstm(x, (h_0, c_0))",
        "input",
        ("input_size=3", "5 features"),
    ),
    ErrorCase(
        "glove_100_into_lstm_300",
        "https://github.com/xiaojunxu/SQLNet/issues/59 ('input.size(-1) must be equal to "
        "input_size. Expected 300, got 100')",
        "lstm = nn.LSTM(300, 50, num_layers=2, batch_first=True, bidirectional=True)\n"
        "x = torch.randn(2, 7, 100)",
        "lstm(x)",
        "input",
        ("input_size=300", "100 features"),
    ),
    ErrorCase(
        "bert_base_768_into_lstm_1024",
        "https://github.com/ljynlp/W2NER/issues/23 ('Expected 1024, got 768')",
        "lstm = nn.LSTM(1024, 32, batch_first=True, bidirectional=True)\n"
        "x = torch.randn(2, 9, 768)",
        "lstm(x)",
        "input",
        ("input_size=1024", "768 features"),
    ),
    ErrorCase(
        "observation_31_into_28",
        "https://github.com/uoe-agents/LIAM/issues/3 ('Expected 28, got 31'; x of (1, 10, 31); "
        "the layer type is not shown in the thread, a GRU here)",
        "gru = nn.GRU(28, 16, batch_first=True)\nx = torch.randn(1, 10, 31)",
        "gru(x)",
        "input",
        ("input_size=28", "31 features"),
    ),
    ErrorCase(
        "token_ids_into_lstm",
        "https://github.com/pytorch/pytorch/issues/3276 (LongTensor (T, N) batches of a language "
        "model given straight to nn.LSTM)",
        "lstm = nn.LSTM(16, 32)\n"
        "embedding = nn.Embedding(100, 16)\n"
        "x = torch.randint(0, 100, (35, 4))\n"
        "h_0 = torch.zeros(1, 4, 32)\n"
        "c_0 = torch.zeros(1, 4, 32)",
        "lstm(x, (h_0, c_0))",
        "input",
        ("integers", "embed"),
    ),
    ErrorCase(
        "long_values_into_lstm",
        "https://github.com/pytorch/pytorch/issues/99998 (lstm = nn.LSTM(1, 200, 2, "
        "batch_first=True); input = torch.zeros(20, 36, 1).long(); hidden size reduced)",
        "lstm = nn.LSTM(1, 20, 2, batch_first=True)\nx = torch.zeros(20, 36, 1).long()",
        "lstm(x)",
        "input",
        ("integers",),
    ),
    ErrorCase(
        "state_kept_from_another_batch",
        "https://github.com/GBLin5566/toward-controlled-generation-of-text-pytorch/issues/10 "
        "('Expected hidden[0] size (1, 128, 302), got (1, 40, 302)')",
        "lstm = nn.LSTM(16, 302)\n"
        "x = torch.randn(5, 128, 16)\n"
        "h_0 = torch.zeros(1, 40, 302)\n"
        "c_0 = torch.zeros(1, 40, 302)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("40 sequences", "n = 128"),
    ),
    ErrorCase(
        "bert_batch_first_output_into_time_major_decoder",
        "https://github.com/bentrevett/pytorch-seq2seq/issues/162 ('Expected hidden[0] size "
        "(2, 1, 512), got [2, 128, 512]'; hidden size reduced)",
        "lstm = nn.LSTM(32, 64, num_layers=2)\n"
        "x = torch.randn(128, 1, 32)\n"
        "h_0 = torch.zeros(2, 128, 64)\n"
        "c_0 = torch.zeros(2, 128, 64)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("batch_first", "n=128"),
    ),
    ErrorCase(
        "lstmcell_state_not_a_tuple",
        "https://github.com/PetrochukM/PyTorch-NLP/issues/62 (LSTMCell(256, 512) called with "
        "one hidden tensor: 'Input batch size 1 doesn't match hidden[0] batch size 512')",
        "cell = nn.LSTMCell(256, 512)\nx_t = torch.randn(1, 256)\nh = torch.randn(1, 512)",
        "cell(x_t, h)",
        "h",
        ("tuple", "missing c"),
        fixed_call="cell(x_t, (h, c))",
    ),
    ErrorCase(
        "unbatched_step_with_3d_states",
        "https://github.com/mpsilfve/phonembedding/issues/2 (decoder nn.LSTM called with a 2-D "
        "input and (h, c) of 3-D states: 'input must have 3 dimensions, got 2' in old PyTorch)",
        "lstm = nn.LSTM(10, 20)\n"
        "x = torch.randn(1, 10)\n"
        "h_0 = torch.zeros(1, 1, 20)\n"
        "c_0 = torch.zeros(1, 1, 20)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("2-d", "unbatched"),
    ),
    ErrorCase(
        "float_input_to_double_cell",
        "pytorch/examples time_sequence_prediction/train.py (the model is run in .double(); a "
        "float32 step fed to it)",
        "cell = nn.LSTMCell(1, 51).double()\n"
        "x_t = torch.randn(3, 1)\n"
        "h = torch.zeros(3, 51, dtype=torch.double)\n"
        "c = torch.zeros(3, 51, dtype=torch.double)",
        "cell(x_t, (h, c))",
        "input",
        ("float32", "float64"),
    ),
    ErrorCase(
        "numpy_float64_into_float_lstm",
        "https://yuhi-sa.github.io/en/posts/20210215_pytorch_dtype/1 (torch.tensor / from_numpy "
        "keep NumPy's float64) and https://blog.csdn.net/w55100/article/details/90372711 (an "
        "nn.LSTM mixed with float64 tensors)",
        "import numpy as np\n"
        "lstm = nn.LSTM(4, 8, batch_first=True)\n"
        "x = torch.from_numpy(np.random.rand(2, 5, 4))",
        "lstm(x)",
        "input",
        ("float64", "float32"),
    ),
    ErrorCase(
        "lstm_state_tuple_into_gru",
        "https://github.com/IBM/pytorch-seq2seq/issues/126 (with rnn_cell='lstm' the encoder "
        "hidden is a tuple (h_n, c_n); a GRU decoder takes h alone)",
        "gru = nn.GRU(8, 16)\n"
        "x = torch.randn(5, 3, 8)\n"
        "h_0 = torch.zeros(1, 3, 16)\n"
        "hx = (h_0, torch.zeros(1, 3, 16))",
        "gru(x, hx)",
        "hx",
        ("no cell state",),
        fixed_call="gru(x, h_0)",
    ),
    ErrorCase(
        "mnist_rows_h0_from_image_axis",
        "https://github.com/patrickloeber/pytorch-examples/issues/2 ('Expected hidden size "
        "(1, 4, 128), got [1, 28, 128]': batch 4 of 28x28 images, batch_first=True, h_0 sized "
        "from the image axis)",
        "lstm = nn.LSTM(28, 128, batch_first=True)\n"
        "x = torch.randn(4, 28, 28)\n"
        "h_0 = torch.zeros(1, x.size(1), 128)\n"
        "c_0 = torch.zeros(1, x.size(1), 128)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("28",),
        check="lstm.batch_first",
    ),
    ErrorCase(
        "decoder_built_with_hidden_size_1",
        "https://github.com/IBM/pytorch-seq2seq/pull/184 ('hidden_size * 2 if bidirectional "
        "else 1' built the decoder with hidden_size=1: 'Expected hidden size (1, 16, 1), got "
        "(1, 16, 256)')",
        "gru = nn.GRU(1, 1, batch_first=True)\n"
        "x = torch.randn(16, 1, 1)\n"
        "h_0 = torch.zeros(1, 16, 256)",
        "gru(x, h_0)",
        "h_0",
        ("hidden_size=1", "built"),
    ),
    ErrorCase(
        "cell_given_4d_module_state",
        "pytorch/pytorch torch/nn/modules/rnn.py (nn.LSTM docs: h_n.view(num_layers, "
        "num_directions, batch, hidden_size)), that view handed to an nn.LSTMCell decoder",
        "cell = nn.LSTMCell(10, 20)\n"
        "x_t = torch.randn(3, 10)\n"
        "h = torch.zeros(1, 2, 3, 20)\n"
        "c = torch.zeros(1, 2, 3, 20)",
        "cell(x_t, (h, c))",
        "h",
        ("4-d",),
    ),
    ErrorCase(
        "grucell_given_scalar_state",
        "pytorch/pytorch torch/nn/modules/rnn.py (GRUCell: 'Expected hidden to be 1D or 2D, got "
        "0D'): a 0-D initial state, e.g. h = torch.tensor(0.)",
        "cell = nn.GRUCell(10, 20)\nx_t = torch.randn(3, 10)\nh = torch.tensor(0.0)",
        "cell(x_t, h)",
        "h",
        ("0-d",),
    ),
    # --- PyTorch's own argument checks (test_nn.py) ---------------------------------------------
    ErrorCase(
        "test_nn_lstm_input_size",
        _TEST_NN + ": incorrect input size -> 'input.size(-1) must be equal to input_size'",
        "lstm = nn.LSTM(3, 5, 2)\n"
        "x = torch.randn(6, 4, 7)\n"
        "h_0 = torch.randn(2, 4, 5)\n"
        "c_0 = torch.randn(2, 4, 5)",
        "lstm(x, (h_0, c_0))",
        "input",
        ("input_size=3", "7 features"),
    ),
    ErrorCase(
        "test_nn_gru_hidden_size",
        _TEST_NN + ": incorrect hidden size -> 'Expected hidden size'",
        "gru = nn.GRU(3, 5, 2)\nx = torch.randn(6, 4, 3)\nh_0 = torch.randn(2, 4, 7)",
        "gru(x, h_0)",
        "h_0",
        ("hidden size (5)",),
    ),
    ErrorCase(
        "test_nn_rnn_hidden0",
        _TEST_NN + ": incorrect hidden[0] (layers) -> 'Expected hidden size'",
        "rnn = nn.RNN(3, 5, 2)\nx = torch.randn(6, 4, 3)\nh_0 = torch.randn(7, 4, 5)",
        "rnn(x, h_0)",
        "h_0",
        ("layers x directions",),
    ),
    ErrorCase(
        "test_nn_lstm_c0_batch",
        _TEST_NN + ": incorrect hidden batch size, in c_0 (h_0 correct)",
        "lstm = nn.LSTM(3, 5, 2)\n"
        "x = torch.randn(6, 4, 3)\n"
        "h_0 = torch.randn(2, 4, 5)\n"
        "c_0 = torch.randn(2, 7, 5)",
        "lstm(x, (h_0, c_0))",
        "c_0",
        ("7 sequences", "n = 4"),
    ),
    ErrorCase(
        "test_nn_lstm_input_batch",
        _TEST_NN + ": incorrect input batch size (input N=7, states N=4)",
        "lstm = nn.LSTM(3, 5, 2)\n"
        "x = torch.randn(6, 7, 3)\n"
        "h_0 = torch.randn(2, 4, 5)\n"
        "c_0 = torch.randn(2, 4, 5)",
        "lstm(x, (h_0, c_0))",
        "h_0",
        ("4 sequences", "n = 7"),
    ),
]


# --- constructor mistakes, through explain_errors() -----------------------------------------------


@dataclass(frozen=True)
class CtorCase:
    id: str
    source: str
    ctor: str  # e.g. "nn.LSTM(10, 20, batch_first=1)"
    argument: str  # the Problem's tensor field: the constructor argument at fault
    #: what the fixed module must have, e.g. {"input_size": 10}
    want: dict
    xfail: str = ""


CTOR_CASES: list[CtorCase] = [
    CtorCase(
        "bias_int",
        "pytorch/pytorch torch/nn/modules/rnn.py (RNNBase.__init__ type checks of bool fields)",
        "nn.LSTM(10, 20, bias=1)",
        "bias",
        {"bias": True},
    ),
    CtorCase(
        "input_size_float",
        "SeanNaren/deepspeech.pytorch deepspeech_pytorch/model.py (rnn_input_size is computed "
        "with '/' and must be wrapped in int(math.floor(...)); without int() it is a float)",
        "nn.LSTM(10.0, 20)",
        "input_size",
        {"input_size": 10},
    ),
    CtorCase(
        "batch_first_int",
        "pytorch/pytorch torch/nn/modules/rnn.py (RNNBase.__init__: 'batch_first should be of "
        "type bool, got: int')",
        "nn.LSTM(10, 20, batch_first=1)",
        "batch_first",
        {"batch_first": True},
    ),
    CtorCase(
        "input_size_str",
        "input_size read from a config file as a string (RNNBase.__init__: 'input_size should "
        "be of type int, got: str')",
        "nn.LSTM('10', 20)",
        "input_size",
        {"input_size": 10},
    ),
    CtorCase(
        "hidden_size_str",
        "hidden_size read from a config file as a string (RNNBase.__init__: 'hidden_size "
        "should be of type int, got: str')",
        "nn.LSTM(10, '20')",
        "hidden_size",
        {"hidden_size": 20},
    ),
]


# --- silent traps, through check_summary() ---------------------------------------------------------


@dataclass(frozen=True)
class SummaryCase:
    id: str
    source: str
    setup: str  # builds lstm / gru / rnn, x, and runs it into out, h_n (and c_n)
    summary: str  # the expression the user takes as the summary
    ok: bool  # True: no summary problem expected
    keywords: tuple[str, ...] = ()
    xfail: str = ""


_BI = (
    "lstm = nn.LSTM(6, 5, bidirectional=True, batch_first=True)\n"
    "x = torch.randn(3, 7, 6)\n"
    "out, (h_n, c_n) = lstm(x)"
)

SUMMARY_CASES: list[SummaryCase] = [
    SummaryCase(
        "bilstm_last_step",
        "https://heytensor.com/answers/lstm-output-shape-bidirectional.html (a bidirectional "
        "LSTM's 'last_output = output[:, -1, :]' fed to the classifier)",
        _BI,
        "out[:, -1]",
        False,
        ("backward",),
    ),
    SummaryCase(
        "bilstm_cat_forward_backward",
        "bentrevett/pytorch-sentiment-analysis (torch.cat((hidden[-2,:,:], hidden[-1,:,:]), "
        "dim=1))",
        _BI,
        "torch.cat([h_n[-2], h_n[-1]], dim=1)",
        True,
    ),
    SummaryCase(
        "bilstm_cat_backward_forward",
        "public GitHub code found by find_string 'torch.cat((hidden[-1,:,:], hidden[-2,:,:]), "
        "dim=1)' (4 files, e.g. stored file 12826839323: a packed bidirectional LSTM classifier)",
        _BI,
        "torch.cat([h_n[-1], h_n[-2]], dim=1)",
        True,
    ),
]


def namespace(setup: str) -> dict[str, Any]:
    """Run a case's ``setup`` in a fresh namespace with the names the cases and fixes use."""
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    from lstm_explain import final_hidden

    ns: dict[str, Any] = {
        "torch": torch,
        "nn": nn,
        "pack_padded_sequence": pack_padded_sequence,
        "final_hidden": final_hidden,
    }
    exec(setup, ns)
    return ns


def split_call(call: str, ns: dict[str, Any]) -> tuple[Any, tuple]:
    """``"lstm(x, (h_0, c_0))"`` -> (the module, (x, (h_0, c_0)))."""
    name = call.split("(", 1)[0]
    args = eval("_args" + call[len(name) :], {**ns, "_args": lambda *a: a})
    return ns[name], args
