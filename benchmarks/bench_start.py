"""Start page: cold start to rendered page (real server + Chromium) and rerun cost.

Prints medians over several runs; the machine is shared and noisy, so compare ratios.
Run: .venv/bin/python benchmarks/bench_start.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from streamlit.testing.v1 import AppTest  # noqa: E402

from benchmarks.timing import median_seconds  # noqa: E402
from geo.accounting import summary  # noqa: E402
from geo.store.gpkg import GeoPackageStore  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port  # noqa: E402

RUNS = 5


def cold_start_seconds() -> float:
    """`streamlit run` launched → start page's headline figures visible in Chromium."""
    from playwright.sync_api import sync_playwright

    port = _free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=REPO, env={**os.environ, "FLAECHENPOOL_OFFLINE": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}", timeout=2_000)
                    break
                except Exception:  # server not listening yet
                    time.sleep(0.1)
            page.get_by_text("Freie Wertpunkte", exact=True).wait_for(timeout=60_000)
            page.get_by_text("Trebsen/Mulde").first.wait_for(state="attached", timeout=60_000)
            elapsed = time.perf_counter() - t0
            browser.close()
        return elapsed
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    store = GeoPackageStore(REPO / "data")
    read_med = median_seconds(lambda: summary.pool_view(store.read_all()), RUNS)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()  # fills the cache
    rerun_med = median_seconds(at.run, RUNS)
    colds = [cold_start_seconds() for _ in range(3)]
    print(f"read + enrich whole pool (uncached): median {read_med * 1000:.0f} ms over {RUNS}")
    print(f"start page rerun (cached, AppTest):  median {rerun_med * 1000:.0f} ms over {RUNS}")
    print(f"ratio uncached read / cached rerun:  {read_med / rerun_med:.1f}x")
    print(f"cold start to rendered start page:   median {statistics.median(colds):.1f} s over 3 "
          f"(min {min(colds):.1f}, max {max(colds):.1f})")


if __name__ == "__main__":
    main()
