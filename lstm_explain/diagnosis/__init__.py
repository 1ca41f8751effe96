"""Diagnose a recurrent layer's call: plain-language explanations of shape errors and silent traps.

``diagnose(module, x, hx)`` checks a call of ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` or of a cell
(``nn.RNNCell`` / ``nn.LSTMCell`` / ``nn.GRUCell``) before it runs: every argument's shape, the
shape the module expects and why (from its own config), and for each mismatch the most likely
cause and the corrected line of code. It then runs the call to record torch's own message.

``with explain_errors(): ...`` re-raises a recurrent layer's shape/argument error with the
explanation attached (``err.diagnosis``). ``diagnose_pack`` checks ``pack_padded_sequence``.

``check_summary(module, x, summary)`` catches the traps that raise nothing: it says whether the
tensor taken as "the sequence summary" really is each sequence's final state, and what to take
instead.

Notation: ``T`` steps, ``N`` batch, ``H_in`` input_size, ``H`` hidden_size, ``H_out`` =
proj_size or hidden_size, ``L`` num_layers, ``D`` directions (1 or 2).

Modules: ``results`` (Problem, Argument, Diagnosis and their rendering), ``rnn`` and ``states``
(nn.RNN / nn.LSTM / nn.GRU calls), ``cells`` (cell calls), ``packing`` (``diagnose_pack``),
``runner`` (``diagnose``), ``explain`` (``explain_errors``), ``traps`` (``check_summary``).
"""

from __future__ import annotations

from .explain import explain, explain_errors
from .packing import diagnose_pack
from .results import KINDS, WIDTH, Argument, Diagnosis, Problem, diagnosis_html
from .runner import diagnose
from .traps import check_summary

__all__ = [
    "KINDS",
    "WIDTH",
    "Argument",
    "Diagnosis",
    "Problem",
    "check_summary",
    "diagnose",
    "diagnose_pack",
    "diagnosis_html",
    "explain",
    "explain_errors",
]
