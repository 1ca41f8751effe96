"""The documentation site in a real browser: every page of build/docs/, fully offline.

``make test`` builds the site first (``make docs``); run alone, this module builds it once per
session unless ``build/docs/`` is newer than every source (``tools/build_docs.py``). The site is
served on 127.0.0.1 and opened in headless Chromium with every non-loopback request blocked and
recorded. For every page: no blocked or failed request, no HTTP error, no console or page error,
every image loaded; on pages with widgets, every widget view rendered; on pages with math, every
formula typeset. A few pages are opened again from file://. Screenshots (1280x800) of the landing
page, notebooks 01 and 11 and the API page go to artifacts/docs-*.png.

Needs Debian's Chromium at /usr/bin/chromium (``make browser-deps``); without it the tests are
skipped, unless LSTM_EXPLAIN_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from _browser import CHROMIUM, CHROMIUM_ARGS, require_browser

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "docs"
ARTIFACTS = ROOT / "artifacts"
VIEWPORT = {"width": 1280, "height": 800}
WIDGET_PAGES = {
    "course/11_shape_explorer.html",
    "course/14_inside_the_cell.html",
    "course/apps/classroom_explorer.html",
}
FILE_PAGES = [  # opened again from disk: plain pages, math, widgets, the API
    "index.html",
    "course/04_nn_lstm.html",
    "course/11_shape_explorer.html",
    "course/apps/classroom_explorer.html",
    "api.html",
]
SCREENSHOTS = {
    "index.html": "docs-landing.png",
    "course/01_shapes_at_a_glance.html": "docs-01.png",
    "course/11_shape_explorer.html": "docs-11.png",
    "api.html": "docs-api.png",
}

pytestmark = pytest.mark.browser

sys.path.insert(0, str(ROOT / "tools"))
import build_docs  # noqa: E402


@pytest.fixture(scope="module")
def site() -> Path:
    """build/docs/, built now unless a build newer than every source is already there."""
    if not build_docs.is_fresh():
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py")], check=True)
    assert (SITE / "index.html").exists()
    return SITE


def _pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.relative_to(site).parts[0] not in {"zh_CN", "_static"}
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def server(site):
    """The site on a free port of 127.0.0.1 (a thread of this process)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about", "file"}:
        return True
    return parts.hostname in {"127.0.0.1", "localhost", "::1"}


class Recorder:
    """One browser context that blocks, and records, everything that is not loopback or disk."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.route("**/*", self._route)
        self.blocked: list[str] = []

    def _route(self, route) -> None:
        url = route.request.url
        if _local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def visit(self, url: str, screenshot: Path | None = None) -> list[str]:
        """Open one page; return its problems as readable lines (empty: the page is fine)."""
        problems: list[str] = []
        self.blocked.clear()
        page = self.context.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and problems.append(f"console error: {m.text[:300]}"),
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {str(e)[:300]}"))
        page.on(
            "requestfailed",
            lambda r: problems.append(f"request failed: {r.url} ({r.failure})"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"),
        )
        try:
            page.goto(url, wait_until="load", timeout=60_000)
            problems += self._check_widgets(page)
            problems += self._check_math(page)
            problems += self._check_images(page)
            problems += self._check_fonts(page)
            if screenshot is not None:
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=str(screenshot))
        finally:
            page.close()
        problems += [f"blocked non-loopback request: {u}" for u in self.blocked]
        return problems

    @staticmethod
    def _check_widgets(page) -> list[str]:
        views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
        if not views:
            return []
        try:  # each view gets a subarea with the rendered widget in it
            page.wait_for_function(
                """n => {
                    const areas = document.querySelectorAll('.widget-subarea');
                    return areas.length === n && [...areas].every(
                        a => a.querySelector('.jupyter-widgets') && a.offsetHeight > 50);
                }""",
                arg=views,
                timeout=30_000,
            )
        except Exception:
            rendered = page.locator(".widget-subarea .jupyter-widgets").count()
            return [f"widgets: {rendered} of {views} views rendered"]
        return []

    @staticmethod
    def _check_math(page) -> list[str]:
        formulas = page.locator(".math").count()
        if not formulas:
            return []
        try:
            page.wait_for_function(
                """n => document.querySelectorAll('.math mjx-container').length >= n
                       && !document.querySelector('mjx-merror')""",
                arg=formulas,
                timeout=30_000,
            )
        except Exception:
            done = page.locator(".math mjx-container").count()
            return [f"math: {done} of {formulas} formulas typeset (or a MathJax error)"]
        return []

    @staticmethod
    def _check_images(page) -> list[str]:
        broken = page.evaluate(
            """async () => {
                const imgs = [...document.images];
                await Promise.all(imgs.map(i => i.decode().catch(() => null)));
                return imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                           .map(i => i.currentSrc || i.src || i.alt);
            }"""
        )
        return [f"image not loaded: {src[:120]}" for src in broken]

    @staticmethod
    def _check_fonts(page) -> list[str]:
        failed = page.evaluate(
            """async () => {
                await document.fonts.ready;
                return [...document.fonts].filter(f => f.status === 'error').map(f => f.family);
            }"""
        )
        return [f"font failed to load: {family}" for family in failed]


def _report(results: dict[str, list[str]]) -> str:
    bad = {page: problems for page, problems in results.items() if problems}
    return json.dumps(bad, indent=1)


def test_site_has_a_page_per_notebook(site):
    pages = set(_pages(site))
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) >= 17
    for nb in notebooks:
        assert f"course/{nb.stem}.html" in pages, nb.name
    assert "course/apps/classroom_explorer.html" in pages
    for page in ("index.html", "run.html", "cheatsheet.html", "api.html", "search.html"):
        assert page in pages
    assert any(p.startswith("api/generated/lstm_explain.shapes") for p in pages)
    index = (site / "index.html").read_text()
    for nb in notebooks:  # the learning path links every notebook
        assert f'href="course/{nb.stem}.html"' in index, nb.name


def test_every_page_works_offline_from_a_local_server(site, server, browser):
    recorder = Recorder(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    results: dict[str, list[str]] = {}
    try:
        for page in _pages(site):
            shot = ARTIFACTS / SCREENSHOTS[page] if page in SCREENSHOTS else None
            results[page] = recorder.visit(server + page, screenshot=shot)
    finally:
        recorder.context.close()
    assert len(results) >= 17 + 5
    assert not any(results.values()), _report(results)
    for name in SCREENSHOTS.values():
        assert (ARTIFACTS / name).stat().st_size > 20_000, name


def test_widget_pages_say_what_is_a_snapshot(site):
    for page in WIDGET_PAGES:
        html = (site / page).read_text()
        assert "widget-state+json" in html, page
        assert "nothing recomputes" in html and "Saved widget view" in html, page
        assert "tex-chtml.js" not in html, page  # MathJax 3 breaks ipywidgets (#3829)
    plain = (site / "course/01_shapes_at_a_glance.html").read_text()
    assert "Stored notebook" in plain and "require.js" not in plain


def test_pages_work_from_file_urls(site, browser):
    recorder = Recorder(browser)
    try:
        results = {page: recorder.visit((site / page).as_uri()) for page in FILE_PAGES}
    finally:
        recorder.context.close()
    assert not any(results.values()), _report(results)


def test_search_works_offline(site, server, browser):
    recorder = Recorder(browser)
    try:
        page = recorder.context.new_page()
        page.goto(server + "search.html?q=bidirectional", wait_until="load")
        page.locator("#search-results li").first.wait_for(timeout=30_000)
        hits = page.locator("#search-results li a").all_inner_texts()
    finally:
        recorder.context.close()
    assert any("Bidirectional" in h for h in hits), hits
    assert not recorder.blocked
