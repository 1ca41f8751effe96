"""The package in the learner's language: messages kept English in data, explorers' switch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from lstm_explain import RNNConfig
from lstm_explain.i18n import M_, Message, set_language, tr, use_language
from lstm_explain.shapes import shape_report
from lstm_explain.widgets import GateExplorer, ShapeExplorer
from tests import _i18n_samples as samples


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


# --- every learner-facing string is marked: diagnoses, exercises, cheat sheet, figures -------


SAMPLES = dict(samples.all_samples())
DIGESTS = Path(__file__).parent / "golden" / "i18n_english_digests.json"


def test_english_runs_finds_what_is_left_english():
    assert samples.english_runs("还不对：the state was built for another batch")
    assert samples.english_runs("h_0 是 (L*D, N, H)，but the module reads it") == [
        "but the module reads it"
    ]
    # code, identifiers, shapes, quotes and the names kept in any language are not prose
    for text in (
        "out, h_n = rnn(x, h_0)   out, (h_n, c_n) = lstm(x, (h_0, c_0))",
        "RNN、LSTM、GRU × D = 1、2 × 两种布局",
        '请从 "x[2]", "x[:, 2]" 中选一个',
        "nn.LSTM(10, 20, num_layers=2, batch_first=True) 的 h_n",
        "`h * 2 if bidirectional else 1` 是 `(h * 2) if bidirectional else 1`",
    ):
        assert samples.english_runs(text) == [], text
    # a message missing from the catalog shows as English, and is found
    with use_language("zh_CN"):
        assert samples.english_runs(tr(M_("{n} is a sentence nobody translated", n="h_n")))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_no_english_sentence_left_in_chinese(name):
    """Under zh_CN every cause, why, note, headline, feedback, hint, label and title is Chinese
    (a run of three English words outside code is an unmarked or untranslated string)."""
    with use_language("zh_CN"):
        rendered = SAMPLES[name]()
    left = {run: text for text in rendered["text"] for run in samples.english_runs(str(text))}
    assert not left, f"{name}: English left in the Chinese rendering: {left}"


def test_english_output_unchanged(regen_golden):
    """The English renderings (text, HTML, figures' labels, the unrolled SVG) are byte for byte
    what they were before the strings were marked: their digests are in the golden file."""
    with use_language("en"):
        got = {name: samples.digest(render()) for name, render in SAMPLES.items()}
    if regen_golden:
        DIGESTS.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    want = json.loads(DIGESTS.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want), "samples changed: rerun with --regen-golden"
    changed = sorted(k for k in got if got[k] != want[k])
    assert not changed, f"English output changed (rerun with --regen-golden if intended): {changed}"


def test_chinese_cheatsheet_uses_a_cjk_font():
    from lstm_explain.cheatsheet import IDENTITIES, Verified, build_cheatsheet
    from lstm_explain.i18n import configure_fonts

    cjk = configure_fonts("zh_CN")
    if cjk is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    verified = Verified(40, 1200, {i.time_first: 10 for i in IDENTITIES}, 40, 24)
    with use_language("zh_CN"):
        fig = build_cheatsheet("a4", verified)
    chinese = [t for t in fig.texts if any("\u4e00" <= ch <= "\u9fff" for ch in t.get_text())]
    assert chinese
    assert all(cjk in t.get_fontfamily() for t in chinese), {
        t.get_text(): t.get_fontfamily() for t in chinese if cjk not in t.get_fontfamily()
    }
