"""The classroom app in a real browser: Voila serves it, headless Chromium turns its knobs.

Needs Debian's Chromium at /usr/bin/chromium (``make browser-deps``); Playwright cannot download a
browser here. Without it the test is skipped, unless LSTM_EXPLAIN_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure. Saves a screenshot to artifacts/explorer.png.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "notebooks" / "apps" / "classroom_explorer.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = ROOT / "artifacts" / "explorer.png"

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with code {proc.returncode} before serving {url}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:  # it answers: up
            return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"voila did not answer at {url} within {timeout:.0f} s")


@pytest.fixture
def voila_app(tmp_path):
    """URL of the app served by Voila on 127.0.0.1 (a copy: the stored notebook stays as is)."""
    if not CHROMIUM.exists():
        reason = (
            f"headless Chromium not found at {CHROMIUM}: install it with "
            "`apt-get install chromium chromium-driver` (make browser-deps)"
        )
        if os.environ.get("LSTM_EXPLAIN_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (LSTM_EXPLAIN_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    pytest.importorskip("playwright.sync_api")
    shutil.copy(APP, tmp_path / APP.name)
    port = _free_port()
    log = (tmp_path / "voila.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            APP.name,
            "--no-browser",
            "--Voila.ip=127.0.0.1",
            f"--port={port}",
        ],
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_for_server(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def _shown(page, name: str) -> str:
    return page.locator(f".lx-{name}").first.inner_text()


def _wait_shown(page, name: str, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "([sel, want]) => { const e = document.querySelector(sel); "
        "return e !== null && e.innerText.trim() === want; }",
        arg=[f".lx-{name}", text],
        timeout=timeout,
    )


def test_turning_the_knobs_in_the_browser_updates_the_shapes(voila_app):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.goto(voila_app, timeout=90_000)
            page.locator(".lx-h_n").first.wait_for(timeout=90_000)
            assert _shown(page, "h_n") == "(1, 3, 20)"
            assert _shown(page, "output") == "(5, 3, 20)"

            # num_layers: the page's own slider, driven from the keyboard (1 -> 8)
            slider = page.locator(
                ".widget-slider", has=page.locator("label", has_text=re.compile(r"^num_layers$"))
            )
            handle = slider.locator(".noUi-handle")
            handle.focus()
            for _ in range(7):
                page.keyboard.press("ArrowRight")
            _wait_shown(page, "h_n", "(8, 3, 20)")
            assert handle.get_attribute("aria-valuenow").startswith("8")

            page.get_by_label("bidirectional").check()
            _wait_shown(page, "h_n", "(16, 3, 20)")
            _wait_shown(page, "output", "(5, 3, 40)")

            page.get_by_label("batch_first").check()
            _wait_shown(page, "output", "(3, 5, 40)")
            _wait_shown(page, "input", "(3, 5, 100)")
            assert _shown(page, "h_n") == "(16, 3, 20)"  # batch_first leaves the states alone

            summary = page.locator(".lx-summary").first.inner_text()
            assert "num_layers=8" in summary and "batch_first=True" in summary
            tables = page.locator(".lx-shapes").first.inner_text()
            assert "(16, 3, 20)" in tables and "(3, 5, 40)" in tables
            diagram = page.locator(".widget-image").first
            assert diagram.is_visible()
            assert diagram.bounding_box()["height"] > 200

            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
