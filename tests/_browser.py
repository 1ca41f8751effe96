"""What the browser tests share: Chromium from ``tools/headless.py``, and skipping without it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from headless import CHROMIUM, CHROMIUM_ARGS, free_port, wait_for_server

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "cjk_fonts",
    "fonts_drawing",
    "free_port",
    "require_browser",
    "wait_for_server",
]


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


def cjk_fonts() -> set[str]:
    """The families of this machine's fonts that have Chinese glyphs (fontconfig's ``:lang=zh``)."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list not found: cannot tell which fonts have Chinese glyphs")
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True
    ).stdout
    families = {family.strip() for line in out.splitlines() for family in line.split(",")}
    assert families, "no font with Chinese glyphs on this machine: apt-get install fonts-noto-cjk"
    return families


def fonts_drawing(page, selector: str) -> dict[str, int]:
    """The fonts Chromium really drew the text of the first ``selector`` with: {family: glyphs}.

    From the DevTools protocol (CSS.getPlatformFontsForNode), not from CSS: a Chinese text drawn
    without a font that has its glyphs ("tofu" boxes) shows here as a font without Chinese."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"nothing matches {selector}"
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    finally:
        cdp.detach()
    return {f["familyName"]: f["glyphCount"] for f in fonts}
