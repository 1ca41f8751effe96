"""One source, two languages: catalogs cover the English notebooks, twins equal them but for words.

The English notebooks are the source. Each `notebooks/zh_CN/` twin must have the same cells, the same
code (one added line that selects the language), and the markdown its catalog gives; the catalogs
must cover every markdown cell (`make i18n` after an English edit); translations must keep code,
math and link targets, and use the glossary's terms.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
LANG = "zh_CN"


def _tool():
    spec = importlib.util.spec_from_file_location(
        "i18n_notebooks", ROOT / "tools/i18n_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_notebooks"] = module
    spec.loader.exec_module(module)
    return module


tool = _tool()
TWINS = sorted(
    p for p in (ROOT / "notebooks" / LANG).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
SOURCES = tool.source_notebooks()
CATALOGS = {
    nb: tool.catalog_path(nb, LANG) for nb in SOURCES if tool.catalog_path(nb, LANG).exists()
}


def _id(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def test_there_are_twins_and_catalogs() -> None:
    assert len(TWINS) >= 8
    assert len(CATALOGS) == len(SOURCES), "run `make i18n` to create the missing catalogs"


@pytest.mark.parametrize("twin", TWINS, ids=_id)
def test_twin_code_cells_equal_the_english_but_one_line(twin: Path) -> None:
    rel = twin.relative_to(ROOT / "notebooks" / LANG)
    source = ROOT / "notebooks" / rel
    assert source.exists(), f"{twin} has no English source"
    en = nbformat.read(source, as_version=4)
    zh = nbformat.read(twin, as_version=4)
    assert [c.cell_type for c in zh.cells] == [c.cell_type for c in en.cells]
    assert [c.get("id") for c in zh.cells] == [c.get("id") for c in en.cells]
    en_code = [c.source for c in en.cells if c.cell_type == "code"]
    zh_code = [c.source for c in zh.cells if c.cell_type == "code"]
    assert zh_code[1:] == en_code[1:], "code changed in English: `make notebooks-zh`"
    line = tool.language_line(LANG)
    assert zh_code[0].splitlines().count(line) == 1
    assert [x for x in zh_code[0].splitlines() if x != line] == en_code[0].splitlines()
    for c_en, c_zh in zip(en.cells, zh.cells, strict=True):  # tags (nbval markers) carried over
        assert c_zh.metadata.get("tags", []) == c_en.metadata.get("tags", [])
    assert zh.metadata["lstm_explain"]["language"] == LANG


@pytest.mark.parametrize("twin", TWINS, ids=_id)
def test_twin_markdown_is_its_catalog(twin: Path) -> None:
    rel = twin.relative_to(ROOT / "notebooks" / LANG)
    source = ROOT / "notebooks" / rel
    po = tool.load(tool.catalog_path(source, LANG))
    expected = tool.translate_notebook(source, LANG, po)
    zh = nbformat.read(twin, as_version=4)
    got = [c.source for c in zh.cells if c.cell_type == "markdown"]
    want = [c.source for c in expected.cells if c.cell_type == "markdown"]
    assert got == want, "catalog changed since the twin was built: `make notebooks-zh`"
    assert zh.metadata.get("title") == expected.metadata.get("title")  # the browser tab's title


@pytest.mark.parametrize("source", list(CATALOGS), ids=_id)
def test_catalog_covers_every_markdown_cell(source: Path) -> None:
    po = tool.load(CATALOGS[source])
    keys = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
    nb = nbformat.read(source, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "markdown" and c.source.strip()]
    missing = [c.id for c in cells if (c.id, c.source) not in keys]
    assert not missing, f"markdown changed in {source.name}: run `make i18n` (cells {missing})"
    titled = int(bool(nb.metadata.get("title")))  # the title has its own entry
    assert len(keys) == len(cells) + titled


@pytest.mark.parametrize("twin", TWINS, ids=_id)
def test_built_twins_are_fully_translated(twin: Path) -> None:
    """A twin in the repository has no English prose left: 0 untranslated, fuzzy or mismatched."""
    rel = twin.relative_to(ROOT / "notebooks" / LANG)
    source = ROOT / "notebooks" / rel
    report = tool.check_catalog(
        tool.rel_name(source),
        tool.load(tool.catalog_path(source, LANG)),
        tool.notebook_template(source),
    )
    assert report.todo == 0, (report.fuzzy, report.untranslated, report.stale, report.mismatched)


# --------------------------------------------------------------------------- glossary


def _glossary() -> list[dict[str, str]]:
    rows = []
    text = (ROOT / "docs" / "glossary.zh_CN.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in {"English", ""} or set(cells[0]) <= {"-"}:
            continue
        rows.append(dict(zip(("english", "preferred", "avoid", "notes"), cells, strict=True)))
    return rows


GLOSSARY = _glossary()


def _prose(text: str) -> str:
    """``text`` without code, math, link targets and quotations (the posts keep their own words)."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"(`+).+?\1", " ", text, flags=re.S)
    text = re.sub(r"\$\$.+?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))


def _translations() -> list[tuple[str, polib.POEntry]]:
    paths = [*CATALOGS.values(), tool.package_catalog_path(LANG)]
    return [(p.name, e) for p in paths for e in tool.load(p) if not e.obsolete and e.translated()]


def test_glossary_table_parses() -> None:
    english = {row["english"] for row in GLOSSARY}
    assert {"hidden state", "cell state", "forget gate `f`", "padding, to pad"} <= english
    assert len(GLOSSARY) >= 30


def test_glossary_is_used() -> None:
    """No translation uses a term the glossary says to avoid (quotes of the posts excepted)."""
    avoid = {
        term.strip(): row["preferred"]
        for row in GLOSSARY
        for term in re.sub(r"\([^)]*\)", "", row["avoid"]).split(",")
        if term.strip()
    }
    bad = [
        f"{name} [{e.msgctxt}]: {term!r} (use {preferred!r})"
        for name, e in _translations()
        for term, preferred in avoid.items()
        if term in _prose(e.msgstr)
    ]
    assert not bad, "\n".join(bad)


#: English phrases whose every occurrence in prose must come out as the glossary's term.
REQUIRED = {
    "hidden state": "隐状态",
    "cell state": "细胞状态",
    "forget gate": "遗忘门",
    "input gate": "输入门",
    "output gate": "输出门",
    "reset gate": "重置门",
    "update gate": "更新门",
    "time step": "时间步",
    "bidirectional": "双向",
    "batch size": "批量大小",
}


def test_required_terms_follow_the_glossary() -> None:
    preferred = {row["english"]: row["preferred"] for row in GLOSSARY}
    for english, term in REQUIRED.items():
        assert any(term in p for p in preferred.values()), f"{term} is not in the glossary"
        del english
    missing = [
        f"{name} [{e.msgctxt}]: {english!r} without {term!r}"
        for name, e in _translations()
        for english, term in REQUIRED.items()
        if re.search(rf"\b{english}", _prose(e.msgid), re.I) and term not in e.msgstr
    ]
    assert not missing, "\n".join(missing)


# --------------------------------------------------------------------------- the tool itself


def _notebook(path: Path, *markdown: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%matplotlib inline\nimport torch")]
    nb.cells += [nbformat.v4.new_markdown_cell(m) for m in markdown]
    nb.cells += [nbformat.v4.new_code_cell("print(1)")]
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell{i}"
    nbformat.write(nb, path)


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (tmp_path / "lstm_explain").mkdir()
    (tmp_path / "lstm_explain" / "cli.py").write_text(
        'from .i18n import _, N_, ngettext\nHELP = N_("help text")\n_("Hello {name}")\n'
        'ngettext("{n} step", "{n} steps", 2)\n_(variable)\n',
        encoding="utf-8",
    )
    for name, value in {
        "ROOT": tmp_path,
        "NOTEBOOKS": notebooks,
        "LOCALE": tmp_path / "locale",
        "PACKAGE": tmp_path / "lstm_explain",
    }.items():
        monkeypatch.setattr(tool, name, value)
    _notebook(notebooks / "01_demo.ipynb", "# Title", "The hidden state `h_n`.")
    return tmp_path


def _set(po_path: Path, translations: dict[str, str]) -> None:
    po = tool.load(po_path)
    for e in po:
        if e.msgctxt in translations:
            e.msgstr = translations[e.msgctxt]
    tool.save(po, po_path)


def test_extract_merge_build_check_cycle(sandbox, capsys) -> None:
    nb_path = sandbox / "notebooks" / "01_demo.ipynb"
    assert tool.main(["extract"]) == 0
    po_path = sandbox / "locale" / LANG / "LC_MESSAGES" / "notebooks" / "01_demo.po"
    po = tool.load(po_path)
    assert [(e.msgctxt, e.msgid) for e in po] == [
        ("cell1", "# Title"),
        ("cell2", "The hidden state `h_n`."),
    ]
    pkg = tool.load(sandbox / "lstm_explain" / "locale" / LANG / "LC_MESSAGES" / "lstm_explain.po")
    assert [e.msgid for e in pkg] == ["help text", "Hello {name}", "{n} step"]
    assert pkg[2].msgid_plural == "{n} steps"

    assert tool.main(["check", "01"]) == 1
    assert "0/2 translated" in capsys.readouterr().out
    _set(po_path, {"cell1": "# 标题", "cell2": "隐状态 `h_n`。"})
    assert tool.main(["check", "01"]) == 0

    # a translation that drops or changes code is caught
    _set(po_path, {"cell2": "隐状态 `h`。"})
    assert tool.main(["check", "01"]) == 1
    assert "missing '`h_n`'" in capsys.readouterr().out
    _set(po_path, {"cell2": "隐状态 `h_n`。"})

    # build: one added line, markdown translated, code otherwise identical
    assert tool.main(["build"]) == 0
    twin = nbformat.read(sandbox / "notebooks" / LANG / "01_demo.ipynb", as_version=4)
    assert (
        twin.cells[0].source == "%matplotlib inline\n" + tool.language_line(LANG) + "\nimport torch"
    )
    assert [c.source for c in twin.cells[1:]] == ["# 标题", "隐状态 `h_n`。", "print(1)"]

    # the English changes: the old translation is kept, marked fuzzy, with the old msgid
    _notebook(nb_path, "# Title", "The hidden state `h_n` of every layer.")
    assert tool.main(["extract", "01"]) == 0
    entry = {e.msgctxt: e for e in tool.load(po_path)}["cell2"]
    assert "fuzzy" in entry.flags and entry.msgstr == "隐状态 `h_n`。"
    assert entry.previous_msgid == "The hidden state `h_n`."
    assert tool.main(["check", "01"]) == 1
    out = capsys.readouterr().out
    assert "1 fuzzy" in out and "to do" in out
    # a fuzzy entry builds as English
    tool.main(["build", "01"])
    twin = nbformat.read(sandbox / "notebooks" / LANG / "01_demo.ipynb", as_version=4)
    assert twin.cells[2].source == "The hidden state `h_n` of every layer."
    # without arguments, build skips incomplete catalogs
    capsys.readouterr()
    tool.main(["build"])
    assert "skipped 01_demo" in capsys.readouterr().out

    # a deleted cell's translation is kept as obsolete, and comes back with its text
    _notebook(nb_path, "# Title")
    tool.main(["extract", "01"])
    po = tool.load(po_path)
    assert [e.msgctxt for e in po if not e.obsolete] == ["cell1"]
    assert any(e.obsolete and e.msgstr == "隐状态 `h_n`。" for e in po)


def test_language_line_goes_after_magics() -> None:
    assert tool.add_language_line("import torch", "zh_CN").splitlines()[0] == tool.language_line(
        "zh_CN"
    )
    lines = tool.add_language_line(
        "%matplotlib inline\nfrom __future__ import annotations\nx = 1", "zh_CN"
    )
    assert lines.splitlines()[2] == tool.language_line("zh_CN")
