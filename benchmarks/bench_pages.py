"""Page reruns after a filter change (Übersicht, Eingriffe with one intervention chosen) and the app process's
peak memory, served by Streamlit's AppTest in a child process of its own.

Run: .venv/bin/python benchmarks/bench_pages.py [--pool demo|10000|50000|200000] [--data DIR]
Prints, per page, the first run (data read and caches filled), the median rerun without any change
(the reference, same run) and the median rerun after a filter change, and the child's peak RSS
(``VmHWM`` of ``/proc/self/status``) after serving both pages.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import generate  # noqa: E402

RUNS = 5
FILTERS = {  # page → (widget key, the values it switches between)
    "views/uebersicht.py": ("uebersicht_gemeinden", [["Wurzen"], []]),
    "views/eingriffe.py": ("eingriffe_status", [["genehmigt"], []]),
}


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child() -> None:
    """Serve the pages with AppTest in this process; print the timings and the peak RSS as JSON."""
    import statistics

    from streamlit.testing.v1 import AppTest

    from geo import schema
    from geo.store.gpkg import GeoPackageStore

    data = GeoPackageStore(os.environ["FLAECHENPOOL_DATA"]).read_layer(schema.INTERVENTIONS)
    target = str(data.sort_values("demand_points").iloc[-1]["intervention_id"])
    results: dict[str, dict[str, float]] = {}
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=1800)
    at.run()
    for page, (key, values) in FILTERS.items():
        at.switch_page(page)
        if page.endswith("eingriffe.py"):
            at.query_params["eingriff"] = target
        first = _timed(at.run)
        assert not at.exception, at.exception
        unchanged = statistics.median(_timed(at.run) for _ in range(RUNS))
        changes = []
        for i in range(RUNS):
            at.multiselect(key=key).set_value(values[i % 2])
            changes.append(_timed(at.run))
            assert not at.exception, at.exception
        results[page] = {"first": first, "unchanged": unchanged, "filter": statistics.median(changes)}
    print(json.dumps({"pages": results, "peak_rss_mb": _peak_rss_mb()}))


def main() -> None:
    parser = argparse.ArgumentParser(description="Page reruns and peak RSS of the app process.")
    generate.add_pool_arguments(parser)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    with generate.pool_folder(args) as folder:
        env = {**os.environ, "FLAECHENPOOL_DATA": str(folder), "FLAECHENPOOL_OFFLINE": "1",
               "FLAECHENPOOL_USERS": str(folder / "users.json")}
        done = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True, text=True,
                              check=True)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{generate.label(args)}: medians of {RUNS} reruns in one AppTest session")
    for page, t in out["pages"].items():
        print(f"  {page:<22} first run {t['first']:6.2f} s; rerun unchanged (reference) {t['unchanged']:6.2f} s; "
              f"after a filter change {t['filter']:6.2f} s   ratio {t['filter'] / t['unchanged']:5.1f}x")
    print(f"  peak RSS of the app process (VmHWM): {out['peak_rss_mb'] / 1024:.2f} GB")


if __name__ == "__main__":
    main()
