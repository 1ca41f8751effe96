"""Run the notebook check several times in a row and report whether every run agreed (JSON).

Usage: python tools/check_stability.py [--runs 3] -- COMMAND ...

Each run of COMMAND (nbval over the notebooks) starts every notebook in a fresh kernel and
compares each cell's output with the stored one, so runs that all pass are identical to the stored
notebooks, and to one another. A flaky cell (an output that changes from run to run on one
machine: an unseeded generator, a dict order, a timing) fails at least one run and is listed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time

_SUMMARY = re.compile(r"(\d+) (passed|failed|skipped|errors?)")
_FAILED = re.compile(r"^FAILED (\S+)", re.M)


def run_once(command: list[str]) -> dict:
    """One run: its counts, the failing cells and its wall time."""
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    out = proc.stdout + proc.stderr
    last = out.strip().splitlines()[-1] if out.strip() else ""
    counts = {kind.rstrip("s"): int(n) for n, kind in _SUMMARY.findall(last)}
    return {
        "returncode": proc.returncode,
        "passed": counts.get("passed", 0),
        "failed": counts.get("failed", 0) + counts.get("error", 0),
        "skipped": counts.get("skipped", 0),
        "failing": sorted(set(_FAILED.findall(out))),
        "seconds": round(time.perf_counter() - start, 1),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="how many runs in a row (default 3)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the nbval command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command or args.runs < 1:
        parser.error("give --runs >= 1 and a command after --")
    runs = []
    for k in range(args.runs):
        runs.append(run_once(command))
        print(
            f"run {k + 1}/{args.runs}: {runs[-1]['passed']} passed, {runs[-1]['failed']} failed",
            file=sys.stderr,
        )
    flaky = sorted({cell for r in runs for cell in r["failing"]})
    stable = all(r["returncode"] == 0 for r in runs)
    print(json.dumps({"runs": runs, "stable": stable, "flaky_or_failing": flaky}, indent=2))
    return 0 if stable else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
