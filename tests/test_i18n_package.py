"""The package in the learner's language: messages kept English in data, explorers' switch."""

from __future__ import annotations

import json

import pytest
import torch

from lstm_explain import RNNConfig
from lstm_explain.i18n import M_, Message, set_language, tr, use_language
from lstm_explain.shapes import shape_report
from lstm_explain.widgets import GateExplorer, ShapeExplorer


@pytest.fixture(autouse=True)
def _english():
    set_language(None)
    yield
    set_language(None)


def test_message_is_english_text_that_translates_later():
    m = M_("{n} steps", n=3)
    assert m == "3 steps" and isinstance(m, Message)
    assert json.dumps({"k": m}) == '{"k": "3 steps"}'
    joined = m + "; more"
    assert joined == "3 steps; more" and tr(joined) == "3 steps; more"


def test_report_data_stays_english_whatever_the_language():
    r = shape_report(RNNConfig("LSTM", 10, 20, bidirectional=True, batch_first=True))
    english = r.to_dict()
    with use_language("zh_CN"):
        assert r.to_dict() == english
        str(r), r._repr_html_()  # renders in any language


def test_shape_explorer_switch_keeps_values():
    ex = ShapeExplorer(lang="en")
    ex.set(mode="GRU", num_layers=3, seq_len=7, lengths="7, 4, 2")
    before = {k: w.value for k, w in ex.controls.items()}
    ex.language.value = "zh_CN"
    assert ex.lang == "zh_CN"
    assert {k: w.value for k, w in ex.controls.items()} == before
    assert ex.report.config.mode == "GRU" and ex.report.shape("h_n") == (3, 3, 20)
    ex.lang = "en"
    assert ex.language.value == "en"
    assert {k: w.value for k, w in ex.controls.items()} == before


def test_gate_explorer_switch_keeps_selection():
    ex = GateExplorer(torch.nn.LSTM(3, 6, num_layers=2, bidirectional=True), torch.randn(5, 2, 3))
    ex.controls["layer"].value = 1
    ex.controls["direction"].value = 1
    ex.controls["gate"].value = "o"
    ex.controls["units"].value = (2, 4)
    before = ex.selection
    ex.language.value = "zh_CN"
    assert ex.selection == before
    ex.lang = "en"
    assert ex.selection == before
    assert ex.controls["layer"].options == (("layer 0", 0), ("layer 1", 1))
