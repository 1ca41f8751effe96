"""Golden outputs (torchinfo's habit): ``str()`` of a few fixed results of each type.

A change in rendering shows as a readable diff of ``tests/golden/*.txt``. After a deliberate
change, rewrite them with ``pytest tests/test_golden.py --regen-golden`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._results import CASES

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_matches_golden(name: str, regen_golden: bool) -> None:
    text = str(CASES[name]()) + "\n"
    path = GOLDEN / f"{name}.txt"
    if regen_golden:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path.name}: run pytest {__file__} --regen-golden"
    want = path.read_text(encoding="utf-8")
    assert text == want, f"{path.name} differs (rerun with --regen-golden if intended)"


def test_every_golden_file_has_a_case() -> None:
    stale = sorted(p.stem for p in GOLDEN.glob("*.txt") if p.stem not in CASES)
    assert not stale, f"golden files without a case (delete them): {stale}"
