"""Visible checks print the claim when it holds and fail loudly when it does not."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_explain import CheckFailed, check, check_all


def test_tensor_claim_prints_tolerance_not_the_difference(
    capsys: pytest.CaptureFixture[str],
) -> None:
    a = torch.ones(2, 3)
    check("out[-1] == h_n[-1]", a, a + 1e-8)
    assert capsys.readouterr().out == "✓ out[-1] == h_n[-1]   (|difference| ≤ 1e-6)\n"


def test_tensor_claim_fails_with_the_difference() -> None:
    with pytest.raises(CheckFailed, match=r"✗ out\[-1\] == h_n\[-1\]: max \|difference\| = 0.5"):
        check("out[-1] == h_n[-1]", torch.zeros(2), torch.tensor([0.0, 0.5]))
    with pytest.raises(AssertionError, match="shapes differ"):
        check("x == y", torch.zeros(2), torch.zeros(3))
    with pytest.raises(CheckFailed, match="nan"):
        check("x == y", torch.tensor([float("nan")]), torch.tensor([0.0]))


def test_shapes_and_bools(capsys: pytest.CaptureFixture[str]) -> None:
    check("out.shape == (T, N, D*H)", torch.zeros(5, 3, 40).shape, (5, 3, 40))
    check("acc > 0.9", True)
    check("all positive", torch.ones(3) > 0)
    check("numpy bool", np.float64(1.0) > 0)
    assert capsys.readouterr().out.splitlines() == [
        "✓ out.shape == (T, N, D*H): (5, 3, 40)",
        "✓ acc > 0.9",
        "✓ all positive",
        "✓ numpy bool",
    ]
    with pytest.raises(CheckFailed, match=r"\(5, 3, 40\) != \(3, 5, 40\)"):
        check("batch first", (5, 3, 40), (3, 5, 40))
    with pytest.raises(CheckFailed, match="it is False here"):
        check("acc > 0.9", False)
    with pytest.raises(TypeError, match="pass a bool"):
        check("oops", 3)


def test_check_all(capsys: pytest.CaptureFixture[str]) -> None:
    check_all("one step == the module", {"RNN": True, "GRU": True})
    assert capsys.readouterr().out == "✓ one step == the module   (RNN, GRU)\n"
    with pytest.raises(CheckFailed, match="fails for LSTM"):
        check_all("one step == the module", {"RNN": True, "LSTM": False})


def test_the_tolerance_line_speaks_the_learners_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from lstm_explain import use_language

    with use_language("zh_CN"):
        check("out[-1] == h_n[-1]", torch.ones(2), torch.ones(2))
        with pytest.raises(CheckFailed, match=r"max \|difference\|"):  # raised text stays English
            check("x == y", torch.zeros(2), torch.ones(2))
    assert capsys.readouterr().out == "✓ out[-1] == h_n[-1]   (|差值| ≤ 1e-6)\n"
