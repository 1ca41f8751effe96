"""The cheat sheet: generated from the shape model, its identities hold on real modules, files written."""

from __future__ import annotations

import itertools

import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from lstm_explain.cheatsheet import (
    IDENTITIES,
    PAPERS,
    build_cheatsheet,
    main,
    symbolic_parameters,
    symbolic_shapes,
    verify,
)
from lstm_explain.config import RNNConfig
from lstm_explain.i18n import use_language


@pytest.fixture(scope="module")
def verified():
    return verify()


@pytest.fixture(scope="module")
def page(verified) -> Figure:
    return build_cheatsheet("a4", verified)


def test_build_returns_a_landscape_figure(page: Figure) -> None:
    assert isinstance(page, Figure)
    assert tuple(page.get_size_inches()) == pytest.approx(PAPERS["a4"])
    text = "\n".join(t.get_text() for t in page.texts)
    for needle in ("(L*D, N, H_out)", "(N, T, D*H_out)", "output[:, -1] == h_n[-1]", "weight_hr"):
        assert needle in text, needle


@pytest.mark.parametrize(("paper", "lang"), [*((p, "en") for p in sorted(PAPERS)), ("a4", "zh_CN")])
def test_page_is_readable_fonts_at_least_8pt_and_no_overlaps(
    paper: str, lang: str, verified
) -> None:
    with use_language(lang):
        page = build_cheatsheet(paper, verified)
    canvas = FigureCanvasAgg(page)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in page.texts if t.get_text()]
    assert all(t.get_fontsize() >= 8 for t in page.texts)
    frame = page.bbox
    for text, box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, f"off the page: {text!r}"
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, f"off the page: {text!r}"
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


def test_every_identity_was_checked_on_real_modules(verified) -> None:
    assert verified.configs >= 30
    assert all(n >= 4 for n in verified.identity_checks.values()), verified.identity_checks
    assert verified.layout_checks == verified.configs and verified.conversion_checks > 0


@pytest.mark.parametrize(
    ("mode", "bidirectional", "batch_first", "packed"),
    list(itertools.product(("RNN", "LSTM", "GRU"), (False, True), (False, True), (False, True))),
)
def test_identities_hold_on_plain_torch_modules(mode, bidirectional, batch_first, packed) -> None:
    """Independently of shape_report: build nn.RNN/LSTM/GRU directly and evaluate each line."""
    torch.manual_seed(0)
    T, N, lengths = 6, 3, (6, 2, 4)
    module = getattr(nn, mode)(
        4, 5, num_layers=2, bidirectional=bidirectional, batch_first=batch_first
    )
    x = torch.randn((N, T, 4) if batch_first else (T, N, 4))
    with torch.no_grad():
        if packed:
            p = pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
            out, state = module(p)
            out, _ = pad_packed_sequence(out, batch_first=batch_first, total_length=T)
        else:
            out, state = module(x)
    h_n = state[0] if mode == "LSTM" else state
    config = RNNConfig(
        mode,
        4,
        5,
        num_layers=2,
        bidirectional=bidirectional,
        batch_first=batch_first,
        seq_len=T,
        batch=N,
        lengths=lengths if packed else None,
    )
    applied = [i for i in IDENTITIES if i.applies(config)]
    assert applied
    for ident in applied:
        assert ident.holds(config, {"output": out, "h_n": h_n}), ident.text(config)


def test_symbols_come_from_the_shape_model() -> None:
    shapes = symbolic_shapes()
    assert shapes["batch_first=True"]["h_n"] == ("L*D", "N", "H_out")
    assert shapes["batch_first=True"]["output"] == ("N", "T", "D*H_out")
    assert shapes["unbatched"]["c_n"] == ("L*D", "H")
    params = symbolic_parameters()
    assert params["weight_ih_lk"] == ("G*H", "D*H_out") and params["weight_hr_l0"] == ("H_out", "H")


def test_files_are_written(tmp_path, monkeypatch, verified) -> None:
    import lstm_explain.cheatsheet as cs

    monkeypatch.setattr(cs, "verify", lambda: verified)  # already checked above; saves time
    assert main(["--out", str(tmp_path), "--paper", "letter"]) == 0
    pdf, png = tmp_path / "cheatsheet.pdf", tmp_path / "cheatsheet.png"
    assert pdf.read_bytes()[:5] == b"%PDF-" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="paper must be one of"):
        build_cheatsheet("a3", verified)
