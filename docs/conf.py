"""Sphinx configuration of the lstm-explain documentation site (``make docs`` -> build/docs/).

The site is the course as stored: every notebook of ``notebooks/`` rendered from its saved outputs
(myst-nb, never executed here), widgets drawn from their saved state, an API reference from the
package's docstrings, and a few hand-written pages. It is fully offline: the JavaScript it needs
(require.js, the ipywidgets html-manager, MathJax) is vendored from the npm registry by
``tools/vendor_docs_assets.py`` (pinned and checksummed in ``docs/vendor.lock.json``) into
``build/vendor/static``, which becomes part of ``_static/``.

Generated at build time, never edited and not committed: ``docs/course/`` (a copy of the notebooks,
since Sphinx reads sources only from inside ``docs/``) and ``docs/api/generated/`` (autosummary).

The Chinese site (``build/docs/zh_CN/``) uses this same configuration: ``tools/build_docs.py`` runs
Sphinx with ``-c docs`` on the source folder ``docs/zh_CN/`` and ``LX_DOCS_LANG=zh_CN`` in the
environment. Its pages are the Chinese twins ``notebooks/zh_CN/`` (copied to ``docs/zh_CN/course/``,
as stored, never executed), its own small pages, and the glossary; the API reference stays English
(one site, linked). Sphinx's interface is Chinese (``language = "zh_CN"``) and so is its search:
see ``LxSearchChinese`` below. Each page links to the same page in the other language.
"""

from __future__ import annotations

import filecmp
import os
import pkgutil
import re
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.search.zh import SearchChinese

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LANG = os.environ.get("LX_DOCS_LANG", "en")  # set by tools/build_docs.py for the Chinese site
if LANG not in ("en", "zh_CN"):
    raise ValueError(f"LX_DOCS_LANG={LANG!r}: the site exists in en and zh_CN")
ZH = LANG == "zh_CN"
SRC = DOCS / "zh_CN" if ZH else DOCS  # the source folder Sphinx reads
NOTEBOOKS = ROOT / "notebooks"
COURSE_NOTEBOOKS = NOTEBOOKS / "zh_CN" if ZH else NOTEBOOKS  # what the course pages show
COURSE = SRC / "course"  # generated copy of those notebooks
GLOSSARY = DOCS / "glossary.zh_CN.md"
VENDOR = ROOT / "build" / "vendor" / "static"  # tools/vendor_docs_assets.py
API = DOCS / "api" / "generated"  # one page per module, written below
CHEATSHEET = ROOT / "build" / "cheatsheet"  # built by its own make target, when there is one

sys.path.insert(0, str(ROOT))  # document this checkout's package, not an installed copy

import lstm_explain  # noqa: E402

project = "lstm-explain"
author = "the lstm-explain authors"
copyright = "the lstm-explain authors, MIT licence"
release = version = lstm_explain.__version__

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]

exclude_patterns = ["README.md", "locales", "**/.ipynb_checkpoints"]
if not ZH:
    exclude_patterns.append("zh_CN")  # the Chinese site's sources (built on their own)
# A traceback output is lexed as IPython's traceback and, where it holds text of our own (notebook
# 13's explanations), Pygments falls back to relaxed mode: the output still renders in full.
suppress_warnings = ["misc.highlighting_failure"]
templates_path = ["_templates"]

# -- The notebooks, as stored -------------------------------------------------------------------
nb_execution_mode = "off"  # render the saved outputs; nbval is what re-runs them
nb_output_stderr = "show"
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# ipywidgets: myst-nb would load require.js and the html-manager from public CDNs. Use the vendored
# copies. lx-require-config.js must come first: it tells require.js where the widget modules
# "live", because each module derives its font URLs from that path (left alone, the fonts are
# looked up next to the page and 404). data-jupyter-widgets-cdn points the html-manager's fallback
# for unknown widget libraries at a folder that does not exist on this site: a widget from a
# library we do not vendor then fails visibly here (the browser test sees a 404) instead of being
# fetched from the internet.
nb_ipywidgets_js = {
    "lx-require-config.js": {},
    "vendor/requirejs/require.js": {},
    "vendor/html-manager/embed-amd.js": {"data-jupyter-widgets-cdn": "not-vendored/"},
}

# MathJax 3, vendored; Sphinx adds it only to pages that have math. ipywidgets' controls call
# MathJax 2's API (MathJax.Hub.Queue) whenever window.MathJax exists (jupyter-widgets/ipywidgets
# #3829, open), which throws under MathJax 3: so no page may have both (checked below).
mathjax_path = "vendor/mathjax/tex-chtml.js"
mathjax3_config = {"chtml": {"displayAlign": "left"}}

# -- API reference ------------------------------------------------------------------------------
# Each object is documented once, in the module that defines it (packages re-export, with __all__;
# documenting those too would make duplicate targets). The module pages are generated below.
autosummary_generate = False
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "lstm-explain"
# light by default: the figures are drawn on white; the theme switcher still offers dark
html_context = {"default_mode": "light"}
html_static_path = ["_static", str(VENDOR)]
html_css_files = ["lx-docs.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"index": [], "run": [], "cheatsheet": [], "course/apps/*": []}
if ZH:
    html_title = "lstm-explain（简体中文）"
    html_sidebars["glossary.zh_CN"] = []
# the link to the same page in the other language, at the right of the header
html_theme_options["navbar_end"] = ["lx-language-switch", "theme-switcher", "navbar-icon-links"]

# -- A second language: Sphinx's gettext route (the Chinese-course issue fills the catalogs) ------
# `python tools/build_docs.py --gettext` writes .pot files to build/docs-gettext/; translations go
# to docs/locales/<lang>/LC_MESSAGES/<docname>.po; `--lang zh_CN` builds build/docs/zh_CN/.
locale_dirs = ["locales/"]
gettext_compact = False  # one catalog per page (per notebook), as translators work
gettext_uuid = False
language = LANG  # Sphinx's own words (search, navigation, "previous"/"next") in this language
# Chinese search with jieba when it is installed, else the fallback splitter of LxSearchChinese;
# glossary terms are whole words either way (jieba gets them as its user dictionary)
html_search_options = {"dict": str(ROOT / "build" / "docs-search-zh.dict")} if ZH else {}
# Sphinx's Chinese catalog for its JavaScript lacks the words the search page ends with (8.2's
# searchtools.js asks for a newer message): a copy with them added, found first in locale_dirs.
JS_LOCALE = ROOT / "build" / "docs-locale"
JS_TEXT_ZH = {
    "Search finished, found one page matching the search query.": [
        "搜索完成，匹配到 ${resultCount} 页。"
    ],
}


def write_js_translations() -> None:
    """build/docs-locale/zh_CN/LC_MESSAGES/sphinx.js: Sphinx's own, with JS_TEXT_ZH added."""
    import json

    import sphinx

    own = Path(sphinx.__file__).parent / "locale" / "zh_CN" / "LC_MESSAGES" / "sphinx.js"
    text = own.read_text(encoding="utf-8")
    start, end = text.index("{"), text.rindex("}") + 1
    catalog = json.loads(text[start:end])
    for msgid, translation in JS_TEXT_ZH.items():
        catalog["messages"].setdefault(msgid, translation)
    out = JS_LOCALE / "zh_CN" / "LC_MESSAGES" / "sphinx.js"
    out.parent.mkdir(parents=True, exist_ok=True)
    patched = text[:start] + json.dumps(catalog, ensure_ascii=False) + text[end:]
    if not out.exists() or out.read_text(encoding="utf-8") != patched:
        out.write_text(patched, encoding="utf-8")


#: Words of the theme (pydata-sphinx-theme) its Chinese catalog lacks, found first in locale_dirs.
THEME_TEXT_ZH = {"Collapse Sidebar": "收起侧栏", "Expand Sidebar": "展开侧栏"}


def write_theme_translations() -> None:
    """build/docs-locale/zh_CN/LC_MESSAGES/sphinx.mo: THEME_TEXT_ZH (other words fall back to
    Sphinx's and the theme's own catalogs)."""
    import polib

    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "zh_CN"}
    for msgid, msgstr in THEME_TEXT_ZH.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    out = JS_LOCALE / "zh_CN" / "LC_MESSAGES" / "sphinx.mo"
    out.parent.mkdir(parents=True, exist_ok=True)
    po.save_as_mofile(str(out))


if ZH:
    write_js_translations()
    write_theme_translations()
    locale_dirs = [str(JS_LOCALE), *locale_dirs]


# -- Build-time generation ----------------------------------------------------------------------
def _course_sources() -> dict[Path, Path]:
    """notebooks/NN_*.ipynb and notebooks/apps/*.ipynb (or their Chinese twins in
    notebooks/zh_CN/) -> their place under docs/course/ (docs/zh_CN/course/)."""
    src = COURSE_NOTEBOOKS
    pairs = {p: COURSE / p.name for p in sorted(src.glob("*.ipynb"))}
    pairs |= {p: COURSE / "apps" / p.name for p in sorted((src / "apps").glob("*.ipynb"))}
    return pairs


def sync_course() -> None:
    """Copy the notebooks into docs/course/, touching only what changed (keeps rebuilds fast)."""
    pairs = _course_sources()
    for src, dst in pairs.items():
        if not dst.exists() or not filecmp.cmp(src, dst, shallow=False):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    wanted = set(pairs.values())
    for old in COURSE.rglob("*.ipynb"):
        if old not in wanted:  # a notebook renamed or removed in notebooks/
            old.unlink()


sync_course()


def learning_path() -> str:
    """notebooks/README.md from its table on, links pointing at the rendered pages."""
    if ZH:
        return learning_path_zh()
    text = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    if "| # |" not in text:
        raise ValueError("notebooks/README.md: no learning-path table (a line starting '| # |')")
    body = text[text.index("| # |") :]
    body = re.sub(r"\]\((apps/)?([^)/]+)\.ipynb\)", r"](course/\1\2.ipynb)", body)
    # Classroom note: the page of the app, not the notebook file
    return body.replace("`make lab` from the repo root", "`make lab`, see {doc}`run`")


def learning_path_zh() -> str:
    """The Chinese twins in order, each linked by its own title (its first heading, "NN · title")."""
    import nbformat

    rows = ["| # | 笔记本 |", "|---|---|"]
    for path in sorted(COURSE_NOTEBOOKS.glob("[0-9]*.ipynb")):
        heading = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
        number, _, title = heading.lstrip("# ").partition(" · ")
        title = title.replace("|", "\\|")
        rows.append(f"| {number} | [{title}](course/{path.name}) |")
    return "\n".join(rows)


def exports_table() -> str:
    """The names `from lstm_explain import ...` gives, each linked to where it is documented."""
    rows = ["| name | what it is |", "|---|---|"]
    for name, module in lstm_explain._EXPORTS.items():
        target = f"lstm_explain.{module}"
        obj = getattr(lstm_explain, name)
        if getattr(obj, "__module__", target) != target:
            target = obj.__module__  # re-exported by a package from one of its modules
        doc = (obj.__doc__ or "").strip().splitlines()
        summary = doc[0].rstrip(".").replace("|", "\\|") if doc else ""
        rows.append(f"| {{py:obj}}`~{target}.{name}` | {summary} (`{target}`) |")
    return "\n".join(rows)


def cheatsheet_section() -> str:
    pdf, png = CHEATSHEET / "cheatsheet.pdf", CHEATSHEET / "cheatsheet.png"
    up = "../../" if ZH else "../"  # from the page's source to the repository root
    if ZH and not (pdf.exists() or png.exists()):
        return (
            ":::{note}\n构建本站时还没有生成速查表。它由单独的 make 目标生成到 "
            "`build/cheatsheet/cheatsheet.pdf` 和 `cheatsheet.png`（`make cheatsheet`）；"
            "之后再运行一次 `make docs`，它就会出现在这里。\n:::"
        )
    if not (pdf.exists() or png.exists()):
        return (
            ":::{note}\nThe cheat sheet was not built when this site was built. It is made by its "
            "own make target into `build/cheatsheet/cheatsheet.pdf` and `cheatsheet.png` "
            "(`make cheatsheet`); run `make docs` again afterwards and it appears here.\n:::"
        )
    parts = []  # paths relative to docs/cheatsheet.md (a leading "/" would mean docs/ to Sphinx)
    if pdf.exists():
        label = "下载速查表（PDF，英文）" if ZH else "Download the cheat sheet (PDF)"
        parts.append(f"{{download}}`{label} <{up}build/cheatsheet/cheatsheet.pdf>`")
    if png.exists():
        parts.append(
            f"```{{image}} {up}build/cheatsheet/cheatsheet.png\n:alt: the lstm-explain cheat sheet\n"
            ":width: 100%\n```"
        )
    return "\n\n".join(parts)


def api_modules() -> list[tuple[str, bool]]:
    """Every public module of the package, (name, is_package), the CLI entry point excluded."""
    found = [("lstm_explain", True)]
    for info in pkgutil.walk_packages(lstm_explain.__path__, "lstm_explain."):
        if info.name.endswith("__main__") or any(p.startswith("_") for p in info.name.split(".")):
            continue
        found.append((info.name, info.ispkg))
    return sorted(found)


def write_api_pages() -> None:
    """docs/api/generated/<module>.rst: one page per module (packages: their docstring only)."""
    API.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for name, is_package in api_modules():
        options = "   :no-members:\n" if is_package else ""
        text = f"{name}\n{'=' * len(name)}\n\n.. automodule:: {name}\n{options}"
        path = API / f"{name}.rst"
        wanted.add(path)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    for old in API.glob("*.rst"):
        if old not in wanted:
            old.unlink()


if not ZH:  # the API reference is one page set, in English; the Chinese site links to it
    write_api_pages()


def modules_list() -> str:
    names = "\n".join(f"   {name}" for name, _ in api_modules())
    return (
        "```{eval-rst}\n.. autosummary::\n\n" + names + "\n\n"
        ".. toctree::\n   :hidden:\n\n"
        + "\n".join(f"   api/generated/{name}" for name, _ in api_modules())
        + "\n```"
    )


GENERATED = [  # (page, marker in its source, what replaces the marker)
    ("index", "<!-- learning-path -->", learning_path),
    ("api", "<!-- exports-table -->", exports_table),
    ("api", "<!-- modules -->", modules_list),
    ("cheatsheet", "<!-- cheatsheet -->", cheatsheet_section),
]


def fill_generated(app, docname: str, source: list[str]) -> None:
    for page, marker, make in GENERATED:
        if page == docname and marker in source[0]:
            source[0] = source[0].replace(marker, make())


STARRED_PARAMS = re.compile(r"^(\s*)(\*{1,2}\w+(?:,\s*\*{1,2}\w+)+)(\s*(?:\(.*?\))?:)")


def escape_starred_params(app, what, name, obj, options, lines: list[str]) -> None:
    """``*args, **kwargs: ...`` in a Google "Args:" section: napoleon escapes the stars of one
    starred name per line, not of two; unescaped, ``**`` starts bold text and docutils warns."""
    for i, line in enumerate(lines):
        m = STARRED_PARAMS.match(line)
        if m:
            lines[i] = m[1] + m[2].replace("*", r"\*") + line[m.end(2) :]


# -- Saying plainly what a page is ----------------------------------------------------------------
# In English here; the Chinese site's words are in TEXT_ZH below.
NOTEBOOK_TITLE = "Stored notebook"
NOTEBOOK_NOTE = (
    "This page is the notebook as stored: every output below was computed by running it "
    "(make notebooks) and saved with it; nothing runs here. To run and change it, see "
)
WIDGET_NOTE = (
    "The interactive explorers on this page are drawn from their saved state. Their controls move, "
    "but without a Python kernel nothing recomputes: shapes, checks and pictures stay as saved, "
    "and every view of one explorer shows its state at the end of the run. Figures are static "
    "snapshots. For a live explorer, open the notebook with make lab (or the classroom app with "
    "make app)."
)
WIDGET_VIEW_LABEL = "Saved widget view: a snapshot of the explorer, needs a kernel to recompute."
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
TEXT_ZH = {
    NOTEBOOK_TITLE: "保存的笔记本",
    NOTEBOOK_NOTE: (
        "本页就是保存下来的笔记本：下面的每个输出都是运行它（make notebooks）时算出并随之保存的，"
        "这里什么也不运行。要自己运行和修改，见"
    ),
    "Run it yourself": "自己运行",
    WIDGET_NOTE: (
        "本页的交互式探索器按保存时的状态绘制。控件可以拖动，但没有 Python 内核就不会重新计算："
        "形状、检查和图都保持保存时的样子，同一个探索器的每个视图都显示运行结束时的状态。"
        "图是静态快照。要用实时的探索器，请用 make lab 打开笔记本（或用 make app 打开课堂应用）。"
    ),
    WIDGET_VIEW_LABEL: "保存的控件视图：探索器的快照，需要内核才能重新计算。",
}


def _(text: str) -> str:
    """``text`` in the site's language."""
    return TEXT_ZH.get(text, text) if ZH else text


# -- The other language: every page links to its twin (or to the other site's start page) --------
def other_language_pages() -> set[str]:
    """The page names of the other site (its hand-written pages and its notebooks)."""
    if ZH:
        src, notebooks = DOCS, NOTEBOOKS
    else:
        src, notebooks = DOCS / "zh_CN", NOTEBOOKS / "zh_CN"
    pages = {p.stem for p in src.glob("*.md")} - {"README"}
    pages |= {f"course/{p.stem}" for p in notebooks.glob("*.ipynb")}
    pages |= {f"course/apps/{p.stem}" for p in (notebooks / "apps").glob("*.ipynb")}
    return pages


OTHER_PAGES = other_language_pages()
OTHER_ROOT, OTHER_LABEL, OTHER_TITLE = (
    ("../", "English", "The same page in English")
    if ZH
    else ("zh_CN/", "中文", "本页的中文版（简体中文）")
)


def language_switch(app, pagename, templatename, context, doctree) -> None:
    """``lx_other_language``: a relative link (works from disk too) to this page's twin."""
    target = pagename if pagename in OTHER_PAGES else "index"
    up = "../" * pagename.count("/")
    context["lx_other_language"] = {
        "url": f"{up}{OTHER_ROOT}{target}.html",
        "label": OTHER_LABEL,
        "title": OTHER_TITLE,
        "lang": "en" if ZH else "zh-CN",
    }


# -- Chinese search --------------------------------------------------------------------------------
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def glossary_terms() -> list[str]:
    """The Preferred column of docs/glossary.zh_CN.md (隐状态, 细胞状态, 时间步, ...): its Chinese words."""
    terms = set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and line.startswith("|"):
            terms.update(t for t in CJK_RUN.findall(cells[1]) if len(t) > 1)
    return sorted(terms, key=lambda t: (-len(t), t))


try:
    import jieba  # noqa: F401  (only whether it is there: Sphinx's zh search uses it)

    HAVE_JIEBA = True
except ImportError:
    HAVE_JIEBA = False


class LxSearchChinese(SearchChinese):
    """Sphinx's Chinese search, made to work with and without jieba.

    Sphinx's ``zh`` splitter cuts Chinese text into words with jieba and, without jieba, indexes
    no Chinese at all (only Latin words): a Chinese query would find nothing. The browser's side
    (searchtools.js) keeps a Chinese query such as 隐状态 as one word, looks it up exactly and, for
    three characters or more, also as a part of any indexed word. So each page is indexed by:

    - jieba's words when jieba is installed (the glossary terms are its user dictionary, so 隐状态
      stays one word), else every two-character pair of a Chinese run (a query of two characters,
      批量, is then an exact hit);
    - the glossary terms found in the text, whole;
    - each run of Chinese characters whole (a phrase between punctuation), so that a query of three
      characters or more is found inside it even when no splitter cut it out.
    """

    def split(self, input: str) -> list[str]:
        words = super().split(input)  # jieba's words (none without jieba) and the Latin words
        for run in CJK_RUN.findall(input):
            if len(run) < 2:
                continue
            if not HAVE_JIEBA:
                words += [run[i : i + 2] for i in range(len(run) - 1)]
            words += [term for term in GLOSSARY_TERMS if term in run]
            if len(run) > 2:
                words.append(run)
        return words


GLOSSARY_TERMS = glossary_terms() if ZH else []


def write_search_dict() -> None:
    """jieba's user dictionary: the glossary terms (a word and a high frequency per line)."""
    path = Path(html_search_options["dict"])
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{term} 100000\n" for term in GLOSSARY_TERMS)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


if ZH:
    write_search_dict()


def _widget_outputs(doctree: nodes.document) -> list[nodes.Element]:
    return [
        raw.parent
        for raw in doctree.findall(nodes.raw)
        if WIDGET_MIME in raw.astext() and raw.parent is not None
    ]


def annotate_notebook(app, doctree: nodes.document) -> None:
    docname = app.env.docname
    if not docname.startswith("course/"):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    note = nodes.admonition(classes=["note", "lx-stored-note"])
    note += nodes.title(text=str(_(NOTEBOOK_TITLE)))
    para = nodes.paragraph(text=str(_(NOTEBOOK_NOTE)))
    ref = addnodes.pending_xref(
        "", refdomain="std", reftype="doc", reftarget="/run", refexplicit=True, refdoc=docname
    )
    ref += nodes.inline(text=str(_("Run it yourself")))
    para += ref
    para += nodes.Text(".")
    note += para
    widgets = _widget_outputs(doctree)
    if widgets:
        note += nodes.paragraph(text=str(_(WIDGET_NOTE)))
        note["classes"].append("lx-widget-page")
        app.env.metadata[docname]["lx_widgets"] = len(widgets)
        for output in widgets:
            label = nodes.paragraph(text=str(_(WIDGET_VIEW_LABEL)), classes=["lx-widget-label"])
            output.insert(0, label)
    section.insert(1, note)  # after the title


def widget_page_layout(app, pagename, templatename, context, doctree) -> None:
    """The explorers need the width: no in-page table of contents on pages with widgets."""
    if app.env.metadata.get(pagename, {}).get("lx_widgets"):
        context["theme_secondary_sidebar_items"] = []


def no_mathjax_on_widget_pages(app, pagename, templatename, context, doctree) -> None:
    has_widgets = app.env.metadata.get(pagename, {}).get("lx_widgets")
    if has_widgets and context.get("has_maths_elements"):
        from sphinx.util import logging

        logging.getLogger(__name__).warning(
            "%s has both widgets and math: ipywidgets would call MathJax 2's API on MathJax 3 and "
            "break the widgets (ipywidgets #3829). Move the math off this page or render it "
            "another way.",
            pagename,
        )


def always_reread_cheatsheet(app, env, added, changed, removed) -> list[str]:
    """Its content depends on build/cheatsheet/, not on its source: read it on every build."""
    return ["cheatsheet"]


def setup(app):
    if ZH:
        app.add_search_language(LxSearchChinese)
    app.connect("html-page-context", language_switch)
    app.connect("source-read", fill_generated)
    app.connect("env-get-outdated", always_reread_cheatsheet)
    app.connect("autodoc-process-docstring", escape_starred_params, priority=400)  # before napoleon
    app.connect("doctree-read", annotate_notebook)
    app.connect("html-page-context", widget_page_layout, priority=400)  # before the theme's
    app.connect("html-page-context", no_mathjax_on_widget_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
