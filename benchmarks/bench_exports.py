"""Export build times and sizes for the council overview (demo pool; medians of 5 runs).

Run: .venv/bin/python benchmarks/bench_exports.py
"""

from __future__ import annotations

import datetime as dt
import sys
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import median_seconds
from geo.accounting import summary
from geo.reports import downloads, pdf, pptx
from geo.store.gpkg import GeoPackageStore

RUNS = 5
ON = dt.date(2026, 11, 25)


def main() -> None:
    view = summary.pool_view(GeoPackageStore(Path(__file__).resolve().parent.parent / "data").read_all())
    for label, scope in (("alle Partner", summary.Scope()),
                         ("Leipzig+Wurzen 2020–2026", summary.Scope(("14713000", "14729410"), (2020, 2026)))):
        seconds = median_seconds(partial(summary.report, view, scope), RUNS)
        report = summary.report(view, scope)
        print(f"{label}: summary.report median {seconds * 1000:.0f} ms")
        builders = {"pptx": partial(pptx.build, report, on=ON, context=view),
                    "pdf": partial(pdf.build, report, on=ON, context=view), "xlsx": partial(downloads.xlsx, report),
                    "gpkg": partial(downloads.geopackage, report), "geojson": partial(downloads.geojson, report)}
        for kind, build in builders.items():
            seconds, size = median_seconds(build, RUNS), len(build())
            print(f"  {kind:8s} median {seconds * 1000:6.0f} ms  {size / 1024:7.0f} KiB")


if __name__ == "__main__":
    main()
