"""The result protocol (:mod:`lstm_explain.render`), once for every result type.

``ShapeReport``, ``ShapeTrace``, ``Diagnosis`` and ``GateTrace`` each give ``to_dict()`` (JSON),
a multi-line ``str()``, a short one-line ``repr()``, HTML styled inline (no ``<style>`` block,
which JupyterLab strips from untrusted output), ``ok`` where defined, and ``find(key)``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import torch

from lstm_explain import Diagnosis, GateTrace, ShapeReport, ShapeTrace
from lstm_explain.shapes import Check
from lstm_explain.tracing import TracedCall
from tests._results import CASES

#: type -> (a case, a key find() knows, what it returns, a key it does not know)
PROTOCOL: dict[type, tuple[str, Any, type, Any]] = {
    ShapeReport: ("shape_report_lstm_proj_batch_first", "h_n[-1]", Check, "no such check"),
    ShapeTrace: ("shape_trace_tagger", "lstm", TracedCall, "decoder"),
    Diagnosis: ("diagnosis_missing_c0", "h_0", object, "c_0"),
    GateTrace: ("gate_trace_lstm_bidirectional_proj", "f", torch.Tensor, "r"),
}


@pytest.fixture(scope="module", params=list(PROTOCOL), ids=lambda t: t.__name__)
def result(request: pytest.FixtureRequest) -> Any:
    value = CASES[PROTOCOL[request.param][0]]()
    assert type(value) is request.param
    return value


def test_to_dict_is_json(result: Any) -> None:
    d = result.to_dict()
    assert isinstance(d, dict) and d
    assert json.loads(json.dumps(d)) == d
    assert all(isinstance(k, str) and k.isascii() for k in d)


def test_str_is_a_multi_line_table(result: Any) -> None:
    text = str(result)
    assert len(text.splitlines()) >= 5
    assert not any(line != line.rstrip() for line in text.splitlines())


def test_repr_is_one_short_line(result: Any) -> None:
    text = repr(result)
    assert "\n" not in text and len(text) <= 160
    assert text.startswith(f"<{type(result).__name__}")


def test_html_is_styled_inline(result: Any) -> None:
    html = result._repr_html_()
    assert "<style" not in html.lower() and "<table" in html
    assert html.count("<table") == html.count("</table>")
    # every table and every cell carries its own style; shape cells never wrap
    assert re.findall(r"<table[^>]*>", html) == re.findall(r"<table[^>]* style='[^']+'>", html)
    assert re.findall(r"<t[dh][ >]", html) and all(
        "style='" in tag for tag in re.findall(r"<t[dh][^>]*>", html)
    )
    assert "white-space:nowrap" in html and "font-family:monospace" in html
    assert "text-align:left" in html


def test_ok_is_a_bool_where_defined(result: Any) -> None:
    if isinstance(result, GateTrace):  # by construction: see GateTrace's docstring
        assert not hasattr(result, "ok")
        return
    assert isinstance(result.ok, bool)
    assert result.ok is (type(result) is not Diagnosis)  # the Diagnosis case has a problem


def test_find_is_the_one_lookup_verb(result: Any) -> None:
    _, key, kind, missing = PROTOCOL[type(result)]
    assert isinstance(result.find(key), kind)
    with pytest.raises(KeyError if not isinstance(result, GateTrace) else ValueError):
        result.find(missing)


def test_older_lookup_names_still_work(result: Any) -> None:
    _, key, _, _ = PROTOCOL[type(result)]
    if isinstance(result, ShapeReport):
        assert result.check(key) is result.find(key)
    elif isinstance(result, ShapeTrace):
        assert result[key] is result.find(key)
    elif isinstance(result, Diagnosis):
        assert result.problem(key) is result.find(key)
    else:
        assert result.gate(key, 1, 1) is result.find(key, layer=1, direction=1)


def test_ok_marks_are_coloured(result: Any) -> None:
    html = result._repr_html_()
    if "✓" in html:
        assert "color:#1a7f37" in html
    if "✗" in html:
        assert "color:#cf222e" in html


def test_gate_trace_holds_its_config_and_keeps_the_old_attributes() -> None:
    trace = CASES["gate_trace_lstm_bidirectional_proj"]()
    c = trace.config
    assert (c.mode, c.input_size, c.hidden_size, c.num_layers, c.proj_size) == ("LSTM", 3, 6, 2, 2)
    assert c.bidirectional and c.batch is None and c.seq_len == 4
    assert (trace.mode, trace.num_layers, trace.num_directions, trace.hidden_size) == (
        "LSTM",
        2,
        2,
        6,
    )
    assert (trace.proj_size, trace.batched, trace.batch_first, trace.nonlinearity) == (
        2,
        False,
        False,
        "tanh",
    )
    assert trace.gate_names == ("i", "f", "g", "o", "c", "h")
    with pytest.raises(AttributeError):
        trace.hidden_size = 7  # read-only: change the config instead
    packed = CASES["gate_trace_gru_packed"]()
    assert packed.config.lengths == (5, 2) and packed.config.bias is False


def test_figure_verb_is_plot_and_the_draw_names_are_aliases() -> None:
    import lstm_explain
    from lstm_explain import plotting
    from lstm_explain.plotting import cell_diagram, data, packing, unrolled

    for module, names in (
        (unrolled, ["unrolled"]),
        (data, ["data_cube", "layouts"]),
        (cell_diagram, ["lstm_cell"]),
        (packing, ["packing", "last_valid"]),
    ):
        for name in names:
            plot = getattr(module, f"plot_{name}")
            assert getattr(module, f"draw_{name}") is plot
            assert getattr(plotting, f"plot_{name}") is plot
            assert getattr(plotting, f"draw_{name}") is plot
    assert lstm_explain.plot_unrolled is lstm_explain.draw_unrolled
    assert "plot_unrolled" in lstm_explain.__all__ and "draw_unrolled" in lstm_explain.__all__


def test_one_renderer_one_shape_formatter() -> None:
    from pathlib import Path

    import lstm_explain
    from lstm_explain import render, shapes
    from lstm_explain.tracing import records

    assert shapes.fmt_shape is render.fmt_shape and records.fmt_shape is render.fmt_shape
    assert shapes.Shape is render.Shape and records.Shape is render.Shape
    root = Path(lstm_explain.__file__).parent
    renderers = ["shapes.py", "gates.py", "tracing/render.py", "diagnosis/results.py"]
    styled = [p for p in renderers if "<style" in (root / p).read_text(encoding="utf-8")]
    assert styled == []
