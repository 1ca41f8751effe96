"""What the browser tests share: Chromium from ``tools/headless.py``, and skipping without it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from headless import CHROMIUM, CHROMIUM_ARGS, free_port, wait_for_server

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "free_port", "require_browser", "wait_for_server"]


def require_browser() -> None:
    """Skip without Chromium and Playwright; fail instead when LSTM_EXPLAIN_REQUIRE_BROWSER=1 (CI)."""
    if not CHROMIUM.exists():
        reason = (
            f"headless Chromium not found at {CHROMIUM}: install it with "
            "`apt-get install chromium chromium-driver` (make browser-deps)"
        )
        if os.environ.get("LSTM_EXPLAIN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (LSTM_EXPLAIN_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    pytest.importorskip("playwright.sync_api")
