"""Vendor the docs site's JavaScript from the npm registry, checksummed, for a fully offline site.

Usage: python tools/vendor_docs_assets.py [--cache DIR] [--out DIR]

For each package pinned in ``docs/vendor.lock.json`` (name, version, sha512 ``integrity`` as npm's
lockfiles record it, files to take):

1. get the tarball into the cache (default ``build/vendor/npm/``), with ``npm pack NAME@VERSION``
   when npm is installed, otherwise by one HTTPS download of the registry's tarball URL;
2. check its sha512 against the recorded integrity (a mismatch deletes the tarball and fails);
3. extract only the listed files into the static folder (default ``build/vendor/static/``), which
   ``docs/conf.py`` adds to the site's ``_static/``.

Nothing vendored is committed (``build/`` is ignored): the lock file is the record. A second run
with the cache filled is offline and takes well under a second. Prints one JSON line: the files and
their total size.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "docs" / "vendor.lock.json"
REGISTRY = "https://registry.npmjs.org"


def tarball_name(name: str, version: str) -> str:
    """The file name ``npm pack`` gives: ``@scope/pkg`` -> ``scope-pkg-1.0.0.tgz``."""
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def integrity_of(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch(pkg: dict, cache: Path) -> Path:
    name, version = pkg["name"], pkg["version"]
    path = cache / tarball_name(name, version)
    if path.exists() and integrity_of(path) == pkg["integrity"]:
        return path
    cache.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    if npm:
        subprocess.run(
            [npm, "pack", f"{name}@{version}", "--pack-destination", str(cache), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    else:  # the same tarball npm would fetch: REGISTRY/<name>/-/<basename>-<version>.tgz
        url = f"{REGISTRY}/{name}/-/{name.split('/')[-1]}-{version}.tgz"
        with urllib.request.urlopen(url, timeout=120) as response:
            path.write_bytes(response.read())
    got = integrity_of(path)
    if got != pkg["integrity"]:
        path.unlink()
        raise SystemExit(
            f"vendor_docs_assets: {name}@{version}: integrity mismatch\n"
            f"  expected {pkg['integrity']}\n  got      {got}"
        )
    return path


def extract(pkg: dict, tarball: Path, out: Path) -> list[Path]:
    written: list[Path] = []
    with tarfile.open(tarball, "r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isfile()]
        for pattern, target in pkg["files"].items():
            matches = [m for m in members if fnmatch.fnmatchcase(m.name, pattern)]
            if not matches:
                raise SystemExit(f"vendor_docs_assets: {pkg['name']}: no file matches {pattern}")
            for member in matches:
                dest = out / target
                if target.endswith("/"):
                    dest = dest / Path(member.name).name
                dest.parent.mkdir(parents=True, exist_ok=True)
                data = tar.extractfile(member).read()
                if not dest.exists() or dest.read_bytes() != data:
                    dest.write_bytes(data)
                written.append(dest)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "vendor" / "npm")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "vendor" / "static")
    args = parser.parse_args(argv)
    lock_text = LOCK.read_text()
    lock = json.loads(lock_text)
    stamp = args.out / ".vendored.json"  # what the last run wrote, for this lock
    lock_hash = hashlib.sha256(lock_text.encode()).hexdigest()
    if stamp.exists():
        done = json.loads(stamp.read_text())
        if done.get("lock_sha256") == lock_hash and all(
            (args.out / f).is_file() and (args.out / f).stat().st_size == n
            for f, n in done["files"].items()
        ):
            print(
                json.dumps({"vendored": len(done["files"]), "bytes": done["bytes"], "cached": True})
            )
            return 0
    files: list[Path] = []
    for pkg in lock["packages"]:
        files += extract(pkg, fetch(pkg, args.cache), args.out)
    keep = {*files, stamp}
    for stale in [p for p in args.out.rglob("*") if p.is_file() and p not in keep]:
        stale.unlink()  # a file an older lock vendored
    sizes = {p.relative_to(args.out).as_posix(): p.stat().st_size for p in sorted(files)}
    result = {"vendored": len(sizes), "bytes": sum(sizes.values()), "files": sizes}
    stamp.write_text(json.dumps({"lock_sha256": lock_hash, **result}, indent=1))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
