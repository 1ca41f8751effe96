"""Visible checks: a lesson's claim, printed as ``✓ claim`` when it holds, loud when it breaks.

A notebook teaches ``output[-1] == h_n[-1]``; ``check("out[-1] == h_n[-1]", out[-1], h_n[-1])``
prints ``✓ out[-1] == h_n[-1]`` and raises :class:`CheckFailed` (an ``AssertionError``, so nbval
and pytest fail) with the measured difference when it does not hold. Tensors are compared within a
tolerance, never bit for bit (rounding differs across CPUs, thread counts and GPUs); the printed
line shows the tolerance, never the machine's own difference, so stored outputs stay portable.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["CheckFailed", "check", "check_all"]

_NO_VALUE: Any = object()


class CheckFailed(AssertionError):
    """A claim the lesson makes did not hold on this machine."""


def _is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "dtype")


def _fmt_tol(atol: float) -> str:
    return f"{atol:.0e}".replace("e-0", "e-")


def _within(atol: float) -> str:
    """The suffix of a claim that held within a tolerance, in the learner's language."""
    from .i18n import _

    return "   " + _("(|difference| ≤ {tolerance})").format(tolerance=_fmt_tol(atol))


def _compare(actual: Any, expected: Any, atol: float) -> tuple[bool, str, str]:
    """(holds, suffix printed when it holds, reason when it does not)."""
    if _is_tensor(actual) or _is_tensor(expected):
        import torch

        a = torch.as_tensor(actual).detach().cpu()
        b = torch.as_tensor(expected).detach().cpu()
        if a.shape != b.shape:
            return False, "", f"shapes differ: {tuple(a.shape)} vs {tuple(b.shape)}"
        if a.is_floating_point() or b.is_floating_point():
            diff = (a.double() - b.double()).abs().max().item() if a.numel() else 0.0
            if math.isnan(diff) or diff > atol:
                return False, "", f"max |difference| = {diff:.3g} > {_fmt_tol(atol)}"
            return True, _within(atol), ""
        same = bool(torch.equal(a, b))
        return same, "", "" if same else "values differ"
    if isinstance(actual, float) or isinstance(expected, float):
        diff = abs(float(actual) - float(expected))
        if not diff <= atol:
            return (
                False,
                "",
                f"{actual!r} vs {expected!r}: |difference| = {diff:.3g} > {_fmt_tol(atol)}",
            )
        return True, _within(atol), ""
    if hasattr(actual, "__len__") and hasattr(expected, "__len__") and not isinstance(actual, str):
        actual, expected = tuple(actual), tuple(expected)
    if actual == expected:
        return True, f": {actual}" if isinstance(actual, tuple) else "", ""
    return False, "", f"{actual!r} != {expected!r}"


def check(claim: str, actual: Any, expected: Any = _NO_VALUE, *, atol: float = 1e-6) -> None:
    """Print ``✓ claim`` if it holds; raise :class:`CheckFailed` saying why if it does not.

    Args:
        claim: the lesson's claim as the learner reads it, e.g. ``"out[-1] == h_n[-1]"``.
        actual: a bool (the claim itself), or the value to compare with ``expected``.
        expected: what ``actual`` should equal. Tensors and floats are compared within ``atol``;
            shapes, tuples and ints exactly (a shape is printed after the claim).
        atol: the largest absolute difference accepted between floating-point values.
    """
    if expected is _NO_VALUE:
        if _is_tensor(actual):
            actual = bool(actual.all())
        elif getattr(getattr(actual, "dtype", None), "kind", "") == "b" and not actual.shape:
            actual = bool(actual)  # a numpy bool (numpy.bool_, or numpy.bool since numpy 2)
        if not isinstance(actual, bool):
            raise TypeError(
                f"check({claim!r}, ...): pass a bool, or a value and what it should equal"
            )
        holds, suffix, reason = actual, "", "it is False here"
    else:
        holds, suffix, reason = _compare(actual, expected, atol)
    if not holds:
        raise CheckFailed(f"✗ {claim}: {reason}")
    print(f"✓ {claim}{suffix}")


def check_all(claim: str, results: dict[Any, bool]) -> None:
    """One line for a claim tested on several cases: ``✓ claim (RNN, LSTM, GRU)``.

    ``results`` maps each case's name to whether the claim holds for it; the failing cases are
    named in the error.
    """
    failed = [str(k) for k, ok in results.items() if not ok]
    if failed:
        raise CheckFailed(f"✗ {claim}: fails for {', '.join(failed)}")
    print(f"✓ {claim}   ({', '.join(str(k) for k in results)})")
