"""The lstm-explain command line: tables, JSON, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lstm_explain.cli import main

ARGS = [
    "shapes", "--mode", "lstm", "--input-size", "100", "--hidden-size", "20", "--num-layers", "4",
    "--bidirectional", "--batch-first", "--proj-size", "0", "--seq-len", "10", "--batch", "3",
]  # fmt: skip


def test_table(capsys) -> None:
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    assert "nn.LSTM(100, 20, num_layers=4, batch_first=True, bidirectional=True)" in out
    assert "(8, 3, 20)" in out and "(3, 10, 40)" in out and "✓" in out


def test_json_schema(capsys) -> None:
    assert main([*ARGS, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert list(d) == ["config", "tensors", "parameters", "num_parameters", "checks", "notes"]
    assert d["tensors"]["h_n"]["observed"] == [8, 3, 20]
    assert d["tensors"]["output"]["observed"] == [3, 10, 40]
    assert d["config"]["batch_first"] is True


def test_unbatched_and_lengths(capsys) -> None:
    assert (
        main(
            [
                "shapes",
                "--mode",
                "gru",
                "--input-size",
                "4",
                "--hidden-size",
                "6",
                "--unbatched",
                "--json",
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["config"]["batch"] is None and d["tensors"]["h_n"]["observed"] == [1, 6]
    assert (
        main(
            [
                "shapes",
                "--input-size",
                "4",
                "--hidden-size",
                "6",
                "--seq-len",
                "10",
                "--lengths",
                "10,7,3",
                "--json",
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["config"]["lengths"] == [10, 7, 3]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--proj-size", "20"],
            "proj_size must be smaller than hidden_size (got proj_size=20, hidden_size=20)",
        ),
        (["--mode", "cnn"], "mode must be one of"),
        (["--num-layers", "0"], "num_layers must be >= 1 (got num_layers=0)"),
        (["--lengths", "10,x"], "expected comma-separated integers"),
        (["--lengths", "10,7"], "lengths must have one entry per sequence"),
        (["--dropout", "1.5"], "dropout must satisfy 0 <= dropout < 1"),
        (["--num-layers", "two"], "invalid int value: 'two'"),
        (["--unbatched", "--lengths", "5"], "--lengths needs a batched input"),
    ],
)
def test_bad_values_exit_2_with_one_line(capsys, argv, message) -> None:
    base = ["shapes", "--input-size", "100", "--hidden-size", "20", "--seq-len", "10"]
    assert main(base + argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("lstm-explain: error:")


def test_missing_required_option(capsys) -> None:
    assert main(["shapes", "--input-size", "3"]) == 2
    assert "--hidden-size" in capsys.readouterr().err


def test_python_dash_m_same_as_console_script() -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "lstm_explain", "shapes", "--mode", "gru", "--input-size", "4",
         "--hidden-size", "6", "--proj-size", "3"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "lstm-explain: error: proj_size is only supported by LSTM (got proj_size=3, mode='GRU')"
    )
    assert "Traceback" not in bad.stderr
    good = subprocess.run(
        [sys.executable, "-m", "lstm_explain", "shapes", "--input-size", "4", "--hidden-size", "6", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(good.stdout)["tensors"]["h_n"]["observed"] == [1, 3, 6]
