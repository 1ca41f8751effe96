"""The course in a real browser, as learners and teachers see it (headless Chromium, 1280x720).

- The classroom app, served by Voila on 127.0.0.1 with the project's "classroom" template: its
  knobs turn, the summary and the diagram sit above the fold, every diagram label is at least
  12 px as displayed, an invalid value keeps the layout, and the page asks nothing of the internet
  (any non-loopback request or console error fails the test).
- The Chinese twin of the app (notebooks/zh_CN/apps/), served the same way: Chinese labels drawn
  in a font that has Chinese glyphs, a knob turned updates the shapes, and the 中文 / English
  switch relabels everything in place, keeping every value, both ways.
- Notebooks 11 and 14 opened as stored, without running them (JupyterLab, untrusted as a
  downloaded notebook is): each explorer output shows its static snapshot, not repr text.

Needs Debian's Chromium at /usr/bin/chromium (``make browser-deps``); Playwright cannot download a
browser here. Without it the tests are skipped, unless LSTM_EXPLAIN_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure. Screenshots go to artifacts/ (1280x720 and 1920x1080): look at them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    cjk_fonts,
    fonts_drawing,
    free_port,
    require_browser,
    wait_for_server,
)

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "notebooks" / "apps" / "classroom_explorer.ipynb"
APP_ZH = ROOT / "notebooks" / "zh_CN" / "apps" / "classroom_explorer.ipynb"
TEMPLATES = ROOT / "notebooks" / "apps" / "share"
STORED = [
    ROOT / "notebooks" / "11_shape_explorer.ipynb",
    ROOT / "notebooks" / "14_inside_the_cell.ipynb",
]
ARTIFACTS = ROOT / "artifacts"
SMALL = {"width": 1280, "height": 720}
LARGE = {"width": 1920, "height": 1080}

pytestmark = pytest.mark.browser


def _env(**extra: str) -> dict[str, str]:
    """This checkout's package first on the kernels' path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


def _serve(cmd: list[str], cwd: Path, env: dict[str, str], url: str) -> Iterator[str]:
    log = (cwd / "server.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_server(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def voila_command(notebook: str, port: int) -> list[str]:
    """How `make app` serves the app (also used by benchmarks/app_latency.py)."""
    return [
        sys.executable,
        "-m",
        "voila",
        notebook,
        "--no-browser",
        "--template=classroom",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
    ]


def _serve_app(notebook: Path, tmp: Path) -> Iterator[str]:
    """``notebook`` served by Voila on 127.0.0.1 (a copy: the stored notebook stays as is)."""
    require_browser()
    shutil.copy(notebook, tmp / notebook.name)
    port = free_port()
    env = _env(JUPYTER_PATH=str(TEMPLATES))
    yield from _serve(voila_command(notebook.name, port), tmp, env, f"http://127.0.0.1:{port}/")


@pytest.fixture(scope="module")
def voila_app(tmp_path_factory) -> Iterator[str]:
    """URL of the app served by Voila on 127.0.0.1."""
    yield from _serve_app(APP, tmp_path_factory.mktemp("voila"))


@pytest.fixture(scope="module")
def voila_app_zh(tmp_path_factory) -> Iterator[str]:
    """URL of the app's Chinese twin served by Voila on 127.0.0.1."""
    yield from _serve_app(APP_ZH, tmp_path_factory.mktemp("voila-zh"))


class Watch:
    """Every request a page makes that leaves the machine, and every console error."""

    def __init__(self, page) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("data", "blob", "about") or url.hostname in ("127.0.0.1", "localhost"):
            return
        self.external.append(request.url)


def _launch(p):
    return p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def _shown(page, name: str) -> str:
    return page.locator(f".lx-{name}").first.inner_text()


def _wait_shown(page, name: str, text: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "([sel, want]) => { const e = document.querySelector(sel); "
        "return e !== null && e.innerText.trim() === want; }",
        arg=[f".lx-{name}", text],
        timeout=timeout,
    )


#: The smallest label of the live diagram as displayed, in CSS px (font size x the SVG's scale).
SMALLEST_LABEL = """() => {
  const svg = document.querySelector('svg.lx-diagram');
  const sizes = [...svg.querySelectorAll('text')].map(
    t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a);
  return Math.min(...sizes);
}"""


def _box(page, selector: str) -> dict[str, float]:
    return page.locator(selector).first.bounding_box()


def test_classroom_app_in_the_browser(voila_app):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport=SMALL)
            watch = Watch(page)
            page.goto(voila_app, timeout=90_000)
            page.locator(".lx-h_n").first.wait_for(timeout=90_000)
            assert _shown(page, "h_n") == "(1, 3, 20)"
            assert _shown(page, "output") == "(5, 3, 20)"
            assert page.title().startswith("Shape explorer")

            # at 1280x720: the summary and the whole diagram are above the fold, labels >= 12 px
            page.locator("svg.lx-diagram").first.wait_for()
            for sel in (".lx-summary", "svg.lx-diagram"):
                box = _box(page, sel)
                assert box["y"] + box["height"] <= SMALL["height"], (sel, box)
            assert page.evaluate(SMALLEST_LABEL) >= 11.99
            # results beside the controls, and the mode label beside its buttons like the others
            controls = _box(page, ".widget-toggle-buttons")
            assert _box(page, ".lx-summary")["x"] > controls["x"] + 300
            mode = page.locator(".widget-toggle-buttons", has_text="RNN").first
            label, buttons = mode.locator("label").first, mode.locator("button").first
            assert abs(label.bounding_box()["y"] - buttons.bounding_box()["y"]) < 8
            page.screenshot(path=str(ARTIFACTS / "app-1280x720.png"))

            # num_layers: the page's own slider, driven from the keyboard (1 -> 4)
            slider = page.locator(
                ".widget-slider", has=page.locator("label", has_text=re.compile(r"^num_layers$"))
            )
            handle = slider.locator(".noUi-handle")
            handle.focus()
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            _wait_shown(page, "h_n", "(4, 3, 20)")
            page.get_by_label("bidirectional").check()
            _wait_shown(page, "h_n", "(8, 3, 20)")
            _wait_shown(page, "output", "(5, 3, 40)")
            page.get_by_label("batch_first").check()
            _wait_shown(page, "output", "(3, 5, 40)")
            assert _shown(page, "h_n") == "(8, 3, 20)"  # batch_first leaves the states alone
            assert page.evaluate(SMALLEST_LABEL) >= 11.99
            # the summary and the tables are separate widgets: their updates arrive one by one
            page.wait_for_function(
                "() => { const t = document.querySelector('.lx-shapes'); "
                "return t !== null && t.innerText.includes('(3, 5, 40)'); }",
                timeout=30_000,
            )
            tables = page.locator(".lx-shapes").first.inner_text()
            assert "(8, 3, 20)" in tables and "(3, 5, 40)" in tables

            # the proj_size slider ends at hidden_size - 1
            proj = page.locator(
                ".widget-slider", has=page.locator("label", has_text=re.compile(r"^proj_size"))
            ).locator(".noUi-handle")
            assert proj.get_attribute("aria-valuemax").startswith("19")

            # an invalid value: the message in place of the summary, the diagram stays in place
            before = _box(page, "svg.lx-diagram")
            lengths = page.get_by_label("lengths (packed)")
            lengths.fill("5, x, 2")
            lengths.press("Enter")
            page.locator(".lx-error").first.wait_for(timeout=30_000)
            assert "lengths must be integers" in page.locator(".lx-error").first.inner_text()
            after = _box(page, "svg.lx-diagram")
            assert abs(after["y"] - before["y"]) < 40 and after["height"] == before["height"]
            page.screenshot(path=str(ARTIFACTS / "app-error-1280x720.png"))
            lengths.fill("")
            lengths.press("Enter")
            _wait_shown(page, "output", "(3, 5, 40)")

            # the projector setting, and the large screen
            page.locator(".widget-toggle-buttons button", has_text="150%").click()
            page.wait_for_function(
                "() => document.querySelector('.lx-summary').style.fontSize === '26px'"
            )
            assert page.evaluate(SMALLEST_LABEL) >= 17.9
            page.screenshot(path=str(ARTIFACTS / "app-150pct-1280x720.png"))
            page.locator(".widget-toggle-buttons button", has_text="100%").click()
            page.set_viewport_size(LARGE)
            page.wait_for_timeout(300)
            page.screenshot(path=str(ARTIFACTS / "app-1920x1080.png"))
            assert watch.external == [], f"requests left the machine: {watch.external}"
            assert watch.errors == [], f"console errors: {watch.errors}"
        finally:
            browser.close()


def _labels(page) -> list[str]:
    return [t.strip() for t in page.locator("label").all_inner_texts() if t.strip("\u200b ")]


def _wait_text(page, selector: str, text: str, timeout: float = 30_000) -> None:
    """Wait until the first ``selector`` contains ``text``."""
    page.wait_for_function(
        "([sel, want]) => { const e = document.querySelector(sel); "
        "return e !== null && e.innerText.includes(want); }",
        arg=[selector, text],
        timeout=timeout,
    )


def test_chinese_classroom_app_in_the_browser(voila_app_zh):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    cjk = cjk_fonts()
    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport=SMALL)
            watch = Watch(page)
            page.goto(voila_app_zh, timeout=90_000)
            page.locator(".lx-h_n").first.wait_for(timeout=90_000)
            assert _shown(page, "h_n") == "(1, 3, 20)"
            assert _shown(page, "output") == "(5, 3, 20)"
            # in Chinese: the labels of the knobs, the summary, the tables' headings
            labels = _labels(page)
            assert "无批量输入（没有批量轴）" in labels and "文字大小" in labels, labels
            assert "项检查" in page.locator(".lx-summary").first.inner_text()
            _wait_text(page, ".lx-shapes", "张量")
            # ... drawn with a font that has Chinese glyphs (not as tofu boxes)
            page.locator("label", has_text="无批量输入").first.evaluate(
                "e => e.setAttribute('data-lx-probe', '')"
            )
            fonts = fonts_drawing(page, "[data-lx-probe]")
            assert any(f in cjk and n > 0 for f, n in fonts.items()), fonts
            assert page.evaluate(SMALLEST_LABEL) >= 11.99
            page.screenshot(path=str(ARTIFACTS / "app-zh-1280x720.png"))

            # a knob turned: num_layers 1 -> 3 from the keyboard, then bidirectional
            slider = page.locator(
                ".widget-slider", has=page.locator("label", has_text=re.compile(r"^num_layers$"))
            )
            slider.locator(".noUi-handle").focus()
            for _ in range(2):
                page.keyboard.press("ArrowRight")
            _wait_shown(page, "h_n", "(3, 3, 20)")
            page.get_by_label("bidirectional").check()
            _wait_shown(page, "h_n", "(6, 3, 20)")
            _wait_shown(page, "output", "(5, 3, 40)")
            _wait_text(page, ".lx-shapes", "(6, 3, 20)")

            # 中文 -> English: every label and result relabelled, every value kept
            page.locator(".widget-toggle-buttons button", has_text="English").click()
            _wait_text(page, ".lx-summary", "checks")
            _wait_text(page, ".lx-shapes", "tensor")
            labels = _labels(page)
            assert "unbatched input (no batch axis)" in labels and "text size" in labels, labels
            assert not [t for t in labels if "无批量" in t or "文字" in t], labels
            assert _shown(page, "h_n") == "(6, 3, 20)" and _shown(page, "output") == "(5, 3, 40)"
            page.screenshot(path=str(ARTIFACTS / "app-zh-switched-to-en-1280x720.png"))

            # ... and back to 中文
            page.locator(".widget-toggle-buttons button", has_text="中文").click()
            _wait_text(page, ".lx-summary", "项检查")
            _wait_text(page, ".lx-shapes", "张量")
            assert "无批量输入（没有批量轴）" in _labels(page)
            assert _shown(page, "h_n") == "(6, 3, 20)" and _shown(page, "output") == "(5, 3, 40)"
            assert watch.external == [], f"requests left the machine: {watch.external}"
            assert watch.errors == [], f"console errors: {watch.errors}"
        finally:
            browser.close()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory) -> Iterator[str]:
    """JupyterLab on copies of the stored notebooks, with a fresh signature store: untrusted, as
    a learner who downloads the course opens them."""
    require_browser()
    pytest.importorskip("jupyterlab")
    tmp = tmp_path_factory.mktemp("lab")
    for nb in STORED:
        shutil.copy(nb, tmp / nb.name)
    env = _env(
        JUPYTER_CONFIG_DIR=str(tmp / ".config"),
        JUPYTER_DATA_DIR=str(tmp / ".data"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp / ".settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp / ".workspaces"),
    )
    # render every cell (JupyterLab 4 draws only the visible ones by default)
    tracker = (
        tmp / ".settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    )
    tracker.parent.mkdir(parents=True)
    tracker.write_text('{"windowingMode": "none"}')
    notices = tracker.parent.parent / "apputils-extension" / "notification.jupyterlab-settings"
    notices.parent.mkdir(parents=True)
    notices.write_text('{"fetchNews": "false"}')  # no news toast (and no request for it)
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.token=",
        "--ServerApp.password=",
        "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={tmp}",
        "--LabApp.news_url=",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]
    yield from _serve(cmd, tmp, env, f"http://127.0.0.1:{port}/lab")


@pytest.mark.parametrize(("notebook", "explorers"), [(STORED[0], 7), (STORED[1], 2)])
def test_stored_notebook_shows_snapshots_without_running(jupyterlab, notebook, explorers):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = _launch(p)
        try:
            page = browser.new_page(viewport=SMALL)
            # nothing leaves the machine (JupyterLab itself would ask for news and extensions)
            page.route(
                re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort()
            )
            # a workspace of its own, reset: only this notebook is open
            space = f"{jupyterlab}/workspaces/{notebook.stem}/tree/{notebook.name}?reset"
            page.goto(space, timeout=90_000)
            page.get_by_role("tab", name=notebook.name).first.wait_for(timeout=90_000)
            panel = page.locator(".jp-NotebookPanel:visible")
            snapshots = panel.locator(".jp-OutputArea-output .lx-snapshot")
            snapshots.first.wait_for(timeout=90_000)
            page.wait_for_timeout(500)
            outputs = panel.locator(".jp-OutputArea-output").all_inner_texts()
            assert not [t for t in outputs if "children=(" in t or "Explorer(" in t]
            assert snapshots.count() >= explorers, [t[:80] for t in outputs]
            # every snapshot's picture loads and shows at its natural size (labels >= 12 px)
            sizes = page.evaluate(
                """() => [...document.querySelectorAll('.lx-snapshot img')].map(
                    i => [i.complete && i.naturalWidth > 0, i.getBoundingClientRect().width,
                          parseFloat(i.style.width)])"""
            )
            assert sizes and all(ok for ok, _, _ in sizes)
            assert all(shown >= want - 1 for _, shown, want in sizes if want)
            name = notebook.stem.split("_")[0]
            page.locator(".lx-snapshot").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"notebook{name}-untrusted-1280x720.png"))
        finally:
            browser.close()
