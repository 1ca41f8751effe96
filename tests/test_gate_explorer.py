"""GateExplorer: driven by setting .value, the view follows the selection."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from torch import nn

from lstm_explain.gates import trace_gates
from lstm_explain.widgets.gate_explorer import GateExplorer

PNG = b"\x89PNG"


@pytest.fixture
def explorer():
    torch.manual_seed(0)
    return GateExplorer(nn.LSTM(3, 6, num_layers=2, bidirectional=True), torch.randn(8, 3, 3))


def test_builds_from_a_module_with_controls_for_the_trace(explorer):
    c = explorer.controls
    assert [v for _, v in c["layer"].options] == [0, 1]
    assert [v for _, v in c["direction"].options] == [0, 1]
    assert c["sample"].max == 2
    assert list(c["gate"].options) == ["i", "f", "g", "o", "c", "h"]
    assert c["gate"].value == "f" and c["units"].value == (0, 1, 2)
    assert bytes(explorer.heatmap.value).startswith(PNG)
    assert bytes(explorer.trajectories.value).startswith(PNG)


def test_view_follows_controls(explorer):
    before = (explorer.heatmap.value, explorer.trajectories.value, explorer.stats.value)
    explorer.controls["layer"].value = 1
    explorer.controls["direction"].value = 1
    explorer.controls["gate"].value = "o"
    explorer.controls["units"].value = (4,)
    after = (explorer.heatmap.value, explorer.trajectories.value, explorer.stats.value)
    assert all(a != b for a, b in zip(before, after, strict=True))
    o = explorer.trace.gates[1][1]["o"][..., 4]
    stats = explorer.stats.value
    assert "<b>o</b> (layer 1, backward)" in stats and "unit 4" in stats and "unit 0" not in stats
    assert f">{float(o.mean()):.3f}</td>" in stats
    assert f">{float(o.max()):.3f}</td>" in stats
    explorer.controls["gate"].value = "c"  # not a sigmoid: no saturation columns
    assert "above_0.9" not in explorer.stats.value
    explorer.controls["units"].value = ()
    assert "pick at least one unit" in explorer.error.value
    # no stale numbers or curves of the units no longer chosen
    assert explorer.stats.value == "" and explorer.trajectories.layout.display == "none"
    assert "unit 4" not in explorer.snapshot().html
    explorer.controls["units"].value = (0,)
    assert explorer.error.value == "" and "unit 0" in explorer.stats.value
    assert explorer.trajectories.layout.display is None


def test_images_at_natural_size_and_a_static_snapshot(explorer):
    # drawn at 1.5x, shown at the figure's own size (never stretched to the box)
    for image in (explorer.heatmap, explorer.trajectories):
        assert image.layout.width.endswith("px") and image.layout.align_self == "flex-start"
    snap = explorer.snapshot()
    assert snap.html.count("data:image/png;base64,") == 2
    assert "<style" not in snap.html and "<script" not in snap.html
    assert "<b>f</b> (layer 0, forward)" in snap.html and "unit 2" in snap.html
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/html"] == snap.html
    assert bundle["text/plain"] == repr(explorer) and "\n" not in repr(explorer)
    assert (
        repr(explorer)
        == "<GateExplorer: LSTM layer 0, direction 0, sample 0, gate f, units [0, 1, 2]>"
    )


def test_builds_from_a_trace_with_token_labels():
    torch.manual_seed(0)
    trace = trace_gates(nn.GRU(2, 4), torch.randn(5, 2))  # unbatched: N = 1
    ex = GateExplorer(trace, inputs=list("abcde"), units=[3])
    assert ex.trace is trace
    assert ex.controls["gate"].value == "z"
    assert ex.controls["sample"].disabled
    assert [v for _, v in ex.controls["direction"].options] == [0]
    assert "unit 3" in ex.stats.value


def test_per_sample_input_labels():
    torch.manual_seed(0)
    trace = trace_gates(nn.LSTM(2, 3), torch.randn(4, 2, 2))
    seen = []
    ex = GateExplorer(trace, inputs=lambda s: seen.append(s) or list("wxyz" if s else "abcd"))
    ex.controls["sample"].value = 1
    assert seen == [0, 1]


def test_bad_arguments():
    with pytest.raises(ValueError, match="x is needed to trace a module"):
        GateExplorer(nn.LSTM(2, 3))
    with pytest.raises(ValueError, match=r"units must be integers in \[0, 2\] \(got units=\[7\]\)"):
        GateExplorer(nn.LSTM(2, 3), torch.randn(4, 1, 2), units=[7])


def test_stats_units_follow_the_choice_in_any_language():
    import torch
    from torch import nn

    from lstm_explain import GateExplorer, trace_gates

    torch.manual_seed(0)
    lstm = nn.LSTM(3, 4)
    explorer = GateExplorer(trace_gates(lstm, torch.randn(5, 2, 3)), units=[1, 2])
    assert explorer.stats_units == (1, 2)
    explorer.controls["units"].value = ()
    assert explorer.stats_units == ()  # nothing stale
    explorer.controls["units"].value = (3,)
    assert explorer.stats_units == (3,)
