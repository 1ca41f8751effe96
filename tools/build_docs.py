"""Build the documentation site: ``make docs`` runs this.

Usage: python tools/build_docs.py [--force] [--lang en|zh_CN] [--gettext]

Both sites by default (``make docs``), or the one ``--lang`` names:

- English: ``docs/`` into ``build/docs/``, the notebooks of ``notebooks/``;
- Chinese: ``docs/zh_CN/`` into ``build/docs/zh_CN/`` with the same ``docs/conf.py`` (``-c docs``,
  ``LX_DOCS_LANG=zh_CN``), the Chinese twins of ``notebooks/zh_CN/``.

For each:

1. ``tools/vendor_docs_assets.py``: the pinned JavaScript into build/vendor/ (offline once cached);
2. Sphinx with warnings as errors (``-W --keep-going``: a broken link, a missing notebook or a bad
   docstring fails the build, after reporting every problem);
3. a stamp, ``.lx-build.json`` in the site's folder (time taken, page count). A build newer than
   every source it reads is not redone (``--force`` redoes it); the browser tests reuse it the
   same way.

Sphinx re-reads only the sources that changed but rewrites every page (``-a``): each page carries
the site's navigation, which an incremental write leaves stale when a title or a toctree changes.

``--gettext`` writes the message catalogs (.pot) to ``build/docs-gettext/`` instead, for
translators (``sphinx-intl update -p build/docs-gettext -l zh_CN -d docs/locales``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "docs"
LANGS = ("en", "zh_CN")
STAMP = OUT / ".lx-build.json"  # the English site's; the Chinese one's is in build/docs/zh_CN/
COMMON = [
    ROOT / "docs",  # conf.py, templates, CSS, the glossary, and for zh_CN its pages in docs/zh_CN/
    ROOT / "lstm_explain",
    ROOT / "tools" / "build_docs.py",
    ROOT / "tools" / "vendor_docs_assets.py",
    ROOT / "build" / "cheatsheet",  # the cheat sheet, once its own target has built it
]
# what a build reads: a file newer than the stamp makes the build stale
SOURCES = {
    "en": [*COMMON, ROOT / "notebooks", ROOT / "README.md"],
    "zh_CN": [*COMMON, ROOT / "notebooks" / "zh_CN", ROOT / "README.zh_CN.md"],
}
GENERATED = {"course", "generated", ".ipynb_checkpoints", "__pycache__"}


def out_dir(lang: str = "en") -> Path:
    return OUT if lang == "en" else OUT / lang


def stamp(lang: str = "en") -> Path:
    return out_dir(lang) / ".lx-build.json"


def _skipped(path: Path, lang: str) -> bool:
    parts = path.relative_to(ROOT).parts
    if GENERATED & set(parts):
        return True
    return lang == "en" and "zh_CN" in parts  # the English site reads nothing Chinese


def newest_source(lang: str = "en") -> float:
    newest = 0.0
    for src in SOURCES[lang]:
        files = [src] if src.is_file() else src.rglob("*") if src.is_dir() else []
        for path in files:
            if path.is_file() and not _skipped(path, lang):
                newest = max(newest, path.stat().st_mtime)
    return newest


def is_fresh(lang: str = "en") -> bool:
    """True when the site was built, successfully, after its sources last changed."""
    path = stamp(lang)
    return path.exists() and path.stat().st_mtime > newest_source(lang)


def build(lang: str = "en", gettext: bool = False) -> dict:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "tools" / "vendor_docs_assets.py")], check=True)
    vendored = time.perf_counter() - start
    if gettext:
        builder, out, doctrees = "gettext", ROOT / "build" / "docs-gettext", "gettext"
    else:
        builder, out, doctrees = "html", out_dir(lang), lang
    src = ROOT / "docs" if lang == "en" else ROOT / "docs" / lang
    # -E: a fresh environment every time, so generated pages (the API list) never go stale
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q", "-a", "-E"]
    cmd += ["-c", str(ROOT / "docs"), "-d", str(ROOT / "build" / "docs-doctrees" / doctrees)]
    env = {**os.environ, "LX_DOCS_LANG": lang}
    subprocess.run([*cmd, str(src), str(out)], check=True, env=env)
    result = {
        "builder": builder,
        "lang": lang,
        "out": str(out.relative_to(ROOT)),
        "seconds": round(time.perf_counter() - start, 1),
        "vendor_seconds": round(vendored, 1),
    }
    if builder == "html":
        others = {other for other in LANGS if other != lang}
        result["pages"] = sum(
            1 for p in out.rglob("*.html") if not others & set(p.relative_to(out).parts)
        )
        stamp(lang).write_text(json.dumps(result))
    print(json.dumps(result))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=LANGS, help="only this site (default: both)")
    parser.add_argument("--gettext", action="store_true", help="write .pot catalogs instead")
    parser.add_argument("--force", action="store_true", help="build even if up to date")
    args = parser.parse_args(argv)
    try:
        if args.gettext:
            build("en", gettext=True)
            return 0
        for lang in [args.lang] if args.lang else LANGS:
            if not args.force and is_fresh(lang):
                out = out_dir(lang).relative_to(ROOT).as_posix()
                print(json.dumps({"builder": "html", "out": out, "up_to_date": True}))
            else:
                build(lang)
    except subprocess.CalledProcessError as exc:
        print(f"build_docs: failed: {' '.join(map(str, exc.cmd[:6]))} ...", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
