"""One source, two languages: gettext catalogs for the notebooks' prose and the package's strings.

Usage::

    python tools/i18n_notebooks.py extract [--lang zh_CN] [NOTEBOOK ...]
    python tools/i18n_notebooks.py build   [--lang zh_CN] [NOTEBOOK ...]
    python tools/i18n_notebooks.py check   [--lang zh_CN] [--json] [NOTEBOOK ...]

``extract``  English notebooks -> ``locale/<lang>/LC_MESSAGES/notebooks/<name>.po``: one entry per
             markdown cell (msgctxt = the cell id, msgid = the cell's markdown). Merging keeps every
             translation; an entry whose English changed keeps its old translation, is marked
             ``fuzzy`` and records the old English as ``#| msgid`` (what to compare); entries of
             deleted cells are kept as obsolete (``#~``). Also extracts the package's ``_()``,
             ``N_()``, ``ngettext()``, ``pgettext()`` strings into
             ``lstm_explain/locale/<lang>/LC_MESSAGES/lstm_explain.po`` the same way.
``build``    writes ``notebooks/<lang>/<same name>.ipynb``: the English notebook with each markdown
             cell replaced by its translation (untranslated and fuzzy cells stay English) and ONE
             line added at the top of the first code cell, the one that selects the language. Code
             cells are otherwise identical; stored outputs are kept when the code did not change,
             else cleared (run ``tools/execute_notebooks.py`` on the twin). Without arguments it
             builds every notebook whose catalog is complete and lists the others.
``check``    lists untranslated and fuzzy entries, catalogs out of date with their notebook, and
             translations whose code spans, math or link targets differ from the English; exits 1
             with the counts if there is anything to do.

The English notebooks are the source: never edit a twin by hand (``make notebooks-zh`` rebuilds).
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import polib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LOCALE = ROOT / "locale"
PACKAGE = ROOT / "lstm_explain"
PACKAGE_DOMAIN = "lstm_explain"
DEFAULT_LANG = "zh_CN"
LANG_NAMES = {"zh_CN": "Simplified Chinese"}
PLURAL_FORMS = {"zh_CN": "nplurals=1; plural=0;"}

#: The line a twin adds at the top of its first code cell.
LANGUAGE_LINE = 'from lstm_explain import set_language; set_language("{lang}")'


def language_line(lang: str) -> str:
    return LANGUAGE_LINE.format(lang=lang)


# --------------------------------------------------------------------------- which notebooks


def source_notebooks(args: list[str] | None = None) -> list[Path]:
    """The English notebooks: the course (``notebooks/NN_*.ipynb``) and the apps, or ``args``.

    An argument may be a path or a name such as ``01`` or ``01_shapes_at_a_glance``.
    """
    every = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")) + sorted(
        (NOTEBOOKS / "apps").glob("*.ipynb")
    )
    if not args:
        return every
    chosen = []
    for a in args:
        p = Path(a)
        if p.suffix == ".ipynb" and p.exists():
            rel = p.resolve().relative_to(NOTEBOOKS)
            if rel.parts[0] in PLURAL_FORMS:  # a twin: its English source
                rel = Path(*rel.parts[1:])
            chosen.append(NOTEBOOKS / rel)
            continue
        hits = [nb for nb in every if nb.stem == a or nb.stem.startswith(a)]
        if not hits:
            raise SystemExit(f"i18n: no notebook matches {a!r}")
        chosen.extend(hits)
    return chosen


def rel_name(nb: Path) -> str:
    """``01_shapes_at_a_glance`` or ``apps/classroom_explorer``: a notebook's name in catalogs."""
    return nb.relative_to(NOTEBOOKS).with_suffix("").as_posix()


def catalog_path(nb: Path, lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "notebooks" / f"{rel_name(nb)}.po"


def twin_path(nb: Path, lang: str) -> Path:
    return NOTEBOOKS / lang / nb.relative_to(NOTEBOOKS)


def package_catalog_path(lang: str) -> Path:
    return PACKAGE / "locale" / lang / "LC_MESSAGES" / f"{PACKAGE_DOMAIN}.po"


# --------------------------------------------------------------------------- catalogs


def new_catalog(lang: str, project: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": project,
        "Language": lang,
        "Language-Team": LANG_NAMES.get(lang, lang),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": PLURAL_FORMS.get(lang, "nplurals=2; plural=(n != 1);"),
    }
    po.header = (
        f"{LANG_NAMES.get(lang, lang)} translation of {project}.\n"
        "Generated and merged by tools/i18n_notebooks.py extract; edit msgstr only.\n"
        "Terms: docs/glossary.zh_CN.md"
    )
    return po


def load(path: Path) -> polib.POFile | None:
    if not path.is_file():
        return None
    po = polib.pofile(str(path), encoding="utf-8", wrapwidth=0)
    po.wrapwidth = 0
    return po


def save(po: polib.POFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    po.wrapwidth = 0
    text = po.__unicode__()
    if not text.endswith("\n"):
        text += "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


@dataclass
class Template:
    """What the English source says now: (msgctxt, msgid, plural, comment) in order."""

    entries: list[polib.POEntry] = field(default_factory=list)


def merge(old: polib.POFile | None, template: Template, lang: str, project: str) -> polib.POFile:
    """The catalog for ``template`` keeping ``old``'s translations (msgmerge, keyed by context).

    Same context and msgid: kept as is. Same context, new msgid: the old translation, ``fuzzy``,
    and the old msgid as ``previous_msgid`` (kept from the first change if it was fuzzy already).
    A new context whose msgid was translated elsewhere (a cell that got a new id): reused as is.
    Contexts no longer in the source: kept as obsolete entries.
    """
    po = new_catalog(lang, project)
    if old is not None:
        po.metadata.update({k: v for k, v in old.metadata.items() if k != "POT-Creation-Date"})
        po.header = old.header or po.header
    old_live = [e for e in (old or []) if not e.obsolete]
    by_key = {(e.msgctxt, e.msgid): e for e in old_live}
    by_ctx: dict[str | None, polib.POEntry] = {}
    for e in old_live:
        by_ctx.setdefault(e.msgctxt, e)
    by_id = {e.msgid: e for e in old_live if e.translated()}
    used: set[int] = set()
    for t in template.entries:
        e = copy.copy(t)
        prev = by_key.get((t.msgctxt, t.msgid))
        if prev is not None:
            e.msgstr, e.msgstr_plural = prev.msgstr, dict(prev.msgstr_plural)
            e.flags = [f for f in prev.flags if f == "fuzzy"]
            e.previous_msgid = prev.previous_msgid
            e.tcomment = prev.tcomment
            used.add(id(prev))
        elif t.msgctxt is not None and t.msgctxt in by_ctx:
            prev = by_ctx[t.msgctxt]
            e.msgstr, e.msgstr_plural = prev.msgstr, dict(prev.msgstr_plural)
            e.tcomment = prev.tcomment
            if prev.msgstr or any(prev.msgstr_plural.values()):
                e.flags = ["fuzzy"]
                e.previous_msgid = (
                    prev.previous_msgid if "fuzzy" in prev.flags and prev.previous_msgid
                    else prev.msgid
                )  # fmt: skip
            used.add(id(prev))
        elif t.msgid in by_id:
            prev = by_id[t.msgid]
            e.msgstr, e.msgstr_plural = prev.msgstr, dict(prev.msgstr_plural)
            e.tcomment = prev.tcomment
        po.append(e)
    for prev in old or []:
        if prev.obsolete:
            if not any(x.msgctxt == prev.msgctxt and x.msgid == prev.msgid for x in po):
                po.append(prev)
        elif (
            id(prev) not in used
            and (prev.msgstr or any(prev.msgstr_plural.values()))
            and not any(x.msgid == prev.msgid and x.msgctxt == prev.msgctxt for x in po)
        ):
            prev.obsolete = True
            po.append(prev)
    return po


#: msgctxt of a notebook's ``metadata.title`` entry (cells use their id).
TITLE_CONTEXT = "metadata.title"


def notebook_template(nb_path: Path) -> Template:
    nb = nbformat.read(nb_path, as_version=4)
    t = Template()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        if not cell.get("id"):
            raise SystemExit(
                f"i18n: {nb_path.name}: markdown cell {index} has no id (nbformat 4.5)"
            )
        t.entries.append(
            polib.POEntry(
                msgctxt=cell.id,
                msgid=cell.source,
                msgstr="",
                occurrences=[(f"notebooks/{rel_name(nb_path)}.ipynb", "")],
            )
        )
    if nb.metadata.get("title"):  # the browser tab's title (Voila, the docs)
        t.entries.append(
            polib.POEntry(
                msgctxt=TITLE_CONTEXT,
                msgid=nb.metadata["title"],
                msgstr="",
                occurrences=[(f"notebooks/{rel_name(nb_path)}.ipynb", "")],
            )
        )
    return t


#: Function names whose string-literal arguments are messages: name -> (msgid arg, plural arg,
#: context arg) positions.
KEYWORDS = {
    "_": (0, None, None),
    "N_": (0, None, None),
    "M_": (0, None, None),
    "gettext": (0, None, None),
    "ngettext": (0, 1, None),
    "pgettext": (1, None, 0),
}


def package_template(package: Path | None = None) -> Template:
    """Every ``_("...")``, ``N_``, ``gettext``, ``ngettext``, ``pgettext`` literal in the package."""
    package = PACKAGE if package is None else package
    t = Template()
    seen: dict[tuple[str | None, str], polib.POEntry] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        calls = sorted(
            (n for n in ast.walk(tree) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        for node in calls:
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            if name not in KEYWORDS:
                continue
            msg_i, plural_i, ctx_i = KEYWORDS[name]

            def lit(i: int | None, node: ast.Call = node) -> str | None:
                if i is None or i >= len(node.args):
                    return None
                a = node.args[i]
                return a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None

            msgid = lit(msg_i)
            if msgid is None:
                continue
            ctx = lit(ctx_i)
            where = (path.relative_to(package.parent).as_posix(), "")  # no line: less churn
            key = (ctx, msgid)
            if key in seen:
                if where not in seen[key].occurrences:
                    seen[key].occurrences.append(where)
                continue
            e = polib.POEntry(msgctxt=ctx, msgid=msgid, msgstr="", occurrences=[where])
            plural = lit(plural_i)
            if plural is not None:
                e.msgid_plural = plural
                e.msgstr_plural = {0: ""}
            if "{" in msgid:
                e.flags = ["python-brace-format"]
            seen[key] = e
            t.entries.append(e)
    return t


# --------------------------------------------------------------------------- extract


def extract(lang: str, notebooks: list[Path], *, package: bool = True) -> list[str]:
    lines = []
    for nb in notebooks:
        path = catalog_path(nb, lang)
        po = merge(load(path), notebook_template(nb), lang, f"lstm-explain notebook {rel_name(nb)}")
        save(po, path)
        lines.append(f"{path.relative_to(ROOT)}: {summary(po)}")
    if package:
        path = package_catalog_path(lang)
        po = merge(load(path), package_template(), lang, "lstm-explain")
        save(po, path)
        lines.append(f"{path.relative_to(ROOT)}: {summary(po)}")
    return lines


# --------------------------------------------------------------------------- check


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def is_translated(e: polib.POEntry) -> bool:
    return e.translated()


def summary(po: polib.POFile) -> str:
    entries = live(po)
    done = sum(is_translated(e) for e in entries)
    fuzzy = sum("fuzzy" in e.flags for e in entries)
    return f"{done}/{len(entries)} translated, {fuzzy} fuzzy, {len(entries) - done - fuzzy} untranslated"


_FENCE = re.compile(r"```.*?```", re.S)
_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.S)
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_TEXT = re.compile(r"\\text\{(?:[^{}]|\{[^{}]*\})*\}")


def invariants(text: str) -> set[str]:
    """What a translation must keep verbatim: code blocks, inline code, math, link targets.

    Whitespace runs count as one space (a translation re-wraps lines), and the prose inside a
    formula's ``\\text{…}`` may be translated.
    """
    return {re.sub(r"\s+", " ", item) for item in _invariants(text)}


def _invariants(text: str) -> set[str]:
    found = set(_FENCE.findall(text))
    rest = _FENCE.sub(" ", text)
    found |= {m.group(0) for m in _CODE.finditer(rest)}
    rest = _CODE.sub(" ", rest)
    found |= {_TEXT.sub(r"\\text{…}", m) for m in _MATH.findall(rest)}  # \text{} is prose
    found |= {f"]({m})" for m in _LINK.findall(text)}
    return found


def mismatches(e: polib.POEntry) -> tuple[set[str], set[str]]:
    """(kept from the English but missing in the translation, new in the translation)."""
    if not is_translated(e) or e.msgid_plural:
        return set(), set()
    src, dst = invariants(e.msgid), invariants(e.msgstr)
    allowed = allowances(e)
    return src - dst - allowed, dst - src - allowed


def allowances(e: polib.POEntry) -> set[str]:
    """Spans a translator marked as deliberately changed: ``# allow: `(词表大小, E)``` comments.

    For code-formatted prose only (a list written as code, a made-up shape with words in it);
    identifiers, shapes and formulas stay verbatim.
    """
    return {
        re.sub(r"\s+", " ", line.removeprefix("allow:").strip())
        for line in (e.tcomment or "").splitlines()
        if line.startswith("allow:")
    }


@dataclass
class Report:
    catalog: str
    total: int = 0
    translated: int = 0
    fuzzy: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)

    @property
    def todo(self) -> int:
        return len(self.fuzzy) + len(self.untranslated) + len(self.stale) + len(self.mismatched)


def _label(e: polib.POEntry) -> str:
    first = e.msgid.strip().splitlines()[0] if e.msgid.strip() else ""
    ctx = f"[{e.msgctxt}] " if e.msgctxt else ""
    return f"{ctx}{first[:70]}"


def check_catalog(name: str, po: polib.POFile | None, template: Template) -> Report:
    r = Report(name)
    if po is None:
        r.total = len(template.entries)
        r.stale = ["no catalog: run `tools/i18n_notebooks.py extract`"]
        r.untranslated = [_label(t) for t in template.entries]
        return r
    keys = {(e.msgctxt, e.msgid) for e in live(po)}
    for t in template.entries:
        if (t.msgctxt, t.msgid) not in keys:
            r.stale.append(f"{_label(t)} (source changed; run extract)")
    for e in live(po):
        r.total += 1
        if "fuzzy" in e.flags:
            r.fuzzy.append(_label(e))
        elif not is_translated(e):
            r.untranslated.append(_label(e))
        else:
            r.translated += 1
            missing, extra = mismatches(e)
            if missing or extra:
                detail = ", ".join([*(f"missing {m!r}" for m in sorted(missing)),
                                    *(f"added {m!r}" for m in sorted(extra))])  # fmt: skip
                r.mismatched.append(f"{_label(e)}: {detail[:300]}")
    return r


def check(lang: str, notebooks: list[Path], *, package: bool = True) -> list[Report]:
    reports = [
        check_catalog(rel_name(nb), load(catalog_path(nb, lang)), notebook_template(nb))
        for nb in notebooks
    ]
    if package:
        reports.append(
            check_catalog(PACKAGE_DOMAIN, load(package_catalog_path(lang)), package_template())
        )
    return reports


def print_reports(reports: list[Report], *, as_json: bool = False, verbose: int = 20) -> None:
    if as_json:
        print(
            json.dumps(
                [r.__dict__ | {"todo": r.todo} for r in reports], indent=2, ensure_ascii=False
            )
        )
        return
    for r in reports:
        state = "ok" if r.todo == 0 else f"{r.todo} to do"
        print(
            f"{r.catalog}: {r.translated}/{r.total} translated, {len(r.fuzzy)} fuzzy, "
            f"{len(r.untranslated)} untranslated, {len(r.stale)} stale, "
            f"{len(r.mismatched)} code/math mismatches: {state}"
        )
        for kind in ("stale", "fuzzy", "mismatched", "untranslated"):
            items = getattr(r, kind)
            for item in items[:verbose]:
                print(f"    {kind}: {item}")
            if len(items) > verbose:
                print(f"    {kind}: … {len(items) - verbose} more")
    total = sum(r.total for r in reports)
    done = sum(r.translated for r in reports)
    print(
        f"total: {done}/{total} translated; "
        f"{sum(len(r.fuzzy) for r in reports)} fuzzy, "
        f"{sum(len(r.untranslated) for r in reports)} untranslated, "
        f"{sum(len(r.stale) for r in reports)} stale, "
        f"{sum(len(r.mismatched) for r in reports)} mismatched"
    )


# --------------------------------------------------------------------------- build


def add_language_line(source: str, lang: str) -> str:
    """``source`` with the language line after any leading magics and ``__future__`` imports."""
    lines = source.splitlines()
    i = 0
    while i < len(lines) and (lines[i].startswith("%") or lines[i].startswith("from __future__")):
        i += 1
    lines.insert(i, language_line(lang))
    return "\n".join(lines)


def translate_notebook(nb_path: Path, lang: str, po: polib.POFile | None) -> nbformat.NotebookNode:
    """The twin of ``nb_path`` in ``lang`` (outputs cleared)."""
    nb = nbformat.read(nb_path, as_version=4)
    table = {}
    if po is not None:
        table = {(e.msgctxt, e.msgid): e.msgstr for e in live(po) if is_translated(e)}
    first_code = True
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = table.get((cell.get("id"), cell.source), cell.source)
        elif cell.cell_type == "code":
            if first_code:
                cell.source = add_language_line(cell.source, lang)
                first_code = False
            cell.outputs = []
            cell.execution_count = None
    if nb.metadata.get("title"):
        nb.metadata["title"] = table.get(
            (TITLE_CONTEXT, nb.metadata["title"]), nb.metadata["title"]
        )
    nb.metadata["lstm_explain"] = {
        "language": lang,
        "source": f"notebooks/{nb_path.relative_to(NOTEBOOKS).as_posix()}",
        "generated_by": "tools/i18n_notebooks.py build: edit the English notebook and "
        f"locale/{lang}/LC_MESSAGES/notebooks/{rel_name(nb_path)}.po, not this file",
    }
    return nb


def _code(nb: nbformat.NotebookNode) -> list[str]:
    return [c.source for c in nb.cells if c.cell_type == "code"]


def build(lang: str, notebooks: list[Path], *, only_complete: bool) -> list[str]:
    lines = []
    for nb_path in notebooks:
        po = load(catalog_path(nb_path, lang))
        report = check_catalog(rel_name(nb_path), po, notebook_template(nb_path))
        if only_complete and (po is None or report.todo):
            lines.append(f"skipped {rel_name(nb_path)}: {report.todo} entries to translate")
            continue
        twin = translate_notebook(nb_path, lang, po)
        out = twin_path(nb_path, lang)
        kept = False
        if out.exists():  # keep stored outputs when the code is unchanged (markdown-only edits)
            old = nbformat.read(out, as_version=4)
            if _code(old) == _code(twin):
                old_code = [c for c in old.cells if c.cell_type == "code"]
                new_code = [c for c in twin.cells if c.cell_type == "code"]
                for o, n in zip(old_code, new_code, strict=True):
                    n.outputs, n.execution_count = o.outputs, o.execution_count
                fresh = {
                    k: twin.metadata[k] for k in ("lstm_explain", "title") if k in twin.metadata
                }
                twin.metadata = old.metadata | fresh
                kept = True
        out.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(twin) + "\n"
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            out.write_text(text, encoding="utf-8")
        note = "outputs kept" if kept else "outputs cleared: execute it"
        if report.todo:
            note += f"; {report.todo} entries still English"
        lines.append(f"{out.relative_to(ROOT)}: {note}")
    return lines


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="i18n_notebooks", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("extract", "build", "check"):
        p = sub.add_parser(name)
        p.add_argument("notebooks", nargs="*", help="paths or names such as 01 (default: all)")
        p.add_argument("--lang", default=DEFAULT_LANG)
        if name != "build":
            p.add_argument(
                "--no-package", dest="package", action="store_false",
                help="leave out the package's catalog (lstm_explain.po)",
            )  # fmt: skip
        if name == "check":
            p.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    notebooks = source_notebooks(args.notebooks)
    if args.command == "extract":
        package = args.package and not args.notebooks
        print("\n".join(extract(args.lang, notebooks, package=package)))
        return 0
    if args.command == "build":
        print("\n".join(build(args.lang, notebooks, only_complete=not args.notebooks)))
        return 0
    reports = check(args.lang, notebooks, package=args.package and not args.notebooks)
    print_reports(reports, as_json=args.json)
    return 1 if any(r.todo for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
