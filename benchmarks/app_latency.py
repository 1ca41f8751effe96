"""Change-to-DOM latency of the classroom app, measured in the browser.

Serves ``notebooks/apps/classroom_explorer.ipynb`` with Voila (as ``make app`` does) and opens it
in headless Chromium at 1280x720. Each change presses an arrow key on a slider's handle and times,
in the page (``performance.now()``), until the summary line shows the new shapes: the whole round
trip (browser -> kernel -> report and diagram -> widget messages -> DOM). Alternates
``num_layers`` 1..8 and ``hidden_size``, so most configurations are new (the explorer caches
revisited ones: both kinds are in the sample). Prints JSON: median, p95 and max milliseconds.

Usage: python benchmarks/app_latency.py [--changes N]   (needs /usr/bin/chromium and playwright)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "notebooks" / "apps" / "classroom_explorer.ipynb"
sys.path.insert(0, str(ROOT / "tools"))
from headless import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

#: Press a key on a slider's handle and resolve with the ms until the summary's text changes.
TIMED_KEY = """async ([label, key]) => {
  const slider = [...document.querySelectorAll('.widget-slider')].find(
    s => s.querySelector('label')?.innerText.trim() === label);
  const handle = slider.querySelector('.noUi-handle');
  const summary = () => document.querySelector('.lx-summary')?.innerText ?? '';
  const before = summary();
  handle.focus();
  const start = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}));
  return await new Promise((resolve, reject) => {
    const t0 = Date.now();
    (function poll() {
      if (summary() !== before) return resolve(performance.now() - start);
      if (Date.now() - t0 > 20000) return reject(new Error('no update within 20 s'));
      requestAnimationFrame(poll);
    })();
  });
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=40, help="slider changes to time")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp())
    shutil.copy(APP, tmp / APP.name)
    port = free_port()
    env = dict(os.environ, JUPYTER_PATH=str(ROOT / "notebooks" / "apps" / "share"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", "voila", APP.name, "--no-browser", "--template=classroom"]
    cmd += ["--Voila.ip=127.0.0.1", f"--port={port}"]
    proc = subprocess.Popen(
        cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url, timeout=120_000)
            page.locator(".lx-h_n").first.wait_for(timeout=120_000)
            times, layers, hidden_up = [], 1, True
            for i in range(args.changes):
                if i % 2 == 0:  # num_layers walks 1..8 and back
                    key = "ArrowRight" if layers < 8 else "ArrowLeft"
                    layers += 1 if key == "ArrowRight" else -1
                    times.append(page.evaluate(TIMED_KEY, ["num_layers", key]))
                else:  # hidden_size steps up, then down
                    hidden_up = not hidden_up if i % 16 == 15 else hidden_up
                    key = "ArrowRight" if hidden_up else "ArrowLeft"
                    times.append(page.evaluate(TIMED_KEY, ["hidden_size", key]))
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)
    times.sort()
    print(
        json.dumps(
            {
                "benchmark": "app_latency",
                "what": "slider key press -> summary text updated in the DOM (Voila, Chromium)",
                "changes": len(times),
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
                "max_ms": round(times[-1], 1),
                "cpus": os.cpu_count(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
