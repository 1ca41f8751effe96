"""ShapeExplorer driven from Python: set ``.controls[...].value``, read ``.report`` and the view."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re

import ipywidgets as widgets
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_explain.config import RNNConfig
from lstm_explain.shapes import fmt_shape, predict_shapes
from lstm_explain.widgets import ShapeExplorer
from lstm_explain.widgets.shape_explorer import (
    DIAGRAM_MIN_FONT,
    _strip_header,
    diagram_min_width,
    parse_lengths,
)


@pytest.fixture(scope="module")
def ex() -> ShapeExplorer:
    """One explorer shared by the knob tests (each test starts from set(**START))."""
    return ShapeExplorer()


START = dict(
    mode="LSTM",
    input_size=100,
    hidden_size=20,
    num_layers=1,
    bidirectional=False,
    batch_first=False,
    proj_size=0,
    seq_len=5,
    batch=3,
    unbatched=False,
    lengths="",
)


def shown(ex: ShapeExplorer, name: str) -> str:
    """The shape the summary line shows for tensor ``name``."""
    import re

    m = re.search(rf"class='lx-{name}'>([^<]*)<", ex.summary.value)
    return m.group(1) if m else ""


def assert_consistent(ex: ShapeExplorer) -> None:
    """Report, summary, tables and diagram all show the shapes of the current controls."""
    config = ex.config_from_controls()
    assert ex.report is not None and ex.report.config == config
    assert ex.report.ok
    predicted = predict_shapes(config)
    for name, (shape, _, _) in predicted.items():
        assert ex.report.shape(name) == shape
        if name in ("input", "output", "h_n", "c_n"):
            assert shown(ex, name) == fmt_shape(shape)
        assert fmt_shape(shape) in ex.tables.value
    svg = ex.image.decode()
    assert svg.split(">", 1)[1] in ex.diagram.value  # the live view shows it inline
    # the diagram follows the controls: its top h_n row and one step of output
    assert f"h_n[{predicted['h_n'][0][0] - 1}]" in svg
    feat = predicted["output"][0][-1]
    step = fmt_shape((feat,) if config.batch is None else (config.batch, feat))
    assert f"{step} each" in svg
    # the config line is shown once (in the summary), not repeated by the diagram and tables
    assert config.code() not in svg
    assert ex.view_text().count(ex.report.header()) == 1
    assert ex.error_message is None and "lx-error" not in ex.summary.value


def test_is_a_box_with_a_control_per_field():
    ex = ShapeExplorer(
        mode="LSTM", input_size=100, hidden_size=20, num_layers=4, bidirectional=True
    )
    assert isinstance(ex, widgets.Box)
    assert set(ex.controls) == {
        "mode",
        "input_size",
        "hidden_size",
        "num_layers",
        "bidirectional",
        "batch_first",
        "proj_size",
        "seq_len",
        "batch",
        "unbatched",
        "lengths",
    }
    assert ex.controls["mode"].options == ("RNN", "LSTM", "GRU")
    assert ex.report.shape("h_n") == (8, 3, 20)
    assert ex.report.shape("output") == (5, 3, 40)
    assert ex.refresh_count == 1
    assert_consistent(ex)


def test_config_argument_and_overrides():
    config = RNNConfig("GRU", 8, 16, num_layers=3, batch_first=True, seq_len=7, batch=None)
    ex = ShapeExplorer(config=config)
    assert ex.report.config == config
    assert ex.controls["unbatched"].value and ex.controls["batch"].disabled
    assert ex.controls["proj_size"].disabled
    assert ShapeExplorer(config, num_layers=2).report.shape("h_n") == (2, 16)
    # a value beyond a slider's range widens it instead of being clamped
    assert ShapeExplorer(input_size=1000).report.shape("input") == (5, 3, 1000)
    with pytest.raises(ValueError, match="unknown RNNConfig field"):
        ShapeExplorer(layers=2)
    with pytest.raises(ValueError, match="proj_size must be smaller than hidden_size"):
        ShapeExplorer(mode="LSTM", hidden_size=10, proj_size=10)


@pytest.mark.parametrize(
    ("name", "value", "tensor", "expected"),
    [
        ("num_layers", 8, "h_n", (8, 3, 20)),
        ("bidirectional", True, "output", (5, 3, 40)),
        ("bidirectional", True, "h_n", (2, 3, 20)),
        ("batch_first", True, "output", (3, 5, 20)),
        ("batch_first", True, "h_n", (1, 3, 20)),
        ("input_size", 7, "input", (5, 3, 7)),
        ("hidden_size", 33, "c_n", (1, 3, 33)),
        ("proj_size", 4, "h_n", (1, 3, 4)),
        ("proj_size", 4, "c_n", (1, 3, 20)),
        ("seq_len", 12, "output", (12, 3, 20)),
        ("batch", 9, "h_n", (1, 9, 20)),
        ("unbatched", True, "h_n", (1, 20)),
        ("unbatched", True, "output", (5, 20)),
        ("lengths", "5, 2, 1", "output", (5, 3, 20)),
        ("mode", "GRU", "h_n", (1, 3, 20)),
    ],
)
def test_every_knob_updates_report_and_view(ex, name, value, tensor, expected):
    ex.set(**START)
    before = ex.refresh_count
    ex.controls[name].value = value
    assert ex.refresh_count == before + 1
    assert ex.report.shape(tensor) == expected
    assert_consistent(ex)
    if name == "lengths":
        assert ex.report.config.lengths == (5, 2, 1)
        assert "last valid step" in ex.view_text()


def test_h_n_goes_from_1_to_8_layers_in_the_view(ex):
    ex.set(**START)
    assert "h_n (1, 3, 20)" in ex.view_text().replace("  ", " ")
    for n in range(2, 9):
        ex.controls["num_layers"].value = n
        assert shown(ex, "h_n") == fmt_shape((n, 3, 20))
    assert ex.report.num_parameters == ex.report.to_dict()["num_parameters"]
    assert "weight_hh_l7" in ex.tables.value


@pytest.mark.parametrize("mode", ["RNN", "LSTM", "GRU"])
def test_modes_and_the_proj_size_control(ex, mode):
    ex.set(**START)
    ex.controls["proj_size"].value = 5
    before = ex.refresh_count
    ex.controls["mode"].value = mode
    assert ex.refresh_count == before + (mode != "LSTM")  # LSTM is START's mode: no change
    assert ex.controls["proj_size"].disabled == (mode != "LSTM")
    assert ex.report.config.mode == mode
    assert ex.report.config.proj_size == (5 if mode == "LSTM" else 0)
    assert ("c_n" in ex.report.tensors) == (mode == "LSTM")
    assert f"nn.{mode}(" in ex.summary.value
    assert_consistent(ex)
    # the checks are shown with their verdict and the slices compared
    view = ex.view_text()
    assert "✓" in view and "output[-1]" in view and "h_n[-1]" in view


def test_invalid_values_are_shown_not_raised_and_the_next_change_recovers(ex):
    ex.set(**START)
    # the slider ends at hidden_size - 1, so the invalid value comes from code (set widens it)
    ex.set(proj_size=20)  # == hidden_size
    assert ex.report is None
    # the message takes the summary's place; the last valid picture stays, dimmed (no collapse)
    assert "lx-error" in ex.summary.value
    assert "opacity:0.3" in ex.diagram.value and "<svg" in ex.diagram.value
    assert "proj_size must be smaller than hidden_size" in ex.view_text()
    assert "(got proj_size=20, hidden_size=20)" in ex.view_text()
    assert ex.shapes_line() == f"invalid: {ex.error_message}"
    assert ex.error_message.startswith("proj_size must be smaller than hidden_size")
    ex.controls["hidden_size"].value = 21  # now valid
    assert ex.report is not None and ex.report.shape("h_n") == (1, 3, 20)
    assert ex.report.shape("c_n") == (1, 3, 21)
    assert "invalid" not in ex.view_text() and ex.error_message is None
    assert (
        ex.shapes_line()
        == "input (5, 3, 100) -> output (5, 3, 20)  |  h_n (1, 3, 20)  c_n (1, 3, 21)"
    )
    assert_consistent(ex)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lengths": "5, x, 2"}, "lengths must be integers separated by commas"),
        ({"lengths": "5, 2"}, "lengths must have one entry per sequence, batch=3"),
        ({"lengths": "5, 2, 9"}, "lengths[2] must be an integer in 1..seq_len=5"),
        ({"lengths": "5, 0, 1"}, "lengths[1] must be an integer in 1..seq_len=5"),
        ({"lengths": "5, 2, 1", "unbatched": True}, "lengths needs a batched input"),
        ({"proj_size": 40}, "proj_size must be smaller than hidden_size"),
    ],
)
def test_each_invalid_input_names_its_field(ex, changes, message):
    ex.set(**START)
    ex.set(**changes)
    assert ex.report is None
    assert message in ex.view_text()
    ex.set(**START)
    assert ex.report is not None and "invalid" not in ex.view_text()


def test_set_refreshes_once_and_rejects_unknown_controls(ex):
    ex.set(**START)
    before = ex.refresh_count
    ex.set(num_layers=3, bidirectional=True, batch_first=True, lengths=[4, 5, 1])
    assert ex.refresh_count == before + 1
    assert ex.report.shape("h_n") == (6, 3, 20)
    assert ex.report.config.lengths == (4, 5, 1)
    assert ex.controls["lengths"].value == "4, 5, 1"
    with pytest.raises(ValueError, match="no control named"):
        ex.set(layers=3)


def test_revisited_configs_come_from_the_cache(ex):
    ex.clear_cache()
    ex.set(**START)
    first = ex.report
    ex.controls["num_layers"].value = 2
    assert not ex.timings["cached"]
    ex.controls["num_layers"].value = 1
    assert ex.timings["cached"] and ex.report is first
    ex.clear_cache()
    ex.controls["num_layers"].value = 2
    assert not ex.timings["cached"] and ex.timings["report_ms"] > 0


def test_svg_diagram_is_draw_unrolleds_figure_as_svg():
    from lstm_explain.plotting.unrolled import unrolled_svg

    ex = ShapeExplorer(mode="GRU", bidirectional=True, num_layers=3)
    assert ex.image.decode() == unrolled_svg(ex.report, title=False, min_font=DIAGRAM_MIN_FONT)
    ex.controls["batch_first"].value = True
    svg = ex.image.decode()
    assert svg == unrolled_svg(ex.report, title=False, min_font=DIAGRAM_MIN_FONT)
    assert "output[:, t, :20]" in svg


def test_diagram_labels_are_never_shown_below_12_px():
    ex = ShapeExplorer(mode="LSTM", num_layers=4, bidirectional=True, seq_len=10)
    svg = ex.image.decode()
    sizes = [float(v) for v in re.findall(r'font-size="([0-9.]+)"', svg)]
    assert min(sizes) == DIAGRAM_MIN_FONT
    view_box = float(re.search(r'viewBox="0 0 ([0-9.]+) ', svg).group(1))
    lo = diagram_min_width(svg)
    # shown at least lo px wide: the smallest label is >= 12 px (it scrolls sideways below that)
    assert lo / view_box * min(sizes) >= 11.99
    assert f"min-width:{lo}px" in ex.diagram.value
    ex.text_scale = 1.5
    assert f"min-width:{diagram_min_width(svg, 1.5)}px" in ex.diagram.value
    assert "font-size:26px" in ex.summary.value and "zoom:1.5" in ex.tables.value
    with pytest.raises(ValueError, match="text_scale"):
        ex.text_scale = 10


def test_proj_size_slider_ends_below_hidden_size(ex):
    ex.set(**START)
    assert ex.controls["proj_size"].max == 19
    ex.controls["proj_size"].value = 12
    ex.controls["hidden_size"].value = 10  # proj_size 12 would be invalid: the slider follows
    assert ex.controls["proj_size"].max == 9 and ex.controls["proj_size"].value == 9
    assert ex.report is not None and ex.report.shape("h_n") == (1, 3, 9)
    ex.controls["hidden_size"].value = 64
    assert ex.controls["proj_size"].max == 63 and ex.report.shape("c_n") == (1, 3, 64)
    ex.set(hidden_size=8, proj_size=8)  # from code the error stays reachable
    assert ex.report is None and ex.error_message.startswith("proj_size must be smaller")


def test_snapshot_is_static_inline_styled_html_of_the_current_state(ex):
    ex.set(**START)
    ex.set(proj_size=8, num_layers=2)
    snap = ex.snapshot()
    assert snap.html == ex.snapshot().html  # deterministic (nbval compares it exactly)
    assert "proj_size=8" in snap.html and "class='lx-h_n'>(2, 3, 8)<" in snap.html
    assert "data:image/svg+xml;base64," in snap.html
    # the explorer's own parts (the tables are the report's HTML, styled inline by its renderer)
    mine = snap.html.replace(_strip_header(ex.report._repr_html_(), ex.report.header()), "")
    for banned in ("<script", "<svg", "<style", " id="):
        assert banned not in mine
    assert "\n" not in repr(snap) and "h_n (2, 3, 8)" in repr(snap)
    ex.set(num_layers=3)  # a snapshot keeps its moment
    assert "class='lx-h_n'>(2, 3, 8)<" in snap.html
    bundle = ex._repr_mimebundle_()
    assert set(bundle) == {
        "text/plain",
        "text/html",
        "application/vnd.jupyter.widget-view+json",
    }
    assert bundle["text/html"] == ex.snapshot().html
    assert bundle["text/plain"] == repr(ex) and "\n" not in repr(ex) and len(repr(ex)) < 120
    assert repr(ex).startswith("<ShapeExplorer: nn.LSTM(100, 20, num_layers=3, proj_size=8)")
    ex.set(proj_size=20)
    assert "lx-error" in ex.snapshot().html and "invalid" in repr(ex.snapshot())


def test_png_diagram_and_bad_format():
    ex = ShapeExplorer(diagram_format="png")
    assert ex.image.startswith(b"\x89PNG") and "data:image/png;base64," in ex.diagram.value
    assert ShapeExplorer().image.startswith(b"<svg")
    with pytest.raises(ValueError, match="diagram_format"):
        ShapeExplorer(diagram_format="gif")


def test_parse_lengths():
    assert parse_lengths("") is None
    assert parse_lengths(" 5, 3 ,2 ") == (5, 3, 2)
    assert parse_lengths("5 3 2") == (5, 3, 2)
    with pytest.raises(ValueError, match="lengths"):
        parse_lengths("5, 3.5")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    mode=st.sampled_from(["RNN", "LSTM", "GRU"]),
    num_layers=st.integers(1, 4),
    hidden_size=st.integers(1, 12),
    proj_size=st.integers(0, 14),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    unbatched=st.booleans(),
    seq_len=st.integers(1, 6),
    batch=st.integers(1, 4),
    lengths=st.lists(st.integers(0, 7), max_size=4).map(lambda v: ", ".join(map(str, v))),
)
def test_any_control_values_give_a_consistent_view_or_the_error(ex, **values):
    ex.set(**values)  # never raises
    try:
        config = ex.config_from_controls()
    except ValueError as exc:
        assert ex.report is None
        assert str(exc) in ex.view_text()
        return
    assert_consistent(ex)
    assert ex.report.config == config
