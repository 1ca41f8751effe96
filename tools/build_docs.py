"""Build the documentation site: ``make docs`` runs this.

Usage: python tools/build_docs.py [--force] [--lang zh_CN] [--gettext]

1. ``tools/vendor_docs_assets.py``: the pinned JavaScript into build/vendor/ (offline once cached);
2. Sphinx with warnings as errors (``-W --keep-going``: a broken link, a missing notebook or a bad
   docstring fails the build, after reporting every problem), into ``build/docs/`` (English) or
   ``build/docs/<lang>/`` with ``--lang``;
3. a stamp, ``build/docs/.lx-build.json`` (time taken, page count). A build newer than every
   source is not redone (``--force`` redoes it); the browser test reuses it the same way.

Sphinx re-reads only the sources that changed but rewrites every page (``-a``): each page carries
the site's navigation, which an incremental write leaves stale when a title or a toctree changes.

``--gettext`` writes the message catalogs (.pot) to ``build/docs-gettext/`` instead, for
translators (``sphinx-intl update -p build/docs-gettext -l zh_CN -d docs/locales``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "docs"
STAMP = OUT / ".lx-build.json"
# what a build reads: a file newer than the stamp makes the build stale
SOURCES = [
    ROOT / "docs",
    ROOT / "notebooks",
    ROOT / "lstm_explain",
    ROOT / "README.md",
    ROOT / "tools" / "build_docs.py",
    ROOT / "tools" / "vendor_docs_assets.py",
    ROOT / "build" / "cheatsheet",  # the cheat sheet, once its own target has built it
]
GENERATED = {"course", "generated", ".ipynb_checkpoints", "__pycache__", "zh_CN"}


def newest_source() -> float:
    newest = 0.0
    for src in SOURCES:
        files = [src] if src.is_file() else src.rglob("*") if src.is_dir() else []
        for path in files:
            if path.is_file() and not GENERATED & set(path.relative_to(ROOT).parts):
                newest = max(newest, path.stat().st_mtime)
    return newest


def is_fresh() -> bool:
    """True when build/docs/ was built, successfully, after its sources last changed."""
    return STAMP.exists() and STAMP.stat().st_mtime > newest_source()


def build(lang: str | None = None, gettext: bool = False) -> dict:
    start = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "tools" / "vendor_docs_assets.py")], check=True)
    vendored = time.perf_counter() - start
    if gettext:
        builder, out, doctrees = "gettext", ROOT / "build" / "docs-gettext", "gettext"
    else:
        builder, out, doctrees = "html", OUT / lang if lang else OUT, lang or "en"
    # -E: a fresh environment every time, so generated pages (the API list) never go stale
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-W", "--keep-going", "-q", "-a", "-E"]
    cmd += ["-d", str(ROOT / "build" / "docs-doctrees" / doctrees)]
    if lang:
        cmd += ["-D", f"language={lang}"]
    subprocess.run([*cmd, str(ROOT / "docs"), str(out)], check=True)
    result = {
        "builder": builder,
        "out": str(out.relative_to(ROOT)),
        "seconds": round(time.perf_counter() - start, 1),
        "vendor_seconds": round(vendored, 1),
    }
    if builder == "html":
        result["pages"] = sum(1 for p in out.rglob("*.html") if "zh_CN" not in p.parts or lang)
        if not lang:
            STAMP.write_text(json.dumps(result))
    print(json.dumps(result))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", help="build the site in this language into build/docs/LANG/")
    parser.add_argument("--gettext", action="store_true", help="write .pot catalogs instead")
    parser.add_argument("--force", action="store_true", help="build even if up to date")
    args = parser.parse_args(argv)
    if not (args.force or args.lang or args.gettext) and is_fresh():
        print(json.dumps({"builder": "html", "out": "build/docs", "up_to_date": True}))
        return 0
    try:
        build(args.lang, args.gettext)
    except subprocess.CalledProcessError as exc:
        print(f"build_docs: failed: {' '.join(map(str, exc.cmd[:6]))} ...", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
