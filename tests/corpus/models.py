"""Real recurrent models from well-known public repositories, reduced to small sizes.

Each class keeps the recurrent structure of its source (which layers, how they are called,
packing, loops over cells, hidden-state plumbing) and drops what does not bear on shapes (data
loading, training loops, CRF decoding, attention). Sizes are shrunk so the whole corpus traces in
well under a second. Every entry cites the repository and path it follows.

``MODELS`` lists ``ModelCase(id, source, build)``; ``build()`` returns ``(model, args)`` for one
forward call ``model(*args)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

# --- 1. word-level language model --------------------------------------------------------------
# pytorch/examples, word_language_model/model.py: class RNNModel (Embedding -> nn.LSTM / nn.GRU /
# nn.RNN(nonlinearity) with dropout between layers -> Linear decoder, optional weight tying,
# init_hidden returning (h, c) for LSTM and h otherwise).


class RNNModel(nn.Module):
    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ("LSTM", "GRU"):
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            nonlinearity = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}[rnn_type]
            self.rnn = nn.RNN(ninp, nhid, nlayers, nonlinearity=nonlinearity, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (
                weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid),
            )
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


def _word_lm(rnn_type: str) -> Callable[[], tuple[nn.Module, tuple]]:
    def build():
        model = RNNModel(rnn_type, ntoken=50, ninp=16, nhid=16, nlayers=2, tie_weights=True)
        tokens = torch.randint(0, 50, (7, 4))  # (T, N) token ids, time-major as in the example
        return model, (tokens, model.init_hidden(4))

    return build


# --- 2. weight-dropped LSTM --------------------------------------------------------------------
# salesforce/awd-lstm-lm, weight_drop.py: class WeightDrop. It deletes the wrapped LSTM's
# weight_hh_l0 parameter, keeps it as weight_hh_l0_raw, and in forward() sets a dropped-out copy
# and calls ``self.module.forward(*args)`` directly: the LSTM's __call__ (and so every forward
# hook on it) is never reached. Used in awd-lstm-lm model.py around each nn.LSTM layer.
# Modern PyTorch makes ``nn.Parameter(w)`` a new leaf (no gradient reaches the raw weight), so,
# as fastai's port does (fastai/fastai, fastai/text/models/awdlstm.py: WeightDropout._setweight),
# the dropped copy is set as a plain tensor, and a clone of the raw weight in eval mode.


class WeightDrop(nn.Module):
    def __init__(self, module, weights, dropout=0.0):
        super().__init__()
        self.module, self.weights, self.dropout = module, weights, dropout
        if isinstance(self.module, nn.RNNBase):
            self.module.flatten_parameters = self._no_flatten
        for name_w in self.weights:
            w = getattr(self.module, name_w)
            del self.module._parameters[name_w]
            self.module.register_parameter(name_w + "_raw", nn.Parameter(w.data))

    @staticmethod
    def _no_flatten(*args, **kwargs):
        return None

    def _setweights(self):
        for name_w in self.weights:
            raw_w = getattr(self.module, name_w + "_raw")
            w = F.dropout(raw_w, p=self.dropout, training=True) if self.training else raw_w.clone()
            setattr(self.module, name_w, w)

    def forward(self, *args):
        self._setweights()
        return self.module.forward(*args)


class AWDLSTM(nn.Module):
    """awd-lstm-lm model.py, reduced: Embedding -> WeightDrop(nn.LSTM) -> Linear."""

    def __init__(self, ntoken=40, ninp=12, nhid=12, wdrop=0.5):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = WeightDrop(nn.LSTM(ninp, nhid), ["weight_hh_l0"], dropout=wdrop)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, input, hidden=None):
        output, hidden = self.rnn(self.encoder(input), hidden)
        return self.decoder(output), hidden


def _awd():
    return AWDLSTM(), (torch.randint(0, 40, (6, 3)),)


# --- 3. BiLSTM-CRF tagger, the LSTM part -------------------------------------------------------
# pytorch/tutorials, beginner_source/nlp/advanced_tutorial.py: class BiLSTM_CRF,
# _get_lstm_features: one sentence, embeds.view(len(sentence), 1, -1), a bidirectional nn.LSTM
# with hidden_dim // 2 per direction, state from init_hidden() = randn(2, 1, hidden_dim // 2).


class BiLSTMTagger(nn.Module):
    def __init__(self, vocab_size=30, tagset_size=5, embedding_dim=8, hidden_dim=10):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.word_embeds = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim // 2, num_layers=1, bidirectional=True)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def init_hidden(self):
        return (torch.randn(2, 1, self.hidden_dim // 2), torch.randn(2, 1, self.hidden_dim // 2))

    def forward(self, sentence):  # _get_lstm_features
        hidden = self.init_hidden()
        embeds = self.word_embeds(sentence).view(len(sentence), 1, -1)
        lstm_out, hidden = self.lstm(embeds, hidden)
        lstm_out = lstm_out.view(len(sentence), self.hidden_dim)
        return self.hidden2tag(lstm_out)


def _bilstm_crf():
    return BiLSTMTagger(), (torch.randint(0, 30, (9,)),)


# --- 4. seq2seq translation: GRU encoder + GRU decoder run one step at a time -----------------
# pytorch/tutorials, intermediate_source/seq2seq_translation_tutorial.py: EncoderRNN (Embedding ->
# Dropout -> nn.GRU(batch_first=True)) and DecoderRNN (greedy loop of MAX_LENGTH calls of
# forward_step: Embedding -> relu -> the same nn.GRU(batch_first=True) -> Linear).


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        return self.gru(self.dropout(self.embedding(input)))


class DecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, max_length=5, sos_token=0):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.max_length, self.sos_token = max_length, sos_token

    def forward(self, encoder_outputs, encoder_hidden):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.full((batch_size, 1), self.sos_token, dtype=torch.long)
        decoder_hidden, outputs = encoder_hidden, []
        for _ in range(self.max_length):
            decoder_output, decoder_hidden = self.forward_step(decoder_input, decoder_hidden)
            outputs.append(decoder_output)
            decoder_input = decoder_output.topk(1)[1].squeeze(-1).detach()
        return F.log_softmax(torch.cat(outputs, dim=1), dim=-1), decoder_hidden

    def forward_step(self, input, hidden):
        output, hidden = self.gru(F.relu(self.embedding(input)), hidden)
        return self.out(output), hidden


class Seq2Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = EncoderRNN(20, 12)
        self.decoder = DecoderRNN(12, 25)

    def forward(self, src):
        encoder_outputs, encoder_hidden = self.encoder(src)
        return self.decoder(encoder_outputs, encoder_hidden)


def _seq2seq():
    return Seq2Seq(), (torch.randint(0, 20, (3, 8)),)  # (N, T) batch-first ids


# --- 5. chatbot encoder: packed, bidirectional, 2-layer GRU -----------------------------------
# pytorch/tutorials, beginner_source/chatbot_tutorial.py: class EncoderRNN (embedding ->
# pack_padded_sequence(embedded, input_lengths) -> nn.GRU(n_layers, bidirectional=True) ->
# pad_packed_sequence -> sum of the two directions' halves).


class ChatbotEncoder(nn.Module):
    def __init__(self, hidden_size=10, vocab=30, n_layers=2, dropout=0.1):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(vocab, hidden_size)
        self.gru = nn.GRU(
            hidden_size,
            hidden_size,
            n_layers,
            dropout=(0 if n_layers == 1 else dropout),
            bidirectional=True,
        )

    def forward(self, input_seq, input_lengths, hidden=None):
        packed = pack_padded_sequence(self.embedding(input_seq), input_lengths)
        outputs, hidden = self.gru(packed, hidden)
        outputs, _ = pad_packed_sequence(outputs)
        outputs = outputs[:, :, : self.hidden_size] + outputs[:, :, self.hidden_size :]
        return outputs, hidden


def _chatbot():
    lengths = torch.tensor([7, 5, 4, 2])  # sorted longest first, as batch2TrainData does
    return ChatbotEncoder(), (torch.randint(1, 30, (7, 4)), lengths)


# --- 6. DeepSpeech2 BatchRNN stack ------------------------------------------------------------
# SeanNaren/deepspeech.pytorch, deepspeech_pytorch/model.py: SequenceWise(BatchNorm1d) ->
# pack_padded_sequence(x, output_lengths) -> rnn_type (nn.LSTM, bidirectional) ->
# pad_packed_sequence -> directions summed; DeepSpeech.forward loops ``for rnn in self.rnns``.


class SequenceWise(nn.Module):
    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x):
        t, n = x.size(0), x.size(1)
        return self.module(x.view(t * n, -1)).view(t, n, -1)


class BatchRNN(nn.Module):
    def __init__(
        self, input_size, hidden_size, rnn_type=nn.LSTM, bidirectional=False, batch_norm=True
    ):
        super().__init__()
        self.bidirectional = bidirectional
        self.batch_norm = SequenceWise(nn.BatchNorm1d(input_size)) if batch_norm else None
        self.rnn = rnn_type(
            input_size=input_size, hidden_size=hidden_size, bidirectional=bidirectional, bias=True
        )

    def forward(self, x, output_lengths):
        if self.batch_norm is not None:
            x = self.batch_norm(x)
        x = pack_padded_sequence(x, output_lengths)
        x, _h = self.rnn(x)
        x, _ = pad_packed_sequence(x)
        if self.bidirectional:
            x = x.view(x.size(0), x.size(1), 2, -1).sum(2).view(x.size(0), x.size(1), -1)
        return x


class DeepSpeechRNNs(nn.Module):
    def __init__(self, rnn_input_size=16, hidden_size=8, hidden_layers=2):
        super().__init__()
        self.rnns = nn.Sequential(
            BatchRNN(rnn_input_size, hidden_size, bidirectional=True, batch_norm=False),
            *(
                BatchRNN(hidden_size, hidden_size, bidirectional=True)
                for _ in range(hidden_layers - 1)
            ),
        )

    def forward(self, x, output_lengths):
        for rnn in self.rnns:
            x = rnn(x, output_lengths)
        return x


def _deepspeech():
    return DeepSpeechRNNs(), (torch.randn(10, 3, 16), torch.tensor([10, 8, 5]))  # (T, N, H)


# --- 7. two stacked LSTMCells over a sine wave, in double precision --------------------------
# pytorch/examples, time_sequence_prediction/train.py: class Sequence (nn.LSTMCell(1, 51),
# nn.LSTMCell(51, 51), nn.Linear(51, 1); a loop over input.split(1, dim=1) plus ``future`` steps
# fed back; the model is run in .double()).


class Sequence(nn.Module):
    def __init__(self, hidden=51):
        super().__init__()
        self.hidden = hidden
        self.lstm1 = nn.LSTMCell(1, hidden)
        self.lstm2 = nn.LSTMCell(hidden, hidden)
        self.linear = nn.Linear(hidden, 1)

    def forward(self, input, future=0):
        outputs = []
        n = input.size(0)
        h_t = torch.zeros(n, self.hidden, dtype=torch.double)
        c_t = torch.zeros(n, self.hidden, dtype=torch.double)
        h_t2 = torch.zeros(n, self.hidden, dtype=torch.double)
        c_t2 = torch.zeros(n, self.hidden, dtype=torch.double)
        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for _ in range(future):
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        return torch.cat(outputs, dim=1)


def _time_sequence():
    model = Sequence().double()
    return model, (torch.sin(torch.arange(24, dtype=torch.double)).view(3, 8), 2)


# --- 8. the GRUCell / RNNCell documentation loops --------------------------------------------
# pytorch/pytorch, torch/nn/modules/rnn.py: the Examples of nn.GRUCell and nn.RNNCell
# (``rnn = nn.GRUCell(10, 20); input = torch.randn(6, 3, 10); hx = torch.randn(3, 20);
# for i in range(6): hx = rnn(input[i], hx)``), wrapped in a module.


class CellLoop(nn.Module):
    def __init__(self, cell: nn.Module):
        super().__init__()
        self.rnn = cell

    def forward(self, input, hx):
        output = []
        for i in range(input.size(0)):
            hx = self.rnn(input[i], hx)
            output.append(hx)
        return torch.stack(output, dim=0)


def _grucell():
    return CellLoop(nn.GRUCell(10, 20)), (torch.randn(6, 3, 10), torch.randn(3, 20))


def _rnncell():
    cell = nn.RNNCell(10, 20, nonlinearity="relu")
    return CellLoop(cell), (torch.randn(6, 3, 10), torch.randn(3, 20))


# --- 9. char-rnn: one character per call, a multi-layer GRU / LSTM ----------------------------
# spro/char-rnn.pytorch, model.py: class CharRNN (Embedding -> rnn(encoded.view(1, batch, -1),
# hidden) -> Linear on output.view(batch, -1)); train() calls it once per character of a chunk.


class CharRNN(nn.Module):
    def __init__(self, input_size=30, hidden_size=12, output_size=30, model="gru", n_layers=2):
        super().__init__()
        self.model, self.hidden_size, self.n_layers = model, hidden_size, n_layers
        self.encoder = nn.Embedding(input_size, hidden_size)
        rnn_cls = nn.GRU if model == "gru" else nn.LSTM
        self.rnn = rnn_cls(hidden_size, hidden_size, n_layers)
        self.decoder = nn.Linear(hidden_size, output_size)

    def forward(self, input, hidden):
        batch_size = input.size(0)
        output, hidden = self.rnn(self.encoder(input).view(1, batch_size, -1), hidden)
        return self.decoder(output.view(batch_size, -1)), hidden

    def init_hidden(self, batch_size):
        zeros = torch.zeros(self.n_layers, batch_size, self.hidden_size)
        return (zeros, zeros.clone()) if self.model == "lstm" else zeros


class CharRNNChunk(nn.Module):
    """The loop of CharRNN.train(): one call per character of a chunk."""

    def __init__(self, model="lstm", chunk_len=4):
        super().__init__()
        self.net, self.chunk_len = CharRNN(model=model), chunk_len

    def forward(self, inp):
        hidden = self.net.init_hidden(inp.size(0))
        outputs = []
        for c in range(self.chunk_len):
            output, hidden = self.net(inp[:, c], hidden)
            outputs.append(output)
        return torch.stack(outputs, dim=1)


def _char_rnn(kind: str) -> Callable[[], tuple[nn.Module, tuple]]:
    def build():
        return CharRNNChunk(kind), (torch.randint(0, 30, (5, 4)),)

    return build


# --- the corpus ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelCase:
    id: str
    source: str
    build: Callable[[], tuple[nn.Module, tuple[Any, ...]]]
    #: True when the recurrent computation is reached without the module's __call__
    bypasses_call: bool = False


MODELS: list[ModelCase] = [
    ModelCase("word_lm_lstm", "pytorch/examples word_language_model/model.py", _word_lm("LSTM")),
    ModelCase("word_lm_gru", "pytorch/examples word_language_model/model.py", _word_lm("GRU")),
    ModelCase(
        "word_lm_rnn_tanh", "pytorch/examples word_language_model/model.py", _word_lm("RNN_TANH")
    ),
    ModelCase("awd_weight_drop", "salesforce/awd-lstm-lm weight_drop.py", _awd, True),
    ModelCase(
        "bilstm_crf", "pytorch/tutorials beginner_source/nlp/advanced_tutorial.py", _bilstm_crf
    ),
    ModelCase(
        "seq2seq_gru",
        "pytorch/tutorials intermediate_source/seq2seq_translation_tutorial.py",
        _seq2seq,
    ),
    ModelCase(
        "chatbot_packed_bigru", "pytorch/tutorials beginner_source/chatbot_tutorial.py", _chatbot
    ),
    ModelCase(
        "deepspeech_batchrnn",
        "SeanNaren/deepspeech.pytorch deepspeech_pytorch/model.py",
        _deepspeech,
    ),
    ModelCase(
        "time_sequence_lstmcell",
        "pytorch/examples time_sequence_prediction/train.py",
        _time_sequence,
    ),
    ModelCase(
        "grucell_doc_loop", "pytorch/pytorch torch/nn/modules/rnn.py (GRUCell example)", _grucell
    ),
    ModelCase(
        "rnncell_doc_loop", "pytorch/pytorch torch/nn/modules/rnn.py (RNNCell example)", _rnncell
    ),
    ModelCase("char_rnn_lstm", "spro/char-rnn.pytorch model.py", _char_rnn("lstm")),
    ModelCase("char_rnn_gru", "spro/char-rnn.pytorch model.py", _char_rnn("gru")),
]
