"""The documentation sites, English (build/docs/) and Chinese (build/docs/zh_CN/), fully offline.

``make test`` builds both first (``make docs``); run alone, this module builds whichever is older
than its sources (``tools/build_docs.py``). Two kinds of check:

- **Every page, read from disk** (fast): no page of either site loads anything from beyond the
  machine (no ``http(s)://`` script, stylesheet, image, frame or font, in attributes or inline CSS),
  and every local resource and link it names exists (images, scripts, stylesheets, other pages,
  the other language's twin).
- **A sample, in headless Chromium**: the site served on 127.0.0.1 with every non-loopback request
  blocked and recorded. The sample is every page that runs something of its own (every page with
  widgets, every page with math) plus one of each other kind (landing page, course list, run,
  cheat sheet, API overview, one API module, a plain notebook): no blocked or failed request, no
  HTTP error, no console or page error, every image loaded, every font loaded; widget views
  rendered, formulas typeset. A few pages are opened again from file://. The Chinese site: its
  landing page, a notebook with math, the explorers' notebook and the glossary, each drawn with a
  CJK font (not as "tofu" boxes: the font Chromium really used, from the DevTools protocol), and
  its search finding Chinese words.

Every page of both sites used to be opened in the browser (about 3 s a page on two cores, nearly
four minutes): what each page could get wrong on its own is what the static pass reads, and what
only a browser sees (widgets, MathJax, fonts, JavaScript errors) is in the sample.

Screenshots (1280x800) go to artifacts/docs-*.png: look at them.

Needs Debian's Chromium at /usr/bin/chromium (``make browser-deps``); without it the browser tests
are skipped, unless LSTM_EXPLAIN_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest
from _browser import CHROMIUM, CHROMIUM_ARGS, cjk_fonts, fonts_drawing, require_browser

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "docs"
ZH = SITE / "zh_CN"
ARTIFACTS = ROOT / "artifacts"
VIEWPORT = {"width": 1280, "height": 800}
WIDGET_PAGES = {
    "course/11_shape_explorer.html",
    "course/14_inside_the_cell.html",
    "course/apps/classroom_explorer.html",
}
# one page of each kind that runs nothing of its own (pages with widgets or math are all visited)
PLAIN_SAMPLE = [
    "index.html",
    "course.html",
    "run.html",
    "cheatsheet.html",
    "api.html",
    "api/generated/lstm_explain.shapes.html",
    "course/01_shapes_at_a_glance.html",
    "glossary.zh_CN.html",
]
FILE_PAGES = [  # opened again from disk: a plain page, math, widgets, the Chinese landing page
    "index.html",
    "course/04_nn_lstm.html",
    "course/11_shape_explorer.html",
    "zh_CN/index.html",
]
SCREENSHOTS = {
    "index.html": "docs-landing.png",
    "course/01_shapes_at_a_glance.html": "docs-01.png",
    "course/11_shape_explorer.html": "docs-11.png",
    "api.html": "docs-api.png",
}
ZH_PAGES = {  # the Chinese pages opened in the browser, and their screenshots
    "zh_CN/index.html": "docs-zh-landing.png",
    "zh_CN/course/04_nn_lstm.html": "docs-zh-04.png",
    "zh_CN/course/11_shape_explorer.html": "docs-zh-11.png",
    "zh_CN/glossary.zh_CN.html": "docs-zh-glossary.png",
}

pytestmark = pytest.mark.browser

sys.path.insert(0, str(ROOT / "tools"))
import build_docs  # noqa: E402


@pytest.fixture(scope="module")
def site() -> Path:
    """build/docs/ and build/docs/zh_CN/, each built now unless newer than all its sources."""
    if not all(build_docs.is_fresh(lang) for lang in build_docs.LANGS):
        subprocess.run([sys.executable, str(ROOT / "tools" / "build_docs.py")], check=True)
    assert (SITE / "index.html").exists() and (ZH / "index.html").exists()
    return SITE


def _pages(site: Path, lang: str = "en") -> list[str]:
    """The pages of one site, relative to build/docs/ (the Chinese ones start with zh_CN/)."""
    root = site if lang == "en" else site / lang
    return sorted(
        p.relative_to(site).as_posix()
        for p in root.rglob("*.html")
        if p.relative_to(root).parts[0] not in {"zh_CN", "_static"}
    )


# -- Every page, read from disk --------------------------------------------------------------------
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")
# what a browser fetches by itself when the page loads (an <a href> only when clicked)
FETCHED = {
    ("script", "src"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("iframe", "src"),
    ("frame", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("input", "src"),
}


SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?</script>", re.S | re.I)  # JSON, code: not HTML
STYLE_BODY = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
TAG = re.compile(r"<([a-zA-Z][\w-]*)\s([^>]*)>")
ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def _references(text: str) -> list[tuple[str, str]]:
    """Every URL a page names: (kind, url), kind "fetch" (loaded with the page) or "link"."""
    text = SCRIPT_BODY.sub(r"\1", text)
    found = [("fetch", a or b) for css in STYLE_BODY.findall(text) for a, b in CSS_URL.findall(css)]
    for tag in TAG.finditer(text):
        name = tag[1].lower()
        for attr in ATTR.finditer(tag[2]):
            key, value = attr[1].lower(), html.unescape(attr[2] or attr[3] or attr[4] or "")
            if not value:
                continue
            if key == "style":
                found += [("fetch", a or b) for a, b in CSS_URL.findall(value)]
            elif (name, key) in FETCHED:
                urls = (
                    [u.strip().split(" ")[0] for u in value.split(",")]
                    if "srcset" in key
                    else [value]
                )
                found += [("fetch", u) for u in urls if u]
            elif key == "href" or (name == "form" and key == "action"):
                found.append(("link", value))
    return found


def _static_problems(site: Path, page: str, exists: dict[str, bool] | None = None) -> list[str]:
    """What ``page`` names that would leave the machine, or that is not there."""
    exists = {} if exists is None else exists  # a cache: pages share most of their links
    path = site / page
    base, top = os.path.dirname(str(path)), str(site)
    problems = []
    for kind, url in _references(path.read_text(encoding="utf-8")):
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about", "mailto", "javascript"}:
            continue
        if parts.scheme or url.startswith("//"):  # absolute: must stay on this machine to load
            if kind == "fetch" and parts.hostname not in LOOPBACK:
                problems.append(f"loads from beyond the machine: {url[:160]}")
            continue
        if not parts.path:  # "#anchor" or "?query" on the page itself
            continue
        target = os.path.normpath(os.path.join(base, unquote(parts.path)))
        if not (target + os.sep).startswith(top + os.sep):
            problems.append(f"{kind} outside the site: {url[:160]}")
            continue
        if target not in exists:
            exists[target] = os.path.isfile(target) or os.path.isfile(f"{target}/index.html")
        if not exists[target]:
            problems.append(f"{kind} to a missing file: {url[:160]}")
    return problems


def _report(results: dict[str, list[str]]) -> str:
    bad = {page: problems for page, problems in results.items() if problems}
    return json.dumps(bad, indent=1, ensure_ascii=False)


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


def test_chinese_site_has_a_page_per_twin(site):
    pages = set(_pages(site, "zh_CN"))
    twins = sorted((ROOT / "notebooks" / "zh_CN").glob("*.ipynb"))
    assert len(twins) >= 17
    for nb in twins:
        assert f"zh_CN/course/{nb.stem}.html" in pages, nb.name
    for page in (
        "index",
        "course",
        "run",
        "cheatsheet",
        "glossary.zh_CN",
        "search",
        "course/apps/classroom_explorer",
    ):
        assert f"zh_CN/{page}.html" in pages, page
    assert not [p for p in pages if p.startswith("zh_CN/api/")]  # one API reference, in English
    index = (ZH / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in index
    for nb in twins:  # its learning path links every twin, by its Chinese title
        assert f'href="course/{nb.stem}.html"' in index, nb.name
    assert "一眼看清所有形状" in index and "学习路径" in index
    # Sphinx's own words in Chinese: the search page, previous / next
    assert "<title>搜索" in (ZH / "search.html").read_text(encoding="utf-8")
    assert "上一页" in (ZH / "course/04_nn_lstm.html").read_text(encoding="utf-8")
    notebook = (ZH / "course/11_shape_explorer.html").read_text(encoding="utf-8")
    assert (
        "保存的笔记本" in notebook and "不会重新计算" in notebook and "保存的控件视图" in notebook
    )


def test_each_page_links_its_twin_in_the_other_language(site):
    switch = re.compile(r'<a class="[^"]*lx-language-switch[^"]*" href="([^"]+)"')
    pairs = [
        ("index.html", "zh_CN/index.html"),
        ("course/04_nn_lstm.html", "zh_CN/course/04_nn_lstm.html"),
        ("course/apps/classroom_explorer.html", "zh_CN/course/apps/classroom_explorer.html"),
        ("glossary.zh_CN.html", "zh_CN/glossary.zh_CN.html"),
        ("run.html", "zh_CN/run.html"),
    ]
    pairs += [(twin, page) for page, twin in pairs]
    pairs.append(("api/generated/lstm_explain.shapes.html", "zh_CN/index.html"))  # no twin
    for here, there in pairs:
        links = switch.findall((site / here).read_text(encoding="utf-8"))
        assert links, f"{here}: no language switch"
        assert (site / here).parent.joinpath(links[0]).resolve() == (site / there).resolve(), (
            here,
            links[0],
        )


def test_no_page_loads_anything_from_beyond_the_machine_and_every_link_resolves(site):
    pages = _pages(site) + _pages(site, "zh_CN")
    assert len(pages) >= 17 + 5 + 20 + 5
    exists: dict[str, bool] = {}
    results = {page: _static_problems(site, page, exists) for page in pages}
    assert not any(results.values()), _report(results)


def test_the_static_check_sees_what_it_should(tmp_path):
    """The check above, on a page made to break it: it finds each problem."""
    (tmp_path / "ok.png").write_bytes(b"png")
    (tmp_path / "page.html").write_text(
        '<html><head><link rel="stylesheet" href="https://cdn.example/x.css">'
        "<style>@font-face { src: url('https://fonts.example/f.woff2') }</style>"
        '<script src="//cdn.example/require.js"></script></head><body>'
        '<img src="ok.png"><img src="missing.png"><a href="https://example.org/">fine</a>'
        '<a href="gone.html#x">broken</a><a href="#top">fine</a>'
        '<img srcset="ok.png 1x, http://127.0.0.1:8000/ok.png 2x"></body></html>'
    )
    problems = _static_problems(tmp_path, "page.html")
    assert len(problems) == 5, problems
    assert sum("beyond the machine" in p for p in problems) == 3
    assert any("missing.png" in p for p in problems) and any("gone.html" in p for p in problems)


def test_widget_pages_say_what_is_a_snapshot(site):
    for page in WIDGET_PAGES:
        for path in (site / page, ZH / page):
            text = path.read_text(encoding="utf-8")
            assert "widget-state+json" in text, path
            assert "tex-chtml.js" not in text, path  # MathJax 3 breaks ipywidgets (#3829)
        text = (site / page).read_text()
        assert "nothing recomputes" in text and "Saved widget view" in text, page
    plain = (site / "course/01_shapes_at_a_glance.html").read_text()
    assert "Stored notebook" in plain and "require.js" not in plain


# -- In the browser -------------------------------------------------------------------------------
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
    return parts.hostname in LOOPBACK


class Recorder:
    """One browser page that blocks, and records, everything that is not loopback or disk.

    The page is reused from one visit to the next (a fresh page costs about a second here)."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.route("**/*", self._route)
        self.blocked: list[str] = []
        self.problems: list[str] = []
        self.page = page = self.context.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console error: {m.text[:300]}"),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {str(e)[:300]}"))
        page.on(
            "requestfailed",
            lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"),
        )
        page.on(
            "response",
            lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"),
        )

    def _route(self, route) -> None:
        url = route.request.url
        if _local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def visit(self, url: str, screenshot: Path | None = None) -> list[str]:
        """Open one page; return its problems as readable lines (empty: the page is fine)."""
        self.blocked.clear()
        self.problems.clear()
        page = self.page
        page.goto(url, wait_until="load", timeout=60_000)
        problems = [
            *self._check_widgets(page),
            *self._check_math(page),
            *self._check_images(page),
            *self._check_fonts(page),
        ]
        if screenshot is not None:
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(screenshot))
        problems += self.problems
        problems += [f"blocked non-loopback request: {u}" for u in self.blocked]
        return problems

    def close(self) -> None:
        self.context.close()

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


def _browser_sample(site: Path) -> list[str]:
    """Every page with widgets or math (they run code of their own), and PLAIN_SAMPLE."""
    sample = set(PLAIN_SAMPLE) | set(SCREENSHOTS)
    for page in _pages(site):
        html = (site / page).read_text(encoding="utf-8")
        if 'class="math' in html or 'type="application/vnd.jupyter.widget-view+json"' in html:
            sample.add(page)
    return sorted(sample)


def test_sample_pages_work_offline_from_a_local_server(site, server, browser):
    recorder = Recorder(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    sample = _browser_sample(site)
    assert set(sample) >= WIDGET_PAGES and "course/04_nn_lstm.html" in sample
    results: dict[str, list[str]] = {}
    try:
        for page in sample:
            shot = ARTIFACTS / SCREENSHOTS[page] if page in SCREENSHOTS else None
            results[page] = recorder.visit(server + page, screenshot=shot)
    finally:
        recorder.close()
    assert not any(results.values()), _report(results)
    for name in SCREENSHOTS.values():
        assert (ARTIFACTS / name).stat().st_size > 20_000, name


def test_pages_work_from_file_urls(site, browser):
    recorder = Recorder(browser)
    try:
        results = {page: recorder.visit((site / page).as_uri()) for page in FILE_PAGES}
    finally:
        recorder.close()
    assert not any(results.values()), _report(results)


def test_search_works_offline(site, server, browser):
    recorder = Recorder(browser)
    try:
        page = recorder.page
        page.goto(server + "search.html?q=bidirectional", wait_until="load")
        page.locator("#search-results li").first.wait_for(timeout=30_000)
        hits = page.locator("#search-results li a").all_inner_texts()
    finally:
        recorder.close()
    assert any("Bidirectional" in h for h in hits), hits
    assert not recorder.blocked


def test_chinese_site_in_the_browser(site, server, browser):
    """The Chinese pages render, in a CJK font, offline; the switch leads to the English twin."""
    cjk = cjk_fonts()
    ARTIFACTS.mkdir(exist_ok=True)
    recorder = Recorder(browser)
    results: dict[str, list[str]] = {}
    drawn: dict[str, dict[str, int]] = {}
    try:
        for page, shot in ZH_PAGES.items():
            results[page] = recorder.visit(server + page, screenshot=ARTIFACTS / shot)
            assert recorder.page.evaluate("document.documentElement.lang") == "zh-CN"
            # the page's title, drawn: every Chinese glyph from a font that has Chinese glyphs
            drawn[page] = fonts = fonts_drawing(recorder.page, "article h1")
            assert any(f in cjk and n > 0 for f, n in fonts.items()), (page, fonts)
        # the language switch: to the same notebook in English, and back
        recorder.visit(server + "zh_CN/course/04_nn_lstm.html")
        recorder.page.locator("a.lx-language-switch:visible").first.click()
        recorder.page.wait_for_url("**/course/04_nn_lstm.html")
        assert "/zh_CN/" not in recorder.page.url
        assert recorder.page.evaluate("document.documentElement.lang") == "en"
        recorder.page.locator("a.lx-language-switch:visible").first.click()
        recorder.page.wait_for_url("**/zh_CN/course/04_nn_lstm.html")
    finally:
        recorder.close()
    assert not any(results.values()), _report(results)
    print(json.dumps(drawn, ensure_ascii=False))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("隐状态", "nn.LSTM"),  # a glossary term: one word of the index
        ("批量", "batch_first"),  # two characters: an exact word (jieba's, or a character pair)
        ("形状探索器", "形状探索器"),  # no glossary term: found inside the indexed phrases
    ],
)
def test_chinese_search_finds_chinese_words(site, server, browser, query, expected):
    recorder = Recorder(browser)
    try:
        page = recorder.page
        page.goto(server + f"zh_CN/search.html?q={quote(query)}", wait_until="load")
        # the results come one by one; then Sphinx says how many, in Chinese
        page.locator("#search-results", has_text="搜索完成").wait_for(timeout=30_000)
        hits = page.locator("#search-results li a").all_inner_texts()
        status = page.locator("#search-results").inner_text()
        if query == "隐状态":
            page.screenshot(path=str(ARTIFACTS / "docs-zh-search.png"))
    finally:
        recorder.close()
    assert len(hits) >= 3 and any(expected in h for h in hits), hits
    assert f"搜索完成，匹配到 {len(hits)} 页" in status, status[:200]
    assert not recorder.blocked and not recorder.problems, recorder.problems
